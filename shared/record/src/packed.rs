//! A record's fields packed into one value: for each field in order, its length as an
//! unsigned LEB128 varint, then its bytes.
//!
//! Ingest stores rows this way and the ingest contract can send them this way
//! (`RawRow.packed_fields`). DOJ fields are bytes, not guaranteed UTF-8, so JSON would need
//! escaping or base64; this keeps the exact bytes at one byte of overhead for most fields,
//! and a row travels and is read back as one value instead of 95.

use crate::gocsv::Record;

/// Appends `fields` to `out`, packed.
pub fn encode<'a>(fields: impl Iterator<Item = &'a [u8]>, out: &mut Vec<u8>) {
    for field in fields {
        let mut len = field.len() as u64;
        loop {
            let low = (len & 0x7f) as u8;
            len >>= 7;
            if len == 0 {
                out.push(low);
                break;
            }
            out.push(low | 0x80);
        }
        out.extend_from_slice(field);
    }
}

/// The fields of a packed value, or `None` if `blob` is not one.
#[must_use]
pub fn decode(mut blob: &[u8]) -> Option<Vec<Vec<u8>>> {
    let mut fields = Vec::with_capacity(95);
    while !blob.is_empty() {
        let (len, rest) = varint(blob)?;
        if len > rest.len() {
            return None;
        }
        let (field, rest) = rest.split_at(len);
        fields.push(field.to_vec());
        blob = rest;
    }
    Some(fields)
}

/// The fields of a packed value as a [`Record`] (one buffer, no allocation per field), or
/// `None` if `blob` is not a packed value.
#[must_use]
pub fn to_record(mut blob: &[u8]) -> Option<Record> {
    let mut record = Record::default();
    while !blob.is_empty() {
        let (len, rest) = varint(blob)?;
        if len > rest.len() {
            return None;
        }
        let (field, rest) = rest.split_at(len);
        record.append_field(field);
        blob = rest;
    }
    Some(record)
}

/// One varint length and what follows it.
fn varint(mut blob: &[u8]) -> Option<(usize, &[u8])> {
    let mut len: u64 = 0;
    let mut shift = 0;
    loop {
        let (&byte, rest) = blob.split_first()?;
        blob = rest;
        len |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Some((usize::try_from(len).ok()?, blob));
        }
        shift += 7;
        if shift > 63 {
            return None;
        }
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_empty_long_and_binary_fields() {
        let long = vec![b'x'; 300];
        let fields: Vec<&[u8]> = vec![b"", b"abc", &long, &[0xff, 0x00, b'"']];
        let mut blob = Vec::new();
        encode(fields.iter().copied(), &mut blob);
        let back = decode(&blob).expect("decodes");
        assert_eq!(back, fields.iter().map(|f| f.to_vec()).collect::<Vec<_>>());
    }

    #[test]
    fn rejects_truncated_blobs() {
        assert_eq!(decode(&[5, b'a']), None);
        assert!(to_record(&[5, b'a']).is_none());
    }

    #[test]
    fn to_record_keeps_every_field() {
        let fields: Vec<&[u8]> = vec![b"", b"a,b", &[0xff], b"\"q\""];
        let mut blob = Vec::new();
        encode(fields.iter().copied(), &mut blob);
        let record = to_record(&blob).expect("decodes");
        assert_eq!(record.len(), 4);
        for (i, f) in fields.iter().enumerate() {
            assert_eq!(record.field(i), *f);
        }
    }
}
