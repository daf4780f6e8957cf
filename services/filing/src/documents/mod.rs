//! Court documents (issue 6): the official Judicial Council forms filled from a person's
//! relief, as pure functions from input to PDF bytes.

pub mod cr400;
