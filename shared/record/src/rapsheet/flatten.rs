//! [`RapSheet`] → DOJ research-file rows (spec §3.8: the bulk file is the RAP sheet
//! flattened), so a parsed sheet goes through the same grouping and eligibility code as
//! a DOJ file.

use crate::columns as col;
use crate::gocsv::{FieldsPerRecord, Reader, Record, Writer};

use super::model::{Count, Cycle, Disposition, Event, RapSheet, Sentence, Term};

/// One 95-column row per count per disposition (a count without dispositions gives one
/// row with a blank `DISP_DESCR`; an event without counts one row with count `000`). Updates are extra rows of the same count with the
/// same `CNT_ORDER`, so the grouping's dedup keeps the original conviction once; each
/// row's `DISP_DATE` is its disposition's date while `STP_EVENT_DATE` stays the event's.
///
/// `CNT_ORDER` is cycle, step and count as 3-digit positions (from `001`) in sheet order
/// plus `000`; positions rather than printed count numbers, so OCR-duplicated numbers
/// cannot merge two counts. `county_of` maps an agency's text to `STP_ORI_CNTY_NAME`
/// (see [`agency_county`]); `None` leaves it blank. Each record's [`Record::line`] is the
/// sheet line of its count.
pub fn flatten(
    sheet: &RapSheet,
    subject_id: &str,
    county_of: impl Fn(&str) -> Option<String>,
) -> Vec<Record> {
    let person = Person::of(sheet, subject_id);
    let mut rows = Vec::new();
    for (ci, cycle) in sheet.cycles.iter().enumerate() {
        for (si, event) in cycle.events.iter().enumerate() {
            let county = county_of(&event.agency).unwrap_or_default();
            if event.counts.is_empty() {
                // Events without counts (a death, some custody entries) still need a row:
                // the grouping reads `DECEASED` from any row. Count position `000`.
                let at = Position {
                    cnt_order: format!("{:03}{:03}000000", ci + 1, si + 1),
                    cycle,
                    event,
                    county: &county,
                };
                let fields = event_row(&person, &at);
                rows.push(record_at_line(&fields, event.line as u64));
            }
            for (ni, count) in event.counts.iter().enumerate() {
                let at = Position {
                    cnt_order: format!("{:03}{:03}{:03}000", ci + 1, si + 1, ni + 1),
                    cycle,
                    event,
                    county: &county,
                };
                let dispositions: Vec<Option<&Disposition>> = if count.dispositions.is_empty() {
                    vec![None]
                } else {
                    count.dispositions.iter().map(Some).collect()
                };
                for dispo in dispositions {
                    let fields = row(&person, &at, count, dispo);
                    rows.push(record_at_line(&fields, count.line as u64));
                }
            }
        }
    }
    rows
}

/// The personal columns every row repeats.
struct Person<'a> {
    subject_id: &'a str,
    cii: &'a str,
    name: &'a str,
    sex: &'a str,
    race: &'a str,
    dob: String,
}

impl<'a> Person<'a> {
    fn of(sheet: &'a RapSheet, subject_id: &'a str) -> Self {
        let info = sheet.personal.as_ref();
        Person {
            subject_id,
            cii: info.and_then(|p| p.cii.as_deref()).unwrap_or_default(),
            name: info.and_then(|p| p.primary_name()).unwrap_or_default(),
            sex: info.and_then(|p| p.sex.as_deref()).unwrap_or_default(),
            race: info.and_then(|p| p.race.as_deref()).unwrap_or_default(),
            dob: info
                .and_then(|p| p.dob)
                .map(|d| d.yyyymmdd())
                .unwrap_or_default(),
        }
    }
}

/// Where a count sits.
struct Position<'a> {
    cnt_order: String,
    cycle: &'a Cycle,
    event: &'a Event,
    county: &'a str,
}

