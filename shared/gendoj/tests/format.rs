//! Shape of the generated file: determinism, CSV validity, targets, subject and case layout.

mod common;

use std::collections::{BTreeMap, HashSet};
use std::io::{self, Write};

use cmr_gendoj::{
    ARREST_EVENT, COMMENT, CONVICTED, COURT_EVENT, DISMISSED, FILLER, FIRST_SUBJECT_ID, GenConfig,
    GenError, OTHER_COUNTY, OTHER_OFFENSES, PROP64_OFFENSES, Target, generate,
};
use cmr_record::columns::{self as col, NAMES};
use common::{add_one_month, gen_bytes, parse, parse_date};

#[test]
fn same_seed_gives_identical_bytes() {
    let (a, stats_a) = gen_bytes("SACRAMENTO", Target::Rows(3_000), 42);
    let (b, stats_b) = gen_bytes("SACRAMENTO", Target::Rows(3_000), 42);
    assert_eq!(a, b);
    assert_eq!(stats_a, stats_b);
}

#[test]
fn different_seed_gives_different_bytes() {
    let (a, _) = gen_bytes("SACRAMENTO", Target::Rows(3_000), 1);
    let (b, _) = gen_bytes("SACRAMENTO", Target::Rows(3_000), 2);
    assert_ne!(a, b);
}

#[test]
fn seed_output_is_pinned() {
    // Guards against accidental changes to the draw order or to the RNG: a given seed must keep
    // producing the same file across releases (and machines).
    let (bytes, stats) = gen_bytes("SACRAMENTO", Target::Subjects(3), 2019);
    let (_, rows) = parse(&bytes);
    let first = &rows[0];
    assert_eq!(&first[col::SUBJECT_ID], "10000001");
    let fingerprint = bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    });
    assert_eq!(
        (stats.rows, fingerprint),
        (PINNED_ROWS, PINNED_FNV1A),
        "generator output for seed 2019 changed"
    );
}

const PINNED_ROWS: u64 = 299;
const PINNED_FNV1A: u64 = 8_249_134_473_052_605_766;

#[test]
fn header_and_every_row_have_95_fields_and_lf_line_ends() {
    let (bytes, stats) = gen_bytes("LOS ANGELES", Target::Rows(5_000), 9);
    assert!(!bytes.contains(&b'\r'));
    assert!(bytes.ends_with(b"\n"));
    let header_line = bytes.split(|&b| b == b'\n').next().unwrap();
    assert_eq!(header_line, NAMES.join(",").as_bytes());
    let (header, rows) = parse(&bytes);
    assert_eq!(header.iter().collect::<Vec<_>>(), NAMES);
    assert_eq!(rows.len() as u64, stats.rows);
    assert_eq!(bytes.len() as u64, stats.bytes);
    // The filler is quoted because it starts with a space (Go encoding/csv rule), and so is
    // PRI_NAME because of its comma.
    assert!(bytes.windows(7).any(|w| w == b"\"  -  \""));
    let second_line = bytes.split(|&b| b == b'\n').nth(1).unwrap();
    assert_eq!(second_line.iter().filter(|&&b| b == b'"').count() % 2, 0);
    assert!(
        String::from_utf8_lossy(second_line).contains(&format!("\"{}\"", &rows[0][col::PRI_NAME]))
    );
}

#[test]
fn county_that_needs_quoting_round_trips() {
    for county in [
        "SAN, JOAQUIN",
        " LEADING SPACE",
        "SAY \"HI\"",
        "MULTI\nLINE",
    ] {
        let (bytes, _) = gen_bytes(county, Target::Subjects(3), 5);
        let (_, rows) = parse(&bytes);
        assert!(rows.iter().any(|r| &r[col::STP_ORI_CNTY_NAME] == county));
        assert!(
            rows.iter()
                .all(|r| [county, OTHER_COUNTY].contains(&&r[col::STP_ORI_CNTY_NAME]))
        );
    }
}

#[test]
fn rows_target_stops_after_first_subject_reaching_it() {
    for (target, seed) in [(1, 1), (50, 2), (500, 3), (2_345, 4), (10_000, 5)] {
        let (bytes, stats) = gen_bytes("SACRAMENTO", Target::Rows(target), seed);
        let (_, rows) = parse(&bytes);
        assert!(rows.len() as u64 >= target);
        let last_id = &rows.last().unwrap()[col::SUBJECT_ID];
        let last_subject_rows = rows
            .iter()
            .filter(|r| &r[col::SUBJECT_ID] == last_id)
            .count();
        assert!(
            ((rows.len() - last_subject_rows) as u64) < target,
            "target {target}: generation went on after reaching it"
        );
        assert_eq!(stats.rows, rows.len() as u64);
    }
}

