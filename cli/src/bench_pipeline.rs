//! `cmr bench --pipeline`: the generated file through the four services, each in its own
//! process (`cmr serve`) with a durable SQLite store, driven by `cmr run --connect` in a
//! further process. Reports wall time, rows/s, the stage times `cmr run` prints, and the peak
//! resident set of every process.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Instant as Clock;

use anyhow::{Context, Result, bail};

const SERVICES: [&str; 4] = ["ingest", "eligibility", "verification", "filing"];

/// One `cmr serve` child.
struct Service {
    name: &'static str,
    child: Child,
    endpoint: String,
    log: Arc<Mutex<Vec<String>>>,
}

impl Service {
    /// Starts `cmr serve <name>` on a free port with its store under `dir`, and waits for
    /// the line that gives its address.
    fn start(me: &Path, name: &'static str, dir: &Path, ingest: Option<&str>) -> Result<Self> {
        let url = format!(
            "sqlite://{}?mode=rwc",
            dir.join(format!("{name}.db")).display()
        );
        let mut command = Command::new(me);
        command
            .args(["serve", name, "--listen", "127.0.0.1:0"])
            .arg(format!("--{name}-database-url"))
            .arg(url)
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        if let Some(endpoint) = ingest {
            command.args(["--ingest-endpoint", endpoint]);
        }
        let mut child = command.spawn().with_context(|| format!("start {name}"))?;
        let stderr = child.stderr.take().context("stderr")?;
        let mut lines = BufReader::new(stderr).lines();
        let mut endpoint = None;
        for line in lines.by_ref() {
            let line = line?;
            if let Some((_, addr)) = line.split_once(" listening on ") {
                endpoint = Some(format!("http://{}", addr.trim()));
                break;
            }
        }
        let endpoint = endpoint.with_context(|| format!("{name} did not start"))?;
        // Keep draining its log so the pipe never fills; kept for error reports.
        let log = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&log);
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                if let Ok(mut log) = sink.lock() {
                    log.push(line);
                }
            }
        });
        Ok(Self {
            name,
            child,
            endpoint,
            log,
        })
    }

    /// Peak resident set (VmHWM) so far, in KiB.
    fn peak_kib(&self) -> i64 {
        peak_rss_of(&format!("/proc/{}/status", self.child.id()))
    }

    /// SIGTERM, then wait: the graceful path a deployment takes.
    fn stop(mut self) -> Result<()> {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let status = self.child.wait()?;
        if !status.success() {
            let log = self.log.lock().map(|l| l.join("\n")).unwrap_or_default();
            bail!("{} exited with {status}:\n{log}", self.name);
        }
        Ok(())
    }
}

/// VmHWM of a `/proc/<pid>/status` file in KiB, or -1.
pub fn peak_rss_of(status_path: &str) -> i64 {
    std::fs::read_to_string(status_path)
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(-1)
}

/// One measured pass.
struct Pass {
    seconds: f64,
    stages: Vec<String>,
    peaks: Vec<(&'static str, i64)>,
}

fn one_pass(me: &Path, work: &Path, input: &Path, options: &Path, county: &str) -> Result<Pass> {
    let dir = work.join("pipeline");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let mut services = Vec::new();
    for name in SERVICES {
        let ingest = services
            .first()
            .map(|s: &Service| s.endpoint.clone())
            .filter(|_| name == "eligibility");
        services.push(Service::start(me, name, &dir, ingest.as_deref())?);
    }
    let endpoint = |name: &str| {
        services
            .iter()
            .find(|s| s.name == name)
            .map(|s| s.endpoint.clone())
            .unwrap_or_default()
    };
    let out = dir.join("outputs");
    let _ = Command::new("sync").status();
    let started = Clock::now();
    let output = Command::new(me)
        .args([
            "run",
            "--connect",
            "--county",
            county,
            "--compute-at",
            "2019-11-11",
        ])
        .arg("--input-doj")
        .arg(input)
        .arg("--eligibility-options")
        .arg(options)
        .arg("--outputs")
        .arg(&out)
        .args(["--ingest-endpoint", &endpoint("ingest")])
        .args(["--eligibility-endpoint", &endpoint("eligibility")])
        .args(["--verification-endpoint", &endpoint("verification")])
        .arg("--report-peak-rss")
        .output()?;
    let seconds = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    if !output.status.success() {
        bail!("cmr run failed: {}\n{stderr}", output.status);
    }
    let mut peaks: Vec<(&'static str, i64)> =
        services.iter().map(|s| (s.name, s.peak_kib())).collect();
    let client = stderr
        .lines()
        .find_map(|l| l.strip_prefix("peak_rss_kib=")?.trim().parse().ok())
        .unwrap_or(-1);
    peaks.push(("cmr run (client)", client));
    for service in services {
        service.stop()?;
    }
    let stages = stderr
        .lines()
        .filter(|l| l.starts_with("cmr run:"))
        .map(str::to_owned)
        .collect();
    Ok(Pass {
        seconds,
        stages,
        peaks,
    })
}

/// Runs the pipeline benchmark `repeat` times and prints a Markdown table.
pub fn run(work: &Path, input: &Path, options: &Path, county: &str, repeat: u32) -> Result<()> {
    let me = std::env::current_exe()?;
    let rows = count_rows(input)?;
    let mut passes = Vec::new();
    for i in 0..repeat.max(1) {
        let pass = one_pass(&me, work, input, options, county)?;
        eprintln!("pass {}: {:.2} s", i + 1, pass.seconds);
        passes.push(pass);
    }
    passes.sort_by(|a, b| a.seconds.total_cmp(&b.seconds));
    let best = passes[0].seconds;
    let median = &passes[passes.len() / 2];
    println!("| measure | value |");
    println!("|---|---|");
    println!("| input | {} ({rows} rows) |", input.display());
    println!(
        "| wall time, best of {} | {best:.2} s ({:.0} rows/s) |",
        passes.len(),
        rows as f64 / best
    );
    println!(
        "| wall time, median of {} | {:.2} s ({:.0} rows/s) |",
        passes.len(),
        median.seconds,
        rows as f64 / median.seconds
    );
    for (name, _) in &median.peaks {
        let worst = passes
            .iter()
            .flat_map(|p| p.peaks.iter())
            .filter(|(n, _)| n == name)
            .map(|(_, kib)| *kib)
            .max()
            .unwrap_or(-1);
        println!(
            "| peak RSS, {name} (max over passes) | {:.1} MiB |",
            worst as f64 / 1024.0
        );
    }
    println!();
    println!("Stages of the median pass (as `cmr run` printed them):");
    println!();
    for line in &median.stages {
        println!("    {line}");
    }
    Ok(())
}

/// Data rows of the file (lines, less a header line): for rows/s only.
fn count_rows(input: &Path) -> Result<u64> {
    let file = std::fs::File::open(input)?;
    let mut reader = BufReader::with_capacity(1 << 20, file);
    let mut lines = 0u64;
    let mut buffer = Vec::new();
    let mut first = true;
    let mut header = false;
    loop {
        buffer.clear();
        if reader.read_until(b'\n', &mut buffer)? == 0 {
            break;
        }
        if first {
            header = buffer.starts_with(b"RECORD_ID");
            first = false;
        }
        lines += 1;
    }
    Ok(lines - u64::from(header))
}
