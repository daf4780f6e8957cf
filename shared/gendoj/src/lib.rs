//! Seeded synthetic CA DOJ research-file generator.
//!
//! This reproduces the data that gogen's `generate_test_data` fabricates (gogen-compat §7): the
//! same 95 columns, the same distributions and the same quirks, so that files from this crate
//! exercise an eligibility engine the way gogen's own test data does and results stay comparable.
//! The one deliberate difference is randomness: gogen seeds from the clock, while this crate uses
//! ChaCha8 seeded from a `u64`, so a seed (plus a fixed "now", see [`GenConfig::now`]) gives
//! byte-identical output on every machine.
//!
//! Output is streamed subject by subject; memory use is bounded by one subject's rows (a few
//! hundred KB at most), whatever the size of the file.
//!
//! ```
//! use cmr_gendoj::{GenConfig, Target, generate};
//!
//! let cfg = GenConfig::new("SACRAMENTO", Target::Subjects(2), 7);
//! let mut out = Vec::new();
//! let stats = generate(&cfg, &mut out).unwrap();
//! assert_eq!(stats.subjects, 2);
//! assert!(out.starts_with(b"RECORD_ID,SUBJECT_STATUS,SUBJECT_ID,"));
//! ```

mod date;
mod digits;
mod names;
mod offenses;
mod sampler;

use std::io::Write;

use cmr_record::Instant;
use cmr_record::columns::{self as col, FIELD_COUNT, NAMES};
use cmr_record::gocsv;

pub use names::{FIRST_NAMES, LAST_NAMES};
pub use offenses::{OTHER_OFFENSES, PROP64_OFFENSES, code_section, is_prop64_section};

use digits::{NumBuf, write_padded};
use sampler::Sampler;

/// Default "now" (2019-11-11): the upper bound for case dates. Fixed, rather than the clock as in
/// gogen, so output is reproducible; it is the compute-at date of the shared golden files.
pub const DEFAULT_NOW: (i32, u32, u32) = (2019, 11, 11);

/// First `SUBJECT_ID`; later subjects count up from it (as gogen).
pub const FIRST_SUBJECT_ID: u64 = 10_000_001;

/// Earliest date of birth (inclusive), as gogen.
pub const DOB_EARLIEST: (i32, u32, u32) = (1949, 12, 31);

/// Latest date of birth (inclusive), as gogen.
pub const DOB_LATEST: (i32, u32, u32) = (2000, 12, 31);

/// Earliest case date (inclusive): case dates are uniform in `[CASE_DATE_EARLIEST, now]`.
pub const CASE_DATE_EARLIEST: (i32, u32, u32) = (1970, 1, 1);

/// County given to the 25% of non-Prop-64 cases that are not in the target county (gogen's
/// made-up county), so that county filtering gets exercised.
pub const OTHER_COUNTY: &str = "NARNIA";

/// Initial value of every field: two spaces, a dash, two spaces. gogen starts each row from this
/// filler, and because it begins with a space CSV writers quote it, so files carry 80-odd quoted
/// `"  -  "` cells per row. We keep it: readers must cope with quoted, space-padded cells.
pub const FILLER: &str = "  -  ";

/// `STP_TYPE_DESCR` of arrest rows.
pub const ARREST_EVENT: &str = "ARREST/DETAINED/CITED";
/// `STP_TYPE_DESCR` of court rows.
pub const COURT_EVENT: &str = "COURT ACTION";
/// `DISP_DESCR` of court rows in conviction cases.
pub const CONVICTED: &str = "CONVICTED";
/// `DISP_DESCR` of court rows in non-conviction cases.
pub const DISMISSED: &str = "DISMISSED";
/// `COMMENT_TEXT` of every row.
pub const COMMENT: &str = "THIS IS A COMMENT";

/// How much data to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// Produce subjects until the data-row total is at least this many. Like gogen's
    /// `--target-size`, the check happens between subjects, so the file overshoots by up to one
    /// subject's rows (and `Rows(0)` gives a header-only file).
    Rows(u64),
    /// Produce exactly this many subjects.
    Subjects(u64),
}

/// Generator settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenConfig {
    /// Target county, written verbatim into `STP_ORI_CNTY_NAME` (e.g. `SACRAMENTO`,
    /// `LOS ANGELES`). Must not be empty (gogen requires `--county`).
    pub county: String,
    /// How much to generate.
    pub target: Target,
    /// RNG seed; the same seed and settings give byte-identical output.
    pub seed: u64,
    /// `(year, month, day)` used as "now": the latest possible case date. gogen used the clock;
    /// a fixed date keeps output reproducible. Must be a valid date on or after 1970-01-01.
    pub now: (i32, u32, u32),
}

