//! Reports of checks, diffs and simulations, and their output formats.
//!
//! A [`Report`] is a list of [`ReportItem`]s (one per rule violation, grown reach,
//! added or removed path), each naming its source, its target and the explained path
//! between them, plus the [`RuleInfo`] of every rule that was evaluated. The renderers
//! turn one report into a terminal table ([`table`]), a Markdown summary for a pull
//! request comment ([`markdown`]), SARIF 2.1.0 for code-scanning tools ([`sarif`]) or
//! JSON (serde of the report itself, see [`Report::to_json`]).
//!
//! Every renderer is deterministic: [`Report::sorted`] fixes the order of rules and
//! items, and nothing iterates a hash map.

mod finding;
pub mod markdown;
pub mod sarif;
pub mod table;

pub use finding::{Finding, PathStep};

use serde::{Deserialize, Serialize};

/// How serious an item is; the SARIF `level`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Breaks a rule or grows reach: fails the check.
    Error,
    /// Worth a look, does not fail the check (a removed path in a diff that shrank reach
    /// is a note, a conditional finding is a warning).
    Warning,
    /// For information.
    Note,
}

impl Level {
    /// The SARIF spelling (`error`, `warning`, `note`).
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Note => "note",
        }
    }
}

/// A rule that was evaluated (a user rule, or a built-in one such as `baseline/new-identity`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RuleInfo {
    /// A stable id (`rules/payments-secrets`, `baseline/new-admin`, `diff/added-path`).
    pub id: String,
    /// What the rule says, in one sentence.
    pub description: String,
    /// The level of its items.
    pub level: Level,
}

/// One result: a violation, a growth past the baseline, an added or removed path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportItem {
    /// The id of the [`RuleInfo`] it belongs to.
    pub rule_id: String,
    /// Its level (usually the rule's).
    pub level: Level,
    /// The source (compromised workload or credential) the path starts from.
    pub source: String,
    /// What is reached: an identity ARN, an account id, a resource ARN.
    pub target: String,
    /// The actions reached on the target, when it is a resource.
    pub actions: Vec<String>,
    /// Whether the path rests on a condition blastgraph could not decide.
    pub conditional: bool,
    /// One sentence saying what happened.
    pub message: String,
    /// The explained path from the source to the target (empty when the target is the
    /// source itself or no path applies, such as a count over a limit).
    pub path: Vec<PathStep>,
}

/// A key figure of the report (`sources checked: 42`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummaryLine {
    /// What is counted.
    pub label: String,
    /// The value.
    pub value: String,
}

/// The result of a check, a diff or a simulation, ready to render.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// What produced it (`blastgraph check`).
    pub title: String,
    /// Whether everything held (no item at level error).
    pub passed: bool,
    /// The file the results are about (a snapshot, rules or baseline path as given), used
    /// as the SARIF artifact so code-scanning tools can show the results.
    pub artifact: Option<String>,
    /// Every evaluated rule, by id.
    pub rules: Vec<RuleInfo>,
    /// The results, by rule, source, target and actions.
    pub items: Vec<ReportItem>,
    /// Key figures, in the order they were added.
    pub summary: Vec<SummaryLine>,
    /// Coverage gaps of the snapshot(s) that could hide paths.
    pub coverage_gaps: Vec<String>,
}

impl Report {
    /// A report with no rule and no item yet.
    pub fn new(title: impl Into<String>) -> Self {
        Report {
            title: title.into(),
            passed: true,
            artifact: None,
            rules: Vec::new(),
            items: Vec::new(),
            summary: Vec::new(),
            coverage_gaps: Vec::new(),
        }
    }

    /// Adds a key figure.
    pub fn add_summary(&mut self, label: impl Into<String>, value: impl ToString) {
        self.summary.push(SummaryLine {
            label: label.into(),
            value: value.to_string(),
        });
    }

    /// Fixes the order of everything (rules by id, items by rule, source, target,
    /// actions and path, gaps alphabetically), removes exact duplicates and recomputes
    /// [`Report::passed`]. Every renderer expects a sorted report.
    pub fn sorted(mut self) -> Self {
        self.rules.sort();
        self.rules.dedup_by(|a, b| a.id == b.id);
        self.items.sort_by(|a, b| item_key(a).cmp(&item_key(b)));
        self.items.dedup();
        self.coverage_gaps.sort();
        self.coverage_gaps.dedup();
        self.passed = self.items.iter().all(|i| i.level != Level::Error);
        self
    }

    /// The items of level error.
    pub fn errors(&self) -> impl Iterator<Item = &ReportItem> {
        self.items.iter().filter(|i| i.level == Level::Error)
    }

    /// The report as pretty JSON (the `--format json` contract), with a final newline.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }
}

fn item_key(item: &ReportItem) -> impl Ord + '_ {
    (
        &item.rule_id,
        &item.source,
        &item.target,
        &item.actions,
        item.level,
        &item.path,
        item.conditional,
        &item.message,
    )
}

#[cfg(test)]
pub(crate) mod sample;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorting_orders_items_and_recomputes_passed() {
        let report = sample::report();
        let shuffled = {
            let mut r = report.clone();
            r.items.reverse();
            r.rules.reverse();
            r.passed = true;
            r
        };
        let sorted = shuffled.sorted();
        assert_eq!(sorted, report.clone().sorted());
        assert!(!sorted.passed);
        let ids: Vec<_> = sorted.items.iter().map(|i| i.rule_id.as_str()).collect();
        let mut expected = ids.clone();
        expected.sort();
        assert_eq!(ids, expected);
    }

    #[test]
    fn a_report_with_only_notes_passes() {
        let mut report = sample::report();
        for item in &mut report.items {
            item.level = Level::Note;
        }
        assert!(report.sorted().passed);
    }
}
