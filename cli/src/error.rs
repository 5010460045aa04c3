//! Errors of the command line and the exit codes they map to.
//!
//! Exit codes: 0 success, 1 a check failed (a rule broke, reach grew), 2 bad input or
//! usage (a file that cannot be read, a malformed document, a snapshot of another
//! version), 3 a failure outside the user's input (an I/O error while writing).

use std::process::ExitCode;

/// An error that ends the command.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The input (a file, a document, an argument) is not what was expected.
    #[error("{0}")]
    BadInput(String),
    /// Something outside the input failed.
    #[error("{0}")]
    Failure(String),
}

impl CliError {
    /// A bad-input error about a file.
    pub fn bad_file(path: &std::path::Path, problem: impl std::fmt::Display) -> Self {
        CliError::BadInput(format!("{}: {problem}", path.display()))
    }

    /// Prints the error and returns the exit code for it.
    pub fn report(&self) -> ExitCode {
        eprintln!("blastgraph: error: {self}");
        match self {
            CliError::BadInput(_) => ExitCode::from(2),
            CliError::Failure(_) => ExitCode::from(3),
        }
    }
}

/// What every command returns.
pub type CliResult = Result<ExitCode, CliError>;
