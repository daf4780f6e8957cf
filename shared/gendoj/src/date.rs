//! DOJ date cells, on top of [`cmr_record::Instant`] (Go `time.Time` calendar semantics).
//!
//! The generator draws dates as day numbers (days since 1970-01-01), so that a uniform draw over
//! a date range is one integer draw; these helpers convert between day numbers and midnight
//! [`Instant`]s and write the `YYYYMMDD` cells.

use cmr_record::Instant;

const SECONDS_PER_DAY: i64 = 86_400;

/// Midnight UTC `days` days after 1970-01-01.
pub fn from_days(days: i64) -> Instant {
    Instant::from_unix_seconds(days * SECONDS_PER_DAY)
}

/// Day number (days since 1970-01-01) of `instant`.
pub fn days(instant: Instant) -> i64 {
    instant.unix_seconds().div_euclid(SECONDS_PER_DAY)
}

/// Midnight UTC of a civil date; `None` when it names no real calendar day (31 Apr, month 13,
/// day 0, …), i.e. when Go's `time.Date` would have to normalise it.
pub fn civil(year: i32, month: u32, day: u32) -> Option<Instant> {
    let instant = Instant::from_ymd(year.into(), month.into(), day.into());
    (instant.ymd() == (year.into(), month, day)).then_some(instant)
}

/// Write `instant`'s date as `YYYYMMDD` (the DOJ date format, gogen-compat §1.3).
///
/// Years outside 0..=9999 cannot occur (all generated dates lie between 1949 and a few weeks after
/// the configured "now", which is validated), so four digits always suffice.
pub fn write_yyyymmdd(instant: Instant, out: &mut [u8; 8]) {
    let (year, month, day) = instant.ymd();
    let value = u64::try_from(year).unwrap_or(0) * 10_000 + u64::from(month) * 100 + u64::from(day);
    crate::digits::write_padded(value, out);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_numbers_round_trip() {
        assert_eq!(days(civil(1970, 1, 1).unwrap()), 0);
        assert_eq!(from_days(0), civil(1970, 1, 1).unwrap());
        for n in [-30_000, -1, 0, 1, 11_002, 18_211, 60_000] {
            assert_eq!(days(from_days(n)), n);
        }
    }

    #[test]
    fn civil_rejects_dates_go_would_normalise() {
        assert_eq!(civil(2020, 2, 29).unwrap().ymd(), (2020, 2, 29));
        for (y, m, d) in [
            (2019, 2, 29),
            (2019, 13, 1),
            (2019, 4, 0),
            (2019, 4, 31),
            (2019, 0, 1),
        ] {
            assert!(civil(y, m, d).is_none(), "{y}-{m}-{d}");
        }
    }

    #[test]
    fn court_month_normalises_like_go() {
        // The court row is dated `AddDate(0, 1, 0)` after the arrest, overflow rolling on.
        let month_later = |y, m, d| civil(y, m, d).unwrap().add_date(0, 1, 0).ymd();
        assert_eq!(month_later(2019, 1, 31), (2019, 3, 3));
        assert_eq!(month_later(2020, 1, 31), (2020, 3, 2));
        assert_eq!(month_later(2019, 12, 15), (2020, 1, 15));
        assert_eq!(month_later(2019, 8, 31), (2019, 10, 1));
    }

    #[test]
    fn formats_yyyymmdd() {
        let mut buf = [0u8; 8];
        write_yyyymmdd(civil(1979, 5, 25).unwrap(), &mut buf);
        assert_eq!(&buf, b"19790525");
        write_yyyymmdd(civil(1949, 12, 31).unwrap(), &mut buf);
        assert_eq!(&buf, b"19491231");
    }
}
