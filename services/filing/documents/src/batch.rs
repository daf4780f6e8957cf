//! One filing batch's documents: the bulk motion, proposed order and court notice over the
//! batch's (unchallenged) cases, the public defender's notice over the challenged ones, and
//! per person and case a filled CR-400 with its order.

use std::collections::BTreeMap;

use cmr_proto::common::v1 as common;
use cmr_proto::filing::v1::VerifiedRelief;
use serde_json::{Value, json};

use crate::cr400;
use crate::model::{BatchInput, CaseLine, ChallengedLine, DocumentError, DocumentKind, Rendered};
use crate::parts;
use crate::templates::{CountyTemplate, DocumentWording, Templates};
use crate::text::{civil_date, long_date, mm_dd_yyyy, person_first_last, relief_label, title_case};

/// The official CR-400 (Judicial Council, new July 1, 2017), shipped with the binary.
const CR400_FORM: &[u8] = include_bytes!("../assets/cr400.pdf");
const CR400_TEMPLATE_ID: &str = "cr400@2017-07-01";
const PDF: &str = "application/pdf";
/// The box printed before an order the judge is to mark.
const UNMARKED: &str = "☐";

/// Case-list columns and their relative widths.
const CASE_COLUMNS: [(&str, f64); 8] = [
    ("No.", 0.5),
    ("Name", 2.2),
    ("Born", 0.9),
    ("CII", 1.0),
    ("Court case", 1.3),
    ("Code section", 0.9),
    ("Convicted", 0.9),
    ("Relief", 2.3),
];
const CHALLENGE_COLUMNS: [(&str, f64); 8] = [
    ("No.", 0.5),
    ("Name", 2.2),
    ("Born", 0.9),
    ("CII", 1.0),
    ("Court case", 1.3),
    ("Code section", 0.9),
    ("Convicted", 0.9),
    ("Ground", 2.3),
];

/// Renders the `kinds` documents of one batch (empty = all): one bulk motion, proposed order,
/// court notice and defender notice per batch, one CR-400 and one CR-400 order per person
/// and case. Output order and bytes depend only on the input.
pub fn render_batch(
    templates: &Templates,
    input: &BatchInput<'_>,
    kinds: &[DocumentKind],
) -> Result<Vec<Rendered>, DocumentError> {
    let county = templates.county(input.county_code)?;
    let mut cases: Vec<&CaseLine> = input.cases.iter().collect();
    // The key clones five strings: compute it once per case, not once per comparison.
    cases.sort_by_cached_key(|c| case_key(c));
    let mut challenged: Vec<&ChallengedLine> = input.challenged.iter().collect();
    challenged.sort_by(|a, b| {
        (&a.name, &a.case_number, &a.review_item_id).cmp(&(
            &b.name,
            &b.case_number,
            &b.review_item_id,
        ))
    });
    let context = Context {
        templates,
        county: &county,
        input,
    };
    let mut out = Vec::new();
    for kind in DocumentKind::ALL {
        if !kinds.is_empty() && !kinds.contains(&kind) {
            continue;
        }
        match kind {
            DocumentKind::BulkMotion | DocumentKind::ProposedOrder | DocumentKind::CourtNotice => {
                out.push(context.case_list_document(kind, &cases)?);
            }
            DocumentKind::DefenderNotice => out.push(context.defender_notice(&challenged)?),
            DocumentKind::Cr400 | DocumentKind::Cr400Order => {
                for group in per_person_and_case(&cases) {
                    out.push(if kind == DocumentKind::Cr400 {
                        context.cr400(&group)?
                    } else {
                        context.cr400_order(&group)?
                    });
                }
            }
        }
    }
    Ok(out)
}

/// Lists sort by name, then birth, case and count, so the order never depends on arrival.
fn case_key(case: &CaseLine) -> (String, (i32, i32, i32), String, String, String) {
    let r = &case.relief;
    let person = r.person.clone().unwrap_or_default();
    let born = person
        .date_of_birth
        .map_or((0, 0, 0), |d| (d.year, d.month, d.day));
    (
        person.name,
        born,
        r.case_number.clone(),
        r.cnt_order.clone(),
        case.filing_id.clone(),
    )
}

/// A person's cases: (subject, case number) groups in list order.
struct PersonCase<'a> {
    subject_id: String,
    /// The person's n-th case in this batch, from 1.
    index: usize,
    lines: Vec<&'a CaseLine>,
}

