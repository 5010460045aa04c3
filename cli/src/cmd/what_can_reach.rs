//! `blastgraph what-can-reach ACTION_PATTERN [--on RESOURCE_PATTERN] [--from KIND...]`.

use super::query_args::{
    print_json, print_text, query_error, style, with_analysis, Format, SnapshotArg,
};
use crate::error::CliResult;
use blastgraph_query::names::{parse_kinds, resolve};
use blastgraph_query::what_can_reach::{what_can_reach, WhatCanReachQuery};
use blastgraph_query::{dot, table};
use clap::Args;
use std::collections::BTreeSet;

/// Arguments.
#[derive(Debug, Args)]
pub struct WhatCanReachArgs {
    /// The action, with wildcards: `secretsmanager:*`, `s3:GetObject`.
    pub action_pattern: String,
    /// Only resources whose ARN matches this pattern (`arn:aws:s3:::prod-*`).
    #[arg(long, value_name = "RESOURCE_PATTERN")]
    pub on: Option<String>,
    /// Only sources of these kinds: user, role, ec2, ecs, eks, lambda.
    #[arg(long, value_name = "KIND", num_args = 1..)]
    pub from: Vec<String>,
    #[command(flatten)]
    pub snapshot: SnapshotArg,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
}

/// Runs the command.
pub fn run(args: WhatCanReachArgs) -> CliResult {
    let from = parse_kinds(&args.from).map_err(query_error)?;
    let query = WhatCanReachQuery {
        action_pattern: args.action_pattern.clone(),
        on: args.on.clone(),
        from,
    };
    with_analysis(&args.snapshot, |analysis| {
        let result = what_can_reach(analysis, &query).map_err(query_error)?;
        match args.format {
            Format::Json => print_json(&result),
            Format::Table => print_text(&table::what_can_reach(&result, style())),
            Format::Dot => {
                let mut nodes = BTreeSet::new();
                for finding in &result.findings {
                    for id in
                        std::iter::once(&finding.source).chain(finding.path.iter().map(|s| &s.to))
                    {
                        nodes.insert(resolve(analysis, id).map_err(query_error)?);
                    }
                }
                print_text(&dot::render(analysis, &nodes, false))
            }
        }
    })
}
