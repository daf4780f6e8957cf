//! RAP-sheet text as input to `cmr evaluate` and `cmr explain`: parsed and flattened into
//! DOJ research-file rows (`cmr_record::rapsheet`), so the same grouping and policies
//! decide it. Errors name the file and the sheet's line, never the sheet's text.

use std::fs::{self, File};
use std::io::BufWriter;
use std::path::Path;

use cmr_record::columns::NAMES;
use cmr_record::doj::go_os_message;
use cmr_record::gocsv::{Record, Writer};
use cmr_record::rapsheet::{self, agency_county};
use cmr_record::{CommentFallback, FileError, Grouped, SubjectBuilder};

use crate::outputs::{Failure, write_error};

/// The sheet's rows, with `subject` as their SUBJECT_ID. Skipped parts are reported on
/// stderr by line and code.
pub(crate) fn rows_of(path: &str, subject: &str) -> Result<Vec<Record>, Failure> {
    let failure = |error: FileError| Failure {
        key: path.to_owned(),
        error,
    };
    let bytes = fs::read(path).map_err(|e| {
        failure(FileError::other(format!(
            "open {path}: {}",
            go_os_message(&e)
        )))
    })?;
    // PDF text extraction and OCR leave stray bytes; the parser works on text.
    let text = String::from_utf8_lossy(&bytes);
    let sheet = rapsheet::parse(&text).map_err(|e| {
        failure(FileError {
            line: Some(e.line as u64),
            field: Some(e.field),
            ..FileError::other(format!("{path}: {e}"))
        })
    })?;
    for w in &sheet.warnings {
        eprintln!("{path}: RAP sheet line {}: skipped ({})", w.line, w.code);
    }
    Ok(rapsheet::flatten(&sheet, subject, agency_county))
}

/// The sheet grouped as one subject, read the way the released gogen flow reads rows.
pub(crate) fn group_rap_sheet(path: &str, subject: &str) -> Result<Grouped, Failure> {
    let rows = rows_of(path, subject)?;
    let mut builder = SubjectBuilder::new(CommentFallback::TrimmedOrEmpty);
    for (i, record) in rows.iter().enumerate() {
        builder.add_row(i as u64, record).map_err(|e| Failure {
            key: path.to_owned(),
            error: FileError::other(format!("{path}: RAP sheet line {}: {e}", record.line())),
        })?;
    }
    Ok(builder.finish())
}

/// Writes rows as a DOJ research file (header and 95 columns), for `cmr evaluate`.
pub(crate) fn write_doj_file(rows: &[Record], out: &Path) -> Result<(), FileError> {
    let file = File::create(out).map_err(|e| write_error(out, e))?;
    let mut writer = Writer::new(BufWriter::new(file));
    let io = |e| write_error(out, e);
    writer
        .record(NAMES.iter().map(|n| n.as_bytes()))
        .map_err(io)?;
    for record in rows {
        writer.record(record.fields()).map_err(io)?;
    }
    writer.flush().map_err(io)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sheet_becomes_a_doj_file_with_the_95_columns() {
        let dir = tempfile::tempdir().expect("tempdir");
        let sheet = dir.path().join("sheet.txt");
        fs::write(
            &sheet,
            "CII/A00000009\nDOB/19800101 SEX/M\nNAM/01 TESTPERSON, SAM\n\
             * * * *\nCOURT: NAM:01\n20100301  CASC SACRAMENTO\n\nCNT:01 #CASE1\n  \
             11359 HS-POSSESS MARIJUANA FOR SALE\n*DISPO:CONVICTED\n   CONV STATUS:FELONY\n\
             * * * END OF MESSAGE * * *\n",
        )
        .expect("write");
        let rows = rows_of(sheet.to_str().expect("utf-8"), "RAP1").expect("parses");
        let out = dir.path().join("rows.csv");
        write_doj_file(&rows, &out).expect("writes");
        let text = fs::read_to_string(&out).expect("read");
        let mut lines = text.lines();
        assert!(
            lines
                .next()
                .expect("header")
                .starts_with("RECORD_ID,SUBJECT_STATUS,SUBJECT_ID")
        );
        let row = lines.next().expect("a row");
        assert_eq!(
            row.split(',').count(),
            95 + 1,
            "the name's comma is quoted: {row}"
        );
        assert!(row.contains("11359 HS-POSSESS MARIJUANA FOR SALE"));
        assert!(row.contains(",RAP1,"));
    }

    #[test]
    fn errors_name_the_file_and_line_not_the_text() {
        let dir = tempfile::tempdir().expect("tempdir");
        let sheet = dir.path().join("bad.txt");
        fs::write(
            &sheet,
            "NAM/01 TESTPERSON, SAM\n* * * *\nCOURT: NAM:01\n2010AB01  CASC SACRAMENTO\n\
             CNT:01\n  11359 HS-POSSESS\n* * * END OF MESSAGE * * *\n",
        )
        .expect("write");
        let path = sheet.to_str().expect("utf-8");
        let Err(failure) = rows_of(path, "RAP1") else {
            panic!("a bad date is refused");
        };
        let message = failure.error.message;
        assert!(
            message.starts_with(&format!("{path}: RAP sheet line 4:")),
            "{message}"
        );
        assert!(
            !message.contains("TESTPERSON") && !message.contains("SACRAMENTO"),
            "{message}"
        );
    }
}
