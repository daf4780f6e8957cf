//! Parsing an upload as it streams: a [`ChunkPipe`] turns the chunks the gRPC layer
//! receives into a [`BufRead`] for the cmr-record reader, and [`parse_upload`] turns the
//! rows into [`RowChunk`]s for the store, so the file is never held whole.

use std::collections::HashMap;
use std::io::{self, BufRead, Read};

use cmr_record::FileError;
use cmr_record::columns::{NAMES, SUBJECT_ID};
use cmr_record::doj::DojSource;
use cmr_record::gocsv::Record;
use tokio::sync::mpsc;

use super::ids::new_id;
use super::model::{FieldRule, QuarantineReason, QuarantinedRow, RowChunk, StoredRow, SubjectRef};

/// What the receiving side sends down the pipe.
#[derive(Debug)]
pub enum Piece {
    /// The next bytes of the file.
    Bytes(Vec<u8>),
    /// The upload broke off; the reader reports an error instead of a clean end.
    Aborted,
}

/// A blocking [`BufRead`] over the chunks of an upload. Use it on a blocking thread only.
#[derive(Debug)]
pub struct ChunkPipe {
    pieces: mpsc::Receiver<Piece>,
    current: Vec<u8>,
    position: usize,
}

impl ChunkPipe {
    #[must_use]
    pub fn new(pieces: mpsc::Receiver<Piece>) -> Self {
        Self {
            pieces,
            current: Vec::new(),
            position: 0,
        }
    }
}

impl Read for ChunkPipe {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for ChunkPipe {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        while self.position >= self.current.len() {
            match self.pieces.blocking_recv() {
                Some(Piece::Bytes(bytes)) => {
                    self.current = bytes;
                    self.position = 0;
                }
                Some(Piece::Aborted) => {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "upload stream broke off",
                    ));
                }
                None => return Ok(&[]),
            }
        }
        Ok(&self.current[self.position..])
    }

    fn consume(&mut self, amount: usize) {
        self.position = (self.position + amount).min(self.current.len());
    }
}

/// Totals of a parse that reached the end of the file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ParseTotals {
    pub had_header: bool,
    pub rows_received: i64,
    pub rows_stored: i64,
    pub rows_quarantined: i64,
    pub subject_count: i64,
}

/// Why a parse stopped early.
#[derive(Debug)]
pub enum ParseStop {
    /// The file is not valid per gogen's rules.
    File(FileError),
    /// The consumer went away (the upload failed elsewhere).
    Abandoned,
}

/// Groups rows into the subjects of one batch and sorts each into stored or quarantined,
/// with the batch's row accounting: the one path by which every source's rows (a DOJ
/// file's, a flattened RAP sheet's) become [`RowChunk`]s for the store.
///
/// A blank `SUBJECT_ID` row is quarantined (docs/gogen-decisions.md item 10b); every other
/// row is stored, packed with [`cmr_record::packed`], under the subject of its
/// `SUBJECT_ID` within the batch.
#[derive(Debug)]
pub struct RowGrouper {
    batch_id: String,
    subjects: HashMap<Vec<u8>, String>,
    chunk: RowChunk,
    totals: ParseTotals,
}

impl RowGrouper {
    #[must_use]
    pub fn new(batch_id: &str) -> Self {
        Self {
            batch_id: batch_id.to_owned(),
            subjects: HashMap::new(),
            chunk: RowChunk::default(),
            totals: ParseTotals::default(),
        }
    }

    /// Stores or quarantines one record: `row_index` is its 0-based position among the
    /// source's rows, `data_line` the line as gogen counts it, `line_number` the physical
    /// line a person finds in an editor.
    pub fn push(&mut self, record: &Record, row_index: i64, data_line: i64, line_number: i64) {
        let mut fields = Vec::with_capacity(record.len() * 8);
        cmr_record::packed::encode(record.fields(), &mut fields);
        self.totals.rows_received += 1;

        let subject_key = record.field(SUBJECT_ID);
        if subject_key.iter().all(u8::is_ascii_whitespace) {
            self.totals.rows_quarantined += 1;
            self.chunk.quarantined.push(QuarantinedRow {
                batch_id: self.batch_id.clone(),
                line_number,
                data_line_number: data_line,
                reason: QuarantineReason::Other as i16,
                field: NAMES[SUBJECT_ID].to_owned(),
                column_index: i32::try_from(SUBJECT_ID).unwrap_or(-1),
                message: format!("record on line {data_line}: blank SUBJECT_ID"),
                detail: "rows without a SUBJECT_ID cannot be grouped into a subject and are not stored (docs/gogen-decisions.md item 10b)".to_owned(),
                raw_fields: fields,
            });
            return;
        }
        let subject_id = match self.subjects.get(subject_key) {
            Some(id) => id.clone(),
            None => {
                let id = new_id();
                self.subjects.insert(subject_key.to_vec(), id.clone());
                self.chunk.subjects.push(SubjectRef {
                    id: id.clone(),
                    batch_id: self.batch_id.clone(),
                    first_row_index: row_index,
                });
                id
            }
        };
        self.totals.rows_stored += 1;
        self.chunk.rows.push(StoredRow {
            row_index,
            line_number,
            subject_id,
            fields,
        });
    }

