//! gogen's three CSVs written from record-aligned chunks formatted on worker threads (see
//! [`crate::pipeline`]). `cmr evaluate` and `cmr run` differ only in where a row's
//! eligibility cells come from (the engine's info blocks, or the cells eligibility stored),
//! so each passes its own row writer.

use std::fs::File;
use std::io::{self, Write};
use std::path::PathBuf;

use cmr_engine::output::{Column, DECODED_COLUMNS, GogenCsvWriter};
use cmr_record::chunks::Chunk;
use cmr_record::doj::{ChunkRecords, field_count_error};
use cmr_record::gocsv::Record;
use cmr_record::{FieldCheck, FileError};

use crate::outputs::write_error;

/// Formatted output of one chunk.
pub(crate) struct ChunkOutput {
    pub all: Vec<u8>,
    pub condensed: Vec<u8>,
    pub evaluated: Vec<u8>,
    pub rows: u64,
    /// Fields of the chunk's first record and its line (for [`check_same_count`]).
    pub first_fields: Option<(usize, u64)>,
    pub outcome: Result<(), FileError>,
}

/// Writes one row: the record, its data row index, and the writer to format it into.
pub(crate) type RowWriter<'a> =
    dyn FnMut(&mut GogenCsvWriter<Vec<u8>>, &Record, u64) -> io::Result<()> + 'a;

/// Parses one chunk whose first record is data row `first_row` and formats its rows for
/// the three files with `write_row`.
pub(crate) fn format_chunk(
    chunk: &Chunk,
    check: FieldCheck,
    columns: &'static [Column],
    first_row: u64,
    write_row: &mut RowWriter<'_>,
) -> ChunkOutput {
    let cap = chunk.bytes.len() + chunk.bytes.len() / 8;
    let mut writer = GogenCsvWriter::rows_only(
        columns,
        Vec::with_capacity(cap),
        Vec::with_capacity(cap / 3),
        Vec::new(),
    );
    // Rows already in Go's quoting are copied through, so only two fields need
    // unescaping; any other row is read again in full.
    let mut records = ChunkRecords::new(chunk, check)
        .keep_canonical_text()
        .keep_only(&DECODED_COLUMNS);
    let mut full = Record::default();
    let mut row_index = first_row;
    let mut rows = 0u64;
    let outcome = loop {
        match records.advance() {
            Ok(true) => {
                let record = if records.record.canonical_text().is_some() {
                    &records.record
                } else {
                    if let Err(e) = records.reread_in_full(chunk, &mut full) {
                        break Err(e);
                    }
                    &full
                };
                if let Err(e) = write_row(&mut writer, record, row_index) {
                    break Err(FileError::other(e.to_string()));
                }
                rows += 1;
                row_index = row_index.wrapping_add(1);
            }
            Ok(false) => break Ok(()),
            Err(e) => break Err(e),
        }
    };
    let (all, condensed, evaluated) = writer.finish().unwrap_or_default();
    ChunkOutput {
        all,
        condensed,
        evaluated,
        rows,
        first_fields: records.first_record_fields(),
        outcome,
    }
}

/// In the pilots' mode every record must have as many fields as the file's first one;
/// each chunk checked its own records against its first.
pub(crate) fn check_same_count(
    file_first: &mut Option<usize>,
    chunk_first: Option<(usize, u64)>,
) -> Result<(), FileError> {
    if let Some((count, line)) = chunk_first {
        match *file_first {
            None => *file_first = Some(count),
            Some(expected) if expected != count => {
                return Err(field_count_error(line, expected, count));
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// The three output files, under their temporary names, with their header rows written.
pub(crate) struct OutputFiles {
    files: Vec<File>,
    temps: Vec<PathBuf>,
}

impl OutputFiles {
    pub fn create(temps: &[PathBuf], columns: &'static [Column]) -> Result<Self, FileError> {
        let mut files = Vec::with_capacity(3);
        for p in temps {
            files.push(File::create(p).map_err(|e| write_error(p, e))?);
        }
        let headers = GogenCsvWriter::new(columns, Vec::new(), Vec::new(), Vec::new())
            .and_then(GogenCsvWriter::finish)
            .map_err(|e| write_error(&temps[0], e))?;
        let mut out = OutputFiles {
            files,
            temps: temps.to_vec(),
        };
        out.write([&headers.0, &headers.1, &headers.2])?;
        Ok(out)
    }

    /// Appends one chunk's formatted rows.
    pub fn append(&mut self, chunk: &ChunkOutput) -> Result<(), FileError> {
        self.write([&chunk.all, &chunk.condensed, &chunk.evaluated])
    }

    fn write(&mut self, parts: [&Vec<u8>; 3]) -> Result<(), FileError> {
        for ((file, data), p) in self.files.iter_mut().zip(parts).zip(&self.temps) {
            file.write_all(data).map_err(|e| write_error(p, e))?;
        }
        Ok(())
    }

    /// Flushed, not synced: the same as gogen leaves them.
    pub fn finish(mut self) -> Result<(), FileError> {
        for (file, p) in self.files.iter_mut().zip(&self.temps) {
            file.flush().map_err(|e| write_error(p, e))?;
        }
        Ok(())
    }
}
