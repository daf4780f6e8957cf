//! The decision path of one subject: for every conviction a policy evaluates, the rules
//! tried in order up to the one that decided. The statute policy tries its whole decision
//! table; the gogen flows report the rule that fired (their rules are gogen's code paths,
//! not a table).

use cmr_record::Subject;

use crate::determination::Outcome;
use crate::evaluate::{InfoBlock, evaluate_subject};
use crate::facts::SubjectFacts;
use crate::flows::{Ctx, SubjectView, statute};
use crate::policy::{FlowSpec, Policy};

/// One rule tried.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    pub rule: &'static str,
    /// The rule's condition in words.
    pub when: String,
    pub matched: bool,
    /// What the rule gives when it matches.
    pub outcome: Outcome,
    pub citation: &'static str,
}

/// One evaluated conviction with its path.
#[derive(Clone, Debug)]
pub struct Explained {
    /// Index into the subject's convictions.
    pub conviction: usize,
    /// The same block `evaluate` produces (its determination is the path's last step).
    pub info: InfoBlock,
    pub steps: Vec<Step>,
}

/// Every conviction `policy` evaluates for `subject`, with its decision path.
pub fn explain_subject(ctx: &Ctx<'_>, policy: &Policy, subject: &Subject) -> Vec<Explained> {
    let facts = SubjectFacts::of(subject, ctx.sections);
    let view = SubjectView {
        subject,
        facts: &facts,
    };
    evaluate_subject(ctx, policy, subject)
        .into_iter()
        .map(|(i, info)| {
            let steps = match policy.flow {
                FlowSpec::Statute => {
                    let (_, steps) = statute::explain(ctx, &view, &subject.convictions[i]);
                    steps
                        .into_iter()
                        .map(|s| Step {
                            rule: s.rule.id,
                            when: s.rule.when.to_owned(),
                            matched: s.matched,
                            outcome: s.rule.outcome,
                            citation: s.rule.citation,
                        })
                        .collect()
                }
                _ => {
                    let d = &info.determination;
                    vec![Step {
                        rule: d.rule,
                        when: d.reason.clone(),
                        matched: true,
                        outcome: d.outcome,
                        citation: d.citation,
                    }]
                }
            };
            Explained {
                conviction: i,
                info,
                steps,
            }
        })
        .collect()
}
