//! Opaque ids: ULID text (26 Crockford base32 characters, time-ordered), never derived from
//! personal data.

use std::time::{SystemTime, UNIX_EPOCH};

use rand::RngCore;

const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Milliseconds since the Unix epoch, now.
#[must_use]
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// A new ULID: 48 bits of milliseconds then 80 random bits.
#[must_use]
pub fn new_id() -> String {
    let ms = u128::try_from(now_ms().max(0)).unwrap_or(0) & ((1u128 << 48) - 1);
    let mut random = [0u8; 10];
    rand::rng().fill_bytes(&mut random);
    let mut value = ms << 80;
    for (i, byte) in random.iter().enumerate() {
        value |= u128::from(*byte) << (8 * (9 - i));
    }
    let mut text = [0u8; 26];
    for (i, slot) in text.iter_mut().enumerate() {
        let shift = 5 * (25 - i);
        *slot = CROCKFORD[((value >> shift) & 0x1f) as usize];
    }
    String::from_utf8_lossy(&text).into_owned()
}

/// Whether `text` looks like an id this service hands out.
#[must_use]
pub fn is_id(text: &str) -> bool {
    text.len() == 26 && text.bytes().all(|b| CROCKFORD.contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_26_crockford_characters_and_distinct() {
        let a = new_id();
        let b = new_id();
        assert!(is_id(&a) && is_id(&b));
        assert_ne!(a, b);
    }
}
