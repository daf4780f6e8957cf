//! The eligibility service's own records.

use cmr_engine::{Fact, Outcome, Track};
use serde_json::{Value, json};

/// A county: code and name as the request gives them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct County {
    pub code: String,
    pub name: String,
}

/// One stored, immutable policy version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredPolicy {
    pub id: String,
    pub county_name: String,
    pub name: String,
    pub version: i32,
    pub description: String,
    /// Canonical body JSON (see [`crate::domain::policy`]).
    pub body_json: String,
    pub body_sha256: String,
    pub created_at_ms: i64,
}

/// Where a run is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(i16)]
pub enum RunStatus {
    Running = 2,
    Succeeded = 3,
    Failed = 4,
}

impl RunStatus {
    #[must_use]
    pub fn from_i16(value: i16) -> Option<Self> {
        match value {
            2 => Some(Self::Running),
            3 => Some(Self::Succeeded),
            4 => Some(Self::Failed),
            _ => None,
        }
    }
}

/// One run: the natural key, where it is, and its totals.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Run {
    pub id: String,
    pub run_key: String,
    pub batch_id: String,
    pub county: County,
    pub policy_name: String,
    pub policy_version: i32,
    /// YYYY-MM-DD.
    pub compute_at: String,
    pub status: RunStatus,
    pub rows_received: i64,
    pub subjects_evaluated: i64,
    pub convictions_evaluated: i64,
    pub subjects_with_relief: i64,
    /// `(outcome code, count)` pairs, see [`outcome_code`].
    pub outcome_counts: Vec<(i16, i64)>,
    pub summary_json: String,
    /// The pilots' text report (`summary.txt`); empty for other policies.
    pub report_text: String,
    pub error: Option<String>,
    pub created_at_ms: i64,
    pub started_at_ms: Option<i64>,
    pub finished_at_ms: Option<i64>,
}

/// The totals a finished run records.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunTotals {
    pub rows_received: i64,
    pub subjects_evaluated: i64,
    pub convictions_evaluated: i64,
    pub subjects_with_relief: i64,
    pub outcome_counts: Vec<(i16, i64)>,
    pub summary_json: String,
    /// The pilots' text report (`summary.txt`); empty for other policies.
    pub report_text: String,
}

/// One stored determination.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredDetermination {
    pub run_id: String,
    pub row_index: i64,
    pub subject_id: String,
    pub outcome: i16,
    pub reason: String,
    pub rule_id: String,
    /// Encoded printed cells ([`crate::domain::cells`]).
    pub cells: Vec<u8>,
    /// Machine reason code (UPPER_SNAKE); empty for rows stored before it was recorded.
    pub reason_code: String,
    /// Legal authority of the deciding rule.
    pub citation: String,
    /// The facts the deciding rule read, `[{"key":..,"value":..}]` ([`facts_json`]).
    /// Values may be personal: never log them.
    pub facts_json: String,
    /// [`track_code`] of the relief track.
    pub track: i16,
    /// Where the conviction was decided and whose it is, from its DOJ rows.
    pub record: RecordFacts,
}

/// What a determination's DOJ rows say about the conviction (its `CNT_ORDER` and the court
/// step's ORI) and about the person (from the subject's first row), as filing needs them.
/// Empty text where the rows say nothing (a RAP sheet has no ORI code). Personal: never log.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecordFacts {
    /// `CNT_ORDER` of the conviction row, as written.
    pub cnt_order: String,
    /// `STP_ORI_CODE` and `STP_ORI_DESCR` of the conviction row (the court), trimmed.
    pub court_ori_code: String,
    pub court_ori_descr: String,
    /// `11357`..`11360`, or empty for a related charge.
    pub prop64_section: String,
    /// `PRI_NAME`, trimmed.
    pub name: String,
    /// Other names (`REQ_NAME` when it differs from `PRI_NAME`), one per line.
    pub aliases: String,
    /// `PRI_DOB` as `YYYY-MM-DD`; empty when it is not a date.
    pub date_of_birth: String,
    /// `CII_NUMBER`, `SUBJECT_ID`, `RACE_CODE`, `RACE_DESCR`, trimmed.
    pub cii_number: String,
    pub doj_subject_id: String,
    pub race_code: String,
    pub race_descr: String,
}

