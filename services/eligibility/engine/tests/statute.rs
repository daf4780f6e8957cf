//! The `statute` policy against its decision table (`docs/policies/statute.md`) and the
//! issue's fixed points F1–F8. Every expectation comes from the table and the law
//! (`../shared/spec/prop64-law.md` §1.3–1.5), never from running the code.
//!
//! Each case describes a person's record once ([`Person`]) and is decided twice: from DOJ
//! research-file rows and from RAP-sheet text, rendered from the same description.

mod support;

use cmr_engine::{Outcome, Policy, RunDates, Track, evaluate};
use cmr_record::columns::{
    CNT_ORDER, CONV_STAT_DESCR, DISP_DESCR, OFFENSE_DESCR, OFFENSE_TOC, PRI_DOB, SENT_LENGTH,
    SENT_TIME_CODE, STP_EVENT_DATE, STP_ORI_CNTY_NAME, STP_TYPE_DESCR, SUBJECT_ID,
};
use cmr_record::rapsheet;
use cmr_record::{CommentFallback, Grouped, SubjectBuilder};
use proptest::prelude::*;

use support::{date, row, try_group};

/// What happened, as the RAP sheet's event identifier and the DOJ file's step type say.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Arrest,
    Court,
    Registration,
}

/// One count of one event.
#[derive(Clone, Debug)]
struct Event {
    cycle: u32,
    kind: Kind,
    /// YYYYMMDD, or "" when the record has none.
    date: &'static str,
    /// Code section as the record writes it, e.g. `11359 HS`, `664/11359 HS`, `187 PC`.
    section: &'static str,
    felony: bool,
    convicted: bool,
    /// Probation months (the sentence that decides the track).
    probation_months: u32,
}

fn court(cycle: u32, date: &'static str, section: &'static str, felony: bool) -> Event {
    Event {
        cycle,
        kind: Kind::Court,
        date,
        section,
        felony,
        convicted: true,
        probation_months: 0,
    }
}

fn arrest(cycle: u32, date: &'static str, section: &'static str) -> Event {
    Event {
        cycle,
        kind: Kind::Arrest,
        date,
        section,
        felony: false,
        convicted: false,
        probation_months: 0,
    }
}

fn registration(cycle: u32, date: &'static str) -> Event {
    Event {
        cycle,
        kind: Kind::Registration,
        date,
        section: "290 PC",
        felony: false,
        convicted: false,
        probation_months: 0,
    }
}

#[derive(Clone, Debug)]
struct Person {
    /// YYYYMMDD, or "" for none.
    dob: &'static str,
    events: Vec<Event>,
}

fn person(dob: &'static str, events: Vec<Event>) -> Person {
    Person { dob, events }
}

/// Step number within the cycle: arrests 001, court 002, registrations 003.
fn step(kind: Kind) -> u32 {
    match kind {
        Kind::Arrest => 1,
        Kind::Court => 2,
        Kind::Registration => 3,
    }
}

/// The CNT_ORDER of the n-th count of an event.
fn cnt_order(e: &Event, count: usize) -> String {
    format!("{:03}{:03}{:03}000", e.cycle, step(e.kind), count + 1)
}

/// The person as DOJ research-file rows (subject `id`).
fn doj_rows(p: &Person, id: &str) -> Vec<String> {
    p.events
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let order = cnt_order(e, i);
            let offense = format!("{}-DESCRIPTION", e.section);
            let months = e.probation_months.to_string();
            let mut fields: Vec<(usize, &str)> = vec![
                (SUBJECT_ID, id),
                (PRI_DOB, p.dob),
                (STP_EVENT_DATE, e.date),
                (STP_ORI_CNTY_NAME, "SACRAMENTO"),
                (CNT_ORDER, &order),
                (OFFENSE_DESCR, &offense),
                (OFFENSE_TOC, if e.felony { "F" } else { "M" }),
            ];
            fields.push((
                STP_TYPE_DESCR,
                match e.kind {
                    Kind::Arrest => "ARREST/DETAINED/CITED",
                    Kind::Court => "COURT ACTION",
                    Kind::Registration => "REGISTRATION",
                },
            ));
            if e.convicted {
                fields.push((DISP_DESCR, "CONVICTED"));
                fields.push((
                    CONV_STAT_DESCR,
                    if e.felony { "FELONY" } else { "MISDEMEANOR" },
                ));
            } else {
                fields.push((DISP_DESCR, ""));
                fields.push((CONV_STAT_DESCR, ""));
            }
            if e.probation_months > 0 {
                fields.push((SENT_LENGTH, &months));
                fields.push((SENT_TIME_CODE, "M"));
            }
            row(&fields)
        })
        .collect()
}

