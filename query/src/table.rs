//! Human-readable tables, with ANSI colours when asked (the CLI asks on a TTY).

use crate::blast_radius::administered;
use crate::blast_radius::{AllSources, BlastRadius};
use crate::coverage::CoverageGap;
use crate::path::PathResult;
use crate::paths::PathStep;
use crate::what_can_reach::summary::SourceCount;
use crate::what_can_reach::{Answer, FindingRef, WhatCanReach};
use crate::who_can::WhoCan;
use blastgraph_engine::graph::access::CLASSES;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

/// Text styling.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// Emit ANSI colours.
    pub color: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
    fn bold(&self, text: &str) -> String {
        self.paint("1", text)
    }
    fn red(&self, text: &str) -> String {
        self.paint("31", text)
    }
    fn yellow(&self, text: &str) -> String {
        self.paint("33", text)
    }
    fn dim(&self, text: &str) -> String {
        self.paint("2", text)
    }
}

fn path_lines(out: &mut String, style: Style, path: &[PathStep], indent: &str) {
    for step in path {
        let marker = if step.status == "certain" {
            "->".to_string()
        } else {
            style.yellow(&format!("-({})->", step.status))
        };
        let _ = writeln!(
            out,
            "{indent}{} {marker} {}  [{}]",
            step.from,
            step.to,
            style.bold(&step.edge)
        );
        let _ = writeln!(out, "{indent}    {}", style.dim(&step.explanation));
    }
}

fn gaps(out: &mut String, style: Style, gaps: &[CoverageGap]) {
    if gaps.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\n{}",
        style.yellow(&format!(
            "Coverage gaps that could hide paths ({}):",
            gaps.len()
        ))
    );
    for gap in gaps {
        let place = [
            gap.account.as_deref(),
            gap.region.as_deref(),
            gap.service.as_deref(),
        ]
        .iter()
        .flatten()
        .copied()
        .collect::<Vec<_>>()
        .join("/");
        if place.is_empty() {
            let _ = writeln!(out, "  - {}", gap.problem);
        } else {
            let _ = writeln!(out, "  - {place}: {}", gap.problem);
        }
    }
}

fn flag(style: Style, conditional: bool) -> String {
    if conditional {
        style.yellow("conditional")
    } else {
        "certain".to_string()
    }
}

/// Renders `what-can-reach`.
pub fn what_can_reach(result: &WhatCanReach, style: Style) -> String {
    let mut out = String::new();
    if result.findings.is_empty() {
        out.push_str("No source reaches a matching action.\n");
    }
    let mut last_source = "";
    for f in &result.findings {
        if f.source != last_source {
            let _ = writeln!(out, "\n{} ({})", style.bold(&f.source), f.source_kind);
            last_source = &f.source;
        }
        let _ = writeln!(
            out,
            "  {} {}  [{}]  via {}",
            style.red(&f.target),
            f.actions.join(", "),
            flag(style, f.conditional),
            f.via
        );
        path_lines(&mut out, style, &f.path, "      ");
    }
    let _ = writeln!(out, "\n{} findings.", result.findings.len());
    gaps(&mut out, style, &result.coverage_gaps);
    out
}

/// Renders a `what-can-reach` answer for people: counts first, then the widest `limit`
/// sources (every source when `limit` is 0), each with the accounts it administers
/// collapsed to one line ("administers account X: all N matching resources") and up to
/// `limit` other targets, crown jewels first, each with its explained path (printed once
/// per explaining identity). Whatever is left out is counted and pointed to
/// `--format json`, which lists every finding.
pub fn what_can_reach_summary(answer: &Answer<'_, '_>, limit: usize, style: Style) -> String {
    let analysis = answer.analysis();
    let summary = answer.summary();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} of {} sources reach {} of {} matching resources: {} findings ({} conditional).",
        summary.sources.len(),
        summary.sources_asked,
        summary.targets_reached,
        summary.matching,
        summary.findings,
        summary.conditional
    );
    if summary.sources.is_empty() {
        out.push_str("No source reaches a matching action.\n");
    }
    let shown = if limit == 0 {
        summary.sources.len()
    } else {
        limit.min(summary.sources.len())
    };
    if shown < summary.sources.len() {
        let _ = writeln!(
            out,
            "{}",
            style.yellow(&format!(
                "Showing the {shown} widest sources of {} (--limit N, 0 for all); --format json lists every finding.",
                summary.sources.len()
            ))
        );
    }
    let matching_per_account = matching_per_account(answer);
    let counts: BTreeMap<u32, &SourceCount> = summary.sources[..shown]
        .iter()
        .map(|c| (c.source, c))
        .collect();
    let nodes: Vec<u32> = summary.sources[..shown].iter().map(|c| c.source).collect();
    let _ = answer.for_each_of(&nodes, |node, findings| {
        if let Some(count) = counts.get(&node) {
            source_section(
                &mut out,
                answer,
                count,
                findings,
                &matching_per_account,
                limit,
                style,
            );
        }
        Ok::<_, ()>(())
    });
    gaps(&mut out, style, &crate::coverage::gaps(analysis));
    out
}

