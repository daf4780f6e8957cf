//! Flags and files to request messages: pure functions, no I/O. What the API would refuse
//! anyway (a grant without an order number, a date that is not a date) is refused here
//! first, naming the flag, or the file, line and field.

use std::collections::HashMap;

use cmr_proto::common::v1 as common;
use cmr_proto::filing::v1 as pb;

use super::args::{
    BatchStatusArg, CourtPutArgs, DecisionArg, DimensionArg, DojUpdateArgs, FilingStatusArg,
    GenerateArgs, KindArg, MarkFiledArgs, RecordOutcomeArgs, ReliefArg, SignerArgs,
};
use crate::review::request::{Usage, parse_date};

fn usage(text: impl Into<String>) -> Usage {
    Usage(text.into())
}

fn key(key: &str) -> Option<common::IdempotencyKey> {
    Some(common::IdempotencyKey {
        key: key.to_owned(),
    })
}

/// A date flag: `--flag` names itself in the error.
pub fn date_flag(flag: &str, text: &str) -> Result<common::CivilDate, Usage> {
    parse_date(text).map_err(|u| usage(format!("{flag}: {}", u.0)))
}

fn opt_date_flag(flag: &str, text: Option<&String>) -> Result<Option<common::CivilDate>, Usage> {
    text.map(|t| date_flag(flag, t)).transpose()
}

/// A required free-text flag: present and not blank.
fn required(value: Option<&String>, flag: &str) -> Result<String, Usage> {
    match value {
        Some(v) if !v.trim().is_empty() => Ok(v.trim().to_owned()),
        _ => Err(usage(format!("{flag} is required"))),
    }
}

fn text(value: Option<&String>) -> String {
    value.map(|v| v.trim().to_owned()).unwrap_or_default()
}

pub fn kind(arg: KindArg) -> pb::DocumentKind {
    match arg {
        KindArg::BulkMotion => pb::DocumentKind::BulkMotion,
        KindArg::ProposedOrder => pb::DocumentKind::ProposedOrder,
        KindArg::Cr400 => pb::DocumentKind::Cr400,
        KindArg::Cr400Order => pb::DocumentKind::Cr400Order,
        KindArg::DefenderNotice => pb::DocumentKind::DefenderNotice,
        KindArg::CourtNotice => pb::DocumentKind::CourtNotice,
    }
}

pub fn decision(arg: DecisionArg) -> pb::CourtDecision {
    match arg {
        DecisionArg::Granted => pb::CourtDecision::Granted,
        DecisionArg::Denied => pb::CourtDecision::Denied,
    }
}

pub fn relief(arg: ReliefArg) -> common::ReliefType {
    match arg {
        ReliefArg::DismissAndSeal => common::ReliefType::DismissAndSeal,
        ReliefArg::RedesignateMisdemeanor => common::ReliefType::RedesignateMisdemeanor,
        ReliefArg::RedesignateInfraction => common::ReliefType::RedesignateInfraction,
        ReliefArg::RecallAndDismiss => common::ReliefType::RecallAndDismiss,
        ReliefArg::RecallAndResentence => common::ReliefType::RecallAndResentence,
    }
}

pub fn dimension(arg: DimensionArg) -> pb::ImpactDimension {
    match arg {
        DimensionArg::ReliefType => pb::ImpactDimension::ReliefType,
        DimensionArg::CodeSection => pb::ImpactDimension::CodeSection,
        DimensionArg::Race => pb::ImpactDimension::Race,
    }
}

pub fn batch_status(arg: BatchStatusArg) -> pb::FilingBatchStatus {
    match arg {
        BatchStatusArg::Draft => pb::FilingBatchStatus::Draft,
        BatchStatusArg::Filed => pb::FilingBatchStatus::Filed,
        BatchStatusArg::Closed => pb::FilingBatchStatus::Closed,
    }
}

pub fn filing_status(arg: FilingStatusArg) -> pb::FilingStatus {
    match arg {
        FilingStatusArg::Queued => pb::FilingStatus::Queued,
        FilingStatusArg::Draft => pb::FilingStatus::Draft,
        FilingStatusArg::Filed => pb::FilingStatus::Filed,
        FilingStatusArg::Granted => pb::FilingStatus::Granted,
        FilingStatusArg::Denied => pb::FilingStatus::Denied,
    }
}

