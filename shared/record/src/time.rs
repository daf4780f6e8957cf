//! Instants with Go `time.Time` semantics, as far as gogen's results depend on them.
//!
//! gogen parses `YYYYMMDD` into midnight UTC, turns every unparseable date into Go's zero
//! time (0001-01-01), adds years with Go's `AddDate` (which *normalises* 29 Feb + 1 year to
//! 1 Mar, where chrono would clamp to 28 Feb) and measures "years since" through Go's
//! `Duration`, an int64 of nanoseconds that saturates at about 292 years. Each of these
//! shows up in output cells, so they are reproduced here rather than borrowed from a
//! calendar crate with different rules.

use std::fmt;

const SECONDS_PER_DAY: i64 = 86_400;
const NANOS_PER_SECOND: i128 = 1_000_000_000;
const NANOS_PER_HOUR: i128 = 3_600 * NANOS_PER_SECOND;

/// A UTC instant with one-second resolution (every instant gogen computes is a whole
/// number of hours), stored as seconds since 1970-01-01T00:00:00Z.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant(i64);

impl Instant {
    /// Go's zero time, 0001-01-01T00:00:00Z: what every unparseable date becomes.
    pub const ZERO: Instant = Instant(-62_135_596_800);

    /// Midnight UTC of a civil date. Out-of-range months and days are normalised the way
    /// Go's `time.Date` does (month 13 is January of the next year, day 0 the last day of
    /// the previous month).
    pub fn from_ymd(year: i64, month: i64, day: i64) -> Instant {
        let m0 = month - 1;
        let year = year + m0.div_euclid(12);
        let month = m0.rem_euclid(12) + 1;
        let days = days_from_civil(year, month, 1) + (day - 1);
        Instant(days * SECONDS_PER_DAY)
    }

    pub fn from_unix_seconds(seconds: i64) -> Instant {
        Instant(seconds)
    }

    pub fn unix_seconds(self) -> i64 {
        self.0
    }

    pub fn is_zero(self) -> bool {
        self == Instant::ZERO
    }

    /// Parses exactly eight ASCII digits `YYYYMMDD` naming a real calendar day; anything
    /// else (wrong length, spaces, 31 Feb, month 00) gives [`Instant::ZERO`], never an error,
    /// exactly as gogen does (spec §1.3).
    pub fn parse_yyyymmdd(text: &[u8]) -> Instant {
        parse_ymd_digits(text).unwrap_or(Instant::ZERO)
    }

    /// Parses `YYYY-MM-DD` (the `--compute-at` format). `None` when it is not a real date.
    pub fn parse_iso_date(text: &str) -> Option<Instant> {
        let b = text.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let mut digits = [0u8; 8];
        digits[..4].copy_from_slice(&b[..4]);
        digits[4..6].copy_from_slice(&b[5..7]);
        digits[6..].copy_from_slice(&b[8..]);
        parse_ymd_digits(&digits)
    }

    /// Civil (year, month, day) in UTC.
    pub fn ymd(self) -> (i64, u32, u32) {
        civil_from_days(self.0.div_euclid(SECONDS_PER_DAY))
    }

    /// Seconds past midnight UTC.
    fn second_of_day(self) -> i64 {
        self.0.rem_euclid(SECONDS_PER_DAY)
    }

    /// Go's `t.AddDate(years, months, days)`: add to the calendar fields, then normalise.
    pub fn add_date(self, years: i64, months: i64, days: i64) -> Instant {
        let (y, m, d) = self.ymd();
        let midnight = Instant::from_ymd(y + years, i64::from(m) + months, i64::from(d) + days);
        Instant(midnight.0 + self.second_of_day())
    }

    /// Go's `t.Add(d)` for a duration in nanoseconds.
    pub fn add_nanos(self, nanos: i64) -> Instant {
        Instant(self.0 + nanos.div_euclid(1_000_000_000))
    }

    /// Go's `self.Sub(earlier).Hours()`, including the saturation of `Duration` at
    /// ±2^63 ns (about 292 years), which decides some "years since" comparisons.
    pub fn hours_since(self, earlier: Instant) -> f64 {
        let nanos = i128::from(self.0 - earlier.0) * NANOS_PER_SECOND;
        let nanos = nanos.clamp(i128::from(i64::MIN), i128::from(i64::MAX));
        let whole = nanos / NANOS_PER_HOUR;
        let rest = nanos % NANOS_PER_HOUR;
        whole as f64 + rest as f64 / NANOS_PER_HOUR as f64
    }