    /// Sets aside a part of the source that gave no row (a RAP-sheet block the parser
    /// skipped): counted as received and quarantined.
    pub fn quarantine(&mut self, row: QuarantinedRow) {
        self.totals.rows_received += 1;
        self.totals.rows_quarantined += 1;
        self.chunk.quarantined.push(row);
    }

    /// Rows (stored or quarantined) waiting in the current chunk.
    #[must_use]
    pub fn pending(&self) -> usize {
        self.chunk.len()
    }

    /// The current chunk, leaving an empty one.
    pub fn take_chunk(&mut self) -> RowChunk {
        std::mem::take(&mut self.chunk)
    }

    /// The last chunk and the totals (`had_header` is the caller's to set).
    #[must_use]
    pub fn finish(self) -> (RowChunk, ParseTotals) {
        let mut totals = self.totals;
        totals.subject_count = i64::try_from(self.subjects.len()).unwrap_or(i64::MAX);
        (self.chunk, totals)
    }
}

/// Reads every row of `input`, handing [`RowChunk`]s of about `chunk_rows` rows to `sink`
/// (which returns `false` when nobody listens any more); rows are grouped by
/// [`RowGrouper`].
pub fn parse_upload(
    input: impl BufRead,
    rule: FieldRule,
    batch_id: &str,
    chunk_rows: usize,
    mut sink: impl FnMut(RowChunk) -> bool,
) -> Result<ParseTotals, ParseStop> {
    let source = DojSource::new(input).map_err(ParseStop::File)?;
    let header_lines = i64::from(source.had_header);
    let mut reader = source.reader(rule.reader_check());
    let had_header = reader.had_header;
    let mut grouper = RowGrouper::new(batch_id);
    // gogen's messages count data lines; the error's own line is the file's physical line,
    // what a person finds in an editor (the header, when present, is line 1).
    let physical = |mut e: FileError| {
        e.line = e.line.map(|l| l + header_lines.unsigned_abs());
        ParseStop::File(e)
    };
    while let Some(row) = reader.next_row().map_err(physical)? {
        let data_line = i64::try_from(row.record.line()).unwrap_or(i64::MAX);
        let row_index = i64::try_from(row.index).unwrap_or(i64::MAX);
        grouper.push(
            row.record,
            row_index,
            data_line,
            data_line.saturating_add(header_lines),
        );
        if grouper.pending() >= chunk_rows && !sink(grouper.take_chunk()) {
            return Err(ParseStop::Abandoned);
        }
    }
    let (chunk, mut totals) = grouper.finish();
    if !chunk.is_empty() && !sink(chunk) {
        return Err(ParseStop::Abandoned);
    }
    totals.had_header = had_header;
    Ok(totals)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(subject: &str) -> String {
        let mut fields = vec!["x"; cmr_record::columns::FIELD_COUNT];
        fields[SUBJECT_ID] = subject;
        fields.join(",") + "\n"
    }

    #[test]
    fn blank_subject_ids_are_quarantined_and_others_grouped() {
        let text = [line("A"), line(" "), line("B"), line("A")].concat();
        let mut chunks = Vec::new();
        let totals = parse_upload(text.as_bytes(), FieldRule::Strict95, "b", 2, |c| {
            chunks.push(c);
            true
        })
        .expect("parses");
        assert_eq!(totals.rows_received, 4);
        assert_eq!(totals.rows_stored, 3);
        assert_eq!(totals.rows_quarantined, 1);
        assert_eq!(totals.subject_count, 2);
        let rows: Vec<_> = chunks.iter().flat_map(|c| &c.rows).collect();
        assert_eq!(rows[0].subject_id, rows[2].subject_id);
        assert_ne!(rows[0].subject_id, rows[1].subject_id);
        let quarantined: Vec<_> = chunks.iter().flat_map(|c| &c.quarantined).collect();
        assert_eq!(quarantined[0].line_number, 2);
        assert!(!quarantined[0].message.contains('x'));
    }
}
