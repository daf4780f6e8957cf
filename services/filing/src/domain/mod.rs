//! Filing logic with no gRPC and no database types: ids, the filing model, scope and key
//! validation.

pub mod ids;
pub mod model;
pub mod validate;
