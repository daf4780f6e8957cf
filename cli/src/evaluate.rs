//! `cmr evaluate`: gogen's `run` command, file for file and byte for byte (spec §1.6, §5),
//! in two streaming passes so memory grows with subjects, never with rows.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant as Clock;

use clap::Args;
use cmr_engine::output::{GogenCsvWriter, columns_for};
use cmr_engine::summary::go_json_string;
use cmr_engine::{EligibilityOptions, Evaluation, Policy, RunDates, Summary, evaluate, reading_rules};
use cmr_record::doj::go_os_message;
use cmr_record::{DojReader, ErrorType, FileError, Instant, SubjectBuilder};

use crate::progress::Progress;

#[derive(Args, Debug, Default, Clone)]
pub struct EvaluateArgs {
    /// DOJ research files, comma-separated (each is evaluated independently).
    #[arg(long)]
    pub input_doj: Option<String>,
    /// County flag, exactly as in STP_ORI_CNTY_NAME (e.g. "SAN JOAQUIN").
    #[arg(long)]
    pub county: Option<String>,
    /// gogen eligibility-options JSON file (the configurable flow).
    #[arg(long, conflicts_with = "policy")]
    pub eligibility_options: Option<PathBuf>,
    /// A named policy instead of an options file (see `cmr policies`).
    #[arg(long)]
    pub policy: Option<String>,
    /// The date every "now" is measured from, YYYY-MM-DD.
    #[arg(long)]
    pub compute_at: Option<String>,
    /// Output directory (created if missing).
    #[arg(long)]
    pub outputs: Option<PathBuf>,
    /// Count "convictions in the last 7 years" back from this date (YYYY-MM-DD) instead of
    /// --compute-at. gogen used the wall clock: give the run date to reproduce its JSON.
    #[arg(long)]
    pub last_7_years_from: Option<String>,
    /// Appended to every output file name as `_<suffix>`.
    #[arg(long)]
    pub file_name_suffix: Option<String>,
    /// LA pilot: dismissal age (default 50).
    #[arg(long, hide = true)]
    pub individual_age: Option<i64>,
    /// LA pilot: conviction-free years (default 10).
    #[arg(long, hide = true)]
    pub years_conviction_free: Option<i64>,
}

/// A failure keyed as gogen keys it: `""` for the run, the input path for a file.
struct Failure {
    key: String,
    error: FileError,
}

fn run_failure(message: impl Into<String>) -> Failure {
    Failure {
        key: String::new(),
        error: FileError::other(message),
    }
}

/// Validated settings of a run.
struct Run {
    inputs: Vec<String>,
    county: String,
    policy: Policy,
    dates: RunDates,
    outputs: PathBuf,
    suffix: String,
}

/// Runs the command; returns the process exit code.
pub fn run(args: &EvaluateArgs) -> i32 {
    let suffix = args
        .file_name_suffix
        .as_deref()
        .map(|s| format!("_{s}"))
        .unwrap_or_default();
    // gogen decides the error file before validating anything.
    let err_dir = args.outputs.clone().unwrap_or_else(|| PathBuf::from("."));
    let err_path = err_dir.join(format!("gogen{suffix}.err"));
    let run = match validate(args, suffix) {
        Ok(run) => run,
        Err(failure) => return report_failures(&err_path, &[failure]),
    };
    let mut failures = vec![];
    let mut total: Option<Summary> = None;
    let several = run.inputs.len() > 1;
    for (i, path) in run.inputs.iter().enumerate() {
        let index = several.then_some(i + 1);
        match evaluate_file(&run, path, index) {
            Ok(summary) => match &mut total {
                Some(t) => t.merge(&summary),
                None => total = Some(summary),
            },
            Err(error) => failures.push(Failure {
                key: path.clone(),
                error,
            }),
        }
    }
    if !failures.is_empty() {
        return report_failures(&err_path, &failures);
    }
    let summary = total.expect("at least one input");
    let json_path = run.outputs.join(format!("gogen{}.json", run.suffix));
    if let Err(e) = fs::write(&json_path, summary.to_json()) {
        eprintln!("{}: {}", json_path.display(), go_os_message(&e));
        return 1;
    }
    0
}

fn validate(args: &EvaluateArgs, suffix: String) -> Result<Run, Failure> {
    let missing = args.outputs.is_none()
        || args.input_doj.as_deref().is_none_or(str::is_empty)
        || args.county.as_deref().is_none_or(str::is_empty)
        || (args.eligibility_options.is_none() && args.policy.is_none())
        || args.compute_at.is_none();
    if missing {
        return Err(run_failure(
            "missing required field: Run cmr evaluate --help for more info",
        ));
    }
    let compute_at = Instant::parse_iso_date(args.compute_at.as_deref().unwrap_or_default())
        .ok_or_else(|| {
            run_failure("invalid --compute-at date: Must be a valid date in the format YYYY-MM-DD")
        })?;
    let last_7_years_from = match &args.last_7_years_from {
        None => compute_at,
        Some(text) => Instant::parse_iso_date(text).ok_or_else(|| {
            run_failure("invalid --last-7-years-from date: Must be a valid date in the format YYYY-MM-DD")
        })?,
    };
    let county = args.county.clone().unwrap_or_default();
    let policy = match (&args.eligibility_options, &args.policy) {
        (Some(path), _) => {
            let text = fs::read_to_string(path).map_err(|e| {
                run_failure(format!("open {}: {}", path.display(), go_os_message(&e)))
            })?;
            let options = EligibilityOptions::from_json(&text)
                .map_err(|e| run_failure(format!("{}: {e}", path.display())))?;
            options.validate().map_err(|e| run_failure(e.0))?;
            Policy::configurable(options)
        }
        (None, Some(name)) => {
            let policy = Policy::named(name)
                .map_err(|e| run_failure(e.to_string()))?
                .with_la_params(args.individual_age, args.years_conviction_free);
            policy
                .check_county(&county)
                .map_err(|e| run_failure(e.to_string()))?;
            policy
        }
        (None, None) => unreachable!("checked above"),
    };
    let outputs = args.outputs.clone().unwrap_or_default();
    fs::create_dir_all(&outputs).map_err(|e| {
        run_failure(format!("mkdir {}: {}", outputs.display(), go_os_message(&e)))
    })?;
    Ok(Run {
        inputs: args
            .input_doj
            .as_deref()
            .unwrap_or_default()
            .split(',')
            .map(str::to_string)
            .collect(),
        county,
        policy,
        dates: RunDates {
            compute_at,
            last_7_years_from,
        },
        outputs,
        suffix,
    })
}

