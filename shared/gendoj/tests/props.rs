//! Property: any seed, target and "now" give a well-formed file with valid, consistent dates.

mod common;

use cmr_gendoj::{COURT_EVENT, GenConfig, Target, generate};
use cmr_record::columns as col;
use common::{add_one_month, days_in_month, parse, parse_date};
use proptest::prelude::*;

fn now_strategy() -> impl Strategy<Value = (i32, u32, u32)> {
    (1970i32..=2030, 1u32..=12, 1u32..=31)
        .prop_map(|(year, month, day)| (year, month, day.min(days_in_month(year, month))))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn any_seed_gives_95_fields_and_valid_dates(
        seed in any::<u64>(),
        subjects in 1u64..6,
        by_rows in any::<bool>(),
        now in now_strategy(),
    ) {
        let target = if by_rows { Target::Rows(subjects * 60) } else { Target::Subjects(subjects) };
        let mut cfg = GenConfig::new("SAN JOAQUIN", target, seed);
        cfg.now = now;
        let mut out = Vec::new();
        let stats = generate(&cfg, &mut out).unwrap();
        let (_, rows) = parse(&out);
        prop_assert_eq!(rows.len() as u64, stats.rows);
        if !by_rows {
            prop_assert_eq!(stats.subjects, subjects);
        }
        for row in &rows {
            let dob = parse_date(&row[col::PRI_DOB]);
            prop_assert!(dob.is_some_and(|d| ((1949, 12, 31)..=(2000, 12, 31)).contains(&d)));
            let case_date = parse_date(&row[col::CYC_DATE]);
            prop_assert!(case_date.is_some_and(|d| ((1970, 1, 1)..=now).contains(&d)));
            let case_date = case_date.unwrap();
            let event = parse_date(&row[col::STP_EVENT_DATE]);
            let expected = if &row[col::STP_TYPE_DESCR] == COURT_EVENT {
                add_one_month(case_date)
            } else {
                case_date
            };
            prop_assert_eq!(event, Some(expected));
            prop_assert_eq!(row[col::CNT_ORDER].len(), 12);
        }
    }
}
