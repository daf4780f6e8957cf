//! RAP sheet text → [`RapSheet`] (spec §3.1–§3.5), in the original parser's stages:
//! document → header + cycles, cycle → events, event → counts, count → dispositions.
//!
//! Unknown lines and events become [`Warning`]s so that a reviewer sees what was skipped;
//! structure the model cannot do without (an event date, a count's charge) is a hard
//! [`RapSheetError`]. Neither ever quotes the sheet: only line numbers and field names.

use super::charge::{Charge, parse_charge};
use super::clean::{after_keyword, clean_lines, collapse_spaces, compact, strip_stray};
use super::model::{
    Count, Cycle, Disposition, Event, EventKind, PersonalInfo, RapDate, RapSheet, Severity, Warning,
};
use super::sentence::{disposition_kind, parse_sentence};

/// Warning codes.
pub mod codes {
    /// An event identifier the parser does not know; its counts are kept as `Unknown`.
    pub const UNRECOGNIZED_EVENT: &str = "UNRECOGNIZED_EVENT";
    /// A line that fits nowhere in the grammar; skipped.
    pub const UNRECOGNIZED_LINE: &str = "UNRECOGNIZED_LINE";
    /// `SEE COMMENT FOR CHARGE` without a `COM: CNT nn CHRG-` comment.
    pub const UNRESOLVED_COMMENT_CHARGE: &str = "UNRESOLVED_COMMENT_CHARGE";
    /// The sheet stops without `END OF MESSAGE`: it may be truncated.
    pub const MISSING_END_OF_MESSAGE: &str = "MISSING_END_OF_MESSAGE";
    /// `DOB/` in the header is not a real `YYYYMMDD` date.
    pub const BAD_DOB: &str = "BAD_DOB";
    /// A `DISPO:`, `CONV STATUS:`, `SEN:` or update date with no count (or disposition)
    /// to attach to.
    pub const ORPHAN_DISPOSITION_LINE: &str = "ORPHAN_DISPOSITION_LINE";
    /// A flag line after the charge, where the grammar has none.
    pub const MISPLACED_FLAG: &str = "MISPLACED_FLAG";
}

/// A RAP sheet that cannot be turned into the model. The message names the line and
/// the field and says what was expected; it never contains sheet text.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("RAP sheet line {line}: {field}: expected {expected}")]
pub struct RapSheetError {
    /// 1-based line number in the sheet text.
    pub line: usize,
    pub field: &'static str,
    pub expected: &'static str,
}

type Result<T> = std::result::Result<T, RapSheetError>;

/// The most counts a `CNT:nn-mm` range may expand to; more is an OCR error, not a case.
const MAX_RANGE: u32 = 99;

/// Parses RAP sheet text. OCR noise (§3.4) is repaired first; page breaks and strike
/// banners are skipped. Warnings are returned in [`RapSheet::warnings`].
pub fn parse(text: &str) -> Result<RapSheet> {
    let lines = clean_lines(text);
    let mut warnings = Vec::new();
    let doc = split_document(&lines);
    if !doc.ended {
        warnings.push(Warning {
            code: codes::MISSING_END_OF_MESSAGE,
            line: lines.len(),
        });
    }
    let personal = parse_header(&lines, &doc.header, &mut warnings);
    let mut cycles = Vec::new();
    for indices in &doc.cycles {
        let events = CycleParser::new(&lines, &mut warnings).run(indices)?;
        if let Some(first) = events.first() {
            cycles.push(Cycle {
                first_line: first.line,
                events,
            });
        }
    }
    if cycles.is_empty() {
        return Err(RapSheetError {
            line: lines.len(),
            field: "cycles",
            expected: "a line of asterisks (`* * * *`) followed by an event",
        });
    }
    Ok(RapSheet {
        personal,
        cycles,
        warnings,
    })
}

// ---------------------------------------------------------------------------------------
// Document stage.