/// The person and event columns, shared by count rows and count-less event rows.
fn event_row(person: &Person<'_>, at: &Position<'_>) -> Vec<String> {
    let mut f = vec![String::new(); col::FIELD_COUNT];
    f[col::SUBJECT_ID] = person.subject_id.to_string();
    f[col::CII_NUMBER] = person.cii.to_string();
    f[col::PRI_NAME] = person.name.to_string();
    f[col::GENDER] = person.sex.to_string();
    f[col::PRI_DOB] = person.dob.clone();
    f[col::RACE_DESCR] = person.race.to_string();
    if let Some(first) = at.cycle.events.first() {
        f[col::CYC_DATE] = first.date.yyyymmdd();
    }
    f[col::STP_EVENT_DATE] = at.event.date.yyyymmdd();
    f[col::STP_TYPE_DESCR] = at.event.kind.doj_step_type().to_string();
    f[col::STP_ORI_DESCR] = at.event.agency.clone();
    f[col::STP_ORI_CNTY_NAME] = at.county.to_string();
    f[col::CNT_ORDER] = at.cnt_order.clone();
    f[col::OFN] = at.event.case_number().unwrap_or_default().to_string();
    f
}

fn row(
    person: &Person<'_>,
    at: &Position<'_>,
    count: &Count,
    dispo: Option<&Disposition>,
) -> Vec<String> {
    let mut f = event_row(person, at);
    f[col::OFFENSE_DESCR] = offense_descr(count);
    f[col::OFFENSE_TOC] = count
        .toc
        .or(at.event.toc)
        .or_else(|| count.dispositions.iter().find_map(|d| d.severity))
        .map(|s| s.letter().to_string())
        .unwrap_or_default();
    f[col::COMMENT_TEXT] = count.comments.join("; ");
    if let Some(dispo) = dispo {
        f[col::DISP_DATE] = dispo.date.yyyymmdd();
        f[col::DISP_DESCR] = dispo.kind.doj_descr().to_string();
        f[col::CONV_STAT_DESCR] = dispo
            .severity
            .map(|s| s.doj_descr().to_string())
            .unwrap_or_default();
        if let Some((place, term)) = dispo.sentence.as_ref().and_then(longest_term) {
            f[col::SENT_LOC_DESCR] = place.to_string();
            f[col::SENT_LENGTH] = term.amount.to_string();
            f[col::SENT_TIME_CODE] = term.unit.code().to_string();
        }
    }
    f
}

/// `11359 HS-POSSESS MARIJUANA FOR SALE`; an attempt is written `664/11359 HS-...`, so
/// the code section (the text up to the first `-`) is `664/11359 HS`: the statute policy
/// reads it as an attempt and gogen's matchers still see 11359. With `664-` the code
/// section would be just `664`. An unresolved comment charge keeps the DOJ file's own
/// wording.
pub fn offense_descr(count: &Count) -> String {
    if count.section.is_empty() {
        return "SEE COMMENT FOR CHARGE".to_string();
    }
    let attempt = if count.attempted { "664/" } else { "" };
    let section = count.section.to_uppercase();
    if count.code.is_empty() {
        format!("{attempt}{section}-{}", count.description)
    } else {
        format!("{attempt}{section} {}-{}", count.code, count.description)
    }
}

/// The term a single DOJ row reports: the longest of prison, jail and probation in
/// gogen's units; on a tie prison wins over jail, jail over probation (custody before
/// supervision). A zero-length bare `PROBATION` still names the place. One term only,
/// because extra rows with the same `CNT_ORDER` would each be *added* to the
/// conviction's sentence end by the grouping, which would count concurrent terms twice.
pub fn longest_term(sentence: &Sentence) -> Option<(&'static str, Term)> {
    [
        ("PRISON", sentence.prison),
        ("JAIL", sentence.jail),
        ("PROBATION", sentence.probation),
    ]
    .into_iter()
    .filter_map(|(place, term)| term.map(|t| (place, t)))
    .reduce(|best, next| {
        if next.1.hours() > best.1.hours() {
            next
        } else {
            best
        }
    })
}

/// A record carrying a line number: [`Record`] only gets one from the CSV reader, so the
/// fields are written as one CSV line and read back numbered. The round trip is exact
/// (Go quoting), and a failure, which cannot happen for text we just wrote, falls back
/// to an unnumbered record.
fn record_at_line(fields: &[String], line: u64) -> Record {
    let mut writer = Writer::new(Vec::new());
    if writer.record(fields).is_err() || writer.flush().is_err() {
        return Record::from_fields(fields);
    }
    let bytes = writer.into_inner();
    let mut reader =
        Reader::new(&bytes[..], FieldsPerRecord::Exactly(col::FIELD_COUNT)).starting_at_line(line);
    let mut record = Record::default();
    match reader.read(&mut record) {
        Ok(true) => record,
        _ => Record::from_fields(fields),
    }
}

