//! `blastgraph snapshot show|export-json|import-json`: the lossless JSON form.

use crate::error::{CliError, CliResult};
use crate::snapshot_file;
use blastgraph_engine::snapshot::Snapshot;
use clap::Subcommand;
use std::path::PathBuf;
use std::process::ExitCode;

/// The `snapshot` subcommands.
#[derive(Subcommand)]
pub enum SnapshotCommand {
    /// Print a snapshot as JSON on standard output.
    Show {
        /// The snapshot file.
        snapshot: PathBuf,
    },
    /// Write a snapshot as JSON to a file (atomically).
    ExportJson {
        /// The snapshot file.
        snapshot: PathBuf,
        /// The JSON file to write.
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Turn the JSON form (edited by hand, or exported) back into a snapshot file.
    ImportJson {
        /// The JSON file.
        json: PathBuf,
        /// The snapshot file to write.
        #[arg(short, long)]
        output: PathBuf,
    },
}

/// Runs a `snapshot` subcommand.
pub fn run(command: SnapshotCommand) -> CliResult {
    match command {
        SnapshotCommand::Show { snapshot } => {
            let snapshot = snapshot_file::load(&snapshot)?;
            crate::output::print(&format!("{}\n", to_json(&snapshot)))?;
        }
        SnapshotCommand::ExportJson { snapshot, output } => {
            let snapshot = snapshot_file::load(&snapshot)?;
            snapshot_file::write_atomically(&output, to_json(&snapshot).as_bytes())?;
        }
        SnapshotCommand::ImportJson { json, output } => {
            let text = std::fs::read_to_string(&json).map_err(|e| CliError::bad_file(&json, e))?;
            let snapshot = from_json(&text).map_err(|e| CliError::bad_file(&json, e))?;
            snapshot_file::save(&output, &snapshot)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn to_json(snapshot: &Snapshot) -> String {
    serde_json::to_string_pretty(snapshot).expect("the snapshot model is JSON-encodable")
}

/// Parses the JSON form, naming the JSON path of the first problem, and validates it.
pub fn from_json(text: &str) -> Result<Snapshot, String> {
    let deserializer = &mut serde_json::Deserializer::from_str(text);
    let snapshot: Snapshot = serde_path_to_error::deserialize(deserializer)
        .map_err(|e| format!("at JSON path {}: {}", e.path(), e.inner()))?;
    let issues = snapshot.validate();
    match issues.first() {
        None => Ok(snapshot),
        Some(first) => Err(format!(
            "snapshot is inconsistent ({} problems), first: {first}",
            issues.len()
        )),
    }
}
