//! The before/after delta of a what-if simulation.
//!
//! `--format json` of `blastgraph simulate` is a [`Delta`]:
//!
//! ```json
//! {
//!   "changes": ["detached arn:aws:iam::...:policy/admin from arn:aws:iam::...:role/ops"],
//!   "added": [FINDING...],
//!   "removed": [FINDING...],
//!   "sources": [{"source": ID, "kind": KIND,
//!                "before": {"identities": N, "resources": N, "administers": [ACCOUNT...]},
//!                "after": {...}}],
//!   "coverage_gaps": [...]
//! }
//! ```
//!
//! Findings have the shape of `what-can-reach`'s (`source`, `target`, `actions`,
//! `conditional`, `path`); added ones are explained by their path after the change,
//! removed ones by their path before. A finding is the same before and after when its
//! source, target and actions are (a new route to the same target is not a change). With
//! a query, the findings are the query's; without, they are every source's reached
//! identities, administered accounts (target = account id) and crown jewels, and
//! `sources` lists the `blast-radius --all` rows that changed (`null` when the source
//! does not exist on that side).

use super::{OrgReach, SourceReach};
use crate::report::Finding;

pub use super::keys::{compare_keys, KeyDelta, Selection, Selections};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

/// The effect of a simulation on the blast radius.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delta {
    /// What the simulation changed, one line per effect, in order.
    pub changes: Vec<String>,
    /// Newly reachable, by source, target and actions.
    pub added: Vec<Finding>,
    /// No longer reachable, by source, target and actions.
    pub removed: Vec<Finding>,
    /// How many findings the limit left out of `added` and `removed` (absent when none
    /// was left out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unlisted: Option<Unlisted>,
    /// Summary rows that changed, by source.
    pub sources: Vec<SourceChange>,
    /// Coverage gaps that could hide paths.
    pub coverage_gaps: Vec<String>,
}

/// Findings counted but not listed: a delta lists the first findings (in its order) up
/// to a limit, since a change that touches every source can add or remove millions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unlisted {
    /// Added findings not listed.
    pub added: u64,
    /// Removed findings not listed.
    pub removed: u64,
}

/// One source's `blast-radius --all` row before and after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceChange {
    /// The source id.
    pub source: String,
    /// Its kind.
    pub kind: String,
    /// The row before (`None`: the source did not exist).
    pub before: Option<Row>,
    /// The row after (`None`: the source is gone).
    pub after: Option<Row>,
}

/// A `blast-radius --all` row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Row {
    /// Identities reached.
    pub identities: usize,
    /// Resources reached.
    pub resources: usize,
    /// Accounts administered, sorted.
    pub administers: Vec<String>,
}

impl Row {
    fn of(source: &SourceReach) -> Row {
        let mut administers: Vec<String> = source
            .administers
            .iter()
            .map(|f| f.target.clone())
            .collect();
        administers.sort();
        administers.dedup();
        Row {
            identities: source.identities.len(),
            resources: source.resources,
            administers,
        }
    }
}

type Key<'a> = (&'a str, &'a str, &'a [String]);

fn key(finding: &Finding) -> Key<'_> {
    (&finding.source, &finding.target, &finding.actions)
}

/// Sorts findings and keeps one per key (source, target, actions): the order of the
/// delta's lists.
pub fn sort_findings(list: &mut Vec<Finding>) {
    list.sort();
    list.dedup_by(|a, b| key(a) == key(b));
}

/// Findings only in `after` (added) and only in `before` (removed), sorted.
pub fn compare_findings(before: &[Finding], after: &[Finding]) -> (Vec<Finding>, Vec<Finding>) {
    let before_keys: BTreeSet<Key<'_>> = before.iter().map(key).collect();
    let after_keys: BTreeSet<Key<'_>> = after.iter().map(key).collect();
    let mut added: Vec<Finding> = after
        .iter()
        .filter(|f| !before_keys.contains(&key(f)))
        .cloned()
        .collect();
    let mut removed: Vec<Finding> = before
        .iter()
        .filter(|f| !after_keys.contains(&key(f)))
        .cloned()
        .collect();
    sort_findings(&mut added);
    sort_findings(&mut removed);
    (added, removed)
}

/// Every finding of a source: identities, administered accounts, crown jewels.
fn findings_of(source: &SourceReach) -> impl Iterator<Item = Finding> + '_ {
    source
        .identities
        .findings(&source.source)
        .chain(source.administers.iter().cloned())
        .chain(source.crown_jewels.findings(&source.source))
}

