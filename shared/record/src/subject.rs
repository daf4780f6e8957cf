//! From rows to subjects, convictions, cases and cycles (spec §2), including gogen's
//! quirks: dedup by the full `CNT_ORDER`, extra sentence rows folded into the *last added*
//! conviction, blank subject IDs that reset on every row, and case numbers pooled by
//! cycle + step.

use std::collections::{HashMap, HashSet};

use crate::columns as col;
use crate::gocsv::Record;
use crate::sections::{SectionId, SectionTable};
use crate::time::Instant;

/// Which rows read their code section from `COMMENT_TEXT`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommentFallback {
    /// Released gogen: `OFFENSE_DESCR` trimmed is empty or `SEE COMMENT FOR CHARGE`.
    TrimmedOrEmpty,
    /// The 2019 county pilots: `OFFENSE_DESCR` is exactly `SEE COMMENT FOR CHARGE`.
    ExactOnly,
}

const SEE_COMMENT: &[u8] = b"SEE COMMENT FOR CHARGE";

/// Trims Unicode white space the way Go's `strings.TrimSpace` does.
pub fn trim_space(text: &[u8]) -> &[u8] {
    match std::str::from_utf8(text) {
        Ok(s) => s.trim().as_bytes(),
        Err(_) => text.trim_ascii(),
    }
}

/// The code section of a row (spec §1.4): the source text up to the first `-`, untrimmed.
pub fn code_section<'a>(
    offense_descr: &'a [u8],
    comment: &'a [u8],
    fallback: CommentFallback,
) -> &'a [u8] {
    let use_comment = match fallback {
        CommentFallback::TrimmedOrEmpty => {
            let t = trim_space(offense_descr);
            t.is_empty() || t == SEE_COMMENT
        }
        CommentFallback::ExactOnly => offense_descr == SEE_COMMENT,
    };
    let source = if use_comment { comment } else { offense_descr };
    match memchr::memchr(b'-', source) {
        Some(i) => &source[..i],
        None => source,
    }
}

/// The code section as the statute policy reads it: [`code_section`], except that an
/// attempt written `664-<section>` keeps its section (`664-11359 HS-POSSESS...` gives
/// `664-11359 HS`, where gogen's rule gives `664`).
pub fn statute_code_section<'a>(
    offense_descr: &'a [u8],
    comment: &'a [u8],
    fallback: CommentFallback,
) -> &'a [u8] {
    let gogen = code_section(offense_descr, comment, fallback);
    if gogen.trim_ascii() != b"664" {
        return gogen;
    }
    // `gogen` is a prefix of the source text: find the source again and read on.
    let source = if offense_descr.starts_with(gogen) {
        offense_descr
    } else {
        comment
    };
    let rest = &source[gogen.len() + 1..];
    if !rest.first().is_some_and(u8::is_ascii_digit) {
        return gogen;
    }
    match memchr::memchr(b'-', rest) {
        Some(i) => &source[..gogen.len() + 1 + i],
        None => source,
    }
}

/// `DISP_DESCR` starts with `CONVICTED` (case-sensitive, untrimmed).
pub fn is_convicted(record: &Record) -> bool {
    record.field(col::DISP_DESCR).starts_with(b"CONVICTED")
}

/// `CONV_STAT_DESCR == FELONY`, or blank status with `OFFENSE_TOC == F`.
pub fn is_felony(record: &Record) -> bool {
    let status = record.field(col::CONV_STAT_DESCR);
    status == b"FELONY" || (status.is_empty() && record.field(col::OFFENSE_TOC) == b"F")
}

/// A `REGISTRATION` step whose raw offence starts with `290`.
pub fn is_pc290_registration(record: &Record) -> bool {
    record.field(col::STP_TYPE_DESCR) == b"REGISTRATION"
        && record.field(col::OFFENSE_DESCR).starts_with(b"290")
}

const HOUR_NANOS: i64 = 3_600_000_000_000;

