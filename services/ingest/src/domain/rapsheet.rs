//! A RAP sheet as the rows of a batch: parsed and flattened by `cmr_record::rapsheet` into
//! 95-column DOJ rows, which then go through the same [`RowGrouper`] as an uploaded DOJ
//! file's rows, so both sources are stored, grouped and accounted for alike.
//!
//! Every parser warning also becomes a quarantined row at its sheet line, so rows received
//! = stored + quarantined holds and nothing the parser skipped disappears silently.
//! Messages here carry codes and line numbers only, never sheet text.

use std::collections::BTreeMap;

use cmr_record::columns::{NAMES, PRI_DOB};
use cmr_record::rapsheet::{self, RapSheet, RapSheetError, Warning, codes};

use super::model::{QuarantineReason, QuarantinedRow, RowChunk};
use super::parse::{ParseTotals, RowGrouper};

/// A parsed RAP sheet ready for the store.
#[derive(Debug)]
pub struct RapRows {
    /// Subject, rows and quarantined rows: written in one transaction.
    pub chunk: RowChunk,
    pub totals: ParseTotals,
    /// The parser's warnings in sheet order (one quarantined row per distinct line).
    pub warnings: Vec<Warning>,
}

/// The `SUBJECT_ID` written into a RAP sheet's rows: the sheet's CII number when it has
/// one, else `RAP-` and the first 16 hex digits of the text's SHA-256. Either way the same
/// sheet always gets the same value. (The stored subject's own id stays an opaque ULID.)
#[must_use]
pub fn subject_key(sheet: &RapSheet, sha256_hex: &str) -> String {
    sheet
        .personal
        .as_ref()
        .and_then(|p| p.cii.as_deref())
        .map(str::trim)
        .filter(|cii| !cii.is_empty())
        .map_or_else(
            || format!("RAP-{}", sha256_hex.get(..16).unwrap_or(sha256_hex)),
            str::to_owned,
        )
}

/// Parses `text` (whose lower-case hex SHA-256 is `sha256_hex`) into the rows of batch
/// `batch_id`: one stored row per count per disposition, numbered in sheet order, each at
/// its count's sheet line, plus one quarantined row per line with warnings.
pub fn rap_rows(text: &str, sha256_hex: &str, batch_id: &str) -> Result<RapRows, RapSheetError> {
    let sheet = rapsheet::parse(text)?;
    let key = subject_key(&sheet, sha256_hex);
    let records = rapsheet::flatten(&sheet, &key, rapsheet::agency_county);
    let mut grouper = RowGrouper::new(batch_id);
    for (index, record) in records.iter().enumerate() {
        let line = i64::try_from(record.line()).unwrap_or(i64::MAX);
        grouper.push(record, i64::try_from(index).unwrap_or(i64::MAX), line, line);
    }
    // The store keys quarantined rows by line, so warnings of one line share one row.
    let mut by_line: BTreeMap<usize, Vec<&'static str>> = BTreeMap::new();
    for warning in &sheet.warnings {
        let codes = by_line.entry(warning.line).or_default();
        if !codes.contains(&warning.code) {
            codes.push(warning.code);
        }
    }
    let lines: Vec<&str> = text.split('\n').collect();
    for (line, codes) in by_line {
        grouper.quarantine(quarantined_row(batch_id, line, &codes, &lines));
    }
    let (chunk, totals) = grouper.finish();
    Ok(RapRows {
        chunk,
        totals,
        warnings: sheet.warnings,
    })
}

