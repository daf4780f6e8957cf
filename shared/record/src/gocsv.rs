//! CSV exactly as Go's `encoding/csv` reads and writes it, because gogen's outputs and
//! error messages are defined by it: strict quotes (a bare `"` is an error), blank lines
//! skipped, `\r\n` folded to `\n`, error line numbers counted from the first line the
//! reader sees, and output quoting that also quotes fields beginning with a space.

use std::io::{self, BufRead, Write};

use memchr::{memchr, memchr2};

/// Why a record could not be read, in Go's words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CsvErrorKind {
    /// `record on line N: wrong number of fields`
    FieldCount { expected: usize, found: usize },
    /// `bare " in non-quoted-field`
    BareQuote,
    /// `extraneous or missing " in quoted-field`
    Quote,
}

/// A parse error with Go's line and (1-based, byte) column numbers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsvError {
    pub kind: CsvErrorKind,
    /// Line on which the record starts.
    pub start_line: u64,
    /// Line of the offending character.
    pub line: u64,
    pub column: u64,
    /// 0-based index of the field being read when the error occurred.
    pub field_index: usize,
}

impl std::fmt::Display for CsvError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let reason = match self.kind {
            CsvErrorKind::FieldCount { .. } => {
                return write!(f, "record on line {}: wrong number of fields", self.line);
            }
            CsvErrorKind::BareQuote => "bare \" in non-quoted-field",
            CsvErrorKind::Quote => "extraneous or missing \" in quoted-field",
        };
        if self.start_line != self.line {
            write!(
                f,
                "record on line {}; parse error on line {}, column {}: {reason}",
                self.start_line, self.line, self.column
            )
        } else {
            write!(
                f,
                "parse error on line {}, column {}: {reason}",
                self.line, self.column
            )
        }
    }
}

/// Read failure: either the bytes were not CSV or the underlying reader failed.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{0}")]
    Csv(CsvError),
    #[error(transparent)]
    Io(#[from] io::Error),
}

/// One record's fields, unescaped, stored back to back in one buffer so that reading a
/// million rows allocates nothing after the first.
#[derive(Clone, Debug, Default)]
pub struct Record {
    buf: Vec<u8>,
    ends: Vec<usize>,
    /// 1-based line on which this record starts.
    line: u64,
    /// The record's input line (without its newline) when writing the fields back with
    /// Go's quoting would reproduce it exactly; empty otherwise. Lets writers copy a row
    /// through instead of re-encoding 95 fields.
    canonical: Vec<u8>,
    is_canonical: bool,
    /// End of each field's encoded text within `canonical`.
    raw_ends: Vec<usize>,
    /// Byte range of the whole record in the reader's input (blank lines before it
    /// excluded), so a caller can read it again.
    span: (usize, usize),
}

impl Record {
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Field `i`, or an empty slice past the end (so a short record reads as blanks).
    pub fn field(&self, i: usize) -> &[u8] {
        match self.ends.get(i) {
            Some(&end) => {
                let start = if i == 0 { 0 } else { self.ends[i - 1] };
                &self.buf[start..end]
            }
            None => &[],
        }
    }

    pub fn fields(&self) -> impl Iterator<Item = &[u8]> {
        (0..self.len()).map(|i| self.field(i))
    }

    pub fn line(&self) -> u64 {
        self.line
    }

    /// The input text of the whole record if it is exactly what Go's writer would write.
    pub fn canonical_text(&self) -> Option<&[u8]> {
        self.is_canonical.then_some(&self.canonical[..])
    }

    fn clear(&mut self) {
        self.buf.clear();
        self.ends.clear();
        self.raw_ends.clear();
        self.is_canonical = false;
    }

    /// Closes the current field. `raw` is its text as written between the delimiters
    /// (inside the quotes when `quoted`) and `raw_end` where it ends in the line; when
    /// tracking canonical text, the field is canonical iff Go would quote it exactly when
    /// the input did. (For a quoted field the raw text decides this as well as the
    /// unescaped one: an escaped `""` means a quote, which Go quotes.)
    #[inline]
    fn push_field(&mut self, quoted: bool, canonical: &mut bool, raw: &[u8], raw_end: usize) {
        if *canonical {
            *canonical = quoted == needs_quotes(raw);
            self.raw_ends.push(raw_end);
        }
        self.ends.push(self.buf.len());
    }