/// Writes `gogen.err` and the same lines to stderr; returns exit code 1.
fn report_failures(err_path: &Path, failures: &[Failure]) -> i32 {
    let mut by_key: BTreeMap<&str, &FileError> = BTreeMap::new();
    for f in failures {
        by_key.insert(&f.key, &f.error);
    }
    let body: Vec<String> = by_key
        .iter()
        .map(|(k, e)| {
            format!(
                "{}:{{\"errorType\":\"{}\",\"errorMessage\":{}}}",
                go_json_string(k),
                e.error_type.as_str(),
                go_json_string(&e.message)
            )
        })
        .collect();
    for (k, e) in &by_key {
        eprintln!("{k}: {}", e.message);
        if e.field.is_some() || e.detail.is_some() {
            eprintln!("  detail: {}", e.describe());
        }
    }
    if let Err(e) = fs::write(err_path, format!("{{{}}}", body.join(","))) {
        eprintln!("open {}: {}", err_path.display(), go_os_message(&e));
    }
    1
}

/// Output names of one input: `All_Results[_i][_S].csv` and friends.
fn output_paths(run: &Run, index: Option<usize>) -> [PathBuf; 3] {
    let i = index.map(|i| format!("_{i}")).unwrap_or_default();
    let s = &run.suffix;
    [
        run.outputs.join(format!("All_Results{i}{s}.csv")),
        run.outputs.join(format!("All_Results_Condensed{i}{s}.csv")),
        run.outputs.join(format!("Prop64_Results{i}{s}.csv")),
    ]
}

/// Groups one file (pass 1), evaluates it, and writes its three CSVs (pass 2).
fn evaluate_file(run: &Run, path: &str, index: Option<usize>) -> Result<Summary, FileError> {
    let started = Clock::now();
    let (check, fallback) = reading_rules(&run.policy);
    let progress = Progress::new(path);

    let mut reader = DojReader::open(path, check)?;
    let mut builder = SubjectBuilder::new(fallback);
    while let Some(row) = reader.next_row()? {
        let line = row.record.line();
        builder.add_row(row.index, row.record).map_err(|e| FileError {
            error_type: ErrorType::Parsing,
            message: format!("record on line {line}: {e}"),
            line: Some(line),
            field: Some("CNT_ORDER"),
            detail: None,
        })?;
        progress.grouped(row.index + 1);
    }
    let line_count = reader.rows_read();
    let grouped = builder.finish();
    progress.evaluating(line_count, grouped.subjects.len());
    let Evaluation { rows, mut summary } =
        evaluate(&grouped, &run.policy, &run.county, run.dates, line_count);
    drop(grouped);

    write_outputs(run, path, index, check, &rows, &progress)?;
    summary.processing_seconds = started.elapsed().as_secs_f64();
    progress.done(line_count);
    Ok(summary)
}

fn write_outputs(
    run: &Run,
    path: &str,
    index: Option<usize>,
    check: cmr_record::FieldCheck,
    rows: &[cmr_engine::RowResult],
    progress: &Progress,
) -> Result<(), FileError> {
    let finals = output_paths(run, index);
    // Written under temporary names and renamed at the end, so a failed run never
    // leaves half a file that looks complete.
    let temps: Vec<PathBuf> = finals.iter().map(|p| p.with_extension("csv.partial")).collect();
    let io_err = |p: &Path, e: std::io::Error| FileError::other(format!("write {}: {}", p.display(), go_os_message(&e)));
    let create = |p: &Path| -> Result<BufWriter<File>, FileError> {
        File::create(p)
            .map(|f| BufWriter::with_capacity(1 << 20, f))
            .map_err(|e| io_err(p, e))
    };
    let mut writer = GogenCsvWriter::new(
        columns_for(&run.policy),
        create(&temps[0])?,
        create(&temps[1])?,
        create(&temps[2])?,
    )
    .map_err(|e| io_err(&temps[0], e))?;
    let mut reader = DojReader::open(path, check)?;
    let mut next = rows.iter().peekable();
    while let Some(row) = reader.next_row()? {
        let info = match next.peek() {
            Some(r) if r.row_index == row.index => next.next().map(|r| &r.info),
            _ => None,
        };
        writer
            .write_row(row.record, info)
            .map_err(|e| io_err(&temps[0], e))?;
        progress.written(row.index + 1);
    }
    let (mut a, mut b, mut c) = writer.finish().map_err(|e| io_err(&temps[0], e))?;
    for w in [&mut a, &mut b, &mut c] {
        w.flush().map_err(|e| io_err(&temps[0], e))?;
    }
    drop((a, b, c));
    for (t, f) in temps.iter().zip(&finals) {
        fs::rename(t, f).map_err(|e| io_err(f, e))?;
    }
    Ok(())
}
