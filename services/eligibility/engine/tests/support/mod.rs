#![allow(dead_code)] // each test crate uses only part of the support module
//! Builds DOJ files in memory and runs them through the reader, grouping and engine,
//! for the decision tests (`decisions.rs`, `statute.rs`).

use std::io::Cursor;

use cmr_engine::{EligibilityOptions, Evaluation, Policy, RunDates, evaluate};
use cmr_record::columns::{
    self, CNT_ORDER, CONV_STAT_DESCR, DISP_DESCR, FIELD_COUNT, OFFENSE_DESCR, OFFENSE_TOC, PRI_DOB,
    STP_EVENT_DATE, STP_ORI_CNTY_NAME, STP_TYPE_DESCR, SUBJECT_ID,
};
use cmr_record::subject::ShortCntOrder;
use cmr_record::{CommentFallback, DojReader, FieldCheck, Grouped, Instant, SubjectBuilder};

/// Values every row starts with: a felony HS 11360 conviction in Sacramento.
const DEFAULTS: &[(usize, &str)] = &[
    (SUBJECT_ID, "S1"),
    (PRI_DOB, "19800101"),
    (STP_EVENT_DATE, "20100101"),
    (STP_TYPE_DESCR, "COURT ACTION"),
    (STP_ORI_CNTY_NAME, "SACRAMENTO"),
    (CNT_ORDER, "101001001000"),
    (OFFENSE_DESCR, "11360 HS-SELL/TRANSPORT/ETC MARIJUANA/HASH"),
    (OFFENSE_TOC, "F"),
    (DISP_DESCR, "CONVICTED-JAIL"),
    (CONV_STAT_DESCR, "FELONY"),
];

/// RFC 4180: quote a field only when it holds a comma, a quote or a line break.
fn quote(field: &str) -> String {
    if field.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

/// One 95-field CSV line: the defaults, overridden by `fields`.
pub fn row(fields: &[(usize, &str)]) -> String {
    let mut values = vec![""; FIELD_COUNT];
    for &(i, v) in DEFAULTS.iter().chain(fields) {
        values[i] = v;
    }
    values
        .iter()
        .map(|v| quote(v))
        .collect::<Vec<_>>()
        .join(",")
}

/// A whole file: the 95-name header line, then the rows.
fn file(rows: &[String]) -> Vec<u8> {
    let mut text = columns::NAMES.join(",");
    text.push('\n');
    for r in rows {
        text.push_str(r);
        text.push('\n');
    }
    text.into_bytes()
}

/// Reads and groups a file; a short `CNT_ORDER` comes back with its data-row index.
pub fn try_group(rows: &[String]) -> Result<(Grouped, u64), (u64, ShortCntOrder)> {
    let mut reader =
        DojReader::new(Cursor::new(file(rows)), FieldCheck::Strict95).expect("the file opens");
    assert!(reader.had_header);
    let mut builder = SubjectBuilder::new(CommentFallback::TrimmedOrEmpty);
    while let Some(r) = reader.next_row().expect("valid CSV") {
        builder
            .add_row(r.index, r.record)
            .map_err(|e| (r.index, e))?;
    }
    let lines = reader.rows_read();
    assert_eq!(lines, rows.len() as u64);
    Ok((builder.finish(), lines))
}

pub fn group(rows: &[String]) -> Grouped {
    try_group(rows).expect("no short CNT_ORDER").0
}

pub fn run_in(county: &str, rows: &[String], policy: &Policy, dates: RunDates) -> Evaluation {
    let (grouped, lines) = try_group(rows).expect("no short CNT_ORDER");
    evaluate(&grouped, policy, county, dates, lines)
}

/// Evaluates for county SACRAMENTO.
pub fn run(rows: &[String], policy: &Policy, dates: RunDates) -> Evaluation {
    run_in("SACRAMENTO", rows, policy, dates)
}

pub fn date(iso: &str) -> Instant {
    Instant::parse_iso_date(iso).expect("valid test date")
}

/// The configurable flow with these options.
pub fn options(o: EligibilityOptions) -> Policy {
    Policy::configurable(o)
}
