//! The decision flows. Each flow says which convictions it evaluates and decides each
//! one; the rules are gogen's, rule for rule, and every rule has an identifier.

pub mod configurable;
pub mod county_pilots;
pub mod los_angeles;
pub mod statute;

use cmr_record::{Conviction, Instant, SectionTable, Subject};

use crate::facts::SubjectFacts;

/// What every flow sees when it decides.
pub struct Ctx<'a> {
    pub sections: &'a SectionTable,
    /// Interned id of the county flag in this file, if any row names that county.
    pub county: Option<u32>,
    pub compute_at: Instant,
}

impl Ctx<'_> {
    pub fn in_county(&self, c: &Conviction) -> bool {
        Some(c.county) == self.county
    }

    pub fn is_prop64(&self, c: &Conviction) -> bool {
        self.sections.get(c.section).prop64.is_some()
    }

    pub fn is_related(&self, c: &Conviction) -> bool {
        self.sections.get(c.section).related.is_some()
    }
}

/// The subject being decided, with its precomputed facts.
pub struct SubjectView<'a> {
    pub subject: &'a Subject,
    pub facts: &'a SubjectFacts,
}

/// 9 November 2016, the day after Prop 64 passed.
pub fn prop64_effective() -> Instant {
    Instant::from_ymd(2016, 11, 9)
}