/// Line indices (0-based) of the header and of each cycle, with page breaks, banners and
/// asterisk frames already removed.
struct Document {
    header: Vec<usize>,
    cycles: Vec<Vec<usize>>,
    ended: bool,
}

fn split_document(lines: &[String]) -> Document {
    let mut doc = Document {
        header: Vec::new(),
        cycles: Vec::new(),
        ended: false,
    };
    let mut current: Option<Vec<usize>> = None;
    for (i, line) in lines.iter().enumerate() {
        let c = compact(line);
        if c.is_empty() && !line.contains('*') || is_page_break(&c) || is_strike_banner(&c) {
            continue;
        }
        if c.contains("ENDOFMESSAGE") {
            doc.ended = true;
            break;
        }
        if let Some(stars) = asterisk_row(line) {
            if is_cycle_delimiter(lines, i, stars) {
                doc.cycles.extend(current.replace(Vec::new()));
            }
            continue;
        }
        match current.as_mut() {
            Some(cycle) => cycle.push(i),
            None => doc.header.push(i),
        }
    }
    doc.cycles.extend(current);
    doc
}

/// `PAGE 2 OF 3`.
fn is_page_break(compact: &str) -> bool {
    let Some(rest) = compact.strip_prefix("PAGE") else {
        return false;
    };
    match rest.split_once("OF") {
        Some((n, m)) => {
            !n.is_empty() && !m.is_empty() && n.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit())
        }
        None => false,
    }
}

fn is_strike_banner(compact: &str) -> bool {
    compact.contains("POTENTIALFELONYSTRIKE")
}

/// Number of asterisks when the line holds nothing else.
fn asterisk_row(line: &str) -> Option<usize> {
    let stars = line.chars().filter(|c| *c == '*').count();
    (stars > 0 && line.chars().all(|c| c == '*' || c == ' ')).then_some(stars)
}

/// A cycle delimiter is a short asterisk row (3–5). Longer rows, and any row right next
/// to a strike banner, frame notices instead.
fn is_cycle_delimiter(lines: &[String], i: usize, stars: usize) -> bool {
    if !(3..=5).contains(&stars) {
        return false;
    }
    let banner_at = |j: usize| lines.get(j).is_some_and(|l| is_strike_banner(&compact(l)));
    let next = (i + 1..lines.len()).find(|&j| !lines[j].trim().is_empty());
    let prev = (0..i).rev().find(|&j| !lines[j].trim().is_empty());
    !(next.is_some_and(banner_at) || prev.is_some_and(banner_at))
}

// ---------------------------------------------------------------------------------------
// Header.

fn parse_header(
    lines: &[String],
    indices: &[usize],
    warnings: &mut Vec<Warning>,
) -> Option<PersonalInfo> {
    let mut info = PersonalInfo::default();
    let mut in_names = false;
    for &i in indices {
        let line = strip_stray(&lines[i]);
        if let Some(at) = line.find("NAM/") {
            info.names.extend(numbered_name(&line[at + 4..]));
            in_names = true;
            continue;
        }
        if in_names && let Some(name) = numbered_name(line) {
            info.names.push(name);
            continue;
        }
        in_names = false;
        for token in line.split_whitespace() {
            read_tag(token, i + 1, &mut info, warnings);
        }
    }
    let found = info.cii.is_some() || info.dob.is_some() || !info.names.is_empty();
    found.then_some(info)
}

/// `01 TESTPERSON, ALEX` → (`01`, `TESTPERSON, ALEX`).
fn numbered_name(text: &str) -> Option<(String, String)> {
    let text = text.trim();
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    let name = collapse_spaces(&text[digits..]);
    ((2..=3).contains(&digits) && !name.is_empty()).then(|| (text[..digits].to_string(), name))
}

