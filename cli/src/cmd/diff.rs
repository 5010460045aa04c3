//! `blastgraph diff OLD NEW`: the blast-radius change between two snapshots.

use crate::cmd::ci_common::{reach_of, render, ReportFormat};
use crate::error::CliResult;
use crate::output;
use crate::snapshot_file;
use blastgraph_engine::simulate::SimulationOptions;
use blastgraph_query::ci::diff::diff;
use blastgraph_query::ci::from_graph::Paths;
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `diff`.
#[derive(Args)]
pub struct DiffArgs {
    /// The older snapshot.
    old: PathBuf,
    /// The newer snapshot.
    new: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    format: ReportFormat,
}

/// Runs `diff` (exit 0 whatever changed; `check` is the command that fails a build).
pub fn run(args: DiffArgs) -> CliResult {
    let old = snapshot_file::load(&args.old)?;
    let new = snapshot_file::load(&args.new)?;
    let options = SimulationOptions::default();
    let before = reach_of(&old, &options, Paths::Explained);
    let after = reach_of(&new, &options, Paths::Explained);
    let mut report = diff(&before, &after);
    report.artifact = Some(args.new.display().to_string());
    output::print(&render(&report, args.format))?;
    Ok(ExitCode::SUCCESS)
}
