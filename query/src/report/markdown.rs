//! A Markdown summary fit for a pull-request comment.
//!
//! A headline (passed or failed, with counts), the key figures, then one section per
//! rule that has items: a table of source, target and path, and a collapsed
//! `<details>` block with every edge's explanation. Table cells escape `|` and line
//! breaks so a hostile name cannot break the layout.

use super::{Finding, Level, Report};
use std::fmt::Write;

/// Renders a sorted report as Markdown, ending with a newline.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let errors = report.errors().count();
    let others = report.items.len() - errors;
    if report.passed {
        let _ = writeln!(out, "### ✅ {}: passed", report.title);
    } else {
        let _ = writeln!(
            out,
            "### ❌ {}: {} failing",
            report.title,
            plural(errors, "result")
        );
    }
    out.push('\n');
    if others > 0 {
        let _ = writeln!(out, "{} for information.\n", plural(others, "other result"));
    }
    if !report.summary.is_empty() {
        out.push_str("| | |\n| --- | --- |\n");
        for line in &report.summary {
            let _ = writeln!(out, "| {} | {} |", cell(&line.label), cell(&line.value));
        }
        out.push('\n');
    }
    for rule in &report.rules {
        let items: Vec<_> = report
            .items
            .iter()
            .filter(|i| i.rule_id == rule.id)
            .collect();
        if items.is_empty() {
            continue;
        }
        let marker = match rule.level {
            Level::Error => "❌",
            Level::Warning => "⚠️",
            Level::Note => "ℹ️",
        };
        let _ = writeln!(out, "#### {marker} `{}` ({})\n", rule.id, items.len());
        let _ = writeln!(out, "{}\n", cell(&rule.description));
        out.push_str("| source | target | actions | path |\n| --- | --- | --- | --- |\n");
        for item in &items {
            let conditional = if item.conditional {
                " (conditional)"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "| `{}` | `{}`{} | {} | {} |",
                code(&item.source),
                code(&item.target),
                conditional,
                cell(&item.actions.join(", ")),
                cell(&Finding::path_line(&item.path)),
            );
        }
        out.push_str("\n<details><summary>Explanations</summary>\n\n");
        for item in &items {
            let _ = writeln!(out, "- {}", cell(&item.message));
            for step in &item.path {
                let _ = writeln!(
                    out,
                    "  - `{}` → `{}` ({}): {}",
                    code(&step.from),
                    code(&step.to),
                    cell(&step.edge),
                    cell(&step.explanation)
                );
            }
        }
        out.push_str("\n</details>\n\n");
    }
    if !report.coverage_gaps.is_empty() {
        let _ = writeln!(
            out,
            "⚠️ Coverage gaps that could hide paths: {}",
            cell(&report.coverage_gaps.join("; "))
        );
    }
    out
}

fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

/// Text safe inside a table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// Text safe inside a code span in a table cell.
fn code(text: &str) -> String {
    cell(text).replace('`', "'")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample;

    #[test]
    fn a_failing_report_lists_every_item_under_its_rule() {
        let report = sample::report().sorted();
        let text = render(&report);
        assert!(
            text.starts_with("### ❌ blastgraph check: 2 results failing"),
            "{text}"
        );
        assert!(
            text.contains("#### ❌ `rules/payments-secrets` (1)"),
            "{text}"
        );
        assert!(text.contains("#### ℹ️ `diff/removed-path` (1)"), "{text}");
        assert!(text.contains("(conditional)"), "{text}");
        assert!(text.contains("-[ecscape]->"), "{text}");
        assert!(text.contains("Coverage gaps"), "{text}");
    }

    #[test]
    fn pipes_and_newlines_cannot_break_a_table() {
        let mut report = sample::report();
        report.items[0].message = "a|b\nc".into();
        report.items[0].source = "x|y`z".into();
        let text = render(&report.sorted());
        assert!(text.contains("a\\|b c"), "{text}");
        assert!(text.contains("`x\\|y'z`"), "{text}");
    }

    #[test]
    fn a_passing_report_says_so() {
        let mut report = Report::new("blastgraph check");
        report.add_summary("sources checked", 0);
        let text = render(&report.sorted());
        assert!(
            text.starts_with("### ✅ blastgraph check: passed"),
            "{text}"
        );
    }
}
