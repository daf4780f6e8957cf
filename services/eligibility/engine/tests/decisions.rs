//! The "D" tests of `docs/gogen-decisions.md`: one test per gogen quirk we decided on
//! (spec `../shared/spec/gogen-compat.md` §8). Every expectation is taken from the spec
//! (§2, §4, §5, §8) or the decisions page, not from running the code.

use cmr_engine::output::{Column, cell};
use cmr_engine::{EligibilityOptions, Evaluation, Outcome, Policy, RunDates, evaluate};
use cmr_record::Instant;
use cmr_record::columns::{
    CNT_ORDER, CONV_STAT_DESCR, DISP_DESCR, OFFENSE_DESCR, OFFENSE_TOC, OFN, PRI_DOB, SENT_LENGTH,
    SENT_TIME_CODE, STP_EVENT_DATE, STP_ORI_CNTY_NAME, STP_TYPE_DESCR, SUBJECT_ID,
};

use support::{date, group, options, row, run, run_in};

mod support;

fn at(iso: &str) -> RunDates {
    RunDates::at(date(iso))
}

fn keys(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// (row index, determination, reason) of every evaluated row.
fn decided(e: &Evaluation) -> Vec<(u64, &'static str, String)> {
    e.rows
        .iter()
        .map(|r| {
            let d = &r.info.determination;
            (r.row_index, d.outcome.as_str(), d.reason.clone())
        })
        .collect()
}

fn one(e: &Evaluation, row_index: u64) -> &cmr_engine::InfoBlock {
    &e.rows
        .iter()
        .find(|r| r.row_index == row_index)
        .unwrap_or_else(|| panic!("row {row_index} has no info block"))
        .info
}

fn text(c: std::borrow::Cow<'_, [u8]>) -> String {
    String::from_utf8(c.into_owned()).unwrap()
}

fn la() -> Policy {
    Policy::named("gogen-pilot-los-angeles").unwrap()
}

const DISMISSAL: &str = "Eligible for Dismissal";
const REDUCTION: &str = "Eligible for Reduction";

/// §8 item 1a / §5.3: "convictions in the last 7 years" counts convictions dated strictly
/// after (reference − 7 calendar years); we take the reference from compute-at, and
/// `last_7_years_from` moves it without touching any determination.
#[test]
fn seven_year_window_counts_back_from_compute_at() {
    let rows = vec![
        // A: inside the window (2012-11-12 > 2012-11-11), dismissed.
        row(&[(SUBJECT_ID, "A"), (STP_EVENT_DATE, "20121112")]),
        // B: exactly compute-at − 7 years: not strictly after, so outside.
        row(&[(SUBJECT_ID, "B"), (STP_EVENT_DATE, "20121111")]),
        // C: a dismissed Prop 64 conviction, plus a recent burglary nobody evaluates.
        row(&[(SUBJECT_ID, "C"), (STP_EVENT_DATE, "20150101")]),
        row(&[
            (SUBJECT_ID, "C"),
            (STP_EVENT_DATE, "20160101"),
            (CNT_ORDER, "102001001000"),
            (OFFENSE_DESCR, "459 PC-BURGLARY"),
        ]),
        // D: after compute-at, dismissed.
        row(&[(SUBJECT_ID, "D"), (STP_EVENT_DATE, "20200101")]),
    ];
    let policy = options(EligibilityOptions {
        dismiss: keys(&["11357", "11358", "11359", "11360"]),
        ..Default::default()
    });
    let compute_at = date("2019-11-11");

    let base = run(&rows, &policy, RunDates::at(compute_at));
    assert_eq!(
        decided(&base),
        vec![
            (0, DISMISSAL, "Dismiss all HS 11360 convictions".to_string()),
            (1, DISMISSAL, "Dismiss all HS 11360 convictions".to_string()),
            (2, DISMISSAL, "Dismiss all HS 11360 convictions".to_string()),
            (4, DISMISSAL, "Dismiss all HS 11360 convictions".to_string()),
        ]
    );
    let s = &base.summary;
    assert_eq!(s.current.no_conviction_last_7_years, 2, "A and D");
    assert_eq!(s.current.no_conviction, 3, "A, B and D");
    assert_eq!(s.current.no_felony, 3, "A, B and D");
    assert_eq!(s.dismiss_all, s.current);
    assert!(s.to_json().contains(
        "\"reliefWithCurrentEligibilityChoices\":{\"CountSubjectsNoConviction\":3,\"CountSubjectsNoConvictionLast7Years\":2,\"CountSubjectsNoFelony\":3}"
    ));

    // One day earlier: B's conviction (2012-11-11) is now strictly after 2012-11-10.
    let earlier = run(
        &rows,
        &policy,
        RunDates {
            compute_at,
            last_7_years_from: date("2019-11-10"),
        },
    );
    assert_eq!(
        earlier.summary.current.no_conviction_last_7_years, 3,
        "A, B and D"
    );
    assert_eq!(earlier.summary.dismiss_all.no_conviction_last_7_years, 3);
    assert_eq!(
        earlier.rows, base.rows,
        "determinations do not depend on the 7-year reference"
    );

    // The pilot goldens' real run date: only D (2020-01-01 > 2019-11-24) is in the window.
    let later = run(
        &rows,
        &policy,
        RunDates {
            compute_at,
            last_7_years_from: date("2026-11-24"),
        },
    );
    assert_eq!(
        later.summary.current.no_conviction_last_7_years, 1,
        "D only"
    );
    assert_eq!(later.summary.current.no_conviction, 3);
    assert_eq!(later.rows, base.rows);
}

/// §8 item 1b / §5.3: with no Prop 64 conviction in the county, `earliestConviction` is
/// compute-at at midnight UTC (gogen: the wall clock).
#[test]
fn earliest_conviction_falls_back_to_compute_at() {
    let policy = options(EligibilityOptions {
        dismiss: keys(&["11357"]),
        ..Default::default()
    });
    let rows = vec![
        // A Prop 64 conviction in another county and a non-Prop 64 one in the county.
        row(&[(STP_ORI_CNTY_NAME, "YOLO"), (STP_EVENT_DATE, "19900101")]),
        row(&[
            (CNT_ORDER, "102001001000"),
            (OFFENSE_DESCR, "459 PC-BURGLARY"),
            (STP_EVENT_DATE, "19850101"),
        ]),
    ];
    let e = run(&rows, &policy, at("2019-11-11"));
    assert!(e.rows.is_empty());
    assert_eq!(e.summary.earliest_conviction, date("2019-11-11"));
    assert_eq!(
        e.summary.earliest_conviction,
        Instant::from_ymd(2019, 11, 11)
    );
    let json = e.summary.to_json();
    assert!(
        json.starts_with(
            "{\"county\":\"SACRAMENTO\",\"earliestConviction\":\"2019-11-11T00:00:00Z\",\"lineCount\":2,"
        ),
        "{json}"
    );

    // A file with no data rows at all.
    let empty = run(&[], &policy, at("2019-11-11"));
    assert!(
        empty
            .summary
            .to_json()
            .contains("\"earliestConviction\":\"2019-11-11T00:00:00Z\",\"lineCount\":0,")
    );

    // With one Prop 64 conviction in the county, that conviction's date is used.
    let mut with_one = rows.clone();
    with_one.push(row(&[
        (CNT_ORDER, "103001001000"),
        (STP_EVENT_DATE, "19990304"),
    ]));
    let e = run(&with_one, &policy, at("2019-11-11"));
    assert_eq!(e.summary.earliest_conviction, Instant::from_ymd(1999, 3, 4));
    assert!(
        e.summary
            .to_json()
            .contains("\"earliestConviction\":\"1999-03-04T00:00:00Z\"")
    );

    // The fallback is only for "none at all" (§5.3): a Prop 64 conviction in the county
    // dated after compute-at is still the earliest one.
    let mut after = rows.clone();
    after.push(row(&[
        (CNT_ORDER, "103001001000"),
        (STP_EVENT_DATE, "20200301"),
    ]));
    let e = run(&after, &policy, at("2019-11-11"));
    assert_eq!(e.rows.len(), 1);
    assert!(
        e.summary
            .to_json()
            .contains("\"earliestConviction\":\"2020-03-01T00:00:00Z\""),
        "{}",
        e.summary.to_json()
    );
    assert_eq!(e.summary.earliest_conviction, Instant::from_ymd(2020, 3, 1));
}

/// §8 item 2 and §1.3: unparseable dates become the zero time, and gogen's rules are
/// applied to it unchanged.
#[test]
fn zero_dates_behave_like_gogen() {
    let compute_at = at("2019-11-11");

    // Invalid DOB (31 Feb): the person counts as older than any threshold.
    let aged = options(EligibilityOptions {
        subject_age_threshold: 57,
        ..Default::default()
    });
    for dob in ["19790231", "", "1979", " 19790525"] {
        let e = run(&[row(&[(PRI_DOB, dob)])], &aged, compute_at);
        assert_eq!(
            decided(&e),
            vec![(0, DISMISSAL, "57 years or older".to_string())],
            "DOB {dob:?}"
        );
    }

    // Invalid conviction date, valid DOB: under 21 at "conviction" (year 1).
    let under21 = options(EligibilityOptions {
        subject_under_21_at_conviction: true,
        ..Default::default()
    });
    let e = run(
        &[row(&[(PRI_DOB, "19700101"), (STP_EVENT_DATE, "2018")])],
        &under21,
        compute_at,
    );
    assert_eq!(
        decided(&e),
        vec![(0, DISMISSAL, "21 years or younger".to_string())]
    );
    let info = one(&e, 0);
    assert_eq!(info.date, Instant::ZERO);
    assert_eq!(info.years_since_this, None);
    assert_eq!(
        info.years_since_any, None,
        "the only conviction has the zero date"
    );
    assert_eq!(
        text(cell(Column::DateOfConviction, Some(info), b"")),
        "01/01/0001"
    );
    assert_eq!(text(cell(Column::YearsSinceThis, Some(info), b"")), "-1.0");
    assert_eq!(text(cell(Column::YearsSinceAny, Some(info), b"")), "-1.0");
    assert_eq!(text(cell(Column::OccurredAfter, Some(info), b"")), "N");
    // earliestConviction becomes year 1.
    assert_eq!(e.summary.earliest_conviction, Instant::ZERO);
    assert!(
        e.summary
            .to_json()
            .contains("\"earliestConviction\":\"0001-01-01T00:00:00Z\"")
    );

    // Invalid conviction date: "occurred 10 or more years ago".
    let since = options(EligibilityOptions {
        years_since_conviction_threshold: 10,
        ..Default::default()
    });
    let e = run(&[row(&[(STP_EVENT_DATE, "20190000")])], &since, compute_at);
    assert_eq!(
        decided(&e),
        vec![(
            0,
            DISMISSAL,
            "Conviction occurred 10 or more years ago".to_string()
        )]
    );

    // Invalid conviction date: crime-free (the most recent conviction is year 1).
    let crime_free = options(EligibilityOptions {
        years_crime_free_threshold: 5,
        ..Default::default()
    });
    let e = run(
        &[row(&[(STP_EVENT_DATE, "20190525 ")])],
        &crime_free,
        compute_at,
    );
    assert_eq!(
        decided(&e),
        vec![(
            0,
            DISMISSAL,
            "No convictions in the past 5 years".to_string()
        )]
    );

    // A valid date with the same options gives no relief: the zero date made the difference.
    let e = run(
        &[row(&[(STP_EVENT_DATE, "20190525")])],
        &crime_free,
        compute_at,
    );
    assert_eq!(decided(&e), vec![(0, "", String::new())]);
    let info = one(&e, 0);
    assert_eq!(
        text(cell(Column::DateOfConviction, Some(info), b"")),
        "05/25/2019"
    );
    assert_eq!(text(cell(Column::YearsSinceThis, Some(info), b"")), "0.5");
}

/// §2.1 and §8 item 8: `CONV_STAT_DESCR == "FELONY"` exactly, or blank with TOC `F`.
#[test]
fn felony_test_is_exact() {
    let policy = options(EligibilityOptions {
        reduce: keys(&["11360"]),
        ..Default::default()
    });
    let cases: &[(&str, &str, bool)] = &[
        ("felony", "F", false),
        (" FELONY", "F", false),
        ("FELONY ", "F", false),
        ("MISDEMEANOR", "F", false),
        ("", "F", true),
        ("FELONY", "M", true),
        ("", "M", false),
        ("", "f", false),
    ];
    let rows: Vec<String> = cases
        .iter()
        .enumerate()
        .map(|(i, (status, toc, _))| {
            row(&[
                (SUBJECT_ID, &format!("S{i}")),
                (CONV_STAT_DESCR, status),
                (OFFENSE_TOC, toc),
            ])
        })
        .collect();

    let grouped = group(&rows);
    for (subject, (status, toc, felony)) in grouped.subjects.iter().zip(cases) {
        assert_eq!(
            subject.convictions[0].felony, *felony,
            "{status:?} / TOC {toc:?}"
        );
    }

    let e = run(&rows, &policy, at("2019-11-11"));
    assert_eq!(e.rows.len(), cases.len());
    for (r, (status, toc, felony)) in e.rows.iter().zip(cases) {
        let d = &r.info.determination;
        if *felony {
            assert_eq!(d.outcome, Outcome::Reduction, "{status:?} / TOC {toc:?}");
            assert_eq!(d.outcome.as_str(), REDUCTION);
            assert_eq!(d.reason, "Reduce all HS 11360 convictions");
        } else {
            assert_eq!(d.outcome, Outcome::Dismissal, "{status:?} / TOC {toc:?}");
            assert_eq!(
                d.reason, "Misdemeanor or Infraction",
                "{status:?} / TOC {toc:?}"
            );
        }
    }
    assert_eq!(e.summary.prop64_felonies_in_county, 2);
    assert_eq!(e.summary.prop64_non_felonies_in_county, 6);
}

/// §2.2 step 2 and §8 item 10a: a conviction row whose `CNT_ORDER` was already seen
/// extends the sentence of the most recently *added* conviction.
#[test]
fn sentence_rows_extend_the_last_conviction() {
    let rows = vec![
        // 0: conviction A, 30 days.
        row(&[
            (CNT_ORDER, "101001001000"),
            (STP_EVENT_DATE, "20100101"),
            (SENT_LENGTH, "30"),
            (SENT_TIME_CODE, "D"),
        ]),
        // 1: conviction B, no sentence.
        row(&[
            (CNT_ORDER, "102001001000"),
            (OFFENSE_DESCR, "459 PC-BURGLARY"),
            (STP_EVENT_DATE, "20120601"),
        ]),
        // 2: A's CNT_ORDER again with 2 years: extends B, the last added.
        row(&[
            (CNT_ORDER, "101001001000"),
            (STP_EVENT_DATE, "20100101"),
            (SENT_LENGTH, "2"),
            (SENT_TIME_CODE, "Y"),
        ]),
    ];
    let grouped = group(&rows);
    assert_eq!(grouped.subjects.len(), 1);
    let c = &grouped.subjects[0].convictions;
    assert_eq!(c.len(), 2, "the repeated CNT_ORDER is not a new conviction");
    assert_eq!(c[0].row_index, 0);
    assert_eq!(c[0].date, Instant::from_ymd(2010, 1, 1));
    assert_eq!(
        c[0].sentence_end,
        Instant::from_ymd(2010, 1, 31),
        "30 × 24 h, unchanged"
    );
    assert_eq!(c[1].row_index, 1);
    assert_eq!(c[1].date, Instant::from_ymd(2012, 6, 1));
    // A "year" is 366 days: 2012-06-01 + 732 days.
    assert_eq!(c[1].sentence_end, Instant::from_ymd(2014, 6, 3));

    // A month is 732 hours (30.5 days), so it ends at noon.
    let month = group(&[row(&[(SENT_LENGTH, "1"), (SENT_TIME_CODE, "M")])]);
    assert_eq!(
        month.subjects[0].convictions[0].sentence_end,
        Instant::from_unix_seconds(Instant::from_ymd(2010, 1, 31).unix_seconds() + 12 * 3600)
    );

    // Visible through the LA pilot, which uses sentence ends (§4.4 steps 9 and 11).
    let la_row = |cnt: &str, offense: &str, date: &str, sentence: Option<(&str, &str)>| {
        let (len, unit) = sentence.unwrap_or(("", ""));
        row(&[
            (STP_ORI_CNTY_NAME, "LOS ANGELES"),
            (CNT_ORDER, cnt),
            (OFFENSE_DESCR, offense),
            (STP_EVENT_DATE, date),
            (SENT_LENGTH, len),
            (SENT_TIME_CODE, unit),
        ])
    };
    let p64 = "11360 HS-SELL/TRANSPORT/ETC MARIJUANA/HASH";
    let other = "11359 HS-POSSESS MARIJUANA FOR SALE";
    let only_prop64 = vec![
        la_row("101001001000", p64, "20150101", None),
        la_row("102001001000", other, "20150201", None),
    ];
    let e = run_in("LOS ANGELES", &only_prop64, &la(), at("2019-11-11"));
    let done = "Only has 11357-60 charges and completed sentence".to_string();
    assert_eq!(
        decided(&e),
        vec![(0, DISMISSAL, done.clone()), (1, DISMISSAL, done)]
    );

    // The same two convictions plus a 10-year sentence row repeating the first one's
    // CNT_ORDER: it extends the second conviction past compute-at.
    let mut serving = only_prop64.clone();
    serving.push(la_row("101001001000", p64, "20150101", Some(("10", "Y"))));
    let grouped = group(&serving);
    let c = &grouped.subjects[0].convictions;
    assert_eq!(c.len(), 2);
    assert_eq!(c[0].sentence_end, Instant::from_ymd(2015, 1, 1));
    assert_eq!(
        c[1].sentence_end,
        Instant::from_ymd(2015, 2, 1).add_date(0, 0, 3660)
    );
    let e = run_in("LOS ANGELES", &serving, &la(), at("2019-11-11"));
    let serving_reason = "Currently serving sentence".to_string();
    assert_eq!(
        decided(&e),
        vec![
            (0, "Hand Review", serving_reason.clone()),
            (1, "Hand Review", serving_reason)
        ],
        "the sentence row (index 2) gets no info block"
    );
}

/// §2.2 step 1 and §8 item 10b: blank `SUBJECT_ID` rows share one subject but reset its
/// maps on every row.
#[test]
fn blank_subject_ids_reset_every_row() {
    let policy = options(EligibilityOptions {
        dismiss: keys(&["11360"]),
        ..Default::default()
    });
    let same =
        |id: &str, ofn: &str| row(&[(SUBJECT_ID, id), (OFN, ofn), (CNT_ORDER, "101001001000")]);

    // Two identical blank-ID conviction rows: two convictions.
    let identical = vec![same("", "AAA"), same("", "AAA")];
    let grouped = group(&identical);
    assert_eq!(grouped.subjects.len(), 1);
    assert_eq!(grouped.subjects[0].convictions.len(), 2);

    // Different OFNs on the same case key: only the last one survives.
    let blank = vec![same("", "AAA"), same("", "BBB")];
    let e = run(&blank, &policy, at("2019-11-11"));
    assert_eq!(e.rows.len(), 2);
    for r in &e.rows {
        assert_eq!(r.info.case_number, "BBB");
        assert_eq!(r.info.convictions_on_record, 2);
        assert_eq!(r.subject_index, 0);
    }

    // The same rows with an ID: one conviction (the second row is a sentence row) and
    // both OFNs pooled.
    let named = vec![same("X1", "AAA"), same("X1", "BBB")];
    let e = run(&named, &policy, at("2019-11-11"));
    assert_eq!(e.rows.len(), 1);
    assert_eq!(e.rows[0].row_index, 0);
    assert_eq!(e.rows[0].info.case_number, "AAA; BBB");
    assert_eq!(e.rows[0].info.convictions_on_record, 1);

    // Name and DOB are overwritten by every blank-ID row.
    let grouped = group(&[
        row(&[(SUBJECT_ID, ""), (PRI_DOB, "19700101")]),
        row(&[
            (SUBJECT_ID, ""),
            (PRI_DOB, "19900101"),
            (CNT_ORDER, "102001001000"),
        ]),
    ]);
    assert_eq!(grouped.subjects[0].dob, Instant::from_ymd(1990, 1, 1));
    let grouped = group(&[
        row(&[(SUBJECT_ID, "X1"), (PRI_DOB, "19700101")]),
        row(&[
            (SUBJECT_ID, "X1"),
            (PRI_DOB, "19900101"),
            (CNT_ORDER, "102001001000"),
        ]),
    ]);
    assert_eq!(grouped.subjects[0].dob, Instant::from_ymd(1970, 1, 1));
}

/// §8 item 12 (differs): a short `CNT_ORDER` is an error, not a crash: ≥ 6 characters on a
/// conviction or a `COURT ACTION` row with an OFN, ≥ 3 on a Prop 64 row.
#[test]
fn short_cnt_order_is_a_parsing_error() {
    let ok = row(&[(SUBJECT_ID, "A")]);

    let err = support::try_group(&[ok.clone(), row(&[(SUBJECT_ID, "B"), (CNT_ORDER, "10100")])])
        .err()
        .expect("a 5-character CNT_ORDER on a conviction is refused");
    assert_eq!(err.0, 1, "the second data row");
    assert_eq!(err.1.min, 6);
    assert!(err.1.to_string().contains("CNT_ORDER"), "{}", err.1);

    // Exactly 6 characters is enough for a conviction.
    let (grouped, _) = support::try_group(&[row(&[(CNT_ORDER, "101001")])]).unwrap();
    assert_eq!(grouped.subjects[0].convictions.len(), 1);

    // A COURT ACTION row with an OFN (not a conviction, not Prop 64).
    let court = row(&[
        (DISP_DESCR, "DISMISSED"),
        (OFFENSE_DESCR, "459 PC-BURGLARY"),
        (OFN, "12345"),
        (CNT_ORDER, "10100"),
    ]);
    let err = support::try_group(&[court]).err().expect("refused");
    assert_eq!((err.0, err.1.min), (0, 6));

    // A Prop 64 arrest row needs 3.
    let arrest = |cnt: &str| {
        row(&[
            (STP_TYPE_DESCR, "ARREST/DETAINED/CITED"),
            (DISP_DESCR, ""),
            (CNT_ORDER, cnt),
        ])
    };
    let err = support::try_group(&[arrest("10")]).err().expect("refused");
    assert_eq!((err.0, err.1.min), (0, 3));
    assert!(support::try_group(&[arrest("101")]).is_ok());

    // A row none of the rules cover keeps working with any CNT_ORDER.
    let harmless = row(&[
        (STP_TYPE_DESCR, "ARREST/DETAINED/CITED"),
        (DISP_DESCR, ""),
        (OFFENSE_DESCR, "459 PC-BURGLARY"),
        (CNT_ORDER, "1"),
    ]);
    assert!(support::try_group(&[harmless]).is_ok());
}

/// §4.2 rule 10 and §8 item 13: a felony in neither list with no relief gets an info block
/// with blank determination and reason.
#[test]
fn felony_in_neither_list_is_blank() {
    let policy = options(EligibilityOptions {
        dismiss: keys(&["11357"]),
        reduce: vec![],
        ..Default::default()
    });
    let e = run(
        &[row(&[(STP_EVENT_DATE, "20100315"), (OFN, "C-1")])],
        &policy,
        at("2019-11-11"),
    );
    assert_eq!(
        e.rows.len(),
        1,
        "the row is still evaluated (in Prop64_Results)"
    );
    let info = one(&e, 0);
    assert_eq!(info.determination.outcome, Outcome::Blank);
    assert_eq!(info.determination.outcome.as_str(), "");
    assert_eq!(info.determination.reason, "");
    // Every other column is filled.
    assert_eq!(info.case_number, "C-1");
    assert_eq!(info.convictions_on_record, 1);
    assert_eq!(info.prop64_count, 1);
    assert_eq!(info.prop64_by_section, [0, 0, 0, 1]);
    assert_eq!(
        text(cell(Column::DateOfConviction, Some(info), b"")),
        "03/15/2010"
    );
    assert_eq!(text(cell(Column::YearsSinceThis, Some(info), b"")), "9.7");
    assert_eq!(text(cell(Column::Determination, Some(info), b"")), "");
    assert_eq!(text(cell(Column::Reason, Some(info), b"")), "");

    let s = &e.summary;
    assert_eq!(s.subjects_with_some_relief, 0);
    assert_eq!(s.current.no_felony, 0);
    assert_eq!(s.current.no_conviction, 0);
    let json = s.to_json();
    assert!(json.contains("\"subjectsWithSomeReliefCount\":0"), "{json}");
    assert!(
        json.ends_with(
            "\"convictionDismissalCountByCodeSection\":{\"11357\":0},\"convictionReductionCountByCodeSection\":{},\"convictionDismissalCountByAdditionalRelief\":{}}"
        ),
        "{json}"
    );
}

/// §4.2 rule 3, §1.3 and §8 item 15: released flow = strictly under 21 on the conviction
/// date (calendar, Go's AddDate); LA pilot = age today ≤ 21 in 8766-hour years.
#[test]
fn under_21_boundaries() {
    let policy = options(EligibilityOptions {
        subject_under_21_at_conviction: true,
        ..Default::default()
    });
    let cases: &[(&str, &str, bool)] = &[
        ("19900515", "20110514", true),  // the day before the 21st birthday
        ("19900515", "20110515", false), // on the birthday
        ("20000229", "20210228", true),  // 29 Feb + 21 years = 1 Mar 2021
        ("20000229", "20210301", false),
    ];
    let rows: Vec<String> = cases
        .iter()
        .enumerate()
        .map(|(i, (dob, conv, _))| {
            row(&[
                (SUBJECT_ID, &format!("S{i}")),
                (PRI_DOB, dob),
                (STP_EVENT_DATE, conv),
            ])
        })
        .collect();
    let e = run(&rows, &policy, at("2022-01-01"));
    let expected: Vec<(u64, &str, String)> = cases
        .iter()
        .enumerate()
        .map(|(i, (_, _, under))| {
            if *under {
                (i as u64, DISMISSAL, "21 years or younger".to_string())
            } else {
                (i as u64, "", String::new())
            }
        })
        .collect();
    assert_eq!(decided(&e), expected);

    // LA: (compute-at − DOB) in hours ÷ 8766 ≤ 21. From 1998-11-11 to 2019-11-11 is
    // 7670 days (20.9993 years): still "21 years or younger" on the 21st birthday.
    let compute_at = date("2019-11-11");
    let days = |dob: &str| (compute_at.unix_seconds() - date(dob).unix_seconds()) / 86_400;
    assert_eq!((days("1998-11-11"), days("1998-11-10")), (7670, 7671));
    let la_rows = vec![
        row(&[
            (SUBJECT_ID, "L0"),
            (STP_ORI_CNTY_NAME, "LOS ANGELES"),
            (PRI_DOB, "19981111"),
            (STP_EVENT_DATE, "20160101"),
        ]),
        row(&[
            (SUBJECT_ID, "L1"),
            (STP_ORI_CNTY_NAME, "LOS ANGELES"),
            (PRI_DOB, "19981110"),
            (STP_EVENT_DATE, "20160101"),
        ]),
    ];
    let e = run_in("LOS ANGELES", &la_rows, &la(), RunDates::at(compute_at));
    assert_eq!(
        decided(&e),
        vec![
            (0, DISMISSAL, "21 years or younger".to_string()),
            (
                1,
                DISMISSAL,
                "Only has 11357-60 charges and completed sentence".to_string()
            ),
        ]
    );
}

/// §4.2 rules 4–6 and §8 item 17: years-since and age use `≤`, crime-free uses strict `<`.
#[test]
fn threshold_boundaries() {
    let compute_at = at("2019-11-11");

    let since = options(EligibilityOptions {
        years_since_conviction_threshold: 10,
        ..Default::default()
    });
    let rows = vec![
        row(&[(SUBJECT_ID, "A"), (STP_EVENT_DATE, "20091111")]),
        row(&[(SUBJECT_ID, "B"), (STP_EVENT_DATE, "20091112")]),
    ];
    assert_eq!(
        decided(&run(&rows, &since, compute_at)),
        vec![
            (
                0,
                DISMISSAL,
                "Conviction occurred 10 or more years ago".to_string()
            ),
            (1, "", String::new()),
        ]
    );

    // Go's AddDate: 2020-02-29 − 1 year = 2019-03-01 (not 28 Feb).
    let since1 = options(EligibilityOptions {
        years_since_conviction_threshold: 1,
        ..Default::default()
    });
    let rows = vec![
        row(&[(SUBJECT_ID, "A"), (STP_EVENT_DATE, "20190301")]),
        row(&[(SUBJECT_ID, "B"), (STP_EVENT_DATE, "20190302")]),
    ];
    assert_eq!(
        decided(&run(&rows, &since1, at("2020-02-29"))),
        vec![
            (
                0,
                DISMISSAL,
                "Conviction occurred 1 or more years ago".to_string()
            ),
            (1, "", String::new()),
        ]
    );

    let crime_free = options(EligibilityOptions {
        years_crime_free_threshold: 10,
        ..Default::default()
    });
    let rows = vec![
        // Most recent exactly compute-at − 10 years: not strictly before.
        row(&[(SUBJECT_ID, "A"), (STP_EVENT_DATE, "20091111")]),
        // One day earlier.
        row(&[(SUBJECT_ID, "B"), (STP_EVENT_DATE, "20091110")]),
        // An old Prop 64 conviction, but a recent one elsewhere counts too.
        row(&[(SUBJECT_ID, "C"), (STP_EVENT_DATE, "20050101")]),
        row(&[
            (SUBJECT_ID, "C"),
            (STP_EVENT_DATE, "20150101"),
            (STP_ORI_CNTY_NAME, "YOLO"),
            (OFFENSE_DESCR, "459 PC-BURGLARY"),
            (CNT_ORDER, "102001001000"),
        ]),
    ];
    assert_eq!(
        decided(&run(&rows, &crime_free, compute_at)),
        vec![
            (0, "", String::new()),
            (
                1,
                DISMISSAL,
                "No convictions in the past 10 years".to_string()
            ),
            (2, "", String::new()),
        ]
    );

    // Age: DOB + N years ≤ compute-at.
    let age = options(EligibilityOptions {
        subject_age_threshold: 57,
        ..Default::default()
    });
    let rows = vec![
        row(&[(SUBJECT_ID, "A"), (PRI_DOB, "19621111")]),
        row(&[(SUBJECT_ID, "B"), (PRI_DOB, "19621112")]),
    ];
    assert_eq!(
        decided(&run(&rows, &age, compute_at)),
        vec![
            (0, DISMISSAL, "57 years or older".to_string()),
            (1, "", String::new())
        ]
    );
}

/// §4.4 and §8 item 19 (differs): LA super strikes include gang case pairs
/// `"<offence> + <gang>"`, listed first-seen (single-row super strikes in conviction
/// order, then pairs) so the column is deterministic; the zero earliest date is kept.
#[test]
fn la_case_pairs_are_deterministic() {
    let la_row = |id: &str, cnt: &str, offense: &str, date: &str| {
        row(&[
            (SUBJECT_ID, id),
            (STP_ORI_CNTY_NAME, "LOS ANGELES"),
            (CNT_ORDER, cnt),
            (OFFENSE_DESCR, offense),
            (STP_EVENT_DATE, date),
        ])
    };
    let gang = "186.22(B)(4) PC-PARTICIPATE CRIMINAL STREET GANG";
    let rows = vec![
        // Subject P: one case with a gang enhancement and a 246, then a Prop 64 case.
        la_row("P", "101001001000", gang, "20100101"),
        la_row(
            "P",
            "101001002000",
            "246 PC-SHOOT AT INHABITED DWELLING",
            "20100101",
        ),
        la_row(
            "P",
            "102001001000",
            "11360 HS-SELL/TRANSPORT/ETC MARIJUANA/HASH",
            "20120101",
        ),
        // Subject Q: two partners in the gang case, and a later single-row super strike.
        la_row("Q", "101001001000", gang, "20100101"),
        la_row(
            "Q",
            "101001002000",
            "246 PC-SHOOT AT INHABITED DWELLING",
            "20100101",
        ),
        la_row("Q", "101001003000", "136.1 PC-DISSUADE WITNESS", "20100101"),
        la_row(
            "Q",
            "103001001000",
            "187 PC-MURDER:SECOND DEGREE",
            "20110101",
        ),
        la_row(
            "Q",
            "104001001000",
            "11360 HS-SELL/TRANSPORT/ETC MARIJUANA/HASH",
            "20120101",
        ),
    ];
    let first = run_in("LOS ANGELES", &rows, &la(), at("2019-11-11"));
    assert_eq!(first.rows.len(), 2);
    let p = one(&first, 2);
    assert_eq!(p.superstrikes, "246 PC + 186.22(B)(4) PC");
    // Only a pair: the earliest super-strike date is the zero time, which disqualifies.
    assert_eq!(p.determination.outcome, Outcome::NotEligible);
    assert_eq!(p.determination.reason, "PC 667(e)(2)(c)(iv)");
    let q = one(&first, 7);
    assert_eq!(
        q.superstrikes,
        "187 PC;246 PC + 186.22(B)(4) PC;136.1 PC + 186.22(B)(4) PC"
    );
    assert_eq!(q.determination.outcome, Outcome::NotEligible);
    assert_eq!(q.determination.reason, "PC 667(e)(2)(c)(iv)");
    assert_eq!(
        text(cell(Column::Superstrikes, Some(p), b"")),
        "246 PC + 186.22(B)(4) PC"
    );

    let json = first.summary.to_json();
    for _ in 0..10 {
        let again = run_in("LOS ANGELES", &rows, &la(), at("2019-11-11"));
        assert_eq!(again.rows, first.rows);
        assert_eq!(again.summary.to_json(), json);
    }
}

#[test]
fn builder_defaults_round_trip() {
    // The helper itself: 95 fields, defaults in place, RFC 4180 quoting.
    let line = row(&[(OFFENSE_DESCR, "11357 HS-POSSESS, \"1 OZ\"")]);
    let grouped = group(std::slice::from_ref(&line));
    assert_eq!(grouped.subjects.len(), 1);
    let s = &grouped.subjects[0];
    assert_eq!(&*s.id, b"S1");
    assert_eq!(s.dob, Instant::from_ymd(1980, 1, 1));
    let c = &s.convictions[0];
    assert_eq!(&*c.cnt_order, b"101001001000");
    assert!(c.felony);
    assert_eq!(c.date, Instant::from_ymd(2010, 1, 1));
    assert_eq!(grouped.sections.get(c.section).text_lossy(), "11357 HS");
    let e = evaluate(
        &grouped,
        &options(EligibilityOptions::default()),
        "SACRAMENTO",
        at("2019-11-11"),
        1,
    );
    assert_eq!(decided(&e), vec![(0, "", String::new())]);
}
