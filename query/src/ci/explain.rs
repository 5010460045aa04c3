//! Explained findings for what a comparison selected, on an analysed snapshot.
//!
//! A reach computed with [`Paths::Omitted`](super::from_graph::Paths) holds every
//! finding's key, certainty and actions but no path; [`explain_selected`] gives the
//! selected findings exactly as an explained reach would hold them (one shortest-path
//! tree per source with a selection, paths only for the selected targets), and
//! [`explained_delta`] is the simulation's delta built that way: compare the omitted
//! reaches' sets ([`compare_keys`]), then explain the added findings on the after analysis
//! and the removed ones on the before analysis.

use super::delta::{sort_findings, Delta, Unlisted};
use super::from_graph::{admin_finding, holders, jewel_path, path_steps, reached};
use super::keys::{compare_keys, Selection, Selections};
use super::{OrgReach, SourceReach};
use crate::report::Finding;
use blastgraph_engine::graph::reach::{shortest_paths_in, SearchOrder};
use blastgraph_engine::graph::Analysis;
use rayon::prelude::*;
use std::collections::{BTreeSet, HashMap};

/// The delta of `before_reach` (of `before`) and `after_reach` (of `after`), restricted
/// to the sources of `only` when given, with the added findings explained on `after` and
/// the removed ones on `before`: the delta [`super::delta::compare_reach`] gives on the
/// same reaches computed with paths. Each list keeps its first `limit` findings (`None`:
/// all), the rest counted in [`Delta::unlisted`]: only the findings listed are explained.
/// Each reach is dropped once its side is explained.
pub fn explained_delta(
    before: &Analysis<'_>,
    before_reach: OrgReach,
    after: &Analysis<'_>,
    after_reach: OrgReach,
    only: Option<&BTreeSet<String>>,
    limit: Option<usize>,
) -> Delta {
    let keys = compare_keys(&before_reach, &after_reach, only);
    let mut delta = keys.delta;
    let (added, unlisted_added) = explain_first(after, &after_reach, &keys.added, limit);
    drop(after_reach);
    let (removed, unlisted_removed) = explain_first(before, &before_reach, &keys.removed, limit);
    drop(before_reach);
    delta.added = added;
    delta.removed = removed;
    delta.count_unlisted(Unlisted {
        added: unlisted_added,
        removed: unlisted_removed,
    });
    delta
}

/// The first `limit` selected findings in the delta's order (by source, then target),
/// explained, and how many were left out. Whole sources are explained until the limit
/// is met, so a source's findings are sorted among themselves before the cut.
fn explain_first(
    analysis: &Analysis<'_>,
    reach: &OrgReach,
    selections: &Selections,
    limit: Option<usize>,
) -> (Vec<Finding>, u64) {
    let total: u64 = selections.values().map(Selection::len).sum();
    let mut taken = Selections::new();
    let mut count = 0;
    for (id, selection) in selections {
        if limit.is_some_and(|limit| count >= limit as u64) {
            break;
        }
        taken.insert(id.clone(), selection.clone());
        count += selection.len();
    }
    let mut findings = explain_selected(analysis, reach, &taken);
    sort_findings(&mut findings);
    if let Some(limit) = limit {
        findings.truncate(limit);
    }
    let left_out = total.saturating_sub(findings.len() as u64);
    (findings, left_out)
}

/// The selected findings of `reach`'s sources (computed on `analysis`, with or without
/// paths), each with the path an explained reach gives it. Sources absent from the
/// reach or the graph are skipped.
pub fn explain_selected(
    analysis: &Analysis<'_>,
    reach: &OrgReach,
    selections: &Selections,
) -> Vec<Finding> {
    if selections.is_empty() {
        return Vec::new();
    }
    let resources = ResourceIndex::new(analysis);
    let order = SearchOrder::new(&analysis.graph);
    let selections: Vec<(&String, &Selection)> = selections.iter().collect();
    selections
        .par_iter()
        .filter_map(|&(id, selection)| {
            let source = reach.source(id)?;
            Some(explain_source(
                analysis, &order, &resources, source, selection,
            ))
        })
        .flatten()
        .collect()
}

