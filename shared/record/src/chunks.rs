//! Record-aligned chunks of a DOJ file, so that several threads can parse one file.
//!
//! A chunk boundary is a newline at which the number of `"` bytes seen so far is even.
//! For input that Go's reader accepts, that is exactly a record boundary (quotes come in
//! pairs inside quoted fields). For input it rejects, every chunk up to and including the
//! one with the first error still starts at a true record boundary, so parsing chunks in
//! order reports the same first error, on the same line, as one sequential reader.

use std::io::{self, Read};

/// A run of whole records.
pub struct Chunk {
    /// Position of the chunk in the file, from 0.
    pub seq: u64,
    /// 1-based number of the chunk's first physical line (counted after any header).
    pub first_line: u64,
    /// Physical lines in the chunk (the last one may lack its newline).
    pub lines: u64,
    pub bytes: Vec<u8>,
}

/// Cuts a byte stream into chunks, each ending at the first record boundary at or after
/// `target` bytes (or at end of input). Boundaries depend only on the content, never on
/// how reads happen to return, so two passes over a file see the same chunks.
pub struct Splitter<R> {
    input: R,
    target: usize,
    /// (bytes, lines) of each chunk from an earlier pass over the same file: cut there
    /// without scanning.
    known: Option<std::vec::IntoIter<(usize, u64)>>,
    carry: Vec<u8>,
    next_line: u64,
    seq: u64,
    eof: bool,
}

impl<R: Read> Splitter<R> {
    pub fn new(input: R, target: usize) -> Self {
        Splitter {
            input,
            target: target.max(1),
            known: None,
            carry: Vec::new(),
            next_line: 1,
            seq: 0,
            eof: false,
        }
    }

    /// Cuts at these (bytes, lines) chunk sizes (from [`Chunk::bytes`] and
    /// [`Chunk::lines`] of an earlier pass) instead of looking for boundaries.
    pub fn with_known_lengths(mut self, lengths: Vec<(usize, u64)>) -> Self {
        self.known = Some(lengths.into_iter());
        self
    }

    /// Reads until the buffer holds at least `want` bytes or the input ends.
    fn fill(&mut self, want: usize) -> io::Result<()> {
        if self.carry.len() < want && !self.eof {
            // Straight into the chunk buffer: no scratch block to zero and copy from.
            let missing = (want - self.carry.len()) as u64;
            let n = (&mut self.input)
                .take(missing)
                .read_to_end(&mut self.carry)?;
            // `take` stops at `missing` bytes; fewer means the input ended.
            self.eof = (n as u64) < missing;
        }
        Ok(())
    }

    /// The next chunk, or `None` at end of input.
    pub fn next_chunk(&mut self) -> io::Result<Option<Chunk>> {
        if let Some(known) = &mut self.known {
            let Some((len, lines)) = known.next() else {
                return Ok(None);
            };
            self.fill(len)?;
            if self.carry.len() < len {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the file got shorter between passes",
                ));
            }
            let rest = self.carry.split_off(len);
            return Ok(Some(self.emit(rest, lines)));
        }
        let mut want = self.target;
        loop {
            self.fill(want)?;
            if self.carry.is_empty() {
                return Ok(None);
            }
            let min = if self.eof { 0 } else { self.target };
            if let Some((cut, lines)) = record_boundary_from(&self.carry, min) {
                let rest = self.carry.split_off(cut);
                return Ok(Some(self.emit(rest, lines)));
            }
            if self.eof {
                // The tail has no boundary (no final newline, or an unclosed quote):
                // it is the last chunk and the parser reports what is wrong with it.
                let lines = newlines(&self.carry) + 1;
                return Ok(Some(self.emit(Vec::new(), lines)));
            }
            // One record is larger than the target: read on, doubling what is held, so a
            // record (or an unclosed quote) of n bytes costs O(n log n) scanning rather
            // than a rescan per `target` bytes (O(n²) with tiny chunks). The boundary found
            // does not depend on how much is held, only on the bytes.
            want = self.carry.len() + self.target.max(self.carry.len());
        }
    }

    fn emit(&mut self, rest: Vec<u8>, lines: u64) -> Chunk {
        let bytes = std::mem::replace(&mut self.carry, rest);
        let chunk = Chunk {
            seq: self.seq,
            first_line: self.next_line,
            lines,
            bytes,
        };
        self.seq += 1;
        self.next_line += lines;
        chunk
    }
}

