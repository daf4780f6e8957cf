//! How a row's fields are stored: one blob of `varint(len) bytes` per field, in order.
//!
//! Chosen over a JSON array because DOJ fields are bytes, not guaranteed UTF-8, and JSON
//! would need escaping or base64; a length-prefixed blob keeps the exact bytes, costs one
//! byte of overhead for most fields, and writes and reads as a single column with no parsing.

/// Appends `fields` to `out` in the stored encoding.
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

/// The fields of a stored blob, or `None` if it is not in the stored encoding.
#[must_use]
pub fn decode(mut blob: &[u8]) -> Option<Vec<Vec<u8>>> {
    let mut fields = Vec::with_capacity(95);
    while !blob.is_empty() {
        let mut len: u64 = 0;
        let mut shift = 0;
        loop {
            let (&byte, rest) = blob.split_first()?;
            blob = rest;
            len |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                break;
            }
            shift += 7;
            if shift > 63 {
                return None;
            }
        }
        let len = usize::try_from(len).ok()?;
        if len > blob.len() {
            return None;
        }
        let (field, rest) = blob.split_at(len);
        fields.push(field.to_vec());
        blob = rest;
    }
    Some(fields)
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
    }
}
