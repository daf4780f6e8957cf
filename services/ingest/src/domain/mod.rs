//! Ingest logic with no gRPC and no database types: ids, the stored row encoding, scope and
//! key validation, and the streaming parse of an uploaded DOJ file.

pub mod ids;
pub mod model;
pub mod parse;
pub mod validate;
