//! `blastgraph check --snapshot S [--baseline FILE] [--rules FILE]`: nightly CI.
//! Exit 0 when every rule holds and nothing grew past the baseline, 1 otherwise, 2 on
//! bad input.

use crate::cmd::ci_common::{read_text, render, ReportFormat};
use crate::error::{CliError, CliResult};
use crate::output;
use crate::snapshot_file;
use blastgraph_engine::graph::analyse;
use blastgraph_query::ci::baseline::Baseline;
use blastgraph_query::ci::check::{check, CheckInputs};
use blastgraph_query::ci::from_graph::{explain, org_reach, GraphQuery, Paths};
use blastgraph_query::ci::rules::RuleSet;
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `check`.
#[derive(Args)]
pub struct CheckArgs {
    /// The snapshot file.
    #[arg(long, env = "BLASTGRAPH_SNAPSHOT")]
    snapshot: PathBuf,
    /// The accepted blast radius (written by `blastgraph baseline`).
    #[arg(long)]
    baseline: Option<PathBuf>,
    /// The rules file (docs/ci.md).
    #[arg(long)]
    rules: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    format: ReportFormat,
}

/// Runs `check`.
pub fn run(args: CheckArgs) -> CliResult {
    if args.baseline.is_none() && args.rules.is_none() {
        return Err(CliError::BadInput(
            "check needs --baseline FILE, --rules FILE or both".into(),
        ));
    }
    let baseline = match &args.baseline {
        Some(path) => {
            Some(Baseline::parse(&read_text(path)?).map_err(|e| CliError::bad_file(path, e))?)
        }
        None => None,
    };
    let rules = match &args.rules {
        Some(path) => {
            Some(RuleSet::parse(&read_text(path)?).map_err(|e| CliError::bad_file(path, e))?)
        }
        None => None,
    };
    let snapshot = snapshot_file::load(&args.snapshot)?;
    let artifact = args
        .rules
        .as_ref()
        .or(args.baseline.as_ref())
        .map(|p| p.display().to_string());
    let inputs = CheckInputs {
        baseline: baseline.as_ref(),
        rules: rules.as_ref(),
        artifact,
    };
    let report = analyse(&snapshot, |analysis| {
        // Paths are searched only for the sources a result is about.
        let reach = org_reach(analysis, Paths::Omitted);
        let mut report = check(&reach, &GraphQuery::new(analysis), &inputs)?;
        explain(analysis, &mut report.items);
        Ok::<_, String>(report)
    })
    .map_err(|e| {
        let file = args.rules.as_ref().or(args.baseline.as_ref());
        match file {
            Some(path) => CliError::bad_file(path, e),
            None => CliError::BadInput(e),
        }
    })?;
    output::print(&render(&report, args.format))?;
    Ok(if report.passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
