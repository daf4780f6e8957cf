//! The decision state machine: which decision an item in a given state accepts, the status
//! it leads to, and the relief that follows. Pure.

use super::model::ReviewStatus;

/// Proto `DeterminationOutcome` values used here.
pub const OUTCOME_DISMISS_AND_SEAL: i16 = 1;
pub const OUTCOME_REDUCE: i16 = 2;
pub const OUTCOME_HAND_REVIEW: i16 = 4;
pub const OUTCOME_REFER_TO_CITY_PROSECUTOR: i16 = 6;
/// Proto `Severity` values.
pub const SEVERITY_MISDEMEANOR: i16 = 2;
pub const SEVERITY_INFRACTION: i16 = 3;
/// Proto `Track` value of a petition (still serving).
pub const TRACK_PETITION: i16 = 2;

/// Proto `DecisionKind` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecisionKind {
    Concur = 1,
    Challenge = 2,
    Resolve = 3,
    DeemedConcur = 4,
}

impl DecisionKind {
    #[must_use]
    pub fn from_i16(value: i16) -> Option<Self> {
        match value {
            1 => Some(Self::Concur),
            2 => Some(Self::Challenge),
            3 => Some(Self::Resolve),
            4 => Some(Self::DeemedConcur),
            _ => None,
        }
    }
}

/// Proto `ChallengeGround` values.
pub const GROUND_NOT_ELIGIBLE: i16 = 1;
pub const GROUND_PUBLIC_SAFETY_RISK: i16 = 2;
/// Proto `Resolution` values.
pub const RESOLUTION_DISMISS: i16 = 1;
pub const RESOLUTION_REDUCE: i16 = 2;
pub const RESOLUTION_NOT_ELIGIBLE: i16 = 3;

/// A decision a person asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    Concur,
    Challenge { ground: i16 },
    Resolve { resolution: i16, reduce_to: i16 },
}

impl Action {
    #[must_use]
    pub fn kind(&self) -> DecisionKind {
        match self {
            Self::Concur => DecisionKind::Concur,
            Self::Challenge { .. } => DecisionKind::Challenge,
            Self::Resolve { .. } => DecisionKind::Resolve,
        }
    }

    /// The status an item has once this decision is current.
    #[must_use]
    pub fn status(&self) -> ReviewStatus {
        match self {
            Self::Concur => ReviewStatus::Concurred,
            Self::Challenge { .. } => ReviewStatus::Challenged,
            Self::Resolve { .. } => ReviewStatus::Resolved,
        }
    }

    /// The audit reason code of the decision ("PUBLIC_SAFETY_RISK", "REDUCE", ...).
    #[must_use]
    pub fn reason_code(&self) -> &'static str {
        match self {
            Self::Concur => "",
            Self::Challenge { ground } => match *ground {
                GROUND_NOT_ELIGIBLE => "NOT_ELIGIBLE",
                _ => "PUBLIC_SAFETY_RISK",
            },
            Self::Resolve { resolution, .. } => match *resolution {
                RESOLUTION_DISMISS => "DISMISS",
                RESOLUTION_REDUCE => "REDUCE",
                _ => "NOT_ELIGIBLE",
            },
        }
    }
}

/// Why a decision is refused (the proto `ErrorReason` names).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// A required field is missing or invalid (e.g. the ground).
    InvalidArgument(&'static str),
    /// Challenge and resolve need a non-blank note.
    NoteRequired,
    /// Not allowed in the item's state (e.g. Concur on HAND_REVIEW, or already filed).
    InvalidState(&'static str),
    /// The deadline was applied; only hand-review items can still be decided.
    DeadlinePassed,
}

impl Refusal {
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::InvalidArgument(_) => "INVALID_ARGUMENT",
            Self::NoteRequired => "NOTE_REQUIRED",
            Self::InvalidState(_) => "INVALID_STATE",
            Self::DeadlinePassed => "DEADLINE_PASSED",
        }
    }
}

