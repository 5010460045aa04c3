//! What every query command shares: the snapshot argument, the output format, loading
//! and analysing, and printing.

use crate::error::{CliError, CliResult};
use crate::snapshot_file;
use blastgraph_engine::graph::{analyse, Analysis};
use blastgraph_query::table::Style;
use blastgraph_query::QueryError;
use clap::{Args, ValueEnum};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

/// `--snapshot FILE` (or `$BLASTGRAPH_SNAPSHOT`).
#[derive(Debug, Args)]
pub struct SnapshotArg {
    /// The snapshot file to query.
    #[arg(long, env = "BLASTGRAPH_SNAPSHOT", value_name = "FILE")]
    pub snapshot: PathBuf,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A readable table (colours on a terminal).
    Table,
    /// The stable JSON contract (see the README).
    Json,
    /// Graphviz DOT.
    Dot,
}

/// Loads the snapshot, analyses it, and runs `f` on the analysis.
pub fn with_analysis(arg: &SnapshotArg, f: impl FnOnce(&Analysis<'_>) -> CliResult) -> CliResult {
    let snapshot = snapshot_file::load(&arg.snapshot)?;
    analyse(&snapshot, f)
}

/// The table style for standard output.
pub fn style() -> Style {
    Style {
        color: std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    }
}

/// Prints a value as pretty JSON, streamed (see [`crate::output::print_json`]).
pub fn print_json(value: &impl serde::Serialize) -> CliResult {
    crate::output::print_json(value)?;
    Ok(ExitCode::SUCCESS)
}

/// Prints text as is.
pub fn print_text(text: &str) -> CliResult {
    crate::output::print(text)?;
    Ok(ExitCode::SUCCESS)
}

/// A query error is bad input.
pub fn query_error(error: QueryError) -> CliError {
    CliError::BadInput(error.to_string())
}
