//! Eligibility logic with no gRPC and no database types: ids, policy bodies, the stored
//! cell encoding, the run model, and per-subject evaluation of raw ingest rows.

pub mod cells;
pub mod evaluate;
pub mod explain;
pub mod ids;
pub mod model;
pub mod policy;