/// California's 58 counties, longest first where one name starts another.
const COUNTIES: &[&str] = &[
    "ALAMEDA",
    "ALPINE",
    "AMADOR",
    "BUTTE",
    "CALAVERAS",
    "COLUSA",
    "CONTRA COSTA",
    "DEL NORTE",
    "EL DORADO",
    "FRESNO",
    "GLENN",
    "HUMBOLDT",
    "IMPERIAL",
    "INYO",
    "KERN",
    "KINGS",
    "LAKE",
    "LASSEN",
    "LOS ANGELES",
    "MADERA",
    "MARIN",
    "MARIPOSA",
    "MENDOCINO",
    "MERCED",
    "MODOC",
    "MONO",
    "MONTEREY",
    "NAPA",
    "NEVADA",
    "ORANGE",
    "PLACER",
    "PLUMAS",
    "RIVERSIDE",
    "SACRAMENTO",
    "SAN BENITO",
    "SAN BERNARDINO",
    "SAN DIEGO",
    "SAN FRANCISCO",
    "SAN JOAQUIN",
    "SAN LUIS OBISPO",
    "SAN MATEO",
    "SANTA BARBARA",
    "SANTA CLARA",
    "SANTA CRUZ",
    "SHASTA",
    "SIERRA",
    "SISKIYOU",
    "SOLANO",
    "SONOMA",
    "STANISLAUS",
    "SUTTER",
    "TEHAMA",
    "TRINITY",
    "TULARE",
    "TUOLUMNE",
    "VENTURA",
    "YOLO",
    "YUBA",
];

/// The county an agency's text names, for `STP_ORI_CNTY_NAME`: the agency's place name
/// after its 4-letter ORI prefix (`CASC SAN FRANCISCO` → `SAN FRANCISCO`), cut to a county
/// name when it starts with one (`CAMC LOS ANGELES METRO` → `LOS ANGELES`). Places that
/// are not county names (`CAPD OAKLAND`, `CASC SOUTH SAN FRANCISCO`) are returned as they
/// are rather than guessed; a courthouse/city → county table can replace this function
/// (pass it as `county_of`).
pub fn agency_county(agency: &str) -> Option<String> {
    let agency = agency.trim();
    let place = match agency.split_once(' ') {
        Some((prefix, rest))
            if prefix.len() == 4 && prefix.bytes().all(|b| b.is_ascii_alphabetic()) =>
        {
            rest.trim()
        }
        _ => agency,
    };
    if place.is_empty() {
        return None;
    }
    let county = COUNTIES.iter().find(|c| {
        place
            .strip_prefix(**c)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(' '))
    });
    Some(county.map_or_else(|| place.to_string(), |c| (*c).to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn county_from_agency() {
        let cases = [
            ("CASC SAN FRANCISCO", Some("SAN FRANCISCO")),
            ("CAMC LOS ANGELES METRO", Some("LOS ANGELES")),
            ("CASC SOUTH SAN FRANCISCO", Some("SOUTH SAN FRANCISCO")),
            ("CASO SAN DIEGO", Some("SAN DIEGO")),
            ("CASC SAN LUIS OBISPO", Some("SAN LUIS OBISPO")),
            ("CAPD OAKLAND", Some("OAKLAND")),
            ("CASC", Some("CASC")),
            ("", None),
        ];
        for (agency, expected) in cases {
            assert_eq!(agency_county(agency).as_deref(), expected, "{agency}");
        }
    }

    #[test]
    fn record_keeps_fields_and_line() {
        let mut fields = vec![String::new(); col::FIELD_COUNT];
        fields[0] = " leading space, comma \"quote\"".to_string();
        let rec = record_at_line(&fields, 42);
        assert_eq!(rec.line(), 42);
        assert_eq!(rec.len(), col::FIELD_COUNT);
        assert_eq!(rec.field(0), fields[0].as_bytes());
    }
}
