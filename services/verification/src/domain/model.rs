//! The verification domain types the store persists and the gRPC layer converts.

/// The county a request acts for. At least one part is set; a stored item keeps what its
/// submission gave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct County {
    /// Two-digit county number, or empty.
    pub code: String,
    /// County name as the DOJ file writes it, or empty.
    pub name: String,
}

impl County {
    /// The key of the county's audit chain, deadline and rules: the code when given, else
    /// `name:<NAME>`.
    #[must_use]
    pub fn key(&self) -> String {
        if self.code.is_empty() {
            format!("name:{}", self.name)
        } else {
            self.code.clone()
        }
    }

    /// The county District Attorney's agency id, which every item is routed to until the
    /// routing rules exist (issue 5): `da-<code>`, or `da-<name>` (lower case, `-` for
    /// blanks) when the scope gives no code.
    #[must_use]
    pub fn district_attorney(&self) -> String {
        if self.code.is_empty() {
            let name: String = self
                .name
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() {
                        c.to_ascii_lowercase()
                    } else {
                        '-'
                    }
                })
                .collect();
            format!("da-{name}")
        } else {
            format!("da-{}", self.code)
        }
    }
}

/// Where an item stands (the numbers are the proto `ReviewStatus` values). Only PENDING
/// exists until decisions are recorded (issue 5).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReviewStatus {
    Pending = 1,
    Concurred = 2,
    Challenged = 3,
    Resolved = 4,
    DeemedConcurred = 5,
}

impl ReviewStatus {
    /// The status stored as `value`, if any.
    #[must_use]
    pub fn from_i16(value: i16) -> Option<Self> {
        match value {
            1 => Some(Self::Pending),
            2 => Some(Self::Concurred),
            3 => Some(Self::Challenged),
            4 => Some(Self::Resolved),
            5 => Some(Self::DeemedConcurred),
            _ => None,
        }
    }
}

/// The proto `DeterminationOutcome` value of NO_RELIEF: such determinations are not queued.
pub const OUTCOME_NO_RELIEF: i16 = 5;

/// One review item: the queue columns plus the submitted determination, kept whole.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReviewItem {
    pub id: String,
    pub county: County,
    pub run_id: String,
    pub batch_id: String,
    pub determination_id: String,
    pub subject_id: String,
    /// Data row of the conviction in the batch (-1 when not from a row).
    pub data_row_index: i64,
    /// Proto `DeterminationOutcome` value.
    pub outcome: i16,
    /// Proto `Track` value.
    pub track: i16,
    pub prop64_section: String,
    pub court_ori_code: String,
    /// `yyyymmdd`, 0 when unknown.
    pub conviction_date: i32,
    /// Code and rule id of the deciding reason.
    pub reason_code: String,
    pub rule_id: String,
    /// Proto `Severity` value at conviction (0 unknown).
    pub severity: i16,
    pub arrest_ori_code: String,
    /// The agency responsible for the decision; empty when unroutable.
    pub agency_id: String,
    /// Reviewer the item is assigned to; empty = the agency's queue.
    pub reviewer_id: String,
    /// Routing rule that chose the agency; empty for defaults and reassignments.
    pub routing_rule_id: String,
    pub status: ReviewStatus,
    /// The current decision; empty while PENDING.
    pub current_decision_id: String,
    /// 1 when the current decision leads to relief.
    pub relief: i16,
    /// When the relief was handed to filing; 0 = not yet.
    pub sent_to_filing_at_ms: i64,
    /// The determination as submitted (encoded `cmr.eligibility.v1.Determination`); never
    /// changed and never logged.
    pub determination: Vec<u8>,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
}

/// What a submission did; stored under its idempotency key and returned again on replay.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubmissionOutcome {
    /// New review items.
    pub accepted: i64,
    /// Determinations already queued (no-op).
    pub duplicates: i64,
    /// NO_RELIEF determinations, not queued.
    pub not_queued: i64,
    /// Where the new items went (the implicit agency of old submissions).
    pub agency_id: String,
    /// New items per agency.
    pub routed: Vec<(String, i64)>,
    /// Determination ids of new items no agency took.
    pub unroutable: Vec<String>,
}

/// A stored submission: its key, the digest of its request, and what it did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Submission {
    pub county: County,
    pub idempotency_key: String,
    pub request_sha256: String,
    pub outcome: SubmissionOutcome,
    pub created_at_ms: i64,
}

/// Who did something, as the token said.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ActorRef {
    pub principal_id: String,
    pub agency_id: String,
    /// Proto `Role` value.
    pub role: i16,
}

/// One immutable decision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    pub id: String,
    pub review_item_id: String,
    pub county: County,
    /// Proto `DecisionKind` value.
    pub kind: i16,
    pub ground: i16,
    pub resolution: i16,
    pub reduce_to: i16,
    /// Personal: never logged.
    pub note: String,
    pub supersedes_decision_id: String,
    /// Empty while current.
    pub superseded_by: String,
    pub bulk_action_id: String,
    pub actor: ActorRef,
    pub idempotency_key: String,
    pub decided_at_ms: i64,
}

/// A comment on an item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comment {
    pub id: String,
    pub review_item_id: String,
    /// Personal: never logged.
    pub text: String,
    pub actor: ActorRef,
    pub created_at_ms: i64,
}

/// One routing of an item (initial or reassignment).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assignment {
    pub id: String,
    pub review_item_id: String,
    pub agency_id: String,
    pub reviewer_id: String,
    pub routing_rule_id: String,
    /// Personal: never logged.
    pub reason: String,
    pub actor: ActorRef,
    pub assigned_at_ms: i64,
}

/// A county's challenge deadline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Deadline {
    pub county_key: String,
    /// `yyyymmdd`.
    pub challenge_deadline: i32,
    pub is_default: bool,
    /// 0 = never applied.
    pub applied_at_ms: i64,
    pub updated_by: ActorRef,
    pub updated_at_ms: i64,
}

/// Which items a list returns; every set field must hold.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ItemFilter {
    pub statuses: Vec<i16>,
    pub outcomes: Vec<i16>,
    pub agency_id: Option<String>,
    pub run_id: Option<String>,
    pub batch_id: Option<String>,
    pub subject_id: Option<String>,
    pub prop64_section: Option<String>,
    pub court_ori_code: Option<String>,
    pub track: Option<i16>,
    pub reviewer_id: Option<String>,
    /// Only items whose current decision is a challenge on this ground.
    pub ground: Option<i16>,
    /// Conviction dates (`yyyymmdd`, inclusive); items with an unknown date never match.
    pub conviction_from: Option<i32>,
    pub conviction_to: Option<i32>,
    /// Only items whose current decision was made in `[from, to)` (Unix ms).
    pub decided_from_ms: Option<i64>,
    pub decided_to_ms: Option<i64>,
    /// Only items whose current decision leads to relief.
    pub relief_only: bool,
}

/// Where a page of the queue starts: after this (conviction date, item id).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueueCursor {
    pub conviction_date: i32,
    pub id: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn district_attorney_ids() {
        let by_code = County {
            code: "34".into(),
            name: "SACRAMENTO".into(),
        };
        assert_eq!(by_code.district_attorney(), "da-34");
        let by_name = County {
            code: String::new(),
            name: "SAN DIEGO".into(),
        };
        assert_eq!(by_name.district_attorney(), "da-san-diego");
    }
}
