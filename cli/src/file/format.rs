//! Responses to text: pure functions, no I/O. Tables for people, a flat JSON shape for
//! `--json`. Batches, documents and courts carry no personal data; the filings table shows
//! ids, sections and relief only (names stay in the documents).

use std::fmt::Write as _;

use cmr_proto::common::v1 as common;
use cmr_proto::filing::v1 as pb;

use crate::review::format::{code_name, date_text, instant_text, kebab, table};
use crate::review::json::Json;

macro_rules! enum_text {
    ($name:ident, $ty:ty, $prefix:literal) => {
        pub fn $name(value: i32) -> String {
            match <$ty>::try_from(value) {
                Ok(v) => kebab(v.as_str_name(), $prefix),
                Err(_) => format!("unknown-{value}"),
            }
        }
    };
}

enum_text!(kind_text, pb::DocumentKind, "DOCUMENT_KIND_");
enum_text!(
    batch_status_text,
    pb::FilingBatchStatus,
    "FILING_BATCH_STATUS_"
);
enum_text!(filing_status_text, pb::FilingStatus, "FILING_STATUS_");
enum_text!(decision_text, pb::CourtDecision, "COURT_DECISION_");
enum_text!(relief_text, common::ReliefType, "RELIEF_TYPE_");
enum_text!(dimension_text, pb::ImpactDimension, "IMPACT_DIMENSION_");

fn or_dash(text: String) -> String {
    if text.is_empty() {
        "-".to_owned()
    } else {
        text
    }
}

/// The one-line error for a refused call (`service` names the service for UNAVAILABLE).
pub fn error_text(status: &tonic::Status, service: &str, endpoint: &str) -> String {
    let mut text = format!("{}: {}", code_name(status.code()), status.message());
    match status.code() {
        tonic::Code::Unavailable => {
            let _ = write!(text, " ({service} service at {endpoint})");
        }
        tonic::Code::Unauthenticated => {
            text.push_str("\n  hint: give a token with --token or CMR_TOKEN");
        }
        tonic::Code::Unimplemented => {
            let _ = write!(
                text,
                "\n  hint: the {service} service at {endpoint} does not offer this call yet"
            );
        }
        _ => {}
    }
    text
}

// ---------------------------------------------------------------------------------------
// Courts
// ---------------------------------------------------------------------------------------

pub fn courts_table(courts: &[pb::Court]) -> String {
    let rows: Vec<Vec<String>> = courts
        .iter()
        .map(|c| {
            vec![
                c.court_id.clone(),
                c.ori_codes.join(","),
                or_dash(c.branch_name.clone()),
                c.name.clone(),
            ]
        })
        .collect();
    table(&["COURT", "ORI", "BRANCH", "NAME"], &rows)
}

pub fn court_json(c: &pb::Court) -> Json {
    Json::Obj(vec![
        ("court_id", Json::str(&c.court_id)),
        ("name", Json::str(&c.name)),
        ("branch_name", Json::opt(&c.branch_name)),
        ("ori_codes", Json::strs(&c.ori_codes)),
        ("address_lines", Json::strs(&c.address_lines)),
    ])
}

// ---------------------------------------------------------------------------------------
// Batches and documents
// ---------------------------------------------------------------------------------------

/// One batch as a few `key: value` lines.
pub fn batch_text(b: &pb::FilingBatch) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "batch {}", b.filing_batch_id);
    let _ = writeln!(out, "  status:    {}", batch_status_text(b.status));
    let _ = writeln!(out, "  court:     {}", b.court_id);
    let _ = writeln!(out, "  agency:    {}", b.agency_id);
    let _ = writeln!(
        out,
        "  filings:   {} ({} granted, {} denied)",
        b.filings, b.granted, b.denied
    );
    let _ = writeln!(
        out,
        "  dated:     {}",
        or_dash(date_text(b.document_date.as_ref()))
    );
    if b.filed_on.is_some() {
        let _ = writeln!(out, "  filed on:  {}", date_text(b.filed_on.as_ref()));
    }
    if !b.court_filing_reference.is_empty() {
        let _ = writeln!(out, "  reference: {}", b.court_filing_reference);
    }
    out
}

pub fn batch_json(b: &pb::FilingBatch) -> Json {
    Json::Obj(vec![
        ("filing_batch_id", Json::str(&b.filing_batch_id)),
        ("status", Json::opt(batch_status_text(b.status))),
        ("court_id", Json::str(&b.court_id)),
        ("agency_id", Json::str(&b.agency_id)),
        ("filings", Json::Int(b.filings)),
        ("granted", Json::Int(b.granted)),
        ("denied", Json::Int(b.denied)),
        (
            "document_date",
            Json::opt(date_text(b.document_date.as_ref())),
        ),
        ("filed_on", Json::opt(date_text(b.filed_on.as_ref()))),
        (
            "court_filing_reference",
            Json::opt(&b.court_filing_reference),
        ),
        ("document_ids", Json::strs(&b.document_ids)),
    ])
}