/// `SENT_LENGTH` × unit in nanoseconds, with gogen's units: D = 24 h, M = 732 h (30.5
/// days), Y = 366 days; anything unparseable is 0. Multiplication wraps like Go's int64.
pub fn sentence_nanos(record: &Record) -> i64 {
    let unit_hours = match record.field(col::SENT_TIME_CODE) {
        b"D" => 24,
        b"M" => 732,
        b"Y" => 366 * 24,
        _ => return 0,
    };
    let length = parse_go_int(record.field(col::SENT_LENGTH)).unwrap_or(0);
    length.wrapping_mul(unit_hours * HOUR_NANOS)
}

/// Go's `strconv.Atoi`: optional sign, ASCII digits, no spaces, no overflow.
fn parse_go_int(text: &[u8]) -> Option<i64> {
    let s = std::str::from_utf8(text).ok()?;
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse::<i64>().ok()
}

/// The kind of step a row records, as far as grouping cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Deceased,
    CourtAction,
    /// `ARREST/DETAINED/CITED`: its date is the offence date of the cycle's convictions.
    Arrest,
    Other,
}

/// A byte range into a [`FactsBatch`]'s text arena.
#[derive(Clone, Copy, Debug, Default)]
pub struct TextRange {
    start: u32,
    end: u32,
}

/// What grouping needs from one row, extracted where the row was parsed (possibly on
/// another thread), so the single grouping thread only interns and updates maps.
#[derive(Clone, Debug)]
pub struct RowFacts {
    pub line: u64,
    subject_id: TextRange,
    name: TextRange,
    cnt_order: TextRange,
    ofn: TextRange,
    county: TextRange,
    code_section: TextRange,
    statute_section: TextRange,
    pub dob: Instant,
    pub date: Instant,
    pub step: Step,
    pub convicted: bool,
    pub felony: bool,
    pub pc290_registration: bool,
    pub sentence_nanos: i64,
}

/// The columns [`FactsBatch::push`] reads: a reader may skip copying the others.
pub const FACT_COLUMNS: [usize; 15] = [
    col::SUBJECT_ID,
    col::PRI_NAME,
    col::PRI_DOB,
    col::STP_EVENT_DATE,
    col::STP_TYPE_DESCR,
    col::STP_ORI_CNTY_NAME,
    col::CNT_ORDER,
    col::OFN,
    col::OFFENSE_DESCR,
    col::OFFENSE_TOC,
    col::DISP_DESCR,
    col::CONV_STAT_DESCR,
    col::SENT_LENGTH,
    col::SENT_TIME_CODE,
    col::COMMENT_TEXT,
];

/// Row facts of many rows, with their texts in one arena.
#[derive(Clone, Debug, Default)]
pub struct FactsBatch {
    arena: Vec<u8>,
    pub rows: Vec<RowFacts>,
}

impl FactsBatch {
    pub fn clear(&mut self) {
        self.arena.clear();
        self.rows.clear();
    }

    fn keep(&mut self, text: &[u8]) -> TextRange {
        let start = self.arena.len() as u32;
        self.arena.extend_from_slice(text);
        TextRange {
            start,
            end: self.arena.len() as u32,
        }
    }

    fn text(&self, r: &TextRange) -> &[u8] {
        &self.arena[r.start as usize..r.end as usize]
    }

    /// Extracts a parsed record's facts.
    pub fn push(&mut self, rec: &Record, fallback: CommentFallback) {
        let step = match rec.field(col::STP_TYPE_DESCR) {
            b"DECEASED" => Step::Deceased,
            b"COURT ACTION" => Step::CourtAction,
            b"ARREST/DETAINED/CITED" => Step::Arrest,
            _ => Step::Other,
        };
        let section = code_section(
            rec.field(col::OFFENSE_DESCR),
            rec.field(col::COMMENT_TEXT),
            fallback,
        );
        let statute = statute_code_section(
            rec.field(col::OFFENSE_DESCR),
            rec.field(col::COMMENT_TEXT),
            fallback,
        );
        let facts = RowFacts {
            line: rec.line(),
            subject_id: self.keep(rec.field(col::SUBJECT_ID)),
            name: self.keep(rec.field(col::PRI_NAME)),
            cnt_order: self.keep(rec.field(col::CNT_ORDER)),
            ofn: self.keep(rec.field(col::OFN)),
            county: self.keep(rec.field(col::STP_ORI_CNTY_NAME)),
            code_section: self.keep(section),
            statute_section: self.keep(statute),
            dob: Instant::parse_yyyymmdd(rec.field(col::PRI_DOB)),
            date: Instant::parse_yyyymmdd(rec.field(col::STP_EVENT_DATE)),
            step,
            convicted: is_convicted(rec),
            felony: is_felony(rec),
            pc290_registration: is_pc290_registration(rec),
            sentence_nanos: sentence_nanos(rec),
        };
        self.rows.push(facts);
    }
}

