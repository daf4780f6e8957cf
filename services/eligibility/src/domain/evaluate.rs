//! One run's evaluation, subject by subject: each subject's raw rows (from ingest, in row
//! order) are grouped again with a fresh `SubjectBuilder` under the policy's reading rules
//! and decided by the engine. Subjects are independent, so this gives exactly what
//! `cmr evaluate` gives for the whole file, while memory holds one subject at a time.

use std::collections::BTreeMap;

use cmr_engine::evaluate::evaluate_subject;
use cmr_engine::flows::Ctx;
use cmr_engine::output::{Column, cell, columns_for, possible_other_p64};
use cmr_engine::pilot_report::{self, ReportStyle};
use cmr_engine::summary::SummaryShape;
use cmr_engine::{Fact, Outcome, Policy, RunDates, Summary, Track, reading_rules};
use cmr_record::columns as col;
use cmr_record::gocsv::Record;
use cmr_record::sections::SectionTable;
use cmr_record::subject::Interner;
use cmr_record::{CommentFallback, Instant, Subject, SubjectBuilder};

use crate::domain::cells;
use crate::domain::model::{
    RecordFacts, RunTotals, StoredDetermination, facts_json, outcome_code, track_code,
};

/// One raw DOJ row of a subject: its data-row index and its fields.
#[derive(Clone, Debug)]
pub struct RawRow {
    pub row_index: i64,
    pub record: Record,
}

/// A determination ready to store (without its run id).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decided {
    pub row_index: i64,
    pub outcome: Outcome,
    pub reason: String,
    /// `POLICY@VERSION/RULE`.
    pub rule_id: String,
    /// Machine reason code, UPPER_SNAKE (`Determination::reason_code`).
    pub code: String,
    pub citation: String,
    /// The facts the deciding rule read. Values may be personal: never log them.
    pub facts: Vec<Fact>,
    pub track: Track,
    pub cells: Vec<u8>,
    /// The conviction's and the person's particulars. Personal: never log them.
    pub record: RecordFacts,
}

impl Decided {
    /// The determination to store for run `run_id` and subject `subject_id`.
    #[must_use]
    pub fn stored(self, run_id: &str, subject_id: &str) -> StoredDetermination {
        StoredDetermination {
            run_id: run_id.to_owned(),
            row_index: self.row_index,
            subject_id: subject_id.to_owned(),
            outcome: outcome_code(self.outcome),
            reason: self.reason,
            rule_id: self.rule_id,
            cells: self.cells,
            reason_code: self.code,
            citation: self.citation,
            facts_json: facts_json(&self.facts),
            track: track_code(self.track),
            record: self.record,
        }
    }
}

/// DOJ columns read only here (spec §1.1 positions; checked against the name table below).
const REQ_NAME: usize = 5;
const RACE_CODE: usize = 21;
const STP_ORI_CODE: usize = 45;

/// A field as given: trimmed, and empty for a blank or the `-` DOJ files (and gogen's
/// generator) write for "no value".
fn given(record: &Record, column: usize) -> String {
    match record.field(column).trim_ascii() {
        b"-" => String::new(),
        text => String::from_utf8_lossy(text).into_owned(),
    }
}

/// The person of a grouped subject, from its first row (as gogen reads the name and the
/// date of birth): name, other names, date of birth, CII, DOJ subject id and race.
fn person_of(rows: &[RawRow], subject: &Subject) -> RecordFacts {
    let mut own = rows
        .iter()
        .map(|r| &r.record)
        .filter(|r| r.field(col::SUBJECT_ID) == &*subject.id)
        .peekable();
    let Some(&first) = own.peek() else {
        return RecordFacts::default();
    };
    let name = given(first, col::PRI_NAME);
    let mut aliases: Vec<String> = Vec::new();
    for record in own {
        let alias = given(record, REQ_NAME);
        if !alias.is_empty() && alias != name && !aliases.contains(&alias) {
            aliases.push(alias);
        }
    }
    let date_of_birth = if subject.dob.is_zero() {
        String::new()
    } else {
        let (y, m, d) = subject.dob.ymd();
        format!("{y:04}-{m:02}-{d:02}")
    };
    RecordFacts {
        cii_number: given(first, col::CII_NUMBER),
        doj_subject_id: given(first, col::SUBJECT_ID),
        race_code: given(first, RACE_CODE),
        race_descr: given(first, col::RACE_DESCR),
        aliases: aliases.join("\n"),
        date_of_birth,
        name,
        ..RecordFacts::default()
    }
}