fn read_tag(token: &str, line: usize, info: &mut PersonalInfo, warnings: &mut Vec<Warning>) {
    let Some((tag, value)) = token.split_once('/') else {
        return;
    };
    let value = value.to_string();
    match tag {
        "CII" => info.cii = Some(value),
        "SEX" => info.sex = Some(value),
        "RAC" => info.race = Some(value),
        "DOB" => {
            info.dob = RapDate::parse_digits(&value.replace('.', ""));
            if info.dob.is_none() {
                warnings.push(Warning {
                    code: codes::BAD_DOB,
                    line,
                });
            }
        }
        _ => {}
    }
}

// ---------------------------------------------------------------------------------------
// Cycle stage: events.

/// Event identifiers (matched on the line with spaces removed) and their kinds. Order
/// matters: `SUPPLEMENTAL ARR` before anything shorter.
const IDENTIFIERS: &[(&str, EventKind)] = &[
    ("ARR/DET/CITE", EventKind::Arrest),
    ("ARR/DET", EventKind::Arrest),
    ("SUPPLEMENTALARR", EventKind::SupplementalArrest),
    ("COURT:", EventKind::Court),
    ("CUSTODY", EventKind::Custody),
    ("PROBATION:", EventKind::Probation),
    ("APPLICANT", EventKind::Applicant),
    ("MENTALHLTH", EventKind::MentalHealth),
    ("DECEASED", EventKind::Deceased),
    ("REGISTRATION:", EventKind::Registration),
];

/// The kind of an identifier line, and its `NAM:nn`.
fn identifier(line: &str) -> Option<(EventKind, Option<String>)> {
    let c = compact(line);
    let kind = IDENTIFIERS
        .iter()
        .find(|(tag, _)| c.starts_with(tag))
        .map(|(_, kind)| *kind)
        .or_else(|| bare_identifier(&c))?;
    Some((kind, name_code(&c)))
}

/// `COURT`, `PROBATION` and `REGISTRATION` with a missing colon: only when alone on the
/// line or followed by `NAM`, since the same words start other lines.
fn bare_identifier(compact: &str) -> Option<EventKind> {
    [
        ("COURT", EventKind::Court),
        ("PROBATION", EventKind::Probation),
        ("REGISTRATION", EventKind::Registration),
    ]
    .into_iter()
    .find(|(tag, _)| {
        compact
            .strip_prefix(tag)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with("NAM"))
    })
    .map(|(_, kind)| kind)
}

/// `NAM:02` anywhere on the identifier line (spaces already removed).
fn name_code(compact: &str) -> Option<String> {
    let at = compact.find("NAM")?;
    let rest = compact[at + 3..].trim_start_matches([':', ';']);
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    (!digits.is_empty()).then_some(digits)
}

/// How a line starts with a date.
enum DateLine {
    NotDate,
    /// Just a date: an update under a count.
    DateOnly(Option<RapDate>),
    /// A date and an agency: an event's date line.
    DateAndText(Option<RapDate>, String),
}

/// Reads a leading date, tolerating periods inside it (`20040.102`). A leading number is
/// only a date when it has exactly eight digits; the `Option` is `None` when those
/// digits are not a real day.
fn date_line(line: &str) -> DateLine {
    let body = strip_stray(line);
    let end = body
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(body.len());
    let digits: String = body[..end].chars().filter(char::is_ascii_digit).collect();
    if digits.len() != 8 {
        return DateLine::NotDate;
    }
    let date = RapDate::parse_digits(&digits);
    let rest = collapse_spaces(&body[end..]);
    // `66411359 HS-...` and `664.11359 HS-...` are attempt charges, not dates: eight
    // digits that are no real day, followed by a code and its `-`.
    if date.is_none() && is_code_then_dash(&rest) {
        return DateLine::NotDate;
    }
    if rest.is_empty() {
        DateLine::DateOnly(date)
    } else if body[end..].starts_with(' ') {
        DateLine::DateAndText(date, rest)
    } else {
        DateLine::NotDate
    }
}

/// `HS-...`: two letters and a `-`, as a charge line's code is written.
fn is_code_then_dash(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1].is_ascii_alphabetic() && b[2] == b'-'
}

