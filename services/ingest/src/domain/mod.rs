//! Ingest logic with no gRPC and no database types: ids, the stored row encoding, scope and
//! key validation, the streaming parse of an uploaded DOJ file, and a RAP sheet as rows.

pub mod ids;
pub mod model;
pub mod parse;
pub mod rapsheet;
pub mod validate;