// ---------------------------------------------------------------------------------------
// Courts
// ---------------------------------------------------------------------------------------

/// The court `cmr file courts put --court-id ...` describes.
pub fn court_from_flags(scope: &common::Scope, a: &CourtPutArgs) -> Result<pb::Court, Usage> {
    let court_id = required(a.court_id.as_ref(), "--court-id")?;
    let name = required(a.name.as_ref(), "--name")?;
    let ori_codes: Vec<String> = a
        .ori
        .iter()
        .map(|o| o.trim().to_owned())
        .filter(|o| !o.is_empty())
        .collect();
    if ori_codes.is_empty() {
        return Err(usage("--ori CODE is required (the court's NCIC ORI codes)"));
    }
    Ok(pb::Court {
        court_id,
        scope: Some(scope.clone()),
        name,
        branch_name: text(a.branch.as_ref()),
        ori_codes,
        address_lines: a.address_line.clone(),
        updated_at: None,
    })
}

/// The courts of a JSON file: one object or an array of objects. Errors name the file, the
/// court (by position) and the field.
pub fn courts_from_json(
    file: &str,
    bytes: &[u8],
    scope: &common::Scope,
) -> Result<Vec<pb::Court>, Usage> {
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
        usage(format!(
            "{file} line {}, column {}: not valid JSON",
            e.line(),
            e.column()
        ))
    })?;
    let objects = match value {
        serde_json::Value::Array(items) => items,
        other => vec![other],
    };
    if objects.is_empty() {
        return Err(usage(format!("{file}: no court in the file")));
    }
    objects
        .iter()
        .enumerate()
        .map(|(i, object)| {
            let at = |field: &str| format!("{file}: court {}, field {field}", i + 1);
            let serde_json::Value::Object(map) = object else {
                return Err(usage(format!("{file}: court {} is not an object", i + 1)));
            };
            for key in map.keys() {
                if !COURT_FIELDS.contains(&key.as_str()) {
                    return Err(usage(format!(
                        "{}: unknown field (expected one of {})",
                        at(key),
                        COURT_FIELDS.join(", ")
                    )));
                }
            }
            let string = |field: &str, needed: bool| -> Result<String, Usage> {
                match map.get(field) {
                    Some(serde_json::Value::String(s)) if !s.trim().is_empty() => {
                        Ok(s.trim().to_owned())
                    }
                    None | Some(serde_json::Value::Null) if !needed => Ok(String::new()),
                    Some(serde_json::Value::String(_)) | None | Some(serde_json::Value::Null) => {
                        Err(usage(format!("{}: required", at(field))))
                    }
                    Some(_) => Err(usage(format!("{}: must be a string", at(field)))),
                }
            };
            let strings = |field: &str| -> Result<Vec<String>, Usage> {
                match map.get(field) {
                    None | Some(serde_json::Value::Null) => Ok(Vec::new()),
                    Some(serde_json::Value::Array(items)) => items
                        .iter()
                        .map(|item| {
                            item.as_str().map(str::to_owned).ok_or_else(|| {
                                usage(format!("{}: must be an array of strings", at(field)))
                            })
                        })
                        .collect(),
                    Some(_) => Err(usage(format!("{}: must be an array of strings", at(field)))),
                }
            };
            let ori_codes = strings("ori_codes")?;
            if ori_codes.iter().all(|o| o.trim().is_empty()) {
                return Err(usage(format!(
                    "{}: at least one ORI code is required",
                    at("ori_codes")
                )));
            }
            Ok(pb::Court {
                court_id: string("court_id", true)?,
                scope: Some(scope.clone()),
                name: string("name", true)?,
                branch_name: string("branch_name", false)?,
                ori_codes,
                address_lines: strings("address_lines")?,
                updated_at: None,
            })
        })
        .collect()
}

const COURT_FIELDS: [&str; 5] = [
    "court_id",
    "name",
    "branch_name",
    "ori_codes",
    "address_lines",
];

