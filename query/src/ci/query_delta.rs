//! The delta of a `what-can-reach` question asked before and after a simulated change,
//! from its answers' bitmaps.
//!
//! A question can have a hundred million findings on a large organization (every
//! administrator reaches every secret of its accounts), so neither side is explained
//! whole: each side's findings are keys first, per source the (resource, action) hits its
//! reachability component reaches ([`Answer::reached_hits`]); a finding is one resource
//! with the actions hit there, so the added findings of a source are the resources whose
//! set of actions differs from the other side's (resources and actions mapped between the
//! two sides by ARN and name). Only the findings listed (the first `limit` of each list)
//! are explained, by the source's findings on its side.

use super::delta::{sort_findings, Delta, Unlisted};
use super::from_graph::report_finding;
use crate::report::Finding;
use crate::what_can_reach::Answer;
use blastgraph_engine::graph::NodeId;
use roaring::RoaringBitmap;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

/// The delta of the answers of one question before and after a change, over the
/// sources `keep_source` accepts (by node, on the side given): findings only after
/// (added, explained by the after side) and only before (removed, explained by the
/// before side), each list cut to its first `limit` findings (`None`: all) with the
/// rest counted. Coverage gaps are left to the caller.
pub fn what_can_reach_delta(
    before: &Answer<'_, '_>,
    after: &Answer<'_, '_>,
    keep_source: &dyn Fn(&Answer<'_, '_>, NodeId) -> bool,
    limit: Option<usize>,
) -> Delta {
    let old = Side::new(before, keep_source);
    let new = Side::new(after, keep_source);
    let to_new = HitMap::new(&old, &new);
    let to_old = HitMap::new(&new, &old);
    let mut ids: Vec<&str> = old
        .sources
        .keys()
        .chain(new.sources.keys())
        .copied()
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let empty = RoaringBitmap::new();
    // Per source, the resources (ranks on each side) whose finding differs.
    let mut added: BTreeMap<&str, RoaringBitmap> = BTreeMap::new();
    let mut removed: BTreeMap<&str, RoaringBitmap> = BTreeMap::new();
    for id in ids {
        let a = new.hits_of(id).unwrap_or(&empty);
        let b = old.hits_of(id).unwrap_or(&empty);
        let gained = changed(a, &to_new.set(b), new.width);
        let lost = changed(b, &to_old.set(a), old.width);
        if !gained.is_empty() {
            added.insert(id, gained);
        }
        if !lost.is_empty() {
            removed.insert(id, lost);
        }
    }
    let (added, unlisted_added) = new.explain_first(&added, limit);
    let (removed, unlisted_removed) = old.explain_first(&removed, limit);
    let mut delta = Delta {
        added,
        removed,
        ..Delta::default()
    };
    delta.count_unlisted(Unlisted {
        added: unlisted_added,
        removed: unlisted_removed,
    });
    delta
}

/// The resources (ranks) of `mine` whose actions differ in `theirs` (in `mine`'s
/// numbering): hits only on one side, at resource level, kept to `mine`'s resources.
fn changed(mine: &RoaringBitmap, theirs: &RoaringBitmap, width: u32) -> RoaringBitmap {
    let ranks =
        |hits: &RoaringBitmap| -> RoaringBitmap { hits.iter().map(|h| h / width).collect() };
    ranks(&(mine ^ theirs)) & ranks(mine)
}

/// One side's answer: its sources by id and what their components reach.
struct Side<'x, 'a, 's> {
    answer: &'x Answer<'a, 's>,
    /// Kept sources by id.
    sources: BTreeMap<&'a str, NodeId>,
    /// Per reachability component, its hits.
    components: Vec<Arc<RoaringBitmap>>,
    /// Hits per resource.
    width: u32,
    /// The matching resources in rank order.
    ranked: Vec<u32>,
}

impl<'x, 'a, 's> Side<'x, 'a, 's> {
    fn new(
        answer: &'x Answer<'a, 's>,
        keep_source: &dyn Fn(&Answer<'_, '_>, NodeId) -> bool,
    ) -> Self {
        let graph = &answer.analysis().graph;
        let sources = answer
            .sources()
            .iter()
            .copied()
            .filter(|&s| keep_source(answer, s))
            .map(|s| (graph.node(s).id.as_str(), s))
            .collect();
        Side {
            answer,
            sources,
            components: answer.reached_hits(),
            width: answer.action_names().len().max(1) as u32,
            ranked: answer.matching().iter().collect(),
        }
    }

