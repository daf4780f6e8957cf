//! The Los Angeles pilot flow (gogen_pilots `los_angeles`, spec §4.4), with its quirks:
//! misdemeanours go to the city attorneys, super strikes include gang-enhancement case
//! pairs, and the "earliest" disqualifier dates ignore pairs and registrations, so such
//! subjects get the zero time, which is before everything.

use cmr_record::{Conviction, Instant, Prop64Section, SectionId};

use super::{Ctx, SubjectView, prop64_effective};
use crate::determination::{Determination, Outcome, decide as d};

/// Prop 64 convictions in the county.
pub fn selects(ctx: &Ctx<'_>, c: &Conviction) -> bool {
    ctx.in_county(c) && ctx.is_prop64(c)
}

/// Per-subject values only the LA flow needs.
pub struct LaFacts {
    /// Super strikes: single-row sections, then `"<offence> + <gang>"` case pairs,
    /// de-duplicated. (gogen's order here is random; ours is first-seen.)
    pub superstrike_entries: Vec<String>,
    pub has_superstrike: bool,
    /// Earliest date of a single-row super strike, or the zero time.
    pub earliest_superstrike: Instant,
    pub has_pc290: bool,
    /// Earliest date of a PC 290 *conviction*, or the zero time.
    pub earliest_pc290: Instant,
}

fn earliest(dates: impl Iterator<Item = Instant>) -> Instant {
    dates.min().unwrap_or(Instant::ZERO)
}

impl LaFacts {
    pub fn of(ctx: &Ctx<'_>, view: &SubjectView<'_>) -> LaFacts {
        let s = view.subject;
        let info = |id: SectionId| ctx.sections.get(id);
        let mut entries: Vec<String> = vec![];
        let mut push = |e: String| {
            if !entries.contains(&e) {
                entries.push(e);
            }
        };
        for &id in &view.facts.superstrikes {
            push(info(id).text_lossy());
        }
        for gang in s.convictions.iter().filter(|c| info(c.section).la_gang) {
            for partner in s
                .convictions
                .iter()
                .filter(|p| p.case_key() == gang.case_key() && info(p.section).la_gang_partner)
            {
                push(format!(
                    "{} + {}",
                    info(partner.section).text_lossy(),
                    info(gang.section).text_lossy()
                ));
            }
        }
        LaFacts {
            has_superstrike: !entries.is_empty(),
            superstrike_entries: entries,
            earliest_superstrike: earliest(
                s.convictions
                    .iter()
                    .filter(|c| info(c.section).superstrike)
                    .map(|c| c.date),
            ),
            has_pc290: !view.facts.pc290_sections.is_empty() || s.pc290_registration,
            earliest_pc290: earliest(
                s.convictions
                    .iter()
                    .filter(|c| info(c.section).pc290)
                    .map(|c| c.date),
            ),
        }
    }

    pub fn superstrike_column(&self) -> String {
        if self.superstrike_entries.is_empty() {
            "-".to_string()
        } else {
            self.superstrike_entries.join(";")
        }
    }
}

/// Parameters of the flow: dismissal age and conviction-free years.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LaParams {
    pub individual_age: i64,
    pub years_conviction_free: i64,
}

pub fn decide(
    p: LaParams,
    ctx: &Ctx<'_>,
    view: &SubjectView<'_>,
    la: &LaFacts,
    c: &Conviction,
) -> Determination {
    use Outcome::{CityAttorneys, Dismissal, HandReview, NotEligible};
    let subject = view.subject;
    let info = ctx.sections.get(c.section);
    if !c.felony {
        return d(CityAttorneys, "Misdemeanor or Infraction", "misdemeanor");
    }
    if c.date >= prop64_effective() {
        return d(NotEligible, "Occurred after 11/09/2016", "after-prop64");
    }
    if info.prop64 == Some(Prop64Section::S11357) {
        return if info.text.starts_with(b"11357(A)") || info.text.starts_with(b"11357(B)") {
            d(Dismissal, "11357(a) or 11357(b)", "11357-a-or-b")
        } else {
            d(HandReview, "Other 11357", "other-11357")
        };
    }
    if la.has_superstrike && la.earliest_superstrike < c.date {
        return d(NotEligible, "PC 667(e)(2)(c)(iv)", "prior-superstrike");
    }
    if la.has_pc290 && la.earliest_pc290 < c.date {
        return d(NotEligible, "PC 290", "prior-pc290");
    }
    let prefix = &info.text[..5.min(info.text.len())];
    let priors = subject
        .convictions
        .iter()
        .filter(|o| {
            let oi = ctx.sections.get(o.section);
            oi.prop64.is_some() && o.date < c.date && oi.text.starts_with(prefix)
        })
        .count();
    if priors >= 2 {
        return d(NotEligible, "Two priors", "two-priors");
    }
    let n = p.individual_age;
    if subject.dob.add_date(n, 0, 0) <= ctx.compute_at {
        return d(Dismissal, format!("{n} years or older"), "age-threshold");
    }
    if ctx.compute_at.hours_since(subject.dob) / 8766.0 <= 21.0 {
        return d(Dismissal, "21 years or younger", "under-21-today");
    }
    let all_served = subject
        .convictions
        .iter()
        .all(|o| o.sentence_end <= ctx.compute_at);
    if view.facts.only_prop64() && all_served {
        return d(
            Dismissal,
            "Only has 11357-60 charges and completed sentence",
            "only-prop64-sentence-completed",
        );
    }
    let m = p.years_conviction_free;
    let window = ctx.compute_at.add_date(-m, 0, 0);
    if !subject.convictions.iter().any(|o| o.date > window) {
        return d(
            Dismissal,
            format!("No convictions in past {m} years"),
            "conviction-free",
        );
    }
    if !all_served {
        return d(HandReview, "Currently serving sentence", "serving-sentence");
    }
    if subject.deceased {
        return d(Dismissal, "Deceased", "deceased");
    }
    d(
        HandReview,
        "No applicable eligibility criteria",
        "no-criteria",
    )
}
