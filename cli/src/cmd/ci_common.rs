//! What `baseline`, `check`, `diff` and `simulate` share: the snapshot argument, report
//! formats, JSON inputs and the per-source reach of a snapshot.

use crate::error::CliError;
use blastgraph_engine::graph::analyse_with;
use blastgraph_engine::simulate::SimulationOptions;
use blastgraph_engine::snapshot::Snapshot;
use blastgraph_query::ci::from_graph::{org_reach, Paths};
use blastgraph_query::ci::OrgReach;
use blastgraph_query::report::{markdown, sarif, table, Report};
use clap::ValueEnum;
use std::path::Path;

/// Output formats of reports (`check`, `diff`).
#[derive(Clone, Copy, Debug, Default, ValueEnum)]
pub enum ReportFormat {
    /// A human-readable table.
    #[default]
    Table,
    /// The JSON contract (docs/ci.md).
    Json,
    /// SARIF 2.1.0.
    Sarif,
    /// A Markdown summary for a pull-request comment.
    Markdown,
}

/// Renders a sorted report.
pub fn render(report: &Report, format: ReportFormat) -> String {
    match format {
        ReportFormat::Table => table::render(report),
        ReportFormat::Json => report.to_json(),
        ReportFormat::Sarif => sarif::render_text(report),
        ReportFormat::Markdown => markdown::render(report),
    }
}

/// Reads a UTF-8 text file; errors name the file.
pub fn read_text(path: &Path) -> Result<String, CliError> {
    std::fs::read_to_string(path).map_err(|e| CliError::bad_file(path, e))
}

/// Reads a JSON file; errors name the file and the position.
pub fn read_json(path: &Path) -> Result<serde_json::Value, CliError> {
    let text = read_text(path)?;
    serde_json::from_str(&text).map_err(|e| CliError::bad_file(path, format!("not JSON: {e}")))
}

/// The reach of every source of a snapshot under simulation options.
pub fn reach_of(snapshot: &Snapshot, options: &SimulationOptions, paths: Paths) -> OrgReach {
    analyse_with(snapshot, &options.graph_options(), |analysis| {
        org_reach(analysis, paths)
    })
}
