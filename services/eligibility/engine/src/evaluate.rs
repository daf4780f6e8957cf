//! Evaluating one grouped file under a policy: a determination and an info block for
//! every conviction the flow selects, and the file's summary.

use cmr_record::{Conviction, Grouped, Instant, Subject};

use crate::determination::{Determination, Fact, Outcome, Track};
use crate::facts::{SubjectFacts, join_sections};
use crate::flows::county_pilots;
use crate::flows::los_angeles::{self, LaFacts};
use crate::flows::{Ctx, SubjectView, configurable, statute};
use crate::policy::{FlowSpec, Policy};
use crate::summary::{Relief, Summary, SummaryShape};

/// Everything the output columns say about one evaluated conviction (spec §5.2).
#[derive(Clone, Debug, PartialEq)]
pub struct InfoBlock {
    pub case_number: String,
    pub convictions_on_record: usize,
    pub date: Instant,
    pub superstrikes: String,
    pub pc290_sections: String,
    pub pc290_registration: bool,
    /// Years from this conviction to compute-at (`None` for the zero date: `-1.0`).
    pub years_since_this: Option<f64>,
    pub years_since_any: Option<f64>,
    pub prop64_count: usize,
    pub prop64_by_section: [usize; 4],
    pub deceased: bool,
    pub determination: Determination,
}

/// One evaluated conviction, keyed by its data-row index.
#[derive(Clone, Debug, PartialEq)]
pub struct RowResult {
    pub row_index: u64,
    pub subject_index: usize,
    pub info: InfoBlock,
}

/// The results of one file: rows in row order, plus the summary.
pub struct Evaluation {
    pub rows: Vec<RowResult>,
    pub summary: Summary,
}

/// The dates a run measures from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunDates {
    /// Every rule's "now".
    pub compute_at: Instant,
    /// The "convictions in the last 7 years" statistic counts back from here. gogen used
    /// the wall clock; we default to compute-at so results are reproducible.
    pub last_7_years_from: Instant,
}

impl RunDates {
    pub fn at(compute_at: Instant) -> RunDates {
        RunDates {
            compute_at,
            last_7_years_from: compute_at,
        }
    }
}

/// Evaluates every subject of a grouped file.
pub fn evaluate(
    grouped: &Grouped,
    policy: &Policy,
    county: &str,
    dates: RunDates,
    line_count: u64,
) -> Evaluation {
    let ctx = Ctx {
        sections: &grouped.sections,
        county: grouped.counties.lookup(county.as_bytes()),
        compute_at: dates.compute_at,
    };
    let mut summary = Summary::new(SummaryShape::for_policy(policy), county, dates, line_count)
        .counting_related_outcomes(policy.flow.evaluates_related());
    let mut rows = Vec::new();
    for (subject_index, subject) in grouped.subjects.iter().enumerate() {
        let decided = evaluate_subject(&ctx, policy, subject);
        summary.add_subject(&ctx, subject, &decided);
        rows.extend(decided.into_iter().map(|(ci, info)| RowResult {
            row_index: subject.convictions[ci].row_index,
            subject_index,
            info,
        }));
    }
    rows.sort_unstable_by_key(|r| r.row_index);
    Evaluation { rows, summary }
}

/// The selected convictions of one subject (by index into its convictions) with their
/// info blocks.
pub fn evaluate_subject(
    ctx: &Ctx<'_>,
    policy: &Policy,
    subject: &Subject,
) -> Vec<(usize, InfoBlock)> {
    let facts = SubjectFacts::of(subject, ctx.sections);
    let view = SubjectView {
        subject,
        facts: &facts,
    };
    let la = match policy.flow {
        FlowSpec::LosAngeles(_) => Some(LaFacts::of(ctx, &view)),
        _ => None,
    };
    let selects = |c: &Conviction| match &policy.flow {
        FlowSpec::Configurable(_) => configurable::selects(ctx, c),
        FlowSpec::LosAngeles(_) => los_angeles::selects(ctx, c),
        FlowSpec::CountyPilot(p) => county_pilots::selects(*p, ctx, c),
        FlowSpec::Statute => statute::selects(ctx, c),
    };
    let superstrikes = match &la {
        Some(la) => la.superstrike_column(),
        None => join_sections(&facts.superstrikes, ctx.sections),
    };
    let pc290_sections = join_sections(&facts.pc290_sections, ctx.sections);
    let years = |d: Instant| (!d.is_zero()).then(|| ctx.compute_at.years_since(d));
    subject
        .convictions
        .iter()
        .enumerate()
        .filter(|(_, c)| selects(c))
        .map(|(i, c)| {
            let determination = match &policy.flow {
                FlowSpec::Configurable(o) => configurable::decide(o, ctx, &view, c),
                FlowSpec::LosAngeles(p) => {
                    los_angeles::decide(*p, ctx, &view, la.as_ref().expect("LA facts"), c)
                }
                FlowSpec::CountyPilot(p) => county_pilots::decide(*p, ctx, &view, c),
                FlowSpec::Statute => statute::decide(ctx, &view, c),
            };
            let determination = explained(determination, policy, ctx, &view, c);
            let info = InfoBlock {
                case_number: subject.case_number(c.case_key()),
                convictions_on_record: facts.conviction_count,
                date: c.date,
                superstrikes: superstrikes.clone(),
                pc290_sections: pc290_sections.clone(),
                pc290_registration: subject.pc290_registration,
                years_since_this: years(c.date),
                years_since_any: years(facts.most_recent),
                prop64_count: facts.prop64_count,
                prop64_by_section: facts.prop64_by_section,
                deceased: subject.deceased,
                determination,
            };
            (i, info)
        })
        .collect()
}