struct CycleParser<'a> {
    lines: &'a [String],
    warnings: &'a mut Vec<Warning>,
    events: Vec<Event>,
    current: Option<EventBuilder>,
}

impl<'a> CycleParser<'a> {
    fn new(lines: &'a [String], warnings: &'a mut Vec<Warning>) -> Self {
        CycleParser {
            lines,
            warnings,
            events: Vec::new(),
            current: None,
        }
    }

    fn run(mut self, indices: &[usize]) -> Result<Vec<Event>> {
        let mut k = 0;
        while k < indices.len() {
            k += self.step(indices, k)?;
        }
        self.finish_event()?;
        Ok(self.events)
    }

    fn warn(&mut self, code: &'static str, line: usize) {
        self.warnings.push(Warning { code, line });
    }

    /// Handles the line at `indices[k]`; returns how many lines it consumed.
    fn step(&mut self, indices: &[usize], k: usize) -> Result<usize> {
        let i = indices[k];
        let line = &self.lines[i];
        if is_dash_separator(line) {
            self.finish_event()?;
            return Ok(1);
        }
        if let Some((kind, name_code)) = identifier(line) {
            let date_at = indices.get(k + 1).copied();
            self.start_event(kind, name_code, i + 1, date_at)?;
            return Ok(2);
        }
        match date_line(line) {
            DateLine::DateAndText(..) => {
                // A date line with no identifier: registration cycles omit it on later
                // events; anywhere else the event type is unknown.
                let kind = self.implied_kind(i + 1);
                self.start_event(kind, None, i + 1, Some(i))?;
                return Ok(1);
            }
            DateLine::DateOnly(date) if self.current.is_some() => {
                let date = date.ok_or(RapSheetError {
                    line: i + 1,
                    field: "update date",
                    expected: "YYYYMMDD",
                })?;
                self.body(|b, w| b.update(date, i + 1, w));
                return Ok(1);
            }
            _ => {}
        }
        if self.current.is_none() {
            return self.unknown_identifier(indices, k);
        }
        let lines = self.lines;
        let mut result = Ok(());
        self.body(|b, w| result = b.line(&lines[i], i + 1, w));
        result.map(|()| 1)
    }

    /// A line outside any event: an unknown event identifier when a date line follows,
    /// otherwise noise.
    fn unknown_identifier(&mut self, indices: &[usize], k: usize) -> Result<usize> {
        let i = indices[k];
        let next = indices.get(k + 1).copied();
        if next.is_some_and(|j| matches!(date_line(&self.lines[j]), DateLine::DateAndText(..))) {
            self.warn(codes::UNRECOGNIZED_EVENT, i + 1);
            let name_code = name_code(&compact(&self.lines[i]));
            self.start_event(EventKind::Unknown, name_code, i + 1, next)?;
            return Ok(2);
        }
        self.warn(codes::UNRECOGNIZED_LINE, i + 1);
        Ok(1)
    }

    fn implied_kind(&mut self, line: usize) -> EventKind {
        let registration = self
            .current
            .as_ref()
            .map(|b| b.event.kind)
            .or_else(|| self.events.last().map(|e| e.kind))
            == Some(EventKind::Registration);
        if registration {
            EventKind::Registration
        } else {
            self.warn(codes::UNRECOGNIZED_EVENT, line);
            EventKind::Unknown
        }
    }

    fn body(&mut self, f: impl FnOnce(&mut EventBuilder, &mut Vec<Warning>)) {
        if let Some(builder) = self.current.as_mut() {
            f(builder, self.warnings);
        }
    }