impl GenConfig {
    /// Settings with [`DEFAULT_NOW`].
    pub fn new(county: impl Into<String>, target: Target, seed: u64) -> Self {
        Self {
            county: county.into(),
            target,
            seed,
            now: DEFAULT_NOW,
        }
    }
}

/// What a run produced. Counts are of data rows (the header is excluded) unless stated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GenStats {
    /// Data rows written.
    pub rows: u64,
    /// Subjects written.
    pub subjects: u64,
    /// Cases (cycles) written.
    pub cases: u64,
    /// `ARREST/DETAINED/CITED` rows.
    pub arrest_rows: u64,
    /// `COURT ACTION` rows, sentence duplicates included.
    pub court_rows: u64,
    /// Rows with `DISP_DESCR` = `CONVICTED`, sentence duplicates included.
    pub convicted_rows: u64,
    /// Rows with `DISP_DESCR` = `DISMISSED`.
    pub dismissed_rows: u64,
    /// Rows carrying a sentence (`SENT_LENGTH` set): 1–3 per conviction case.
    pub sentence_rows: u64,
    /// Distinct convicted counts, i.e. convictions after gogen's per-subject `CNT_ORDER` dedup.
    pub convictions: u64,
    /// Convictions whose code section matches gogen's Prop 64 pattern, in any county.
    pub prop64_convictions: u64,
    /// Prop 64 convictions in the target county: the ones gogen evaluates.
    pub prop64_convictions_in_county: u64,
    /// Rows with `CONV_STAT_DESCR` = `FELONY`.
    pub felony_rows: u64,
    /// Rows whose `STP_ORI_CNTY_NAME` is the target county.
    pub target_county_rows: u64,
    /// Bytes written, header included.
    pub bytes: u64,
}

/// Why generation failed.
#[derive(Debug, thiserror::Error)]
pub enum GenError {
    /// The county is empty.
    #[error("county must not be empty")]
    EmptyCounty,
    /// `now` is not a valid date on or after 1970-01-01.
    #[error(
        "invalid \"now\" date {year:04}-{month:02}-{day:02}: need a real date from 1970-01-01 on"
    )]
    InvalidNow {
        /// Year as given.
        year: i32,
        /// Month as given.
        month: u32,
        /// Day as given.
        day: u32,
    },
    /// Writing the output failed.
    #[error("cannot write generated data: {0}")]
    Io(#[from] std::io::Error),
}

/// Generate a DOJ research file into `out`: the 95-name header, then the subjects' rows, with
/// `\n` line ends and Go `encoding/csv` quoting.
///
/// Rows are built one subject at a time into an internal buffer that is written with one
/// `write_all` per subject, so `out` need not be buffered. `out` is flushed at the end.
pub fn generate<W: Write>(cfg: &GenConfig, mut out: W) -> Result<GenStats, GenError> {
    let plan = Plan::new(cfg)?;
    let mut sampler = Sampler::new(cfg.seed);
    let mut stats = GenStats::default();
    let mut scratch = Scratch::default();
    let mut buf = Vec::with_capacity(256 * 1024);

    buf.extend_from_slice(NAMES.join(",").as_bytes());
    buf.push(b'\n');
    out.write_all(&buf)?;
    stats.bytes += buf.len() as u64;
    buf.clear();

    loop {
        let done = match cfg.target {
            Target::Rows(rows) => stats.rows >= rows,
            Target::Subjects(subjects) => stats.subjects >= subjects,
        };
        if done {
            break;
        }
        let subject_id = FIRST_SUBJECT_ID + stats.subjects;
        write_subject(
            &plan,
            &mut sampler,
            subject_id,
            &mut scratch,
            &mut buf,
            &mut stats,
        );
        stats.subjects += 1;
        out.write_all(&buf)?;
        stats.bytes += buf.len() as u64;
        buf.clear();
    }
    out.flush()?;
    Ok(stats)
}

/// Validated settings and pre-encoded constant cells.
struct Plan {
    county: Vec<u8>,
    other_county: Vec<u8>,
    county_is_other: bool,
    /// Day number of "now": case dates are uniform in `0..=now_days`.
    now_days: i64,
    dob_first: i64,
    dob_span: u64,
    prop64_flags: [bool; OTHER_OFFENSES.len()],
}