/// How many matching resources each account has.
fn matching_per_account<'a>(answer: &Answer<'a, '_>) -> BTreeMap<&'a str, u64> {
    let analysis = answer.analysis();
    let mut counts = BTreeMap::new();
    for r in answer.matching() {
        *counts
            .entry(analysis.access.resources[r as usize].account.as_str())
            .or_default() += 1;
    }
    counts
}

fn is_crown_jewel(finding: &FindingRef<'_>) -> bool {
    finding
        .actions
        .iter()
        .any(|a| CLASSES.iter().any(|c| c.crown_jewel && c.action == *a))
}

fn source_section(
    out: &mut String,
    answer: &Answer<'_, '_>,
    count: &SourceCount,
    findings: &[FindingRef<'_>],
    matching_per_account: &BTreeMap<&str, u64>,
    limit: usize,
    style: Style,
) {
    let analysis = answer.analysis();
    let node = analysis.graph.node(count.source);
    let _ = writeln!(
        out,
        "\n{} ({}): {} targets ({} conditional)",
        style.bold(&node.id),
        node.kind.as_str(),
        count.targets,
        count.conditional
    );
    let administered = administered(analysis, count.source);
    let mut in_account: BTreeMap<&str, (u64, bool)> = BTreeMap::new();
    let mut listed: Vec<&FindingRef<'_>> = Vec::new();
    for f in findings {
        if administered.contains_key(f.account) {
            let entry = in_account.entry(f.account).or_default();
            entry.0 += 1;
            entry.1 |= f.conditional;
        } else {
            listed.push(f);
        }
    }
    // Accounts whose every matching resource is reached: one line for all of them.
    let mut whole: Vec<&str> = Vec::new();
    let (mut whole_resources, mut whole_conditional) = (0u64, false);
    for (account, (reached, conditional)) in &in_account {
        let total = matching_per_account.get(account).copied().unwrap_or(0);
        let (sure, _) = administered[*account];
        if *reached == total {
            whole.push(account);
            whole_resources += total;
            whole_conditional |= *conditional || !sure;
            continue;
        }
        let _ = writeln!(
            out,
            "  administers account {account}: {reached} of {total} matching resources  [{}]",
            flag(style, *conditional || !sure)
        );
    }
    if let [account] = whole[..] {
        let _ = writeln!(
            out,
            "  administers account {account}: all {whole_resources} matching resources  [{}]",
            flag(style, whole_conditional)
        );
    } else if !whole.is_empty() {
        let shown = if limit == 0 {
            whole.len()
        } else {
            limit.min(whole.len())
        };
        let more = if shown < whole.len() {
            format!(" and {} more", whole.len() - shown)
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "  administers {} accounts: all {whole_resources} matching resources in them  [{}]\n    {}{more}",
            whole.len(),
            flag(style, whole_conditional),
            whole[..shown].join(", ")
        );
    }
    listed.sort_by_key(|f| (!is_crown_jewel(f), f.target));
    let show = if limit == 0 {
        listed.len()
    } else {
        limit.min(listed.len())
    };
    let mut explained = BTreeSet::new();
    for f in &listed[..show] {
        let _ = writeln!(
            out,
            "  {} {}  [{}]  via {}",
            style.red(f.target),
            f.actions.join(", "),
            flag(style, f.conditional),
            f.via
        );
        if explained.insert(f.via) {
            path_lines(out, style, f.path, "      ");
        }
    }
    if show < listed.len() {
        let _ = writeln!(
            out,
            "  {}",
            style.dim(&format!(
                "... and {} more targets (--limit N, 0 for all; --format json lists every finding)",
                listed.len() - show
            ))
        );
    }
}

/// Renders `blast-radius SOURCE`.
pub fn blast_radius(result: &BlastRadius, style: Style) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Blast radius of {} ({})",
        style.bold(&result.source),
        result.kind
    );
    let _ = writeln!(
        out,
        "\nAccounts it can administer: {}",
        result.administers.len()
    );
    for a in &result.administers {
        let _ = writeln!(
            out,
            "  {} via {}  [{}]",
            style.red(&a.account),
            a.via,
            flag(style, a.conditional)
        );
        let _ = writeln!(out, "      {}", style.dim(&a.explanation));
        path_lines(&mut out, style, &a.path, "      ");
    }
    let jewels: Vec<_> = result.resources.iter().filter(|r| r.crown_jewel).collect();
    let _ = writeln!(out, "\nCrown jewels: {}", jewels.len());
    for r in jewels {
        let _ = writeln!(
            out,
            "  {}  {}  [{}]",
            style.red(&r.resource),
            r.actions.join(", "),
            flag(style, r.conditional)
        );
    }
    let _ = writeln!(out, "\nResources by service and access level:");
    for row in &result.summary {
        let _ = writeln!(
            out,
            "  {:<16} {:<24} {}",
            row.service,
            row.access_level.as_str(),
            row.resources
        );
    }
    let _ = writeln!(
        out,
        "\nIdentities it can become: {}",
        result.identities.len()
    );
    for i in &result.identities {
        let admin = if i.admin {
            style.red(" admin")
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "  {} ({}, {}){admin}  [{}]",
            i.id,
            i.kind,
            i.account,
            flag(style, i.conditional)
        );
    }
    gaps(&mut out, style, &result.coverage_gaps);
    out
}

