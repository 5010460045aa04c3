//! Human-readable tables, with ANSI colours when asked (the CLI asks on a TTY).

use crate::blast_radius::{AllSources, BlastRadius};
use crate::coverage::CoverageGap;
use crate::path::PathResult;
use crate::paths::PathStep;
use crate::what_can_reach::WhatCanReach;
use crate::who_can::WhoCan;
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
