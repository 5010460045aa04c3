//! `blastgraph diff OLD NEW`: how the blast radius changed between two snapshots.
//!
//! Compared per source: identities reached (a new one is an added path, a lost one a
//! removed path), accounts administered (new cross-account admin is called out on its
//! own), crown-jewel actions, and the counts (a source whose identity or resource
//! count grew is listed once with both counts). Added reach is explained by its path in
//! the new snapshot, removed reach by its path in the old one. Growth is at level
//! error, shrinkage at level note, so the report "passes" when nothing grew.

use super::targets::{Identities, Jewels, Translation};
use super::{OrgReach, SourceReach};
use crate::report::{Finding, Level, Report, ReportItem, RuleInfo};
use roaring::RoaringBitmap;
use std::collections::BTreeMap;

/// The rule ids of a diff, with their level and meaning.
const RULES: [(&str, Level, &str); 8] = [
    (
        "diff/added-path",
        Level::Error,
        "a source reaches an identity it did not reach before",
    ),
    (
        "diff/removed-path",
        Level::Note,
        "a source no longer reaches an identity",
    ),
    (
        "diff/new-crown-jewel",
        Level::Error,
        "a source reaches a crown-jewel action it did not reach before",
    ),
    (
        "diff/removed-crown-jewel",
        Level::Note,
        "a source no longer reaches a crown-jewel action",
    ),
    (
        "diff/new-cross-account-admin",
        Level::Error,
        "a source administers another account it did not administer before",
    ),
    (
        "diff/new-admin",
        Level::Error,
        "a source administers its own account, which it did not before",
    ),
    (
        "diff/removed-admin",
        Level::Note,
        "a source no longer administers an account",
    ),
    (
        "diff/reach-grew",
        Level::Error,
        "a source reaches more identities or resources than before",
    ),
];

/// Compares the reach of two snapshots.
pub fn diff(old: &OrgReach, new: &OrgReach) -> Report {
    let mut report = Report::new("blastgraph diff");
    report.rules = RULES
        .iter()
        .map(|(id, level, description)| RuleInfo {
            id: (*id).into(),
            description: (*description).into(),
            level: *level,
        })
        .collect();
    let empty_old: BTreeMap<&str, &SourceReach> =
        old.sources.iter().map(|s| (s.source.as_str(), s)).collect();
    let empty_new: BTreeMap<&str, &SourceReach> =
        new.sources.iter().map(|s| (s.source.as_str(), s)).collect();
    let mut ids: Vec<&str> = empty_old.keys().chain(empty_new.keys()).copied().collect();
    ids.sort_unstable();
    ids.dedup();
    let to_new = Tables {
        identities: Translation::new(&old.identity_names, &new.identity_names),
        resources: Translation::new(&old.resource_names, &new.resource_names),
    };
    let to_old = Tables {
        identities: Translation::new(&new.identity_names, &old.identity_names),
        resources: Translation::new(&new.resource_names, &old.resource_names),
    };
    for id in ids {
        let before = empty_old.get(id).copied();
        let after = empty_new.get(id).copied();
        report
            .items
            .extend(source_diff(id, before, after, &to_new, &to_old));
    }
    report.add_summary("sources before", old.sources.len());
    report.add_summary("sources after", new.sources.len());
    let count = |rule: &str| report.items.iter().filter(|i| i.rule_id == rule).count();
    let counts: Vec<(String, usize)> = RULES
        .iter()
        .map(|(id, _, _)| (id.trim_start_matches("diff/").replace('-', " "), count(id)))
        .collect();
    for (label, n) in counts {
        report.add_summary(label, n);
    }
    report.coverage_gaps = old
        .coverage_gaps
        .iter()
        .map(|g| format!("old: {g}"))
        .chain(new.coverage_gaps.iter().map(|g| format!("new: {g}")))
        .collect();
    report.sorted()
}

/// Maps of one side's table ids to the other's.
struct Tables {
    identities: Translation,
    resources: Translation,
}

fn item(rule: usize, source: &str, finding: Finding, message: String) -> ReportItem {
    ReportItem {
        rule_id: RULES[rule].0.into(),
        level: RULES[rule].1,
        source: source.into(),
        target: finding.target,
        actions: finding.actions,
        conditional: finding.conditional,
        message,
        path: finding.path,
    }
}

/// Administered accounts of `a` not among `b`'s.
fn missing<'a>(a: &'a [Finding], b: &[Finding]) -> Vec<&'a Finding> {
    a.iter()
        .filter(|f| !b.iter().any(|g| g.target == f.target))
        .collect()
}

/// Identities of `a` not in `b` (whose ids `to_a` maps into `a`'s table).
fn missing_identities(
    id: &str,
    a: &Identities,
    b: &Identities,
    to_a: &Translation,
) -> Vec<Finding> {
    (&a.ids - &to_a.set(&b.ids))
        .iter()
        .map(|i| a.finding(id, i))
        .collect()
}

