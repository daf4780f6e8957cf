//! RAP sheet ingest against synthetic sheets in `tests/rapsheets/` (all names and numbers
//! invented): parsing (spec `court-paperwork-and-anchors.md` §3), OCR tolerance, errors
//! that name a line without quoting the sheet, flattening into DOJ rows and grouping those
//! rows exactly as a DOJ file would be grouped.

use cmr_record::columns as col;
use cmr_record::gocsv::Record;
use cmr_record::rapsheet::{
    Count, DispositionKind, Event, EventKind, RapDate, RapSheet, Sentence, Severity, Term,
    TimeUnit, agency_county, codes, flatten, parse,
};
use cmr_record::{CommentFallback, Grouped, SubjectBuilder};
use proptest::prelude::*;

fn sheet_text(name: &str) -> String {
    let path = format!("{}/tests/rapsheets/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn parsed(name: &str) -> RapSheet {
    parse(&sheet_text(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn date(y: u16, m: u8, d: u8) -> RapDate {
    RapDate {
        year: y,
        month: m,
        day: d,
    }
}

fn term(amount: u32, unit: TimeUnit) -> Option<Term> {
    Some(Term { amount, unit })
}

fn event(sheet: &RapSheet, cycle: usize, step: usize) -> &Event {
    &sheet.cycles[cycle].events[step]
}

fn charge(count: &Count) -> (&str, &str) {
    (count.code.as_str(), count.section.as_str())
}

fn text(rec: &Record, column: usize) -> String {
    String::from_utf8_lossy(rec.field(column)).into_owned()
}

fn group(rows: &[Record]) -> Grouped {
    let mut builder = SubjectBuilder::new(CommentFallback::TrimmedOrEmpty);
    for (i, row) in rows.iter().enumerate() {
        builder.add_row(i as u64, row).expect("row groups");
    }
    builder.finish()
}

/// (CNT_ORDER, code section text) of each conviction of the only subject.
fn convictions(grouped: &Grouped) -> Vec<(String, String)> {
    assert_eq!(grouped.subjects.len(), 1);
    grouped.subjects[0]
        .convictions
        .iter()
        .map(|c| {
            (
                String::from_utf8_lossy(&c.cnt_order).into_owned(),
                grouped.sections.get(c.section).text_lossy(),
            )
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// The spec's example (§3.1, expectations from §3.6).

#[test]
fn example_header_and_structure() {
    let sheet = parsed("example.txt");
    let p = sheet.personal.as_ref().expect("personal info");
    assert_eq!(p.cii.as_deref(), Some("A00000001"));
    assert_eq!(p.dob, Some(date(1980, 1, 1)));
    assert_eq!(p.sex.as_deref(), Some("F"));
    assert_eq!(p.race.as_deref(), Some("HISPANIC"));
    assert_eq!(p.names.len(), 2);
    assert_eq!(
        p.names[1],
        ("02".to_string(), "TESTPERSON, ALEXIS".to_string())
    );
    assert_eq!(p.primary_name(), Some("TESTPERSON, ALEX"));

    let kinds: Vec<Vec<EventKind>> = sheet
        .cycles
        .iter()
        .map(|c| c.events.iter().map(|e| e.kind).collect())
        .collect();
    assert_eq!(
        kinds,
        [
            vec![EventKind::Arrest, EventKind::Court],
            vec![EventKind::Court],
            vec![EventKind::Registration],
        ]
    );
    assert_eq!(sheet.warnings, []);
    assert!(sheet.narcotics_offender_registration());
    assert!(!sheet.sex_offender_registration());
}

#[test]
fn example_counts_dispositions_and_updates() {
    let sheet = parsed("example.txt");
    let arrest = event(&sheet, 0, 0);
    assert_eq!(arrest.date, date(2005, 3, 4));
    assert_eq!(arrest.agency, "CAPD SAN FRANCISCO");
    assert_eq!(arrest.case_number(), Some("05-000111"));
    assert_eq!(charge(&arrest.counts[1]), ("HS", "11360(a)"));

    let court = event(&sheet, 0, 1);
    assert_eq!(court.case_number(), Some("SCN999001"));
    assert_eq!(court.name_code.as_deref(), Some("02"));
    let c1 = &court.counts[0];
    assert_eq!(charge(c1), ("HS", "11359"));
    assert_eq!(c1.description, "POSSESS MARIJUANA FOR SALE");
    assert_eq!(c1.dispositions.len(), 2);
    let conv = &c1.dispositions[0];
    assert_eq!(conv.kind, DispositionKind::Convicted);
    assert_eq!(conv.severity, Some(Severity::Felony));
    assert_eq!((conv.date, conv.is_update), (date(2005, 6, 10), false));
    assert_eq!(
        conv.sentence,
        Some(Sentence {
            probation: term(36, TimeUnit::Months),
            jail: term(60, TimeUnit::Days),
            prison: None,
            details: vec!["fine".into(), "restitution".into()],
        })
    );
    let set_aside = &c1.dispositions[1];
    assert_eq!(set_aside.kind, DispositionKind::Pc1203Dismissed);
    assert_eq!(
        (set_aside.date, set_aside.is_update),
        (date(2009, 1, 15), true)
    );
    assert_eq!(
        court.counts[1].dispositions[0].kind,
        DispositionKind::Dismissed
    );

    // The range with a comment charge: two identical HS 11357(b) misdemeanour counts with
    // the sentence read from the comment.
    let la = event(&sheet, 1, 0);
    assert_eq!(la.counts.len(), 2);
    for (count, number) in la.counts.iter().zip([1, 2]) {
        assert_eq!(count.number, number);
        assert_eq!(count.code_section(), "HS 11357(b)");
        assert!(count.charge_from_comment);
        assert_eq!(count.description, "POSSESS MARIJUANA");
        let d = &count.dispositions[0];
        assert_eq!(d.severity, Some(Severity::Misdemeanor));
        let s = d.sentence.as_ref().expect("comment sentence");
        assert_eq!(s.probation, term(2, TimeUnit::Years));
        assert_eq!(s.jail, term(10, TimeUnit::Days));
    }

    let reg = event(&sheet, 2, 0);
    let reg_count = &reg.counts[0];
    assert_eq!(charge(reg_count), ("HS", "11590"));
    assert_eq!(
        reg_count.dispositions[0].kind,
        DispositionKind::Other("NO LONGER REQUIRED TO REGISTER/DRUG REG".into())
    );
    assert_eq!(reg_count.dispositions[0].date, date(2016, 1, 1));
}

#[test]
fn example_flattens_to_doj_rows() {
    let sheet = parsed("example.txt");
    let rows = flatten(&sheet, "SUBJ1", agency_county);
    // arrest 2 counts + court count 1 (2 dispositions) + count 2 + LA 2 + registration 1.
    assert_eq!(rows.len(), 8);
    for row in &rows {
        assert_eq!(row.len(), col::FIELD_COUNT);
        assert_eq!(text(row, col::SUBJECT_ID), "SUBJ1");
        assert_eq!(text(row, col::PRI_NAME), "TESTPERSON, ALEX");
        assert_eq!(text(row, col::PRI_DOB), "19800101");
        assert_eq!(text(row, col::CII_NUMBER), "A00000001");
    }
    let summary: Vec<[String; 5]> = rows
        .iter()
        .map(|r| {
            [
                col::CNT_ORDER,
                col::STP_TYPE_DESCR,
                col::OFFENSE_DESCR,
                col::DISP_DESCR,
                col::DISP_DATE,
            ]
            .map(|c| text(r, c))
        })
        .collect();
    let expected = [
        [
            "001001001000",
            "ARREST/DETAINED/CITED",
            "11359 HS-POSSESS MARIJUANA FOR SALE",
            "",
            "",
        ],
        [
            "001001002000",
            "ARREST/DETAINED/CITED",
            "11360(A) HS-TRANSPORT/SELL MARIJUANA",
            "",
            "",
        ],
        [
            "001002001000",
            "COURT ACTION",
            "11359 HS-POSSESS MARIJUANA FOR SALE",
            "CONVICTED",
            "20050610",
        ],
        [
            "001002001000",
            "COURT ACTION",
            "11359 HS-POSSESS MARIJUANA FOR SALE",
            "CONV SET ASIDE & DISM PER 1203.4 PC",
            "20090115",
        ],
        [
            "001002002000",
            "COURT ACTION",
            "11360(A) HS-TRANSPORT/SELL MARIJUANA",
            "DISMISSED",
            "20050610",
        ],
        [
            "002001001000",
            "COURT ACTION",
            "11357(B) HS-POSSESS MARIJUANA",
            "CONVICTED",
            "20120820",
        ],
        [
            "002001002000",
            "COURT ACTION",
            "11357(B) HS-POSSESS MARIJUANA",
            "CONVICTED",
            "20120820",
        ],
        [
            "003001001000",
            "REGISTRATION",
            "11590 HS-REGISTRATION OF CONTROLLED SUBSTANCE OFFENDER",
            "NO LONGER REQUIRED TO REGISTER/DRUG REG",
            "20160101",
        ],
    ];
    assert_eq!(summary, expected.map(|r| r.map(String::from)));

    let conv = &rows[2];
    assert_eq!(text(conv, col::STP_EVENT_DATE), "20050610");
    assert_eq!(text(conv, col::STP_ORI_DESCR), "CASC SAN FRANCISCO");
    assert_eq!(text(conv, col::STP_ORI_CNTY_NAME), "SAN FRANCISCO");
    assert_eq!(text(conv, col::OFN), "SCN999001");
    assert_eq!(text(conv, col::CONV_STAT_DESCR), "FELONY");
    assert_eq!(text(conv, col::OFFENSE_TOC), "F");
    // Longest term: 36 months probation beats 60 days jail.
    assert_eq!(text(conv, col::SENT_LENGTH), "36");
    assert_eq!(text(conv, col::SENT_TIME_CODE), "M");
    assert_eq!(text(conv, col::SENT_LOC_DESCR), "PROBATION");
    // The update row keeps the event date where the grouping reads it.
    assert_eq!(text(&rows[3], col::STP_EVENT_DATE), "20050610");
    assert_eq!(text(&rows[5], col::STP_ORI_CNTY_NAME), "LOS ANGELES");
    // Each row points back at its count's line in the sheet.
    assert_eq!(rows[2].line(), 27);
    assert_eq!(rows[7].line(), 53);
}

#[test]
fn example_groups_like_a_doj_file() {
    let sheet = parsed("example.txt");
    let grouped = group(&flatten(&sheet, "SUBJ1", agency_county));
    assert_eq!(
        convictions(&grouped),
        [
            ("001002001000".to_string(), "11359 HS".to_string()),
            ("002001001000".to_string(), "11357(B) HS".to_string()),
            ("002001002000".to_string(), "11357(B) HS".to_string()),
        ]
    );
    let subject = &grouped.subjects[0];
    assert!(subject.convictions[0].felony);
    assert!(!subject.convictions[1].felony);
    assert!(!subject.pc290_registration);
    assert!(!subject.deceased);
    assert_eq!(subject.case_number(b"001002"), "SCN999001");
    let county = grouped.counties.text(subject.convictions[0].county);
    assert_eq!(county, b"SAN FRANCISCO");
}

// ---------------------------------------------------------------------------------------
// OCR noise (§3.4).

#[test]
fn ocr_noise_is_tolerated() {
    let sheet = parsed("ocr_noise.txt");
    let p = sheet.personal.as_ref().expect("personal info");
    assert_eq!(p.dob, Some(date(1985, 6, 12)));
    assert_eq!(p.primary_name(), Some("TESTPERSON, JORDAN"));
    assert_eq!(sheet.cycles.len(), 2);

    let arrest = event(&sheet, 0, 0);
    assert_eq!(arrest.kind, EventKind::Arrest);
    assert_eq!(arrest.date, date(2004, 1, 2));
    assert_eq!(arrest.case_number(), Some("04-222333"));
    assert_eq!(arrest.counts[0].code_section(), "HS 11357(c)");
    assert_eq!(
        arrest.counts[0].description,
        "POSS MARIJUANA OVER 1 OZ/28.5 GRAM"
    );

    let court = event(&sheet, 0, 1);
    assert_eq!(court.kind, EventKind::Court);
    assert_eq!(court.date, date(2004, 3, 1));
    assert_eq!(court.case_number(), Some("04F01234"));
    assert_eq!(court.counts.len(), 2);
    let c1 = &court.counts[0];
    assert_eq!(c1.dispositions[0].kind, DispositionKind::Convicted);
    assert_eq!(c1.dispositions[0].severity, Some(Severity::Infraction));
    let s1 = c1.dispositions[0].sentence.as_ref().expect("sentence");
    assert_eq!(s1.details, ["fine suspended", "restitution"]);

    let c2 = &court.counts[1];
    assert_eq!(c2.number, 2);
    assert_eq!(c2.code_section(), "VC 23152(a)");
    assert_eq!(c2.dispositions.len(), 2);
    assert_eq!(c2.dispositions[0].kind, DispositionKind::Convicted);
    assert_eq!(c2.dispositions[0].severity, Some(Severity::Misdemeanor));
    // The sentence wraps onto an indented line.
    let s2 = c2.dispositions[0].sentence.as_ref().expect("sentence");
    assert_eq!(s2.probation, term(3, TimeUnit::Years));
    assert_eq!(s2.jail, term(10, TimeUnit::Days));
    assert_eq!(s2.details, ["fine", "concurrent"]);
    let revoked = &c2.dispositions[1];
    assert_eq!(revoked.kind, DispositionKind::ProbationRevoked);
    assert_eq!((revoked.date, revoked.is_update), (date(2006, 5, 15), true));

    let later = &sheet.cycles[1];
    assert_eq!(
        later.events[0].counts[0].comments,
        ["ADR-100 EXAMPLE ST (SACRAMENTO)"]
    );
    assert_eq!(
        later.events[1].counts[0].dispositions[0].kind,
        DispositionKind::ProsecutorRejected
    );
    assert_eq!(sheet.warnings, []);
}

// ---------------------------------------------------------------------------------------
// Registration, super-strike prior, custody, deceased.

#[test]
fn registration_and_superstrike_sheet() {
    let sheet = parsed("registration_superstrike.txt");
    assert_eq!(sheet.warnings, []);
    assert_eq!(sheet.cycles.len(), 4);
    let personal = sheet.personal.as_ref().expect("personal info");
    assert_eq!(personal.cii.as_deref(), Some("H00000003"));

    // The strike banner and its asterisk frame do not split the cycle.
    let first = &sheet.cycles[0];
    let kinds: Vec<EventKind> = first.events.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [EventKind::Arrest, EventKind::Court, EventKind::Custody]
    );
    let murder = &first.events[1].counts[0];
    assert_eq!(murder.code_section(), "PC 187");
    assert_eq!(murder.description, "MURDER:SECOND DEGREE");
    let prison = murder.dispositions[0]
        .sentence
        .as_ref()
        .and_then(|s| s.prison);
    assert_eq!(prison, term(15, TimeUnit::Years));

    // The second registration event omits its identifier.
    let reg = &sheet.cycles[1];
    assert_eq!(reg.events.len(), 2);
    assert!(reg.events.iter().all(|e| e.kind == EventKind::Registration));
    assert_eq!(reg.events[1].date, date(2007, 1, 1));
    assert!(sheet.sex_offender_registration());
    assert!(!sheet.narcotics_offender_registration());

    let sale = &sheet.cycles[2].events[1].counts[0];
    assert_eq!(sale.code_section(), "HS 11359");
    let original = sale.dispositions[0].sentence.as_ref().expect("sentence");
    assert_eq!(original.prison, term(16, TimeUnit::Months));
    assert_eq!(original.jail, term(90, TimeUnit::Days));
    assert_eq!(original.details, ["restitution"]);
    let modified = &sale.dispositions[1];
    assert_eq!(modified.kind, DispositionKind::SentenceModified);
    assert_eq!(modified.date, date(2017, 3, 1));
    let new_prison = modified.sentence.as_ref().and_then(|s| s.prison);
    assert_eq!(new_prison, term(12, TimeUnit::Months));

    let deceased = &sheet.cycles[3].events[0];
    assert_eq!(deceased.kind, EventKind::Deceased);
    assert!(deceased.counts.is_empty());
}

#[test]
fn registration_sheet_groups_with_flags() {
    let sheet = parsed("registration_superstrike.txt");
    let rows = flatten(&sheet, "SUBJ3", agency_county);
    let reg_rows: Vec<&Record> = rows
        .iter()
        .filter(|r| r.field(col::STP_TYPE_DESCR) == b"REGISTRATION")
        .collect();
    assert_eq!(reg_rows.len(), 2);
    assert_eq!(
        text(reg_rows[0], col::OFFENSE_DESCR),
        "290 PC-REGISTRATION OF SEX OFFENDER"
    );
    let deceased = rows.last().expect("rows");
    assert_eq!(text(deceased, col::STP_TYPE_DESCR), "DECEASED");
    assert_eq!(text(deceased, col::CNT_ORDER), "004001000000");

    let grouped = group(&rows);
    assert_eq!(
        convictions(&grouped),
        [
            ("001002001000".to_string(), "187 PC".to_string()),
            ("003002001000".to_string(), "11359 HS".to_string()),
        ]
    );
    let subject = &grouped.subjects[0];
    assert!(subject.pc290_registration);
    assert!(subject.deceased);
    assert!(subject.convictions.iter().all(|c| c.felony));
    assert!(
        grouped
            .sections
            .get(subject.convictions[0].section)
            .superstrike
    );
    // The conviction's sentence end: 1991-02-10 + 15 years of 366 days (prison beats the
    // absence of other terms); the later 11359 one uses 16 months, its longest term.
    let end = subject.convictions[1].sentence_end;
    assert_eq!(
        end,
        date(2015, 9, 1)
            .instant()
            .add_nanos(16 * 732 * 3_600 * 1_000_000_000)
    );
}

// ---------------------------------------------------------------------------------------
// Attempts, ranges, comment charges, unknown events.

#[test]
fn attempts_ranges_and_comment_charges() {
    let sheet = parsed("attempts_ranges.txt");
    let arrest = event(&sheet, 0, 0);
    assert_eq!(arrest.case_number(), Some("12-004455"));
    let attempt = &arrest.counts[0];
    assert_eq!(attempt.code_section(), "HS 11359");
    assert!(attempt.attempted);
    assert_eq!(attempt.flags, ["-ATTEMPTED"]);
    let flagged = &arrest.counts[1];
    assert_eq!(flagged.code_section(), "HS 11360(a)");
    assert!(flagged.attempted);

    let court = event(&sheet, 0, 1);
    assert_eq!(court.toc, Some(Severity::Felony));
    assert_eq!(court.counts.len(), 5);
    for (count, number) in court.counts[..3].iter().zip(1..) {
        assert_eq!(count.number, number);
        assert_eq!(count.code_section(), "HS 11357(c)");
        assert_eq!(count.flags, ["-BENCH WARRANT"]);
        assert!(count.charge_from_comment);
        let s = count.dispositions[0]
            .sentence
            .as_ref()
            .expect("comment sentence");
        assert_eq!(s.probation, term(1, TimeUnit::Years));
        assert_eq!(s.jail, term(5, TimeUnit::Days));
    }
    let dash_attempt = &court.counts[3];
    assert_eq!(dash_attempt.number, 4);
    assert!(dash_attempt.attempted);
    assert_eq!(dash_attempt.section, "11359");
    // A bare JAIL is a term of zero days.
    let s = dash_attempt.dispositions[0]
        .sentence
        .as_ref()
        .expect("sentence");
    assert_eq!(s.jail, term(0, TimeUnit::Days));
    let unresolved = &court.counts[4];
    assert_eq!(unresolved.section, "");

    let unknown = event(&sheet, 1, 0);
    assert_eq!(unknown.kind, EventKind::Unknown);
    assert_eq!(unknown.counts[0].code_section(), "PC 602");

    assert_eq!(
        sheet
            .warnings
            .iter()
            .map(|w| (w.code, w.line))
            .collect::<Vec<_>>(),
        [
            (codes::UNRESOLVED_COMMENT_CHARGE, 33),
            (codes::UNRECOGNIZED_EVENT, 37)
        ]
    );
}

#[test]
fn attempts_flatten_with_the_664_prefix() {
    let sheet = parsed("attempts_ranges.txt");
    let rows = flatten(&sheet, "SUBJ4", agency_county);
    let descr: Vec<String> = rows.iter().map(|r| text(r, col::OFFENSE_DESCR)).collect();
    assert_eq!(descr[0], "664/11359 HS-POSSESS MARIJUANA FOR SALE");
    assert_eq!(descr[1], "664/11360(A) HS-TRANSPORT/SELL MARIJUANA");
    assert_eq!(descr[2], "11357(C) HS-POSS MARIJUANA OVER 1 OZ/28.5 GRAM");
    assert_eq!(descr[6], "SEE COMMENT FOR CHARGE");
    assert_eq!(text(&rows[2], col::OFFENSE_TOC), "F");
    assert_eq!(text(&rows[2], col::CONV_STAT_DESCR), "MISDEMEANOR");
    assert_eq!(text(&rows[2], col::STP_ORI_CNTY_NAME), "ALAMEDA");
    assert_eq!(text(&rows[0], col::STP_ORI_CNTY_NAME), "OAKLAND");
    assert_eq!(text(&rows[7], col::STP_TYPE_DESCR), "");

    // The code section is the text before the first `-` (spec gogen-compat §1.4): the
    // attempt keeps its section.
    let grouped = group(&rows);
    let sections: Vec<String> = convictions(&grouped).into_iter().map(|(_, s)| s).collect();
    assert_eq!(
        sections,
        ["11357(C) HS", "11357(C) HS", "11357(C) HS", "664/11359 HS"]
    );
}

// ---------------------------------------------------------------------------------------
// Errors.

#[test]
fn bad_event_date_names_the_line_without_sheet_text() {
    let text = sheet_text("malformed_date.txt");
    let err = parse(&text).expect_err("month 13 is not a date");
    assert_eq!(err.line, 16);
    assert_eq!(err.field, "event date");
    let message = err.to_string();
    assert!(
        message.starts_with("RAP sheet line 16: event date: expected YYYYMMDD"),
        "{message}"
    );
    for secret in ["TESTPERSON", "QUINN", "20051304", "SANTA CLARA", "C0500001"] {
        assert!(!message.contains(secret), "{message}");
    }
}

#[test]
fn structural_errors_name_their_line() {
    let cases: [(&str, usize, &str); 5] = [
        ("no cycles here\n", 2, "cycles"),
        ("* * * *\nCOURT: NAM:01\nCNT:01\n", 3, "event date"),
        (
            "* * * *\nCOURT: NAM:01\n20050101 CASC X\nCNT:01\n*DISPO:CONVICTED\n",
            4,
            "count charge",
        ),
        (
            "* * * *\nCOURT:\n20050101 CASC X\nCNT:AB\n",
            4,
            "count number",
        ),
        (
            "* * * *\nCOURT:\n20050101 CASC X\nCNT:01\n 11359 HS-X\n20051332\n",
            6,
            "update date",
        ),
    ];
    for (text, line, field) in cases {
        let err = parse(text).expect_err(text);
        assert_eq!((err.line, err.field), (line, field), "{text}");
    }
}

#[test]
fn missing_end_of_message_is_a_warning() {
    let sheet = parse("* * * *\nCOURT:\n20050101 CASC X\nCNT:01\n 11359 HS-X\n").expect("parses");
    assert_eq!(sheet.warnings[0].code, codes::MISSING_END_OF_MESSAGE);
    assert!(sheet.personal.is_none());
}

// ---------------------------------------------------------------------------------------
// Robustness: damaged sheets never panic, and errors never carry sheet text.

const SHEETS: [&str; 5] = [
    "example.txt",
    "ocr_noise.txt",
    "registration_superstrike.txt",
    "attempts_ranges.txt",
    "malformed_date.txt",
];

/// A sheet with some lines dropped and some cut short, as a bad scan or a lost page
/// would leave it.
fn damaged(sheet: usize, keep: &[bool], cut: &[usize]) -> String {
    let text = sheet_text(SHEETS[sheet]);
    text.lines()
        .zip(keep.iter().cycle())
        .zip(cut.iter().cycle())
        .filter(|((_, keep), _)| **keep)
        .map(|((line, _), cut)| {
            let end = line.char_indices().nth(*cut).map_or(line.len(), |(i, _)| i);
            &line[..end]
        })
        .collect::<Vec<_>>()
        .join("\n")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn damaged_sheets_parse_or_fail_cleanly(
        sheet in 0..SHEETS.len(),
        keep in prop::collection::vec(prop::bool::weighted(0.9), 1..40),
        cut in prop::collection::vec(0usize..80, 1..40),
    ) {
        let text = damaged(sheet, &keep, &cut);
        match parse(&text) {
            Ok(parsed) => {
                let rows = flatten(&parsed, "S", agency_county);
                prop_assert!(rows.iter().all(|r| r.len() == col::FIELD_COUNT));
            }
            Err(e) => {
                let message = e.to_string();
                prop_assert!(e.line >= 1 && e.line <= text.split('\n').count());
                for secret in ["TESTPERSON", "MARIJUANA", "CASC", "#"] {
                    prop_assert!(!message.contains(secret), "{}", message);
                }
            }
        }
    }

    #[test]
    fn arbitrary_text_never_panics(text in "(?s).{0,400}") {
        let _ = parse(&text);
    }
}