    /// Starts an event whose date line is `date_at` (a 0-based line index).
    fn start_event(
        &mut self,
        kind: EventKind,
        name_code: Option<String>,
        line: usize,
        date_at: Option<usize>,
    ) -> Result<()> {
        self.finish_event()?;
        let error = |at: usize| RapSheetError {
            line: at,
            field: "event date",
            expected: "YYYYMMDD followed by the agency",
        };
        let at = date_at.ok_or(error(line))?;
        let (date, agency) = match date_line(&self.lines[at]) {
            DateLine::DateAndText(Some(date), agency) => (date, agency),
            DateLine::DateOnly(Some(date)) => (date, String::new()),
            _ => return Err(error(at + 1)),
        };
        self.current = Some(EventBuilder::new(Event {
            kind,
            date,
            agency,
            name_code,
            toc: None,
            line,
            counts: Vec::new(),
        }));
        Ok(())
    }

    fn finish_event(&mut self) -> Result<()> {
        if let Some(builder) = self.current.take() {
            self.events.push(builder.finish(self.warnings)?);
        }
        Ok(())
    }
}

/// `- - - -`: at least three dashes and nothing else.
fn is_dash_separator(line: &str) -> bool {
    let dashes = line.chars().filter(|c| *c == '-').count();
    dashes >= 3 && line.chars().all(|c| c == '-' || c == ' ')
}

// ---------------------------------------------------------------------------------------
// Event stage: counts, dispositions, sentences, comments.

struct EventBuilder {
    event: Event,
    count: Option<CountBuilder>,
}

struct CountBuilder {
    count: Count,
    range_end: u32,
    has_charge: bool,
    see_comment: bool,
    /// Date of the update block the following `DISPO:` lines belong to.
    update: Option<RapDate>,
    dispo: Option<DispoBuilder>,
}

struct DispoBuilder {
    dispo: Disposition,
    sentence_text: Option<String>,
    comment_sentence: Option<String>,
    /// The previous line was `SEN:` or its continuation: an unrecognised indented line
    /// continues the list.
    in_sentence: bool,
}

impl DispoBuilder {
    fn finish(self) -> Disposition {
        let mut dispo = self.dispo;
        dispo.sentence = self
            .sentence_text
            .or(self.comment_sentence)
            .map(|t| parse_sentence(&t));
        dispo
    }
}

impl EventBuilder {
    fn new(event: Event) -> Self {
        EventBuilder { event, count: None }
    }

    fn update(&mut self, date: RapDate, line: usize, warnings: &mut Vec<Warning>) {
        match self.count.as_mut() {
            Some(count) => {
                count.close_dispo();
                count.update = Some(date);
            }
            None => warnings.push(Warning {
                code: codes::ORPHAN_DISPOSITION_LINE,
                line,
            }),
        }
    }

    fn line(&mut self, line: &str, n: usize, warnings: &mut Vec<Warning>) -> Result<()> {
        let c = compact(line);
        let warn = |warnings: &mut Vec<Warning>, code| warnings.push(Warning { code, line: n });
        if let Some((value, _)) = after_keyword(line, "CNT")
            && (value.starts_with(|ch: char| ch.is_ascii_digit()) || c.starts_with("CNT:"))
        {
            return self.start_count(value, n, warnings);
        }
        if let Some(value) = c.strip_prefix("TOC:") {
            let toc = Severity::from_text(value);
            match self.count.as_mut().filter(|b| b.has_charge) {
                Some(b) => b.count.toc = toc,
                None => self.event.toc = toc,
            }
            return Ok(());
        }
        if c.starts_with("DCN:") || c.starts_with("ARRBY") || c.starts_with("WARRANT#") {
            return Ok(());
        }
        let Some(count) = self.count.as_mut() else {
            // Event-level comments are free text; anything else is noise.
            if !c.starts_with("COM:") {
                warn(warnings, codes::UNRECOGNIZED_LINE);
            }
            return Ok(());
        };
        if !count.line(line, &c, n, self.event.date, warnings) {
            warn(warnings, codes::UNRECOGNIZED_LINE);
        }
        Ok(())
    }

