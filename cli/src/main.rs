//! `cmr`: one binary for the whole Clear My Record suite.

mod evaluate;
mod progress;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "cmr", version, about = "Clear My Record: Prop 64 relief from CA DOJ records")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Evaluate DOJ research files and write gogen-compatible results.
    Evaluate(evaluate::EvaluateArgs),
    /// List the built-in policies.
    Policies,
}

fn main() {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Evaluate(args) => evaluate::run(&args),
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
