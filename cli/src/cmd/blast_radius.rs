//! `blastgraph blast-radius SOURCE` and `blastgraph blast-radius --all`.

use super::query_args::{
    print_json, print_text, query_error, style, with_analysis, Format, SnapshotArg,
};
use crate::error::{CliError, CliResult};
use blastgraph_query::blast_radius::{all_sources, blast_radius};
use blastgraph_query::dot::{dot, DotQuery};
use blastgraph_query::names::{parse_kinds, resolve};
use blastgraph_query::table;
use clap::Args;

/// Arguments.
#[derive(Debug, Args)]
pub struct BlastRadiusArgs {
    /// The source: an ARN or a short name (ecs:CLUSTER/FAMILY, eks:CLUSTER/NS/SA,
    /// ec2:INSTANCE_ID, lambda:NAME, role/NAME, user/NAME).
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    pub source: Option<String>,
    /// One summary row per source of the organization, widest reach first.
    #[arg(long)]
    pub all: bool,
    /// With --all: only sources of these kinds.
    #[arg(long, value_name = "KIND", num_args = 1.., requires = "all")]
    pub from: Vec<String>,
    #[command(flatten)]
    pub snapshot: SnapshotArg,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
}

/// Runs the command.
pub fn run(args: BlastRadiusArgs) -> CliResult {
    let kinds = parse_kinds(&args.from).map_err(query_error)?;
    with_analysis(&args.snapshot, |analysis| {
        if args.all {
            let result = all_sources(analysis, &kinds);
            return match args.format {
                Format::Json => print_json(&result),
                Format::Table => print_text(&table::all_sources(&result, style())),
                Format::Dot => Err(CliError::BadInput(
                    "blast-radius --all has no dot form; use `export dot`".into(),
                )),
            };
        }
        let name = args.source.as_deref().unwrap_or_default();
        let source = resolve(analysis, name).map_err(query_error)?;
        match args.format {
            Format::Json => print_json(&blast_radius(analysis, source)),
            Format::Table => print_text(&table::blast_radius(
                &blast_radius(analysis, source),
                style(),
            )),
            Format::Dot => print_text(&dot(
                analysis,
                &DotQuery {
                    from: Some(source),
                    ..DotQuery::default()
                },
            )),
        }
    })
}