    fn hits_of(&self, id: &str) -> Option<&RoaringBitmap> {
        let &node = self.sources.get(id)?;
        let component = self.answer.analysis().reach.any.component_of(node);
        Some(&self.components[component as usize])
    }

    fn arn(&self, rank: u32) -> &'a str {
        let resources = &self.answer.analysis().access.resources;
        resources[self.ranked[rank as usize] as usize].arn.as_str()
    }

    /// The first `limit` findings of the selected resources (ranks) per source,
    /// explained, sorted; and how many were left out.
    fn explain_first(
        &self,
        selected: &BTreeMap<&str, RoaringBitmap>,
        limit: Option<usize>,
    ) -> (Vec<Finding>, u64) {
        let total: u64 = selected.values().map(RoaringBitmap::len).sum();
        let mut wanted: HashMap<NodeId, HashSet<&str>> = HashMap::new();
        let mut nodes = Vec::new();
        let mut count = 0;
        for (id, ranks) in selected {
            if limit.is_some_and(|limit| count >= limit as u64) {
                break;
            }
            let node = self.sources[id];
            nodes.push(node);
            wanted.insert(node, ranks.iter().map(|r| self.arn(r)).collect());
            count += ranks.len();
        }
        let mut findings = Vec::new();
        let _ = self.answer.for_each_of(&nodes, |node, source| {
            let targets = &wanted[&node];
            findings.extend(
                source
                    .iter()
                    .filter(|f| targets.contains(f.target))
                    .map(|f| report_finding(f.to_owned())),
            );
            Ok::<_, ()>(())
        });
        sort_findings(&mut findings);
        if let Some(limit) = limit {
            findings.truncate(limit);
        }
        let left_out = total.saturating_sub(findings.len() as u64);
        (findings, left_out)
    }
}

/// Hit ids of one side mapped to the other's (resources by ARN, actions by name).
struct HitMap {
    /// `None`: both sides number hits alike.
    map: Option<Renumbering>,
}

/// How one side's hit ids become the other's.
struct Renumbering {
    /// Per resource rank, the other side's rank.
    ranks: Vec<Option<u32>>,
    /// Per action index, the other side's index.
    actions: Vec<Option<u32>>,
    /// Hits per resource on this side.
    from_width: u32,
    /// Hits per resource on the other side.
    to_width: u32,
}

impl HitMap {
    fn new(from: &Side<'_, '_, '_>, to: &Side<'_, '_, '_>) -> HitMap {
        let rank_of: HashMap<&str, u32> = (0..to.ranked.len() as u32)
            .map(|r| (to.arn(r), r))
            .collect();
        let ranks: Vec<Option<u32>> = (0..from.ranked.len() as u32)
            .map(|r| rank_of.get(from.arn(r)).copied())
            .collect();
        let to_names = to.answer.action_names();
        let actions: Vec<Option<u32>> = from
            .answer
            .action_names()
            .iter()
            .map(|name| to_names.iter().position(|n| n == name).map(|a| a as u32))
            .collect();
        let same = from.width == to.width
            && ranks.len() == to.ranked.len()
            && ranks.iter().enumerate().all(|(i, r)| *r == Some(i as u32))
            && actions
                .iter()
                .enumerate()
                .all(|(i, a)| *a == Some(i as u32));
        HitMap {
            map: (!same).then_some(Renumbering {
                ranks,
                actions,
                from_width: from.width,
                to_width: to.width,
            }),
        }
    }

