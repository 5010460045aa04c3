//! A human-readable table for the terminal.
//!
//! One block per item: `LEVEL rule source -> target`, the message, then the path one
//! edge per line with its explanation. A header gives the verdict and the key figures.

use super::{Level, Report};
use std::fmt::Write;

/// Renders a sorted report as plain text, ending with a newline.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let verdict = if report.passed { "PASSED" } else { "FAILED" };
    let _ = writeln!(out, "{}: {verdict}", report.title);
    let width = report
        .summary
        .iter()
        .map(|l| l.label.chars().count())
        .max()
        .unwrap_or(0);
    for line in &report.summary {
        let _ = writeln!(out, "  {:<width$}  {}", line.label, line.value);
    }
    for item in &report.items {
        let level = match item.level {
            Level::Error => "ERROR",
            Level::Warning => "WARN ",
            Level::Note => "NOTE ",
        };
        out.push('\n');
        let _ = writeln!(
            out,
            "{level} {}  {} -> {}{}",
            item.rule_id,
            item.source,
            item.target,
            if item.conditional {
                "  (conditional)"
            } else {
                ""
            }
        );
        let _ = writeln!(out, "      {}", item.message);
        if !item.actions.is_empty() {
            let _ = writeln!(out, "      actions: {}", item.actions.join(", "));
        }
        for step in &item.path {
            let _ = writeln!(
                out,
                "      {} -[{}]-> {}\n          {}",
                step.from, step.edge, step.to, step.explanation
            );
        }
    }
    if !report.coverage_gaps.is_empty() {
        out.push_str("\ncoverage gaps that could hide paths:\n");
        for gap in &report.coverage_gaps {
            let _ = writeln!(out, "  {gap}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample;

    #[test]
    fn the_table_shows_verdict_items_and_paths() {
        let text = render(&sample::report().sorted());
        assert!(text.starts_with("blastgraph check: FAILED\n"), "{text}");
        assert!(text.contains("  sources checked  3\n"), "{text}");
        assert!(
            text.contains("ERROR rules/payments-secrets  arn:aws:ecs"),
            "{text}"
        );
        assert!(
            text.contains("-[co-location]-> arn:aws:iam::222222222222:role/payments"),
            "{text}"
        );
        assert!(text.contains("NOTE  diff/removed-path"), "{text}");
    }
}