pub fn put_court(scope: &common::Scope, key_text: &str, court: pb::Court) -> pb::PutCourtRequest {
    pb::PutCourtRequest {
        scope: Some(scope.clone()),
        idempotency_key: key(key_text),
        court: Some(court),
    }
}

pub fn page(size: i32, token: &str) -> Option<common::PageRequest> {
    Some(common::PageRequest {
        page_size: size,
        page_token: token.to_owned(),
    })
}

// ---------------------------------------------------------------------------------------
// Batches and documents
// ---------------------------------------------------------------------------------------

/// The signer block: name, title, bar number and office are required.
pub fn signer(a: &SignerArgs) -> Result<pb::Signer, Usage> {
    Ok(pb::Signer {
        name: required(a.signer_name.as_ref(), "--signer-name")?,
        title: required(a.signer_title.as_ref(), "--signer-title")?,
        bar_number: required(a.bar_number.as_ref(), "--bar-number")?,
        office_name: required(a.office.as_ref(), "--office")?,
        address_lines: a.office_address.clone(),
        phone: text(a.signer_phone.as_ref()),
        email: text(a.signer_email.as_ref()),
    })
}

pub fn generate(
    scope: &common::Scope,
    key_text: &str,
    a: &GenerateArgs,
) -> Result<pb::GenerateFilingsRequest, Usage> {
    let signer = signer(&a.signer)?;
    let document_date = date_flag("--date", &a.date)?;
    let (court_id, agency_id, filing_batch_id) = match &a.batch {
        Some(batch) => (String::new(), String::new(), batch.trim().to_owned()),
        None => (
            required(a.court.as_ref(), "--court")?,
            required(a.agency.as_ref(), "--agency")?,
            String::new(),
        ),
    };
    Ok(pb::GenerateFilingsRequest {
        scope: Some(scope.clone()),
        idempotency_key: key(key_text),
        court_id,
        agency_id,
        filing_batch_id,
        filing_ids: a.filing_id.iter().map(|f| f.trim().to_owned()).collect(),
        kinds: a.kinds.iter().map(|k| kind(*k) as i32).collect(),
        signer: Some(signer),
        document_date: Some(document_date),
    })
}

pub fn mark_filed(
    scope: &common::Scope,
    key_text: &str,
    a: &MarkFiledArgs,
) -> Result<pb::MarkFiledRequest, Usage> {
    Ok(pb::MarkFiledRequest {
        scope: Some(scope.clone()),
        idempotency_key: key(key_text),
        filing_batch_id: required(Some(&a.batch), "--batch")?,
        filed_on: Some(date_flag("--filed-on", &a.filed_on)?),
        court_filing_reference: text(a.reference.as_ref()),
    })
}

// ---------------------------------------------------------------------------------------
// Outcomes
// ---------------------------------------------------------------------------------------

/// One outcome to record, and where it came from (a CSV line, or 0 for flags).
#[derive(Debug, Clone, PartialEq)]
pub struct OutcomeLine {
    pub line: u64,
    pub filing_id: String,
    pub decision: pb::CourtDecision,
    pub decided_on: common::CivilDate,
    pub order_number: String,
    pub granted_relief: common::ReliefType,
    pub supersedes: String,
    pub note: String,
}

impl OutcomeLine {
    pub fn request(&self, scope: &common::Scope, key_text: &str) -> pb::RecordOutcomeRequest {
        pb::RecordOutcomeRequest {
            scope: Some(scope.clone()),
            idempotency_key: key(key_text),
            filing_id: self.filing_id.clone(),
            decision: self.decision as i32,
            decided_on: Some(self.decided_on),
            order_number: self.order_number.clone(),
            granted_relief: self.granted_relief as i32,
            supersedes_outcome_id: self.supersedes.clone(),
            note: self.note.clone(),
        }
    }
}