impl Plan {
    fn new(cfg: &GenConfig) -> Result<Self, GenError> {
        if cfg.county.is_empty() {
            return Err(GenError::EmptyCounty);
        }
        let (year, month, day) = cfg.now;
        let now_days = match date::civil(year, month, day).map(date::days) {
            Some(days) if days >= 0 && year <= 9999 => days,
            _ => return Err(GenError::InvalidNow { year, month, day }),
        };
        let dob_first = days_of(DOB_EARLIEST);
        let dob_span = (days_of(DOB_LATEST) - dob_first + 1) as u64;
        for cell in PROP64_OFFENSES.iter().chain(OTHER_OFFENSES.iter()).chain(
            [
                ARREST_EVENT,
                COURT_EVENT,
                CONVICTED,
                DISMISSED,
                COMMENT,
                "FELONY",
                "MISDEMEANOR",
            ]
            .iter(),
        ) {
            debug_assert!(
                !gocsv::needs_quotes(cell.as_bytes()),
                "{cell} would need quoting"
            );
        }
        Ok(Self {
            county: encode(&cfg.county),
            other_county: encode(OTHER_COUNTY),
            county_is_other: cfg.county == OTHER_COUNTY,
            now_days,
            dob_first,
            dob_span,
            prop64_flags: OTHER_OFFENSES.map(|o| is_prop64_section(code_section(o))),
        })
    }
}

fn days_of((year, month, day): (i32, u32, u32)) -> i64 {
    date::days(Instant::from_ymd(year.into(), month.into(), day.into()))
}

/// `field` as one CSV cell, quoted as Go's `encoding/csv` would.
fn encode(field: &str) -> Vec<u8> {
    let mut cell = Vec::with_capacity(field.len() + 2);
    gocsv::write_field(&mut cell, field.as_bytes());
    cell
}

/// Buffers reused from subject to subject (no per-row allocation).
#[derive(Default)]
struct Scratch {
    name: String,
    name_cell: Vec<u8>,
    dates: Vec<Instant>,
}

/// The three kinds of case a subject gets (gogen-compat §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CaseKind {
    /// Conviction on charges from [`PROP64_OFFENSES`], always in the target county.
    Prop64,
    /// Conviction on charges from [`OTHER_OFFENSES`].
    OtherConviction,
    /// Charges from [`OTHER_OFFENSES`], all dismissed.
    NonConviction,
}

const FILLER_CELL: &[u8] = b"\"  -  \"";
const MAX_COUNTS: u64 = 4;