/// The delta of two organization-wide reaches, restricted to `only` when given, by
/// flattening every finding (with the paths the reaches hold) and comparing their keys.
/// [`compare_keys`] gives the same delta from the sets alone; this is its definition
/// (the tests hold them equal) and serves reaches small enough to hold explained.
pub fn compare_reach(
    before: &OrgReach,
    after: &OrgReach,
    only: Option<&BTreeSet<String>>,
) -> Delta {
    let keep = |s: &&SourceReach| only.is_none_or(|o| o.contains(&s.source));
    let flatten = |reach: &OrgReach| -> Vec<Finding> {
        reach
            .sources
            .iter()
            .filter(keep)
            .flat_map(findings_of)
            .collect()
    };
    let (added, removed) = compare_findings(&flatten(before), &flatten(after));
    Delta {
        added,
        removed,
        ..changed_rows_and_gaps(before, after, only)
    }
}

/// A delta of the rows that changed and both sides' coverage gaps, without findings.
pub(super) fn changed_rows_and_gaps(
    before: &OrgReach,
    after: &OrgReach,
    only: Option<&BTreeSet<String>>,
) -> Delta {
    Delta {
        sources: changed_rows(before, after, only),
        coverage_gaps: both_gaps(before, after),
        ..Delta::default()
    }
}

/// The `blast-radius --all` rows that differ, by source (kept to `only` when given).
fn changed_rows(
    before: &OrgReach,
    after: &OrgReach,
    only: Option<&BTreeSet<String>>,
) -> Vec<SourceChange> {
    let keep = |s: &&SourceReach| only.is_none_or(|o| o.contains(&s.source));
    let rows = |reach: &OrgReach| -> BTreeMap<String, (String, Row)> {
        reach
            .sources
            .iter()
            .filter(keep)
            .map(|s| (s.source.clone(), (s.kind.clone(), Row::of(s))))
            .collect()
    };
    let (old_rows, new_rows) = (rows(before), rows(after));
    let ids: BTreeSet<&String> = old_rows.keys().chain(new_rows.keys()).collect();
    ids.into_iter()
        .filter_map(|id| {
            let old = old_rows.get(id);
            let new = new_rows.get(id);
            if old.map(|(_, r)| r) == new.map(|(_, r)| r) {
                return None;
            }
            let kind = new.or(old).map(|(k, _)| k.clone()).unwrap_or_default();
            Some(SourceChange {
                source: id.clone(),
                kind,
                before: old.map(|(_, r)| r.clone()),
                after: new.map(|(_, r)| r.clone()),
            })
        })
        .collect()
}

/// The coverage gaps of both sides, sorted, each once.
fn both_gaps(before: &OrgReach, after: &OrgReach) -> Vec<String> {
    let mut coverage_gaps: Vec<String> = before
        .coverage_gaps
        .iter()
        .chain(&after.coverage_gaps)
        .cloned()
        .collect();
    coverage_gaps.sort();
    coverage_gaps.dedup();
    coverage_gaps
}

impl Delta {
    /// Keeps the first `limit` findings of each list (`None`: all), counting the rest
    /// in [`Delta::unlisted`].
    pub fn limit(&mut self, limit: Option<usize>) {
        let Some(limit) = limit else { return };
        let over = |list: &Vec<Finding>| list.len().saturating_sub(limit) as u64;
        let unlisted = Unlisted {
            added: over(&self.added),
            removed: over(&self.removed),
        };
        self.added.truncate(limit);
        self.removed.truncate(limit);
        self.count_unlisted(unlisted);
    }

    /// Adds findings to the unlisted counts (nothing when both are zero).
    pub fn count_unlisted(&mut self, more: Unlisted) {
        if more.added == 0 && more.removed == 0 {
            return;
        }
        let unlisted = self.unlisted.get_or_insert_with(Unlisted::default);
        unlisted.added += more.added;
        unlisted.removed += more.removed;
    }

