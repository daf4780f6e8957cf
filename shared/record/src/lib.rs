//! `cmr-record`: the CA DOJ research file and the record model built from it.
//!
//! Pure Rust with no gRPC or database types, so every service and the `cmr` command
//! read records the same way. The behaviour is gogen 0.2.13's, described in
//! `../shared/spec/gogen-compat.md` §1–§3, including its quirks; where we deliberately
//! differ, `docs/gogen-decisions.md` says so.

pub mod chunks;
pub mod columns;
pub mod doj;
pub mod gocsv;
pub mod packed;
pub mod rapsheet;
pub mod sections;
pub mod statute;
pub mod subject;
pub mod time;

pub use doj::{DojReader, ErrorType, FieldCheck, FileError};
pub use sections::{Prop64Section, SectionId, SectionInfo, SectionTable};
pub use subject::{CommentFallback, Conviction, FactsBatch, Grouped, Subject, SubjectBuilder};
pub use time::Instant;