/// Completes a flow's decision with what every policy's determinations carry: a
/// citation (the gogen flows cite the county policy they reproduce), the subject-level
/// facts the flows read, and the relief track.
fn explained(
    mut d: Determination,
    policy: &Policy,
    ctx: &Ctx<'_>,
    view: &SubjectView<'_>,
    c: &Conviction,
) -> Determination {
    if d.citation.is_empty() {
        d.citation = match policy.flow {
            FlowSpec::Configurable(_) => {
                "County policy under H&S 11361.9: gogen 0.2.13 configurable flow (options file)"
            }
            FlowSpec::LosAngeles(_) => {
                "Los Angeles County policy under H&S 11361.9 (gogen_pilots los_angeles flow)"
            }
            FlowSpec::CountyPilot(_) => "County policy under H&S 11361.9 (gogen_pilots flow)",
            FlowSpec::Statute => "H&S 11361.8",
        };
    }
    if d.track == Track::Unknown {
        d.track = statute::track(d.outcome, c, ctx.compute_at);
    }
    if d.facts.is_empty() {
        let date = date_or_unknown;
        let f = view.facts;
        d.facts = vec![
            Fact::new("code_section", ctx.sections.get(c.section).text_lossy()),
            Fact::new("felony", c.felony),
            Fact::new("conviction_date", date(c.date)),
            Fact::new("convictions_on_record", f.conviction_count),
            Fact::new("prop64_convictions", f.prop64_count),
            Fact::new("most_recent_conviction", date(f.most_recent)),
            Fact::new("superstrike_convictions", f.superstrikes.len()),
            Fact::new("pc290_convictions", f.pc290_sections.len()),
            Fact::new("pc290_registration", view.subject.pc290_registration),
            Fact::new("deceased", view.subject.deceased),
        ];
    }
    d.facts.push(Fact::new(
        "sentence_ends",
        date_or_unknown(c.served_until()),
    ));
    d
}

/// An ISO date, or "unknown" for the zero time.
pub fn date_or_unknown(i: Instant) -> String {
    if i.is_zero() {
        "unknown".to_owned()
    } else {
        i.iso_date()
    }
}

/// Convictions dated strictly after this are "in the last 7 years" (spec §5.3).
pub fn last_7_years_start(last_7_years_from: Instant) -> Instant {
    last_7_years_from.add_date(-7, 0, 0)
}

/// The three "no longer have…" counts for one subject under a set of outcomes
/// (spec §5.3): `outcome_of(i)` is the outcome of conviction i, if it was evaluated.
pub fn relief_of(
    subject: &Subject,
    last_7_years_from: Instant,
    outcome_of: impl Fn(usize) -> Option<Outcome>,
) -> Relief {
    let convictions = &subject.convictions;
    let mut r = Relief::default();
    let felonies: Vec<usize> = (0..convictions.len())
        .filter(|&i| convictions[i].felony)
        .collect();
    if !felonies.is_empty()
        && felonies
            .iter()
            .all(|&i| outcome_of(i).is_some_and(Outcome::is_relief))
    {
        r.no_felony = 1;
    }
    let dismissed = |i: usize| outcome_of(i) == Some(Outcome::Dismissal);
    if !convictions.is_empty() && (0..convictions.len()).all(dismissed) {
        r.no_conviction = 1;
    }
    let window = last_7_years_start(last_7_years_from);
    let recent: Vec<usize> = (0..convictions.len())
        .filter(|&i| convictions[i].date > window)
        .collect();
    if !recent.is_empty() && recent.iter().all(|&i| dismissed(i)) {
        r.no_conviction_last_7_years = 1;
    }
    r
}
