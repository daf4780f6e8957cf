//! The impact report as files: CSV and a PDF with a chart, rendered from the filing service's
//! `ImpactReportResponse` (already suppressed) and the run's subject counts. No personal data
//! reaches here: only counts and category names.

use std::collections::BTreeMap;

use cmr_proto::filing::v1::{ImpactCell, ImpactDimension, ImpactReportResponse};
use serde_json::json;

use crate::model::DocumentError;
use crate::text::{long_date, relief_label};
use crate::typeset;

/// gogen's three subject counts for the run (projected by eligibility).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SubjectCounts {
    /// People with at least one Prop 64 conviction that gets relief.
    pub subjects_with_relief: i64,
    /// People who will no longer have a felony on their record.
    pub no_felonies: i64,
    /// People who will have no convictions at all.
    pub no_convictions: i64,
    /// People who will have no convictions in the last 7 years.
    pub no_convictions_last_7_years: i64,
}

/// What one report file shows.
#[derive(Clone, Debug, PartialEq)]
pub struct ImpactSummary {
    /// e.g. "County of Sacramento (34)"; no personal data.
    pub scope_label: String,
    /// The run reported on, or empty for the whole county.
    pub run_id: String,
    /// The proto `ImpactDimension` values the cells are grouped by.
    pub group_by: Vec<i32>,
    pub generated_on: (i32, u32, u32),
    pub report: ImpactReportResponse,
    /// Absent when the run is not known (county-wide report).
    pub subject_counts: Option<SubjectCounts>,
}

/// Printed instead of a withheld count.
const SUPPRESSED: &str = "suppressed";

const CSV_HEADER: &str = "measure,relief_type,code_section,race,people,convictions,suppressed";

/// The report as CSV: a header, one `cell` line per cell, the `total`, then one line per
/// subject count. Withheld counts are written as `suppressed`, never as numbers; subject
/// counts below the threshold are withheld the same way.
#[must_use]
pub fn impact_csv(summary: &ImpactSummary) -> Vec<u8> {
    let mut out = String::from(CSV_HEADER);
    out.push('\n');
    let dims = dimensions(summary);
    let mut line = |measure: &str, cell: &ImpactCell| {
        let (people, convictions) = counts(cell);
        let fields = [
            measure.to_owned(),
            if measure == "cell" && dims.contains(&ImpactDimension::ReliefType) {
                relief_label(cell.relief_type, 0)
            } else {
                String::new()
            },
            cell.code_section.clone(),
            cell.race.clone(),
            people,
            convictions,
            cell.suppressed.to_string(),
        ];
        out.push_str(&fields.map(|f| csv_field(&f)).join(","));
        out.push('\n');
    };
    for cell in &summary.report.cells {
        line("cell", cell);
    }
    line("total", &summary.report.total.clone().unwrap_or_default());
    for (measure, _, value) in subject_rows(summary) {
        out.push_str(&format!("{measure},,,,{value},,{}\n", value == SUPPRESSED));
    }
    out.into_bytes()
}

