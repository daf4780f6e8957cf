//! Opening a DOJ research file the way gogen does (spec §1.5): peek 128 bytes, drop a
//! `RECORD_ID…` header line unparsed, then read strict 95-field Go CSV, numbering lines
//! from the first line after the header.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Chain, Cursor, Read};
use std::path::Path;

use crate::chunks::{Chunk, Splitter};
use crate::columns::FIELD_COUNT;
use crate::gocsv::{CsvError, FieldsPerRecord, ReadError, Reader, Record};

/// gogen's two error types, which appear verbatim in `gogen.err`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorType {
    Other,
    Parsing,
}

impl ErrorType {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorType::Other => "OTHER",
            ErrorType::Parsing => "PARSING",
        }
    }
}

/// A per-file failure: gogen's type and message, plus where it happened for humans.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct FileError {
    pub error_type: ErrorType,
    /// gogen's exact message (what goes into `gogen.err`).
    pub message: String,
    /// Line (counted from the first line after any header) when the error is in the data.
    pub line: Option<u64>,
    /// Column name of the field being read, when known.
    pub field: Option<&'static str>,
    /// Extra detail for people that gogen does not print (e.g. expected/found counts).
    pub detail: Option<String>,
}

impl FileError {
    pub fn other(message: impl Into<String>) -> Self {
        FileError {
            error_type: ErrorType::Other,
            message: message.into(),
            line: None,
            field: None,
            detail: None,
        }
    }

    /// The OS error in Go's words: `open <path>: no such file or directory`.
    pub fn open(path: &str, err: &io::Error) -> Self {
        FileError::other(format!("open {path}: {}", go_os_message(err)))
    }

    fn from_csv(err: CsvError) -> Self {
        use crate::gocsv::CsvErrorKind;
        // A wrong field count is about the whole record, not one field.
        let (detail, field) = match err.kind {
            CsvErrorKind::FieldCount { expected, found } => (
                Some(format!("expected {expected} fields, found {found}")),
                None,
            ),
            _ => (None, crate::columns::NAMES.get(err.field_index).copied()),
        };
        FileError {
            error_type: ErrorType::Parsing,
            message: err.to_string(),
            line: Some(err.start_line),
            field,
            detail,
        }
    }

    fn from_read(err: ReadError) -> Self {
        match err {
            ReadError::Csv(e) => FileError::from_csv(e),
            ReadError::Io(e) => FileError::other(go_os_message(&e)),
        }
    }

    /// One line for a person: message, then where and why.
    pub fn describe(&self) -> String {
        let mut s = self.message.clone();
        if let Some(field) = self.field {
            s.push_str(&format!(" (field {field})"));
        }
        if let Some(detail) = &self.detail {
            s.push_str(&format!(": {detail}"));
        }
        s
    }
}

/// Go prints OS errors as lower-case strerror text without Rust's "(os error N)" suffix.
pub fn go_os_message(err: &io::Error) -> String {
    let text = err.to_string();
    let text = match text.find(" (os error") {
        Some(i) => &text[..i],
        None => &text,
    };
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// How strictly to read: gogen checks 95 fields; the pilot programs accept whatever the
/// first record has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldCheck {
    Strict95,
    SameAsFirst,
}

/// A data row with its 0-based data-row index (the key that joins rows to results).
pub struct Row<'a> {
    pub index: u64,
    pub record: &'a Record,
}

/// A DOJ file positioned after its header (if any), ready to be read sequentially
/// ([`DojSource::reader`]) or in chunks by several threads ([`DojSource::splitter`]).
pub struct DojSource<R> {
    input: Chain<Cursor<Vec<u8>>, R>,
    pub had_header: bool,
}

const PEEK: usize = 128;

impl DojSource<BufReader<File>> {
    /// Opens `path` (given exactly as on the command line, which is how errors name it).
    pub fn open(path: &str) -> Result<Self, FileError> {
        let file = File::open(Path::new(path)).map_err(|e| FileError::open(path, &e))?;
        DojSource::new(BufReader::with_capacity(256 * 1024, file))
    }
}

