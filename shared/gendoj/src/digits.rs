//! Allocation-free decimal formatting for the numeric fields.

/// Write `value` zero-padded to exactly `out.len()` digits. Higher digits that do not fit are
/// dropped, so callers must size `out` for the value's range (all call sites draw values below
/// `10^out.len()`).
pub fn write_padded(mut value: u64, out: &mut [u8]) {
    for slot in out.iter_mut().rev() {
        *slot = b'0' + (value % 10) as u8;
        value /= 10;
    }
    debug_assert_eq!(value, 0, "value does not fit in {} digits", out.len());
}

/// A small stack buffer holding one formatted number.
#[derive(Clone, Copy)]
pub struct NumBuf {
    bytes: [u8; 40],
    len: usize,
}

impl NumBuf {
    /// An empty buffer.
    pub const fn new() -> Self {
        Self {
            bytes: [0; 40],
            len: 0,
        }
    }

    /// Append `value` in decimal, zero-padded to at least `min_width` digits (at most 20).
    pub fn push_padded(&mut self, value: u64, min_width: usize) -> &mut Self {
        let mut digits = [0u8; 20];
        let mut start = digits.len();
        let mut rest = value;
        loop {
            start -= 1;
            digits[start] = b'0' + (rest % 10) as u8;
            rest /= 10;
            if rest == 0 {
                break;
            }
        }
        let width = digits.len() - start;
        for _ in width..min_width.min(20) {
            self.push_byte(b'0');
        }
        for &digit in &digits[start..] {
            self.push_byte(digit);
        }
        self
    }

    /// Append one byte. Panics only if the 40-byte capacity is exceeded, which no caller does.
    pub fn push_byte(&mut self, byte: u8) -> &mut Self {
        self.bytes[self.len] = byte;
        self.len += 1;
        self
    }

    /// The formatted bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pads() {
        let mut out = [0u8; 10];
        write_padded(42, &mut out);
        assert_eq!(&out, b"0000000042");
        let mut buf = NumBuf::new();
        buf.push_padded(101, 3).push_padded(2, 3).push_padded(7, 3);
        buf.push_padded(0, 3);
        assert_eq!(buf.as_bytes(), b"101002007000");
        let mut wide = NumBuf::new();
        wide.push_padded(1234, 3);
        assert_eq!(wide.as_bytes(), b"1234");
        let mut max = NumBuf::new();
        max.push_padded(u64::MAX, 0);
        assert_eq!(max.as_bytes(), u64::MAX.to_string().as_bytes());
    }
}