/// Each resource ARN's first indexed resource, the one an explained reach explains it by.
struct ResourceIndex<'a> {
    by_arn: HashMap<&'a str, u32>,
}

impl<'a> ResourceIndex<'a> {
    fn new(analysis: &'a Analysis<'_>) -> Self {
        let mut by_arn = HashMap::new();
        for (r, resource) in analysis.access.resources.iter().enumerate() {
            by_arn.entry(resource.arn.as_str()).or_insert(r as u32);
        }
        ResourceIndex { by_arn }
    }
}

/// One source's selected findings, explained.
fn explain_source(
    analysis: &Analysis<'_>,
    order: &SearchOrder,
    resources: &ResourceIndex<'_>,
    source: &SourceReach,
    selection: &Selection,
) -> Vec<Finding> {
    let graph = &analysis.graph;
    let Some(node) = graph.node_by_id(&source.source) else {
        return Vec::new();
    };
    let tree = shortest_paths_in(order, node);
    let reached = reached(analysis, node, Some(&tree));
    let mut findings = Vec::with_capacity(selection.len() as usize);
    let identities = &source.identities;
    for id in &selection.identities {
        let mut finding = identities.finding(&source.source, id);
        if let Some(target) = graph.node_by_id(&identities.names[id as usize]) {
            finding.path = path_steps(analysis, &reached, target);
        }
        findings.push(finding);
    }
    // Principals come best first: the first administrator of an account explains it.
    let mut accounts: BTreeSet<&str> = selection.accounts.iter().map(String::as_str).collect();
    for &(m, certain) in &reached.principals {
        if accounts.is_empty() {
            break;
        }
        let Some(grant) = analysis.admins.get(m as usize).and_then(Option::as_ref) else {
            continue;
        };
        if accounts.remove(analysis.model.account_id(m)) {
            findings.push(admin_finding(analysis, &reached, m, certain, grant));
        }
    }
    let jewels = &source.crown_jewels;
    let indexed: Vec<(u32, Option<u32>)> = selection
        .jewels
        .iter()
        .map(|id| {
            let arn = jewels.names[id as usize].as_str();
            (id, resources.by_arn.get(arn).copied())
        })
        .collect();
    let wanted: Vec<u32> = indexed.iter().filter_map(|&(_, r)| r).collect();
    let holders = holders(analysis, &reached, &wanted);
    for (id, r) in indexed {
        let actions = jewels.actions_of(id);
        let mut finding = jewels.finding(&source.source, id, actions.clone());
        if let Some((r, &via)) = r.and_then(|r| Some((r, holders.get(&r)?))) {
            finding.path = jewel_path(analysis, &reached, via, r, &actions);
        }
        findings.push(finding);
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ci::delta::compare_reach;
    use crate::ci::from_graph::{org_reach, Paths};
    use blastgraph_engine::graph::{analyse, analyse_with};
    use blastgraph_engine::simulate::{apply, Change, SimulationOptions};
    use blastgraph_engine::synth::{generate, SynthConfig};

    fn everything(reach: &SourceReach) -> Selection {
        Selection {
            identities: reach.identities.ids.clone(),
            accounts: reach.administers.iter().map(|f| f.target.clone()).collect(),
            jewels: reach.crown_jewels.resources(),
        }
    }

    /// Explaining every finding of an omitted reach gives the explained reach's
    /// findings, paths and certainty included.
    #[test]
    fn explaining_an_omitted_reach_gives_the_explained_findings() {
        let config = SynthConfig::custom(3, 40, 5).expect("a valid size");
        let snapshot = generate(&config).expect("generated").snapshot;
        analyse(&snapshot, |analysis| {
            let omitted = org_reach(analysis, Paths::Omitted);
            let explained = org_reach(analysis, Paths::Explained);
            let selections: Selections = omitted
                .sources
                .iter()
                .map(|s| (s.source.clone(), everything(s)))
                .collect();
            let mut got = explain_selected(analysis, &omitted, &selections);
            let mut expected: Vec<Finding> = explained
                .sources
                .iter()
                .flat_map(|s| everything(s).findings_in(s))
                .collect();
            sort_findings(&mut got);
            sort_findings(&mut expected);
            assert_eq!(got.len(), expected.len());
            assert_eq!(got, expected);
            let with_paths = got.iter().filter(|f| !f.path.is_empty()).count();
            let admins = got.iter().filter(|f| f.target.len() == 12).count();
            assert!(with_paths > 1000, "{with_paths} explained findings");
            assert!(admins > 10, "{admins} administered accounts");
        });
    }

    /// The delta of omitted reaches, explained, is the delta of explained reaches.
    #[test]
    fn the_explained_delta_equals_the_delta_of_explained_reaches() {
        let (snapshot, admin) = crate::ci::sample::synthetic_org_with_admin();
        let changes = [
            vec![Change::Ecscape {
                enabled: false,
                cluster: None,
            }],
            vec![Change::Detach {
                policy: "arn:aws:iam::aws:policy/AdministratorAccess".into(),
                from: admin.clone(),
            }],
            vec![Change::AddStatement {
                document: serde_json::json!({"Effect": "Allow", "Action": ["iam:PassRole", "ec2:RunInstances"], "Resource": "*"}),
                to: admin,
            }],
        ];
        let mut changed = 0;
        let mut limited = 0;
        for change in changes {
            let simulation = apply(&snapshot, &change).expect("the change applies");
            let defaults = SimulationOptions::default().graph_options();
            let (expected, got) = analyse_with(&snapshot, &defaults, |before| {
                let options = simulation.options.graph_options();
                analyse_with(&simulation.snapshot, &options, |after| {
                    let expected = compare_reach(
                        &org_reach(before, Paths::Explained),
                        &org_reach(after, Paths::Explained),
                        None,
                    );
                    let got = explained_delta(
                        before,
                        org_reach(before, Paths::Omitted),
                        after,
                        org_reach(after, Paths::Omitted),
                        None,
                        None,
                    );
                    (expected, got)
                })
            });
            assert_eq!(got, expected, "{change:?}");
            changed += usize::from(!expected.added.is_empty() || !expected.removed.is_empty());
            limited += check_limits(&expected, |limit| {
                analyse_with(&snapshot, &defaults, |before| {
                    let options = simulation.options.graph_options();
                    analyse_with(&simulation.snapshot, &options, |after| {
                        explained_delta(
                            before,
                            org_reach(before, Paths::Omitted),
                            after,
                            org_reach(after, Paths::Omitted),
                            None,
                            Some(limit),
                        )
                    })
                })
            });
        }
        assert!(changed >= 2, "{changed} changes change the reach");
        assert!(limited >= 2, "{limited} limits cut a list");
    }

    /// A limited delta lists the first findings of the complete one and counts the
    /// rest; returns how many of the limits tried cut a list.
    fn check_limits(complete: &Delta, delta_with: impl Fn(usize) -> Delta) -> usize {
        let mut cut = 0;
        for limit in [0, 1, 7] {
            let delta = delta_with(limit);
            for (got, all) in [
                (&delta.added, &complete.added),
                (&delta.removed, &complete.removed),
            ] {
                assert_eq!(got[..], all[..limit.min(all.len())], "limit {limit}");
            }
            let unlisted = delta.unlisted.clone().unwrap_or_default();
            let over = |n: usize| n.saturating_sub(limit) as u64;
            assert_eq!(unlisted.added, over(complete.added.len()));
            assert_eq!(unlisted.removed, over(complete.removed.len()));
            assert_eq!(delta.sources, complete.sources, "rows are always complete");
            cut += usize::from(delta.unlisted.is_some());
        }
        cut
    }
}
