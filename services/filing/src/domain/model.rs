//! The filing domain types the store persists and the gRPC layer converts.

/// The county a request acts for. At least one part is set; a stored filing keeps what its
/// submission gave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct County {
    /// Two-digit county number, or empty.
    pub code: String,
    /// County name as the DOJ file writes it, or empty.
    pub name: String,
}

/// Where a filing stands (the numbers are the proto `FilingStatus` values). Only QUEUED
/// exists until filing batches, documents and outcomes arrive (issue 6).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FilingStatus {
    Queued = 1,
    Draft = 2,
    Filed = 3,
    Granted = 4,
    Denied = 5,
}

impl FilingStatus {
    /// The status stored as `value`, if any.
    #[must_use]
    pub fn from_i16(value: i16) -> Option<Self> {
        match value {
            1 => Some(Self::Queued),
            2 => Some(Self::Draft),
            3 => Some(Self::Filed),
            4 => Some(Self::Granted),
            5 => Some(Self::Denied),
            _ => None,
        }
    }
}

/// The court a conviction's relief is filed with. Until courts are registered (`PutCourt`,
/// issue 6) a court is known by the ORI code of the court that convicted; relief without
/// one has no court.
#[must_use]
pub fn court_of(court_ori_code: &str) -> String {
    court_ori_code.to_owned()
}

/// One filing: the columns filings are grouped and paged on, plus the relief, kept whole.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Filing {
    pub id: String,
    pub county: County,
    pub review_item_id: String,
    pub decision_id: String,
    pub determination_id: String,
    pub run_id: String,
    pub subject_id: String,
    pub agency_id: String,
    pub court_ori_code: String,
    /// Empty when the relief names no court.
    pub court_id: String,
    /// Proto `ReliefType` value.
    pub relief_type: i16,
    pub status: FilingStatus,
    /// The relief as submitted (encoded `cmr.filing.v1.VerifiedRelief`); never logged.
    pub relief: Vec<u8>,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
}

/// What a submission did; stored under its idempotency key and returned again on replay.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubmissionOutcome {
    pub accepted: i64,
    pub duplicates: i64,
    /// Review items of new filings with no court.
    pub unmatched_court: Vec<String>,
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

/// Which filings a list returns; every set field must hold.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FilingFilter {
    pub court_id: Option<String>,
    pub statuses: Vec<i16>,
    pub relief_type: Option<i16>,
    pub subject_id: Option<String>,
}
