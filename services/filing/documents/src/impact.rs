//! The impact report as files: CSV and a PDF with a chart, rendered from the filing service's
//! `ImpactReportResponse` (already suppressed) and the run's subject counts. No personal data
//! reaches here.

use cmr_proto::filing::v1::ImpactReportResponse;

use super::model::DocumentError;

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

/// The report as CSV (header line, one line per cell, then the total; suppressed counts are
/// written as `<11`-style markers, never as numbers).
#[must_use]
pub fn impact_csv(summary: &ImpactSummary) -> Vec<u8> {
    let _ = summary;
    Vec::new()
}

/// The report as a PDF with a bar chart of convictions by the first grouped dimension.
pub fn impact_pdf(summary: &ImpactSummary) -> Result<Vec<u8>, DocumentError> {
    let _ = summary;
    Err(DocumentError::Typeset {
        template: "impact".to_owned(),
        message: "not yet written (issue 6, in progress)".to_owned(),
    })
}
