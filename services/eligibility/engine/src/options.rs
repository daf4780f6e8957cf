//! gogen's eligibility-options JSON (spec §4.1), read as gogen reads it: keys match
//! case-insensitively, unknown keys are ignored, missing keys are zero values, and a later
//! duplicate key wins. Unlike gogen we reject section keys other than 11357–11360 up front
//! (gogen crashes on the first felony that reaches one) and we word type errors ourselves
//! (gogen's name Go types).

use cmr_record::Prop64Section;
use serde_json::Value;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EligibilityOptions {
    pub dismiss: Vec<String>,
    pub reduce: Vec<String>,
    pub subject_under_21_at_conviction: bool,
    pub subject_age_threshold: i64,
    pub years_since_conviction_threshold: i64,
    pub years_crime_free_threshold: i64,
    pub subject_has_only_prop64_charges: bool,
    pub subject_is_deceased: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct OptionsError(pub String);

fn err(msg: impl Into<String>) -> OptionsError {
    OptionsError(msg.into())
}

/// Looks a key up case-insensitively; with several spellings the last one wins, as in Go.
fn field<'a>(obj: &'a serde_json::Map<String, Value>, key: &str) -> Option<&'a Value> {
    obj.iter()
        .rev()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn object<'a>(
    v: Option<&'a Value>,
    path: &str,
) -> Result<Option<&'a serde_json::Map<String, Value>>, OptionsError> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(o)) => Ok(Some(o)),
        Some(other) => Err(err(format!(
            "{path} must be an object, found {}",
            kind(other)
        ))),
    }
}

fn boolean(v: Option<&Value>, path: &str) -> Result<bool, OptionsError> {
    match v {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(other) => Err(err(format!(
            "{path} must be true or false, found {}",
            kind(other)
        ))),
    }
}

fn integer(v: Option<&Value>, path: &str) -> Result<i64, OptionsError> {
    match v {
        None | Some(Value::Null) => Ok(0),
        Some(Value::Number(n)) => n
            .as_i64()
            .ok_or_else(|| err(format!("{path} must be a whole number, found {n}"))),
        Some(other) => Err(err(format!(
            "{path} must be a whole number, found {}",
            kind(other)
        ))),
    }
}

fn strings(v: Option<&Value>, path: &str) -> Result<Vec<String>, OptionsError> {
    match v {
        None | Some(Value::Null) => Ok(vec![]),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, item)| match item {
                Value::String(s) => Ok(s.clone()),
                other => Err(err(format!(
                    "{path}[{i}] must be a string, found {}",
                    kind(other)
                ))),
            })
            .collect(),
        Some(other) => Err(err(format!(
            "{path} must be a list of code sections, found {}",
            kind(other)
        ))),
    }
}

impl EligibilityOptions {
    /// Parses the JSON text of an options file.
    pub fn from_json(text: &str) -> Result<Self, OptionsError> {
        let value: Value =
            serde_json::from_str(text).map_err(|e| err(format!("not valid JSON: {e}")))?;
        let Value::Object(root) = &value else {
            return Err(err(format!(
                "the options file must be an object, found {}",
                kind(&value)
            )));
        };
        let mut o = EligibilityOptions::default();
        if let Some(base) = object(field(root, "baselineEligibility"), "baselineEligibility")? {
            o.dismiss = strings(field(base, "dismiss"), "baselineEligibility.dismiss")?;
            o.reduce = strings(field(base, "reduce"), "baselineEligibility.reduce")?;
        }
        if let Some(add) = object(field(root, "additionalRelief"), "additionalRelief")? {
            let p = |k: &str| format!("additionalRelief.{k}");
            o.subject_under_21_at_conviction = boolean(
                field(add, "subjectUnder21AtConviction"),
                &p("subjectUnder21AtConviction"),
            )?;
            o.subject_age_threshold =
                integer(field(add, "subjectAgeThreshold"), &p("subjectAgeThreshold"))?;
            o.years_since_conviction_threshold = integer(
                field(add, "yearsSinceConvictionThreshold"),
                &p("yearsSinceConvictionThreshold"),
            )?;
            o.years_crime_free_threshold = integer(
                field(add, "yearsCrimeFreeThreshold"),
                &p("yearsCrimeFreeThreshold"),
            )?;
            o.subject_has_only_prop64_charges = boolean(
                field(add, "subjectHasOnlyProp64Charges"),
                &p("subjectHasOnlyProp64Charges"),
            )?;
            o.subject_is_deceased =
                boolean(field(add, "subjectIsDeceased"), &p("subjectIsDeceased"))?;
        }
        Ok(o)
    }