/// The person as RAP-sheet text, in the layout of court-paperwork-and-anchors.md §3.1.
fn rap_sheet(p: &Person) -> String {
    let mut text = String::from(
        "RE: QHY.CA0000000.00000001.EXAMPLE        DATE:20200101 TIME:10:00:00\n\
         RESTRICTED-DO NOT USE FOR EMPLOYMENT,LICENSING OR CERTIFICATION PURPOSES\n\
         ATTN:EXAMPLE\n\n\
         * * * * * * * * * * * * * * * * * * * *\n\
         III CALIFORNIA ONLY SOURCE RECORD\n\nCII/A00000001\n",
    );
    if !p.dob.is_empty() {
        text.push_str(&format!("DOB/{} SEX/F RAC/OTHER\n", p.dob));
    }
    text.push_str("NAM/01 TESTPERSON, ALEX\n");
    let mut cycles: Vec<u32> = p.events.iter().map(|e| e.cycle).collect();
    cycles.sort_unstable();
    cycles.dedup();
    for cycle in cycles {
        text.push_str("\n* * * *\n");
        for (i, e) in p
            .events
            .iter()
            .enumerate()
            .filter(|(_, e)| e.cycle == cycle)
        {
            let (header, agency) = match e.kind {
                Kind::Arrest => ("ARR/DET/CITE: NAM:01", "CAPD SACRAMENTO"),
                Kind::Court => ("COURT:                NAM:01", "CASC SACRAMENTO"),
                Kind::Registration => ("REGISTRATION:         NAM:01", "CASO SACRAMENTO"),
            };
            let date = if e.date.is_empty() {
                "00000000"
            } else {
                e.date
            };
            text.push_str(&format!("{header}\n{date}  {agency}\n\n"));
            let case = if e.kind == Kind::Court {
                format!("     #CASE{i:04}")
            } else {
                String::new()
            };
            text.push_str(&format!("CNT:01{case}\n  {}-DESCRIPTION\n", e.section));
            if e.convicted {
                let level = if e.felony { "FELONY" } else { "MISDEMEANOR" };
                text.push_str(&format!("*DISPO:CONVICTED\n   CONV STATUS:{level}\n"));
                if e.probation_months > 0 {
                    text.push_str(&format!(
                        "   SEN: {:03} MONTHS PROBATION\n",
                        e.probation_months
                    ));
                }
            }
            text.push_str("- - - -\n");
        }
    }
    text.push_str("* * * END OF MESSAGE * * *\n");
    text
}

fn statute() -> Policy {
    Policy::named("statute").expect("the statute policy is built in")
}

/// (conviction date, outcome, reason code, track) of every determination, sorted. Keyed
/// by date because the two inputs number their cycles differently (a RAP sheet's cycles
/// are numbered in text order); every case gives its cannabis convictions distinct dates.
type Decided = Vec<(String, Outcome, String, Track)>;

/// One determination with what identifies its conviction.
struct Determined {
    subject: String,
    cnt_order: String,
    date: String,
    outcome: Outcome,
    code: String,
    track: Track,
}

/// Every determination of a grouped file under the statute policy at `compute_at`.
fn determinations(grouped: &Grouped, lines: u64, compute_at: &str) -> Vec<Determined> {
    let evaluation = evaluate(
        grouped,
        &statute(),
        "SACRAMENTO",
        RunDates::at(date(compute_at)),
        lines,
    );
    evaluation
        .rows
        .iter()
        .map(|r| {
            let subject = &grouped.subjects[r.subject_index];
            let c = subject
                .convictions
                .iter()
                .find(|c| c.row_index == r.row_index)
                .expect("the row's conviction");
            let d = &r.info.determination;
            Determined {
                subject: String::from_utf8_lossy(&subject.id).into_owned(),
                cnt_order: String::from_utf8_lossy(&c.cnt_order).into_owned(),
                date: c.date.iso_date(),
                outcome: d.outcome,
                code: d.reason_code(),
                track: d.track,
            }
        })
        .collect()
}

