//! `blastgraph baseline --snapshot S -o FILE`: record the accepted blast radius.

use crate::cmd::ci_common::reach_of;
use crate::error::CliResult;
use crate::snapshot_file;
use blastgraph_engine::simulate::SimulationOptions;
use blastgraph_query::ci::baseline::Baseline;
use blastgraph_query::ci::from_graph::Paths;
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `baseline`.
#[derive(Args)]
pub struct BaselineArgs {
    /// The snapshot file.
    #[arg(long, env = "BLASTGRAPH_SNAPSHOT")]
    snapshot: PathBuf,
    /// The baseline file to write (atomically).
    #[arg(short, long)]
    output: PathBuf,
}

/// Runs `baseline`.
pub fn run(args: BaselineArgs) -> CliResult {
    let snapshot = snapshot_file::load(&args.snapshot)?;
    let reach = reach_of(&snapshot, &SimulationOptions::default(), Paths::Omitted);
    let baseline = Baseline::from_reach(&reach);
    snapshot_file::write_atomically(&args.output, baseline.to_json().as_bytes())?;
    eprintln!(
        "blastgraph: baseline of {} sources written to {}",
        baseline.sources.len(),
        args.output.display()
    );
    Ok(ExitCode::SUCCESS)
}