pub fn batches_table(batches: &[pb::FilingBatch]) -> String {
    let rows: Vec<Vec<String>> = batches
        .iter()
        .map(|b| {
            vec![
                b.filing_batch_id.clone(),
                batch_status_text(b.status),
                b.court_id.clone(),
                b.agency_id.clone(),
                b.filings.to_string(),
                or_dash(date_text(b.document_date.as_ref())),
                or_dash(date_text(b.filed_on.as_ref())),
            ]
        })
        .collect();
    table(
        &[
            "BATCH", "STATUS", "COURT", "AGENCY", "FILINGS", "DATED", "FILED",
        ],
        &rows,
    )
}

fn file_info(d: &pb::Document) -> common::FileInfo {
    d.file.clone().unwrap_or_default()
}

pub fn documents_table(documents: &[pb::Document]) -> String {
    let rows: Vec<Vec<String>> = documents
        .iter()
        .map(|d| {
            let f = file_info(d);
            vec![
                d.document_id.clone(),
                kind_text(d.kind),
                d.filing_ids.len().to_string(),
                f.size_bytes.to_string(),
                f.file_name,
            ]
        })
        .collect();
    table(&["DOCUMENT", "KIND", "FILINGS", "BYTES", "FILE"], &rows)
}

pub fn document_json(d: &pb::Document) -> Json {
    let f = file_info(d);
    Json::Obj(vec![
        ("document_id", Json::str(&d.document_id)),
        ("filing_batch_id", Json::str(&d.filing_batch_id)),
        ("kind", Json::opt(kind_text(d.kind))),
        ("subject_id", Json::opt(&d.subject_id)),
        (
            "filings",
            Json::Int(i64::try_from(d.filing_ids.len()).unwrap_or(i64::MAX)),
        ),
        ("file_name", Json::str(f.file_name)),
        ("media_type", Json::str(f.media_type)),
        ("size_bytes", Json::Int(f.size_bytes)),
        ("sha256", Json::str(f.sha256)),
        ("template_id", Json::opt(&d.template_id)),
    ])
}

/// `cmr file generate`: the batch, then its documents.
pub fn generated_text(batch: &pb::FilingBatch, documents: &[pb::Document]) -> String {
    format!(
        "{}{} documents\n{}",
        batch_text(batch),
        documents.len(),
        documents_table(documents)
    )
}

pub fn generated_json(batch: &pb::FilingBatch, documents: &[pb::Document]) -> Json {
    let mut value = batch_json(batch);
    if let Json::Obj(fields) = &mut value {
        fields.push((
            "documents",
            Json::Arr(documents.iter().map(document_json).collect()),
        ));
    }
    value
}

// ---------------------------------------------------------------------------------------
// Filings and outcomes
// ---------------------------------------------------------------------------------------

pub fn filings_table(filings: &[pb::Filing]) -> String {
    let rows: Vec<Vec<String>> = filings
        .iter()
        .map(|f| {
            let r = f.relief.clone().unwrap_or_default();
            vec![
                f.filing_id.clone(),
                filing_status_text(f.status),
                or_dash(f.court_id.clone()),
                or_dash(f.filing_batch_id.clone()),
                r.subject_id,
                or_dash(r.prop64_section),
                relief_text(r.relief_type),
            ]
        })
        .collect();
    table(
        &[
            "FILING", "STATUS", "COURT", "BATCH", "SUBJECT", "SECTION", "RELIEF",
        ],
        &rows,
    )
}

pub fn filing_json(f: &pb::Filing) -> Json {
    let r = f.relief.clone().unwrap_or_default();
    Json::Obj(vec![
        ("filing_id", Json::str(&f.filing_id)),
        ("status", Json::opt(filing_status_text(f.status))),
        ("court_id", Json::opt(&f.court_id)),
        ("filing_batch_id", Json::opt(&f.filing_batch_id)),
        ("agency_id", Json::opt(r.agency_id)),
        ("review_item_id", Json::str(r.review_item_id)),
        ("run_id", Json::opt(r.run_id)),
        ("subject_id", Json::str(r.subject_id)),
        ("court_ori_code", Json::opt(r.court_ori_code)),
        ("prop64_section", Json::opt(r.prop64_section)),
        ("relief_type", Json::opt(relief_text(r.relief_type))),
        ("filed_on", Json::opt(date_text(f.filed_on.as_ref()))),
        (
            "outcome_id",
            Json::opt(
                f.outcome
                    .as_ref()
                    .map(|o| o.outcome_id.clone())
                    .unwrap_or_default(),
            ),
        ),
    ])
}