#[test]
fn zero_targets_give_header_only() {
    for target in [Target::Rows(0), Target::Subjects(0)] {
        let (bytes, stats) = gen_bytes("SACRAMENTO", target, 1);
        assert_eq!(bytes, format!("{}\n", NAMES.join(",")).into_bytes());
        assert_eq!((stats.rows, stats.subjects), (0, 0));
    }
}

#[test]
fn subjects_are_contiguous_sequential_and_consistent() {
    let (bytes, stats) = gen_bytes("SACRAMENTO", Target::Subjects(37), 77);
    assert_eq!(stats.subjects, 37);
    let (_, rows) = parse(&bytes);
    let mut order: Vec<String> = Vec::new();
    let mut identity: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for row in &rows {
        let id = row[col::SUBJECT_ID].to_string();
        if order.last() != Some(&id) {
            assert!(!order.contains(&id), "subject {id} is not contiguous");
            order.push(id.clone());
        }
        let fields: Vec<String> = [
            col::CII_NUMBER,
            col::PRI_NAME,
            col::PRI_DOB,
            col::PRI_SSN,
            col::PRI_CDL,
        ]
        .iter()
        .map(|&c| row[c].to_string())
        .collect();
        let known = identity.entry(id).or_insert_with(|| fields.clone());
        assert_eq!(known, &fields, "identity changes within a subject");
    }
    let expected: Vec<String> = (0..37)
        .map(|i| (FIRST_SUBJECT_ID + i).to_string())
        .collect();
    assert_eq!(order, expected);
    for fields in identity.values() {
        let [cii, name, dob, ssn, cdl] = fields.as_slice() else {
            unreachable!()
        };
        assert!(cii.len() == 10 && cii.bytes().all(|b| b.is_ascii_digit()));
        assert!(ssn.len() == 9 && ssn.bytes().all(|b| b.is_ascii_digit()));
        assert!(cdl.len() == 8 && cdl.as_bytes()[0].is_ascii_uppercase());
        assert!(cdl[1..].bytes().all(|b| b.is_ascii_digit()));
        let (last, rest) = name.split_once(',').expect("LAST,FIRST M");
        let (first, middle) = rest.rsplit_once(' ').expect("FIRST M");
        assert!(cmr_gendoj::LAST_NAMES.contains(&last));
        assert!(cmr_gendoj::FIRST_NAMES.contains(&first));
        assert!(middle.len() == 1 && middle.as_bytes()[0].is_ascii_uppercase());
        let dob = parse_date(dob).expect("valid DOB");
        assert!(((1949, 12, 31)..=(2000, 12, 31)).contains(&dob));
    }
}

#[test]
fn fixed_and_filler_fields() {
    let (bytes, _) = gen_bytes("SACRAMENTO", Target::Rows(2_000), 3);
    let (_, rows) = parse(&bytes);
    let set_by_generator: HashSet<usize> = [
        col::SUBJECT_ID,
        col::CII_NUMBER,
        col::PRI_NAME,
        col::PRI_DOB,
        col::PRI_SSN,
        col::PRI_CDL,
        col::CYC_ORDER,
        col::CYC_DATE,
        col::STP_EVENT_DATE,
        col::STP_TYPE_DESCR,
        col::STP_ORI_CNTY_NAME,
        col::CNT_ORDER,
        col::OFN,
        col::OFFENSE_DESCR,
        col::OFFENSE_TOC,
        col::FE_NUM_CRT_CASE,
        col::DISP_DESCR,
        col::CONV_STAT_DESCR,
        col::SENT_LENGTH,
        col::SENT_TIME_CODE,
        col::COMMENT_TEXT,
    ]
    .into();
    for row in &rows {
        for (index, cell) in row.iter().enumerate() {
            if !set_by_generator.contains(&index) {
                assert_eq!(cell, FILLER, "column {}", NAMES[index]);
            }
        }
        assert_eq!(&row[col::OFFENSE_TOC], "F");
        assert_eq!(&row[col::COMMENT_TEXT], COMMENT);
        assert_eq!(&row[col::FE_NUM_CRT_CASE], "");
        assert!(["FELONY", "MISDEMEANOR"].contains(&&row[col::CONV_STAT_DESCR]));
        let offence = &row[col::OFFENSE_DESCR];
        assert!(PROP64_OFFENSES.contains(&offence) || OTHER_OFFENSES.contains(&offence));
        assert!(!["DECEASED", "REGISTRATION"].contains(&&row[col::STP_TYPE_DESCR]));
    }
}

