//! `cmr evaluate`: gogen's `run` command, file for file and byte for byte (spec §1.6, §5),
//! in two streaming passes so memory grows with subjects, never with rows.

use std::fs;
use std::path::PathBuf;
use std::time::Instant as Clock;

use clap::Args;
use cmr_engine::output::columns_for;
use cmr_engine::pilot_report::{self, ReportStyle};
use cmr_engine::{
    EligibilityOptions, Evaluation, Policy, RunDates, Summary, evaluate, reading_rules,
};

use cmr_record::doj::{ChunkRecords, DojSource, go_os_message};
use cmr_record::subject::FACT_COLUMNS;
use cmr_record::{ErrorType, FactsBatch, FileError, Instant, SubjectBuilder};

use crate::chunk_output::{OutputFiles, check_same_count, format_chunk};
use crate::outputs::{
    Failure, Staged, output_paths, partial_path, report_failures, report_path, run_failure,
};
use crate::pipeline::{CHUNK_BYTES, for_each_chunk, worker_count};
use crate::progress::Progress;

#[derive(Args, Debug, Default, Clone)]
pub struct EvaluateArgs {
    /// DOJ research files, comma-separated (each is evaluated independently).
    #[arg(long, conflicts_with = "input_rap_sheet")]
    pub input_doj: Option<String>,
    /// One person's RAP sheet (text) instead: its counts are read into DOJ rows (the
    /// outputs list them) and evaluated the same way.
    #[arg(long)]
    pub input_rap_sheet: Option<String>,
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
    /// Print `peak_rss_kib=N` (this process's peak resident set) to stderr at the end;
    /// used by `cmr bench`.
    #[arg(long, hide = true)]
    pub report_peak_rss: bool,
    /// Parser threads (default: one per core).
    #[arg(long, hide = true)]
    pub threads: Option<usize>,
    /// Bytes per parse chunk (testing knob; default 1 MiB).
    #[arg(long, hide = true)]
    pub chunk_bytes: Option<usize>,
    /// LA pilot: dismissal age (default 50).
    #[arg(long, hide = true)]
    pub individual_age: Option<i64>,
    /// LA pilot: conviction-free years (default 10).
    #[arg(long, hide = true)]
    pub years_conviction_free: Option<i64>,
}

/// Validated settings of an evaluation (shared with `cmr run`).
pub struct Settings {
    pub(crate) inputs: Vec<String>,
    pub(crate) county: String,
    pub(crate) policy: Policy,
    pub(crate) dates: RunDates,
    pub(crate) outputs: PathBuf,
    pub(crate) suffix: String,
    pub(crate) report_resources: bool,
    pub(crate) threads: usize,
    pub(crate) chunk_bytes: usize,
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
    let mut run = match validate(args, suffix) {
        Ok(run) => run,
        Err(failure) => return report_failures(&err_path, &[failure]),
    };
    // A RAP sheet is evaluated as the DOJ file of its rows, written beside the outputs
    // (it is as personal as they are) and removed afterwards.
    let rap_rows = match &args.input_rap_sheet {
        Some(sheet) => match rap_sheet_as_doj_file(sheet, &run) {
            Ok(path) => {
                run.inputs = vec![path.display().to_string()];
                Some(path)
            }
            Err(failure) => return report_failures(&err_path, &[failure]),
        },
        None => None,
    };
    let code = evaluate_inputs(args, &run, &err_path);
    if let Some(path) = rap_rows {
        let _ = fs::remove_file(path);
    }
    code
}

/// Converts a RAP sheet to `<outputs>/.rap-sheet-rows<suffix>.csv`.
fn rap_sheet_as_doj_file(sheet: &str, run: &Settings) -> Result<PathBuf, Failure> {
    let rows = crate::rap_input::rows_of(sheet, "RAP-SHEET")?;
    let path = run
        .outputs
        .join(format!(".rap-sheet-rows{}.csv", run.suffix));
    crate::rap_input::write_doj_file(&rows, &path).map_err(|error| Failure {
        key: sheet.to_owned(),
        error,
    })?;
    Ok(path)
}