    /// Byte range of the record in the reader's input.
    pub fn span(&self) -> (usize, usize) {
        self.span
    }

    /// Field `i` exactly as written in the input, for a record with canonical text.
    pub fn encoded_field(&self, i: usize) -> Option<&[u8]> {
        if !self.is_canonical {
            return None;
        }
        let end = *self.raw_ends.get(i)?;
        let start = if i == 0 { 0 } else { self.raw_ends[i - 1] + 1 };
        self.canonical.get(start..end)
    }

    /// Appends one field (for building a record field by field, as
    /// [`crate::packed::to_record`] does).
    pub(crate) fn append_field(&mut self, field: &[u8]) {
        self.buf.extend_from_slice(field);
        self.ends.push(self.buf.len());
    }

    /// Builds a record from string fields (tests and re-encoding of stored rows).
    pub fn from_fields<I, S>(fields: I) -> Record
    where
        I: IntoIterator<Item = S>,
        S: AsRef<[u8]>,
    {
        let mut r = Record::default();
        for f in fields {
            r.buf.extend_from_slice(f.as_ref());
            r.ends.push(r.buf.len());
        }
        r
    }
}

/// How many fields each record must have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldsPerRecord {
    /// Exactly this many (gogen sets 95).
    Exactly(usize),
    /// As many as the first record has (Go's default, used by the pilot programs).
    SameAsFirst,
}

/// Go `encoding/csv` reader over any buffered input.
pub struct Reader<R> {
    input: R,
    line: Vec<u8>,
    /// Lines read so far (Go's `numLine`).
    lines_read: u64,
    fields: FieldsPerRecord,
    first_count: Option<usize>,
    eof: bool,
    /// Whether to work out [`Record::canonical_text`] (costs a check per field).
    track_canonical: bool,
    /// Bytes consumed from the input, and the raw length of the last line read.
    consumed: usize,
    last_line_len: usize,
    /// Bit i set: keep field i's text. Fields not kept are still checked but read as
    /// empty, which saves copying text nobody looks at.
    keep_mask: u128,
}

impl<R: BufRead> Reader<R> {
    pub fn new(input: R, fields: FieldsPerRecord) -> Self {
        Reader {
            input,
            line: Vec::with_capacity(1024),
            lines_read: 0,
            fields,
            first_count: None,
            eof: false,
            track_canonical: false,
            consumed: 0,
            last_line_len: 0,
            keep_mask: u128::MAX,
        }
    }

    /// Keep only the text of the fields whose bit is set (fields past 127 are always
    /// kept); the others read as empty.
    pub fn keep_only(mut self, mask: u128) -> Self {
        self.keep_mask = mask;
        self
    }

    #[inline]
    fn keeps(&self, field: usize) -> bool {
        field >= 128 || self.keep_mask & (1u128 << field) != 0
    }

    /// Numbers lines from `first_line` (for a chunk that starts mid-file).
    pub fn starting_at_line(mut self, first_line: u64) -> Self {
        self.lines_read = first_line.saturating_sub(1);
        self
    }

    /// Also keep each record's input text when it is already in Go's quoting, for
    /// writers that copy rows through.
    pub fn keep_canonical_text(&mut self, on: bool) {
        self.track_canonical = on;
    }

    /// Reads one physical line into `self.line`, folding a final `\r\n` into `\n`.
    /// Returns false at end of input.
    fn read_line(&mut self) -> io::Result<bool> {
        self.line.clear();
        if self.eof {
            return Ok(false);
        }
        let n = self.input.read_until(b'\n', &mut self.line)?;
        if n == 0 {
            self.eof = true;
            return Ok(false);
        }
        self.lines_read += 1;
        self.consumed += n;
        self.last_line_len = n;
        let len = self.line.len();
        if self.line[len - 1] == b'\n' {
            if len >= 2 && self.line[len - 2] == b'\r' {
                self.line.truncate(len - 2);
                self.line.push(b'\n');
            }
        } else {
            // Go drops a lone trailing '\r' at end of file.
            if self.line[len - 1] == b'\r' {
                self.line.truncate(len - 1);
            }
            self.eof = true;
        }
        Ok(true)
    }

