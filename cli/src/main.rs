//! The `blastgraph` command line.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cmd_eval_cases;

/// If this container, node or credential is compromised, what can the attacker reach?
#[derive(Debug, Parser)]
#[command(name = "blastgraph", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Evaluate policy cases (oracle case format) and print each decision.
    EvalCases(cmd_eval_cases::EvalCasesArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::EvalCases(args) => cmd_eval_cases::run(&args).unwrap_or_else(|e| {
            eprintln!("blastgraph eval-cases: {e}");
            e.exit_code()
        }),
    }
}