/// Evaluates every input of a validated run and writes the summary.
fn evaluate_inputs(args: &EvaluateArgs, run: &Settings, err_path: &std::path::Path) -> i32 {
    let mut failures = vec![];
    let mut total: Option<Summary> = None;
    let several = run.inputs.len() > 1;
    for (i, path) in run.inputs.iter().enumerate() {
        let index = several.then_some(i + 1);
        match evaluate_file(run, path, index) {
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
        return report_failures(err_path, &failures);
    }
    if args.report_peak_rss {
        eprintln!("peak_rss_kib={}", peak_rss_kib());
    }
    let summary = total.expect("at least one input");
    let json_path = run.outputs.join(format!("gogen{}.json", run.suffix));
    if let Err(e) = fs::write(&json_path, summary.to_json()) {
        eprintln!("{}: {}", json_path.display(), go_os_message(&e));
        return 1;
    }
    0
}

pub(crate) fn validate(args: &EvaluateArgs, suffix: String) -> Result<Settings, Failure> {
    let missing = args.outputs.is_none()
        || (args.input_doj.as_deref().is_none_or(str::is_empty)
            && args.input_rap_sheet.as_deref().is_none_or(str::is_empty))
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
            run_failure(
                "invalid --last-7-years-from date: Must be a valid date in the format YYYY-MM-DD",
            )
        })?,
    };
    let county = args.county.clone().unwrap_or_default();
    let policy = load_policy(args, &county)?;
    let outputs = args.outputs.clone().unwrap_or_default();
    fs::create_dir_all(&outputs).map_err(|e| {
        run_failure(format!(
            "mkdir {}: {}",
            outputs.display(),
            go_os_message(&e)
        ))
    })?;
    Ok(Settings {
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
        report_resources: args.report_peak_rss,
        threads: args.threads.unwrap_or_else(worker_count).max(1),
        chunk_bytes: args.chunk_bytes.unwrap_or(CHUNK_BYTES).max(1),
    })
}

/// The policy the arguments name: an options file (gogen's configurable flow) or a
/// built-in policy by name (checked against the county); the statute policy when neither.
pub(crate) fn load_policy(args: &EvaluateArgs, county: &str) -> Result<Policy, Failure> {
    match (&args.eligibility_options, &args.policy) {
        (Some(path), _) => {
            let text = fs::read_to_string(path).map_err(|e| {
                run_failure(format!("open {}: {}", path.display(), go_os_message(&e)))
            })?;
            let options = EligibilityOptions::from_json(&text)
                .map_err(|e| run_failure(format!("{}: {e}", path.display())))?;
            options.validate().map_err(|e| run_failure(e.0))?;
            Ok(Policy::configurable(options))
        }
        (None, name) => {
            let policy = Policy::named(name.as_deref().unwrap_or("statute"))
                .map_err(|e| run_failure(e.to_string()))?
                .with_la_params(args.individual_age, args.years_conviction_free);
            policy
                .check_county(county)
                .map_err(|e| run_failure(e.to_string()))?;
            Ok(policy)
        }
    }
}

/// Groups one file (pass 1), evaluates it, and writes its three CSVs (pass 2). Both
/// passes parse on every core (see [`crate::pipeline`]).
fn evaluate_file(run: &Settings, path: &str, index: Option<usize>) -> Result<Summary, FileError> {
    let started = Clock::now();
    let (check, fallback) = reading_rules(&run.policy);
    let progress = Progress::new(path);
    let workers = run.threads;

    // Pass 1: parse chunks in parallel, group rows in file order.
    let mut builder = SubjectBuilder::new(fallback);
    let mut chunk_rows: Vec<u64> = Vec::new();
    let mut line_count = 0u64;
    let mut first_fields: Option<usize> = None;
    let mut chunk_lengths: Vec<(usize, u64)> = Vec::new();
    for_each_chunk(
        DojSource::open(path)?.splitter(run.chunk_bytes),
        workers,
        |chunk| {
            let mut records = ChunkRecords::new(chunk, check).keep_only(&FACT_COLUMNS);
            let mut batch = FactsBatch::default();
            let outcome = loop {
                match records.advance() {
                    Ok(true) => batch.push(&records.record, fallback),
                    Ok(false) => break Ok(()),
                    Err(e) => break Err(e),
                }
            };
            (batch, outcome, records.first_record_fields())
        },
        |chunk, (batch, outcome, first)| {
            chunk_lengths.push((chunk.bytes.len(), chunk.lines));
            check_same_count(&mut first_fields, first)?;
            for i in 0..batch.rows.len() {
                let line = batch.rows[i].line;
                builder
                    .add_facts(line_count, &batch, i)
                    .map_err(|e| short_cnt_order(line, &e))?;
                line_count += 1;
            }
            chunk_rows.push(batch.rows.len() as u64);
            progress.rows(line_count);
            outcome
        },
    )?;
    let grouped = builder.finish();
    let read_secs = started.elapsed().as_secs_f64();
    progress.evaluating(grouped.subjects.len());
    let Evaluation { rows, mut summary } =
        evaluate(&grouped, &run.policy, &run.county, run.dates, line_count);
    drop(grouped);
    let eval_secs = started.elapsed().as_secs_f64() - read_secs;

    progress.writing(line_count);
    let layout = Layout {
        rows: chunk_rows,
        lengths: chunk_lengths,
    };
    let mut staged = write_outputs(run, path, index, check, &rows, layout, &progress)?;
    summary.processing_seconds = started.elapsed().as_secs_f64();
    if let Some(style) = ReportStyle::for_policy(&run.policy) {
        let report = pilot_report::render(&summary, &style);
        staged.add(report_path(run, index), report.as_bytes())?;
    }
    staged.commit()?;
    if run.report_resources {
        eprintln!(
            "phases: group {read_secs:.2} s, evaluate {eval_secs:.2} s, write {:.2} s ({} threads)",
            summary.processing_seconds - read_secs - eval_secs,
            run.threads
        );
    }
    progress.done(line_count);
    Ok(summary)
}