fn newlines(bytes: &[u8]) -> u64 {
    bytecount::count(bytes, b'\n') as u64
}

/// The end (exclusive) of the first line ending at or after `min` bytes after which the
/// quote count is even, with the number of lines up to there. With `min` 0, the last
/// such line end instead (the final chunk takes everything that is complete).
///
/// This looks at every byte of the file, so it leans on SIMD counting: count the quotes
/// before the first newline past `min` in one go; only when that count is odd (a quoted
/// field spans the newline, which is rare) step on line by line.
fn record_boundary_from(bytes: &[u8], min: usize) -> Option<(usize, u64)> {
    if min == 0 {
        return last_record_boundary(bytes);
    }
    let mut nl =
        min.saturating_sub(1) + memchr::memchr(b'\n', bytes.get(min.saturating_sub(1)..)?)?;
    let mut quotes = bytecount::count(&bytes[..nl], b'"');
    loop {
        if quotes.is_multiple_of(2) {
            let lines = bytecount::count(&bytes[..=nl], b'\n') as u64;
            return Some((nl + 1, lines));
        }
        let next = nl + 1 + memchr::memchr(b'\n', &bytes[nl + 1..])?;
        quotes += bytecount::count(&bytes[nl..next], b'"');
        nl = next;
    }
}

/// The last line end after which the quote count is even (end of input).
fn last_record_boundary(bytes: &[u8]) -> Option<(usize, u64)> {
    let (mut quotes, mut lines, mut start, mut best) = (0usize, 0u64, 0usize, None);
    for nl in memchr::memchr_iter(b'\n', bytes) {
        quotes += bytecount::count(&bytes[start..nl], b'"');
        lines += 1;
        start = nl + 1;
        if quotes.is_multiple_of(2) {
            best = Some((start, lines));
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str, target: usize) -> Vec<(u64, String)> {
        let mut s = Splitter::new(text.as_bytes(), target);
        let mut out = vec![];
        while let Some(c) = s.next_chunk().unwrap() {
            out.push((c.first_line, String::from_utf8(c.bytes).unwrap()));
        }
        out
    }

    #[test]
    fn chunks_end_at_record_boundaries_and_count_lines() {
        let text = "a,b\n\"multi\nline\",c\nd,e\nlast";
        let chunks = split(text, 4);
        assert_eq!(
            chunks,
            vec![
                (1, "a,b\n".to_string()),
                (2, "\"multi\nline\",c\n".to_string()),
                (4, "d,e\n".to_string()),
                (5, "last".to_string()),
            ]
        );
        let joined: String = chunks.iter().map(|c| c.1.as_str()).collect();
        assert_eq!(joined, text);
    }

    #[test]
    fn one_big_chunk_when_the_target_is_large() {
        assert_eq!(split("x\ny\n", 1 << 20), vec![(1, "x\ny\n".to_string())]);
        assert!(split("", 10).is_empty());
    }

    #[test]
    fn boundaries_match_a_byte_by_byte_scan() {
        // Long lines and quoted newlines across 64-byte blocks.
        let mut text = String::new();
        for i in 0..200 {
            let pad = "x".repeat(i * 7 % 150);
            if i % 5 == 0 {
                text.push_str(&format!("\"{pad}\n{pad}\",\"q\"\"q\"\n"));
            } else {
                text.push_str(&format!("{pad},{i}\n"));
            }
        }
        let bytes = text.as_bytes();
        let slow = |min: usize| {
            let (mut even, mut lines, mut best) = (true, 0u64, None);
            for (i, &b) in bytes.iter().enumerate() {
                if b == b'"' {
                    even = !even;
                }
                if b == b'\n' {
                    lines += 1;
                    if even {
                        best = Some((i + 1, lines));
                        if min > 0 && i + 1 >= min {
                            break;
                        }
                    }
                }
            }
            best.filter(|&(end, _)| min == 0 || end >= min)
        };
        for min in [
            0,
            1,
            63,
            64,
            65,
            100,
            1000,
            5000,
            bytes.len(),
            bytes.len() + 1,
        ] {
            assert_eq!(record_boundary_from(bytes, min), slow(min), "min {min}");
        }
    }

    #[test]
    fn unclosed_quote_runs_to_the_end() {
        assert_eq!(
            split("a\n\"open\nb\n", 1),
            vec![(1, "a\n".to_string()), (2, "\"open\nb\n".to_string())]
        );
    }
}
