//! The `blastgraph` command line: parses arguments, reads and writes files, and hands
//! the work to the engine, query and collector crates. Each subcommand lives in its own
//! module under `cmd/`.

mod cmd;
mod error;
mod output;
mod snapshot_file;
mod wrap;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// mimalloc: the analysis allocates millions of small objects; measured faster than the
/// system allocator on full blast radius (benches/README.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    /// Evaluate policy cases (oracle case format) and print each decision.
    EvalCases(cmd::eval_cases::EvalCasesArgs),
    /// Build a snapshot from files (get-account-authorization-details output).
    #[command(subcommand)]
    Import(cmd::import::ImportCommand),
    /// Show what a snapshot holds: counts per account and kind, coverage gaps, size.
    Info(cmd::info::InfoArgs),
    /// Run on the embedded demo organization: no AWS account, no files.
    Demo(cmd::demo::DemoArgs),
    /// Generate a synthetic organization (deterministic for a seed).
    Gen(cmd::gen::GenArgs),
    /// Record the accepted blast radius of a snapshot (for `check --baseline`).
    Baseline(cmd::baseline::BaselineArgs),
    /// Check a snapshot against rules and a baseline (exit 1 when one breaks).
    Check(cmd::check::CheckArgs),
    /// The blast-radius change between two snapshots.
    Diff(cmd::diff::DiffArgs),
    /// The blast radius before and after hypothetical changes.
    Simulate(cmd::simulate::SimulateArgs),
    /// Every source that can reach a matching action, with the best path for each.
    WhatCanReach(cmd::what_can_reach::WhatCanReachArgs),
    /// What one source can reach, or a summary row per source with --all.
    BlastRadius(cmd::blast_radius::BlastRadiusArgs),
    /// The best explained path from a source to a target.
    Path(cmd::path::PathArgs),
    /// The identities directly allowed an action on a resource.
    WhoCan(cmd::who_can::WhoCanArgs),
    /// Export the graph (Graphviz).
    #[command(subcommand)]
    Export(cmd::export::ExportCommand),
    /// May this principal perform this action on this resource, and why?
    Can(cmd::can::CanArgs),
    /// Snapshot an AWS organization or account (read-only) through the AWS SDK.
    #[cfg(feature = "collect")]
    Collect(Box<cmd::collect::CollectArgs>),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Snapshot(command) => cmd::snapshot::run(command),
        Command::EvalCases(args) => {
            return cmd::eval_cases::run(&args).unwrap_or_else(|e| {
                eprintln!("blastgraph eval-cases: {e}");
                e.exit_code()
            })
        }
        Command::Import(command) => cmd::import::run(command),
        Command::Info(args) => cmd::info::run(args),
        Command::Demo(args) => cmd::demo::run(args),
        Command::Gen(args) => cmd::gen::run(args),
        Command::Baseline(args) => cmd::baseline::run(args),
        Command::Check(args) => cmd::check::run(args),
        Command::Diff(args) => cmd::diff::run(args),
        Command::Simulate(args) => cmd::simulate::run(args),
        Command::WhatCanReach(args) => cmd::what_can_reach::run(args),
        Command::BlastRadius(args) => cmd::blast_radius::run(args),
        Command::Path(args) => cmd::path::run(args),
        Command::WhoCan(args) => cmd::who_can::run(args),
        Command::Export(command) => cmd::export::run(command),
        Command::Can(args) => cmd::can::run(args),
        #[cfg(feature = "collect")]
        Command::Collect(args) => cmd::collect::run(*args),
    };
    match result {
        Ok(code) => code,
        Err(error) => error.report(),
    }
}
