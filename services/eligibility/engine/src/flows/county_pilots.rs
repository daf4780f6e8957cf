//! The 2019 county pilot flows of Sacramento, San Joaquin and Contra Costa (gogen_pilots
//! `02a8e4f^`, spec §4.5). San Joaquin and Contra Costa are identical and also evaluate
//! "related" charges.

use cmr_record::Conviction;

use super::{Ctx, SubjectView, prop64_effective};
use crate::determination::{Determination, Outcome, decide as d};

/// Which county program.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CountyPilot {
    Sacramento,
    /// San Joaquin and Contra Costa (same rules).
    WithRelated,
}

pub fn selects(pilot: CountyPilot, ctx: &Ctx<'_>, c: &Conviction) -> bool {
    ctx.in_county(c)
        && match pilot {
            CountyPilot::Sacramento => ctx.is_prop64(c),
            CountyPilot::WithRelated => ctx.is_prop64(c) || ctx.is_related(c),
        }
}

pub fn decide(
    pilot: CountyPilot,
    ctx: &Ctx<'_>,
    view: &SubjectView<'_>,
    c: &Conviction,
) -> Determination {
    match pilot {
        CountyPilot::Sacramento => sacramento(ctx, view, c),
        CountyPilot::WithRelated => with_related(ctx, view, c),
    }
}

fn years_since_most_recent(ctx: &Ctx<'_>, view: &SubjectView<'_>) -> f64 {
    ctx.compute_at.years_since(view.facts.most_recent)
}

fn sacramento(ctx: &Ctx<'_>, view: &SubjectView<'_>, c: &Conviction) -> Determination {
    use Outcome::{Dismissal, NotEligible, Reduction};
    if c.date >= prop64_effective() {
        return d(NotEligible, "Occurred after 11/09/2016", "after-prop64");
    }
    if !c.felony {
        return d(Dismissal, "Misdemeanor or Infraction", "misdemeanor");
    }
    // Lower-case b, as the pilot wrote it: real (upper-case) DOJ data never matches.
    if ctx.sections.get(c.section).text.starts_with(b"11357(b)") {
        return d(Dismissal, "HS 11357(b)", "11357-b");
    }
    recent_convictions_or_sentence(ctx, view, c, 10, Reduction)
}

fn with_related(ctx: &Ctx<'_>, view: &SubjectView<'_>, c: &Conviction) -> Determination {
    use Outcome::{Dismissal, MaybeEligible, NotEligible};
    let info = ctx.sections.get(c.section);
    if c.date >= prop64_effective() {
        return d(NotEligible, "Occurred after 11/09/2016", "after-prop64");
    }
    if info.related.is_some() {
        if !c.has_prop64_in_cycle {
            return d(
                MaybeEligible,
                "No Related Prop64 Charges",
                "related-without-prop64",
            );
        }
        if &info.text[..] == b"4060 BP" {
            return d(MaybeEligible, "4060 BP", "related-4060-bp");
        }
        let reason =
            String::from_utf8_lossy(cmr_record::subject::trim_space(&info.text)).into_owned();
        return d(Dismissal, reason, "related-with-prop64");
    }
    if !c.felony {
        return d(Dismissal, "Misdemeanor or Infraction", "misdemeanor");
    }
    if info.text.starts_with(b"11357") {
        return d(Dismissal, "11357 HS", "11357");
    }
    recent_convictions_or_sentence(ctx, view, c, 5, MaybeEligible)
}

/// The tail both pilots share: with other convictions, dismissal after `years`
/// conviction-free years; with this one only, dismissal once the sentence is served.
/// Otherwise `fallback` (reduction in Sacramento, review in San Joaquin/Contra Costa).
fn recent_convictions_or_sentence(
    ctx: &Ctx<'_>,
    view: &SubjectView<'_>,
    c: &Conviction,
    years: u32,
    fallback: Outcome,
) -> Determination {
    if view.facts.conviction_count > 1 {
        return if years_since_most_recent(ctx, view) > f64::from(years) {
            d(
                Outcome::Dismissal,
                format!("No convictions in past {years} years"),
                "conviction-free-years",
            )
        } else {
            d(
                fallback,
                format!("Has convictions in past {years} years"),
                "recent-convictions",
            )
        };
    }
    if c.sentence_end < ctx.compute_at {
        d(
            Outcome::Dismissal,
            "Sentence Completed",
            "sentence-completed",
        )
    } else {
        d(fallback, "Sentence not Completed", "sentence-not-completed")
    }
}