/// The stored form of a determination's facts: `[{"key":..,"value":..}]`, in order.
#[must_use]
pub fn facts_json(facts: &[Fact]) -> String {
    Value::Array(
        facts
            .iter()
            .map(|f| json!({ "key": f.key, "value": f.value }))
            .collect(),
    )
    .to_string()
}

/// `(key, value)` pairs of stored facts ([`facts_json`]); empty when absent or malformed.
#[must_use]
pub fn parse_facts(text: &str) -> Vec<(String, String)> {
    let Ok(Value::Array(items)) = serde_json::from_str::<Value>(text) else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| {
            Some((
                item.get("key")?.as_str()?.to_owned(),
                item.get("value")?.as_str()?.to_owned(),
            ))
        })
        .collect()
}

/// The stored code of a relief track; equal to `cmr.common.v1.Track`'s numbers.
#[must_use]
pub fn track_code(track: Track) -> i16 {
    match track {
        Track::Unknown => 0,
        Track::Application => 1,
        Track::Petition => 2,
    }
}

/// The relief track of a stored code (unknown for anything else).
#[must_use]
pub fn track_of(code: i16) -> Track {
    match code {
        1 => Track::Application,
        2 => Track::Petition,
        _ => Track::Unknown,
    }
}

const OUTCOMES: [Outcome; 7] = [
    Outcome::Dismissal,
    Outcome::Reduction,
    Outcome::Blank,
    Outcome::NotEligible,
    Outcome::HandReview,
    Outcome::MaybeEligible,
    Outcome::CityAttorneys,
];

/// The stored code of an engine outcome.
#[must_use]
pub fn outcome_code(outcome: Outcome) -> i16 {
    OUTCOMES
        .iter()
        .position(|o| *o == outcome)
        .and_then(|i| i16::try_from(i).ok())
        .unwrap_or(-1)
}

/// The engine outcome of a stored code.
#[must_use]
pub fn outcome_of(code: i16) -> Option<Outcome> {
    usize::try_from(code)
        .ok()
        .and_then(|i| OUTCOMES.get(i).copied())
}

/// `code:count,code:count` (the stored form of outcome counts).
#[must_use]
pub fn encode_counts(counts: &[(i16, i64)]) -> String {
    counts
        .iter()
        .map(|(o, n)| format!("{o}:{n}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// The inverse of [`encode_counts`]; skips malformed parts.
#[must_use]
pub fn decode_counts(text: &str) -> Vec<(i16, i64)> {
    text.split(',')
        .filter_map(|part| {
            let (o, n) = part.split_once(':')?;
            Some((o.parse().ok()?, n.parse().ok()?))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcome_codes_and_counts_round_trip() {
        for o in OUTCOMES {
            assert_eq!(outcome_of(outcome_code(o)), Some(o));
        }
        let counts = vec![(0, 17), (1, 1)];
        assert_eq!(decode_counts(&encode_counts(&counts)), counts);
        assert!(decode_counts("").is_empty());
    }

    #[test]
    fn facts_and_tracks_round_trip() {
        let facts = vec![
            Fact::new("charge", "11359"),
            Fact::new("felony", true),
            Fact::new("quote", "a \"b\""),
        ];
        let text = facts_json(&facts);
        assert_eq!(
            parse_facts(&text),
            [
                ("charge".to_owned(), "11359".to_owned()),
                ("felony".to_owned(), "true".to_owned()),
                ("quote".to_owned(), "a \"b\"".to_owned()),
            ]
        );
        assert!(parse_facts("").is_empty() && parse_facts("[]").is_empty());
        for t in [Track::Unknown, Track::Application, Track::Petition] {
            assert_eq!(track_of(track_code(t)), t);
        }
    }
}
