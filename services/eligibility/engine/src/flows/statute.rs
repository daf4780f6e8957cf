//! The `statute` policy: H&S 11361.8 as written (`../shared/spec/prop64-law.md` §1.3–1.5),
//! for a county with no policy of its own. `docs/policies/statute.md` is this file's
//! decision table in words; each rule below is one row of it, in the same order, and the
//! first rule whose condition holds decides.
//!
//! Where the record lacks a fact the law depends on (grams, plants, sale to a minor,
//! environmental harm) a rule either applies the safe default (the relief that holds
//! whichever way the missing fact goes, never more) and says so in its reason, or sends
//! the count to hand review.

use cmr_record::statute::{CannabisCharge, CannabisSection};
use cmr_record::{Conviction, Instant};

use super::{Ctx, SubjectView, prop64_effective};
use crate::determination::{Determination, Fact, Outcome, Track};

/// Convictions the statute policy decides: cannabis charges convicted in the county.
pub fn selects(ctx: &Ctx<'_>, c: &Conviction) -> bool {
    ctx.in_county(c) && ctx.sections.get(c.statute_section).statute.is_some()
}

/// Everything the rules read about one conviction, computed once.
pub struct Case<'a> {
    pub charge: &'a CannabisCharge,
    pub felony: bool,
    pub conviction_date: Instant,
    pub offence_date: Instant,
    /// Whole years of age on the offence date; `None` without a date of birth.
    pub age: Option<i64>,
    /// The earliest super-strike conviction of another case dated before the offence.
    pub superstrike_prior: Option<Instant>,
    /// The earliest PC 290 registrable conviction of another case, or PC 290
    /// registration, dated before the offence.
    pub pc290_prior: Option<Instant>,
    /// Convictions of the same section in other cases dated before the offence.
    pub same_section_priors: usize,
}

