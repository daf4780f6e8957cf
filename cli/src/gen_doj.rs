//! `cmr gen-doj`: a seeded synthetic DOJ research file for tests and benchmarks, with the
//! distributions and quirks of gogen's own generator.

use std::fs::File;
use std::io::BufWriter;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::Args;
use cmr_gendoj::{GenConfig, Target, generate};
use cmr_record::Instant;

#[derive(Args, Debug)]
#[command(group(clap::ArgGroup::new("size").required(true).args(["rows", "subjects"])))]
pub struct GenDojArgs {
    /// Generate subjects until at least this many rows are written.
    #[arg(long)]
    pub rows: Option<u64>,
    /// Generate exactly this many subjects.
    #[arg(long)]
    pub subjects: Option<u64>,
    /// Target county (about 77% of rows, all Prop 64 cases).
    #[arg(long)]
    pub county: String,
    /// RNG seed: the same seed always gives the same bytes.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Latest possible case date, YYYY-MM-DD.
    #[arg(long, default_value = "2019-11-11")]
    pub now: String,
    /// Output file.
    #[arg(long)]
    pub output: PathBuf,
}

pub fn run(args: &GenDojArgs) -> Result<()> {
    let target = match (args.rows, args.subjects) {
        (Some(r), None) => Target::Rows(r),
        (None, Some(s)) => Target::Subjects(s),
        _ => bail!("give exactly one of --rows or --subjects"),
    };
    let Some(now) = Instant::parse_iso_date(&args.now) else {
        bail!(
            "--now must be a date in the format YYYY-MM-DD, got {:?}",
            args.now
        );
    };
    let (y, m, d) = now.ymd();
    let cfg = GenConfig {
        county: args.county.clone(),
        target,
        seed: args.seed,
        now: (y as i32, m, d),
    };
    let file = File::create(&args.output)
        .with_context(|| format!("cannot create {}", args.output.display()))?;
    let stats = generate(&cfg, BufWriter::with_capacity(1 << 20, file))
        .with_context(|| format!("writing {}", args.output.display()))?;
    eprintln!(
        "wrote {} rows for {} subjects to {}",
        stats.rows,
        stats.subjects,
        args.output.display()
    );
    Ok(())
}
