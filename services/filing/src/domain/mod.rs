//! Filing logic with no gRPC and no database types: ids, the filing model, scope and key
//! validation, the DOJ update file and the impact report's aggregation and suppression.

pub mod doj_update;
pub mod ids;
pub mod impact;
pub mod model;
pub mod validate;
