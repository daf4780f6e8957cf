//! Verification logic with no gRPC and no database types: ids, the review item model, scope
//! and key validation, access control, routing, the decision state machine, the deadline and
//! the audit hash chain.

pub mod access;
pub mod audit_chain;
pub mod deadline;
pub mod decision;
pub mod ids;
pub mod model;
pub mod routing;
pub mod validate;

/// Lower-case hex of `bytes`.
#[must_use]
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}