impl<'a> Case<'a> {
    pub fn of(ctx: &'a Ctx<'_>, view: &SubjectView<'_>, c: &Conviction) -> Option<Case<'a>> {
        let charge = ctx.sections.get(c.statute_section).statute.as_ref()?;
        let offence = c.offence_date;
        // A prior is a conviction of another case (People v. Smit: a super strike in the
        // same case is not a prior) dated before this offence.
        let priors = || {
            view.subject.convictions.iter().filter(move |p| {
                p.cycle_key() != c.cycle_key() && !p.date.is_zero() && p.date < offence
            })
        };
        let earliest = |dates: &mut dyn Iterator<Item = Instant>| dates.min();
        let superstrike_prior = earliest(
            &mut priors()
                .filter(|p| ctx.sections.get(p.statute_section).superstrike_bounded)
                .map(|p| p.date),
        );
        let registrations = view
            .subject
            .pc290_registration_dates
            .iter()
            .copied()
            .filter(|d| !d.is_zero() && *d < offence);
        let pc290_prior = earliest(
            &mut priors()
                .filter(|p| ctx.sections.get(p.statute_section).pc290_bounded)
                .map(|p| p.date)
                .chain(registrations),
        );
        let same_section_priors = priors()
            .filter(|p| {
                ctx.sections
                    .get(p.statute_section)
                    .statute
                    .as_ref()
                    .is_some_and(|other| other.section == charge.section)
            })
            .count();
        let dob = view.subject.dob;
        let age = (!dob.is_zero() && !offence.is_zero()).then(|| whole_years(dob, offence));
        Some(Case {
            charge,
            felony: c.felony,
            conviction_date: c.date,
            offence_date: offence,
            age,
            superstrike_prior,
            pc290_prior,
            same_section_priors,
        })
    }

    fn is(&self, section: CannabisSection) -> bool {
        self.charge.section == section
    }

    fn sub_in(&self, subs: &[Option<char>]) -> bool {
        subs.contains(&self.charge.subdivision)
    }

    /// A felony that Prop 64 keeps a felony when a disqualifier applies: 11358, 11359,
    /// or 11360(a) (11360 with no subdivision read as (a)).
    fn disqualifiable_felony(&self) -> bool {
        self.felony
            && (self.is(CannabisSection::S11358)
                || self.is(CannabisSection::S11359)
                || (self.is(CannabisSection::S11360) && self.sub_in(&[None, Some('a')])))
    }

    fn age_at_least(&self, years: i64) -> Option<bool> {
        self.age.map(|a| a >= years)
    }
}

/// Whole years from `from` to `to` (an age on a date).
fn whole_years(from: Instant, to: Instant) -> i64 {
    let mut years = 0;
    while from.add_date(years + 1, 0, 0) <= to {
        years += 1;
        if years > 200 {
            break;
        }
    }
    years
}

/// One row of the decision table.
pub struct Rule {
    pub id: &'static str,
    pub code: &'static str,
    pub outcome: Outcome,
    pub citation: &'static str,
    /// The row's condition, in words (for `cmr explain`).
    pub when: &'static str,
    /// A reduction to an infraction (else to a misdemeanor, for reductions).
    pub to_infraction: bool,
    /// Whether the row applies, and if so the reviewer's sentence.
    test: fn(&Case<'_>) -> Option<String>,
}

const RELIEF: &str = "H&S 11361.8(e)-(f)";

/// The decision table, in order.
pub const RULES: &[Rule] = &[
    Rule {
        id: "convicted-after-prop64",
        code: "CONVICTED_ON_OR_AFTER_2016_11_09",
        to_infraction: false,
        outcome: Outcome::NotEligible,
        citation: "H&S 11361.8(a), (e) (relief is for convictions under the law before Prop 64)",
        when: "conviction dated on or after 2016-11-09",
        test: |k| {
            (k.conviction_date >= prop64_effective()).then(|| {
                "Convicted on or after 2016-11-09, under the law as Prop 64 amended it: no relief"
                    .to_owned()
            })
        },
    },
    Rule {
        id: "conviction-date-unknown",
        code: "CONVICTION_DATE_UNKNOWN",
        to_infraction: false,
        outcome: Outcome::HandReview,
        citation: "H&S 11361.8(a), (e)",
        when: "the record has no readable conviction date",
        test: |k| {
            k.conviction_date.is_zero().then(|| {
                "The conviction date cannot be read, so whether Prop 64 applies is unknown"
                    .to_owned()
            })
        },
    },
    Rule {
        id: "other-cannabis-section",
        code: "OTHER_CANNABIS_SECTION",
        to_infraction: false,
        outcome: Outcome::HandReview,
        citation: "H&S 11361.8(a) (11362.1-11362.4 are the measure, not relief sections); H&S 11361",
        when: "H&S 11361 or 11362.x",
        test: |k| {
            k.is(CannabisSection::Other).then(|| {
                format!(
                    "H&S {} is a cannabis section outside 11357-11360: a person must decide",
                    k.charge.number
                )
            })
        },
    },
    Rule {
        id: "superstrike-prior",
        code: "SUPERSTRIKE_PRIOR",
        to_infraction: false,
        outcome: Outcome::NotEligible,
        citation: "H&S 11358(d)(1), 11359(c)(1), 11360(a)(3)(A); PC 667(e)(2)(C)(iv); People v. Smit",
        when: "felony 11358, 11359 or 11360(a) after a super-strike conviction of an earlier case",
        test: |k| {
            if !k.disqualifiable_felony() {
                return None;
            }
            k.superstrike_prior.map(|d| {
                format!(
                    "A super-strike conviction of an earlier case ({}) predates the offence: \
                     the conviction is still a felony under current law",
                    d.iso_date()
                )
            })
        },
    },
    Rule {
        id: "pc290-prior",
        code: "PC290_PRIOR",
        to_infraction: false,
        outcome: Outcome::NotEligible,
        citation: "H&S 11358(d)(1), 11359(c)(1), 11360(a)(3)(A); PC 290",
        when: "felony 11358, 11359 or 11360(a) after a PC 290 registrable conviction or registration",
        test: |k| {
            if !k.disqualifiable_felony() {
                return None;
            }
            k.pc290_prior.map(|d| {
                format!(
                    "A PC 290 registrable conviction or registration ({}) predates the \
                     offence: the conviction is still a felony under current law",
                    d.iso_date()
                )
            })
        },
    },
    Rule {
        id: "two-priors-same-section",
        code: "TWO_PRIORS_SAME_SECTION",
        to_infraction: false,
        outcome: Outcome::HandReview,
        citation: "H&S 11358(d)(2), 11359(c)(2), 11360(a)(3)(B)",
        when: "felony 11358, 11359 or 11360(a) with two or more earlier convictions of the same section",
        test: |k| {
            (k.disqualifiable_felony() && k.same_section_priors >= 2).then(|| {
                format!(
                    "{} earlier convictions of H&S {}: two priors keep the offence a felony, \
                     but whether pre-Prop 64 priors count is unsettled",
                    k.same_section_priors,
                    k.charge.section.as_str()
                )
            })
        },
    },
    Rule {
        id: "11357b-21-or-over",
        code: "POSSESSION_21_OR_OVER",
        to_infraction: false,
        outcome: Outcome::Dismissal,
        citation: "H&S 11361.8(e); H&S 11362.1(a)(1)",
        when: "11357(b) or 11357 without subdivision, 21 or over on the offence date",
        test: |k| {
            (k.is(CannabisSection::S11357)
                && k.sub_in(&[None, Some('b')])
                && k.age_at_least(21) == Some(true))
            .then(|| {
                format!(
                    "H&S {} possession at age {}: lawful for adults today, so dismissed and sealed",
                    k.charge.describe(),
                    k.age.unwrap_or_default()
                )
            })
        },
    },
    Rule {
        id: "11357b-under-21",
        code: "POSSESSION_UNDER_21",
        to_infraction: true,
        outcome: Outcome::Reduction,
        citation: "H&S 11361.8(e)-(f); H&S 11357(a)(1)-(2)",
        when: "11357(b) or 11357 without subdivision, under 21 on the offence date",
        test: |k| {
            (k.is(CannabisSection::S11357)
                && k.sub_in(&[None, Some('b')])
                && k.age_at_least(21) == Some(false))
            .then(|| {
                format!(
                    "H&S {} possession at age {}: an infraction today, so redesignated",
                    k.charge.describe(),
                    k.age.unwrap_or_default()
                )
            })
        },
    },
    Rule {
        id: "age-unknown",
        code: "DATE_OF_BIRTH_UNKNOWN",
        to_infraction: false,
        outcome: Outcome::HandReview,
        citation: RELIEF,
        when: "the outcome depends on age and the record has no date of birth",
        test: |k| {
            let age_decides = (k.is(CannabisSection::S11357)
                && k.sub_in(&[None, Some('b'), Some('c')]))
                || (k.is(CannabisSection::S11360) && k.sub_in(&[Some('b')]));
            (age_decides && k.age.is_none()).then(|| {
                "The relief depends on the age at the offence, and the record has no date of birth"
                    .to_owned()
            })
        },
    },
    Rule {
        id: "11357a-concentrate-felony",
        code: "CONCENTRATE_AMOUNT_UNKNOWN_FELONY",
        to_infraction: false,
        outcome: Outcome::Reduction,
        citation: "H&S 11361.8(e)-(f); H&S 11357(b)",
        when: "felony 11357(a) (concentrate)",
        test: |k| {
            (k.is(CannabisSection::S11357) && k.sub_in(&[Some('a')]) && k.felony).then(|| {
                "Felony concentrate possession; the amount is not in the record. At most a \
                 misdemeanor today whatever the amount, so reduced (the safe default); \
                 8 g or less at 21 or over would be dismissal"
                    .to_owned()
            })
        },
    },
    Rule {
        id: "11357a-concentrate-misdemeanor",
        code: "CONCENTRATE_AMOUNT_UNKNOWN",
        to_infraction: false,
        outcome: Outcome::HandReview,
        citation: "H&S 11361.8(e); H&S 11362.1(a)(2); H&S 11357(b)",
        when: "misdemeanor 11357(a) (concentrate)",
        test: |k| {
            (k.is(CannabisSection::S11357) && k.sub_in(&[Some('a')])).then(|| {
                "Concentrate possession; relief depends on the amount (8 g or less), which the \
                 record does not give"
                    .to_owned()
            })
        },
    },
    Rule {
        id: "11357c-under-18",
        code: "OVER_28_5_G_UNDER_18",
        to_infraction: true,
        outcome: Outcome::Reduction,
        citation: "H&S 11361.8(e)-(f); H&S 11357(b)(1)",
        when: "11357(c) (over 28.5 g), under 18 on the offence date",
        test: |k| {
            (k.is(CannabisSection::S11357)
                && k.sub_in(&[Some('c')])
                && k.age_at_least(18) == Some(false))
            .then(|| {
                "Possession over 28.5 g under 18: an infraction today, so redesignated".to_owned()
            })
        },
    },
    Rule {
        id: "11357c-adult",
        code: "OVER_28_5_G_ADULT",
        to_infraction: false,
        outcome: Outcome::HandReview,
        citation: "H&S 11357(b)(2)",
        when: "11357(c) (over 28.5 g), 18 or over",
        test: |k| {
            (k.is(CannabisSection::S11357) && k.sub_in(&[Some('c')])).then(|| {
                "Possession over 28.5 g by an adult: the penalty is unchanged, so the statute \
                 gives no clear relief; a person must decide"
                    .to_owned()
            })
        },
    },
    Rule {
        id: "11357e-minor-school",
        code: "MINOR_ON_SCHOOL_GROUNDS",
        to_infraction: true,
        outcome: Outcome::Reduction,
        citation: "H&S 11361.8(e)-(f); H&S 11357(d)",
        when: "11357(e) (a minor on school grounds)",
        test: |k| {
            (k.is(CannabisSection::S11357) && k.sub_in(&[Some('e')])).then(|| {
                "Possession by a minor on school grounds: an infraction today, so redesignated"
                    .to_owned()
            })
        },
    },
    Rule {
        id: "11357-other-subdivision",
        code: "POSSESSION_SUBDIVISION_UNSETTLED",
        to_infraction: false,
        outcome: Outcome::HandReview,
        citation: "H&S 11357(c) as amended",
        when: "11357(d) (school grounds, 18 or over) or another subdivision",
        test: |k| {
            k.is(CannabisSection::S11357).then(|| {
                format!(
                    "H&S {}: whether the amended penalty is a lesser offence is unsettled",
                    k.charge.describe()
                )
            })
        },
    },
    Rule {
        id: "11358-felony",
        code: "CULTIVATION_PLANTS_UNKNOWN",
        to_infraction: false,
        outcome: Outcome::Reduction,
        citation: "H&S 11361.8(e)-(f); H&S 11358(c)",
        when: "felony 11358 with no disqualifier",
        test: |k| {
            (k.is(CannabisSection::S11358) && k.felony).then(|| {
                "Felony cultivation with no disqualifier; the plant count is not in the record. \
                 More than six plants is a misdemeanor today, so reduced (the safe default); six \
                 or fewer at 21 or over would be dismissal. Environmental harm \
                 (11358(d)(3)) is not in the record either"
                    .to_owned()
            })
        },
    },
    Rule {
        id: "11358-misdemeanor",
        code: "CULTIVATION_MISDEMEANOR",
        to_infraction: false,
        outcome: Outcome::HandReview,
        citation: "H&S 11361.8(e); H&S 11362.2",
        when: "11358 that is not a felony",
        test: |k| {
            k.is(CannabisSection::S11358).then(|| {
                "Cultivation below felony level: relief depends on the plant count, which the \
                 record does not give"
                    .to_owned()
            })
        },
    },
    Rule {
        id: "11359-under-18",
        code: "SALE_POSSESSION_UNDER_18",
        to_infraction: true,
        outcome: Outcome::Reduction,
        citation: "H&S 11361.8(e)-(f); H&S 11359(a)",
        when: "11359, under 18 on the offence date",
        test: |k| {
            (k.is(CannabisSection::S11359) && k.age_at_least(18) == Some(false)).then(|| {
                "Possession for sale under 18: an infraction today, so redesignated".to_owned()
            })
        },
    },
    Rule {
        id: "11359-felony",
        code: "SALE_POSSESSION_FELONY",
        to_infraction: false,
        outcome: Outcome::Reduction,
        citation: "H&S 11361.8(e)-(f); H&S 11359(b)",
        when: "felony 11359 with no disqualifier",
        test: |k| {
            (k.is(CannabisSection::S11359) && k.felony).then(|| {
                "Felony possession for sale with no disqualifier: a misdemeanor today, so \
                 reduced. A sale to a minor or use of a minor (11359(c)(3), (d)) is not in the \
                 record: the prosecution may challenge on it"
                    .to_owned()
            })
        },
    },
    Rule {
        id: "11359-misdemeanor",
        code: "ALREADY_AT_CURRENT_LEVEL",
        to_infraction: false,
        outcome: Outcome::NotEligible,
        citation: "H&S 11359(b)",
        when: "11359 that is not a felony, 18 or over",
        test: |k| {
            k.is(CannabisSection::S11359).then(|| {
                "Possession for sale already a misdemeanor, which is the penalty today".to_owned()
            })
        },
    },
    Rule {
        id: "11360b-21-or-over",
        code: "TRANSPORT_28_5_G_21_OR_OVER",
        to_infraction: false,
        outcome: Outcome::Dismissal,
        citation: "H&S 11361.8(e); H&S 11362.1(a)(1)",
        when: "11360(b) (28.5 g or less), 21 or over",
        test: |k| {
            (k.is(CannabisSection::S11360)
                && k.sub_in(&[Some('b')])
                && k.age_at_least(21) == Some(true))
            .then(|| {
                "Giving away or transporting 28.5 g or less at 21 or over: lawful today, so \
                 dismissed and sealed"
                    .to_owned()
            })
        },
    },
    Rule {
        id: "11360b-under-21",
        code: "TRANSPORT_28_5_G_UNDER_21",
        to_infraction: true,
        outcome: Outcome::Reduction,
        citation: "H&S 11361.8(e)-(f); H&S 11360(b)",
        when: "11360(b) (28.5 g or less), under 21",
        test: |k| {
            (k.is(CannabisSection::S11360) && k.sub_in(&[Some('b')])).then(|| {
                "Giving away or transporting 28.5 g or less under 21: an infraction today, so \
                 redesignated"
                    .to_owned()
            })
        },
    },
    Rule {
        id: "11360-felony",
        code: "TRANSPORT_SALE_FELONY",
        to_infraction: false,
        outcome: Outcome::Reduction,
        citation: "H&S 11361.8(e)-(f); H&S 11360(a)(2)",
        when: "felony 11360(a) or 11360 with no disqualifier",
        test: |k| {
            (k.is(CannabisSection::S11360) && k.felony).then(|| {
                "Felony transport or sale with no disqualifier: a misdemeanor today, so reduced \
                 (the safe default). A gift of 28.5 g or less at 21 or over would be dismissal; \
                 a sale to a minor or import/export over 28.5 g (11360(a)(3)(C)-(D)) is not in \
                 the record"
                    .to_owned()
            })
        },
    },
    Rule {
        id: "11360-misdemeanor",
        code: "TRANSPORT_FACTS_UNKNOWN",
        to_infraction: false,
        outcome: Outcome::HandReview,
        citation: "H&S 11361.8(e); H&S 11362.1(a)(1)",
        when: "11360 that is not a felony",
        test: |k| {
            k.is(CannabisSection::S11360).then(|| {
                "Transport or sale below felony level: relief depends on whether it was a gift \
                 of 28.5 g or less, which the record does not give"
                    .to_owned()
            })
        },
    },
];

/// Whether a statute reduction with this reason code redesignates the conviction as an
/// infraction (the under-18 and under-21 rows) rather than a misdemeanor.
pub fn reduces_to_infraction(code: &str) -> bool {
    RULES.iter().any(|r| r.code == code && r.to_infraction)
}

/// One rule tried, for `cmr explain`.
pub struct Step {
    pub rule: &'static Rule,
    pub matched: bool,
}

/// Decides one conviction: the first rule that holds.
pub fn decide(ctx: &Ctx<'_>, view: &SubjectView<'_>, c: &Conviction) -> Determination {
    explain(ctx, view, c).0
}

/// The decision and every rule tried up to and including the deciding one.
pub fn explain(
    ctx: &Ctx<'_>,
    view: &SubjectView<'_>,
    c: &Conviction,
) -> (Determination, Vec<Step>) {
    let Some(case) = Case::of(ctx, view, c) else {
        // `selects` admits only cannabis charges; this is a caller's mistake.
        let d = Determination::new(Outcome::HandReview, "Not a cannabis charge", "not-cannabis");
        return (d, Vec::new());
    };
    let mut steps = Vec::new();
    for rule in RULES {
        let found = (rule.test)(&case);
        steps.push(Step {
            rule,
            matched: found.is_some(),
        });
        if let Some(reason) = found {
            let mut d = Determination::new(rule.outcome, reason, rule.id);
            d.code = rule.code;
            d.citation = rule.citation;
            d.facts = facts(&case);
            d.track = track(rule.outcome, c, ctx.compute_at);
            return (d, steps);
        }
    }
    // Every charge reaches a row above (each section ends in a catch-all row); kept so a
    // new section can never be left without a determination.
    let mut d = Determination::new(
        Outcome::HandReview,
        "No rule of the table applies",
        "no-rule",
    );
    d.code = "NO_RULE";
    d.facts = facts(&case);
    (d, steps)
}

/// Application when the sentence was complete at compute-at, petition while serving.
pub fn track(outcome: Outcome, c: &Conviction, compute_at: Instant) -> Track {
    if !outcome.is_relief() || c.date.is_zero() {
        return Track::Unknown;
    }
    if c.served_until() > compute_at {
        Track::Petition
    } else {
        Track::Application
    }
}

fn facts(k: &Case<'_>) -> Vec<Fact> {
    let date = crate::evaluate::date_or_unknown;
    let mut facts = vec![
        Fact::new("charge", k.charge.describe()),
        Fact::new("attempt", k.charge.attempt),
        Fact::new("felony", k.felony),
        Fact::new("conviction_date", date(k.conviction_date)),
        Fact::new("offence_date", date(k.offence_date)),
        Fact::new(
            "age_at_offence",
            k.age
                .map_or_else(|| "unknown".to_owned(), |a| a.to_string()),
        ),
        Fact::new("same_section_priors", k.same_section_priors),
    ];
    if let Some(d) = k.superstrike_prior {
        facts.push(Fact::new("superstrike_prior_date", d.iso_date()));
    }
    if let Some(d) = k.pc290_prior {
        facts.push(Fact::new("pc290_prior_date", d.iso_date()));
    }
    facts
}
