//! The contract between the filing service and its documents: what a batch's documents are
//! rendered from, and what comes back.

use cmr_proto::filing::v1::VerifiedRelief;

/// Kinds of rendered documents; the numbers are the proto `DocumentKind` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DocumentKind {
    BulkMotion = 1,
    ProposedOrder = 2,
    Cr400 = 3,
    DefenderNotice = 4,
    CourtNotice = 5,
    Cr400Order = 6,
}

impl DocumentKind {
    /// Every kind, in the order a batch renders them.
    pub const ALL: [DocumentKind; 6] = [
        DocumentKind::BulkMotion,
        DocumentKind::ProposedOrder,
        DocumentKind::CourtNotice,
        DocumentKind::DefenderNotice,
        DocumentKind::Cr400,
        DocumentKind::Cr400Order,
    ];

    /// The kind stored as `value`, if any.
    #[must_use]
    pub fn from_i32(value: i32) -> Option<Self> {
        Self::ALL.into_iter().find(|k| *k as i32 == value)
    }
}

/// The court a batch is filed with, as its caption prints it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CourtInfo {
    pub court_id: String,
    /// e.g. "Superior Court of California, County of Sacramento".
    pub name: String,
    pub branch_name: String,
    pub address_lines: Vec<String>,
}

/// The attorney who signs (proto `Signer`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SignerInfo {
    pub name: String,
    pub title: String,
    pub bar_number: String,
    pub office_name: String,
    pub address_lines: Vec<String>,
    pub phone: String,
    pub email: String,
}

/// One filing of the batch: its id and the relief verification handed over.
#[derive(Clone, Debug, PartialEq)]
pub struct CaseLine {
    pub filing_id: String,
    pub relief: VerifiedRelief,
}

/// One challenged conviction for the public defender's notice (never in a motion).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChallengedLine {
    pub review_item_id: String,
    pub subject_id: String,
    pub name: String,
    /// `(year, month, day)`, when known.
    pub date_of_birth: Option<(i32, u32, u32)>,
    pub cii_number: String,
    pub case_number: String,
    pub code_section: String,
    pub conviction_date: Option<(i32, u32, u32)>,
    /// The challenge ground's name, e.g. "INELIGIBLE" (the reviewer's note is not disclosed).
    pub ground: String,
}

/// Everything one batch's documents are rendered from.
#[derive(Clone, Debug)]
pub struct BatchInput<'a> {
    pub filing_batch_id: &'a str,
    /// Two-digit county code and DOJ county name of the scope.
    pub county_code: &'a str,
    pub county_name: &'a str,
    pub court: &'a CourtInfo,
    pub agency_id: &'a str,
    pub signer: &'a SignerInfo,
    /// The date printed as "Dated" / "Executed on": `(year, month, day)`.
    pub document_date: (i32, u32, u32),
    /// The batch's filings: the ready (unchallenged) items.
    pub cases: &'a [CaseLine],
    /// Challenged items of the same court and agency, for the defender's notice only.
    pub challenged: &'a [ChallengedLine],
}

/// One rendered file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendered {
    pub kind: DocumentKind,
    /// CR-400 and its order: the person it is for; empty otherwise.
    pub subject_id: String,
    /// Filings the document covers.
    pub filing_ids: Vec<String>,
    /// A file name with no personal data.
    pub file_name: String,
    pub media_type: String,
    /// e.g. "cr400@2017-07-01", "bulk-motion/34@1".
    pub template_id: String,
    pub bytes: Vec<u8>,
}

/// Why documents could not be rendered. Messages name template files and fields, never
/// record text.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    #[error("template {file}: {message}")]
    Template { file: String, message: String },
    #[error("typesetting {template} failed: {message}")]
    Typeset { template: String, message: String },
    #[error("CR-400: {0}")]
    Cr400(String),
}

pub use crate::batch::render_batch;
pub use crate::templates::Templates;