/// Rows of one case (one cycle of one subject), in file order.
fn cases(rows: &[csv::StringRecord]) -> Vec<Vec<&csv::StringRecord>> {
    let mut out: Vec<Vec<&csv::StringRecord>> = Vec::new();
    let mut key = (String::new(), String::new());
    for row in rows {
        let this = (
            row[col::SUBJECT_ID].to_string(),
            row[col::CNT_ORDER][..3].to_string(),
        );
        if this != key || out.is_empty() {
            out.push(Vec::new());
            key = this;
        }
        out.last_mut().unwrap().push(row);
    }
    out
}

#[test]
fn case_layout_matches_gogen() {
    let (bytes, _) = gen_bytes("SACRAMENTO", Target::Rows(8_000), 11);
    let (_, rows) = parse(&bytes);
    let mut last_subject = String::new();
    let mut expected_cycle = 101;
    let mut previous_date = (0, 0, 0);
    let mut seen_cases = HashSet::new();
    let mut kinds_per_subject: BTreeMap<String, (u32, u32, u32)> = BTreeMap::new();
    for case in cases(&rows) {
        let subject = case[0][col::SUBJECT_ID].to_string();
        assert!(
            seen_cases.insert((subject.clone(), case[0][col::CNT_ORDER][..3].to_string())),
            "case split in two"
        );
        if subject != last_subject {
            last_subject = subject.clone();
            expected_cycle = 101;
            previous_date = (0, 0, 0);
        }
        let cycle = format!("{expected_cycle:03}");
        expected_cycle += 1;
        let case_date = parse_date(&case[0][col::CYC_DATE]).expect("CYC_DATE");
        assert!(case_date >= previous_date, "cycles are in date order");
        assert!(((1970, 1, 1)..=(2019, 11, 11)).contains(&case_date));
        previous_date = case_date;

        let arrests: Vec<_> = case
            .iter()
            .filter(|r| &r[col::STP_TYPE_DESCR] == ARREST_EVENT)
            .collect();
        let courts: Vec<_> = case
            .iter()
            .filter(|r| &r[col::STP_TYPE_DESCR] == COURT_EVENT)
            .collect();
        assert_eq!(arrests.len() + courts.len(), case.len());
        let counts = arrests.len();
        assert!((1..=4).contains(&counts));
        // Arrest rows first, then court rows.
        assert!(
            case[..counts]
                .iter()
                .all(|r| &r[col::STP_TYPE_DESCR] == ARREST_EVENT)
        );
        let county = &case[0][col::STP_ORI_CNTY_NAME];
        let court_date = add_one_month(case_date);
        for (n, row) in arrests.iter().enumerate() {
            assert_eq!(&row[col::CNT_ORDER], format!("{cycle}001{:03}000", n + 1));
            assert_eq!(&row[col::CYC_ORDER], cycle);
            assert_eq!(parse_date(&row[col::STP_EVENT_DATE]), Some(case_date));
            assert_eq!(&row[col::DISP_DESCR], "");
            assert_eq!(&row[col::OFN], "");
            assert_eq!(&row[col::SENT_LENGTH], "");
            assert_eq!(&row[col::STP_ORI_CNTY_NAME], county);
        }
        let disposition = courts[0][col::DISP_DESCR].to_string();
        let convicted = disposition == CONVICTED;
        assert!(convicted || disposition == DISMISSED);
        let mut court_orders = Vec::new();
        for row in &courts {
            assert_eq!(&row[col::DISP_DESCR], disposition);
            assert_eq!(&row[col::CYC_ORDER], cycle);
            assert_eq!(&row[col::CYC_DATE], &case[0][col::CYC_DATE]);
            assert_eq!(parse_date(&row[col::STP_EVENT_DATE]), Some(court_date));
            assert_eq!(&row[col::STP_ORI_CNTY_NAME], county);
            if court_orders.last() != Some(&row[col::CNT_ORDER].to_string()) {
                court_orders.push(row[col::CNT_ORDER].to_string());
            }
        }
        let expected_orders: Vec<String> = (1..=counts)
            .map(|n| format!("{cycle}002{n:03}000"))
            .collect();
        assert_eq!(court_orders, expected_orders);
        // Offences of a count agree between its arrest and court rows.
        for (n, arrest) in arrests.iter().enumerate() {
            assert!(
                courts
                    .iter()
                    .filter(|r| r[col::CNT_ORDER] == expected_orders[n])
                    .all(|r| r[col::OFFENSE_DESCR] == arrest[col::OFFENSE_DESCR])
            );
        }
        // OFN: 8 digits on the first court count only (and its sentence copies, if any).
        for row in &courts {
            let ofn = &row[col::OFN];
            if row[col::CNT_ORDER] == expected_orders[0] {
                assert!(ofn.len() == 8 && ofn.bytes().all(|b| b.is_ascii_digit()));
            } else {
                assert_eq!(ofn, "");
            }
        }
        // Sentences: only on the last count of conviction cases, 1–3 copies sharing CNT_ORDER.
        let last_order = expected_orders.last().unwrap();
        let copies: Vec<_> = courts
            .iter()
            .filter(|r| &r[col::CNT_ORDER] == last_order)
            .collect();
        if convicted {
            assert!((1..=3).contains(&copies.len()));
            assert_eq!(courts.len(), counts - 1 + copies.len());
            for copy in &copies {
                let length: u32 = copy[col::SENT_LENGTH].parse().expect("SENT_LENGTH");
                let longest = match &copy[col::SENT_TIME_CODE] {
                    "D" => 100,
                    "M" => 24,
                    "Y" => 10,
                    other => panic!("unit {other}"),
                };
                assert!((1..=longest).contains(&length));
            }
            // The copies are adjacent rows.
            let first = courts
                .iter()
                .position(|r| &r[col::CNT_ORDER] == last_order)
                .unwrap();
            assert_eq!(first + copies.len(), courts.len());
        } else {
            assert_eq!(copies.len(), 1);
            assert_eq!(courts.len(), counts);
        }
        for row in courts
            .iter()
            .filter(|r| !convicted || &r[col::CNT_ORDER] != last_order)
        {
            assert_eq!(&row[col::SENT_LENGTH], "");
            assert_eq!(&row[col::SENT_TIME_CODE], "");
        }

        // Kind of case, from its offences and disposition.
        let prop64 = arrests
            .iter()
            .all(|r| PROP64_OFFENSES.contains(&&r[col::OFFENSE_DESCR]));
        let other = arrests
            .iter()
            .all(|r| OTHER_OFFENSES.contains(&&r[col::OFFENSE_DESCR]));
        assert!(prop64 ^ other, "a case draws from one list");
        if prop64 {
            assert!(convicted, "Prop 64 cases are convictions");
            assert_eq!(county, "SACRAMENTO", "Prop 64 cases are always local");
        }
        let tally = kinds_per_subject.entry(subject).or_default();
        match (prop64, convicted) {
            (true, _) => tally.0 += 1,
            (false, true) => tally.1 += 1,
            (false, false) => tally.2 += 1,
        }
    }
    for (prop64_cases, _, _) in kinds_per_subject.values() {
        assert!((1..=3).contains(prop64_cases));
    }
}

