//! Court documents (issue 6), as pure functions from input to PDF bytes: the official
//! Judicial Council CR-400 filled with `lopdf` ([`cr400`]), and the generated documents (bulk
//! motion, proposed order, notices, the CR-400's order, the impact report) typeset with
//! `typst` from per-county template data ([`templates`]).
//!
//! Nothing here reads a clock, a store or the network: the same input gives the same bytes,
//! which is what makes regenerating a filing batch idempotent.

mod batch;
pub mod cr400;
pub mod impact;
mod join;
pub mod model;
mod parts;
pub mod templates;
mod text;
pub mod typeset;

pub use model::{
    BatchInput, CaseLine, ChallengedLine, CourtInfo, DocumentError, DocumentKind, Rendered,
    SignerInfo, Templates, render_batch,
};
