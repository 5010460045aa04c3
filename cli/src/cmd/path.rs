//! `blastgraph path SOURCE TARGET`.

use super::query_args::{
    print_json, print_text, query_error, style, with_analysis, Format, SnapshotArg,
};
use crate::error::CliResult;
use blastgraph_query::names::resolve;
use blastgraph_query::{dot, path, table};
use clap::Args;
use std::collections::BTreeSet;

/// Arguments.
#[derive(Debug, Args)]
pub struct PathArgs {
    /// The source (ARN or short name).
    pub source: String,
    /// The target: an identity, a workload, or a resource ARN.
    pub target: String,
    #[command(flatten)]
    pub snapshot: SnapshotArg,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
}

/// Runs the command.
pub fn run(args: PathArgs) -> CliResult {
    with_analysis(&args.snapshot, |analysis| {
        let result = path::path(analysis, &args.source, &args.target).map_err(query_error)?;
        match args.format {
            Format::Json => print_json(&result),
            Format::Table => print_text(&table::path(&result, style())),
            Format::Dot => {
                let mut nodes =
                    BTreeSet::from([resolve(analysis, &result.source).map_err(query_error)?]);
                for step in &result.path {
                    nodes.insert(resolve(analysis, &step.to).map_err(query_error)?);
                }
                print_text(&dot::render(analysis, &nodes, false))
            }
        }
    })
}