/// The outcome `--filing ... --decision ...` describes.
pub fn outcome_from_flags(a: &RecordOutcomeArgs) -> Result<OutcomeLine, Usage> {
    let filing_id = required(a.filing.as_ref(), "--filing")?;
    let decision = a
        .decision
        .map(decision)
        .ok_or_else(|| usage("--decision granted|denied is required"))?;
    let decided_on = date_flag(
        "--decided-on",
        &required(a.decided_on.as_ref(), "--decided-on")?,
    )?;
    let order_number = text(a.order_number.as_ref());
    if decision == pb::CourtDecision::Granted && order_number.is_empty() {
        return Err(usage("--order-number is required when --decision granted"));
    }
    if decision == pb::CourtDecision::Denied && a.granted_relief.is_some() {
        return Err(usage("--granted-relief is only for --decision granted"));
    }
    Ok(OutcomeLine {
        line: 0,
        filing_id,
        decision,
        decided_on,
        order_number,
        granted_relief: a
            .granted_relief
            .map_or(common::ReliefType::Unspecified, relief),
        supersedes: text(a.supersedes.as_ref()),
        note: a.note.clone().unwrap_or_default(),
    })
}

const CSV_REQUIRED: [&str; 4] = ["filing_id", "decision", "decided_on", "order_number"];
const CSV_OPTIONAL: [&str; 3] = ["granted_relief", "supersedes", "note"];

/// Every outcome of a CSV file (header `filing_id,decision,decided_on,order_number`, then
/// optionally `granted_relief`, `supersedes`, `note` in any order). The whole file is
/// checked: the first bad line is refused with the file, its line number and the field.
/// Values are echoed only for fields that hold no personal data (never the note).
pub fn outcomes_from_csv(file: &str, bytes: &[u8]) -> Result<Vec<OutcomeLine>, Usage> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let headers = reader
        .headers()
        .map_err(|e| csv_error(file, &e))?
        .iter()
        .map(str::to_ascii_lowercase)
        .collect::<Vec<_>>();
    let mut column = HashMap::new();
    for (i, name) in headers.iter().enumerate() {
        let name = name.trim_start_matches('\u{feff}');
        if !CSV_REQUIRED.contains(&name) && !CSV_OPTIONAL.contains(&name) {
            return Err(usage(format!(
                "{file} line 1: unknown column {name:?} (the columns are {}, optionally {})",
                CSV_REQUIRED.join(","),
                CSV_OPTIONAL.join(",")
            )));
        }
        if column.insert(name.to_owned(), i).is_some() {
            return Err(usage(format!(
                "{file} line 1: column {name:?} appears twice"
            )));
        }
    }
    for name in CSV_REQUIRED {
        if !column.contains_key(name) {
            return Err(usage(format!(
                "{file} line 1: the header has no {name} column (expected {})",
                CSV_REQUIRED.join(",")
            )));
        }
    }
    let mut lines = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    for record in reader.records() {
        let record = record.map_err(|e| csv_error(file, &e))?;
        let line = record.position().map_or(0, csv::Position::line);
        let at = |field: &str| format!("{file} line {line}, field {field}");
        let get = |name: &str| {
            column
                .get(name)
                .and_then(|&i| record.get(i))
                .unwrap_or_default()
                .to_owned()
        };
        let filing_id = get("filing_id");
        if filing_id.is_empty() {
            return Err(usage(format!("{}: required", at("filing_id"))));
        }
        let decision = match get("decision").to_ascii_lowercase().as_str() {
            "granted" => pb::CourtDecision::Granted,
            "denied" => pb::CourtDecision::Denied,
            "" => return Err(usage(format!("{}: required", at("decision")))),
            other => {
                return Err(usage(format!(
                    "{}: {other:?} is not granted or denied",
                    at("decision")
                )));
            }
        };
        let decided_on = get("decided_on");
        if decided_on.is_empty() {
            return Err(usage(format!(
                "{}: required (YYYY-MM-DD)",
                at("decided_on")
            )));
        }
        let decided_on =
            parse_date(&decided_on).map_err(|u| usage(format!("{}: {}", at("decided_on"), u.0)))?;
        let order_number = get("order_number");
        if decision == pb::CourtDecision::Granted && order_number.is_empty() {
            return Err(usage(format!(
                "{}: required when the decision is granted",
                at("order_number")
            )));
        }
        let granted_relief = match get("granted_relief").to_ascii_lowercase().as_str() {
            "" => common::ReliefType::Unspecified,
            text => {
                let parsed = <ReliefArg as clap::ValueEnum>::from_str(text, true)
                    .map_err(|_| {
                        usage(format!(
                            "{}: {text:?} is not one of dismiss-and-seal, redesignate-misdemeanor, redesignate-infraction, recall-and-dismiss, recall-and-resentence",
                            at("granted_relief")
                        ))
                    })?;
                if decision == pb::CourtDecision::Denied {
                    return Err(usage(format!(
                        "{}: only for a granted decision",
                        at("granted_relief")
                    )));
                }
                relief(parsed)
            }
        };
        let supersedes = get("supersedes");
        if supersedes.is_empty()
            && let Some(first) = seen.insert(filing_id.clone(), line)
        {
            return Err(usage(format!(
                "{}: filing {filing_id} already has an outcome on line {first} (a correction names the outcome it replaces in a supersedes column)",
                at("filing_id")
            )));
        }
        lines.push(OutcomeLine {
            line,
            filing_id,
            decision,
            decided_on,
            order_number,
            granted_relief,
            supersedes,
            note: get("note"),
        });
    }
    if lines.is_empty() {
        return Err(usage(format!("{file}: no outcome lines after the header")));
    }
    Ok(lines)
}

