//! `blastgraph export dot [--from SOURCE | --to TARGET] [--max-depth N] [--format dot|svg]`.

use super::query_args::{query_error, with_analysis, SnapshotArg};
use crate::error::{CliError, CliResult};
use crate::snapshot_file::write_atomically;
use blastgraph_query::dot::{dot, DotQuery};
use blastgraph_query::names::resolve;
use clap::{Args, Subcommand, ValueEnum};
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, ExitCode, Stdio};

/// The `export` subcommands.
#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// A Graphviz graph of the paths.
    Dot(DotArgs),
}

/// Graph formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    /// Graphviz source.
    Dot,
    /// Rendered by Graphviz's `dot` (must be installed).
    Svg,
}

/// Arguments of `export dot`.
#[derive(Debug, Args)]
pub struct DotArgs {
    /// Only what this source reaches.
    #[arg(long, conflicts_with = "to")]
    pub from: Option<String>,
    /// Only what reaches this target.
    #[arg(long)]
    pub to: Option<String>,
    /// At most this many edges away from --from / --to.
    #[arg(long, value_name = "N")]
    pub max_depth: Option<u32>,
    /// Output format.
    #[arg(long, value_enum, default_value = "dot")]
    pub format: GraphFormat,
    /// Write to this file (atomically) instead of standard output.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub snapshot: SnapshotArg,
}

/// Runs an `export` subcommand.
pub fn run(command: ExportCommand) -> CliResult {
    let ExportCommand::Dot(args) = command;
    with_analysis(&args.snapshot, |analysis| {
        let query = DotQuery {
            from: args
                .from
                .as_deref()
                .map(|n| resolve(analysis, n))
                .transpose()
                .map_err(query_error)?,
            to: args
                .to
                .as_deref()
                .map(|n| resolve(analysis, n))
                .transpose()
                .map_err(query_error)?,
            max_depth: args.max_depth,
        };
        let text = dot(analysis, &query);
        let bytes = match args.format {
            GraphFormat::Dot => text.into_bytes(),
            GraphFormat::Svg => render_svg(&text)?,
        };
        match &args.output {
            Some(path) => write_atomically(path, &bytes)?,
            None => std::io::stdout()
                .write_all(&bytes)
                .map_err(|e| CliError::Failure(format!("cannot write to standard output: {e}")))?,
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// Runs Graphviz's `dot -Tsvg`.
fn render_svg(text: &str) -> Result<Vec<u8>, CliError> {
    let mut child = Command::new("dot")
        .arg("-Tsvg")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            CliError::Failure(format!(
                "cannot run Graphviz `dot` ({e}); install graphviz or use --format dot"
            ))
        })?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(text.as_bytes())
            .map_err(|e| CliError::Failure(format!("cannot feed `dot`: {e}")))?;
    }
    let output = child
        .wait_with_output()
        .map_err(|e| CliError::Failure(format!("`dot` failed: {e}")))?;
    if !output.status.success() {
        return Err(CliError::Failure(format!(
            "`dot` failed: {}",
            String::from_utf8_lossy(&output.stderr)
        )));
    }
    Ok(output.stdout)
}