    /// `01     #05-000111`, `01-03  #X`, `003`.
    fn start_count(&mut self, value: &str, n: usize, warnings: &mut Vec<Warning>) -> Result<()> {
        self.close_count(warnings)?;
        let (numbers, case) = match value.split_once('#') {
            Some((numbers, case)) => (numbers, Some(case)),
            None => (value, None),
        };
        let numbers: String = numbers.chars().filter(|c| *c != ' ').collect();
        let error = |field, expected| RapSheetError {
            line: n,
            field,
            expected,
        };
        let (first, last) = match numbers.split_once('-') {
            Some((a, b)) => (a.parse::<u32>(), b.parse::<u32>()),
            None => (numbers.parse::<u32>(), numbers.parse::<u32>()),
        };
        let (Ok(first), Ok(last)) = (first, last) else {
            return Err(error("count number", "CNT:nn or CNT:nn-mm"));
        };
        if last < first || last - first >= MAX_RANGE {
            return Err(error(
                "count range",
                "CNT:nn-mm with nn <= mm and at most 99 counts",
            ));
        }
        let case_number = case
            .map(|c| {
                c.trim()
                    .trim_end_matches(['.', ':', '-'])
                    .trim()
                    .to_string()
            })
            .filter(|c| !c.is_empty());
        self.count = Some(CountBuilder::new(first, last, case_number, n));
        Ok(())
    }

    fn close_count(&mut self, warnings: &mut Vec<Warning>) -> Result<()> {
        let Some(mut builder) = self.count.take() else {
            return Ok(());
        };
        builder.close_dispo();
        if !builder.has_charge {
            if !builder.see_comment {
                return Err(RapSheetError {
                    line: builder.count.line,
                    field: "count charge",
                    expected: "a charge line `<section> <CODE>-<description>` or SEE COMMENT FOR CHARGE",
                });
            }
            warnings.push(Warning {
                code: codes::UNRESOLVED_COMMENT_CHARGE,
                line: builder.count.line,
            });
        }
        // A range is that many identical counts (§3.7: per-count differences are lost).
        for number in builder.count.number..=builder.range_end {
            let mut count = builder.count.clone();
            count.number = number;
            self.event.counts.push(count);
        }
        Ok(())
    }

    fn finish(mut self, warnings: &mut Vec<Warning>) -> Result<Event> {
        self.close_count(warnings)?;
        Ok(self.event)
    }
}

impl CountBuilder {
    fn new(first: u32, last: u32, case_number: Option<String>, line: usize) -> Self {
        CountBuilder {
            count: Count {
                number: first,
                case_number,
                code: String::new(),
                section: String::new(),
                description: String::new(),
                attempted: false,
                flags: Vec::new(),
                toc: None,
                charge_from_comment: false,
                comments: Vec::new(),
                dispositions: Vec::new(),
                line,
            },
            range_end: last,
            has_charge: false,
            see_comment: false,
            update: None,
            dispo: None,
        }
    }

    fn close_dispo(&mut self) {
        if let Some(dispo) = self.dispo.take() {
            self.count.dispositions.push(dispo.finish());
        }
    }

    /// Handles a line inside the count; false when it fits nothing.
    fn line(
        &mut self,
        line: &str,
        c: &str,
        n: usize,
        event_date: RapDate,
        warnings: &mut Vec<Warning>,
    ) -> bool {
        let orphan = Warning {
            code: codes::ORPHAN_DISPOSITION_LINE,
            line: n,
        };
        let in_sentence = self
            .dispo
            .as_mut()
            .is_some_and(|d| std::mem::replace(&mut d.in_sentence, false));
        if let Some((value, _)) = after_keyword(line, "DISPO") {
            self.start_dispo(value, n, event_date);
            return true;
        }
        if let Some((value, _)) = after_keyword(line, "CONVSTATUS") {
            match self.dispo.as_mut() {
                Some(d) => d.dispo.severity = Severity::from_text(value),
                None => warnings.push(orphan),
            }
            return true;
        }
        if let Some((value, true)) = after_keyword(line, "SEN") {
            match self.dispo.as_mut() {
                Some(d) => {
                    d.sentence_text = Some(value.to_string());
                    d.in_sentence = true;
                }
                None => warnings.push(orphan),
            }
            return true;
        }
        if let Some((value, true)) = after_keyword(line, "COM") {
            self.comment(value);
            return true;
        }
        if in_sentence && let Some(d) = self.dispo.as_mut() {
            continue_sentence(d, strip_stray(line));
            return true;
        }
        self.charge_part(line, c, n, warnings)
    }