impl<R: BufRead> DojSource<R> {
    pub fn new(input: R) -> Result<Self, FileError> {
        let (head, rest) = peek_head(input).map_err(|e| FileError::other(go_os_message(&e)))?;
        // Fewer than 128 bytes is gogen's `EOF` error, even for an otherwise valid file.
        if head.len() < PEEK {
            return Err(FileError::other("EOF"));
        }
        let had_header = head.starts_with(b"RECORD_ID");
        let mut input = Cursor::new(head).chain(rest);
        if had_header {
            // The header is discarded without being parsed (so extra_comma.csv's 96 names
            // are accepted).
            let mut skipped = Vec::new();
            input
                .read_until(b'\n', &mut skipped)
                .map_err(|e| FileError::other(go_os_message(&e)))?;
        }
        Ok(DojSource { input, had_header })
    }

    /// A sequential reader.
    pub fn reader(self, check: FieldCheck) -> DojReader<R> {
        DojReader {
            csv: Reader::new(self.input, fields_per_record(check)),
            record: Record::default(),
            next_index: 0,
            had_header: self.had_header,
        }
    }

    /// Record-aligned chunks of about `target` bytes, for parallel parsing.
    pub fn splitter(self, target: usize) -> Splitter<Chain<Cursor<Vec<u8>>, R>> {
        Splitter::new(self.input, target)
    }

    /// Chunks of exactly these lengths (an earlier pass's), without boundary scanning.
    pub fn splitter_with_lengths(
        self,
        lengths: Vec<(usize, u64)>,
    ) -> Splitter<Chain<Cursor<Vec<u8>>, R>> {
        Splitter::new(self.input, 1).with_known_lengths(lengths)
    }
}

fn fields_per_record(check: FieldCheck) -> FieldsPerRecord {
    match check {
        FieldCheck::Strict95 => FieldsPerRecord::Exactly(FIELD_COUNT),
        FieldCheck::SameAsFirst => FieldsPerRecord::SameAsFirst,
    }
}

/// Reads the records of one chunk. With [`FieldCheck::SameAsFirst`] the count is
/// checked within the chunk only; the caller compares the chunk's first record with
/// the file's (see [`ChunkRecords::first_record_fields`]).
pub struct ChunkRecords<'a> {
    csv: Reader<&'a [u8]>,
    pub record: Record,
    first_fields: Option<(usize, u64)>,
}

impl<'a> ChunkRecords<'a> {
    pub fn new(chunk: &'a Chunk, check: FieldCheck) -> Self {
        ChunkRecords {
            csv: Reader::new(&chunk.bytes[..], fields_per_record(check))
                .starting_at_line(chunk.first_line),
            record: Record::default(),
            first_fields: None,
        }
    }

    pub fn keep_canonical_text(mut self) -> Self {
        self.csv.keep_canonical_text(true);
        self
    }

    /// Keep only the text of these columns (the rest read as empty).
    pub fn keep_only(mut self, columns: &[usize]) -> Self {
        let mask = columns.iter().fold(0u128, |m, &c| m | (1u128 << c));
        self.csv = self.csv.keep_only(mask);
        self
    }

    /// Reads the next record into `self.record`; `Ok(false)` at the end of the chunk.
    pub fn advance(&mut self) -> Result<bool, FileError> {
        let more = self
            .csv
            .read(&mut self.record)
            .map_err(FileError::from_read)?;
        if more && self.first_fields.is_none() {
            self.first_fields = Some((self.record.len(), self.record.line()));
        }
        Ok(more)
    }

    /// Reads the current record again with every field kept (after [`Self::keep_only`]
    /// skipped some), into `full`.
    pub fn reread_in_full(&self, chunk: &Chunk, full: &mut Record) -> Result<(), FileError> {
        let (start, end) = self.record.span();
        let mut again = Reader::new(&chunk.bytes[start..end], FieldsPerRecord::SameAsFirst)
            .starting_at_line(self.record.line());
        again.read(full).map_err(FileError::from_read)?;
        Ok(())
    }

    /// Field count and line of the chunk's first record.
    pub fn first_record_fields(&self) -> Option<(usize, u64)> {
        self.first_fields
    }
}

