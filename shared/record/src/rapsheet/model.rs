//! The record model a RAP sheet parses into (spec `court-paperwork-and-anchors.md` §3.6).
//!
//! Everything here is plain data: no text positions except 1-based line numbers, which
//! errors and warnings use instead of quoting the sheet (the sheet is personal data).

use crate::time::Instant;

/// A calendar date as written on the sheet (`YYYYMMDD`), always a real day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RapDate {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

impl RapDate {
    /// Parses exactly eight ASCII digits naming a real day (the DOJ file's rule, so a
    /// date that round-trips through [`RapDate::yyyymmdd`] is one gogen accepts).
    pub fn parse_digits(digits: &str) -> Option<RapDate> {
        if digits.len() != 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        if Instant::parse_yyyymmdd(digits.as_bytes()).is_zero() {
            return None;
        }
        Some(RapDate {
            year: digits[..4].parse().ok()?,
            month: digits[4..6].parse().ok()?,
            day: digits[6..].parse().ok()?,
        })
    }

    /// `YYYYMMDD`, the DOJ file's date format.
    pub fn yyyymmdd(self) -> String {
        format!("{:04}{:02}{:02}", self.year, self.month, self.day)
    }

    /// Midnight UTC of the day, as gogen reads the same date from the DOJ file.
    pub fn instant(self) -> Instant {
        Instant::from_ymd(self.year.into(), self.month.into(), self.day.into())
    }
}

/// The identity block before the first cycle.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PersonalInfo {
    /// `CII/` value, e.g. `A00000001`.
    pub cii: Option<String>,
    pub dob: Option<RapDate>,
    pub sex: Option<String>,
    pub race: Option<String>,
    /// `NAM/` entries in sheet order: (code such as `01`, name).
    pub names: Vec<(String, String)>,
}

impl PersonalInfo {
    /// The name coded `01`, or the first name listed when no `01` exists.
    pub fn primary_name(&self) -> Option<&str> {
        self.names
            .iter()
            .find(|(code, _)| code == "01")
            .or_else(|| self.names.first())
            .map(|(_, name)| name.as_str())
    }
}

/// Type of charge or conviction status, reduced to its first letter as the sheet's
/// `CONV STATUS:` and `TOC:` are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Felony,
    Misdemeanor,
    Infraction,
}

impl Severity {
    /// From the first letter of `FELONY`/`MISDEMEANOR`/`INFRACTION` (or a bare `F/M/I`).
    pub fn from_text(text: &str) -> Option<Severity> {
        match text.trim_start().as_bytes().first() {
            Some(b'F') => Some(Severity::Felony),
            Some(b'M') => Some(Severity::Misdemeanor),
            Some(b'I') => Some(Severity::Infraction),
            _ => None,
        }
    }

    /// `OFFENSE_TOC` letter.
    pub fn letter(self) -> &'static str {
        match self {
            Severity::Felony => "F",
            Severity::Misdemeanor => "M",
            Severity::Infraction => "I",
        }
    }

    /// `CONV_STAT_DESCR` text.
    pub fn doj_descr(self) -> &'static str {
        match self {
            Severity::Felony => "FELONY",
            Severity::Misdemeanor => "MISDEMEANOR",
            Severity::Infraction => "INFRACTION",
        }
    }
}

/// Unit of a sentence term.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeUnit {
    Years,
    Months,
    Days,
}

impl TimeUnit {
    /// `SENT_TIME_CODE` letter.
    pub fn code(self) -> &'static str {
        match self {
            TimeUnit::Years => "Y",
            TimeUnit::Months => "M",
            TimeUnit::Days => "D",
        }
    }

    /// Hours per unit with gogen's constants (spec gogen-compat §2.1: a year is 366 days,
    /// a month 30.5 days), so comparing terms agrees with how the grouping adds them.
    pub fn hours(self) -> u64 {
        match self {
            TimeUnit::Years => 366 * 24,
            TimeUnit::Months => 732,
            TimeUnit::Days => 24,
        }
    }
}

/// One sentence term, e.g. 36 months. A bare `PROBATION` or `JAIL` is a term of 0 days.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Term {
    pub amount: u32,
    pub unit: TimeUnit,
}

impl Term {
    pub fn hours(self) -> u64 {
        u64::from(self.amount) * self.unit.hours()
    }
}

/// A sentence: the three terms that have durations, plus everything else as normalised
/// lower-case details (`fine`, `restitution`, `fine suspended`, `concurrent`, ...).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sentence {
    pub probation: Option<Term>,
    pub jail: Option<Term>,
    pub prison: Option<Term>,
    pub details: Vec<String>,
}

/// What a `DISPO:` says happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DispositionKind {
    Convicted,
    Dismissed,
    ProsecutorRejected,
    SentenceModified,
    /// `CONV SET ASIDE & DISM PER 1203.4 PC`.
    Pc1203Dismissed,
    ProbationRevoked,
    /// Any other disposition, with its text (whitespace collapsed).
    Other(String),
}

impl DispositionKind {
    /// `DISP_DESCR` text. Convictions are exactly `CONVICTED`, which is what the grouping's
    /// "starts with CONVICTED" test needs.
    pub fn doj_descr(&self) -> &str {
        match self {
            DispositionKind::Convicted => "CONVICTED",
            DispositionKind::Dismissed => "DISMISSED",
            DispositionKind::ProsecutorRejected => "PROS REJ",
            DispositionKind::SentenceModified => "SENTENCE MODIFIED",
            DispositionKind::Pc1203Dismissed => "CONV SET ASIDE & DISM PER 1203.4 PC",
            DispositionKind::ProbationRevoked => "PROBATION REVOKED",
            DispositionKind::Other(text) => text,
        }
    }
}