/// A subject the engine refuses (a row gogen would crash on).
#[derive(Debug, thiserror::Error)]
#[error("row {row_index}: {message}")]
pub struct EvalError {
    pub row_index: i64,
    pub message: String,
}

/// The state of one run's evaluation: the policy, the dates, and the summary so far.
pub struct RunEvaluation {
    policy: Policy,
    county: String,
    compute_at: Instant,
    fallback: CommentFallback,
    columns: &'static [Column],
    summary: Summary,
    subjects_with_relief: i64,
    convictions: i64,
    outcomes: BTreeMap<i16, i64>,
    /// Code sections and counties seen so far: kept across subjects, so each distinct code
    /// section is matched once per run.
    sections: SectionTable,
    counties: Interner,
}

impl RunEvaluation {
    /// A run of `policy` for `county` at `compute_at` over a batch of `line_count` rows.
    #[must_use]
    pub fn new(policy: Policy, county: &str, compute_at: Instant, line_count: u64) -> Self {
        let dates = RunDates::at(compute_at);
        let summary = Summary::new(SummaryShape::for_policy(&policy), county, dates, line_count)
            .counting_related_outcomes(policy.flow.evaluates_related());
        let (_, fallback) = reading_rules(&policy);
        Self {
            columns: columns_for(&policy),
            policy,
            county: county.to_owned(),
            compute_at,
            fallback,
            summary,
            subjects_with_relief: 0,
            convictions: 0,
            outcomes: BTreeMap::new(),
            sections: SectionTable::default(),
            counties: Interner::default(),
        }
    }

    /// Evaluates one subject's rows (in row order), adds it to the summary, and returns its
    /// determinations in row order.
    pub fn subject(&mut self, rows: &[RawRow]) -> Result<Vec<Decided>, EvalError> {
        let mut out = Vec::new();
        self.each_subject(rows, |_, _, decided| {
            out.extend(decided.into_iter().map(|(_, d)| d));
        })?;
        out.sort_by_key(|d| d.row_index);
        Ok(out)
    }

