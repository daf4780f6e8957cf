//! RAP sheet text ingest (spec `court-paperwork-and-anchors.md` §3): the DOJ
//! teletype/print format parsed into one record model ([`RapSheet`]), and flattened into
//! DOJ research-file rows ([`flatten`]) so both ingest paths share the grouping and
//! eligibility code.
//!
//! Personal-data rule: warnings and errors carry line numbers, codes and field names,
//! never text from the sheet.

pub mod charge;
pub mod clean;
pub mod flatten;
pub mod model;
pub mod parse;
pub mod sentence;

pub use flatten::{agency_county, flatten, longest_term, offense_descr};
pub use model::{
    Count, Cycle, Disposition, DispositionKind, Event, EventKind, PersonalInfo, RapDate, RapSheet,
    Sentence, Severity, Term, TimeUnit, Warning,
};
pub use parse::{RapSheetError, codes, parse};
