//! The decision path of one subject: the same grouping and evaluation as a run
//! ([`RunEvaluation`]), plus every rule tried for every evaluated conviction. For the
//! statute flow that is its decision table up to the deciding row
//! ([`cmr_engine::flows::statute::explain`]); the gogen flows report their deciding rule.
//!
//! Fact values, and so everything here, may be personal: never log them.

use std::collections::HashSet;

use cmr_engine::facts::{SubjectFacts, join_sections};
use cmr_engine::flows::statute;
use cmr_engine::flows::{Ctx, SubjectView};
use cmr_engine::{Fact, FlowSpec, Outcome, Policy};
use cmr_record::columns as col;
use cmr_record::{Instant, Subject};

use crate::domain::evaluate::{Decided, EvalError, RawRow, RunEvaluation};

/// One rule tried while deciding one conviction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExplainStep {
    /// `POLICY@VERSION/RULE`.
    pub rule_id: String,
    pub description: String,
    pub matched: bool,
    /// The outcome the rule gives when it matches.
    pub outcome: Outcome,
    pub citation: String,
    /// The facts read, on the deciding step only.
    pub facts: Vec<Fact>,
}

/// One evaluated conviction: its determination and the rules tried, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExplainedConviction {
    pub decided: Decided,
    pub steps: Vec<ExplainStep>,
}

/// Why a row of the subject got no determination.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Skip {
    NotConvicted,
    OtherCounty,
    NotSelectedSection,
    DuplicateCntOrder,
}

/// A row of the subject that was not evaluated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkippedRow {
    pub row_index: i64,
    pub cnt_order: String,
    /// The conviction's code section; empty for rows that made no conviction.
    pub code_section: String,
    pub reason: Skip,
}

/// Everything Explain says about one subject.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExplainedSubject {
    /// Subject-level derived values, in a fixed order.
    pub facts: Vec<Fact>,
    /// One per evaluated conviction, in row order.
    pub convictions: Vec<ExplainedConviction>,
    /// Rows not evaluated, in row order.
    pub skipped: Vec<SkippedRow>,
}

/// Explains one subject's rows (in row order) under `policy` for `county` at `compute_at`.
pub fn explain_subject(
    policy: Policy,
    county: &str,
    compute_at: Instant,
    rows: &[RawRow],
) -> Result<ExplainedSubject, EvalError> {
    let mut evaluation = RunEvaluation::new(policy, county, compute_at, 0);
    let policy = evaluation.policy().clone();
    let mut out = ExplainedSubject::default();
    let mut convicted_rows: HashSet<i64> = HashSet::new();
    let mut cnt_orders: HashSet<Vec<u8>> = HashSet::new();
    let mut skipped = Vec::new();
    evaluation.each_subject(rows, |ctx, subject, decided| {
        let facts = SubjectFacts::of(subject, ctx.sections);
        out.facts.extend(subject_facts(ctx, subject, &facts));
        let view = SubjectView {
            subject,
            facts: &facts,
        };
        let evaluated: HashSet<usize> = decided.iter().map(|(ci, _)| *ci).collect();
        for (ci, c) in subject.convictions.iter().enumerate() {
            let row_index = i64::try_from(c.row_index).unwrap_or(-1);
            convicted_rows.insert(row_index);
            cnt_orders.insert(c.cnt_order.to_vec());
            if !evaluated.contains(&ci) {
                skipped.push(SkippedRow {
                    row_index,
                    cnt_order: String::from_utf8_lossy(&c.cnt_order).into_owned(),
                    code_section: ctx.sections.get(c.section).text_lossy(),
                    reason: if ctx.in_county(c) {
                        Skip::NotSelectedSection
                    } else {
                        Skip::OtherCounty
                    },
                });
            }
        }
        for (ci, d) in decided {
            let steps = steps_of(&policy, ctx, &view, &subject.convictions[ci], &d);
            out.convictions
                .push(ExplainedConviction { decided: d, steps });
        }
    })?;
    for row in rows {
        if convicted_rows.contains(&row.row_index) {
            continue;
        }
        let cnt_order = row.record.field(col::CNT_ORDER);
        skipped.push(SkippedRow {
            row_index: row.row_index,
            cnt_order: String::from_utf8_lossy(cnt_order).into_owned(),
            code_section: String::new(),
            reason: if cnt_orders.contains(cnt_order) {
                Skip::DuplicateCntOrder
            } else {
                Skip::NotConvicted
            },
        });
    }
    skipped.sort_by_key(|s| s.row_index);
    out.skipped = skipped;
    out.convictions.sort_by_key(|c| c.decided.row_index);
    Ok(out)
}

fn rule_id(policy: &Policy, rule: &str) -> String {
    format!("{}@{}/{}", policy.name, policy.version, rule)
}

/// The rules tried for one conviction: the statute table up to the deciding row, or the
/// gogen flows' deciding rule alone.
fn steps_of(
    policy: &Policy,
    ctx: &Ctx<'_>,
    view: &SubjectView<'_>,
    conviction: &cmr_record::Conviction,
    d: &Decided,
) -> Vec<ExplainStep> {
    let deciding = || ExplainStep {
        rule_id: d.rule_id.clone(),
        description: d.reason.clone(),
        matched: true,
        outcome: d.outcome,
        citation: d.citation.clone(),
        facts: d.facts.clone(),
    };
    if !matches!(policy.flow, FlowSpec::Statute) {
        return vec![deciding()];
    }
    let (_, tried) = statute::explain(ctx, view, conviction);
    let mut steps: Vec<ExplainStep> = tried
        .iter()
        .map(|step| ExplainStep {
            rule_id: rule_id(policy, step.rule.id),
            description: step.rule.when.to_owned(),
            matched: step.matched,
            outcome: step.rule.outcome,
            citation: step.rule.citation.to_owned(),
            // The determination's facts (the engine adds subject-level ones to the
            // table's), on the deciding step.
            facts: if step.matched {
                d.facts.clone()
            } else {
                Vec::new()
            },
        })
        .collect();
    // No row matched (the engine's catch-all): the determination itself decides.
    if !steps.last().is_some_and(|s| s.matched) {
        steps.push(deciding());
    }
    steps
}

/// The subject-level values every flow reads.
fn subject_facts(ctx: &Ctx<'_>, subject: &Subject, f: &SubjectFacts) -> Vec<Fact> {
    let date = |i: Instant| {
        if i.is_zero() {
            "unknown".to_owned()
        } else {
            i.iso_date()
        }
    };
    let [s57, s58, s59, s60] = f.prop64_by_section;
    vec![
        Fact::new("convictions_on_record", f.conviction_count),
        Fact::new("prop64_convictions", f.prop64_count),
        Fact::new("hs_11357_convictions", s57),
        Fact::new("hs_11358_convictions", s58),
        Fact::new("hs_11359_convictions", s59),
        Fact::new("hs_11360_convictions", s60),
        Fact::new("most_recent_conviction", date(f.most_recent)),
        Fact::new(
            "superstrike_code_sections",
            join_sections(&f.superstrikes, ctx.sections),
        ),
        Fact::new(
            "pc290_code_sections",
            join_sections(&f.pc290_sections, ctx.sections),
        ),
        Fact::new("pc290_registration", subject.pc290_registration),
        Fact::new("deceased", subject.deceased),
        Fact::new("date_of_birth", date(subject.dob)),
    ]
}