fn short_cnt_order(line: u64, e: &cmr_record::subject::ShortCntOrder) -> FileError {
    FileError {
        error_type: ErrorType::Parsing,
        message: format!("record on line {line}: {e}"),
        line: Some(line),
        field: Some("CNT_ORDER"),
        detail: None,
    }
}

/// How pass 1 cut the file: pass 2 cuts it the same way without scanning, and knows
/// where each chunk's rows start.
struct Layout {
    rows: Vec<u64>,
    lengths: Vec<(usize, u64)>,
}

/// Writes the three CSVs of one input under their temporary names (see [`Staged`]).
fn write_outputs(
    run: &Settings,
    path: &str,
    index: Option<usize>,
    check: cmr_record::FieldCheck,
    results: &[cmr_engine::RowResult],
    layout: Layout,
    progress: &Progress,
) -> Result<Staged, FileError> {
    let chunk_rows = &layout.rows;
    let finals = output_paths(run, index);
    let temps: Vec<PathBuf> = finals.iter().map(|p| partial_path(p)).collect();
    let columns = columns_for(&run.policy);
    let mut files = OutputFiles::create(&temps, columns)?;

    // Where each chunk's rows start, from pass 1 (pass 2 cuts the file identically).
    let mut chunk_start = Vec::with_capacity(chunk_rows.len());
    let mut total = 0u64;
    for n in chunk_rows {
        chunk_start.push(total);
        total += n;
    }
    let mut written = 0u64;
    for_each_chunk(
        DojSource::open(path)?.splitter_with_lengths(layout.lengths),
        run.threads,
        |chunk| {
            // A chunk pass 1 did not see matches no results (and fails the count below).
            let first_row = chunk_start
                .get(chunk.seq as usize)
                .copied()
                .unwrap_or(u64::MAX);
            let mut next = results.partition_point(|r| r.row_index < first_row);
            format_chunk(
                chunk,
                check,
                columns,
                first_row,
                &mut |writer, record, row| {
                    let info = match results.get(next) {
                        Some(r) if r.row_index == row => {
                            next += 1;
                            Some(&r.info)
                        }
                        _ => None,
                    };
                    writer.write_row(record, info)
                },
            )
        },
        |chunk, mut out| {
            std::mem::replace(&mut out.outcome, Ok(()))?;
            if chunk_rows.get(chunk.seq as usize) != Some(&out.rows) {
                return Err(FileError::other(format!(
                    "{path} changed while it was being read"
                )));
            }
            files.append(&out)?;
            written += out.rows;
            progress.rows(written);
            Ok(())
        },
    )?;
    files.finish()?;
    Ok(Staged {
        temps,
        finals: finals.into(),
    })
}

/// This process's peak resident set size (VmHWM) in KiB, or -1 where /proc is missing.
pub(crate) fn peak_rss_kib() -> i64 {
    crate::bench_pipeline::peak_rss_of("/proc/self/status")
}