    /// Reads the next record into `rec`. `Ok(false)` at end of input.
    pub fn read(&mut self, rec: &mut Record) -> Result<bool, ReadError> {
        rec.clear();
        // Skip blank lines.
        loop {
            if !self.read_line()? {
                return Ok(false);
            }
            if self.line.as_slice() != b"\n" && !self.line.is_empty() {
                break;
            }
        }
        let start_line = self.lines_read;
        rec.line = start_line;
        let record_start = self.consumed - self.last_line_len;
        let mut pos = 0usize;
        let mut canonical = self.track_canonical;
        'field: loop {
            let line = &self.line[..];
            if pos >= line.len() || line[pos] != b'"' {
                // Unquoted field: up to the next comma or end of line.
                let rest = &line[pos..];
                match find_comma_or_quote(rest) {
                    Some(i) if rest[i] == b'"' => {
                        return Err(self.error(CsvErrorKind::BareQuote, start_line, pos + i, rec));
                    }
                    Some(i) => {
                        if self.keeps(rec.ends.len()) {
                            rec.buf.extend_from_slice(&rest[..i]);
                        }
                        rec.push_field(false, &mut canonical, &rest[..i], pos + i);
                        pos += i + 1;
                        continue 'field;
                    }
                    None => {
                        let body = rest.strip_suffix(b"\n").unwrap_or(rest);
                        if self.keeps(rec.ends.len()) {
                            rec.buf.extend_from_slice(body);
                        }
                        rec.push_field(false, &mut canonical, body, pos + body.len());
                        break 'field;
                    }
                }
            }
            // Quoted field.
            pos += 1;
            let inner_start = pos;
            loop {
                let line = &self.line[..];
                match find_quote(&line[pos..]) {
                    Some(i) => {
                        if self.keeps(rec.ends.len()) {
                            rec.buf.extend_from_slice(&line[pos..pos + i]);
                        }
                        pos += i + 1;
                        match line.get(pos) {
                            Some(b'"') => {
                                if self.keeps(rec.ends.len()) {
                                    rec.buf.push(b'"');
                                }
                                pos += 1;
                            }
                            Some(b',') => {
                                // `canonical` is false once a field spans lines, so the
                                // inner range is only read when it lies on this line.
                                let inner = if canonical {
                                    &line[inner_start..pos - 1]
                                } else {
                                    &[][..]
                                };
                                rec.push_field(true, &mut canonical, inner, pos);
                                pos += 1;
                                continue 'field;
                            }
                            // Lines are split at '\n', so a '\n' here is the end of the line.
                            None | Some(b'\n') => {
                                let inner = if canonical {
                                    &line[inner_start..pos - 1]
                                } else {
                                    &[][..]
                                };
                                rec.push_field(true, &mut canonical, inner, pos);
                                break 'field;
                            }
                            _ => {
                                return Err(self.error(
                                    CsvErrorKind::Quote,
                                    start_line,
                                    pos - 1,
                                    rec,
                                ));
                            }
                        }
                    }
                    None if pos < line.len() => {
                        // The field goes on to the next physical line. (Such records are
                        // never copied through: line ends may have been normalised.)
                        canonical = false;
                        if self.keeps(rec.ends.len()) {
                            rec.buf.extend_from_slice(&line[pos..]);
                        }
                        // At the end of the input Go reports the column just past the
                        // last line read (its `pos.col`), not column 1.
                        let last_len = self.line.len();
                        if !self.read_line()? {
                            return Err(self.error(CsvErrorKind::Quote, start_line, last_len, rec));
                        }
                        pos = 0;
                    }
                    None => {
                        return Err(self.error(CsvErrorKind::Quote, start_line, pos, rec));
                    }
                }
            }
        }
        rec.span = (record_start, self.consumed);
        if canonical {
            // Hand the line buffer to the record instead of copying it; the record's old
            // buffer becomes the next line buffer.
            if self.line.last() == Some(&b'\n') {
                self.line.pop();
            }
            std::mem::swap(&mut rec.canonical, &mut self.line);
            rec.is_canonical = true;
        }
        let expected = match self.fields {
            FieldsPerRecord::Exactly(n) => Some(n),
            FieldsPerRecord::SameAsFirst => self.first_count,
        };
        match expected {
            Some(n) if n != rec.len() => Err(ReadError::Csv(CsvError {
                kind: CsvErrorKind::FieldCount {
                    expected: n,
                    found: rec.len(),
                },
                start_line,
                line: start_line,
                column: 1,
                field_index: rec.len().min(n),
            })),
            Some(_) => Ok(true),
            None => {
                self.first_count = Some(rec.len());
                Ok(true)
            }
        }
    }

    fn error(&self, kind: CsvErrorKind, start_line: u64, byte: usize, rec: &Record) -> ReadError {
        ReadError::Csv(CsvError {
            kind,
            start_line,
            line: self.lines_read,
            column: byte as u64 + 1,
            field_index: rec.len(),
        })
    }
}

