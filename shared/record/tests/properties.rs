//! Property tests of the Go-compatible CSV reader/writer and of the chunk splitter's
//! central claim (see the top of `src/chunks.rs`): reading a file chunk by chunk, in
//! order, gives exactly the records of one sequential reader and, for invalid input, the
//! same first error (message and line), whatever the chunk size.

use cmr_record::FieldCheck;
use cmr_record::chunks::Splitter;
use cmr_record::doj::{ChunkRecords, DojReader, DojSource, field_count_error};
use cmr_record::gocsv::{FieldsPerRecord, Reader, Record, Writer};
use proptest::prelude::*;

/// A record as read: its fields and the line it starts on.
type Read = (Vec<Vec<u8>>, u64);

fn fields_of(rec: &Record) -> Vec<Vec<u8>> {
    rec.fields().map(<[u8]>::to_vec).collect()
}

/// One field: short text over an alphabet rich in what CSV has to quote (comma, quote,
/// CR, LF, leading spaces incl. Unicode ones), plus Go's special `\.`.
fn field() -> impl Strategy<Value = String> {
    let chars = prop::collection::vec(
        prop::sample::select(vec![
            'a', 'b', ' ', ',', '"', '\r', '\n', '\t', 'é', '\u{a0}', '\u{3000}', '\\', '.',
        ]),
        0..6,
    )
    .prop_map(String::from_iter);
    prop_oneof![9 => chars, 1 => Just("\\.".to_string())]
}

/// Records with the same number of fields (1 to 5) in each case.
fn records() -> impl Strategy<Value = Vec<Vec<String>>> {
    (1..=5usize).prop_flat_map(|n| prop::collection::vec(prop::collection::vec(field(), n), 0..8))
}

fn write_all(records: &[Vec<String>]) -> Vec<u8> {
    let mut w = Writer::new(Vec::new());
    for r in records {
        w.record(r).unwrap();
    }
    w.into_inner()
}

/// What Go's reader gives back for what Go's writer wrote: a record of one empty field is
/// written as a blank line, which the reader skips, and a `\r\n` inside a quoted field
/// is read as `\n`.
fn go_round_trip(records: &[Vec<String>]) -> Vec<Vec<Vec<u8>>> {
    records
        .iter()
        .filter(|r| !(r.len() == 1 && r[0].is_empty()))
        .map(|r| {
            r.iter()
                .map(|f| f.replace("\r\n", "\n").into_bytes())
                .collect()
        })
        .collect()
}

/// Valid CSV with blank lines (LF or CRLF) between some records and, sometimes, no final
/// newline: still one sequential reading, but more ways to cut it.
fn valid_csv() -> impl Strategy<Value = (Vec<u8>, usize)> {
    (records(), prop::collection::vec(0..4u8, 8), any::<bool>()).prop_map(
        |(records, blanks, trim_end)| {
            let n = records.first().map_or(1, Vec::len);
            let mut out = Vec::new();
            for (i, r) in records.iter().enumerate() {
                match blanks[i % blanks.len()] {
                    1 => out.extend_from_slice(b"\n"),
                    2 => out.extend_from_slice(b"\r\n"),
                    _ => {}
                }
                out.extend_from_slice(&write_all(std::slice::from_ref(r)));
            }
            if trim_end && out.ends_with(b"\n") {
                out.pop();
            }
            (out, n)
        },
    )
}

/// Reads `input` sequentially until the end or the first error.
fn read_sequentially(input: &[u8], fields: FieldsPerRecord) -> (Vec<Read>, Option<String>) {
    let mut reader = Reader::new(input, fields);
    let mut rec = Record::default();
    let mut out = Vec::new();
    loop {
        match reader.read(&mut rec) {
            Ok(true) => out.push((fields_of(&rec), rec.line())),
            Ok(false) => return (out, None),
            Err(e) => return (out, Some(e.to_string())),
        }
    }
}

