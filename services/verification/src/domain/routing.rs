//! Agencies and routing rules as data, and the one function that picks an item's agency.
//! Pure: the store loads the county's agencies and rules, [`route`] decides.

/// Proto `AgencyKind` values that may review items.
pub const KIND_DISTRICT_ATTORNEY: i16 = 1;
pub const KIND_CITY_PROSECUTOR: i16 = 2;

/// An office taking part in the process.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Agency {
    pub agency_id: String,
    pub county_code: String,
    pub county_name: String,
    /// Proto `AgencyKind` value.
    pub kind: i16,
    pub name: String,
    pub ori_codes: Vec<String>,
    pub active: bool,
    pub county_default: bool,
    pub updated_at_ms: i64,
}

impl Agency {
    /// Whether the agency can be responsible for items (an active prosecutor).
    #[must_use]
    pub fn reviews(&self) -> bool {
        self.active && matches!(self.kind, KIND_DISTRICT_ATTORNEY | KIND_CITY_PROSECUTOR)
    }
}

/// Match criteria; every non-empty list must contain the item's value.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RoutingMatch {
    /// Proto `Severity` values.
    pub severities: Vec<i16>,
    /// ORI codes or prefixes ending in `*`.
    pub arrest_ori_codes: Vec<String>,
    pub court_ori_codes: Vec<String>,
    pub sections: Vec<String>,
    /// Proto `DeterminationOutcome` values.
    pub outcomes: Vec<i16>,
}

/// Sends matching items to an agency.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoutingRule {
    pub rule_id: String,
    pub county_code: String,
    pub county_name: String,
    pub priority: i32,
    pub description: String,
    pub matcher: RoutingMatch,
    pub agency_id: String,
    pub enabled: bool,
    pub updated_at_ms: i64,
}

/// What routing looks at of one determination.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RouteFacts {
    pub severity: i16,
    pub arrest_ori_code: String,
    pub court_ori_code: String,
    pub prop64_section: String,
    pub outcome: i16,
}

/// Where an item goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    /// A rule matched.
    Rule { agency_id: String, rule_id: String },
    /// No rule matched: the county default agency.
    Default { agency_id: String },
    /// The county has no agency data at all: the implicit District Attorney queue
    /// (`da-<county>`), as before agencies existed.
    Implicit { agency_id: String },
    /// Agencies exist but no rule matched and there is no default.
    Unroutable,
}

impl Route {
    /// The agency, empty when unroutable.
    #[must_use]
    pub fn agency_id(&self) -> &str {
        match self {
            Self::Rule { agency_id, .. }
            | Self::Default { agency_id }
            | Self::Implicit { agency_id } => agency_id,
            Self::Unroutable => "",
        }
    }

    /// The rule that chose the agency, empty otherwise.
    #[must_use]
    pub fn rule_id(&self) -> &str {
        match self {
            Self::Rule { rule_id, .. } => rule_id,
            _ => "",
        }
    }
}

/// Whether an ORI pattern (exact, or a prefix ending in `*`) matches `code`.
#[must_use]
pub fn ori_matches(pattern: &str, code: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => !code.is_empty() && code.starts_with(prefix),
        None => pattern == code,
    }
}

/// Whether every set criterion of `matcher` holds for `facts`.
#[must_use]
pub fn matches(matcher: &RoutingMatch, facts: &RouteFacts) -> bool {
    let any_ori = |patterns: &[String], code: &str| {
        patterns.is_empty() || patterns.iter().any(|p| ori_matches(p, code))
    };
    (matcher.severities.is_empty() || matcher.severities.contains(&facts.severity))
        && (matcher.outcomes.is_empty() || matcher.outcomes.contains(&facts.outcome))
        && (matcher.sections.is_empty() || matcher.sections.contains(&facts.prop64_section))
        && any_ori(&matcher.arrest_ori_codes, &facts.arrest_ori_code)
        && any_ori(&matcher.court_ori_codes, &facts.court_ori_code)
}

/// The rules in evaluation order: enabled ones by ascending priority, ties by rule id.
#[must_use]
pub fn evaluation_order(rules: &[RoutingRule]) -> Vec<&RoutingRule> {
    let mut ordered: Vec<&RoutingRule> = rules.iter().filter(|r| r.enabled).collect();
    ordered.sort_by(|a, b| (a.priority, &a.rule_id).cmp(&(b.priority, &b.rule_id)));
    ordered
}

