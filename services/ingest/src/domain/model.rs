//! The ingest domain types the store persists and the gRPC layer converts.

/// The county a request acts for. At least one part is set; a stored batch keeps what its
/// upload gave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct County {
    /// Two-digit county number, or empty.
    pub code: String,
    /// County name as the DOJ file writes it, or empty.
    pub name: String,
}

/// Lifecycle of a batch (the numbers are the proto `BatchStatus` values).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BatchStatus {
    Processing = 2,
    Complete = 3,
    Failed = 4,
}

impl BatchStatus {
    /// The status stored as `value`, if any.
    #[must_use]
    pub fn from_i16(value: i16) -> Option<Self> {
        match value {
            2 => Some(Self::Processing),
            3 => Some(Self::Complete),
            4 => Some(Self::Failed),
            _ => None,
        }
    }
}

/// Where a batch came from (the numbers are the proto `SourceKind` values).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    DojResearchFile = 1,
    RapSheet = 2,
}

impl Source {
    /// The source stored as `value`; anything unknown reads as a DOJ research file (the
    /// only source before RAP sheets).
    #[must_use]
    pub fn from_i16(value: i16) -> Self {
        if value == Self::RapSheet as i16 {
            Self::RapSheet
        } else {
            Self::DojResearchFile
        }
    }
}

/// Record field-count rule (the numbers are the proto `FieldCheck` values).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldRule {
    Strict95 = 1,
    SameAsFirst = 2,
}

impl FieldRule {
    /// The rule stored as `value`; anything unknown reads as strict.
    #[must_use]
    pub fn from_i16(value: i16) -> Self {
        if value == Self::SameAsFirst as i16 {
            Self::SameAsFirst
        } else {
            Self::Strict95
        }
    }

    /// The reader's setting for this rule.
    #[must_use]
    pub fn reader_check(self) -> cmr_record::FieldCheck {
        match self {
            Self::Strict95 => cmr_record::FieldCheck::Strict95,
            Self::SameAsFirst => cmr_record::FieldCheck::SameAsFirst,
        }
    }
}

/// Why a file could not be ingested: gogen's error type and exact message, where it
/// happened, and detail without record text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchError {
    /// "OTHER" or "PARSING" for gogen's errors; "UPLOAD" for transport failures.
    pub error_type: String,
    pub message: String,
    /// Line counted as gogen counts it (after a dropped header).
    pub line: Option<i64>,
    pub field: Option<String>,
}

/// One batch as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Batch {
    pub id: String,
    pub county: County,
    pub source: Source,
    /// File name, or a RAP sheet's `source_label`.
    pub file_name: String,
    /// Lower-case hex SHA-256; empty until the upload completes.
    pub sha256: String,
    pub size_bytes: i64,
    pub idempotency_key: String,
    pub field_rule: FieldRule,
    pub status: BatchStatus,
    pub had_header: bool,
    pub rows_received: i64,
    pub rows_stored: i64,
    pub rows_quarantined: i64,
    pub subject_count: i64,
    pub error: Option<BatchError>,
    pub created_at_ms: i64,
    pub completed_at_ms: Option<i64>,
}

/// Why a row was quarantined (the numbers are the proto `QuarantineReason` values).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QuarantineReason {
    /// A RAP-sheet block the parser could not recognise.
    UnparseableBlock = 5,
    Other = 7,
}

/// A row set aside, with where and why; never record text in `message` or `detail`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuarantinedRow {
    pub batch_id: String,
    /// 1-based physical line (a header, when present, is line 1).
    pub line_number: i64,
    /// Line as gogen counts it.
    pub data_line_number: i64,
    pub reason: i16,
    pub field: String,
    pub column_index: i32,
    pub message: String,
    pub detail: String,
    /// The row's fields in the stored encoding (for supervisors; never logged).
    pub raw_fields: Vec<u8>,
}

/// A stored data row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredRow {
    pub row_index: i64,
    pub line_number: i64,
    pub subject_id: String,
    /// The fields in the stored encoding.
    pub fields: Vec<u8>,
}

/// A subject as stored: its id, batch and first row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubjectRef {
    pub id: String,
    pub batch_id: String,
    pub first_row_index: i64,
}

/// What one parse step hands to the store: written in one transaction.
#[derive(Debug, Default)]
pub struct RowChunk {
    pub subjects: Vec<SubjectRef>,
    pub rows: Vec<StoredRow>,
    pub quarantined: Vec<QuarantinedRow>,
}

impl RowChunk {
    /// Rows (stored or quarantined) in the chunk.
    #[must_use]
    pub fn len(&self) -> usize {
        self.rows.len() + self.quarantined.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