fn csv_error(file: &str, e: &csv::Error) -> Usage {
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            pos,
            expected_len,
            len,
        } => usage(format!(
            "{file} line {}: {len} fields, expected {expected_len} as in the header",
            pos.as_ref().map_or(0, csv::Position::line)
        )),
        csv::ErrorKind::Utf8 { pos, .. } => usage(format!(
            "{file} line {}: not UTF-8",
            pos.as_ref().map_or(0, csv::Position::line)
        )),
        _ => usage(format!("{file}: cannot read the CSV ({e})")),
    }
}

// ---------------------------------------------------------------------------------------
// DOJ update and impact report
// ---------------------------------------------------------------------------------------

fn range(
    from: Option<common::CivilDate>,
    to: Option<common::CivilDate>,
) -> Option<common::DateRange> {
    (from.is_some() || to.is_some()).then_some(common::DateRange { from, to })
}

pub fn doj_update(
    scope: &common::Scope,
    key_text: &str,
    a: &DojUpdateArgs,
) -> Result<pb::ExportDojUpdateRequest, Usage> {
    let from = opt_date_flag("--decided-from", a.decided_from.as_ref())?;
    let to = opt_date_flag("--decided-to", a.decided_to.as_ref())?;
    Ok(pb::ExportDojUpdateRequest {
        scope: Some(scope.clone()),
        idempotency_key: key(key_text),
        court_id: text(a.court.as_ref()),
        decided_on: range(from, to),
        not_exported_only: a.not_exported_only,
        mark_exported: a.mark_exported,
    })
}