/// The error a sequential reader would give when a chunk's first record has a
/// different field count than the file's first record.
pub fn field_count_error(line: u64, expected: usize, found: usize) -> FileError {
    FileError {
        error_type: ErrorType::Parsing,
        message: format!("record on line {line}: wrong number of fields"),
        line: Some(line),
        field: None,
        detail: Some(format!("expected {expected} fields, found {found}")),
    }
}

/// Streaming reader of one DOJ research file.
pub struct DojReader<R> {
    csv: Reader<Chain<Cursor<Vec<u8>>, R>>,
    record: Record,
    next_index: u64,
    pub had_header: bool,
}

impl DojReader<BufReader<File>> {
    /// Opens `path` (given exactly as on the command line, which is how errors name it).
    pub fn open(path: &str, check: FieldCheck) -> Result<Self, FileError> {
        Ok(DojSource::open(path)?.reader(check))
    }
}

impl<R: BufRead> DojReader<R> {
    pub fn new(input: R, check: FieldCheck) -> Result<Self, FileError> {
        Ok(DojSource::new(input)?.reader(check))
    }

    /// Keep each row's input text when it already has Go's quoting (see
    /// [`Record::canonical_text`]); for writers that copy rows through.
    pub fn keep_canonical_text(mut self) -> Self {
        self.csv.keep_canonical_text(true);
        self
    }

    /// The next data row, or `None` at the end of the file.
    pub fn next_row(&mut self) -> Result<Option<Row<'_>>, FileError> {
        if !self
            .csv
            .read(&mut self.record)
            .map_err(FileError::from_read)?
        {
            return Ok(None);
        }
        let index = self.next_index;
        self.next_index += 1;
        Ok(Some(Row {
            index,
            record: &self.record,
        }))
    }

    /// Data rows read so far.
    pub fn rows_read(&self) -> u64 {
        self.next_index
    }
}

/// Reads the first 128 bytes (or fewer at end of input) and hands them back in front of
/// the rest, so any reader works, pipes included.
fn peek_head<R: Read>(mut input: R) -> io::Result<(Vec<u8>, R)> {
    let mut head = Vec::with_capacity(PEEK);
    (&mut input).take(PEEK as u64).read_to_end(&mut head)?;
    Ok((head, input))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(n: usize, value: &str) -> String {
        vec![value; n].join(",")
    }

    #[test]
    fn header_is_dropped_unparsed_and_lines_count_after_it() {
        let mut text = row(96, "RECORD_ID");
        text.push('\n');
        text.push_str(&row(95, "x"));
        text.push('\n');
        text.push_str(&row(94, "y"));
        text.push('\n');
        let mut r = DojReader::new(text.as_bytes(), FieldCheck::Strict95).unwrap();
        assert!(r.had_header);
        assert_eq!(r.next_row().unwrap().unwrap().index, 0);
        let err = r.next_row().err().unwrap();
        assert_eq!(err.message, "record on line 2: wrong number of fields");
        assert_eq!(err.error_type, ErrorType::Parsing);
        assert_eq!(err.line, Some(2));
    }

    #[test]
    fn short_file_is_eof() {
        let err = DojReader::new(&b"RECORD_ID,a\n"[..], FieldCheck::Strict95)
            .err()
            .unwrap();
        assert_eq!(err.message, "EOF");
        assert_eq!(err.error_type, ErrorType::Other);
    }

    #[test]
    fn bom_defeats_header_detection() {
        let mut text = String::from("\u{feff}");
        text.push_str(&row(95, "RECORD_ID"));
        text.push('\n');
        let mut r = DojReader::new(text.as_bytes(), FieldCheck::Strict95).unwrap();
        assert!(!r.had_header);
        assert!(r.next_row().unwrap().is_some());
    }

    #[test]
    fn missing_file_uses_go_wording() {
        let err = DojReader::open("/nonexistent/x.csv", FieldCheck::Strict95)
            .err()
            .unwrap();
        assert_eq!(
            err.message,
            "open /nonexistent/x.csv: no such file or directory"
        );
    }
}
