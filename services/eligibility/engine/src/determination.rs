//! What a flow decides for one conviction, in gogen's words, plus the rule that fired so
//! that every decision can be explained.

/// gogen's determination strings. The released flow only emits the first three; the
/// others come from the county pilots.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Outcome {
    Dismissal,
    Reduction,
    /// A felony in neither list with no relief rule: both columns stay blank.
    Blank,
    NotEligible,
    HandReview,
    MaybeEligible,
    CityAttorneys,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Dismissal => "Eligible for Dismissal",
            Outcome::Reduction => "Eligible for Reduction",
            Outcome::Blank => "",
            Outcome::NotEligible => "Not eligible",
            Outcome::HandReview => "Hand Review",
            Outcome::MaybeEligible => "Maybe Eligible - Flag for Review",
            Outcome::CityAttorneys => "To be reviewed by City Attorneys",
        }
    }

    /// Dismissal or reduction: the conviction stops being a felony.
    pub fn is_relief(self) -> bool {
        matches!(self, Outcome::Dismissal | Outcome::Reduction)
    }
}

/// One decision: the outcome, gogen's reason text, and the rule that produced it
/// (`<policy flow>/<rule>`), for explanations and audits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Determination {
    pub outcome: Outcome,
    pub reason: String,
    pub rule: &'static str,
}

impl Determination {
    pub fn new(outcome: Outcome, reason: impl Into<String>, rule: &'static str) -> Self {
        Determination {
            outcome,
            reason: reason.into(),
            rule,
        }
    }
}

/// Shorthand used by the flows' rule tables.
pub fn decide(outcome: Outcome, reason: impl Into<String>, rule: &'static str) -> Determination {
    Determination::new(outcome, reason, rule)
}