/// How far a plain loop looks before handing over to `memchr`: DOJ fields are mostly a
/// few bytes long, where a library call costs more than the scan.
const SHORT_SCAN: usize = 16;

#[inline]
fn find_quote(hay: &[u8]) -> Option<usize> {
    let head = hay.len().min(SHORT_SCAN);
    match hay[..head].iter().position(|&b| b == b'"') {
        Some(i) => Some(i),
        None => memchr(b'"', &hay[head..]).map(|i| i + head),
    }
}

#[inline]
fn find_comma_or_quote(hay: &[u8]) -> Option<usize> {
    let head = hay.len().min(SHORT_SCAN);
    match hay[..head].iter().position(|&b| b == b',' || b == b'"') {
        Some(i) => Some(i),
        None => memchr2(b',', b'"', &hay[head..]).map(|i| i + head),
    }
}

/// Whether Go's csv writer quotes this field: it contains a comma, quote, CR or LF, is
/// exactly `\.`, or begins with a Unicode space (so `"  -  "` stays quoted).
#[inline]
pub fn needs_quotes(field: &[u8]) -> bool {
    if field.is_empty() {
        return false;
    }
    if field == b"\\." {
        return true;
    }
    // Checked first because DOJ filler fields ("  -  ") start with a space.
    starts_with_unicode_space(field)
        || memchr::memchr3(b',', b'"', b'\n', field).is_some()
        || memchr(b'\r', field).is_some()
}

#[inline]
fn starts_with_unicode_space(field: &[u8]) -> bool {
    match field[0] {
        b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r' => true,
        b if b < 0x80 => false,
        _ => {
            let head = &field[..field.len().min(4)];
            let c = match std::str::from_utf8(head) {
                Ok(s) => s.chars().next(),
                Err(e) => std::str::from_utf8(&head[..e.valid_up_to()])
                    .ok()
                    .and_then(|s| s.chars().next()),
            };
            // Go's unicode.IsSpace: U+0085, U+00A0 and the Z categories' spaces.
            matches!(
                c,
                Some(
                    '\u{85}' | '\u{a0}' | '\u{1680}' | '\u{2000}'
                        ..='\u{200a}'
                            | '\u{2028}'
                            | '\u{2029}'
                            | '\u{202f}'
                            | '\u{205f}'
                            | '\u{3000}'
                )
            )
        }
    }
}

/// Appends one field, quoted as Go would, to `out`.
pub fn write_field(out: &mut Vec<u8>, field: &[u8]) {
    if !needs_quotes(field) {
        out.extend_from_slice(field);
        return;
    }
    out.push(b'"');
    let mut rest = field;
    while let Some(i) = memchr(b'"', rest) {
        out.extend_from_slice(&rest[..=i]);
        out.push(b'"');
        rest = &rest[i + 1..];
    }
    out.extend_from_slice(rest);
    out.push(b'"');
}

/// Go-style CSV writer that builds each line in a reusable buffer.
pub struct Writer<W: Write> {
    out: W,
    line: Vec<u8>,
    first: bool,
}

impl<W: Write> Writer<W> {
    pub fn new(out: W) -> Self {
        Writer {
            out,
            line: Vec::with_capacity(2048),
            first: true,
        }
    }

    pub fn field(&mut self, value: &[u8]) {
        if !self.first {
            self.line.push(b',');
        }
        self.first = false;
        write_field(&mut self.line, value);
    }

    /// Appends already-encoded fields (a [`Record::canonical_text`]).
    pub fn encoded_fields(&mut self, encoded: &[u8]) {
        if !self.first {
            self.line.push(b',');
        }
        self.first = false;
        self.line.extend_from_slice(encoded);
    }