/// Interned text (counties) so that a million rows share a handful of strings.
#[derive(Default)]
pub struct Interner {
    ids: HashMap<Box<[u8]>, u32>,
    texts: Vec<Box<[u8]>>,
}

impl Interner {
    pub fn intern(&mut self, text: &[u8]) -> u32 {
        if let Some(&id) = self.ids.get(text) {
            return id;
        }
        let id = self.texts.len() as u32;
        self.texts.push(text.into());
        self.ids.insert(text.into(), id);
        id
    }

    pub fn lookup(&self, text: &[u8]) -> Option<u32> {
        self.ids.get(text).copied()
    }

    pub fn text(&self, id: u32) -> &[u8] {
        &self.texts[id as usize]
    }
}

/// One deduplicated conviction of a subject.
#[derive(Clone, Debug)]
pub struct Conviction {
    /// 0-based data-row index of the first row with this `CNT_ORDER`.
    pub row_index: u64,
    /// 1-based line of that row (after any header), for error messages.
    pub line: u64,
    pub cnt_order: Box<[u8]>,
    pub section: SectionId,
    /// The code section as the statute policy reads it ([`statute_code_section`]); the
    /// same id as `section` unless an attempt is written `664-<section>`.
    pub statute_section: SectionId,
    /// Interned `STP_ORI_CNTY_NAME`.
    pub county: u32,
    pub felony: bool,
    /// `STP_EVENT_DATE`, or the zero time when unparseable.
    pub date: Instant,
    /// Date plus every sentence component folded into this conviction.
    pub sentence_end: Instant,
    /// Some row of the same subject and cycle has a Prop 64 code section.
    pub has_prop64_in_cycle: bool,
    /// The date of the cycle's arrest step (the earliest, if several), else the
    /// conviction date: when the offence was committed, as the statute policy reads it.
    pub offence_date: Instant,
    /// Sentence lengths of every row with this conviction's `CNT_ORDER`, summed. Unlike
    /// gogen's `sentence_end` (extra rows extend the *last added* conviction) this does
    /// not depend on row order.
    pub own_sentence_nanos: i64,
}

impl Conviction {
    /// Cycle + step (`CNT_ORDER` characters 1–6).
    pub fn case_key(&self) -> &[u8] {
        &self.cnt_order[..6.min(self.cnt_order.len())]
    }

    /// The cycle key (`CNT_ORDER` characters 1–3).
    pub fn cycle_key(&self) -> &[u8] {
        &self.cnt_order[..3.min(self.cnt_order.len())]
    }

    /// When the sentence of this conviction ends (conviction date + its own sentence rows).
    pub fn served_until(&self) -> Instant {
        self.date.add_nanos(self.own_sentence_nanos)
    }
}

/// A person, keyed by `SUBJECT_ID`, with everything gogen derives per subject.
#[derive(Clone, Debug, Default)]
pub struct Subject {
    pub id: Box<[u8]>,
    pub name: Box<[u8]>,
    pub dob: Instant,
    pub convictions: Vec<Conviction>,
    pub deceased: bool,
    pub pc290_registration: bool,
    /// Dates of the PC 290 registration steps, in any order.
    pub pc290_registration_dates: Vec<Instant>,
    initialised: bool,
    /// Every `CNT_ORDER` that made a conviction, with that conviction's index.
    seen_cnt_orders: HashMap<Box<[u8]>, usize>,
    /// Earliest arrest date per cycle key.
    arrests: HashMap<Box<[u8]>, Instant>,
    prop64_cycles: HashSet<Box<[u8]>>,
    case_numbers: HashMap<Box<[u8]>, Vec<Box<[u8]>>>,
}