fn decide(grouped: &Grouped, lines: u64, compute_at: &str) -> Decided {
    let mut out: Decided = determinations(grouped, lines, compute_at)
        .into_iter()
        .map(|d| (d.date, d.outcome, d.code, d.track))
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn from_doj(p: &Person, compute_at: &str) -> Decided {
    let (grouped, lines) = try_group(&doj_rows(p, "S1")).expect("valid rows");
    decide(&grouped, lines, compute_at)
}

fn from_rap_sheet(p: &Person, compute_at: &str) -> Decided {
    let text = rap_sheet(p);
    let sheet = rapsheet::parse(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let records = rapsheet::flatten(&sheet, "S1", rapsheet::agency_county);
    let mut builder = SubjectBuilder::new(CommentFallback::TrimmedOrEmpty);
    for (i, record) in records.iter().enumerate() {
        builder.add_row(i as u64, record).expect("valid CNT_ORDER");
    }
    decide(&builder.finish(), records.len() as u64, compute_at)
}

/// The determination of the person's last event (the count under test in every case),
/// from both inputs, which must agree on every determination.
fn outcome_of(p: &Person, compute_at: &str) -> (Outcome, String, Track) {
    let doj = from_doj(p, compute_at);
    // A RAP sheet cannot leave an event undated: its parser refuses the sheet, naming
    // the line (tested in cmr-record). Only the DOJ file can lack a conviction date.
    if p.events.iter().all(|e| !e.date.is_empty()) {
        let rap = from_rap_sheet(p, compute_at);
        assert_eq!(doj, rap, "DOJ rows and RAP sheet decide alike");
    }
    let last = p.events.last().expect("an event");
    let key = if last.date.is_empty() {
        "0001-01-01".to_owned()
    } else {
        date(&format!(
            "{}-{}-{}",
            &last.date[..4],
            &last.date[4..6],
            &last.date[6..]
        ))
        .iso_date()
    };
    let mut found = doj.iter().filter(|d| d.0 == key || last.date.is_empty());
    let d = found
        .next()
        .unwrap_or_else(|| panic!("no determination on {key}: {doj:?}"));
    assert!(
        found.next().is_none(),
        "one determination on {key}: {doj:?}"
    );
    (d.1, d.2.clone(), d.3)
}

const AT: &str = "2020-07-01";
const ADULT: &str = "19800101";

/// One row of the decision table or one fixed point: a record, and what the law says.
struct Case {
    name: &'static str,
    person: Person,
    outcome: Outcome,
    code: &'static str,
}

fn case(name: &'static str, person: Person, outcome: Outcome, code: &'static str) -> Case {
    Case {
        name,
        person,
        outcome,
        code,
    }
}

fn check(cases: Vec<Case>) {
    for c in cases {
        let (outcome, code, _) = outcome_of(&c.person, AT);
        assert_eq!((outcome, code.as_str()), (c.outcome, c.code), "{}", c.name);
    }
}

use Outcome::{Dismissal, HandReview, NotEligible, Reduction};

#[test]
fn f1_convictions_on_or_after_2016_11_09_are_not_eligible() {
    check(vec![
        case(
            "convicted 2017",
            person(ADULT, vec![court(1, "20170115", "11357 HS", false)]),
            NotEligible,
            "CONVICTED_ON_OR_AFTER_2016_11_09",
        ),
        case(
            "convicted on 2016-11-09",
            person(ADULT, vec![court(1, "20161109", "11359 HS", true)]),
            NotEligible,
            "CONVICTED_ON_OR_AFTER_2016_11_09",
        ),
        case(
            "convicted the day before",
            person(ADULT, vec![court(1, "20161108", "11357 HS", false)]),
            Dismissal,
            "POSSESSION_21_OR_OVER",
        ),
    ]);
}

#[test]
fn f2_attempts_in_every_form_are_the_completed_offence() {
    for section in [
        "664-11359 HS",
        "664/11359 HS",
        "664.11359 HS",
        "66411359 HS",
    ] {
        check(vec![case(
            section,
            person(ADULT, vec![court(1, "20100301", section, true)]),
            Reduction,
            "SALE_POSSESSION_FELONY",
        )]);
    }
    check(vec![case(
        "attempted 11357(b) at 30",
        person(ADULT, vec![court(1, "20100301", "664/11357(B) HS", false)]),
        Dismissal,
        "POSSESSION_21_OR_OVER",
    )]);
}

#[test]
fn f3_sections_match_on_boundaries() {
    // 111357 is not a cannabis section: no determination at all.
    let p = person(ADULT, vec![court(1, "20100301", "111357 HS", false)]);
    assert_eq!(from_doj(&p, AT), Vec::new());
    assert_eq!(from_rap_sheet(&p, AT), Vec::new());
    check(vec![
        case(
            "237 PC is not the super strike 37 PC",
            person(
                ADULT,
                vec![
                    court(1, "20000301", "237 PC", true),
                    court(2, "20100301", "11359 HS", true),
                ],
            ),
            Reduction,
            "SALE_POSSESSION_FELONY",
        ),
        case(
            "37 PC is",
            person(
                ADULT,
                vec![
                    court(1, "20000301", "37 PC", true),
                    court(2, "20100301", "11359 HS", true),
                ],
            ),
            NotEligible,
            "SUPERSTRIKE_PRIOR",
        ),
    ]);
}

#[test]
fn f4_super_strike_priors_of_an_earlier_case_disqualify_felonies() {
    for section in ["11358 HS", "11359 HS", "11360(A) HS", "11360 HS"] {
        check(vec![case(
            section,
            person(
                ADULT,
                vec![
                    court(1, "20000301", "187 PC", true),
                    court(2, "20100301", section, true),
                ],
            ),
            NotEligible,
            "SUPERSTRIKE_PRIOR",
        )]);
    }
    check(vec![
        case(
            "same case (People v. Smit)",
            person(
                ADULT,
                vec![
                    court(2, "20100301", "187 PC", true),
                    court(2, "20100301", "11359 HS", true),
                ],
            ),
            Reduction,
            "SALE_POSSESSION_FELONY",
        ),
        case(
            "a later super strike",
            person(
                ADULT,
                vec![
                    court(2, "20120301", "187 PC", true),
                    court(1, "20100301", "11359 HS", true),
                ],
            ),
            Reduction,
            "SALE_POSSESSION_FELONY",
        ),
        case(
            // The offence (the cycle's arrest, 2009-01-10) came before the super-strike
            // conviction (2009-06-01), although the cannabis conviction came after it.
            "dated after the offence, before the conviction",
            person(
                ADULT,
                vec![
                    court(1, "20090601", "187 PC", true),
                    arrest(2, "20090110", "11359 HS"),
                    court(2, "20100301", "11359 HS", true),
                ],
            ),
            Reduction,
            "SALE_POSSESSION_FELONY",
        ),
        case(
            "a misdemeanor 11359 is not disqualified (already a misdemeanor)",
            person(
                ADULT,
                vec![
                    court(1, "20000301", "187 PC", true),
                    court(2, "20100301", "11359 HS", false),
                ],
            ),
            NotEligible,
            "ALREADY_AT_CURRENT_LEVEL",
        ),
    ]);
}

#[test]
fn f5_pc290_priors_and_registrations_disqualify_felonies() {
    check(vec![
        case(
            "PC 290 registrable conviction of an earlier case",
            person(
                ADULT,
                vec![
                    court(1, "20000301", "647.6(A) PC", false),
                    court(2, "20100301", "11360 HS", true),
                ],
            ),
            NotEligible,
            "PC290_PRIOR",
        ),
        case(
            "PC 290 registration before the offence",
            person(
                ADULT,
                vec![
                    registration(1, "20050301"),
                    court(2, "20100301", "11358 HS", true),
                ],
            ),
            NotEligible,
            "PC290_PRIOR",
        ),
        case(
            "PC 290 registration after the offence",
            person(
                ADULT,
                vec![
                    registration(2, "20120301"),
                    court(1, "20100301", "11358 HS", true),
                ],
            ),
            Reduction,
            "CULTIVATION_PLANTS_UNKNOWN",
        ),
    ]);
}

#[test]
fn f6_possession_at_21_or_over_is_dismissed() {
    check(vec![
        case(
            "11357(b) at 30",
            person(ADULT, vec![court(1, "20100301", "11357(B) HS", false)]),
            Dismissal,
            "POSSESSION_21_OR_OVER",
        ),
        case(
            "11357 without subdivision at 30",
            person(ADULT, vec![court(1, "20100301", "11357 HS", false)]),
            Dismissal,
            "POSSESSION_21_OR_OVER",
        ),
        case(
            "turned 21 on the conviction date",
            person("19890301", vec![court(1, "20100301", "11357 HS", false)]),
            Dismissal,
            "POSSESSION_21_OR_OVER",
        ),
        case(
            "20 at the offence",
            person("19890302", vec![court(1, "20100301", "11357(B) HS", false)]),
            Reduction,
            "POSSESSION_UNDER_21",
        ),
        case(
            "21 at conviction but 20 at the arrest",
            person(
                "19890301",
                vec![
                    arrest(1, "20090601", "11357 HS"),
                    court(1, "20100301", "11357 HS", false),
                ],
            ),
            Reduction,
            "POSSESSION_UNDER_21",
        ),
    ]);
}

#[test]
fn f7_felonies_with_no_disqualifier_are_reduced_never_blank() {
    check(vec![
        case(
            "11358",
            person(ADULT, vec![court(1, "20100301", "11358 HS", true)]),
            Reduction,
            "CULTIVATION_PLANTS_UNKNOWN",
        ),
        case(
            "11359",
            person(ADULT, vec![court(1, "20100301", "11359 HS", true)]),
            Reduction,
            "SALE_POSSESSION_FELONY",
        ),
        case(
            "11360",
            person(ADULT, vec![court(1, "20100301", "11360 HS", true)]),
            Reduction,
            "TRANSPORT_SALE_FELONY",
        ),
        case(
            "11360(a)",
            person(ADULT, vec![court(1, "20100301", "11360(A) HS", true)]),
            Reduction,
            "TRANSPORT_SALE_FELONY",
        ),
    ]);
}

#[test]
fn f8_other_cannabis_sections_go_to_hand_review() {
    for section in ["11362.1 HS", "11362.3(A) HS", "11361 HS"] {
        check(vec![case(
            section,
            person(ADULT, vec![court(1, "20100301", section, false)]),
            HandReview,
            "OTHER_CANNABIS_SECTION",
        )]);
    }
}

#[test]
fn every_row_of_the_decision_table() {
    const MINOR: &str = "19940101"; // 16 in 2010
    const NINETEEN: &str = "19910101"; // 19 in 2010
    let one = |dob, section, felony| person(dob, vec![court(1, "20100301", section, felony)]);
    check(vec![
        case(
            "conviction date unknown",
            person(ADULT, vec![court(1, "", "11359 HS", true)]),
            HandReview,
            "CONVICTION_DATE_UNKNOWN",
        ),
        case(
            "two earlier 11359 convictions",
            person(
                ADULT,
                vec![
                    court(1, "20010301", "11359 HS", true),
                    court(2, "20030301", "11359 HS", true),
                    court(3, "20100301", "11359 HS", true),
                ],
            ),
            HandReview,
            "TWO_PRIORS_SAME_SECTION",
        ),
        case(
            "one earlier 11359 conviction",
            person(
                ADULT,
                vec![
                    court(1, "20030301", "11359 HS", true),
                    court(2, "20100301", "11359 HS", true),
                ],
            ),
            Reduction,
            "SALE_POSSESSION_FELONY",
        ),
        case(
            "11357(b) under 21",
            one(NINETEEN, "11357(B) HS", false),
            Reduction,
            "POSSESSION_UNDER_21",
        ),
        case(
            "11357 without a date of birth",
            one("", "11357 HS", false),
            HandReview,
            "DATE_OF_BIRTH_UNKNOWN",
        ),
        case(
            "felony 11357(a)",
            one(ADULT, "11357(A) HS", true),
            Reduction,
            "CONCENTRATE_AMOUNT_UNKNOWN_FELONY",
        ),
        case(
            "misdemeanor 11357(a)",
            one(ADULT, "11357(A) HS", false),
            HandReview,
            "CONCENTRATE_AMOUNT_UNKNOWN",
        ),
        case(
            "11357(c) under 18",
            one(MINOR, "11357(C) HS", false),
            Reduction,
            "OVER_28_5_G_UNDER_18",
        ),
        case(
            "11357(c) adult",
            one(ADULT, "11357(C) HS", false),
            HandReview,
            "OVER_28_5_G_ADULT",
        ),
        case(
            "11357(e)",
            one(MINOR, "11357(E) HS", false),
            Reduction,
            "MINOR_ON_SCHOOL_GROUNDS",
        ),
        case(
            "11357(d)",
            one(ADULT, "11357(D) HS", false),
            HandReview,
            "POSSESSION_SUBDIVISION_UNSETTLED",
        ),
        case(
            "misdemeanor 11358",
            one(ADULT, "11358 HS", false),
            HandReview,
            "CULTIVATION_MISDEMEANOR",
        ),
        case(
            "11359 under 18",
            one(MINOR, "11359 HS", true),
            Reduction,
            "SALE_POSSESSION_UNDER_18",
        ),
        case(
            "misdemeanor 11359",
            one(ADULT, "11359 HS", false),
            NotEligible,
            "ALREADY_AT_CURRENT_LEVEL",
        ),
        case(
            "11360(b) at 30",
            one(ADULT, "11360(B) HS", false),
            Dismissal,
            "TRANSPORT_28_5_G_21_OR_OVER",
        ),
        case(
            "11360(b) at 19",
            one(NINETEEN, "11360(B) HS", false),
            Reduction,
            "TRANSPORT_28_5_G_UNDER_21",
        ),
        case(
            "11360(b) without a date of birth",
            one("", "11360(B) HS", false),
            HandReview,
            "DATE_OF_BIRTH_UNKNOWN",
        ),
        case(
            "misdemeanor 11360",
            one(ADULT, "11360 HS", false),
            HandReview,
            "TRANSPORT_FACTS_UNKNOWN",
        ),
    ]);
}

#[test]
fn the_track_is_application_when_the_sentence_is_complete_else_petition() {
    let served = |months| {
        let mut c = court(1, "20160101", "11359 HS", true);
        c.probation_months = months;
        person(ADULT, vec![c])
    };
    // 12 months from 2016-01-01 ended before compute-at; 120 months has not.
    let (_, _, track) = outcome_of(&served(12), AT);
    assert_eq!(track, Track::Application);
    let (_, _, track) = outcome_of(&served(120), AT);
    assert_eq!(track, Track::Petition);
    let (_, _, track) = outcome_of(
        &person(ADULT, vec![court(1, "20170101", "11359 HS", true)]),
        AT,
    );
    assert_eq!(track, Track::Unknown, "no relief, no track");
}

#[test]
fn every_determination_carries_code_text_rule_citation_and_facts() {
    let p = person(
        ADULT,
        vec![
            court(1, "20000301", "187 PC", true),
            court(2, "20100301", "11359 HS", true),
        ],
    );
    let (grouped, lines) = try_group(&doj_rows(&p, "S1")).expect("valid rows");
    let evaluation = evaluate(
        &grouped,
        &statute(),
        "SACRAMENTO",
        RunDates::at(date(AT)),
        lines,
    );
    let d = &evaluation.rows[0].info.determination;
    assert_eq!(d.reason_code(), "SUPERSTRIKE_PRIOR");
    assert_eq!(d.rule, "superstrike-prior");
    assert!(d.citation.contains("People v. Smit"), "{}", d.citation);
    assert!(d.reason.contains("2000-03-01"), "{}", d.reason);
    let fact = |key: &str| {
        d.facts
            .iter()
            .find(|f| f.key == key)
            .map(|f| f.value.clone())
    };
    assert_eq!(
        fact("superstrike_prior_date").as_deref(),
        Some("2000-03-01")
    );
    assert_eq!(fact("offence_date").as_deref(), Some("2010-03-01"));
    assert_eq!(fact("age_at_offence").as_deref(), Some("30"));
    // The gogen-compatible files use gogen's words.
    assert_eq!(d.outcome.as_str(), "Not eligible");
}

// ---------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------

/// Sections a generated record may hold: cannabis (with attempts and subdivisions),
/// super strikes, PC 290 sections and unrelated ones.
const SECTIONS: &[&str] = &[
    "11357 HS",
    "11357(B) HS",
    "11357(A) HS",
    "11357(C) HS",
    "11358 HS",
    "11359 HS",
    "664/11359 HS",
    "11360 HS",
    "11360(B) HS",
    "11362.1 HS",
    "187 PC",
    "647.6(A) PC",
    "459 PC",
    "10851 VC",
];

fn dates() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "19950301", "19990615", "20030101", "20060920", "20091231", "20120505", "20150101",
        "20161108", "20161109", "20180301",
    ])
}

