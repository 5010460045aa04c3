//! `blastgraph what-can-reach ACTION_PATTERN [--on RESOURCE_PATTERN] [--from KIND...]`.

use super::query_args::{print_text, query_error, style, with_analysis, Format, SnapshotArg};
use crate::error::{CliError, CliResult};
use blastgraph_query::names::parse_kinds;
use blastgraph_query::names::resolve;
use blastgraph_query::what_can_reach::{Answer, WhatCanReachQuery};
use blastgraph_query::{dot, table};
use clap::Args;
use std::collections::BTreeSet;
use std::io::{BufWriter, ErrorKind, Write};
use std::process::ExitCode;

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
    /// Output format. JSON lists every finding (streamed, source by source).
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
    /// The table shows the N widest sources and N targets per source outside the
    /// accounts it administers (0: everything); the JSON is never cut.
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub limit: usize,
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
        let answer = Answer::new(analysis, &query).map_err(query_error)?;
        match args.format {
            Format::Json => write_json(&answer),
            Format::Table => {
                print_text(&table::what_can_reach_summary(&answer, args.limit, style()))
            }
            Format::Dot => {
                let mut nodes = BTreeSet::new();
                answer.for_each_source(|findings| {
                    for finding in findings {
                        let ids = std::iter::once(finding.source)
                            .chain(finding.path.iter().map(|s| s.to.as_str()));
                        for id in ids {
                            nodes.insert(resolve(analysis, id).map_err(query_error)?);
                        }
                    }
                    Ok::<_, CliError>(())
                })?;
                print_text(&dot::render(analysis, &nodes, false))
            }
        }
    })
}

/// Streams the JSON contract to standard output; a closed pipe ends it quietly.
fn write_json(answer: &Answer<'_, '_>) -> CliResult {
    let stdout = std::io::stdout().lock();
    let mut out = BufWriter::with_capacity(1 << 16, stdout);
    match answer.write_json(&mut out).and_then(|()| out.flush()) {
        Err(e) if e.kind() != ErrorKind::BrokenPipe => Err(CliError::Failure(format!(
            "cannot write to standard output: {e}"
        ))),
        _ => Ok(ExitCode::SUCCESS),
    }
}
