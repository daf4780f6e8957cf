//! The county challenge deadline (H&S 11361.9(c)): its default and when it has passed. Pure.

/// AB 1793's deadline, `yyyymmdd`.
pub const DEFAULT_DEADLINE: i32 = 20200701;

/// Whether `today` (`yyyymmdd`, Pacific) is after the last day to challenge.
#[must_use]
pub fn has_passed(deadline: i32, today: i32) -> bool {
    today > deadline
}

const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 86_400_000;

/// California's UTC offset in hours (-8 PST, -7 PDT) at Unix milliseconds `now_ms`. Daylight
/// time (the federal rule since 2007) runs from the second Sunday of March at 02:00 PST
/// (10:00 UTC) to the first Sunday of November at 02:00 PDT (09:00 UTC).
#[must_use]
pub fn pacific_offset_hours(now_ms: i64) -> i64 {
    let year = civil_from_days(now_ms.div_euclid(DAY_MS)) / 10_000;
    let start = nth_sunday(year, 3, 2) * DAY_MS + 10 * HOUR_MS;
    let end = nth_sunday(year, 11, 1) * DAY_MS + 9 * HOUR_MS;
    if (start..end).contains(&now_ms) {
        -7
    } else {
        -8
    }
}

/// Today's date in California as `yyyymmdd`, from Unix milliseconds, honouring daylight time
/// (see [`pacific_offset_hours`]).
#[must_use]
pub fn pacific_today(now_ms: i64) -> i32 {
    let local = now_ms + pacific_offset_hours(now_ms) * HOUR_MS;
    civil_from_days(local.div_euclid(DAY_MS))
}

/// Unix milliseconds of 00:00 in California on `date` (`yyyymmdd`).
#[must_use]
pub fn pacific_midnight_ms(date: i32) -> i64 {
    let utc_midnight = days_from_civil(date) * DAY_MS;
    let daylight = utc_midnight + 7 * HOUR_MS;
    if pacific_offset_hours(daylight) == -7 {
        daylight
    } else {
        utc_midnight + 8 * HOUR_MS
    }
}

/// Days since 1970-01-01 of the `n`th Sunday of `month` in `year`.
fn nth_sunday(year: i32, month: i32, n: i64) -> i64 {
    let first = days_from_civil(year * 10_000 + month * 100 + 1);
    // 1970-01-01 was a Thursday; 0 = Sunday.
    let weekday = (first + 4).rem_euclid(7);
    first + (7 - weekday) % 7 + 7 * (n - 1)
}

/// Days since 1970-01-01 of `yyyymmdd` (Howard Hinnant's algorithm).
#[must_use]
pub fn days_from_civil(date: i32) -> i64 {
    let (year, month, day) = (
        i64::from(date / 10_000),
        i64::from(date / 100 % 100),
        i64::from(date % 100),
    );
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = if month > 2 { month - 3 } else { month + 9 };
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `yyyymmdd` of the day `days` after 1970-01-01 (Howard Hinnant's algorithm).
#[must_use]
pub fn civil_from_days(days: i64) -> i32 {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    i32::try_from(year * 10_000 + month * 100 + day).unwrap_or(0)
}

/// Whether `yyyymmdd` is a real Gregorian date.
#[must_use]
pub fn valid_date(date: i32) -> bool {
    let (year, month, day) = (date / 10_000, date / 100 % 100, date % 100);
    if !(1..=9999).contains(&year) || !(1..=12).contains(&month) || day < 1 {
        return false;
    }
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    day <= days
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(civil_from_days(0), 19700101);
        assert_eq!(civil_from_days(18_444), 20200701);
        // 2020-07-02 06:59 UTC is still 2020-07-01 in PDT; 07:59 UTC is not.
        assert_eq!(pacific_today(1_593_673_140_000), 20200701);
        assert_eq!(pacific_today(1_593_676_740_000), 20200702);
        assert!(has_passed(DEFAULT_DEADLINE, 20200702));
        assert!(!has_passed(DEFAULT_DEADLINE, 20200701));
        assert!(valid_date(20200229));
        assert!(!valid_date(20190229));
        assert!(!valid_date(20201301));
    }

    /// Unix ms of `yyyymmdd` at `hh:mm` UTC.
    fn utc(date: i32, hour: i64, minute: i64) -> i64 {
        days_from_civil(date) * DAY_MS + hour * HOUR_MS + minute * 60_000
    }

    #[test]
    fn days_round_trip() {
        for date in [19700101, 20000229, 20200701, 20241103, 21000301, 16000101] {
            assert_eq!(civil_from_days(days_from_civil(date)), date);
        }
        assert_eq!(days_from_civil(20200701), 18_444);
    }

    #[test]
    fn daylight_time_boundaries() {
        // 2024: PDT from Sunday 2024-03-10 10:00 UTC to Sunday 2024-11-03 09:00 UTC.
        assert_eq!(pacific_offset_hours(utc(20240310, 9, 59)), -8);
        assert_eq!(pacific_offset_hours(utc(20240310, 10, 0)), -7);
        assert_eq!(pacific_offset_hours(utc(20241103, 8, 59)), -7);
        assert_eq!(pacific_offset_hours(utc(20241103, 9, 0)), -8);
        // 2026: second Sunday of March is the 8th, first Sunday of November the 1st.
        assert_eq!(pacific_offset_hours(utc(20260308, 9, 59)), -8);
        assert_eq!(pacific_offset_hours(utc(20260308, 10, 0)), -7);
        assert_eq!(pacific_offset_hours(utc(20261101, 8, 59)), -7);
        assert_eq!(pacific_offset_hours(utc(20261101, 9, 0)), -8);
        // A month that starts on a Sunday: 2020-03-01, so the second Sunday is the 8th.
        assert_eq!(pacific_offset_hours(utc(20200301, 12, 0)), -8);
        assert_eq!(pacific_offset_hours(utc(20200308, 10, 0)), -7);
        assert_eq!(pacific_offset_hours(utc(20200115, 12, 0)), -8);
        assert_eq!(pacific_offset_hours(utc(20200715, 12, 0)), -7);
    }

    #[test]
    fn pacific_today_honours_daylight_time() {
        // Summer: 2020-07-02 06:59 UTC is 23:59 PDT on 2020-07-01; 07:00 UTC is the 2nd.
        assert_eq!(pacific_today(utc(20200702, 6, 59)), 20200701);
        assert_eq!(pacific_today(utc(20200702, 7, 0)), 20200702);
        // Winter: 2020-12-02 07:59 UTC is 23:59 PST on 2020-12-01.
        assert_eq!(pacific_today(utc(20201202, 7, 59)), 20201201);
        assert_eq!(pacific_today(utc(20201202, 8, 0)), 20201202);
        // New Year in PST.
        assert_eq!(pacific_today(utc(20210101, 7, 59)), 20201231);
        assert_eq!(pacific_today(utc(20210101, 8, 0)), 20210101);
    }

    #[test]
    fn pacific_midnights() {
        assert_eq!(pacific_midnight_ms(20200701), utc(20200701, 7, 0));
        assert_eq!(pacific_midnight_ms(20201201), utc(20201201, 8, 0));
        // The day daylight time starts begins in PST; the day it ends begins in PDT.
        assert_eq!(pacific_midnight_ms(20240310), utc(20240310, 8, 0));
        assert_eq!(pacific_midnight_ms(20240311), utc(20240311, 7, 0));
        assert_eq!(pacific_midnight_ms(20241103), utc(20241103, 7, 0));
        assert_eq!(pacific_midnight_ms(20241104), utc(20241104, 8, 0));
    }
}