/// What the state machine needs to know of an item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ItemState {
    pub outcome: i16,
    pub status: ReviewStatus,
    /// The county's deadline has been applied.
    pub deadline_applied: bool,
    /// The item's relief was handed to filing; nothing can change it any more.
    pub sent_to_filing: bool,
}

/// Whether the outcome needs a person's Resolve (hand review, city-prosecutor referral).
#[must_use]
pub fn needs_resolution(outcome: i16) -> bool {
    matches!(
        outcome,
        OUTCOME_HAND_REVIEW | OUTCOME_REFER_TO_CITY_PROSECUTOR
    )
}

/// Checks `action` with `note` against the item's state.
pub fn check(item: ItemState, action: &Action, note: &str) -> Result<(), Refusal> {
    match action {
        Action::Concur => {}
        Action::Challenge { ground } => {
            if !matches!(*ground, GROUND_NOT_ELIGIBLE | GROUND_PUBLIC_SAFETY_RISK) {
                return Err(Refusal::InvalidArgument("ground is required"));
            }
            if note.trim().is_empty() {
                return Err(Refusal::NoteRequired);
            }
        }
        Action::Resolve {
            resolution,
            reduce_to,
        } => {
            if !matches!(
                *resolution,
                RESOLUTION_DISMISS | RESOLUTION_REDUCE | RESOLUTION_NOT_ELIGIBLE
            ) {
                return Err(Refusal::InvalidArgument("resolution is required"));
            }
            if *resolution == RESOLUTION_REDUCE
                && !matches!(*reduce_to, SEVERITY_MISDEMEANOR | SEVERITY_INFRACTION)
            {
                return Err(Refusal::InvalidArgument(
                    "reduce_to must be MISDEMEANOR or INFRACTION",
                ));
            }
            if note.trim().is_empty() {
                return Err(Refusal::NoteRequired);
            }
        }
    }
    if item.sent_to_filing {
        return Err(Refusal::InvalidState("the item was sent to filing"));
    }
    let resolvable = needs_resolution(item.outcome);
    match action {
        Action::Concur if resolvable => {
            return Err(Refusal::InvalidState("a hand-review item needs Resolve"));
        }
        Action::Resolve { .. } if !resolvable => {
            return Err(Refusal::InvalidState(
                "only hand-review and referral items are resolved",
            ));
        }
        _ => {}
    }
    if item.deadline_applied && !resolvable {
        return Err(Refusal::DeadlinePassed);
    }
    Ok(())
}

/// The relief an item's current decision leads to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Relief {
    pub relief: bool,
    /// Proto `ReliefType` value (0 when none).
    pub relief_type: i16,
    /// Proto `Severity` value after relief (reductions).
    pub reduce_to: i16,
}