/// Write one subject's rows into `buf`.
///
/// The order of random draws is part of the output format (changing it changes every file a seed
/// produces): identity, case numbers, case dates, kind order, then case by case.
fn write_subject(
    plan: &Plan,
    s: &mut Sampler,
    subject_id: u64,
    scratch: &mut Scratch,
    buf: &mut Vec<u8>,
    stats: &mut GenStats,
) {
    // Identity. Random but well-formed, like a DOJ extract; never used in any decision.
    let mut id = NumBuf::new();
    id.push_padded(subject_id, 0);
    let mut cii = [0u8; 10];
    write_padded(s.below(10_000_000_000), &mut cii);
    let mut ssn = [0u8; 9];
    write_padded(s.below(1_000_000_000), &mut ssn);
    let mut cdl = [0u8; 8];
    cdl[0] = b'A' + s.below(26) as u8;
    write_padded(s.below(10_000_000), &mut cdl[1..]);
    let last = s.pick(&LAST_NAMES);
    let first = s.pick(&FIRST_NAMES);
    let middle = char::from(b'A' + s.below(26) as u8);
    scratch.name.clear();
    scratch.name.push_str(last);
    scratch.name.push(',');
    scratch.name.push_str(first);
    scratch.name.push(' ');
    scratch.name.push(middle);
    scratch.name_cell.clear();
    gocsv::write_field(&mut scratch.name_cell, scratch.name.as_bytes());
    // DOB is independent of case dates, so many convictions fall "under 21" or even before birth,
    // as in gogen's data: that exercises the age rules' edge cases.
    let mut dob = [0u8; 8];
    date::write_yyyymmdd(
        date::from_days(plan.dob_first + s.below(plan.dob_span) as i64),
        &mut dob,
    );

    // Number of cases of each kind: Prop 64 convictions 1 (80%), 2 (15%) or 3 (5%); other
    // convictions round(6 × Exp(1)); non-convictions round(10 × Exp(1)).
    let p = s.unit();
    let prop64_cases: u64 = if p < 0.80 {
        1
    } else if p < 0.95 {
        2
    } else {
        3
    };
    let other_cases = (6.0 * s.exp1()).round() as u64;
    let dismissed_cases = (10.0 * s.exp1()).round() as u64;
    let total_cases = prop64_cases + other_cases + dismissed_cases;

    // One uniform date per case, sorted, handed to cycles 101, 102, … in order.
    scratch.dates.clear();
    for _ in 0..total_cases {
        scratch
            .dates
            .push(date::from_days(s.below(plan.now_days as u64 + 1) as i64));
    }
    scratch.dates.sort_unstable();

    // gogen walks a Go map of kind → count when handing out the sorted dates, so the kinds come
    // out in random order and each kind takes a contiguous run of cycles (e.g. all dismissals
    // first, then the Prop 64 case, then the other convictions). We shuffle the kinds to match.
    let mut kinds = [
        (CaseKind::Prop64, prop64_cases),
        (CaseKind::OtherConviction, other_cases),
        (CaseKind::NonConviction, dismissed_cases),
    ];
    s.shuffle(&mut kinds);

    let mut template: [&[u8]; FIELD_COUNT] = [FILLER_CELL; FIELD_COUNT];
    template[col::SUBJECT_ID] = id.as_bytes();
    template[col::CII_NUMBER] = &cii;
    template[col::PRI_NAME] = &scratch.name_cell;
    template[col::PRI_DOB] = &dob;
    template[col::PRI_SSN] = &ssn;
    template[col::PRI_CDL] = &cdl;
    template[col::OFFENSE_TOC] = b"F";
    template[col::COMMENT_TEXT] = COMMENT.as_bytes();
    for empty in [
        col::OFN,
        col::FE_NUM_CRT_CASE,
        col::SENT_LENGTH,
        col::SENT_TIME_CODE,
        col::DISP_DESCR,
    ] {
        template[empty] = b"";
    }

    let mut cycle_index = 0usize;
    for (kind, count) in kinds {
        for _ in 0..count {
            let case = Case {
                kind,
                cycle: 101 + cycle_index as u64,
                date: scratch.dates[cycle_index],
            };
            write_case(plan, s, &template, &case, buf, stats);
            cycle_index += 1;
        }
    }
    stats.cases += total_cases;
}

struct Case {
    kind: CaseKind,
    cycle: u64,
    /// Arrest date; the court action is one calendar month later.
    date: Instant,
}

