//! Verification logic with no gRPC and no database types: ids, the review item model, scope
//! and key validation, and the agency an item goes to.

pub mod ids;
pub mod model;
pub mod validate;
