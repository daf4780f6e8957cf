//! How values are printed on court documents: dates, names and relief.

use cmr_proto::common::v1::{ReliefType, Severity};

use crate::cr400;

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// "November 30, 2026"; a date that is not a calendar date prints as given.
#[must_use]
pub fn long_date((year, month, day): (i32, u32, u32)) -> String {
    match usize::try_from(month)
        .ok()
        .and_then(|m| MONTHS.get(m.wrapping_sub(1)))
    {
        Some(name) => format!("{name} {day}, {year}"),
        None => format!("{year:04}-{month:02}-{day:02}"),
    }
}

/// "01/02/1970", as California court forms print dates.
#[must_use]
pub fn mm_dd_yyyy((year, month, day): (i32, u32, u32)) -> String {
    format!("{month:02}/{day:02}/{year:04}")
}

/// The date as the CR-400 filler takes it, if it is one.
#[must_use]
pub fn civil_date((year, month, day): (i32, u32, u32)) -> Option<cr400::CivilDate> {
    cr400::CivilDate::new(
        u16::try_from(year).ok()?,
        u8::try_from(month).ok()?,
        u8::try_from(day).ok()?,
    )
}

/// "LOPEZ, MARIA ELENA" → "MARIA ELENA LOPEZ", as a caption names a defendant; a name with no
/// comma is kept as it is.
#[must_use]
pub fn person_first_last(name: &str) -> String {
    match name.split_once(',') {
        Some((last, first)) if !first.trim().is_empty() => {
            format!("{} {}", first.trim(), last.trim())
        }
        _ => name.trim().to_owned(),
    }
}

/// "SAN JOAQUIN" → "San Joaquin".
#[must_use]
pub fn title_case(text: &str) -> String {
    text.split(' ')
        .map(|word| {
            let lower = word.to_lowercase();
            let mut chars = lower.chars();
            match chars.next() {
                Some(first) if word.chars().any(char::is_alphabetic) && is_upper(word) => {
                    first.to_uppercase().chain(chars).collect()
                }
                _ => word.to_owned(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Only all-capital words are recased, so "of", "§" and "H&S" stay as written.
fn is_upper(word: &str) -> bool {
    word.chars().all(|c| !c.is_lowercase()) && word.len() > 1 && !word.contains('&')
}

/// The relief a case list prints.
#[must_use]
pub fn relief_label(relief_type: i32, reduce_to: i32) -> String {
    let level = match Severity::try_from(reduce_to) {
        Ok(Severity::Misdemeanor) => " to misdemeanor",
        Ok(Severity::Infraction) => " to infraction",
        _ => "",
    };
    match ReliefType::try_from(relief_type) {
        Ok(ReliefType::DismissAndSeal) => "Dismiss and seal".to_owned(),
        Ok(ReliefType::RedesignateMisdemeanor) => "Redesignate to misdemeanor".to_owned(),
        Ok(ReliefType::RedesignateInfraction) => "Redesignate to infraction".to_owned(),
        Ok(ReliefType::RecallAndDismiss) => "Recall and dismiss".to_owned(),
        Ok(ReliefType::RecallAndResentence) => format!("Recall and resentence{level}"),
        _ => "Relief not stated".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_print_as_courts_write_them() {
        assert_eq!(long_date((2026, 11, 30)), "November 30, 2026");
        assert_eq!(long_date((2026, 13, 1)), "2026-13-01");
        assert_eq!(mm_dd_yyyy((1970, 1, 2)), "01/02/1970");
    }

    #[test]
    fn names_turn_to_first_last() {
        assert_eq!(person_first_last("LOPEZ, MARIA ELENA"), "MARIA ELENA LOPEZ");
        assert_eq!(person_first_last("CHER"), "CHER");
        assert_eq!(person_first_last("SMITH,"), "SMITH,");
    }

    #[test]
    fn county_names_are_title_cased() {
        assert_eq!(title_case("SAN JOAQUIN"), "San Joaquin");
        assert_eq!(title_case("SACRAMENTO"), "Sacramento");
        assert_eq!(
            title_case("NOTICE TO THE COURT of H&S"),
            "Notice To The Court of H&S"
        );
    }

    #[test]
    fn relief_reads_in_words() {
        assert_eq!(relief_label(1, 0), "Dismiss and seal");
        assert_eq!(relief_label(5, 2), "Recall and resentence to misdemeanor");
        assert_eq!(relief_label(0, 0), "Relief not stated");
    }
}