    /// gogen's "years since": hours ÷ (24 × 365.25).
    pub fn years_since(self, earlier: Instant) -> f64 {
        self.hours_since(earlier) / (24.0 * 365.25)
    }

    /// `MM/DD/YYYY`, the output format of "Date of Conviction".
    pub fn mmddyyyy(self) -> String {
        let (y, m, d) = self.ymd();
        format!("{m:02}/{d:02}/{y:04}")
    }

    /// `YYYY-MM-DD`.
    pub fn iso_date(self) -> String {
        let (y, m, d) = self.ymd();
        format!("{y:04}-{m:02}-{d:02}")
    }

    /// RFC 3339 as Go's JSON encoder writes a UTC `time.Time` with whole seconds.
    pub fn rfc3339(self) -> String {
        let (y, m, d) = self.ymd();
        let s = self.second_of_day();
        format!(
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
            s / 3600,
            (s / 60) % 60,
            s % 60
        )
    }
}

/// The zero time, as in Go: what an unset or unparseable date is.
impl Default for Instant {
    fn default() -> Self {
        Instant::ZERO
    }
}

impl fmt::Display for Instant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.rfc3339())
    }
}

fn parse_ymd_digits(text: &[u8]) -> Option<Instant> {
    if text.len() != 8 || !text.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let num = |r: std::ops::Range<usize>| {
        text[r]
            .iter()
            .fold(0i64, |acc, b| acc * 10 + i64::from(b - b'0'))
    };
    let (year, month, day) = (num(0..4), num(4..6), num(6..8));
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    Some(Instant::from_ymd(year, month, day))
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_time_is_year_one() {
        assert_eq!(Instant::ZERO.ymd(), (1, 1, 1));
        assert_eq!(Instant::ZERO.mmddyyyy(), "01/01/0001");
        assert_eq!(Instant::ZERO.rfc3339(), "0001-01-01T00:00:00Z");
    }

    #[test]
    fn parses_only_exact_real_dates() {
        assert_eq!(Instant::parse_yyyymmdd(b"19790601").ymd(), (1979, 6, 1));
        assert_eq!(Instant::parse_yyyymmdd(b"20000229").ymd(), (2000, 2, 29));
        for bad in [
            &b"19790231"[..],
            b"19790000",
            b"2018",
            b"",
            b" 19790525",
            b"19790525 ",
            b"19001329",
            b"19000229",
            b"1979-6-1",
        ] {
            assert!(Instant::parse_yyyymmdd(bad).is_zero(), "{bad:?}");
        }
    }

    #[test]
    fn add_date_normalises_like_go() {
        let leap = Instant::parse_yyyymmdd(b"20000229");
        assert_eq!(leap.add_date(1, 0, 0).ymd(), (2001, 3, 1));
        assert_eq!(leap.add_date(21, 0, 0).ymd(), (2021, 3, 1));
        assert_eq!(leap.add_date(4, 0, 0).ymd(), (2004, 2, 29));
        let jan31 = Instant::parse_yyyymmdd(b"20190131");
        assert_eq!(jan31.add_date(0, 1, 0).ymd(), (2019, 3, 3));
        assert_eq!(
            Instant::parse_yyyymmdd(b"20191111")
                .add_date(-7, 0, 0)
                .ymd(),
            (2012, 11, 11)
        );
    }

    #[test]
    fn years_since_uses_julian_years_and_saturates() {
        let at = Instant::parse_iso_date("2019-11-11").unwrap();
        let then = Instant::parse_yyyymmdd(b"19810411");
        assert_eq!(format!("{:.1}", at.years_since(then)), "38.6");
        // Go's Duration saturates at 2^63 ns ≈ 2562047.79 hours.
        let sat = at.hours_since(Instant::ZERO);
        assert!((sat - 2_562_047.788_015_215_5).abs() < 1e-6, "{sat}");
    }

    #[test]
    fn iso_date_round_trip() {
        let d = Instant::parse_iso_date("2019-11-11").unwrap();
        assert_eq!(d.iso_date(), "2019-11-11");
        assert!(Instant::parse_iso_date("2019-02-30").is_none());
        assert!(Instant::parse_iso_date("2019/11/11").is_none());
    }
}