/// The report as a PDF: subject counts, a bar chart of convictions by the first grouped
/// dimension (withheld cells are left out of the bars and said so), and every cell.
pub fn impact_pdf(summary: &ImpactSummary) -> Result<Vec<u8>, DocumentError> {
    let dims = dimensions(summary);
    let first = dims.first().copied().unwrap_or(ImpactDimension::ReliefType);
    let mut bars: BTreeMap<String, (i64, bool)> = BTreeMap::new();
    for cell in &summary.report.cells {
        let entry = bars.entry(cell_label(cell, first)).or_default();
        if cell.suppressed {
            entry.1 = true;
        } else {
            entry.0 += cell.convictions;
        }
    }
    let chart: Vec<_> = bars
        .iter()
        .map(|(label, (value, partial))| {
            let shown = if *partial {
                format!("{value}+")
            } else {
                value.to_string()
            };
            json!({ "label": label, "value": value, "shown": shown })
        })
        .collect();
    let mut columns: Vec<&str> = dims.iter().map(|d| dimension_name(*d)).collect();
    columns.extend(["People", "Convictions"]);
    let mut rows: Vec<Vec<String>> = summary
        .report
        .cells
        .iter()
        .map(|cell| row(cell, &dims))
        .collect();
    let mut total = row(&summary.report.total.clone().unwrap_or_default(), &dims);
    if let Some(first_cell) = total.first_mut() {
        *first_cell = "All".to_owned();
    }
    for cell in total.iter_mut().take(dims.len()).skip(1) {
        cell.clear();
    }
    rows.push(total);
    let subjects: Vec<_> = subject_rows(summary)
        .into_iter()
        .map(|(_, label, value)| json!({ "label": label, "value": value }))
        .collect();
    let threshold = summary.report.min_cell_size;
    let mut subtitle = vec![summary.scope_label.clone()];
    if !summary.run_id.is_empty() {
        subtitle.push(format!("Eligibility run {}", summary.run_id));
    }
    subtitle.push(format!("Generated {}", long_date(summary.generated_on)));
    let data = json!({
        "title": "Prop 64 relief: impact report",
        "subtitle": subtitle,
        "footer": format!("Impact report · {}", summary.scope_label),
        "subjects": subjects,
        "chart_dimension": dimension_name(first).to_lowercase(),
        "chart": chart,
        "chart_note": "Bars count only cells large enough to publish; a value marked + has withheld cells besides.",
        "columns": columns,
        "rows": rows,
        "suppression_note": format!(
            "Counts of fewer than {threshold} people are withheld (\"{SUPPRESSED}\"), with a second cell withheld where one could be worked out from the total; {} cells are withheld.",
            summary.report.suppressed_cells
        ),
    });
    let data = serde_json::to_vec(&data).map_err(|e| DocumentError::Typeset {
        template: "impact".to_owned(),
        message: e.to_string(),
    })?;
    let templates = crate::templates::Templates::builtin();
    typeset::pdf(typeset::Job {
        name: "impact",
        main: templates.layout("", "impact"),
        common: templates.layout("", "common"),
        data,
        date: summary.generated_on,
        ident: format!("impact/{}/{}", summary.scope_label, summary.run_id),
    })
}

fn dimensions(summary: &ImpactSummary) -> Vec<ImpactDimension> {
    let dims: Vec<ImpactDimension> = summary
        .group_by
        .iter()
        .filter_map(|d| ImpactDimension::try_from(*d).ok())
        .filter(|d| *d != ImpactDimension::Unspecified)
        .collect();
    if dims.is_empty() {
        vec![ImpactDimension::ReliefType]
    } else {
        dims
    }
}

fn dimension_name(d: ImpactDimension) -> &'static str {
    match d {
        ImpactDimension::CodeSection => "Code section",
        ImpactDimension::Race => "Race or ethnicity",
        _ => "Relief type",
    }
}

fn cell_label(cell: &ImpactCell, d: ImpactDimension) -> String {
    match d {
        ImpactDimension::CodeSection => format!("H&S {}", cell.code_section),
        ImpactDimension::Race => cell.race.clone(),
        _ => relief_label(cell.relief_type, 0),
    }
}

fn counts(cell: &ImpactCell) -> (String, String) {
    if cell.suppressed {
        (SUPPRESSED.to_owned(), SUPPRESSED.to_owned())
    } else {
        (cell.people.to_string(), cell.convictions.to_string())
    }
}

fn row(cell: &ImpactCell, dims: &[ImpactDimension]) -> Vec<String> {
    let mut out: Vec<String> = dims.iter().map(|d| cell_label(cell, *d)).collect();
    let (people, convictions) = counts(cell);
    out.extend([people, convictions]);
    out
}

/// (CSV measure, printed label, value) for each subject count; a count from 1 to below the
/// threshold is withheld like a cell.
fn subject_rows(summary: &ImpactSummary) -> Vec<(&'static str, &'static str, String)> {
    let threshold = i64::from(summary.report.min_cell_size.max(11));
    let shown = |n: i64| {
        if n > 0 && n < threshold {
            SUPPRESSED.to_owned()
        } else {
            n.to_string()
        }
    };
    match &summary.subject_counts {
        Some(s) => vec![
            (
                "subjects_with_relief",
                "People with a Prop 64 conviction eligible for relief",
                shown(s.subjects_with_relief),
            ),
            (
                "no_felonies",
                "People who will no longer have a felony",
                shown(s.no_felonies),
            ),
            (
                "no_convictions",
                "People who will have no convictions",
                shown(s.no_convictions),
            ),
            (
                "no_convictions_last_7_years",
                "People with no convictions in the last 7 years",
                shown(s.no_convictions_last_7_years),
            ),
        ],
        None => vec![(
            "subject_counts",
            "Subject counts (need a run)",
            "not available".to_owned(),
        )],
    }
}

/// Quotes a field only when it needs it, as Go's encoding/csv does.
fn csv_field(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) || field.starts_with(' ') {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_owned()
    }
}
