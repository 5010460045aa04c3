//! `blastgraph import gaad FILE... -o SNAPSHOT`: builds a snapshot from
//! `aws iam get-account-authorization-details` output.

use crate::error::{CliError, CliResult};
use crate::snapshot_file;
use blastgraph_collector::gaad::GaadImporter;
use blastgraph_collector::overlay::apply_overlay;
use clap::Subcommand;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The `import` subcommands.
#[derive(Subcommand)]
pub enum ImportCommand {
    /// Import `aws iam get-account-authorization-details` JSON files, one per account
    /// (pages of one account may be separate files, merged into an array, or
    /// concatenated). Only IAM is in such files: every other service is recorded as
    /// not collected, and queries warn about it.
    Gaad {
        /// The GAAD JSON files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// The snapshot file to write (atomically: nothing is written on error).
        #[arg(short, long)]
        output: PathBuf,
        /// The account id, for a single file whose ARNs name no account (made with
        /// `--filter AWSManagedPolicy`, for instance).
        #[arg(long, value_name = "ID")]
        account: Option<String>,
        /// A hand-written overlay adding what GAAD files lack: the organization and its
        /// SCPs, resources, compute (format: `datasets/demo-org/README.md`).
        #[arg(long, value_name = "FILE")]
        overlay: Option<PathBuf>,
    },
}

/// Runs an `import` subcommand.
pub fn run(command: ImportCommand) -> CliResult {
    match command {
        ImportCommand::Gaad {
            files,
            output,
            account,
            overlay,
        } => gaad(&files, &output, account.as_deref(), overlay.as_deref()),
    }
}

fn gaad(
    files: &[PathBuf],
    output: &Path,
    account: Option<&str>,
    overlay: Option<&Path>,
) -> CliResult {
    if account.is_some() && files.len() > 1 {
        return Err(CliError::BadInput(
            "--account applies to a single file; import files of other accounts separately or without it".into(),
        ));
    }
    let mut importer = GaadImporter::new();
    for file in files {
        importer
            .read_file(file, account)
            .map_err(|e| CliError::BadInput(e.to_string()))?;
    }
    let mut import = importer
        .finish(None)
        .map_err(|e| CliError::BadInput(e.to_string()))?;
    if let Some(path) = overlay {
        let text = std::fs::read_to_string(path).map_err(|e| CliError::bad_file(path, e))?;
        apply_overlay(&mut import.snapshot, &path.display().to_string(), &text)
            .map_err(|e| CliError::BadInput(e.to_string()))?;
    }
    for warning in &import.warnings {
        eprintln!("blastgraph: warning: {warning}");
    }
    snapshot_file::save(output, &import.snapshot)?;
    let snapshot = &import.snapshot;
    let roles: usize = snapshot.accounts.iter().map(|a| a.iam.roles.len()).sum();
    eprintln!(
        "blastgraph: imported {} account(s), {roles} roles, {} distinct policy documents into {}",
        snapshot.accounts.len(),
        snapshot.documents.len(),
        output.display()
    );
    Ok(ExitCode::SUCCESS)
}