fn per_person_and_case<'a>(cases: &[&'a CaseLine]) -> Vec<PersonCase<'a>> {
    let mut groups: BTreeMap<(String, String), Vec<&'a CaseLine>> = BTreeMap::new();
    let mut order = Vec::new();
    for case in cases {
        let key = (
            case.relief.subject_id.clone(),
            case.relief.case_number.clone(),
        );
        if !groups.contains_key(&key) {
            order.push(key.clone());
        }
        groups.entry(key).or_default().push(case);
    }
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    order
        .into_iter()
        .map(|key| {
            let index = seen.entry(key.0.clone()).or_default();
            *index += 1;
            PersonCase {
                subject_id: key.0.clone(),
                index: *index,
                lines: groups.remove(&key).unwrap_or_default(),
            }
        })
        .collect()
}

struct Context<'a> {
    templates: &'a Templates,
    county: &'a CountyTemplate,
    input: &'a BatchInput<'a>,
}

impl Context<'_> {
    fn county_label(&self) -> String {
        let name = if self.input.county_name.is_empty() {
            self.county.wording.county_name.as_str()
        } else {
            self.input.county_name
        };
        if name.is_empty() {
            self.input.county_code.to_owned()
        } else {
            title_case(name)
        }
    }

    fn agency(&self) -> crate::templates::Agency {
        let w = &self.county.wording;
        w.agencies
            .get(self.input.agency_id)
            .cloned()
            .unwrap_or_else(|| w.agency_default.clone())
    }

    /// Fills `{county}`, `{court}`, `{agency}`, `{defender}`, `{count}`, `{signer}`, `{title}`.
    fn fill(&self, text: &str, count: usize) -> String {
        let county = self.county_label();
        let court = self.court_name();
        let agency = self.agency().name.replace("{county}", &county);
        text.replace("{county}", &county)
            .replace("{court}", &court)
            .replace("{agency}", &agency)
            .replace(
                "{defender}",
                &self
                    .county
                    .wording
                    .defender
                    .name
                    .replace("{county}", &county),
            )
            .replace("{count}", &group_digits(count))
            .replace("{signer}", &self.input.signer.name)
            .replace("{title}", &self.input.signer.title)
    }

    fn court_name(&self) -> String {
        let court = self.input.court;
        if court.name.is_empty() {
            self.county
                .wording
                .court_name
                .replace("{county}", &self.county_label())
        } else {
            court.name.clone()
        }
    }

    fn filer(&self) -> Vec<String> {
        let s = self.input.signer;
        let mut lines = vec![s.name.clone()];
        if !s.bar_number.is_empty() {
            lines.push(format!("State Bar No. {}", s.bar_number));
        }
        let office = if s.office_name.is_empty() {
            self.fill(&self.agency().name, 0)
        } else {
            s.office_name.clone()
        };
        lines.push(office);
        lines.extend(s.address_lines.iter().cloned());
        if !s.phone.is_empty() {
            lines.push(format!("Telephone: {}", s.phone));
        }
        if !s.email.is_empty() {
            lines.push(format!("Email: {}", s.email));
        }
        lines.push(format!("Attorney for {}", self.county.wording.attorney_for));
        lines
    }

    fn court_json(&self) -> Value {
        let court = self.input.court;
        let address = if court.address_lines.is_empty() {
            self.county.wording.court_address_lines.clone()
        } else {
            court.address_lines.clone()
        };
        json!({ "name": self.court_name(), "branch": court.branch_name, "address": address })
    }

    fn prosecutor_signature(&self, count: usize) -> Value {
        let lines: Vec<String> = self
            .agency()
            .signature_block
            .iter()
            .map(|l| self.fill(l, count))
            .collect();
        json!({ "date": long_date(self.input.document_date), "lines": lines })
    }

    fn template_id(&self, kind: &str) -> String {
        format!("{kind}/{}@{}", self.county.set, self.county.wording.version)
    }

    fn file_name(&self, kind: &str, extra: &str) -> String {
        let mut name = format!(
            "{kind}_{}_{}",
            safe(self.input.county_code),
            safe(self.input.filing_batch_id)
        );
        if !extra.is_empty() {
            name.push('_');
            name.push_str(&safe(extra));
        }
        name.push_str(".pdf");
        name
    }

    /// A pleading's data: caption, wording and an attached list split into pages.
    #[allow(clippy::too_many_arguments)]
    fn pleading(
        &self,
        label: &str,
        wording: &DocumentWording,
        parties: Vec<String>,
        caption_lines: Vec<String>,
        signature: Value,
        columns: &[(&str, f64)],
        rows: Vec<Vec<String>>,
        attachment_title: &str,
    ) -> Value {
        let count = rows.len();
        let per_page = self.county.wording.rows_per_page.max(1);
        let pages: Vec<Value> = rows
            .chunks(per_page)
            .enumerate()
            .map(|(i, chunk)| {
                json!({
                    "first": group_digits(i * per_page + 1),
                    "last": group_digits(i * per_page + chunk.len()),
                    "total": group_digits(count),
                    "rows": chunk,
                })
            })
            .collect();
        json!({
            "title": self.fill(&wording.title, count),
            "author": self.fill(&self.agency().name, count),
            "footer": format!("{label} · batch {}", self.input.filing_batch_id),
            "filer": self.filer(),
            "court": self.court_json(),
            "parties": parties,
            "caption_lines": caption_lines,
            "body": wording.body.iter().map(|p| self.fill(p, count)).collect::<Vec<_>>(),
            "orders": wording.orders.iter().map(|p| self.fill(p, count)).collect::<Vec<_>>(),
            "order_mark": if wording.orders_prechecked {
                self.county.wording.order_mark.as_str()
            } else {
                UNMARKED
            },
            "signature": signature,
            "judge_line": wording.judge_line,
            "attachment_title": attachment_title,
            "count_label": "Convictions",
            "empty_list": self.fill(&wording.empty_list, count),
            "columns": columns.iter().map(|c| c.0).collect::<Vec<_>>(),
            "column_widths": columns.iter().map(|c| c.1).collect::<Vec<_>>(),
            "pages": pages,
        })
    }

    fn batch_parties(&self) -> Vec<String> {
        let w = &self.county.wording;
        vec![
            format!("{},", w.people_caption),
            "Plaintiff,".to_owned(),
            "v.".to_owned(),
            format!("{},", w.defendants_caption),
            "Defendants.".to_owned(),
        ]
    }

    fn batch_caption(&self, count: usize) -> Vec<String> {
        vec![
            format!("Filing batch {}", self.input.filing_batch_id),
            format!("Convictions listed: {}", group_digits(count)),
        ]
    }

    fn case_list_document(
        &self,
        kind: DocumentKind,
        cases: &[&CaseLine],
    ) -> Result<Rendered, DocumentError> {
        let w = &self.county.wording;
        let (name, label, wording) = match kind {
            DocumentKind::BulkMotion => ("bulk-motion", "Bulk motion", &w.bulk_motion),
            DocumentKind::ProposedOrder => ("proposed-order", "Proposed order", &w.proposed_order),
            _ => ("court-notice", "Notice to the court", &w.court_notice),
        };
        let rows = cases
            .iter()
            .enumerate()
            .map(|(i, c)| case_row(i + 1, &c.relief))
            .collect();
        let signature = if kind == DocumentKind::ProposedOrder {
            Value::Null
        } else {
            self.prosecutor_signature(cases.len())
        };
        let data = self.pleading(
            label,
            wording,
            self.batch_parties(),
            self.batch_caption(cases.len()),
            signature,
            &CASE_COLUMNS,
            rows,
            "ATTACHMENT A: CONVICTIONS AND RELIEF",
        );
        let bytes = self.typeset(name, &data)?;
        Ok(Rendered {
            kind,
            subject_id: String::new(),
            filing_ids: cases.iter().map(|c| c.filing_id.clone()).collect(),
            file_name: self.file_name(name, ""),
            media_type: PDF.to_owned(),
            template_id: self.template_id(name),
            bytes,
        })
    }

    fn defender_notice(&self, challenged: &[&ChallengedLine]) -> Result<Rendered, DocumentError> {
        let w = &self.county.wording;
        let rows = challenged
            .iter()
            .enumerate()
            .map(|(i, c)| {
                vec![
                    group_digits(i + 1),
                    c.name.clone(),
                    c.date_of_birth.map(mm_dd_yyyy).unwrap_or_default(),
                    c.cii_number.clone(),
                    c.case_number.clone(),
                    c.code_section.clone(),
                    c.conviction_date.map(mm_dd_yyyy).unwrap_or_default(),
                    ground_label(&c.ground),
                ]
            })
            .collect();
        let mut parties = vec![format!("To: {}", self.fill(&w.defender.name, 0))];
        parties.extend(w.defender.address_lines.iter().cloned());
        let data = self.pleading(
            "Notice to the public defender",
            &w.defender_notice,
            parties,
            self.batch_caption(challenged.len()),
            self.prosecutor_signature(challenged.len()),
            &CHALLENGE_COLUMNS,
            rows,
            "ATTACHMENT A: CHALLENGED CONVICTIONS",
        );
        let bytes = self.typeset("defender-notice", &data)?;
        Ok(Rendered {
            kind: DocumentKind::DefenderNotice,
            subject_id: String::new(),
            filing_ids: Vec::new(),
            file_name: self.file_name("defender-notice", ""),
            media_type: PDF.to_owned(),
            template_id: self.template_id("defender-notice"),
            bytes,
        })
    }

    fn cr400(&self, group: &PersonCase<'_>) -> Result<Rendered, DocumentError> {
        let first = &group.lines[0].relief;
        let person = first.person.clone().unwrap_or_default();
        let s = self.input.signer;
        let (street, city, state, zip) = postal(&s.address_lines);
        let form = cr400::Cr400 {
            party: cr400::Party {
                name: s.name.clone(),
                firm: if s.office_name.is_empty() {
                    self.fill(&self.agency().name, 0)
                } else {
                    s.office_name.clone()
                },
                street,
                city,
                state,
                zip,
                phone: s.phone.clone(),
                email: s.email.clone(),
                bar_number: s.bar_number.clone(),
                attorney_for: self.county.wording.attorney_for.clone(),
            },
            defendant_name: person_first_last(&person.name),
            case_number: first.case_number.clone(),
            track: track_of(&group.lines),
            sections: group
                .lines
                .iter()
                .filter_map(|c| cr400::Section::from_code(&c.relief.prop64_section))
                .collect(),
            executed_on: civil_date(self.input.document_date).ok_or_else(|| {
                DocumentError::Cr400("document_date is not a calendar date".to_owned())
            })?,
        };
        let bytes =
            cr400::fill(CR400_FORM, &form).map_err(|e| DocumentError::Cr400(e.to_string()))?;
        Ok(Rendered {
            kind: DocumentKind::Cr400,
            subject_id: group.subject_id.clone(),
            filing_ids: group.lines.iter().map(|c| c.filing_id.clone()).collect(),
            file_name: self.file_name("cr400", &format!("{}_{}", group.subject_id, group.index)),
            media_type: PDF.to_owned(),
            template_id: CR400_TEMPLATE_ID.to_owned(),
            bytes,
        })
    }

    fn cr400_order(&self, group: &PersonCase<'_>) -> Result<Rendered, DocumentError> {
        let first = &group.lines[0].relief;
        let person = first.person.clone().unwrap_or_default();
        let w = &self.county.wording;
        let rows = group
            .lines
            .iter()
            .enumerate()
            .map(|(i, c)| case_row(i + 1, &c.relief))
            .collect();
        let parties = vec![
            format!("{},", w.people_caption),
            "Plaintiff,".to_owned(),
            "v.".to_owned(),
            format!("{},", person_first_last(&person.name)),
            "Defendant.".to_owned(),
        ];
        let caption = vec![format!("Case No. {}", first.case_number)];
        let data = self.pleading(
            "Order on CR-400",
            &w.cr400_order,
            parties,
            caption,
            Value::Null,
            &CASE_COLUMNS,
            rows,
            "ATTACHMENT A: CONVICTIONS AND RELIEF",
        );
        let bytes = self.typeset("cr400-order", &data)?;
        Ok(Rendered {
            kind: DocumentKind::Cr400Order,
            subject_id: group.subject_id.clone(),
            filing_ids: group.lines.iter().map(|c| c.filing_id.clone()).collect(),
            file_name: self.file_name(
                "cr400-order",
                &format!("{}_{}", group.subject_id, group.index),
            ),
            media_type: PDF.to_owned(),
            template_id: self.template_id("cr400-order"),
            bytes,
        })
    }

    fn typeset(&self, name: &str, data: &Value) -> Result<Vec<u8>, DocumentError> {
        let layout = parts::Layout {
            name,
            main: self.templates.layout(&self.county.set, name),
            common: self.templates.layout(&self.county.set, "common"),
            date: self.input.document_date,
        };
        parts::pdf(&layout, data, parts::PAGES_PER_PART)
    }
}