/// Reads `input` chunk by chunk, in order, until the end or the first error, checking
/// each chunk's first record against the file's first record as `cli/src/evaluate.rs`
/// (`check_same_count`) does. Also returns the chunks' bytes, concatenated.
fn read_in_chunks(
    input: &[u8],
    target: usize,
    fields: FieldsPerRecord,
) -> (Vec<Read>, Option<String>, Vec<u8>) {
    let mut splitter = Splitter::new(input, target);
    let mut out = Vec::new();
    let mut joined = Vec::new();
    let mut file_first: Option<usize> = None;
    let mut expected_line = 1;
    while let Some(chunk) = splitter.next_chunk().unwrap() {
        assert_eq!(chunk.first_line, expected_line, "chunk {}", chunk.seq);
        expected_line += chunk.lines;
        joined.extend_from_slice(&chunk.bytes);
        let mut reader = Reader::new(&chunk.bytes[..], fields).starting_at_line(chunk.first_line);
        let mut rec = Record::default();
        let mut records = Vec::new();
        let outcome = loop {
            match reader.read(&mut rec) {
                Ok(true) => records.push((fields_of(&rec), rec.line())),
                Ok(false) => break None,
                Err(e) => break Some(e.to_string()),
            }
        };
        // check_same_count: the chunk's first record against the file's first record.
        if let Some((first_fields, line)) = records.first() {
            match file_first {
                None => file_first = Some(first_fields.len()),
                Some(expected) if expected != first_fields.len() => {
                    let err = field_count_error(*line, expected, first_fields.len());
                    return (out, Some(err.to_string()), joined);
                }
                Some(_) => {}
            }
        }
        out.extend(records);
        if outcome.is_some() {
            return (out, outcome, joined);
        }
    }
    (out, None, joined)
}

/// Arbitrary bytes over a CSV-heavy alphabet.
fn csv_noise() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![
            3 => Just(b'"'),
            4 => Just(b','),
            4 => Just(b'\n'),
            2 => Just(b'\r'),
            6 => Just(b'a'),
            2 => Just(b' '),
        ],
        0..400,
    )
}