    /// Flag lines, `1170(H)`, `SEE COMMENT FOR CHARGE` and the charge itself.
    fn charge_part(&mut self, line: &str, c: &str, n: usize, warnings: &mut Vec<Warning>) -> bool {
        let body = strip_stray(line);
        if body.starts_with('-') {
            if self.has_charge {
                warnings.push(Warning {
                    code: codes::MISPLACED_FLAG,
                    line: n,
                });
            } else {
                self.add_flag(collapse_spaces(body));
            }
            return true;
        }
        if c.starts_with("1170(H)") {
            self.add_flag("1170(H)".to_string());
            return true;
        }
        if c.starts_with("SEECOMMENTFORCHARGE") {
            self.see_comment = true;
            return true;
        }
        if !self.has_charge
            && let Some(charge) = parse_charge(line)
        {
            self.set_charge(charge, false);
            return true;
        }
        false
    }

    fn add_flag(&mut self, flag: String) {
        if flag.replace(' ', "") == "-ATTEMPTED" {
            self.count.attempted = true;
        }
        if !self.count.flags.contains(&flag) {
            self.count.flags.push(flag);
        }
    }

    fn set_charge(&mut self, charge: Charge, from_comment: bool) {
        self.count.code = charge.code;
        self.count.section = charge.section;
        self.count.description = charge.description;
        self.count.toc = charge.toc;
        self.count.charge_from_comment = from_comment;
        if charge.attempted {
            // The spec turns a 664 section into the same flag the sheet can print.
            self.add_flag("-ATTEMPTED".to_string());
        }
        self.has_charge = true;
    }

    fn start_dispo(&mut self, value: &str, n: usize, event_date: RapDate) {
        self.close_dispo();
        let (date, is_update) = match self.update {
            Some(date) => (date, true),
            None => (event_date, false),
        };
        self.dispo = Some(DispoBuilder {
            dispo: Disposition {
                kind: disposition_kind(value),
                severity: None,
                date,
                is_update,
                sentence: None,
                line: n,
            },
            sentence_text: None,
            comment_sentence: None,
            in_sentence: false,
        });
    }

    /// `COM:` text: a comment charge (`CNT 01 CHRG-...`), a comment sentence
    /// (`SEN-...`, `XSEN:...`) or free text. All are kept as comments.
    fn comment(&mut self, value: &str) {
        self.count.comments.push(collapse_spaces(value));
        let squeezed: String = value.chars().filter(|c| *c != ' ').collect();
        if squeezed.starts_with("CNT") {
            if let Some(at) = value.find("CHRG")
                && !self.has_charge
                && let Some(charge) =
                    parse_charge(value[at + 4..].trim_start_matches([' ', '-', ':']))
            {
                self.set_charge(charge, true);
            }
            return;
        }
        let is_sentence = ["SEN-", "SEN:", "XSEN-", "XSEN:"]
            .iter()
            .any(|p| squeezed.starts_with(p));
        if is_sentence
            && let Some(at) = value.find(['-', ':'])
            && let Some(d) = self.dispo.as_mut()
        {
            d.comment_sentence = Some(value[at + 1..].trim().to_string());
        }
    }
}

/// A `SEN:` list wrapped onto the next line: join so items stay comma-separated.
fn continue_sentence(dispo: &mut DispoBuilder, more: &str) {
    if let Some(text) = dispo.sentence_text.as_mut() {
        if !text.trim_end().ends_with(',') {
            text.push(',');
        }
        text.push(' ');
        text.push_str(more);
    }
    dispo.in_sentence = true;
}
