//! `cmr explain`: the decision path of one person, for a reviewer. Every conviction the
//! policy evaluates is printed with the rules tried in order, the one that decided, its
//! reason, citation and facts. The output names the person's record (it is for the
//! reviewer's screen); nothing is logged.

use std::fmt::Write as _;

use clap::Args;
use cmr_engine::explain::{Explained, explain_subject};
use cmr_engine::flows::Ctx;
use cmr_engine::{Policy, Track, reading_rules};
use cmr_record::columns as col;
use cmr_record::doj::DojSource;
use cmr_record::{Grouped, Instant, SubjectBuilder};

use crate::evaluate::{EvaluateArgs, load_policy};
use crate::outputs::{Failure, run_failure};

#[derive(Args, Debug, Clone)]
pub struct ExplainArgs {
    /// A DOJ research file holding the person's rows.
    #[arg(
        long,
        required_unless_present = "input_rap_sheet",
        conflicts_with = "input_rap_sheet"
    )]
    pub input_doj: Option<String>,
    /// A RAP sheet (text) of the person instead.
    #[arg(long)]
    pub input_rap_sheet: Option<String>,
    /// County flag, exactly as in STP_ORI_CNTY_NAME (e.g. "SAN JOAQUIN").
    #[arg(long)]
    pub county: String,
    /// A named policy (see `cmr policies`); the statute policy when neither this nor
    /// --eligibility-options is given.
    #[arg(long)]
    pub policy: Option<String>,
    /// gogen eligibility-options JSON file (the configurable flow).
    #[arg(long, conflicts_with = "policy")]
    pub eligibility_options: Option<std::path::PathBuf>,
    /// The person's SUBJECT_ID (DOJ file); any label for a RAP sheet.
    #[arg(long)]
    pub subject: String,
    /// The date every rule measures from, YYYY-MM-DD.
    #[arg(long)]
    pub compute_at: String,
}

pub fn run(args: &ExplainArgs) -> i32 {
    match explain(args) {
        Ok(text) => {
            print!("{text}");
            0
        }
        Err(failure) => {
            eprintln!("cmr explain: {}", failure.error.describe());
            1
        }
    }
}

fn explain(args: &ExplainArgs) -> Result<String, Failure> {
    let compute_at = Instant::parse_iso_date(&args.compute_at).ok_or_else(|| {
        run_failure("invalid --compute-at date: Must be a valid date in the format YYYY-MM-DD")
    })?;
    let policy = load_policy(
        &EvaluateArgs {
            policy: args.policy.clone(),
            eligibility_options: args.eligibility_options.clone(),
            ..EvaluateArgs::default()
        },
        &args.county,
    )?;
    let grouped = match (&args.input_doj, &args.input_rap_sheet) {
        (Some(path), _) => group_doj_subject(path, &policy, &args.subject)?,
        (None, Some(path)) => crate::rap_input::group_rap_sheet(path, &args.subject)?,
        (None, None) => return Err(run_failure("give --input-doj or --input-rap-sheet")),
    };
    let Some(subject) = grouped.subjects.first() else {
        return Err(run_failure(format!(
            "subject {} has no rows in the input",
            args.subject
        )));
    };
    let ctx = Ctx {
        sections: &grouped.sections,
        county: grouped.counties.lookup(args.county.as_bytes()),
        compute_at,
    };
    let explained = explain_subject(&ctx, &policy, subject);
    Ok(render(
        &args.subject,
        &args.county,
        &policy,
        compute_at,
        &grouped,
        &explained,
    ))
}

/// Groups the rows of one subject of a DOJ file.
fn group_doj_subject(path: &str, policy: &Policy, subject: &str) -> Result<Grouped, Failure> {
    let failure = |error| Failure {
        key: path.to_owned(),
        error,
    };
    let (check, fallback) = reading_rules(policy);
    let mut reader = DojSource::open(path).map_err(failure)?.reader(check);
    let mut builder = SubjectBuilder::new(fallback);
    while let Some(row) = reader.next_row().map_err(failure)? {
        if row.record.field(col::SUBJECT_ID) == subject.as_bytes() {
            let (index, line) = (row.index, row.record.line());
            builder
                .add_row(index, row.record)
                .map_err(|e| run_failure(format!("{path}: record on line {line}: {e}")))?;
        }
    }
    Ok(builder.finish())
}

fn render(
    subject_id: &str,
    county: &str,
    policy: &Policy,
    compute_at: Instant,
    grouped: &Grouped,
    explained: &[Explained],
) -> String {
    let subject = &grouped.subjects[0];
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Subject {subject_id} under {}@{} at {} ({county})",
        policy.name,
        policy.version,
        compute_at.iso_date()
    );
    let _ = writeln!(
        out,
        "{} convictions on record; {} evaluated by the policy",
        subject.convictions.len(),
        explained.len()
    );
    for e in explained {
        let c = &subject.convictions[e.conviction];
        // The section the policy read (the statute policy keeps `664-` attempts whole).
        let section = match policy.flow {
            cmr_engine::FlowSpec::Statute => c.statute_section,
            _ => c.section,
        };
        let d = &e.info.determination;
        let _ = writeln!(
            out,
            "\nConviction {} (line {}): {}, {}, convicted {}",
            String::from_utf8_lossy(&c.cnt_order),
            c.line,
            grouped.sections.get(section).text_lossy().trim(),
            if c.felony { "felony" } else { "not a felony" },
            cmr_engine::evaluate::date_or_unknown(c.date)
        );
        for (i, step) in e.steps.iter().enumerate() {
            let verdict = if step.matched {
                format!("MATCHED -> {}", outcome_words(step.outcome))
            } else {
                "no".to_owned()
            };
            let _ = writeln!(out, "  {:>2}. {:<32} {verdict}", i + 1, step.rule);
            let _ = writeln!(out, "      when: {}", step.when);
        }
        let _ = writeln!(out, "  decision: {}", outcome_words(d.outcome));
        let _ = writeln!(out, "  reason code: {}", d.reason_code());
        let _ = writeln!(out, "  reason: {}", d.reason);
        let _ = writeln!(out, "  rule: {}@{}/{}", policy.name, policy.version, d.rule);
        let _ = writeln!(out, "  citation: {}", d.citation);
        let _ = writeln!(out, "  track: {}", track_words(d.track));
        let facts: Vec<String> = d
            .facts
            .iter()
            .map(|f| format!("{}={}", f.key, f.value))
            .collect();
        let _ = writeln!(out, "  facts: {}", facts.join(", "));
    }
    out
}

fn outcome_words(outcome: cmr_engine::Outcome) -> &'static str {
    match outcome.as_str() {
        "" => "(blank: no relief rule)",
        words => words,
    }
}

fn track_words(track: Track) -> &'static str {
    match track {
        Track::Unknown => "-",
        Track::Application => "application (sentence completed), H&S 11361.8(e)",
        Track::Petition => "petition (still serving), H&S 11361.8(a)",
    }
}