    /// gogen's threshold checks, in gogen's order and words, then our section-key check.
    pub fn validate(&self) -> Result<(), OptionsError> {
        let t = self.subject_age_threshold;
        if t != 0 && !(40..=65).contains(&t) {
            return Err(err("SubjectAgeThreshold should be between 40 and 65, or 0"));
        }
        let t = self.years_since_conviction_threshold;
        if t != 0 && !(1..=15).contains(&t) {
            return Err(err(
                "YearsSinceConvictionThreshold should be between 1 and 15, or 0",
            ));
        }
        let t = self.years_crime_free_threshold;
        if t != 0 && !(1..=15).contains(&t) {
            return Err(err(
                "YearsCrimeFreeThreshold should be between 1 and 15, or 0",
            ));
        }
        for (list, name) in [(&self.dismiss, "dismiss"), (&self.reduce, "reduce")] {
            for key in list {
                if Prop64Section::from_key(key).is_none() {
                    return Err(err(format!(
                        "baselineEligibility.{name} has unknown code section \"{key}\": use 11357, 11358, 11359 or 11360"
                    )));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_fixture_options_case_insensitively() {
        let o = EligibilityOptions::from_json(
            r#"{"BASELINEELIGIBILITY":{"dismiss":["11357"],"Reduce":["11359"]},
                "additionalRelief":{"subjectAgeThreshold":57,"unknown":1,"subjectisdeceased":true}}"#,
        )
        .unwrap();
        assert_eq!(o.dismiss, vec!["11357"]);
        assert_eq!(o.reduce, vec!["11359"]);
        assert_eq!(o.subject_age_threshold, 57);
        assert!(o.subject_is_deceased);
        assert!(!o.subject_under_21_at_conviction);
    }

    #[test]
    fn threshold_messages_are_gogens() {
        let mut o = EligibilityOptions {
            subject_age_threshold: 39,
            ..Default::default()
        };
        assert_eq!(
            o.validate().unwrap_err().0,
            "SubjectAgeThreshold should be between 40 and 65, or 0"
        );
        o.subject_age_threshold = 0;
        o.years_since_conviction_threshold = -1;
        assert_eq!(
            o.validate().unwrap_err().0,
            "YearsSinceConvictionThreshold should be between 1 and 15, or 0"
        );
        o.years_since_conviction_threshold = 15;
        o.years_crime_free_threshold = 16;
        assert_eq!(
            o.validate().unwrap_err().0,
            "YearsCrimeFreeThreshold should be between 1 and 15, or 0"
        );
    }

    #[test]
    fn wrong_types_and_unknown_sections_are_named() {
        let e =
            EligibilityOptions::from_json(r#"{"additionalRelief":{"subjectAgeThreshold":"57"}}"#)
                .unwrap_err();
        assert_eq!(
            e.0,
            "additionalRelief.subjectAgeThreshold must be a whole number, found a string"
        );
        let e = EligibilityOptions::from_json("[]").unwrap_err();
        assert_eq!(e.0, "the options file must be an object, found an array");
        let o =
            EligibilityOptions::from_json(r#"{"baselineEligibility":{"dismiss":["11357(A)"]}}"#)
                .unwrap();
        assert!(o.validate().unwrap_err().0.contains("\"11357(A)\""));
    }
}