/// Write one case: an arrest row per count, then a court row per count, with the last count's
/// court row repeated 1–3 times (each with a sentence) in conviction cases.
fn write_case(
    plan: &Plan,
    s: &mut Sampler,
    template: &[&[u8]; FIELD_COUNT],
    case: &Case,
    buf: &mut Vec<u8>,
    stats: &mut GenStats,
) {
    let counts = s.between(1, MAX_COUNTS);
    // Prop 64 cases are always local, so every subject has something for the target county to
    // evaluate; other cases are elsewhere 25% of the time, to exercise the county filter.
    let in_target = case.kind == CaseKind::Prop64 || s.chance(0.75);
    let in_county = in_target || plan.county_is_other;
    let mut offences = [0usize; MAX_COUNTS as usize];
    for offence in offences.iter_mut().take(counts as usize) {
        *offence = match case.kind {
            CaseKind::Prop64 => s.below(PROP64_OFFENSES.len() as u64) as usize,
            _ => s.below(OTHER_OFFENSES.len() as u64) as usize,
        };
    }
    let offence_text = |index: usize| match case.kind {
        CaseKind::Prop64 => PROP64_OFFENSES[index],
        _ => OTHER_OFFENSES[index],
    };
    let offence_is_prop64 = |index: usize| match case.kind {
        CaseKind::Prop64 => true,
        _ => plan.prop64_flags[index],
    };
    // Only the first court count carries a case number; gogen pools OFNs by cycle + step, so one
    // per case is enough to give every conviction a case number.
    let mut ofn = [0u8; 8];
    write_padded(s.below(100_000_000), &mut ofn);

    let mut cycle = NumBuf::new();
    cycle.push_padded(case.cycle, 3);
    let mut arrest_date = [0u8; 8];
    date::write_yyyymmdd(case.date, &mut arrest_date);
    let mut court_date = [0u8; 8];
    date::write_yyyymmdd(case.date.add_date(0, 1, 0), &mut court_date);

    let mut base = *template;
    base[col::CYC_ORDER] = cycle.as_bytes();
    base[col::CYC_DATE] = &arrest_date;
    base[col::STP_ORI_CNTY_NAME] = if in_target {
        &plan.county
    } else {
        &plan.other_county
    };
    let rows_before = stats.rows;

    // Arrest rows: step 001, event date = case date, no disposition.
    let mut arrest = base;
    arrest[col::STP_EVENT_DATE] = &arrest_date;
    arrest[col::STP_TYPE_DESCR] = ARREST_EVENT.as_bytes();
    for count in 1..=counts {
        let mut cnt_order = NumBuf::new();
        cnt_order
            .push_padded(case.cycle, 3)
            .push_padded(1, 3)
            .push_padded(count, 3)
            .push_padded(0, 3);
        let mut row = arrest;
        row[col::CNT_ORDER] = cnt_order.as_bytes();
        row[col::OFFENSE_DESCR] = offence_text(offences[count as usize - 1]).as_bytes();
        emit_row(s, &mut row, buf, stats);
        stats.arrest_rows += 1;
    }

    // Court rows: step 002, event date = case date + 1 calendar month.
    let convicted = case.kind != CaseKind::NonConviction;
    let mut court = base;
    court[col::STP_EVENT_DATE] = &court_date;
    court[col::STP_TYPE_DESCR] = COURT_EVENT.as_bytes();
    court[col::DISP_DESCR] = if convicted { CONVICTED } else { DISMISSED }.as_bytes();
    for count in 1..=counts {
        let mut cnt_order = NumBuf::new();
        cnt_order
            .push_padded(case.cycle, 3)
            .push_padded(2, 3)
            .push_padded(count, 3)
            .push_padded(0, 3);
        let offence = offences[count as usize - 1];
        let mut row = court;
        row[col::CNT_ORDER] = cnt_order.as_bytes();
        row[col::OFFENSE_DESCR] = offence_text(offence).as_bytes();
        if count == 1 {
            row[col::OFN] = &ofn;
        }
        if convicted {
            stats.convictions += 1;
            if offence_is_prop64(offence) {
                stats.prop64_convictions += 1;
                if in_county {
                    stats.prop64_convictions_in_county += 1;
                }
            }
        }
        if convicted && count == counts {
            // The last count's court row repeats 1–3 times, each copy with one sentence
            // component, like DOJ's one-row-per-sentence-component layout. The copies share
            // CNT_ORDER, so they exercise gogen's sentence-folding rule (§2.2 step 2).
            let copies = s.between(1, 3);
            for _ in 0..copies {
                let (unit, longest): (&[u8], u64) = match s.below(3) {
                    0 => (b"D", 100),
                    1 => (b"M", 24),
                    _ => (b"Y", 10),
                };
                let mut length = NumBuf::new();
                length.push_padded(s.between(1, longest), 1);
                let mut copy = row;
                copy[col::SENT_LENGTH] = length.as_bytes();
                copy[col::SENT_TIME_CODE] = unit;
                emit_row(s, &mut copy, buf, stats);
                stats.sentence_rows += 1;
                stats.court_rows += 1;
                stats.convicted_rows += 1;
            }
        } else {
            emit_row(s, &mut row, buf, stats);
            stats.court_rows += 1;
            if convicted {
                stats.convicted_rows += 1;
            } else {
                stats.dismissed_rows += 1;
            }
        }
    }
    if in_county {
        stats.target_county_rows += stats.rows - rows_before;
    }
}

/// Draw the row's severity and append it to `buf`.
///
/// `CONV_STAT_DESCR` is FELONY or MISDEMEANOR 50/50, drawn independently for every row (even
/// for the arrest and court rows of one count, and for sentence copies), exactly as gogen does:
/// felony status then varies within a case, which the eligibility rules must tolerate.
fn emit_row(
    s: &mut Sampler,
    row: &mut [&[u8]; FIELD_COUNT],
    buf: &mut Vec<u8>,
    stats: &mut GenStats,
) {
    let felony = s.chance(0.5);
    row[col::CONV_STAT_DESCR] = if felony { "FELONY" } else { "MISDEMEANOR" }.as_bytes();
    if felony {
        stats.felony_rows += 1;
    }
    let (first, rest) = row.split_first().expect("95 cells");
    buf.extend_from_slice(first);
    for cell in rest {
        buf.push(b',');
        buf.extend_from_slice(cell);
    }
    buf.push(b'\n');
    stats.rows += 1;
}