/// One row of a case list.
fn case_row(number: usize, r: &VerifiedRelief) -> Vec<String> {
    let person = r.person.clone().unwrap_or_default();
    let mut name = person.name.clone();
    if !person.aliases.is_empty() {
        name.push_str(&format!(" (aka {})", person.aliases.join("; ")));
    }
    vec![
        group_digits(number),
        name,
        person
            .date_of_birth
            .map(proto_date)
            .map(mm_dd_yyyy)
            .unwrap_or_default(),
        person.cii_number,
        r.case_number.clone(),
        r.code_section.clone(),
        r.conviction_date
            .map(proto_date)
            .map(mm_dd_yyyy)
            .unwrap_or_default(),
        relief_label(r.relief_type, r.reduce_to),
    ]
}

fn proto_date(d: common::CivilDate) -> (i32, u32, u32) {
    (
        d.year,
        u32::try_from(d.month).unwrap_or(0),
        u32::try_from(d.day).unwrap_or(0),
    )
}

/// Petition when any count is still being served, application when all are done, else
/// unknown (neither box ticked, for a person to decide).
fn track_of(lines: &[&CaseLine]) -> cr400::Track {
    let tracks: Vec<i32> = lines.iter().map(|c| c.relief.track).collect();
    if tracks.contains(&(common::Track::Petition as i32)) {
        cr400::Track::Petition
    } else if tracks
        .iter()
        .all(|t| *t == common::Track::Application as i32)
    {
        cr400::Track::Application
    } else {
        cr400::Track::Unknown
    }
}