/// Valid CSV with a few bytes inserted, deleted or replaced, so that errors also turn up
/// deep into the file and after multi-line records.
fn damaged_csv() -> impl Strategy<Value = Vec<u8>> {
    let edit = (
        any::<prop::sample::Index>(),
        0..3u8,
        prop::sample::select(vec![b'"', b',', b'\n', b'\r', b'a', b' ']),
    );
    (valid_csv(), prop::collection::vec(edit, 1..4)).prop_map(|((mut bytes, _), edits)| {
        for (at, op, byte) in edits {
            let i = at.index(bytes.len() + 1);
            match op {
                0 => bytes.insert(i, byte),
                1 if i < bytes.len() => {
                    bytes.remove(i);
                }
                _ if i < bytes.len() => bytes[i] = byte,
                _ => bytes.push(byte),
            }
        }
        bytes
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn writer_output_reads_back(records in records()) {
        let n = records.first().map_or(1, Vec::len);
        let bytes = write_all(&records);
        let mut reader = Reader::new(&bytes[..], FieldsPerRecord::Exactly(n));
        reader.keep_canonical_text(true);
        let mut rec = Record::default();
        let mut got = Vec::new();
        let mut written = records.iter().filter(|r| !(r.len() == 1 && r[0].is_empty()));
        while reader.read(&mut rec).unwrap() {
            got.push(fields_of(&rec));
            let original = written.next().expect("more records read than written");
            let has_line_end = original.iter().any(|f| f.contains(['\r', '\n']));
            if !has_line_end {
                // One physical line, written by our writer: canonical, and its text is
                // exactly what the writer wrote.
                let canonical = rec.canonical_text();
                prop_assert!(canonical.is_some(), "not canonical: {original:?}");
                let line = write_all(std::slice::from_ref(original));
                prop_assert_eq!(canonical, Some(&line[..line.len() - 1]));
            }
            if rec.canonical_text().is_some() {
                for i in 0..rec.len() {
                    let encoded = rec.encoded_field(i).expect("encoded field");
                    let mut one = Reader::new(encoded, FieldsPerRecord::Exactly(1));
                    let mut back = Record::default();
                    if one.read(&mut back).unwrap() {
                        prop_assert_eq!(back.field(0), rec.field(i));
                        prop_assert!(!one.read(&mut back).unwrap());
                    } else {
                        // An empty encoding is an empty field.
                        prop_assert_eq!(rec.field(i), &b""[..]);
                    }
                }
                prop_assert_eq!(rec.encoded_field(rec.len()), None);
            }
        }
        prop_assert_eq!(got, go_round_trip(&records));
    }

    #[test]
    fn chunks_read_like_one_reader_on_valid_csv(
        (bytes, n) in valid_csv(),
        target in 1..=300usize,
    ) {
        let fields = FieldsPerRecord::Exactly(n);
        let (sequential, error) = read_sequentially(&bytes, fields);
        prop_assert_eq!(error, None);
        let (chunked, chunk_error, joined) = read_in_chunks(&bytes, target, fields);
        prop_assert_eq!(chunk_error, None);
        prop_assert_eq!(&joined, &bytes);
        prop_assert_eq!(&chunked, &sequential);

        // The same through DojSource/ChunkRecords, after a header line of 128+ bytes.
        let mut file = format!("RECORD_ID{}\n", ",COLUMN".repeat(20)).into_bytes();
        file.extend_from_slice(&bytes);
        // Fewer than 128 bytes in all is gogen's EOF error; pad with blank lines.
        while file.len() < 128 {
            file.push(b'\n');
        }
        let mut doj = DojReader::new(&file[..], FieldCheck::SameAsFirst).unwrap();
        prop_assert!(doj.had_header);
        let mut via_doj = Vec::new();
        while let Some(row) = doj.next_row().unwrap() {
            prop_assert_eq!(row.index, via_doj.len() as u64);
            via_doj.push((fields_of(row.record), row.record.line()));
        }
        let mut splitter = DojSource::new(&file[..]).unwrap().splitter(target);
        let mut via_chunks = Vec::new();
        while let Some(chunk) = splitter.next_chunk().unwrap() {
            let mut records = ChunkRecords::new(&chunk, FieldCheck::SameAsFirst);
            while records.advance().unwrap() {
                via_chunks.push((fields_of(&records.record), records.record.line()));
            }
        }
        prop_assert_eq!(&via_chunks, &via_doj);
        prop_assert_eq!(&via_doj, &sequential);
    }

    #[test]
    fn chunks_read_like_one_reader_on_any_bytes(
        bytes in prop_oneof![csv_noise(), damaged_csv()],
        target in 1..=64usize,
    ) {
        let fields = FieldsPerRecord::SameAsFirst;
        let (sequential, error) = read_sequentially(&bytes, fields);
        let (chunked, chunk_error, _) = read_in_chunks(&bytes, target, fields);
        prop_assert_eq!(chunked, sequential, "records differ");
        prop_assert_eq!(chunk_error, error, "first errors differ");
    }
}

/// Go reports a quoted field left open at the end of the input at the end of the last
/// line read (Go's `reader_test.go` "StartLine2": `a,b\n"d\n\n,e` fails at line 4,
/// column 3), not at column 1; the chunked reading must agree for every chunk size.
#[test]
fn an_open_quote_at_the_end_is_reported_where_go_reports_it() {
    let cases: [(&[u8], &str); 5] = [
        (
            b"a,b\n\"d\n\n,e",
            "record on line 2; parse error on line 4, column 3",
        ),
        (b"\"abc", "parse error on line 1, column 5"),
        (b"\"abc\r\n", "parse error on line 1, column 6"),
        (
            b"x\n\"open\nb\n",
            "record on line 2; parse error on line 3, column 3",
        ),
        (
            b"\"d\n\n",
            "record on line 1; parse error on line 2, column 2",
        ),
    ];
    let quote = "extraneous or missing \" in quoted-field";
    for (input, place) in cases {
        let expected = format!("{place}: {quote}");
        let (_, error) = read_sequentially(input, FieldsPerRecord::SameAsFirst);
        assert_eq!(error.as_deref(), Some(&expected[..]), "{input:?}");
        for target in 1..=input.len() + 1 {
            let (_, error, _) = read_in_chunks(input, target, FieldsPerRecord::SameAsFirst);
            assert_eq!(error.as_deref(), Some(&expected[..]), "{input:?}, {target}");
        }
    }
}