impl Subject {
    /// The case number of a case key: its OFNs joined with `"; "` (spec §2.4).
    pub fn case_number(&self, case_key: &[u8]) -> String {
        match self.case_numbers.get(case_key) {
            Some(list) => list
                .iter()
                .map(|o| String::from_utf8_lossy(o))
                .collect::<Vec<_>>()
                .join("; "),
            None => String::new(),
        }
    }

    /// Once the file has been read: fills what needs every row of the subject (offence
    /// dates), then releases the grouping-only maps.
    pub fn seal(&mut self) {
        for c in &mut self.convictions {
            c.offence_date = match self.arrests.get(c.cycle_key()) {
                Some(&arrest) if !arrest.is_zero() => arrest,
                _ => c.date,
            };
        }
        self.seen_cnt_orders = HashMap::new();
        self.prop64_cycles = HashSet::new();
        self.arrests = HashMap::new();
    }
}

/// A row that gogen would crash on, reported as a clear error instead.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("CNT_ORDER must have at least {min} characters on {what}")]
pub struct ShortCntOrder {
    pub min: usize,
    pub what: &'static str,
}

/// Groups rows into subjects in file order (spec §2.2).
pub struct SubjectBuilder {
    pub sections: SectionTable,
    pub counties: Interner,
    fallback: CommentFallback,
    index: HashMap<Box<[u8]>, usize>,
    subjects: Vec<Subject>,
    scratch: FactsBatch,
}

impl SubjectBuilder {
    pub fn new(fallback: CommentFallback) -> Self {
        Self::with_tables(fallback, SectionTable::default(), Interner::default())
    }

    /// A builder that starts from the code-section and county tables of an earlier
    /// [`Grouped`]: a caller grouping one subject at a time keeps them, so each distinct
    /// code section is matched once per run instead of once per subject.
    pub fn with_tables(
        fallback: CommentFallback,
        sections: SectionTable,
        counties: Interner,
    ) -> Self {
        SubjectBuilder {
            sections,
            counties,
            fallback,
            index: HashMap::new(),
            subjects: Vec::new(),
            scratch: FactsBatch::default(),
        }
    }

    /// Folds one data row into its subject.
    pub fn add_row(&mut self, row_index: u64, rec: &Record) -> Result<(), ShortCntOrder> {
        let mut batch = std::mem::take(&mut self.scratch);
        batch.clear();
        batch.push(rec, self.fallback);
        let result = self.add_facts(row_index, &batch, 0);
        self.scratch = batch;
        result
    }

