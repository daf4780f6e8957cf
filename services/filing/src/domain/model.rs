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

/// Where a filing stands (the numbers are the proto `FilingStatus` values):
/// QUEUED → DRAFT (in a batch) → FILED → GRANTED or DENIED.
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
    /// The batch, once in one; empty before.
    pub filing_batch_id: String,
    /// `yyyymmdd` the batch was lodged; 0 before.
    pub filed_on: i32,
    /// The current court outcome; empty before one is recorded.
    pub current_outcome_id: String,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
}

impl FilingStatus {
    /// The proto enum name, for messages (no personal data).
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Queued => "QUEUED",
            Self::Draft => "DRAFT",
            Self::Filed => "FILED",
            Self::Granted => "GRANTED",
            Self::Denied => "DENIED",
        }
    }
}

/// A courthouse of the county: caption data and the ORI codes that map convictions to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Court {
    pub county: County,
    pub court_id: String,
    pub name: String,
    pub branch_name: String,
    pub ori_codes: Vec<String>,
    pub address_lines: Vec<String>,
    pub updated_at_ms: i64,
}

/// The court among `courts` whose ORI codes contain `ori`; `None` for an empty ORI or no
/// match.
#[must_use]
pub fn court_for_ori<'a>(courts: &'a [Court], ori: &str) -> Option<&'a Court> {
    if ori.is_empty() {
        return None;
    }
    courts.iter().find(|c| c.ori_codes.iter().any(|o| o == ori))
}

/// Where a filing batch stands (proto `FilingBatchStatus` values).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BatchStatus {
    Draft = 1,
    Filed = 2,
    Closed = 3,
}

impl BatchStatus {
    #[must_use]
    pub fn from_i16(value: i16) -> Option<Self> {
        match value {
            1 => Some(Self::Draft),
            2 => Some(Self::Filed),
            3 => Some(Self::Closed),
            _ => None,
        }
    }

    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Draft => "DRAFT",
            Self::Filed => "FILED",
            Self::Closed => "CLOSED",
        }
    }
}

/// Filings of one court and agency filed together.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Batch {
    pub id: String,
    pub county: County,
    pub court_id: String,
    pub agency_id: String,
    pub status: BatchStatus,
    /// `yyyymmdd` printed on the documents.
    pub document_date: i32,
    /// `yyyymmdd` lodged; 0 while DRAFT.
    pub filed_on: i32,
    pub court_filing_reference: String,
    /// Encoded `cmr.filing.v1.Signer` (personal: never logged).
    pub signer: Vec<u8>,
    pub created_by_principal: String,
    pub created_by_agency: String,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
}

/// A batch with its counts and current documents, as read back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchView {
    pub batch: Batch,
    pub filings: i64,
    pub granted: i64,
    pub denied: i64,
    pub document_ids: Vec<String>,
}

/// One stored rendered file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Document {
    pub id: String,
    pub county: County,
    pub filing_batch_id: String,
    /// Proto `DocumentKind` value.
    pub kind: i16,
    pub court_id: String,
    pub agency_id: String,
    pub subject_id: String,
    pub filing_ids: Vec<String>,
    pub file_name: String,
    pub media_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub template_id: String,
    pub superseded_by: String,
    pub created_at_ms: i64,
}

/// One recorded court outcome (immutable but for `superseded_by` and the export stamp).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub id: String,
    pub county: County,
    pub filing_id: String,
    pub filing_batch_id: String,
    pub court_id: String,
    /// Proto `CourtDecision` value.
    pub decision: i16,
    /// `yyyymmdd`.
    pub decided_on: i32,
    pub order_number: String,
    /// Proto `ReliefType` value; 0 for denials.
    pub granted_relief: i16,
    pub supersedes_outcome_id: String,
    pub superseded_by: String,
    /// Personal: never logged.
    pub note: String,
    pub recorded_by_principal: String,
    pub recorded_by_agency: String,
    pub recorded_at_ms: i64,
    /// 0 = not exported.
    pub exported_to_doj_at_ms: i64,
}

/// Proto `CourtDecision` values.
pub const DECISION_GRANTED: i16 = 1;
pub const DECISION_DENIED: i16 = 2;

/// Which outcomes a list or export returns; every set field must hold.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OutcomeFilter {
    pub filing_batch_id: Option<String>,
    pub court_id: Option<String>,
    pub decision: Option<i16>,
    /// Inclusive `yyyymmdd` bounds.
    pub decided_from: Option<i32>,
    pub decided_to: Option<i32>,
    pub not_exported_only: bool,
    pub include_superseded: bool,
}

/// Which batches a list returns.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BatchFilter {
    pub court_id: Option<String>,
    pub agency_id: Option<String>,
    pub status: Option<i16>,
}

/// Which documents a list returns.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DocumentFilter {
    pub filing_batch_id: Option<String>,
    pub kind: Option<i16>,
    pub subject_id: Option<String>,
    pub include_superseded: bool,
}

/// One challenged item kept for the defender's notice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Challenged {
    pub id: String,
    pub county: County,
    pub review_item_id: String,
    pub decision_id: String,
    pub run_id: String,
    pub subject_id: String,
    pub agency_id: String,
    pub court_ori_code: String,
    /// Encoded `cmr.filing.v1.ChallengedItem`; never logged.
    pub item: Vec<u8>,
    pub created_at_ms: i64,
}

/// A `yyyymmdd` integer from a civil date, when it is a real Gregorian date (year 1..9999).
#[must_use]
pub fn date_number(year: i32, month: i32, day: i32) -> Option<i32> {
    if !(1..=9999).contains(&year) || !(1..=12).contains(&month) || day < 1 {
        return None;
    }
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    (day <= days).then_some(year * 10_000 + month * 100 + day)
}

/// `(year, month, day)` of a `yyyymmdd` integer.
#[must_use]
pub fn date_parts(number: i32) -> (i32, i32, i32) {
    (number / 10_000, number / 100 % 100, number % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_checked_and_round_trip() {
        assert_eq!(date_number(2026, 11, 30), Some(20_261_130));
        assert_eq!(date_number(2024, 2, 29), Some(20_240_229));
        assert_eq!(date_number(2026, 2, 29), None);
        assert_eq!(date_number(2026, 4, 31), None);
        assert_eq!(date_number(0, 1, 1), None);
        assert_eq!(date_parts(20_261_130), (2026, 11, 30));
    }

    #[test]
    fn courts_are_found_by_any_of_their_ori_codes() {
        let court = |id: &str, oris: &[&str]| Court {
            county: County {
                code: "34".into(),
                name: String::new(),
            },
            court_id: id.into(),
            name: String::new(),
            branch_name: String::new(),
            ori_codes: oris.iter().map(|o| (*o).to_owned()).collect(),
            address_lines: Vec::new(),
            updated_at_ms: 0,
        };
        let courts = [
            court("a", &["CA034015J"]),
            court("b", &["CA034025J", "CA034035J"]),
        ];
        assert_eq!(
            court_for_ori(&courts, "CA034035J").map(|c| c.court_id.as_str()),
            Some("b")
        );
        assert!(court_for_ori(&courts, "").is_none());
        assert!(court_for_ori(&courts, "CA999").is_none());
    }
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
    pub filing_batch_id: Option<String>,
    pub court_id: Option<String>,
    pub statuses: Vec<i16>,
    pub relief_type: Option<i16>,
    pub subject_id: Option<String>,
}