/// Renders `blast-radius --all`.
pub fn all_sources(result: &AllSources, style: Style) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<6} {:<8} {:<8} {:<10} {:<18} source",
        "admin", "jewels", "res.", "identities", "kind"
    );
    for s in &result.sources {
        let admin = if s.administers.is_empty() {
            "-".to_string()
        } else {
            style.red(&s.administers.len().to_string())
        };
        let _ = writeln!(
            out,
            "{:<6} {:<8} {:<8} {:<10} {:<18} {}",
            admin, s.crown_jewels, s.resources, s.identities, s.kind, s.source
        );
    }
    gaps(&mut out, style, &result.coverage_gaps);
    out
}

/// Renders `path`.
pub fn path(result: &PathResult, style: Style) -> String {
    let mut out = String::new();
    if !result.reachable {
        let _ = writeln!(out, "{} does not reach {}.", result.source, result.target);
    } else {
        let _ = writeln!(
            out,
            "{} reaches {}  [{}]",
            style.bold(&result.source),
            style.red(&result.target),
            flag(style, result.conditional)
        );
        path_lines(&mut out, style, &result.path, "  ");
        if !result.actions.is_empty() {
            let _ = writeln!(out, "  actions: {}", result.actions.join(", "));
        }
    }
    gaps(&mut out, style, &result.coverage_gaps);
    out
}

/// Renders `who-can`.
pub fn who_can(result: &WhoCan, style: Style) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Who can {} on {}: {}",
        style.bold(&result.action),
        style.bold(&result.resource),
        result.principals.len()
    );
    for p in &result.principals {
        let keys = if p.condition_keys.is_empty() {
            String::new()
        } else {
            format!(" on {}", p.condition_keys.join(", "))
        };
        let _ = writeln!(
            out,
            "  {} ({})  [{}{keys}]",
            p.id,
            p.kind,
            flag(style, p.conditional)
        );
        let _ = writeln!(out, "      {}", style.dim(&p.explanation));
    }
    gaps(&mut out, style, &result.coverage_gaps);
    out
}