fn quarantined_row(
    batch_id: &str,
    line: usize,
    codes: &[&'static str],
    lines: &[&str],
) -> QuarantinedRow {
    let line_number = i64::try_from(line).unwrap_or(i64::MAX);
    let unparseable = codes.iter().any(|c| {
        matches!(
            *c,
            codes::UNRECOGNIZED_EVENT
                | codes::UNRECOGNIZED_LINE
                | codes::ORPHAN_DISPOSITION_LINE
                | codes::MISPLACED_FLAG
        )
    });
    let reason = if unparseable {
        QuarantineReason::UnparseableBlock
    } else {
        QuarantineReason::Other
    };
    let (field, column_index) = if codes.contains(&codes::BAD_DOB) {
        (
            NAMES[PRI_DOB].to_owned(),
            i32::try_from(PRI_DOB).unwrap_or(-1),
        )
    } else {
        (String::new(), -1)
    };
    // The sheet line as received, for supervisors fixing the sheet (never logged).
    let raw = line
        .checked_sub(1)
        .and_then(|i| lines.get(i))
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .unwrap_or_default();
    let mut raw_fields = Vec::with_capacity(raw.len() + 2);
    cmr_record::packed::encode(std::iter::once(raw.as_bytes()), &mut raw_fields);
    QuarantinedRow {
        batch_id: batch_id.to_owned(),
        line_number,
        data_line_number: line_number,
        reason: reason as i16,
        field,
        column_index,
        message: format!("RAP sheet line {line}: {}", codes.join(", ")),
        detail: codes
            .iter()
            .map(|c| describe(c))
            .collect::<Vec<_>>()
            .join("; "),
        raw_fields,
    }
}

/// A short description of a warning code, without sheet text.
#[must_use]
pub fn describe(code: &str) -> &'static str {
    match code {
        codes::UNRECOGNIZED_EVENT => {
            "event identifier not recognised; its counts are kept with a blank step type"
        }
        codes::UNRECOGNIZED_LINE => "line fits nowhere in the RAP sheet layout; skipped",
        codes::UNRESOLVED_COMMENT_CHARGE => {
            "SEE COMMENT FOR CHARGE without a charge comment; the count has no code section"
        }
        codes::MISSING_END_OF_MESSAGE => "no END OF MESSAGE line; the sheet may be truncated",
        codes::BAD_DOB => "date of birth is not a real YYYYMMDD date; left blank",
        codes::ORPHAN_DISPOSITION_LINE => {
            "disposition, status, sentence or update line with no count to attach to; skipped"
        }
        codes::MISPLACED_FLAG => "flag line where the layout has none; skipped",
        _ => "part of the RAP sheet the parser could not use",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHEET: &str = "CII/A99999999\n\
DOB/19800101 SEX/F RAC/OTHER\n\
NAM/01 SAMPLE, PAT\n\
* * * *\n\
ARR/DET/CITE: NAM:01\n\
20050304  CAPD SACRAMENTO\n\
CNT:01     #05-0001\n\
  11359 HS-POSSESS MARIJUANA FOR SALE\n\
ZZZ NOT A LINE OF THE LAYOUT\n\
* * * END OF MESSAGE * * *\n";

    #[test]
    fn rows_and_warnings_are_accounted_for() {
        let rows = rap_rows(SHEET, &"ab".repeat(32), "B").expect("parses");
        assert_eq!(rows.totals.subject_count, 1);
        assert_eq!(rows.totals.rows_stored, 1);
        assert_eq!(
            rows.totals.rows_quarantined,
            rows.chunk.quarantined.len() as i64
        );
        assert_eq!(
            rows.totals.rows_received,
            rows.totals.rows_stored + rows.totals.rows_quarantined
        );
        assert_eq!(rows.chunk.rows[0].line_number, 7);
        assert_eq!(
            rows.warnings,
            [Warning {
                code: codes::UNRECOGNIZED_LINE,
                line: 9
            }]
        );
        assert_eq!(rows.chunk.quarantined.len(), 1);
        let q = &rows.chunk.quarantined[0];
        assert_eq!(q.line_number, 9);
        assert_eq!(q.reason, QuarantineReason::UnparseableBlock as i16);
        assert_eq!(q.message, "RAP sheet line 9: UNRECOGNIZED_LINE");
        let fields = cmr_record::packed::decode(&rows.chunk.rows[0].fields).expect("packed");
        assert_eq!(fields[cmr_record::columns::SUBJECT_ID], b"A99999999");
        for q in &rows.chunk.quarantined {
            assert!(!q.message.contains("ZZZ") && !q.detail.contains("ZZZ"));
        }
    }

    #[test]
    fn subject_key_falls_back_to_the_digest() {
        let sheet = RapSheet::default();
        assert_eq!(
            subject_key(&sheet, "0123456789abcdef0123"),
            "RAP-0123456789abcdef"
        );
    }
}
