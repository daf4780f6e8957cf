//! The stored form of a determination's printed gogen cells: each cell as a little-endian
//! `u32` length then its bytes, in the policy's column order.

/// Encodes cells.
#[must_use]
pub fn encode<'a>(cells: impl IntoIterator<Item = &'a [u8]>) -> Vec<u8> {
    let mut out = Vec::new();
    for cell in cells {
        let len = u32::try_from(cell.len()).unwrap_or(u32::MAX);
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&cell[..len as usize]);
    }
    out
}

/// Decodes what [`encode`] wrote; `None` when the bytes are corrupt.
#[must_use]
pub fn decode(mut bytes: &[u8]) -> Option<Vec<Vec<u8>>> {
    let mut cells = Vec::new();
    while !bytes.is_empty() {
        let (len, rest) = bytes.split_first_chunk::<4>()?;
        let len = u32::from_le_bytes(*len) as usize;
        if rest.len() < len {
            return None;
        }
        cells.push(rest[..len].to_vec());
        bytes = &rest[len..];
    }
    Some(cells)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_round_trip() {
        let cells: [&[u8]; 4] = [b"", b"Eligible for Dismissal", b"a,\"b\"", b"-"];
        let bytes = encode(cells);
        assert_eq!(decode(&bytes).unwrap(), cells.map(<[u8]>::to_vec));
        assert!(decode(&bytes[..bytes.len() - 1]).is_none());
    }
}
