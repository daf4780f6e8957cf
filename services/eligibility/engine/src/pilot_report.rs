//! The pilots' human-readable reports (spec §5.3 end): the LA pilot's `gogen_pilots_1.out`
//! and the text the county pilots printed on stdout, rendered from a file's [`Summary`].
//!
//! Both reports share one layout; a [`ReportStyle`] holds what differs. gogen's two
//! timing-dependent lines become deterministic: the county pilots' progress bar is left
//! out, and LA's timing line states the elapsed seconds the caller measured
//! ([`Summary::processing_seconds`]). Lists are sorted by byte value, as the pilots sorted
//! them, and only list keys that occurred.

use std::collections::BTreeMap;

use cmr_record::Instant;

use crate::determination::Outcome;
use crate::policy::{FlowSpec, Policy};
use crate::summary::{Relief, Summary};

/// What a pilot's report has of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReportStyle {
    /// Lines before the statistics (the county pilots' reading messages).
    pub preamble: &'static [&'static str],
    /// LA: "…processed the data in N seconds" after the row count.
    pub timing_line: bool,
    /// LA: "Date of earliest Prop 64 conviction: <Month YYYY>" after the county counts.
    pub earliest_date_line: bool,
    /// Heading of the "no longer have…" counts under the policy's own determinations.
    pub current_flow_heading: &'static str,
}

const LOS_ANGELES: ReportStyle = ReportStyle {
    preamble: &[],
    timing_line: true,
    earliest_date_line: true,
    current_flow_heading: "Eligibility is run as specified for Prop 64 and Related Charges",
};

const COUNTY_PILOT: ReportStyle = ReportStyle {
    preamble: &[
        "Reading DOJ Data Into Memory",
        "Complete...",
        "Processing Subjects",
        "",
    ],
    timing_line: false,
    earliest_date_line: false,
    current_flow_heading: "If eligibility is ran as is for Prop 64 and Related Charges",
};

impl ReportStyle {
    /// The report a policy's program wrote; `None` for the released configurable flow,
    /// which wrote none.
    pub fn for_policy(policy: &Policy) -> Option<ReportStyle> {
        match policy.flow {
            FlowSpec::Configurable(_) | FlowSpec::Statute => None,
            FlowSpec::LosAngeles(_) => Some(LOS_ANGELES),
            FlowSpec::CountyPilot(_) => Some(COUNTY_PILOT),
        }
    }
}

/// The prefix of LA's timing line; the number after it is the only part that varies.
pub const TIMING_PREFIX: &str =
    "Based on your office\u{2019}s eligibility choices, this application processed the data in";

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Renders the report of one file.
pub fn render(summary: &Summary, style: &ReportStyle) -> String {
    let mut r = Lines::default();
    for line in style.preamble {
        r.line(line);
    }
    let s = summary;
    r.heading("Overall summary of DOJ file");
    r.line(format!("Found {} Total rows in DOJ file", s.line_count));
    if style.timing_line {
        r.line(format!("{TIMING_PREFIX} {} seconds", s.processing_seconds));
    }
    r.line(format!(
        "Found {} Total individuals in DOJ file",
        s.subjects
    ));
    r.line(format!(
        "Found {} Total convictions in DOJ file",
        s.convictions
    ));
    r.line(format!(
        "Found {} convictions in this county",
        s.convictions_in_county
    ));
    r.line("");

    // This one heading has no space before its dashes.
    r.line("----------- Prop64 Convictions Overall--------------------");
    r.section_counts("total", &s.prop64_by_section);
    r.line("");

    r.heading("Prop64 Convictions In This County");
    r.section_counts("in this county", &s.prop64_in_county_by_section);
    // LA's date line stands where the county pilots have a blank line.
    let first_separator = if style.earliest_date_line {
        format!(
            "Date of earliest Prop 64 conviction: {}",
            month_year(s.earliest_conviction)
        )
    } else {
        String::new()
    };
    r.outcome_blocks(&s.prop64_by_outcome_and_section, first_separator);

    r.heading("Eligibility Reasons");
    for (outcome, reasons) in by_outcome(&s.by_outcome_and_reason) {
        r.line("");
        r.line(outcome);
        for (reason, n) in reasons {
            r.line(format!(
                "Found {n} convictions with eligibility reason {reason}"
            ));
        }
    }
    r.line("");
    r.line("");

    r.heading("Prop64 Related Convictions In This County");
    r.section_counts("in this county", &s.related_by_section);
    r.line("");
    r.outcome_blocks(&s.related_by_outcome_and_section, String::new());

    r.heading("Impact to individuals");
    r.line(format!(
        "{} individuals currently have a felony on their record",
        s.subjects_with_felony
    ));
    r.line(format!(
        "{} individuals currently have convictions on their record",
        s.subjects_with_conviction
    ));
    r.line(format!(
        "{} individuals currently have convictions on their record in the last 7 years",
        s.subjects_with_conviction_last_7_years
    ));
    for (heading, relief) in [
        (style.current_flow_heading, &s.current),
        (
            "If ALL Prop 64 convictions are dismissed and sealed",
            &s.dismiss_all,
        ),
        (
            "If all Prop 64 AND related convictions are dismissed and sealed",
            &s.dismiss_all_and_related,
        ),
    ] {
        r.line("");
        r.heading(heading);
        r.relief(relief);
    }
    r.0
}

