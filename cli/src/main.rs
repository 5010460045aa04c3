//! The `blastgraph` command line: parses arguments, reads and writes files, and hands
//! the work to the engine, query and collector crates. Each subcommand lives in its own
//! module under `cmd/`.

mod cmd;
mod error;
mod snapshot_file;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// If this container, node or credential is compromised, what can the attacker reach?
#[derive(Parser)]
#[command(name = "blastgraph", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Show, export or re-import a snapshot file.
    #[command(subcommand)]
    Snapshot(cmd::snapshot::SnapshotCommand),
    /// Snapshot an AWS organization or account (read-only) through the AWS SDK.
    #[cfg(feature = "collect")]
    Collect(Box<cmd::collect::CollectArgs>),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Snapshot(command) => cmd::snapshot::run(command),
        #[cfg(feature = "collect")]
        Command::Collect(args) => cmd::collect::run(*args),
    };
    match result {
        Ok(code) => code,
        Err(error) => error.report(),
    }
}
