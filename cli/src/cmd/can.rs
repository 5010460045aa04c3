//! `blastgraph can PRINCIPAL ACTION RESOURCE --snapshot S [--context KEY=VALUE...]`:
//! may this principal perform this action on this resource, and why? Assembles every
//! policy layer from the snapshot (identity, groups, boundary, SCPs along the OU path,
//! RCPs, the resource's policy or the role's trust policy) and the context keys the
//! snapshot knows, evaluates, and prints the decision with its explanation.

use std::path::PathBuf;
use std::process::ExitCode;

use blastgraph_engine::policy::explain::{Explanation, Outcome};
use blastgraph_engine::policy::resolve::{resolve, Resolved};
use blastgraph_engine::policy::{Decision, Mode};
use serde_json::{json, Value};

use crate::error::{CliError, CliResult};
use crate::snapshot_file;

/// Arguments of `can`.
#[derive(Debug, clap::Args)]
pub struct CanArgs {
    /// The caller: a user, role or assumed-role session ARN.
    pub principal: String,
    /// The action, `service:Name`.
    pub action: String,
    /// The resource ARN (`*` for actions without resource types).
    pub resource: String,
    /// The snapshot file.
    #[arg(long)]
    pub snapshot: PathBuf,
    /// Request-context values, `KEY=VALUE` (repeatable), e.g. `aws:SourceIp=10.0.0.1`.
    #[arg(long = "context", value_name = "KEY=VALUE")]
    pub context: Vec<String>,
    /// Keys neither the snapshot nor `--context` give: unknown (`discovery`, decisions
    /// that depend on them are conditional) or absent (`strict`).
    #[arg(long, value_enum, default_value_t = CanMode::Discovery)]
    pub mode: CanMode,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CanFormat::Text)]
    pub format: CanFormat,
}

/// `--mode` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CanMode {
    /// Unknown keys are absent.
    Strict,
    /// Unknown keys are unknown.
    Discovery,
}

/// `--format` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CanFormat {
    /// Human-readable.
    Text,
    /// JSON.
    Json,
}

/// Runs the command.
pub fn run(args: CanArgs) -> CliResult {
    let overrides = parse_context(&args.context)?;
    let snapshot = snapshot_file::load(&args.snapshot)?;
    let mode = match args.mode {
        CanMode::Strict => Mode::Strict,
        CanMode::Discovery => Mode::Discovery,
    };
    let main = resolve(
        &snapshot,
        &args.principal,
        &args.action,
        &args.resource,
        &overrides,
        mode,
    )
    .map_err(|e| CliError::BadInput(e.to_string()))?;
    let explanation = main.explain();
    // Reading a secret encrypted with a customer managed key also needs kms:Decrypt.
    let key_check = match &main.secret_key {
        Some(key) => {
            let key_arn = key_arn(key, &args.resource);
            let r = resolve(
                &snapshot,
                &args.principal,
                "kms:Decrypt",
                &key_arn,
                &overrides,
                mode,
            )
            .map_err(|e| CliError::BadInput(e.to_string()))?;
            let e = r.explain();
            Some((r, e))
        }
        None => None,
    };
    let decision = match &key_check {
        Some((_, k)) => combine(explanation.decision, k.decision),
        None => explanation.decision,
    };
    match args.format {
        CanFormat::Text => crate::output::print(&render_text(
            &main,
            &explanation,
            key_check.as_ref(),
            decision,
        ))?,
        CanFormat::Json => {
            let mut out = json!({
                "principal": args.principal,
                "action": args.action,
                "resource": args.resource,
                "decision": decision.as_str(),
                "explanation": explanation_json(&main, &explanation),
            });
            if let Some((r, e)) = &key_check {
                out["kms_decrypt"] = explanation_json(r, e);
            }
            let text = serde_json::to_string_pretty(&out).unwrap_or_default();
            crate::output::print(&format!("{text}\n"))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn parse_context(items: &[String]) -> Result<Vec<(String, String)>, CliError> {
    items
        .iter()
        .map(|kv| match kv.split_once('=') {
            Some((k, v)) if !k.is_empty() => Ok((k.to_owned(), v.to_owned())),
            _ => Err(CliError::BadInput(format!(
                "--context {kv:?}: expected KEY=VALUE"
            ))),
        })
        .collect()
}

/// A key id or ARN to an ARN, in the secret's region and account.
fn key_arn(key: &str, secret_arn: &str) -> String {
    if key.starts_with("arn:") {
        return key.to_owned();
    }
    let parts: Vec<&str> = secret_arn.split(':').collect();
    let (region, account) = (
        parts.get(3).copied().unwrap_or(""),
        parts.get(4).copied().unwrap_or(""),
    );
    format!("arn:aws:kms:{region}:{account}:key/{key}")
}

/// Both must allow.
fn combine(a: Decision, b: Decision) -> Decision {
    use Decision::*;
    match (a, b) {
        (ExplicitDeny, _) | (_, ExplicitDeny) => ExplicitDeny,
        (ImplicitDeny, _) | (_, ImplicitDeny) => ImplicitDeny,
        (Allow, Allow) => Allow,
        _ => Conditional,
    }
}

fn explanation_json(r: &Resolved, e: &Explanation) -> Value {
    json!({
        "decision": e.decision.as_str(),
        "evaluated_as": r.principal.arn,
        "unknown_keys": e.unknown_keys,
        "notes": e.notes.iter().map(|n| n.to_string()).chain(r.notes.iter().cloned()).collect::<Vec<_>>(),
        "statements": e.statements.iter().map(|s| json!({
            "layer": s.layer.to_string(),
            "policy": s.policy,
            "statement": s.statement,
            "effect": s.effect.as_str(),
            "outcome": match &s.outcome {
                Outcome::Applies => json!("applies"),
                Outcome::AppliesIf { unknown_keys, conditions } => json!({"applies_if": conditions, "unknown_keys": unknown_keys}),
                Outcome::NoMatch(why) => json!({"no_match": format!("{why:?}").to_lowercase()}),
            },
        })).collect::<Vec<_>>(),
    })
}

fn render_text(
    r: &Resolved,
    e: &Explanation,
    key: Option<&(Resolved, Explanation)>,
    decision: Decision,
) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}: {} {} on {}",
        decision.as_str(),
        r.principal.arn,
        r.action.key,
        r.resource
    );
    for n in &r.notes {
        let _ = writeln!(out, "note: {n}");
    }
    let _ = write!(out, "{e}");
    if let Some((kr, ke)) = key {
        let _ = writeln!(out, "and kms:Decrypt on the secret's key {}:", kr.resource);
        let _ = write!(out, "{ke}");
    }
    out
}