/// `January 2006` in Go's layout: full month name, year padded to four digits.
fn month_year(t: Instant) -> String {
    let (year, month, _) = t.ymd();
    let name = MONTHS[(month as usize).clamp(1, 12) - 1];
    if year < 0 {
        format!("{name} -{:04}", -year)
    } else {
        format!("{name} {year:04}")
    }
}

/// A (determination, key) map regrouped by determination text, both levels sorted by byte
/// value as the pilots sorted their map keys.
fn by_outcome(map: &BTreeMap<(Outcome, String), u64>) -> BTreeMap<&str, BTreeMap<&str, u64>> {
    let mut out: BTreeMap<&str, BTreeMap<&str, u64>> = BTreeMap::new();
    for ((outcome, key), n) in map {
        *out.entry(outcome.as_str())
            .or_default()
            .entry(key.as_str())
            .or_default() += n;
    }
    out
}

/// The report's text, one `\n`-terminated line at a time.
#[derive(Default)]
struct Lines(String);

impl Lines {
    fn line(&mut self, text: impl AsRef<str>) {
        self.0.push_str(text.as_ref());
        self.0.push('\n');
    }

    fn heading(&mut self, title: &str) {
        self.line(format!("----------- {title} --------------------"));
    }

    /// The total, then one line per section that occurred.
    fn section_counts(&mut self, scope: &str, counts: &BTreeMap<String, u64>) {
        let total: u64 = counts.values().sum();
        self.line(format!("Found {total} convictions {scope}"));
        for (section, n) in counts {
            self.line(format!("Found {n} {section} convictions {scope}"));
        }
    }

    /// One block per determination (its sections and its total), each after a
    /// separator line and with one closing it all; the first separator is
    /// `first_separator`, the others are blank.
    fn outcome_blocks(
        &mut self,
        counts: &BTreeMap<(Outcome, String), u64>,
        first_separator: String,
    ) {
        let mut separator = first_separator;
        for (outcome, sections) in by_outcome(counts) {
            self.line(std::mem::take(&mut separator));
            self.line(outcome);
            for (section, n) in &sections {
                self.line(format!(
                    "Found {n} {section} convictions that are {outcome}"
                ));
            }
            let total: u64 = sections.values().sum();
            self.line(format!(
                "Found {total} convictions total that are {outcome}"
            ));
        }
        self.line(separator);
    }

    fn relief(&mut self, r: &Relief) {
        self.line(format!(
            "{} individuals who had a felony will no longer have a felony on their record",
            r.no_felony
        ));
        self.line(format!(
            "{} individuals who had convictions will no longer have any convictions on their record",
            r.no_conviction
        ));
        self.line(format!(
            "{} individuals who had convictions in the last 7 years will no longer have any convictions on their record in the last 7 years",
            r.no_conviction_last_7_years
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluate::RunDates;
    use crate::summary::SummaryShape;

    fn empty(shape: SummaryShape) -> Summary {
        let at = Instant::from_ymd(2019, 11, 11);
        Summary::new(shape, "X", RunDates::at(at), 0)
    }

    #[test]
    fn month_year_is_gos_january_2006() {
        assert_eq!(month_year(Instant::from_ymd(1979, 6, 1)), "June 1979");
        assert_eq!(month_year(Instant::ZERO), "January 0001");
    }

    #[test]
    fn empty_county_report_keeps_every_heading_and_blank_line() {
        let s = empty(SummaryShape::Released {
            dismiss: vec![],
            reduce: vec![],
        });
        let text = render(&s, &COUNTY_PILOT);
        let lines: Vec<&str> = text.lines().collect();
        let at = |h: &str| lines.iter().position(|l| l.contains(h)).unwrap();
        // Prop 64 in county: total, then the closing blank line.
        let county = at("Prop64 Convictions In This County");
        assert_eq!(
            lines[county + 1..county + 4],
            [
                "Found 0 convictions in this county",
                "",
                "----------- Eligibility Reasons --------------------"
            ]
        );
        // No reasons: two blank lines; no related outcomes: two blank lines.
        let reasons = at("Eligibility Reasons");
        assert_eq!(lines[reasons + 1..reasons + 3], ["", ""]);
        let related = at("Related Convictions");
        assert_eq!(
            lines[related + 1..related + 5],
            [
                "Found 0 convictions in this county",
                "",
                "",
                "----------- Impact to individuals --------------------"
            ]
        );
        assert!(text.ends_with("in the last 7 years\n"));
    }

    #[test]
    fn la_date_line_replaces_the_first_blank_line() {
        let mut s = empty(SummaryShape::LosAngeles { age: 50, years: 10 });
        s.earliest_conviction = Instant::from_ymd(1979, 6, 1);
        let none = render(&s, &LOS_ANGELES);
        assert!(none.contains(
            "Found 0 convictions in this county\nDate of earliest Prop 64 conviction: June 1979\n----------- Eligibility Reasons"
        ));
        s.prop64_by_outcome_and_section
            .insert((Outcome::HandReview, "11358".into()), 2);
        s.prop64_by_outcome_and_section
            .insert((Outcome::Dismissal, "11358".into()), 1);
        let some = render(&s, &LOS_ANGELES);
        assert!(some.contains(
            "June 1979\nEligible for Dismissal\nFound 1 11358 convictions that are Eligible for Dismissal\nFound 1 convictions total that are Eligible for Dismissal\n\nHand Review\n"
        ));
        assert!(some.contains("total that are Hand Review\n\n----------- Eligibility Reasons"));
    }
}