prop_compose! {
    fn an_event(cycle: u32)(
        date in dates(),
        section in prop::sample::select(SECTIONS.to_vec()),
        felony in any::<bool>(),
        kind in prop::sample::select(vec![Kind::Court, Kind::Court, Kind::Arrest, Kind::Registration]),
        months in prop::sample::select(vec![0u32, 12, 36, 240]),
    ) -> Event {
        let convicted = kind == Kind::Court;
        Event { cycle, kind, date, section: if kind == Kind::Registration { "290 PC" } else { section }, felony, convicted, probation_months: if convicted { months } else { 0 } }
    }
}

fn a_person() -> impl Strategy<Value = Person> {
    (
        prop::sample::select(vec!["19600101", "19900615", "19950101", ""]),
        prop::collection::vec((1u32..6).prop_flat_map(an_event), 1..8),
    )
        .prop_map(|(dob, events)| person(dob, events))
}

/// The outcome and code of every determination, keyed by subject and CNT_ORDER.
fn decisions_of(rows: &[String]) -> Vec<(String, String, Outcome, String, Track)> {
    let (grouped, lines) = try_group(rows).expect("valid rows");
    let mut out: Vec<_> = determinations(&grouped, lines, AT)
        .into_iter()
        .map(|d| (d.subject, d.cnt_order, d.outcome, d.code, d.track))
        .collect();
    out.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    out
}

