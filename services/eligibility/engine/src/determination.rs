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

/// Which of H&S 11361.8's two procedures relief takes (prop64-law.md §1.1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Track {
    /// Not relief, or the record cannot tell.
    #[default]
    Unknown,
    /// Sentence completed at compute-at: application, 11361.8(e)-(h).
    Application,
    /// Still serving at compute-at: petition, 11361.8(a)-(d).
    Petition,
}

/// One fact a rule read, as it read it. Values may be personal (a date of birth's
/// consequences, dates of convictions): they go to reviewers, never to logs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fact {
    /// snake_case name, e.g. `offence_date`.
    pub key: &'static str,
    pub value: String,
}

impl Fact {
    pub fn new(key: &'static str, value: impl ToString) -> Fact {
        Fact {
            key,
            value: value.to_string(),
        }
    }
}

/// One decision: the outcome, the reviewer's sentence (gogen's exact reason for the
/// gogen-compatible flows), the rule that produced it (`<rule>` within the policy), its
/// machine code and legal citation, the facts it used, and the relief track.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Determination {
    pub outcome: Outcome,
    pub reason: String,
    pub rule: &'static str,
    /// Stable UPPER_SNAKE code; empty for the gogen flows, whose code is their rule id
    /// in upper case (see [`Determination::reason_code`]).
    pub code: &'static str,
    /// Legal authority (statute, case, or the county policy the flow reproduces).
    pub citation: &'static str,
    pub facts: Vec<Fact>,
    pub track: Track,
}

impl Determination {
    pub fn new(outcome: Outcome, reason: impl Into<String>, rule: &'static str) -> Self {
        Determination {
            outcome,
            reason: reason.into(),
            rule,
            code: "",
            citation: "",
            facts: Vec::new(),
            track: Track::Unknown,
        }
    }

    /// The machine-readable reason code: the rule's own, or its id in UPPER_SNAKE.
    pub fn reason_code(&self) -> String {
        if !self.code.is_empty() {
            return self.code.to_owned();
        }
        self.rule.to_ascii_uppercase().replace(['-', '.'], "_")
    }
}

/// Shorthand used by the flows' rule tables.
pub fn decide(outcome: Outcome, reason: impl Into<String>, rule: &'static str) -> Determination {
    Determination::new(outcome, reason, rule)
}
