//! `cmr-engine`: the pure eligibility engine.
//!
//! It takes subjects grouped by `cmr-record` and a [`Policy`] (data: a name, a version, a
//! flow and its parameters) and decides every conviction the flow selects, with the rule
//! that fired. The flows reproduce gogen 0.2.13 and the gogen_pilots county programs
//! exactly (`../shared/spec/gogen-compat.md` §4); [`output`] writes gogen's CSV files,
//! [`summary`] its JSON and [`pilot_report`] the pilots' text reports. No I/O framework,
//! gRPC or database types here.

pub mod determination;
pub mod evaluate;
pub mod explain;
pub mod facts;
pub mod flows;
pub mod options;
pub mod output;
pub mod pilot_report;
pub mod policy;
pub mod summary;

pub use determination::{Determination, Fact, Outcome, Track};
pub use evaluate::{Evaluation, InfoBlock, RowResult, RunDates, evaluate};
pub use options::{EligibilityOptions, OptionsError};
pub use policy::{FlowSpec, Policy, PolicyError};
pub use summary::Summary;

use cmr_record::{CommentFallback, FieldCheck};

/// How the program a policy reproduces read its input.
pub fn reading_rules(policy: &Policy) -> (FieldCheck, CommentFallback) {
    match policy.flow {
        FlowSpec::Configurable(_) => (FieldCheck::Strict95, CommentFallback::TrimmedOrEmpty),
        FlowSpec::LosAngeles(_) => (FieldCheck::SameAsFirst, CommentFallback::TrimmedOrEmpty),
        FlowSpec::CountyPilot(_) => (FieldCheck::SameAsFirst, CommentFallback::ExactOnly),
        FlowSpec::Statute => (FieldCheck::Strict95, CommentFallback::TrimmedOrEmpty),
    }
}
