//! The county challenge deadline (H&S 11361.9(c)): its default and when it has passed. Pure.

/// AB 1793's deadline, `yyyymmdd`.
pub const DEFAULT_DEADLINE: i32 = 20200701;

/// Whether `today` (`yyyymmdd`, Pacific) is after the last day to challenge.
#[must_use]
pub fn has_passed(deadline: i32, today: i32) -> bool {
    today > deadline
}

/// Today's date in California as `yyyymmdd`, from Unix milliseconds. Uses Pacific Standard
/// Time (UTC-8) all year: during daylight time the day ends an hour late, never early, so a
/// deadline is never applied before it has passed.
#[must_use]
pub fn pacific_today(now_ms: i64) -> i32 {
    let days = (now_ms - 8 * 3_600_000).div_euclid(86_400_000);
    civil_from_days(days)
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
        // 2020-07-02 07:59 UTC is still 2020-07-01 in PST.
        assert_eq!(pacific_today(1_593_676_740_000), 20200701);
        assert!(has_passed(DEFAULT_DEADLINE, 20200702));
        assert!(!has_passed(DEFAULT_DEADLINE, 20200701));
        assert!(valid_date(20200229));
        assert!(!valid_date(20190229));
        assert!(!valid_date(20201301));
    }
}
