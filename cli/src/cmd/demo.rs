//! `blastgraph demo`: the embedded demo organization (`datasets/demo-org/`), built in
//! memory by the real importer; no AWS account and no file needed.

use crate::cmd::info::render_text;
use crate::cmd::query_args::style;
use crate::error::{CliError, CliResult};
use crate::output;
use crate::snapshot_file;
use crate::wrap::{wrap, WIDTH};
use blastgraph_collector::demo;
use blastgraph_engine::graph::{analyse, NodeKind};
use blastgraph_engine::snapshot::format;
use blastgraph_query::blast_radius::all_sources;
use blastgraph_query::info::summarize;
use blastgraph_query::table;
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `demo`.
#[derive(Args)]
pub struct DemoArgs {
    /// Also write the demo snapshot to this file, to explore it with other commands.
    #[arg(short, long)]
    output: Option<PathBuf>,
}

/// Runs `demo`.
pub fn run(args: DemoArgs) -> CliResult {
    let import = demo::build()
        .map_err(|e| CliError::Failure(format!("the embedded demo organization is broken: {e}")))?;
    let snapshot = import.snapshot;
    let encoded_size = format::encode(&snapshot).len() as u64;
    let mut text = String::from(
        "blastgraph demo: the demo organization of datasets/demo-org/ (compiled in: no AWS account, no files)\n\n",
    );
    text.push_str(&render_text(&summarize(&snapshot, Some(encoded_size))));
    text.push_str(&workload_blast_radius(&snapshot));
    text.push_str("\nWhat an analyst should find (datasets/demo-org/README.md):\n");
    for (i, finding) in demo::expected_findings().iter().enumerate() {
        let number = format!("{:>3}. ", i + 1);
        text.push_str(&wrap(finding, WIDTH, &number, "     "));
        text.push('\n');
    }
    output::print(&text)?;
    if let Some(output) = args.output {
        snapshot_file::save(&output, &snapshot)?;
        eprintln!(
            "blastgraph: wrote the demo snapshot to {}",
            output.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The compute sources an attacker lands on, every workload's blast radius in one table,
/// widest reach first: the main job of blastgraph, on the demo organization.
const WORKLOAD_KINDS: [NodeKind; 4] = [
    NodeKind::TaskDefinition,
    NodeKind::ServiceAccount,
    NodeKind::Ec2Instance,
    NodeKind::LambdaFunction,
];

fn workload_blast_radius(snapshot: &blastgraph_engine::snapshot::Snapshot) -> String {
    let rows = analyse(snapshot, |analysis| {
        table::all_sources(&all_sources(analysis, &WORKLOAD_KINDS), style())
    });
    format!(
        "\nBlast radius of every workload (accounts administered, crown-jewel and other resources, identities reachable):\n{rows}\nExplore: `blastgraph demo -o demo.snap`, then `blastgraph blast-radius --snapshot demo.snap frontend:3`, `blastgraph what-can-reach --snapshot demo.snap secretsmanager:GetSecretValue`, `blastgraph path --snapshot demo.snap frontend:3 role/payments-task`.\n"
    )
}