/// Exactly one route for `facts`: the first matching enabled rule whose agency reviews
/// items, else the county default agency, else (no agency data) `implicit_agency`.
#[must_use]
pub fn route(
    agencies: &[Agency],
    rules: &[RoutingRule],
    facts: &RouteFacts,
    implicit_agency: &str,
) -> Route {
    if agencies.is_empty() {
        return Route::Implicit {
            agency_id: implicit_agency.to_owned(),
        };
    }
    let reviewing = |id: &str| agencies.iter().any(|a| a.agency_id == id && a.reviews());
    for rule in evaluation_order(rules) {
        if reviewing(&rule.agency_id) && matches(&rule.matcher, facts) {
            return Route::Rule {
                agency_id: rule.agency_id.clone(),
                rule_id: rule.rule_id.clone(),
            };
        }
    }
    match agencies.iter().find(|a| a.county_default && a.reviews()) {
        Some(default) => Route::Default {
            agency_id: default.agency_id.clone(),
        },
        None => Route::Unroutable,
    }
}

/// Whether `rule_id` is a valid client-chosen rule id, `[a-z0-9_-]{1,64}`.
#[must_use]
pub fn valid_rule_id(rule_id: &str) -> bool {
    (1..=64).contains(&rule_id.len())
        && rule_id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    const MISDEMEANOR: i16 = 2;
    const FELONY: i16 = 1;

    fn agency(id: &str, kind: i16, default: bool) -> Agency {
        Agency {
            agency_id: id.into(),
            county_code: "19".into(),
            county_name: "LOS ANGELES".into(),
            kind,
            name: id.into(),
            ori_codes: vec!["CA0194200".into()],
            active: true,
            county_default: default,
            updated_at_ms: 0,
        }
    }

    fn rule(id: &str, priority: i32, agency: &str) -> RoutingRule {
        RoutingRule {
            rule_id: id.into(),
            county_code: "19".into(),
            county_name: String::new(),
            priority,
            description: String::new(),
            matcher: RoutingMatch {
                severities: vec![MISDEMEANOR],
                arrest_ori_codes: vec!["CA01942*".into()],
                ..Default::default()
            },
            agency_id: agency.into(),
            enabled: true,
            updated_at_ms: 0,
        }
    }

    fn facts(severity: i16, arrest: &str) -> RouteFacts {
        RouteFacts {
            severity,
            arrest_ori_code: arrest.into(),
            court_ori_code: "CA019015J".into(),
            prop64_section: "11357".into(),
            outcome: 1,
        }
    }

    #[test]
    fn city_misdemeanors_go_to_the_city_prosecutor() {
        let agencies = [
            agency("da-19", KIND_DISTRICT_ATTORNEY, true),
            agency("city-pasadena", KIND_CITY_PROSECUTOR, false),
        ];
        let rules = [rule("pasadena", 10, "city-pasadena")];
        let city = route(&agencies, &rules, &facts(MISDEMEANOR, "CA0194200"), "x");
        assert_eq!(city.agency_id(), "city-pasadena");
        assert_eq!(city.rule_id(), "pasadena");
        let felony = route(&agencies, &rules, &facts(FELONY, "CA0194200"), "x");
        assert_eq!(
            felony,
            Route::Default {
                agency_id: "da-19".into()
            }
        );
        let elsewhere = route(&agencies, &rules, &facts(MISDEMEANOR, "CA0190000"), "x");
        assert_eq!(elsewhere.agency_id(), "da-19");
    }

    #[test]
    fn priority_then_rule_id_and_disabled_rules_are_skipped() {
        let agencies = [
            agency("a", KIND_CITY_PROSECUTOR, false),
            agency("b", KIND_CITY_PROSECUTOR, false),
        ];
        let mut first = rule("z-rule", 1, "a");
        let second = rule("a-rule", 1, "b");
        let f = facts(MISDEMEANOR, "CA0194201");
        assert_eq!(
            route(&agencies, &[first.clone(), second.clone()], &f, "x").agency_id(),
            "b"
        );
        first.priority = 0;
        assert_eq!(
            route(&agencies, &[first.clone(), second.clone()], &f, "x").agency_id(),
            "a"
        );
        first.enabled = false;
        assert_eq!(route(&agencies, &[first, second], &f, "x").agency_id(), "b");
    }

    #[test]
    fn no_agencies_is_implicit_and_no_default_is_unroutable() {
        assert_eq!(
            route(&[], &[], &facts(FELONY, ""), "da-19"),
            Route::Implicit {
                agency_id: "da-19".into()
            }
        );
        let agencies = [agency("city", KIND_CITY_PROSECUTOR, false)];
        assert_eq!(
            route(&agencies, &[], &facts(FELONY, ""), "da-19"),
            Route::Unroutable
        );
    }

    #[test]
    fn ori_patterns() {
        assert!(ori_matches("CA01942*", "CA0194200"));
        assert!(!ori_matches("CA01942*", "CA0190000"));
        assert!(ori_matches("CA0194200", "CA0194200"));
        assert!(!ori_matches("*", ""));
        assert!(valid_rule_id("city_pasadena-1"));
        assert!(!valid_rule_id("Pasadena"));
    }
}