/// Events get distinct CNT_ORDERs (one count per event, numbered by position).
fn rows_of(people: &[Person]) -> Vec<String> {
    people
        .iter()
        .enumerate()
        .flat_map(|(i, p)| doj_rows(p, &format!("S{i}")))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Reordering the rows of a file never changes any determination.
    #[test]
    fn reordering_rows_never_changes_a_determination(
        people in prop::collection::vec(a_person(), 1..4),
        seed in any::<u64>(),
    ) {
        let rows = rows_of(&people);
        let mut shuffled = rows.clone();
        // A deterministic shuffle from the seed (Fisher-Yates with an LCG).
        let mut state = seed | 1;
        for i in (1..shuffled.len()).rev() {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let j = (state >> 33) as usize % (i + 1);
            shuffled.swap(i, j);
        }
        prop_assert_eq!(decisions_of(&rows), decisions_of(&shuffled));
    }

    /// A conviction added after everything on record (a new cycle, later than every
    /// date) never changes an earlier conviction's determination: priors only look back.
    #[test]
    fn a_later_unrelated_conviction_never_changes_earlier_outcomes(
        p in a_person(),
        section in prop::sample::select(SECTIONS.to_vec()),
        felony in any::<bool>(),
    ) {
        let before = decisions_of(&doj_rows(&p, "S1"));
        let mut later = p.clone();
        later.events.push(court(9, "20190101", section, felony));
        let added = cnt_order(later.events.last().expect("added"), later.events.len() - 1);
        let after: Vec<_> = decisions_of(&doj_rows(&later, "S1"))
            .into_iter()
            .filter(|d| d.1 != added)
            .collect();
        prop_assert_eq!(before, after);
    }
}

#[test]
fn reductions_under_18_or_21_are_to_an_infraction() {
    use cmr_engine::flows::statute::reduces_to_infraction;
    // prop64-law.md §1.3: possession under 21, and anything under 18, is an infraction.
    for code in [
        "POSSESSION_UNDER_21",
        "OVER_28_5_G_UNDER_18",
        "MINOR_ON_SCHOOL_GROUNDS",
        "SALE_POSSESSION_UNDER_18",
        "TRANSPORT_28_5_G_UNDER_21",
    ] {
        assert!(reduces_to_infraction(code), "{code}");
    }
    for code in [
        "SALE_POSSESSION_FELONY",
        "CULTIVATION_PLANTS_UNKNOWN",
        "TRANSPORT_SALE_FELONY",
        "CONCENTRATE_AMOUNT_UNKNOWN_FELONY",
    ] {
        assert!(!reduces_to_infraction(code), "{code}");
    }
}
