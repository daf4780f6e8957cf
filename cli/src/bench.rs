//! `cmr bench`: the benchmark behind docs/PERFORMANCE.md. It generates (or takes) a DOJ
//! file, measures the floor (reading every record with the `csv` crate and nothing
//! else), then runs `cmr evaluate` in a child process and reports wall time, rows/s and
//! the child's peak resident set size.

use std::fs::File;
use std::io::BufReader;
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant as Clock;

use anyhow::{Context, Result, bail};
use clap::Args;

#[derive(Args, Debug)]
pub struct BenchArgs {
    /// Rows to generate when no --input is given.
    #[arg(long, default_value_t = 1_000_000)]
    pub rows: u64,
    /// Use this DOJ file instead of generating one.
    #[arg(long)]
    pub input: Option<PathBuf>,
    /// Working directory for the generated file and outputs.
    #[arg(long, default_value = "target/bench")]
    pub work_dir: PathBuf,
    /// County of the generated file and of the evaluation.
    #[arg(long, default_value = "SACRAMENTO")]
    pub county: String,
    /// Eligibility options (defaults to BEAR's defaults, written to the work dir).
    #[arg(long)]
    pub eligibility_options: Option<PathBuf>,
    /// How many times to repeat each measurement (best and median are reported).
    #[arg(long, default_value_t = 5)]
    pub repeat: u32,
    /// Measure the whole pipeline instead: `cmr run --connect` against the four services,
    /// each `cmr serve` in its own process with a SQLite store (see docs/PERFORMANCE.md).
    #[arg(long)]
    pub pipeline: bool,
}

/// BEAR's default choices (spec §4.1): all four sections dismissed, 5-year thresholds,
/// only-Prop-64 on.
const BEAR_DEFAULTS: &str = r#"{"baselineEligibility":{"dismiss":["11357","11358","11359","11360"],"reduce":[]},"additionalRelief":{"subjectUnder21AtConviction":false,"subjectAgeThreshold":0,"yearsSinceConvictionThreshold":5,"yearsCrimeFreeThreshold":5,"subjectHasOnlyProp64Charges":true,"subjectIsDeceased":false}}"#;

pub fn run(args: &BenchArgs) -> Result<()> {
    std::fs::create_dir_all(&args.work_dir)?;
    let me = std::env::current_exe()?;
    let input = match &args.input {
        Some(p) => p.clone(),
        None => {
            let p = args.work_dir.join(format!("gen_{}.csv", args.rows));
            if !p.exists() {
                let status = Command::new(&me)
                    .args([
                        "gen-doj",
                        "--rows",
                        &args.rows.to_string(),
                        "--county",
                        &args.county,
                    ])
                    .args(["--seed", "1", "--output"])
                    .arg(&p)
                    .status()?;
                if !status.success() {
                    bail!("gen-doj failed");
                }
            }
            p
        }
    };
    let options = match &args.eligibility_options {
        Some(p) => p.clone(),
        None => {
            let p = args.work_dir.join("bear_defaults.json");
            std::fs::write(&p, BEAR_DEFAULTS)?;
            p
        }
    };
    if args.pipeline {
        return crate::bench_pipeline::run(
            &args.work_dir,
            &input,
            &options,
            &args.county,
            args.repeat,
        );
    }
    let bytes = std::fs::metadata(&input)
        .with_context(|| input.display().to_string())?
        .len();

    let mut floor = f64::MAX;
    let mut rows = 0u64;
    for _ in 0..args.repeat {
        let started = Clock::now();
        rows = csv_floor(&input)?;
        floor = floor.min(started.elapsed().as_secs_f64());
    }

    let out = args.work_dir.join("outputs");
    let mut times = Vec::new();
    let mut peak_kib = 0i64;
    for _ in 0..args.repeat {
        let _ = std::fs::remove_dir_all(&out);
        // Flush the previous run's gigabyte of output first, so that its write-back does
        // not land in this run's time.
        let _ = Command::new("sync").status();
        let started = Clock::now();
        let output = Command::new(&me)
            .args([
                "evaluate",
                "--county",
                &args.county,
                "--compute-at",
                "2019-11-11",
            ])
            .arg("--input-doj")
            .arg(&input)
            .arg("--eligibility-options")
            .arg(&options)
            .arg("--outputs")
            .arg(&out)
            .arg("--report-peak-rss")
            .output()?;
        let secs = started.elapsed().as_secs_f64();
        if !output.status.success() {
            bail!(
                "cmr evaluate failed: {}\n{}",
                output.status,
                String::from_utf8_lossy(&output.stderr)
            );
        }
        times.push(secs);
        peak_kib = peak_kib.max(parse_peak(&output.stderr).unwrap_or(-1));
    }
    times.sort_by(f64::total_cmp);
    let best = times[0];
    let median = times[times.len() / 2];
    println!("| measure | value |");
    println!("|---|---|");
    println!(
        "| input | {} ({rows} rows, {:.0} MB) |",
        input.display(),
        bytes as f64 / 1e6
    );
    println!(
        "| csv crate read floor (best of {}) | {floor:.2} s ({:.0} rows/s) |",
        args.repeat,
        rows as f64 / floor
    );
    println!(
        "| cmr evaluate wall time (best of {}) | {best:.2} s ({:.0} rows/s) |",
        args.repeat,
        rows as f64 / best
    );
    println!(
        "| cmr evaluate wall time (median of {}) | {median:.2} s ({:.0} rows/s) |",
        args.repeat,
        rows as f64 / median
    );
    println!(
        "| cmr evaluate / floor (best, median) | {:.2}x, {:.2}x |",
        best / floor,
        median / floor
    );
    println!(
        "| cmr evaluate peak RSS | {:.1} MiB |",
        peak_kib as f64 / 1024.0
    );
    println!(
        "| speed-up per row vs gogen 0.2.13 (47,000 rows/s here; best, median) | {:.1}x, {:.1}x |",
        rows as f64 / best / 47_000.0,
        rows as f64 / median / 47_000.0
    );
    Ok(())
}

/// Reads every record with the `csv` crate and touches nothing else: the cost any
/// evaluator must pay to read the file once.
fn csv_floor(path: &PathBuf) -> Result<u64> {
    let file = File::open(path)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(BufReader::with_capacity(256 * 1024, file));
    let mut record = csv::ByteRecord::new();
    let mut rows = 0;
    while reader.read_byte_record(&mut record)? {
        rows += 1;
    }
    Ok(rows)
}

/// Parses the `peak_rss_kib=N` line that `cmr evaluate --report-peak-rss` prints.
fn parse_peak(stderr: &[u8]) -> Option<i64> {
    String::from_utf8_lossy(stderr)
        .lines()
        .find_map(|l| l.strip_prefix("peak_rss_kib=")?.trim().parse().ok())
}