    /// Folds row `i` of a batch (extracted where it was parsed) into its subject.
    pub fn add_facts(
        &mut self,
        row_index: u64,
        batch: &FactsBatch,
        i: usize,
    ) -> Result<(), ShortCntOrder> {
        let row = &batch.rows[i];
        let text = |r: &TextRange| batch.text(r);
        let subject_id = text(&row.subject_id);
        let cnt_order = text(&row.cnt_order);
        let ofn = text(&row.ofn);
        let section = self.sections.intern(text(&row.code_section));
        let statute_section = self.sections.intern(text(&row.statute_section));
        let is_prop64 = self.sections.get(section).prop64.is_some();
        let court_with_ofn = row.step == Step::CourtAction && !ofn.is_empty();

        // gogen panics on these (spec §1.6); we refuse the file with a clear message.
        if row.convicted && cnt_order.len() < 6 {
            return Err(ShortCntOrder {
                min: 6,
                what: "a conviction row",
            });
        }
        if is_prop64 && cnt_order.len() < 3 {
            return Err(ShortCntOrder {
                min: 3,
                what: "a Prop 64 row",
            });
        }
        if court_with_ofn && cnt_order.len() < 6 {
            return Err(ShortCntOrder {
                min: 6,
                what: "a COURT ACTION row with an OFN",
            });
        }

        let idx = match self.index.get(subject_id) {
            Some(&i) => i,
            None => {
                self.subjects.push(Subject::default());
                self.index
                    .insert(subject_id.into(), self.subjects.len() - 1);
                self.subjects.len() - 1
            }
        };
        let county = self.counties.intern(text(&row.county));
        let subject = &mut self.subjects[idx];

        // 1. Initialisation (every row when the ID is blank: gogen's "no ID yet").
        if !subject.initialised || subject.id.is_empty() {
            subject.initialised = true;
            subject.id = subject_id.into();
            subject.name = text(&row.name).into();
            subject.dob = row.dob;
            subject.seen_cnt_orders.clear();
            subject.prop64_cycles.clear();
            subject.case_numbers.clear();
        }

        // 2. An extra sentence row extends the most recently added conviction.
        let own = if row.convicted {
            subject.seen_cnt_orders.get(cnt_order).copied()
        } else {
            None
        };
        let seen = own.is_some();
        if seen && let Some(last) = subject.convictions.last_mut() {
            last.sentence_end = last.sentence_end.add_nanos(row.sentence_nanos);
        }
        // The same row also extends its own conviction, for the statute policy.
        if let Some(c) = own.and_then(|i| subject.convictions.get_mut(i)) {
            c.own_sentence_nanos = c.own_sentence_nanos.wrapping_add(row.sentence_nanos);
        }

        // An arrest dates the offences of its cycle, whatever the row order.
        if row.step == Step::Arrest && cnt_order.len() >= 3 && !row.date.is_zero() {
            let arrest = subject
                .arrests
                .entry(cnt_order[..3].into())
                .or_insert(row.date);
            if row.date < *arrest {
                *arrest = row.date;
            }
        }

        // 3. Deceased, on any row.
        if row.step == Step::Deceased {
            subject.deceased = true;
        }

        // 4. Case numbers pooled by cycle + step.
        if court_with_ofn {
            let list = subject
                .case_numbers
                .entry(cnt_order[..6].into())
                .or_default();
            if !list.iter().any(|o| &o[..] == ofn) {
                list.push(ofn.into());
            }
        }

        // 5. PC 290 registration.
        if row.pc290_registration {
            subject.pc290_registration = true;
            subject.pc290_registration_dates.push(row.date);
        }

        // 6. A new conviction.
        if row.convicted && !seen {
            let cycle = &cnt_order[..3];
            subject.convictions.push(Conviction {
                row_index,
                line: row.line,
                cnt_order: cnt_order.into(),
                section,
                statute_section,
                county,
                felony: row.felony,
                date: row.date,
                sentence_end: row.date.add_nanos(row.sentence_nanos),
                has_prop64_in_cycle: subject.prop64_cycles.contains(cycle),
                offence_date: row.date,
                own_sentence_nanos: row.sentence_nanos,
            });
            subject
                .seen_cnt_orders
                .insert(cnt_order.into(), subject.convictions.len() - 1);
        }

        // 7. A Prop 64 row marks its cycle, for earlier and later convictions alike.
        if is_prop64 {
            let cycle = &cnt_order[..3];
            subject.prop64_cycles.insert(cycle.into());
            for c in subject.convictions.iter_mut() {
                if c.cnt_order.starts_with(cycle) {
                    c.has_prop64_in_cycle = true;
                }
            }
        }
        Ok(())
    }

    pub fn subject_count(&self) -> usize {
        self.subjects.len()
    }

    /// Finishes grouping: the subjects in first-seen order, plus the interned tables.
    pub fn finish(mut self) -> Grouped {
        for s in &mut self.subjects {
            s.seal();
        }
        Grouped {
            subjects: self.subjects,
            sections: self.sections,
            counties: self.counties,
        }
    }
}

/// The result of grouping one file.
pub struct Grouped {
    pub subjects: Vec<Subject>,
    pub sections: SectionTable,
    pub counties: Interner,
}
