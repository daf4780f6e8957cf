//! Policy bodies as stored: canonical JSON in the engine's policy-file shape without name
//! and version (`{"flow", "county", "parameters"}`), so equal bodies are equal text and a
//! stored version rebuilds the engine [`Policy`] with [`Policy::from_json`].

use cmr_engine::flows::county_pilots::CountyPilot;
use cmr_engine::{EligibilityOptions, FlowSpec, Policy, PolicyError};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::domain::model::StoredPolicy;

/// Lower-case hex SHA-256.
#[must_use]
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// gogen's options JSON for configurable-flow options.
#[must_use]
pub fn options_json(o: &EligibilityOptions) -> Value {
    json!({
        "baselineEligibility": { "dismiss": o.dismiss, "reduce": o.reduce },
        "additionalRelief": {
            "subjectUnder21AtConviction": o.subject_under_21_at_conviction,
            "subjectAgeThreshold": o.subject_age_threshold,
            "yearsSinceConvictionThreshold": o.years_since_conviction_threshold,
            "yearsCrimeFreeThreshold": o.years_crime_free_threshold,
            "subjectHasOnlyProp64Charges": o.subject_has_only_prop64_charges,
            "subjectIsDeceased": o.subject_is_deceased,
        }
    })
}

/// The canonical body JSON of a flow for a county.
#[must_use]
pub fn body_json(county: &str, flow: &FlowSpec) -> String {
    let (name, parameters) = match flow {
        FlowSpec::Configurable(o) => ("gogen-configurable", options_json(o)),
        FlowSpec::LosAngeles(p) => (
            "gogen-pilot-los-angeles",
            json!({
                "individualAge": p.individual_age,
                "yearsConvictionFree": p.years_conviction_free,
            }),
        ),
        FlowSpec::CountyPilot(CountyPilot::Sacramento) => ("gogen-pilot-sacramento", json!({})),
        FlowSpec::CountyPilot(CountyPilot::WithRelated) => ("gogen-pilot-related", json!({})),
        FlowSpec::Statute => ("statute", json!({})),
    };
    json!({ "flow": name, "county": county, "parameters": parameters }).to_string()
}

/// The engine policy of a stored version.
pub fn engine_policy(stored: &StoredPolicy) -> Result<Policy, PolicyError> {
    let mut value: Value =
        serde_json::from_str(&stored.body_json).map_err(|e| PolicyError::Invalid(e.to_string()))?;
    let object = value
        .as_object_mut()
        .ok_or_else(|| PolicyError::Invalid("policy body is not an object".to_owned()))?;
    object.insert("name".to_owned(), json!(stored.name));
    object.insert("version".to_owned(), json!(stored.version));
    object.insert("description".to_owned(), json!(stored.description));
    let mut policy = Policy::from_json(&value.to_string())?;
    // Built-in policies written for any county are stored under the empty county name.
    if policy.county.as_deref() == Some("") {
        policy.county = None;
    }
    if let FlowSpec::Configurable(o) = &policy.flow {
        o.validate()?;
    }
    Ok(policy)
}

/// Whether `name` is a valid policy name: `[a-z0-9-]{1,64}`.
#[must_use]
pub fn valid_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// The run's natural key: SHA-256 of `batch_id|county_name|policy name|version|YYYY-MM-DD`.
#[must_use]
pub fn run_key(batch_id: &str, county: &str, name: &str, version: i32, date: &str) -> String {
    sha256_hex(format!("{batch_id}|{county}|{name}|{version}|{date}").as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_bodies_round_trip() {
        for policy in Policy::catalog() {
            let county = policy.county.clone().unwrap_or_default();
            let stored = StoredPolicy {
                id: String::new(),
                county_name: county.clone(),
                name: policy.name.clone(),
                version: 1,
                description: policy.description.clone(),
                body_json: body_json(&county, &policy.flow),
                body_sha256: String::new(),
                created_at_ms: 0,
            };
            assert_eq!(engine_policy(&stored).unwrap(), policy);
        }
        assert!(valid_name("gogen-pilot-sacramento"));
        assert!(!valid_name("Bad_Name") && !valid_name(""));
    }
}
