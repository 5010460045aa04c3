//! `blastgraph info SNAPSHOT [--format text|json]`: what a snapshot holds and misses.
//! The JSON form is the stable contract documented in [`blastgraph_query::info`].

use crate::error::{CliError, CliResult};
use crate::output;
use crate::snapshot_file;
use crate::wrap::{wrap, WIDTH};
use blastgraph_query::info::{summarize, AccountCounts, Gap, Info};
use clap::{Args, ValueEnum};
use std::fmt::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Output formats of `info`.
#[derive(Clone, Copy, Debug, Default, ValueEnum)]
pub enum InfoFormat {
    /// A human-readable summary.
    #[default]
    Text,
    /// The stable JSON contract.
    Json,
}

/// Arguments of `info`.
#[derive(Args)]
pub struct InfoArgs {
    /// The snapshot file.
    snapshot: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = InfoFormat::Text)]
    format: InfoFormat,
}

/// Runs `info`.
pub fn run(args: InfoArgs) -> CliResult {
    let (snapshot, version) = snapshot_file::load_with_version(&args.snapshot)?;
    let size = std::fs::metadata(&args.snapshot)
        .map_err(|e| CliError::bad_file(&args.snapshot, e))?
        .len();
    let mut info = summarize(&snapshot, Some(size));
    info.snapshot.format_version = version;
    match args.format {
        InfoFormat::Text => output::print(&render_text(&info))?,
        InfoFormat::Json => output::print(&(render_json(&info) + "\n"))?,
    }
    Ok(ExitCode::SUCCESS)
}

/// The JSON contract, pretty-printed.
pub fn render_json(info: &Info) -> String {
    serde_json::to_string_pretty(info).expect("Info is JSON-encodable")
}

/// The text summary: snapshot, organization, one block per account with its non-zero
/// counts, documents, coverage gaps.
pub fn render_text(info: &Info) -> String {
    let mut out = String::new();
    let s = &info.snapshot;
    let _ = writeln!(
        out,
        "snapshot: format v{}, {}, made {} by blastgraph {} ({})",
        s.format_version,
        s.size_bytes
            .map(|b| format!("{} on disk", human_bytes(b)))
            .unwrap_or_else(|| "not from a file".into()),
        s.created_at,
        s.tool_version,
        s.origin
    );
    match &info.organization {
        Some(org) => {
            let _ = writeln!(
                out,
                "organization: {} (management account {}), {} units, {} SCPs, {} RCPs",
                org.id, org.management_account_id, org.units, org.scps, org.rcps
            );
        }
        None => out.push_str("organization: none (no SCP or RCP applies)\n"),
    }
    let _ = writeln!(out, "accounts: {}", info.accounts.len());
    for account in &info.accounts {
        let name = account
            .name
            .as_deref()
            .map(|n| format!(" ({n})"))
            .unwrap_or_default();
        let head = format!("  {}{name}: ", account.id);
        let _ = writeln!(
            out,
            "{}",
            wrap(&counts_line(account), WIDTH, &head, "      ")
        );
    }
    if info.accounts.len() > 1 {
        let _ = writeln!(
            out,
            "{}",
            wrap(&counts_line(&info.totals), WIDTH, "  total: ", "      ")
        );
    }
    let _ = writeln!(
        out,
        "policy documents: {} distinct, {}",
        info.documents.distinct,
        human_bytes(info.documents.bytes as u64)
    );
    let gaps = &info.coverage.gaps;
    let _ = writeln!(
        out,
        "coverage: {} collected, {} gaps{}",
        info.coverage.collected,
        gaps.len(),
        if gaps.is_empty() {
            ""
        } else {
            " (results may miss paths through these):"
        }
    );
    for line in gap_lines(gaps) {
        let _ = writeln!(out, "{}", wrap(&line, WIDTH, "  ", "      "));
    }
    out
}

/// One line per account, status and reason, listing the services (with their region
/// when regional), so a GAAD import's eleven uncollected services take one line.
fn gap_lines(gaps: &[Gap]) -> Vec<String> {
    /// (account, status, reason).
    type Key<'a> = (&'a str, &'a str, &'a str);
    let mut groups: Vec<(Key, Vec<String>)> = Vec::new();
    for gap in gaps {
        let key = (gap.account_id.as_str(), gap.status, gap.reason.as_str());
        let service = match &gap.region {
            Some(region) => format!("{} ({region})", gap.service),
            None => gap.service.clone(),
        };
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, services)) => services.push(service),
            None => groups.push((key, vec![service])),
        }
    }
    groups
        .into_iter()
        .map(|((account, status, reason), services)| {
            format!(
                "{account}: {} {}: {reason}",
                services.join(", "),
                status.replace('_', " ")
            )
        })
        .collect()
}

fn counts_line(counts: &AccountCounts) -> String {
    let parts: Vec<String> = counts
        .labelled()
        .iter()
        .enumerate()
        .filter(|(i, (_, n))| *i < 4 || *n > 0)
        .map(|(_, (label, n))| format!("{n} {label}"))
        .collect();
    parts.join(", ")
}

fn human_bytes(bytes: u64) -> String {
    match bytes {
        0..=9_999 => format!("{bytes} B"),
        10_000..=9_999_999 => format!("{:.1} KB", bytes as f64 / 1000.0),
        _ => format!("{:.1} MB", bytes as f64 / 1_000_000.0),
    }
}
