//! gogen 0.2.13's released configurable flow (spec §4.2), and its fixed "dismiss all
//! Prop 64" hypothetical (§4.3) that feeds the summary.

use cmr_record::{Conviction, Prop64Section};

use super::{Ctx, SubjectView};
use crate::determination::{Determination, Outcome, decide as d};
use crate::options::EligibilityOptions;

/// Prop 64 convictions in the county.
pub fn selects(ctx: &Ctx<'_>, c: &Conviction) -> bool {
    ctx.in_county(c) && ctx.is_prop64(c)
}

fn matches_key(ctx: &Ctx<'_>, c: &Conviction, key: &str) -> bool {
    // Validated options only hold the four keys; an unknown key matches nothing.
    Prop64Section::from_key(key).is_some_and(|s| ctx.sections.get(c.section).contains[s.index()])
}

/// The first rule that matches wins.
pub fn decide(
    o: &EligibilityOptions,
    ctx: &Ctx<'_>,
    view: &SubjectView<'_>,
    c: &Conviction,
) -> Determination {
    use Outcome::{Blank, Dismissal, Reduction};
    if !c.felony {
        return d(Dismissal, "Misdemeanor or Infraction", "misdemeanor");
    }
    if let Some(key) = o.dismiss.iter().find(|k| matches_key(ctx, c, k)) {
        return d(
            Dismissal,
            format!("Dismiss all HS {key} convictions"),
            "baseline-dismiss",
        );
    }
    let dob = view.subject.dob;
    if o.subject_under_21_at_conviction && dob.add_date(21, 0, 0) > c.date {
        return d(Dismissal, "21 years or younger", "under-21-at-conviction");
    }
    let n = o.subject_age_threshold;
    if n != 0 && dob.add_date(n, 0, 0) <= ctx.compute_at {
        return d(Dismissal, format!("{n} years or older"), "age-threshold");
    }
    let n = o.years_since_conviction_threshold;
    if n != 0 && c.date <= ctx.compute_at.add_date(-n, 0, 0) {
        return d(
            Dismissal,
            format!("Conviction occurred {n} or more years ago"),
            "years-since-conviction",
        );
    }
    let n = o.years_crime_free_threshold;
    if n != 0 && view.facts.most_recent < ctx.compute_at.add_date(-n, 0, 0) {
        return d(
            Dismissal,
            format!("No convictions in the past {n} years"),
            "years-crime-free",
        );
    }
    if o.subject_has_only_prop64_charges && view.facts.only_prop64() {
        return d(
            Dismissal,
            "Only has 11357-60 charges",
            "only-prop64-charges",
        );
    }
    if o.subject_is_deceased && view.subject.deceased {
        return d(Dismissal, "Individual is deceased", "deceased");
    }
    if let Some(key) = o.reduce.iter().find(|k| matches_key(ctx, c, k)) {
        return d(
            Reduction,
            format!("Reduce all HS {key} convictions"),
            "baseline-reduce",
        );
    }
    d(Blank, "", "no-rule")
}

/// The "dismiss all Prop 64" hypothetical: every selected conviction is dismissed.
pub fn dismiss_all() -> Determination {
    Determination::new(
        Outcome::Dismissal,
        "Dismiss all Prop 64 charges",
        "dismiss-all-prop64",
    )
}