/// Crown-jewel actions of `a` not in `b`, as findings restricted to those actions.
fn missing_actions(id: &str, a: &Jewels, b: &Jewels, to_a: &Translation) -> Vec<Finding> {
    let empty = RoaringBitmap::new();
    let mut actions: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    for (action, ids) in &a.by_action {
        let known = b.by_action.get(action).map(|ids| to_a.set(ids));
        for i in ids - known.as_ref().unwrap_or(&empty) {
            actions.entry(i).or_default().push(action.clone());
        }
    }
    actions
        .into_iter()
        .map(|(i, actions)| a.finding(id, i, actions))
        .collect()
}

fn source_diff(
    id: &str,
    before: Option<&SourceReach>,
    after: Option<&SourceReach>,
    to_new: &Tables,
    to_old: &Tables,
) -> Vec<ReportItem> {
    let nothing = SourceReach::new(id, "");
    let old = before.unwrap_or(&nothing);
    let new = after.unwrap_or(&nothing);
    let mut items = Vec::new();
    for f in missing_identities(id, &new.identities, &old.identities, &to_new.identities) {
        let message = format!("{id} now reaches {}", f.target);
        items.push(item(0, id, f, message));
    }
    for f in missing_identities(id, &old.identities, &new.identities, &to_old.identities) {
        let message = format!("{id} no longer reaches {}", f.target);
        items.push(item(1, id, f, message));
    }
    for f in missing_actions(id, &new.crown_jewels, &old.crown_jewels, &to_new.resources) {
        let message = format!("{id} now reaches {} on {}", f.actions.join(", "), f.target);
        items.push(item(2, id, f, message));
    }
    for f in missing_actions(id, &old.crown_jewels, &new.crown_jewels, &to_old.resources) {
        let message = format!(
            "{id} no longer reaches {} on {}",
            f.actions.join(", "),
            f.target
        );
        items.push(item(3, id, f, message));
    }
    for f in missing(&new.administers, &old.administers) {
        let rule = if new.is_cross_account_admin(f) { 4 } else { 5 };
        let message = format!("{id} now administers account {}", f.target);
        items.push(item(rule, id, f.clone(), message));
    }
    for f in missing(&old.administers, &new.administers) {
        let message = format!("{id} no longer administers account {}", f.target);
        items.push(item(6, id, f.clone(), message));
    }
    let grew = new.identities.len() > old.identities.len() || new.resources > old.resources;
    if before.is_some() && grew {
        items.push(ReportItem {
            rule_id: RULES[7].0.into(),
            level: RULES[7].1,
            source: id.into(),
            target: format!(
                "{} identities, {} resources",
                new.identities.len(),
                new.resources
            ),
            actions: vec![],
            conditional: false,
            message: format!(
                "{id} reaches {} identities (was {}) and {} resources (was {})",
                new.identities.len(),
                old.identities.len(),
                new.resources,
                old.resources
            ),
            path: vec![],
        });
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ci::sample::{self, PAYMENTS_ROLE, WEB};

    #[test]
    fn growth_is_listed_with_new_paths_and_shrinkage_as_notes() {
        let report = diff(&sample::org(), &sample::grown_org());
        assert!(!report.passed);
        let got: Vec<(&str, &str)> = report
            .items
            .iter()
            .map(|i| (i.rule_id.as_str(), i.target.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("diff/added-path", PAYMENTS_ROLE),
                ("diff/new-admin", "222222222222"),
                ("diff/new-crown-jewel", sample::PAYMENTS_SECRET),
                ("diff/new-crown-jewel", sample::WEB_SECRET),
                ("diff/reach-grew", "2 identities, 9 resources"),
            ]
        );
        assert!(report.items.iter().all(|i| i.source == WEB));
        assert_eq!(report.items[0].path.len(), 2);
        assert_eq!(report.items[3].actions, ["kms:Decrypt"]);

        let back = diff(&sample::grown_org(), &sample::org());
        assert!(back.passed);
        assert!(back.items.iter().all(|i| i.level == Level::Note));
        assert_eq!(back.items.len(), 4);
    }

    #[test]
    fn cross_account_admin_is_its_own_rule() {
        let old = sample::org();
        let mut new = old.clone();
        let alice = new
            .sources
            .iter_mut()
            .find(|s| s.source == sample::ALICE)
            .unwrap();
        alice
            .administers
            .push(sample::finding(sample::ALICE, "222222222222", &[], vec![]));
        let report = diff(&old, &new);
        assert_eq!(report.items.len(), 1);
        assert_eq!(report.items[0].rule_id, "diff/new-cross-account-admin");
    }

    #[test]
    fn identical_snapshots_have_no_difference_and_the_output_is_stable() {
        let a = diff(&sample::grown_org(), &sample::grown_org());
        assert!(a.items.is_empty());
        let b = diff(&sample::org(), &sample::grown_org());
        let c = diff(&sample::org(), &sample::grown_org());
        assert_eq!(b.to_json(), c.to_json());
    }
}