    /// A set of `from` hits as `to` hits (hits without a counterpart are dropped).
    fn set(&self, hits: &RoaringBitmap) -> RoaringBitmap {
        let Some(map) = &self.map else {
            return hits.clone();
        };
        hits.iter()
            .filter_map(|h| {
                let rank = map.ranks[(h / map.from_width) as usize]?;
                let action = map.actions.get((h % map.from_width) as usize).copied()??;
                Some(rank * map.to_width + action)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ci::delta::compare_findings;
    use crate::ci::from_graph::GraphQuery;
    use crate::ci::ReachQuery;
    use crate::what_can_reach::WhatCanReachQuery;
    use blastgraph_engine::graph::{analyse_with, NodeKind};
    use blastgraph_engine::simulate::{apply, Change, SimulationOptions};

    /// The delta from the answers' bitmaps is the delta of every finding explained on
    /// both sides, for questions on action classes, a concrete action outside them and a
    /// resource pattern, over every source or some kinds, whole or limited.
    #[test]
    fn the_bitmap_delta_equals_the_delta_of_every_finding() {
        let (snapshot, admin) = crate::ci::sample::synthetic_org_with_admin();
        let changes = [
            Change::Ecscape {
                enabled: false,
                cluster: None,
            },
            Change::Detach {
                policy: "arn:aws:iam::aws:policy/AdministratorAccess".into(),
                from: admin,
            },
        ];
        let questions = [
            ("secretsmanager:GetSecretValue", None, vec![]),
            (
                "s3:*",
                None,
                vec![NodeKind::TaskDefinition, NodeKind::Ec2Instance],
            ),
            ("kms:Decrypt", Some("arn:aws:kms:*"), vec![]),
            ("ssm:GetParameter", None, vec![]),
            ("iam:CreateAccessKey", None, vec![]),
        ];
        let mut compared = 0;
        for change in changes {
            let simulation = apply(&snapshot, &[change]).expect("the change applies");
            let defaults = SimulationOptions::default().graph_options();
            analyse_with(&snapshot, &defaults, |before| {
                let options = simulation.options.graph_options();
                analyse_with(&simulation.snapshot, &options, |after| {
                    for (action, on, kinds) in &questions {
                        let keep_kind = |analysis: &blastgraph_engine::graph::Analysis<'_>,
                                         id: &str| {
                            let node = analysis.graph.node_by_id(id).expect("a source");
                            kinds.is_empty() || kinds.contains(&analysis.graph.node(node).kind)
                        };
                        let all = |analysis| {
                            let findings = GraphQuery::new(analysis)
                                .what_can_reach(action, *on, &|_| true)
                                .expect("a valid question");
                            findings
                                .into_iter()
                                .filter(|f| keep_kind(analysis, &f.source))
                                .collect::<Vec<_>>()
                        };
                        let (added, removed) = compare_findings(&all(before), &all(after));
                        let question = WhatCanReachQuery {
                            action_pattern: action.to_string(),
                            on: on.map(String::from),
                            from: Vec::new(),
                        };
                        let old = Answer::new(before, &question).expect("a valid question");
                        let new = Answer::new(after, &question).expect("a valid question");
                        let keep = |answer: &Answer<'_, '_>, source: NodeId| {
                            let kind = answer.analysis().graph.node(source).kind;
                            kinds.is_empty() || kinds.contains(&kind)
                        };
                        let delta = what_can_reach_delta(&old, &new, &keep, None);
                        assert_eq!(delta.added, added, "{action}");
                        assert_eq!(delta.removed, removed, "{action}");
                        assert_eq!(delta.unlisted, None);
                        let limited = what_can_reach_delta(&old, &new, &keep, Some(3));
                        assert_eq!(limited.added[..], added[..added.len().min(3)]);
                        assert_eq!(limited.removed[..], removed[..removed.len().min(3)]);
                        let unlisted = limited.unlisted.unwrap_or_default();
                        assert_eq!(unlisted.added, added.len().saturating_sub(3) as u64);
                        assert_eq!(unlisted.removed, removed.len().saturating_sub(3) as u64);
                        compared += usize::from(!added.is_empty() || !removed.is_empty());
                    }
                })
            });
        }
        assert!(compared >= 4, "{compared} questions changed");
    }

    #[test]
    fn a_resource_changes_when_its_actions_differ() {
        // Only the resource level matters to `changed`: a resource whose actions differ.
        let width = 2;
        let mine: RoaringBitmap = [0, 1, 2, 5].into_iter().collect(); // r0: a0 a1, r1: a0, r2: a1
        let theirs: RoaringBitmap = [0, 1, 2, 3, 6].into_iter().collect(); // r1 gained a1, r3 only theirs
        assert_eq!(
            changed(&mine, &theirs, width).iter().collect::<Vec<_>>(),
            [1, 2]
        );
    }
}
