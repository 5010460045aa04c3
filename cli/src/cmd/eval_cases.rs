//! `blastgraph eval-cases FILE [--mode strict|discovery]`: evaluates a JSON array of
//! self-contained policy cases (the oracle case format, see `tests/oracle/simulate.mjs`)
//! and prints `[{"id": ..., "decision": ...}]`.

use std::path::PathBuf;
use std::process::ExitCode;

use blastgraph_engine::policy::cases::{explain_case, run_cases};
use blastgraph_engine::policy::Mode;
use serde_json::{json, Value};

/// Arguments of `eval-cases`.
#[derive(Debug, clap::Args)]
pub struct EvalCasesArgs {
    /// JSON file holding an array of cases (`-` for standard input).
    pub file: PathBuf,
    /// How keys absent from a case's context are treated (a case's own `mode` wins).
    #[arg(long, value_enum, default_value_t = ModeArg::Strict)]
    pub mode: ModeArg,
    /// Add each decision's explanation (statements per layer, unknown keys).
    #[arg(long)]
    pub explain: bool,
}

/// `--mode` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ModeArg {
    /// Absent keys are absent (AWS's missing-key rules).
    Strict,
    /// Absent keys are unknown: decisions that depend on them are `conditional`.
    Discovery,
}

/// Bad input for `eval-cases` (exit status 2).
#[derive(Debug, thiserror::Error)]
pub enum EvalCasesError {
    /// The file cannot be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not JSON.
    #[error("{path} is not JSON: {source}")]
    Json {
        /// The file.
        path: String,
        /// Why.
        source: serde_json::Error,
    },
    /// A case is malformed.
    #[error("{path}: {source}")]
    Case {
        /// The file.
        path: String,
        /// Why.
        source: blastgraph_engine::policy::cases::CaseFormatError,
    },
}

impl EvalCasesError {
    /// The process exit code for this error (2: bad input).
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(2)
    }
}

/// Runs the command, writing the results to standard output.
pub fn run(args: &EvalCasesArgs) -> Result<ExitCode, EvalCasesError> {
    let out = evaluate_file(args)?;
    println!(
        "{}",
        serde_json::to_string(&out).unwrap_or_else(|_| "[]".into())
    );
    Ok(ExitCode::SUCCESS)
}

/// Reads and evaluates the cases, returning the JSON output.
pub fn evaluate_file(args: &EvalCasesArgs) -> Result<Value, EvalCasesError> {
    let path = args.file.display().to_string();
    let text = if path == "-" {
        std::io::read_to_string(std::io::stdin())
    } else {
        std::fs::read_to_string(&args.file)
    }
    .map_err(|source| EvalCasesError::Read {
        path: path.clone(),
        source,
    })?;
    let cases: Value = serde_json::from_str(&text).map_err(|source| EvalCasesError::Json {
        path: path.clone(),
        source,
    })?;
    let mode = match args.mode {
        ModeArg::Strict => Mode::Strict,
        ModeArg::Discovery => Mode::Discovery,
    };
    let results =
        run_cases(&cases, mode).map_err(|source| EvalCasesError::Case { path, source })?;
    let explanations: Vec<Option<String>> = match (&cases, args.explain) {
        (Value::Array(items), true) => items
            .iter()
            .map(|c| explain_case(c, mode).ok().map(|e| e.to_string()))
            .collect(),
        _ => vec![None; results.len()],
    };
    Ok(Value::Array(
        results
            .into_iter()
            .zip(explanations)
            .map(|(r, explanation)| {
                let mut out = json!({"id": r.id, "decision": r.decision});
                if let Some(e) = r.error {
                    out["error"] = json!(e);
                }
                if let Some(x) = explanation {
                    out["explanation"] = json!(x);
                }
                out
            })
            .collect(),
    ))
}