/// One recorded outcome, one line.
pub fn outcome_line(o: &pb::CourtOutcome) -> String {
    let mut line = format!(
        "{}: {} on {}",
        o.filing_id,
        decision_text(o.decision),
        date_text(o.decided_on.as_ref())
    );
    if !o.order_number.is_empty() {
        let _ = write!(line, ", order {}", o.order_number);
    }
    if o.granted_relief != 0 {
        let _ = write!(line, ", {}", relief_text(o.granted_relief));
    }
    let _ = write!(line, " (outcome {}", o.outcome_id);
    if !o.supersedes_outcome_id.is_empty() {
        let _ = write!(line, ", supersedes {}", o.supersedes_outcome_id);
    }
    line.push(')');
    line
}

pub fn outcome_json(o: &pb::CourtOutcome) -> Json {
    Json::Obj(vec![
        ("outcome_id", Json::str(&o.outcome_id)),
        ("filing_id", Json::str(&o.filing_id)),
        ("decision", Json::opt(decision_text(o.decision))),
        ("decided_on", Json::opt(date_text(o.decided_on.as_ref()))),
        ("order_number", Json::opt(&o.order_number)),
        ("granted_relief", Json::opt(relief_text(o.granted_relief))),
        ("supersedes_outcome_id", Json::opt(&o.supersedes_outcome_id)),
        (
            "recorded_at",
            Json::opt(instant_text(o.recorded_at.as_ref().map(|t| t.seconds))),
        ),
    ])
}

// ---------------------------------------------------------------------------------------
// Impact
// ---------------------------------------------------------------------------------------

/// A cell's count, or the suppression marker.
fn count(n: i64, suppressed: bool, threshold: i32) -> String {
    if suppressed {
        format!("<{threshold}")
    } else {
        n.to_string()
    }
}

/// What `cmr file report` prints after writing the files: the totals, and gogen's three
/// subject counts or "not available".
pub fn report_text(
    report: &pb::ImpactReportResponse,
    counts: Option<&cmr_filing::documents::impact::SubjectCounts>,
    run: Option<&str>,
) -> String {
    let mut out = String::new();
    let total = report.total.clone().unwrap_or_default();
    let threshold = report.min_cell_size;
    let _ = writeln!(
        out,
        "{}: {} people, {} convictions in {} cells ({} suppressed below {threshold} people)",
        run.map_or_else(|| "county".to_owned(), |r| format!("run {r}")),
        count(total.people, total.suppressed, threshold),
        count(total.convictions, total.suppressed, threshold),
        report.cells.len(),
        report.suppressed_cells
    );
    let line = |out: &mut String, label: &str, value: Option<i64>| {
        let _ = writeln!(
            out,
            "  {label}: {}",
            value.map_or_else(|| "not available".to_owned(), |v| v.to_string())
        );
    };
    line(
        &mut out,
        "no longer have a felony",
        counts.map(|c| c.no_felonies),
    );
    line(&mut out, "no convictions", counts.map(|c| c.no_convictions));
    line(
        &mut out,
        "no convictions in the last 7 years",
        counts.map(|c| c.no_convictions_last_7_years),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcome_lines_read_plainly() {
        let o = pb::CourtOutcome {
            outcome_id: "O2".into(),
            filing_id: "F1".into(),
            decision: pb::CourtDecision::Granted as i32,
            decided_on: Some(common::CivilDate {
                year: 2026,
                month: 12,
                day: 3,
            }),
            order_number: "ORD-9".into(),
            granted_relief: common::ReliefType::DismissAndSeal as i32,
            supersedes_outcome_id: "O1".into(),
            ..Default::default()
        };
        assert_eq!(
            outcome_line(&o),
            "F1: granted on 2026-12-03, order ORD-9, dismiss-and-seal (outcome O2, supersedes O1)"
        );
    }

    #[test]
    fn missing_subject_counts_say_not_available() {
        let report = pb::ImpactReportResponse {
            total: Some(pb::ImpactCell {
                people: 3,
                convictions: 4,
                suppressed: true,
                ..Default::default()
            }),
            min_cell_size: 11,
            ..Default::default()
        };
        let text = report_text(&report, None, Some("R1"));
        assert_eq!(
            text,
            "run R1: <11 people, <11 convictions in 0 cells (0 suppressed below 11 people)\n  no longer have a felony: not available\n  no convictions: not available\n  no convictions in the last 7 years: not available\n"
        );
    }
}