    /// The policy being run.
    #[must_use]
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// Groups one subject's rows (in row order) and evaluates every grouped subject: adds
    /// it to the summary and hands `each` the context, the subject and its determinations
    /// (with the index of the conviction each decides), in conviction order.
    pub(crate) fn each_subject(
        &mut self,
        rows: &[RawRow],
        mut each: impl FnMut(&Ctx<'_>, &Subject, Vec<(usize, Decided)>),
    ) -> Result<(), EvalError> {
        let mut builder = SubjectBuilder::with_tables(
            self.fallback,
            std::mem::take(&mut self.sections),
            std::mem::take(&mut self.counties),
        );
        for row in rows {
            let record = &row.record;
            let index = u64::try_from(row.row_index).map_err(|_| EvalError {
                row_index: row.row_index,
                message: "negative row index".to_owned(),
            })?;
            builder.add_row(index, record).map_err(|e| EvalError {
                row_index: row.row_index,
                message: e.to_string(),
            })?;
        }
        let grouped = builder.finish();
        let ctx = Ctx {
            sections: &grouped.sections,
            county: grouped.counties.lookup(self.county.as_bytes()),
            compute_at: self.compute_at,
        };
        for subject in &grouped.subjects {
            let decided = evaluate_subject(&ctx, &self.policy, subject);
            self.summary.add_subject(&ctx, subject, &decided);
            if decided
                .iter()
                .any(|(_, info)| info.determination.outcome.is_relief())
            {
                self.subjects_with_relief += 1;
            }
            let mut out = Vec::with_capacity(decided.len());
            let person = person_of(rows, subject);
            for (ci, info) in decided {
                let conviction = &subject.convictions[ci];
                let row_index = i64::try_from(conviction.row_index).unwrap_or(-1);
                let record = rows
                    .iter()
                    .position(|r| r.row_index == row_index)
                    .map(|i| &rows[i].record);
                let (offense, comment) = record.map_or((&[][..], &[][..]), |r| {
                    (r.field(col::OFFENSE_DESCR), r.field(col::COMMENT_TEXT))
                });
                let possible = possible_other_p64(offense, comment);
                let printed: Vec<_> = self
                    .columns
                    .iter()
                    .map(|&c| cell(c, Some(&info), possible))
                    .collect();
                let cells = cells::encode(printed.iter().map(AsRef::as_ref));
                let prop64 = [conviction.section, conviction.statute_section]
                    .into_iter()
                    .find_map(|id| ctx.sections.get(id).prop64);
                let row_facts = RecordFacts {
                    cnt_order: String::from_utf8_lossy(&conviction.cnt_order).into_owned(),
                    court_ori_code: record.map(|r| given(r, STP_ORI_CODE)).unwrap_or_default(),
                    court_ori_descr: record
                        .map(|r| given(r, col::STP_ORI_DESCR))
                        .unwrap_or_default(),
                    prop64_section: prop64.map(|s| s.as_str().to_owned()).unwrap_or_default(),
                    ..person.clone()
                };
                let d = info.determination;
                *self.outcomes.entry(outcome_code(d.outcome)).or_default() += 1;
                self.convictions += 1;
                out.push((
                    ci,
                    Decided {
                        row_index,
                        outcome: d.outcome,
                        rule_id: self.rule_id(d.rule),
                        code: d.reason_code(),
                        reason: d.reason,
                        citation: d.citation.to_owned(),
                        facts: d.facts,
                        track: d.track,
                        cells,
                        record: row_facts,
                    },
                ));
            }
            each(&ctx, subject, out);
        }
        self.sections = grouped.sections;
        self.counties = grouped.counties;
        Ok(())
    }

    /// `POLICY@VERSION/RULE`, the rule id written on determinations.
    #[must_use]
    pub fn rule_id(&self, rule: &str) -> String {
        format!("{}@{}/{}", self.policy.name, self.policy.version, rule)
    }

    /// The run's totals, with the summary JSON (`processing_seconds` as given).
    #[must_use]
    pub fn finish(mut self, processing_seconds: f64) -> RunTotals {
        self.summary.processing_seconds = processing_seconds;
        RunTotals {
            rows_received: i64::try_from(self.summary.line_count).unwrap_or(i64::MAX),
            subjects_evaluated: i64::try_from(self.summary.subjects).unwrap_or(i64::MAX),
            convictions_evaluated: self.convictions,
            subjects_with_relief: self.subjects_with_relief,
            outcome_counts: self.outcomes.into_iter().collect(),
            summary_json: self.summary.to_json(),
            report_text: ReportStyle::for_policy(&self.policy)
                .map(|style| pilot_report::render(&self.summary, &style))
                .unwrap_or_default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_positions_match_the_name_table() {
        assert_eq!(col::NAMES[REQ_NAME], "REQ_NAME");
        assert_eq!(col::NAMES[RACE_CODE], "RACE_CODE");
        assert_eq!(col::NAMES[STP_ORI_CODE], "STP_ORI_CODE");
    }

    #[test]
    fn blanks_and_dashes_are_no_value() {
        let record = Record::from_fields(&[
            b"  -  ".to_vec(),
            b" CA034015J ".to_vec(),
            Vec::new(),
            b"-x".to_vec(),
        ]);
        assert_eq!(given(&record, 0), "");
        assert_eq!(given(&record, 1), "CA034015J");
        assert_eq!(given(&record, 2), "");
        assert_eq!(given(&record, 3), "-x");
    }
}
