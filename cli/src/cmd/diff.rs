//! `blastgraph diff OLD NEW`: the blast-radius change between two snapshots.

use crate::cmd::ci_common::{render, ReportFormat};
use crate::error::CliResult;
use crate::output;
use crate::snapshot_file;
use blastgraph_engine::graph::analyse_with;
use blastgraph_engine::simulate::SimulationOptions;
use blastgraph_query::ci::diff::diff;
use blastgraph_query::ci::from_graph::{explain, org_reach, Paths};
use blastgraph_query::report::Level;
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
///
/// One analysis is alive at a time (each is the memory of `blast-radius --all`; two
/// at once doubled the peak on large organizations): the old snapshot's reach is
/// kept without its analysis, the new one's analysis explains what was added, and the
/// old snapshot is analysed a second time only when something was removed, to explain
/// it.
pub fn run(args: DiffArgs) -> CliResult {
    let old = snapshot_file::load(&args.old)?;
    let new = snapshot_file::load(&args.new)?;
    let options = SimulationOptions::default().graph_options();
    let before = analyse_with(&old, &options, |analysis| {
        org_reach(analysis, Paths::Omitted)
    });
    // Paths are searched only for the sources a result is about: added reach in the new
    // snapshot, removed reach in the old one.
    let (mut report, added, mut removed) = analyse_with(&new, &options, |new_analysis| {
        let after = org_reach(new_analysis, Paths::Omitted);
        let mut report = diff(&before, &after);
        let (removed, mut added): (Vec<_>, Vec<_>) = report
            .items
            .drain(..)
            .partition(|item| item.level == Level::Note);
        explain(new_analysis, &mut added);
        (report, added, removed)
    });
    drop(before);
    drop(new);
    if !removed.is_empty() {
        analyse_with(&old, &options, |old_analysis| {
            explain(old_analysis, &mut removed)
        });
    }
    report.items = added.into_iter().chain(removed).collect();
    let mut report = report.sorted();
    report.artifact = Some(args.new.display().to_string());
    output::print(&render(&report, args.format))?;
    Ok(ExitCode::SUCCESS)
}
