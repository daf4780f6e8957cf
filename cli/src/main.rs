//! `cmr`: one binary for the whole Clear My Record suite.

use clap::{Parser, Subcommand};
use cmr::{bench, evaluate, explain, gen_doj, run, serve};

/// mimalloc instead of the system allocator: evaluation allocates and frees a megabyte
/// buffer per chunk on several threads, which glibc's malloc handles with page faults
/// and trimming (measured in docs/PERFORMANCE.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "cmr",
    version,
    about = "Clear My Record: Prop 64 relief from CA DOJ records"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Evaluate DOJ research files and write gogen-compatible results.
    Evaluate(evaluate::EvaluateArgs),
    /// Evaluate DOJ research files through the four gRPC services (ingest, eligibility,
    /// verification) and write the same files as `evaluate`.
    Run(run::RunArgs),
    /// Print one person's decision path: every rule tried, the one that decided, its
    /// reason, citation and facts.
    Explain(explain::ExplainArgs),
    /// The prosecutors' review on the verification service: list, show, concur, challenge,
    /// resolve, bulk actions, the challenge deadline, notices.
    Review(cmr::review::ReviewArgs),
    /// Court paperwork on the filing service: courts, generate, download, mark filed,
    /// record outcomes, the DOJ update file, the impact report.
    File(cmr::file::FileArgs),
    /// Write a seeded synthetic DOJ research file.
    GenDoj(gen_doj::GenDojArgs),
    /// Measure cmr evaluate against the csv-crate read floor on a generated file.
    Bench(bench::BenchArgs),
    /// Run one gRPC service of the suite.
    Serve(serve::ServeArgs),
    /// Run all four services in this process, with SQLite stores under --data-dir.
    Up(serve::UpArgs),
    /// List the built-in policies.
    Policies,
}

fn main() {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Evaluate(args) => evaluate::run(&args),
        Command::Run(args) => run::run(&args),
        Command::Explain(args) => explain::run(&args),
        Command::Review(args) => cmr::review::run(&args),
        Command::File(args) => cmr::file::run(&args),
        Command::GenDoj(args) => match gen_doj::run(&args) {
            Ok(()) => 0,
            Err(e) => {
                eprintln!("cmr gen-doj: {e:#}");
                1
            }
        },
        Command::Bench(args) => match bench::run(&args) {
            Ok(()) => 0,
            Err(e) => {
                eprintln!("cmr bench: {e:#}");
                1
            }
        },
        Command::Serve(args) => match serve::serve(args) {
            Ok(()) => 0,
            Err(e) => {
                eprintln!("cmr serve: {e:#}");
                1
            }
        },
        Command::Up(args) => match serve::up(args) {
            Ok(()) => 0,
            Err(e) => {
                eprintln!("cmr up: {e:#}");
                1
            }
        },
        Command::Policies => {
            for p in cmr_engine::Policy::catalog() {
                println!(
                    "{} v{} ({}): {}",
                    p.name,
                    p.version,
                    p.county.as_deref().unwrap_or("any county"),
                    p.description
                );
            }
            0
        }
    };
    std::process::exit(code);
}