/// The relief that follows from the item's status and current decision: concurred and
/// deemed-concurred items get the determination's relief, resolved items the resolution's,
/// challenged and pending items none.
#[must_use]
pub fn effective_relief(
    outcome: i16,
    track: i16,
    determination_reduce_to: i16,
    status: ReviewStatus,
    resolution: i16,
    resolution_reduce_to: i16,
) -> Relief {
    let (dismiss, reduce_to) = match status {
        ReviewStatus::Concurred | ReviewStatus::DeemedConcurred => match outcome {
            OUTCOME_DISMISS_AND_SEAL => (true, 0),
            OUTCOME_REDUCE => (false, determination_reduce_to),
            _ => return Relief::default(),
        },
        ReviewStatus::Resolved => match resolution {
            RESOLUTION_DISMISS => (true, 0),
            RESOLUTION_REDUCE => (false, resolution_reduce_to),
            _ => return Relief::default(),
        },
        ReviewStatus::Pending | ReviewStatus::Challenged => return Relief::default(),
    };
    let petition = track == TRACK_PETITION;
    // Proto ReliefType values.
    let relief_type = match (dismiss, petition, reduce_to) {
        (true, false, _) => 1,
        (true, true, _) => 4,
        (false, true, _) => 5,
        (false, false, SEVERITY_INFRACTION) => 3,
        (false, false, _) => 2,
    };
    Relief {
        relief: true,
        relief_type,
        reduce_to,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(outcome: i16) -> ItemState {
        ItemState {
            outcome,
            status: ReviewStatus::Pending,
            deadline_applied: false,
            sent_to_filing: false,
        }
    }

    #[test]
    fn concur_is_not_for_hand_review() {
        assert!(check(state(OUTCOME_DISMISS_AND_SEAL), &Action::Concur, "").is_ok());
        assert_eq!(
            check(state(OUTCOME_HAND_REVIEW), &Action::Concur, "").map_err(Refusal::code),
            Err("INVALID_STATE")
        );
    }

    #[test]
    fn challenge_needs_ground_and_note() {
        let item = state(OUTCOME_REDUCE);
        assert_eq!(
            check(item, &Action::Challenge { ground: 0 }, "why").map_err(Refusal::code),
            Err("INVALID_ARGUMENT")
        );
        assert_eq!(
            check(item, &Action::Challenge { ground: 2 }, "  "),
            Err(Refusal::NoteRequired)
        );
        assert!(check(item, &Action::Challenge { ground: 2 }, "why").is_ok());
    }

    #[test]
    fn resolve_is_for_hand_review_only() {
        let resolve = Action::Resolve {
            resolution: RESOLUTION_REDUCE,
            reduce_to: SEVERITY_INFRACTION,
        };
        assert!(check(state(OUTCOME_HAND_REVIEW), &resolve, "n").is_ok());
        assert!(check(state(OUTCOME_DISMISS_AND_SEAL), &resolve, "n").is_err());
        let bad = Action::Resolve {
            resolution: RESOLUTION_REDUCE,
            reduce_to: 1,
        };
        assert!(check(state(OUTCOME_HAND_REVIEW), &bad, "n").is_err());
    }

    #[test]
    fn after_the_deadline_only_hand_review_is_decided() {
        let mut item = state(OUTCOME_DISMISS_AND_SEAL);
        item.deadline_applied = true;
        assert_eq!(
            check(item, &Action::Challenge { ground: 1 }, "n"),
            Err(Refusal::DeadlinePassed)
        );
        let mut hand = state(OUTCOME_HAND_REVIEW);
        hand.deadline_applied = true;
        let dismiss = Action::Resolve {
            resolution: RESOLUTION_DISMISS,
            reduce_to: 0,
        };
        assert!(check(hand, &dismiss, "n").is_ok());
        hand.sent_to_filing = true;
        assert!(check(hand, &dismiss, "n").is_err());
    }

    #[test]
    fn relief_follows_the_current_decision() {
        use ReviewStatus::*;
        let r = effective_relief(OUTCOME_DISMISS_AND_SEAL, 1, 0, DeemedConcurred, 0, 0);
        assert_eq!((r.relief, r.relief_type), (true, 1));
        let r = effective_relief(OUTCOME_DISMISS_AND_SEAL, TRACK_PETITION, 0, Concurred, 0, 0);
        assert_eq!(r.relief_type, 4);
        let r = effective_relief(OUTCOME_REDUCE, 1, SEVERITY_INFRACTION, Concurred, 0, 0);
        assert_eq!((r.relief_type, r.reduce_to), (3, SEVERITY_INFRACTION));
        assert!(!effective_relief(OUTCOME_DISMISS_AND_SEAL, 1, 0, Challenged, 0, 0).relief);
        assert!(!effective_relief(3, 1, 0, Concurred, 0, 0).relief);
        let r = effective_relief(OUTCOME_HAND_REVIEW, 1, 0, Resolved, RESOLUTION_REDUCE, 2);
        assert_eq!((r.relief, r.relief_type), (true, 2));
        assert!(!effective_relief(OUTCOME_HAND_REVIEW, 1, 0, Resolved, 3, 0).relief);
    }
}
