//! `blastgraph who-can ACTION RESOURCE`.

use super::query_args::{
    print_json, print_text, query_error, style, with_analysis, Format, SnapshotArg,
};
use crate::error::{CliError, CliResult};
use blastgraph_query::{table, who_can};
use clap::Args;

/// Arguments.
#[derive(Debug, Args)]
pub struct WhoCanArgs {
    /// The action (`s3:GetObject`).
    pub action: String,
    /// The resource ARN.
    pub resource: String,
    #[command(flatten)]
    pub snapshot: SnapshotArg,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
}

/// Runs the command.
pub fn run(args: WhoCanArgs) -> CliResult {
    with_analysis(&args.snapshot, |analysis| {
        let result =
            who_can::who_can(analysis, &args.action, &args.resource).map_err(query_error)?;
        match args.format {
            Format::Json => print_json(&result),
            Format::Table => print_text(&table::who_can(&result, style())),
            Format::Dot => Err(CliError::BadInput("who-can has no dot form".into())),
        }
    })
}
