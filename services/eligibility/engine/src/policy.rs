//! Policies are data: a name, a version, the county they are written for, a flow and its
//! parameters. The flows are code (gogen's rules); everything a county may tune is a
//! parameter, so a changed policy is a new version of a data file, not a code change.

use serde_json::Value;

use crate::flows::county_pilots::CountyPilot;
use crate::flows::los_angeles::LaParams;
use crate::options::{EligibilityOptions, OptionsError};

/// Which rules a policy runs, with their parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FlowSpec {
    /// gogen 0.2.13's released configurable flow with a gogen options file.
    Configurable(EligibilityOptions),
    LosAngeles(LaParams),
    CountyPilot(CountyPilot),
    /// H&S 11361.8 as written: the default for a county without its own policy.
    Statute,
}

impl FlowSpec {
    /// Whether the flow evaluates "related" charges besides Prop 64 ones.
    pub fn evaluates_related(&self) -> bool {
        matches!(self, FlowSpec::CountyPilot(CountyPilot::WithRelated))
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    pub name: String,
    pub version: u32,
    /// The county the policy is written for; `None` means any county.
    pub county: Option<String>,
    pub flow: FlowSpec,
    pub description: String,
}

/// The named policies shipped with `cmr`, as their data files.
const BUILT_IN: &[&str] = &[
    include_str!("../policies/gogen-pilot-los-angeles.json"),
    include_str!("../policies/gogen-pilot-sacramento.json"),
    include_str!("../policies/gogen-pilot-san-joaquin.json"),
    include_str!("../policies/gogen-pilot-contra-costa.json"),
    include_str!("../policies/statute.json"),
];

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("unknown policy \"{name}\"; known policies: {known}")]
    Unknown { name: String, known: String },
    #[error("policy {name} is written for county {expected}, not {given}")]
    WrongCounty {
        name: String,
        expected: String,
        given: String,
    },
    #[error("policy data is invalid: {0}")]
    Invalid(String),
    #[error(transparent)]
    Options(#[from] OptionsError),
}

impl Policy {
    /// A policy from gogen's options file, as `--eligibility-options` gives it.
    pub fn configurable(options: EligibilityOptions) -> Policy {
        Policy {
            name: "gogen-configurable".to_string(),
            version: 1,
            county: None,
            flow: FlowSpec::Configurable(options),
            description: "gogen 0.2.13 configurable flow with a county options file".to_string(),
        }
    }

    /// Parses a policy data file.
    pub fn from_json(text: &str) -> Result<Policy, PolicyError> {
        let v: Value =
            serde_json::from_str(text).map_err(|e| PolicyError::Invalid(e.to_string()))?;
        let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        let name = s("name").ok_or_else(|| PolicyError::Invalid("missing name".into()))?;
        let version = v
            .get("version")
            .and_then(Value::as_u64)
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| PolicyError::Invalid(format!("{name}: missing or bad version")))?;
        let params = v.get("parameters").cloned().unwrap_or(Value::Null);
        let int = |k: &str, default: i64| params.get(k).and_then(Value::as_i64).unwrap_or(default);
        let flow = match s("flow").as_deref() {
            Some("gogen-configurable") => {
                FlowSpec::Configurable(EligibilityOptions::from_json(&params.to_string())?)
            }
            Some("gogen-pilot-los-angeles") => FlowSpec::LosAngeles(LaParams {
                individual_age: int("individualAge", 50),
                years_conviction_free: int("yearsConvictionFree", 10),
            }),
            Some("gogen-pilot-sacramento") => FlowSpec::CountyPilot(CountyPilot::Sacramento),
            Some("gogen-pilot-related") => FlowSpec::CountyPilot(CountyPilot::WithRelated),
            Some("statute") => FlowSpec::Statute,
            other => {
                return Err(PolicyError::Invalid(format!(
                    "{name}: unknown flow {other:?}"
                )));
            }
        };
        Ok(Policy {
            name,
            version,
            county: s("county"),
            flow,
            description: s("description").unwrap_or_default(),
        })
    }

    /// Every built-in policy.
    pub fn catalog() -> Vec<Policy> {
        BUILT_IN
            .iter()
            .map(|t| Policy::from_json(t).expect("built-in policy data is valid"))
            .collect()
    }

    /// A built-in policy by name.
    pub fn named(name: &str) -> Result<Policy, PolicyError> {
        let all = Policy::catalog();
        let known = all
            .iter()
            .map(|p| p.name.clone())
            .collect::<Vec<_>>()
            .join(", ");
        all.into_iter()
            .find(|p| p.name == name)
            .ok_or(PolicyError::Unknown {
                name: name.to_string(),
                known,
            })
    }

    /// Refuses a county the policy was not written for (the pilots hard-coded theirs).
    pub fn check_county(&self, county: &str) -> Result<(), PolicyError> {
        match &self.county {
            Some(expected) if expected != county => Err(PolicyError::WrongCounty {
                name: self.name.clone(),
                expected: expected.clone(),
                given: county.to_string(),
            }),
            _ => Ok(()),
        }
    }

    /// Overrides the LA pilot's age and years (its hidden `--individual-age` and
    /// `--years-conviction-free` flags; 0 keeps the default, as in gogen_pilots).
    pub fn with_la_params(mut self, age: Option<i64>, years: Option<i64>) -> Policy {
        if let FlowSpec::LosAngeles(p) = &mut self.flow {
            if let Some(a) = age.filter(|&a| a != 0) {
                p.individual_age = a;
            }
            if let Some(y) = years.filter(|&y| y != 0) {
                p.years_conviction_free = y;
            }
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_four_pilots_and_the_statute_are_built_in() {
        let names: Vec<_> = Policy::catalog().into_iter().map(|p| p.name).collect();
        assert_eq!(
            names,
            [
                "gogen-pilot-los-angeles",
                "gogen-pilot-sacramento",
                "gogen-pilot-san-joaquin",
                "gogen-pilot-contra-costa",
                "statute"
            ]
        );
        let statute = Policy::named("statute").unwrap();
        assert_eq!(statute.flow, FlowSpec::Statute);
        assert_eq!(statute.county, None, "any county may use it");
        let la = Policy::named("gogen-pilot-los-angeles").unwrap();
        assert_eq!(
            la.flow,
            FlowSpec::LosAngeles(LaParams {
                individual_age: 50,
                years_conviction_free: 10
            })
        );
    }

    #[test]
    fn wrong_county_and_unknown_names_are_refused() {
        let sac = Policy::named("gogen-pilot-sacramento").unwrap();
        assert!(sac.check_county("SACRAMENTO").is_ok());
        assert_eq!(
            sac.check_county("YOLO").unwrap_err().to_string(),
            "policy gogen-pilot-sacramento is written for county SACRAMENTO, not YOLO"
        );
        assert!(matches!(
            Policy::named("nope"),
            Err(PolicyError::Unknown { .. })
        ));
    }
}