#[test]
fn stats_agree_with_output() {
    let (bytes, stats) = gen_bytes("SACRAMENTO", Target::Rows(6_000), 21);
    let (_, rows) = parse(&bytes);
    let count =
        |f: &dyn Fn(&csv::StringRecord) -> bool| rows.iter().filter(|r| f(r)).count() as u64;
    assert_eq!(stats.rows, rows.len() as u64);
    assert_eq!(
        stats.arrest_rows,
        count(&|r| &r[col::STP_TYPE_DESCR] == ARREST_EVENT)
    );
    assert_eq!(
        stats.court_rows,
        count(&|r| &r[col::STP_TYPE_DESCR] == COURT_EVENT)
    );
    assert_eq!(
        stats.convicted_rows,
        count(&|r| &r[col::DISP_DESCR] == CONVICTED)
    );
    assert_eq!(
        stats.dismissed_rows,
        count(&|r| &r[col::DISP_DESCR] == DISMISSED)
    );
    assert_eq!(
        stats.sentence_rows,
        count(&|r| !r[col::SENT_LENGTH].is_empty())
    );
    assert_eq!(
        stats.felony_rows,
        count(&|r| &r[col::CONV_STAT_DESCR] == "FELONY")
    );
    assert_eq!(
        stats.target_county_rows,
        count(&|r| &r[col::STP_ORI_CNTY_NAME] == "SACRAMENTO")
    );
    let mut convictions = HashSet::new();
    let mut prop64 = 0;
    let mut prop64_local = 0;
    for row in rows.iter().filter(|r| &r[col::DISP_DESCR] == CONVICTED) {
        if convictions.insert((
            row[col::SUBJECT_ID].to_string(),
            row[col::CNT_ORDER].to_string(),
        )) && cmr_gendoj::is_prop64_section(cmr_gendoj::code_section(&row[col::OFFENSE_DESCR]))
        {
            prop64 += 1;
            if &row[col::STP_ORI_CNTY_NAME] == "SACRAMENTO" {
                prop64_local += 1;
            }
        }
    }
    assert_eq!(stats.convictions, convictions.len() as u64);
    assert_eq!(stats.prop64_convictions, prop64);
    assert_eq!(stats.prop64_convictions_in_county, prop64_local);
    let subjects: HashSet<&str> = rows.iter().map(|r| &r[col::SUBJECT_ID]).collect();
    assert_eq!(stats.subjects, subjects.len() as u64);
    let cycles: HashSet<(&str, &str)> = rows
        .iter()
        .map(|r| (&r[col::SUBJECT_ID], &r[col::CNT_ORDER][..3]))
        .collect();
    assert_eq!(stats.cases, cycles.len() as u64);
}