    /// Pretty JSON with a final newline.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// A terminal rendering: the changes, then added and removed findings with paths,
    /// then the rows that changed.
    pub fn to_table(&self) -> String {
        let mut out = String::new();
        out.push_str("changes:\n");
        for change in &self.changes {
            let _ = writeln!(out, "  {change}");
        }
        let unlisted = self.unlisted.clone().unwrap_or_default();
        let _ = writeln!(
            out,
            "\n{} newly reachable, {} no longer reachable",
            self.added.len() as u64 + unlisted.added,
            self.removed.len() as u64 + unlisted.removed
        );
        if self.unlisted.is_some() {
            let _ = writeln!(
                out,
                "(listed: the first {} and {}; --limit 0 lists every one)",
                self.added.len(),
                self.removed.len()
            );
        }
        for (sign, list) in [("+", &self.added), ("-", &self.removed)] {
            for finding in list {
                let actions = if finding.actions.is_empty() {
                    String::new()
                } else {
                    format!(" [{}]", finding.actions.join(", "))
                };
                let conditional = if finding.conditional {
                    " (conditional)"
                } else {
                    ""
                };
                let _ = writeln!(
                    out,
                    "{sign} {} -> {}{actions}{conditional}",
                    finding.source, finding.target
                );
                for step in &finding.path {
                    let _ = writeln!(
                        out,
                        "      -[{}]-> {}: {}",
                        step.edge, step.to, step.explanation
                    );
                }
            }
        }
        if !self.sources.is_empty() {
            out.push_str(
                "\nsources whose blast radius changed (identities / resources / administers):\n",
            );
            let row = |r: &Option<Row>| match r {
                Some(r) => format!(
                    "{} / {} / [{}]",
                    r.identities,
                    r.resources,
                    r.administers.join(", ")
                ),
                None => "absent".into(),
            };
            for change in &self.sources {
                let _ = writeln!(
                    out,
                    "  {} ({}): {} -> {}",
                    change.source,
                    change.kind,
                    row(&change.before),
                    row(&change.after)
                );
            }
        }
        if !self.coverage_gaps.is_empty() {
            out.push_str("\ncoverage gaps that could hide paths:\n");
            for gap in &self.coverage_gaps {
                let _ = writeln!(out, "  {gap}");
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ci::sample::{self, PAYMENTS_ROLE, WEB};

    #[test]
    fn growth_appears_as_added_findings_and_changed_rows() {
        let delta = compare_reach(&sample::org(), &sample::grown_org(), None);
        let added: Vec<(&str, &str)> = delta
            .added
            .iter()
            .map(|f| (f.source.as_str(), f.target.as_str()))
            .collect();
        assert_eq!(
            added,
            [
                (WEB, "222222222222"),
                (WEB, PAYMENTS_ROLE),
                (WEB, sample::PAYMENTS_SECRET),
                (WEB, sample::WEB_SECRET),
            ]
        );
        // The web secret's actions changed: the old finding is removed.
        assert_eq!(delta.removed.len(), 1);
        assert_eq!(delta.removed[0].target, sample::WEB_SECRET);
        assert_eq!(delta.sources.len(), 1);
        assert_eq!(delta.sources[0].before.as_ref().unwrap().resources, 5);
        assert_eq!(
            delta.sources[0].after.as_ref().unwrap().administers,
            ["222222222222"]
        );
    }

    #[test]
    fn no_change_gives_an_empty_delta() {
        let delta = compare_reach(&sample::org(), &sample::org(), None);
        assert!(delta.added.is_empty() && delta.removed.is_empty() && delta.sources.is_empty());
    }

    #[test]
    fn a_compromised_set_restricts_the_delta() {
        let only: BTreeSet<String> = [sample::ALICE.to_string()].into();
        let delta = compare_reach(&sample::org(), &sample::grown_org(), Some(&only));
        assert!(delta.added.is_empty());
        assert!(delta.sources.is_empty());
    }

    #[test]
    fn a_new_route_to_the_same_target_is_not_a_change() {
        let before = vec![sample::finding(
            WEB,
            PAYMENTS_ROLE,
            &[],
            vec![sample::step(WEB, PAYMENTS_ROLE, "a")],
        )];
        let after = vec![sample::finding(
            WEB,
            PAYMENTS_ROLE,
            &[],
            vec![sample::step(WEB, PAYMENTS_ROLE, "b")],
        )];
        let (added, removed) = compare_findings(&before, &after);
        assert!(added.is_empty() && removed.is_empty());
    }

    #[test]
    fn a_limit_lists_the_first_findings_and_counts_the_rest() {
        let complete = compare_reach(&sample::org(), &sample::grown_org(), None);
        assert!(!complete.to_json().contains("unlisted"));
        let mut limited = complete.clone();
        limited.limit(Some(4));
        assert_eq!(limited, complete, "nothing is over the limit");
        limited.limit(Some(1));
        assert_eq!(limited.added[..], complete.added[..1]);
        assert_eq!(limited.removed, complete.removed);
        assert_eq!(
            limited.unlisted,
            Some(Unlisted {
                added: 3,
                removed: 0
            })
        );
        assert!(limited
            .to_json()
            .contains("\"unlisted\": {\n    \"added\": 3,"));
        let text = limited.to_table();
        assert!(
            text.contains("4 newly reachable, 1 no longer reachable\n(listed: the first 1 and 1;"),
            "{text}"
        );
    }

    #[test]
    fn the_table_lists_changes_and_signed_findings() {
        let mut delta = compare_reach(&sample::org(), &sample::grown_org(), None);
        delta.changes.push("ECScape on for every cluster".into());
        let text = delta.to_table();
        assert!(text.contains("  ECScape on for every cluster\n"), "{text}");
        assert!(
            text.contains(&format!("+ {WEB} -> {PAYMENTS_ROLE}")),
            "{text}"
        );
        assert!(
            text.contains("4 newly reachable, 1 no longer reachable"),
            "{text}"
        );
    }
}