/// Street, city, state and ZIP from address lines whose last line is "City, ST 12345".
fn postal(lines: &[String]) -> (String, String, String, String) {
    let Some((last, rest)) = lines.split_last() else {
        return Default::default();
    };
    let street = rest.join(", ");
    match last.rsplit_once(',') {
        Some((city, tail)) => {
            let mut parts = tail.split_whitespace();
            let state = parts.next().unwrap_or_default().to_owned();
            let zip = parts.collect::<Vec<_>>().join(" ");
            (street, city.trim().to_owned(), state, zip)
        }
        None => (
            lines.join(", "),
            String::new(),
            String::new(),
            String::new(),
        ),
    }
}

fn ground_label(ground: &str) -> String {
    let name = ground.trim_start_matches("CHALLENGE_GROUND_");
    if name.is_empty() || name == "UNSPECIFIED" {
        "Not stated".to_owned()
    } else {
        let text = name.replace('_', " ").to_lowercase();
        let mut chars = text.chars();
        chars
            .next()
            .map(|c| c.to_uppercase().chain(chars).collect())
            .unwrap_or_default()
    }
}

/// Thousands separated with commas: 10000 → "10,000".
fn group_digits(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Keeps ids to `[A-Za-z0-9._-]` so file names carry no path or odd characters.
fn safe(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '-'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_are_grouped_by_thousands() {
        assert_eq!(group_digits(7), "7");
        assert_eq!(group_digits(999), "999");
        assert_eq!(group_digits(1000), "1,000");
        assert_eq!(group_digits(10_000), "10,000");
        assert_eq!(group_digits(1_234_567), "1,234,567");
    }

    #[test]
    fn postal_lines_split_into_street_city_state_zip() {
        let lines = vec!["901 G Street".to_owned(), "Sacramento, CA 95814".to_owned()];
        assert_eq!(
            postal(&lines),
            (
                "901 G Street".into(),
                "Sacramento".into(),
                "CA".into(),
                "95814".into()
            )
        );
        assert_eq!(postal(&[]), Default::default());
    }

    #[test]
    fn grounds_read_as_words() {
        assert_eq!(ground_label("CHALLENGE_GROUND_INELIGIBLE"), "Ineligible");
        assert_eq!(
            ground_label("CHALLENGE_GROUND_PUBLIC_SAFETY_RISK"),
            "Public safety risk"
        );
        assert_eq!(ground_label(""), "Not stated");
    }

    #[test]
    fn file_names_keep_only_safe_characters() {
        assert_eq!(safe("01J9/../x y"), "01J9-..-x-y");
    }
}