/// One disposition of a count: the original one (dated with the event) or a later update.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Disposition {
    pub kind: DispositionKind,
    pub severity: Option<Severity>,
    /// The event date for the original disposition, the update's date for an update.
    pub date: RapDate,
    /// Whether this came from a dated update block under the count.
    pub is_update: bool,
    pub sentence: Option<Sentence>,
    /// Line of the `DISPO:` header.
    pub line: usize,
}

/// One count (charge) of an event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Count {
    /// Count number as written (each count of a range `CNT:01-03` gets its own number).
    pub number: u32,
    /// Text after `#` on the count line, trailing `.`, `:` and `-` removed.
    pub case_number: Option<String>,
    /// Two-letter code abbreviation (`HS`, `PC`, ...); empty when the charge had none.
    pub code: String,
    /// Lower-cased section without spaces, commas read as periods, attempt prefix
    /// removed: `11360(a)`. Empty when a `SEE COMMENT FOR CHARGE` was never resolved.
    pub section: String,
    pub description: String,
    /// `664` attempt (prefix or suffix on the section) or an `-ATTEMPTED` flag.
    pub attempted: bool,
    /// Flag lines as written (`-WARRANT`, `-ATTEMPTED`, `1170(H)`, ...).
    pub flags: Vec<String>,
    /// `TOC:` on the charge line.
    pub toc: Option<Severity>,
    /// The charge came from `COM: CNT nn CHRG-...` after `SEE COMMENT FOR CHARGE`.
    pub charge_from_comment: bool,
    /// `COM:` texts (after the `COM:` tag).
    pub comments: Vec<String>,
    /// The original disposition first, then updates in sheet order.
    pub dispositions: Vec<Disposition>,
    /// Line of the `CNT:` header.
    pub line: usize,
}

impl Count {
    /// `HS 11360(a)`, the form the eligibility rules compare.
    pub fn code_section(&self) -> String {
        format!("{} {}", self.code, self.section)
    }

    pub fn is_convicted(&self) -> bool {
        self.dispositions
            .iter()
            .any(|d| d.kind == DispositionKind::Convicted)
    }
}

/// Kind of event, from its identifier line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    Arrest,
    Court,
    Custody,
    Probation,
    SupplementalArrest,
    Applicant,
    MentalHealth,
    Deceased,
    Registration,
    /// An identifier the parser does not know (a warning was recorded).
    Unknown,
}

impl EventKind {
    /// `STP_TYPE_DESCR` for this kind. The first four, `DECEASED` and `REGISTRATION` are
    /// values seen in DOJ files; the others follow the sheet's own words.
    pub fn doj_step_type(self) -> &'static str {
        match self {
            EventKind::Arrest => "ARREST/DETAINED/CITED",
            EventKind::Court => "COURT ACTION",
            EventKind::Custody => "CUSTODY",
            EventKind::Probation => "PROBATION",
            EventKind::SupplementalArrest => "SUPPLEMENTAL ARREST",
            EventKind::Applicant => "APPLICANT",
            EventKind::MentalHealth => "MENTAL HEALTH",
            EventKind::Deceased => "DECEASED",
            EventKind::Registration => "REGISTRATION",
            EventKind::Unknown => "",
        }
    }
}

/// One event of a cycle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    pub kind: EventKind,
    pub date: RapDate,
    /// Agency or courthouse text, e.g. `CASC SAN FRANCISCO`.
    pub agency: String,
    /// `NAM:nn` on the identifier line: which alias the event is under.
    pub name_code: Option<String>,
    /// `TOC:` line of the event.
    pub toc: Option<Severity>,
    /// Line of the identifier (or of the date line when the identifier was omitted).
    pub line: usize,
    pub counts: Vec<Count>,
}

impl Event {
    /// The event's case number: the first count's, whichever number it has (§3.2).
    pub fn case_number(&self) -> Option<&str> {
        self.counts.first()?.case_number.as_deref()
    }
}

/// One arrest episode and what followed from it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cycle {
    /// Line of the first event.
    pub first_line: usize,
    pub events: Vec<Event>,
}

/// Something the parser skipped or guessed: a stable code and a line, never sheet text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Warning {
    pub code: &'static str,
    pub line: usize,
}

/// A parsed RAP sheet.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RapSheet {
    /// `None` when the sheet has no recognisable identity block (e.g. redacted).
    pub personal: Option<PersonalInfo>,
    pub cycles: Vec<Cycle>,
    pub warnings: Vec<Warning>,
}

impl RapSheet {
    pub fn events(&self) -> impl Iterator<Item = &Event> {
        self.cycles.iter().flat_map(|c| c.events.iter())
    }

    /// A registration event with a PC 290 count.
    pub fn sex_offender_registration(&self) -> bool {
        self.has_registration("PC", "290")
    }

    /// A registration event with an HS 11590 count.
    pub fn narcotics_offender_registration(&self) -> bool {
        self.has_registration("HS", "11590")
    }

    fn has_registration(&self, code: &str, section: &str) -> bool {
        self.events()
            .filter(|e| e.kind == EventKind::Registration)
            .flat_map(|e| e.counts.iter())
            .any(|c| c.code == code && is_section_or_subsection(&c.section, section))
    }
}

/// `290` matches `290` and `290(a)`, not `2900` or `290.5` (the spec's subsection rule).
fn is_section_or_subsection(section: &str, of: &str) -> bool {
    section
        .strip_prefix(of)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('('))
}