pub fn impact(
    scope: &common::Scope,
    run: Option<&String>,
    group_by: &[DimensionArg],
    min_cell_size: Option<i32>,
    decision_arg: Option<DecisionArg>,
) -> Result<pb::ImpactReportRequest, Usage> {
    if let Some(n) = min_cell_size
        && n < 1
    {
        return Err(usage(format!(
            "--min-cell-size: {n} is not a positive number"
        )));
    }
    let mut dims: Vec<i32> = Vec::new();
    for d in group_by {
        let value = dimension(*d) as i32;
        if dims.contains(&value) {
            return Err(usage("--group-by: a dimension is named twice"));
        }
        dims.push(value);
    }
    Ok(pb::ImpactReportRequest {
        scope: Some(scope.clone()),
        group_by: dims,
        decided_on: None,
        decision: decision_arg.map_or(0, |d| decision(d) as i32),
        min_cell_size: min_cell_size.unwrap_or(0),
        run_id: text(run),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope() -> common::Scope {
        common::Scope {
            county_code: String::new(),
            county_name: "SACRAMENTO".into(),
            agency_id: String::new(),
        }
    }

    #[test]
    fn a_good_csv_becomes_outcomes() {
        let csv = "filing_id,decision,decided_on,order_number,note\n\
                   F1,granted,2026-12-01,ORD-1,\n\
                   F2, Denied ,2026-12-02,,late\n";
        let lines = outcomes_from_csv("o.csv", csv.as_bytes()).expect("valid");
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].line, 2);
        assert_eq!(lines[0].filing_id, "F1");
        assert_eq!(lines[0].decision, pb::CourtDecision::Granted);
        assert_eq!(
            lines[0].decided_on,
            common::CivilDate {
                year: 2026,
                month: 12,
                day: 1
            }
        );
        assert_eq!(lines[0].order_number, "ORD-1");
        assert_eq!(lines[1].line, 3);
        assert_eq!(lines[1].decision, pb::CourtDecision::Denied);
        assert_eq!(lines[1].note, "late");
        let request = lines[1].request(&scope(), "k-3");
        assert_eq!(request.filing_id, "F2");
        assert_eq!(request.idempotency_key.expect("key").key, "k-3");
    }

    #[test]
    fn a_bad_csv_names_file_line_and_field() {
        let cases = [
            (
                "filing_id,decision,decided_on,order_number\nF1,granted,2026-12-01,O1\nF2,granted,2026-13-01,O2\n",
                "o.csv line 3, field decided_on: \"2026-13-01\" is not a date (YYYY-MM-DD)",
            ),
            (
                "filing_id,decision,decided_on,order_number\nF1,maybe,2026-12-01,O1\n",
                "o.csv line 2, field decision: \"maybe\" is not granted or denied",
            ),
            (
                "filing_id,decision,decided_on,order_number\nF1,granted,2026-12-01,\n",
                "o.csv line 2, field order_number: required when the decision is granted",
            ),
            (
                "filing_id,decision,decided_on\nF1,granted,2026-12-01\n",
                "o.csv line 1: the header has no order_number column (expected filing_id,decision,decided_on,order_number)",
            ),
            (
                "filing_id,decision,decided_on,order_number\nF1,granted,2026-12-01\n",
                "o.csv line 2: 3 fields, expected 4 as in the header",
            ),
            (
                "filing_id,decision,decided_on,order_number\nF1,granted,2026-12-01,O1\nF1,denied,2026-12-02,\n",
                "o.csv line 3, field filing_id: filing F1 already has an outcome on line 2 (a correction names the outcome it replaces in a supersedes column)",
            ),
            (
                "filing_id,decision,decided_on,order_number\n",
                "o.csv: no outcome lines after the header",
            ),
        ];
        for (csv, expected) in cases {
            let err = outcomes_from_csv("o.csv", csv.as_bytes()).expect_err(csv);
            assert_eq!(err.0, expected);
        }
    }

    #[test]
    fn flags_are_checked_before_a_request() {
        let mut a = RecordOutcomeArgs {
            filing: Some("F1".into()),
            decision: Some(DecisionArg::Granted),
            decided_on: Some("2026-12-01".into()),
            order_number: None,
            granted_relief: None,
            supersedes: None,
            note: None,
            from_csv: None,
        };
        assert_eq!(
            outcome_from_flags(&a).expect_err("no order number").0,
            "--order-number is required when --decision granted"
        );
        a.order_number = Some("ORD-7".into());
        a.decided_on = Some("2026-02-30".into());
        assert_eq!(
            outcome_from_flags(&a).expect_err("bad date").0,
            "--decided-on: \"2026-02-30\" is not a date (YYYY-MM-DD)"
        );
    }

    #[test]
    fn courts_json_errors_name_the_field() {
        let err = courts_from_json(
            "courts.json",
            br#"[{"court_id":"c1","name":"A","ori_codes":["CA034015J"]},{"court_id":"c2","ori_codes":["X"]}]"#,
            &scope(),
        )
        .expect_err("second has no name");
        assert_eq!(err.0, "courts.json: court 2, field name: required");
        let courts = courts_from_json(
            "courts.json",
            br#"{"court_id":"c1","name":"Superior Court","ori_codes":["CA034015J"],"address_lines":["720 9th St"]}"#,
            &scope(),
        )
        .expect("one court");
        assert_eq!(courts.len(), 1);
        assert_eq!(courts[0].ori_codes, vec!["CA034015J".to_owned()]);
        assert_eq!(courts[0].address_lines, vec!["720 9th St".to_owned()]);
    }
}