#[test]
fn invalid_settings_are_rejected() {
    let mut cfg = GenConfig::new("", Target::Rows(10), 1);
    assert!(matches!(
        generate(&cfg, Vec::new()),
        Err(GenError::EmptyCounty)
    ));
    cfg.county = "SACRAMENTO".into();
    for now in [(2019, 2, 29), (2019, 13, 1), (1969, 12, 31), (2019, 4, 0)] {
        cfg.now = now;
        let error = generate(&cfg, Vec::new()).unwrap_err();
        assert!(matches!(error, GenError::InvalidNow { .. }), "{now:?}");
    }
    cfg.now = (1970, 1, 1);
    let mut out = Vec::new();
    generate(&cfg, &mut out).expect("1970-01-01 is a valid now");
    let (_, rows) = parse(&out);
    assert!(rows.iter().all(|r| &r[col::CYC_DATE] == "19700101"));
}

#[test]
fn now_bounds_case_dates() {
    let mut cfg = GenConfig::new("SACRAMENTO", Target::Rows(3_000), 8);
    cfg.now = (1985, 6, 30);
    let mut out = Vec::new();
    generate(&cfg, &mut out).unwrap();
    let (_, rows) = parse(&out);
    assert!(rows.iter().all(|r| &r[col::CYC_DATE][..] <= "19850630"));
    assert!(rows.iter().any(|r| &r[col::CYC_DATE][..4] == "1985"));
}

/// A sink that remembers the largest single write and the number of bytes.
struct MaxWrite {
    largest: usize,
    total: u64,
    flushed: bool,
}

impl Write for MaxWrite {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.largest = self.largest.max(data.len());
        self.total += data.len() as u64;
        Ok(data.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        self.flushed = true;
        Ok(())
    }
}

#[test]
fn output_is_streamed_subject_by_subject() {
    let mut sink = MaxWrite {
        largest: 0,
        total: 0,
        flushed: false,
    };
    let stats = generate(
        &GenConfig::new("SACRAMENTO", Target::Rows(100_000), 4),
        &mut sink,
    )
    .unwrap();
    assert!(sink.flushed);
    assert_eq!(sink.total, stats.bytes);
    assert!(stats.bytes > 40_000_000);
    // One subject is at most a few hundred rows of ~600 bytes.
    assert!(sink.largest < 1_000_000, "largest write {}", sink.largest);
}

struct FailingWriter;

impl Write for FailingWriter {
    fn write(&mut self, _: &[u8]) -> io::Result<usize> {
        Err(io::Error::other("disk full"))
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn write_errors_are_reported() {
    let error = generate(
        &GenConfig::new("SACRAMENTO", Target::Rows(10), 1),
        FailingWriter,
    )
    .unwrap_err();
    assert!(matches!(error, GenError::Io(_)));
    assert!(error.to_string().contains("disk full"));
}