    pub fn end_record(&mut self) -> io::Result<()> {
        self.line.push(b'\n');
        self.out.write_all(&self.line)?;
        self.line.clear();
        self.first = true;
        Ok(())
    }

    pub fn record<I, S>(&mut self, fields: I) -> io::Result<()>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<[u8]>,
    {
        for f in fields {
            self.field(f.as_ref());
        }
        self.end_record()
    }

    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    pub fn into_inner(self) -> W {
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(input: &str, fields: FieldsPerRecord) -> Result<Vec<Vec<String>>, ReadError> {
        let mut r = Reader::new(input.as_bytes(), fields);
        let mut rec = Record::default();
        let mut out = vec![];
        while r.read(&mut rec)? {
            out.push(
                rec.fields()
                    .map(|f| String::from_utf8_lossy(f).into_owned())
                    .collect(),
            );
        }
        Ok(out)
    }

    #[test]
    fn reads_quotes_blank_lines_crlf_and_final_line_without_newline() {
        let got = read_all(
            "a,\"b,c\",\"d\"\"e\"\r\n\n\"multi\nline\",x,\nlast,1,2",
            FieldsPerRecord::Exactly(3),
        )
        .unwrap();
        assert_eq!(
            got,
            vec![
                vec!["a", "b,c", "d\"e"],
                vec!["multi\nline", "x", ""],
                vec!["last", "1", "2"]
            ]
        );
    }

    #[test]
    fn field_count_error_names_the_record_line() {
        let err = read_all("a,b\n\na,b,c\n", FieldsPerRecord::Exactly(2)).unwrap_err();
        assert_eq!(err.to_string(), "record on line 3: wrong number of fields");
    }

    #[test]
    fn first_record_sets_the_count_by_default() {
        let err = read_all("a,b\nc\n", FieldsPerRecord::SameAsFirst).unwrap_err();
        assert_eq!(err.to_string(), "record on line 2: wrong number of fields");
    }

    #[test]
    fn bare_and_stray_quotes_are_errors() {
        let err = read_all("ab\"c,d\n", FieldsPerRecord::SameAsFirst).unwrap_err();
        assert_eq!(
            err.to_string(),
            "parse error on line 1, column 3: bare \" in non-quoted-field"
        );
        let err = read_all("\"ab\"c,d\n", FieldsPerRecord::SameAsFirst).unwrap_err();
        assert_eq!(
            err.to_string(),
            "parse error on line 1, column 4: extraneous or missing \" in quoted-field"
        );
        let err = read_all("x\n\"open\nnever closed", FieldsPerRecord::SameAsFirst).unwrap_err();
        assert!(err.to_string().contains("extraneous or missing"), "{err}");
    }

    #[test]
    fn canonical_records_are_recognised() {
        let mut r = Reader::new(
            &b"a,\"  -  \",,\"x,y\"\n\"a\",b,c,d\n\"\",b,c,d\n"[..],
            FieldsPerRecord::Exactly(4),
        );
        r.keep_canonical_text(true);
        let mut rec = Record::default();
        r.read(&mut rec).unwrap();
        assert_eq!(rec.canonical_text(), Some(&b"a,\"  -  \",,\"x,y\""[..]));
        assert_eq!(rec.encoded_field(1), Some(&b"\"  -  \""[..]));
        assert_eq!(rec.encoded_field(2), Some(&b""[..]));
        assert_eq!(rec.encoded_field(3), Some(&b"\"x,y\""[..]));
        // Needless quotes and an empty quoted field are not how Go writes them.
        r.read(&mut rec).unwrap();
        assert_eq!(rec.canonical_text(), None);
        r.read(&mut rec).unwrap();
        assert_eq!(rec.canonical_text(), None);
    }

    #[test]
    fn writer_quotes_like_go() {
        let mut w = Writer::new(Vec::new());
        w.record(["plain", "  -  ", "", "a,b", "q\"q", "\\.", "\u{a0}x", "x "])
            .unwrap();
        assert_eq!(
            String::from_utf8(w.into_inner()).unwrap(),
            "plain,\"  -  \",,\"a,b\",\"q\"\"q\",\"\\.\",\"\u{a0}x\",x \n"
        );
    }
}
