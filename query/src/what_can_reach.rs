//! `what-can-reach ACTION_PATTERN [--on RESOURCE_PATTERN] [--from KIND...]`: every
//! source that can reach a matching (action, resource), grouped by source and target,
//! with the best explained path for each.
//!
//! Action patterns are matched against the action classes of the access sets
//! (`secretsmanager:*` → `GetSecretValue`, `PutSecretValue` ...); a concrete action
//! outside the classes is evaluated now, on every identity, against the indexed
//! resources of its service.

use crate::coverage::{gaps, CoverageGap};
use crate::paths::{path_to, PathStep};
use crate::QueryError;
use blastgraph_engine::graph::access::{pair, AccessIndex, CLASSES};
use blastgraph_engine::graph::authz::glob::{glob_match, globs_intersect};
use blastgraph_engine::graph::authz::Decision;
use blastgraph_engine::graph::reach::shortest_paths;
use blastgraph_engine::graph::{Analysis, NodeId, NodeKind};
use rayon::prelude::*;
use roaring::RoaringBitmap;
use serde::Serialize;
use std::collections::BTreeMap;

/// The question.
#[derive(Debug, Clone, Default)]
pub struct WhatCanReachQuery {
    /// `service:Action` with wildcards.
    pub action_pattern: String,
    /// Only resources matching this ARN pattern.
    pub on: Option<String>,
    /// Only sources of these kinds (all when empty).
    pub from: Vec<NodeKind>,
}

/// One (source, target) finding.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// The source id.
    pub source: String,
    /// The target resource ARN (or pattern, when not collected).
    pub target: String,
    /// The actions it can perform there.
    pub actions: Vec<String>,
    /// Whether it rests on a conditional or inferred edge or permission.
    pub conditional: bool,
    /// The best path from the source to the identity holding the permission.
    pub path: Vec<PathStep>,
    /// The source kind.
    pub source_kind: &'static str,
    /// The identity holding the permission at the end of the path.
    pub via: String,
    /// The target's account.
    pub account: String,
    /// The target stands for resources that were not collected.
    pub not_collected: bool,
}

/// The answer.
#[derive(Debug, Clone, Serialize)]
pub struct WhatCanReach {
    /// Findings, by source then target.
    pub findings: Vec<Finding>,
    /// What the snapshot does not know.
    pub coverage_gaps: Vec<CoverageGap>,
}

/// An identity's permission on a resource: (resource, action index, certainly allowed).
type Hit = (u32, usize, bool);

/// Every identity node's hits.
type Hits = BTreeMap<NodeId, Vec<Hit>>;

/// How good a way to a target is: (uncertain, path cost, identity); smaller is better.
type Rank = (bool, (u32, u32), NodeId);

/// The actions a pattern names: class indexes, plus the pattern itself when it is a
/// concrete action outside the classes.
fn actions_of(pattern: &str) -> Result<(Vec<usize>, Option<String>), QueryError> {
    if !pattern.contains(':') {
        return Err(QueryError::BadArgument(format!(
            "{pattern:?} is not an action pattern; expected service:Action, e.g. secretsmanager:GetSecretValue or 's3:*'"
        )));
    }
    let classes: Vec<usize> = CLASSES
        .iter()
        .enumerate()
        .filter(|(_, c)| glob_match(pattern, c.action, true))
        .map(|(i, _)| i)
        .collect();
    let concrete = !pattern.contains(['*', '?'])
        && !CLASSES
            .iter()
            .any(|c| c.action.eq_ignore_ascii_case(pattern));
    Ok((classes, concrete.then(|| pattern.to_string())))
}

fn on_matches(on: Option<&str>, access: &AccessIndex, resource: u32) -> bool {
    let Some(on) = on else { return true };
    let r = &access.resources[resource as usize];
    if r.is_abstract {
        globs_intersect(on, &r.arn)
    } else {
        glob_match(on, &r.arn, false) || glob_match(on, &format!("{}/*", r.arn), false)
    }
}

/// Every identity's hits: identity node -> hits; action names by index.
fn hits(
    analysis: &Analysis<'_>,
    query: &WhatCanReachQuery,
) -> Result<(Hits, Vec<String>), QueryError> {
    let (classes, concrete) = actions_of(&query.action_pattern)?;
    let access = &analysis.access;
    let mut names: Vec<String> = classes
        .iter()
        .map(|&c| CLASSES[c].action.to_string())
        .collect();
    let mut wanted = RoaringBitmap::new();
    for (r, resource) in access.resources.iter().enumerate() {
        if !on_matches(query.on.as_deref(), access, r as u32) {
            continue;
        }
        for &c in &classes {
            if CLASSES[c].resource_type == resource.resource_type {
                wanted.insert(pair(r as u32, c));
            }
        }
    }
    // Per access group, then per principal.
    let group_hits: Vec<Vec<Hit>> = (0..access.allowed.len())
        .map(|g| {
            let mut out = Vec::new();
            for p in &access.allowed[g] & &wanted {
                let (r, c) = blastgraph_engine::graph::access::unpair(p);
                out.push((r, classes.iter().position(|&x| x == c).unwrap_or(0), true));
            }
            for p in &access.conditional[g] & &wanted {
                let (r, c) = blastgraph_engine::graph::access::unpair(p);
                out.push((r, classes.iter().position(|&x| x == c).unwrap_or(0), false));
            }
            out
        })
        .collect();
    let mut result: BTreeMap<NodeId, Vec<Hit>> = BTreeMap::new();
    for (p, &g) in access.group_of.iter().enumerate() {
        if !group_hits[g as usize].is_empty() {
            result.insert(
                analysis.graph.principal_node(p as u32),
                group_hits[g as usize].clone(),
            );
        }
    }
    if let Some(action) = concrete {
        let index = names.len();
        names.push(action.clone());
        let service = action.split(':').next().unwrap_or("").to_ascii_lowercase();
        let resources: Vec<u32> = access
            .by_service
            .get(&service)
            .map(|rs| {
                rs.iter()
                    .copied()
                    .filter(|&r| on_matches(query.on.as_deref(), access, r))
                    .collect()
            })
            .unwrap_or_default();
        let lower = action.to_ascii_lowercase();
        let extra: Vec<(NodeId, Vec<Hit>)> = (0..analysis.model.principals.len() as u32)
            .into_par_iter()
            .filter_map(|p| {
                let may = analysis.authz.may_allow(p, &lower);
                let found: Vec<Hit> = resources
                    .iter()
                    .filter(|&&r| may || access.resources[r as usize].policy.is_some())
                    .filter_map(|&r| {
                        let form = AccessIndex::form_for(&action, &access.resources[r as usize]);
                        match access.evaluate(analysis.authz, p, &action, r, form) {
                            Decision::Allow(_) => Some((r, index, true)),
                            Decision::Conditional(..) => Some((r, index, false)),
                            Decision::Deny(_) => None,
                        }
                    })
                    .collect();
                (!found.is_empty()).then(|| (analysis.graph.principal_node(p), found))
            })
            .collect();
        for (node, found) in extra {
            result.entry(node).or_default().extend(found);
        }
    }
    Ok((result, names))
}

/// Answers the question.
pub fn what_can_reach(
    analysis: &Analysis<'_>,
    query: &WhatCanReachQuery,
) -> Result<WhatCanReach, QueryError> {
    let (hits, names) = hits(analysis, query)?;
    let holders: RoaringBitmap = hits.keys().copied().collect();
    let sources: Vec<NodeId> = analysis.graph.sources(&query.from).collect();
    let findings: Vec<Vec<Finding>> = sources
        .par_iter()
        .map(|&source| {
            let reached = analysis.reach.any.of(source) & &holders;
            if reached.is_empty() {
                return Vec::new();
            }
            findings_of(analysis, source, &reached, &hits, &names)
        })
        .collect();
    Ok(WhatCanReach {
        findings: findings.into_iter().flatten().collect(),
        coverage_gaps: gaps(analysis),
    })
}

fn findings_of(
    analysis: &Analysis<'_>,
    source: NodeId,
    reached: &RoaringBitmap,
    hits: &BTreeMap<NodeId, Vec<Hit>>,
    names: &[String],
) -> Vec<Finding> {
    let tree = shortest_paths(&analysis.graph, source);
    let certain = analysis.reach.certain.of(source);
    // resource -> (actions, best (uncertain, cost, node))
    let mut per_target: BTreeMap<u32, (Vec<usize>, Rank)> = BTreeMap::new();
    for identity in reached {
        let Some(identity_hits) = hits.get(&identity) else {
            continue;
        };
        let cost = tree.cost(identity).unwrap_or((u32::MAX, u32::MAX));
        for &(resource, action, allowed) in identity_hits {
            let sure = allowed && certain.contains(identity);
            let rank = (!sure, cost, identity);
            let entry = per_target
                .entry(resource)
                .or_insert_with(|| (Vec::new(), rank));
            entry.0.push(action);
            if rank < entry.1 {
                entry.1 = rank;
            }
        }
    }
    let graph = &analysis.graph;
    per_target
        .into_iter()
        .map(|(resource, (mut actions, (uncertain, _, via)))| {
            actions.sort_unstable();
            actions.dedup();
            let target = &analysis.access.resources[resource as usize];
            Finding {
                source: graph.node(source).id.clone(),
                target: target.arn.clone(),
                actions: actions.iter().map(|&a| names[a].clone()).collect(),
                conditional: uncertain,
                path: path_to(analysis, &tree, via),
                source_kind: graph.node(source).kind.as_str(),
                via: graph.node(via).id.clone(),
                account: target.account.clone(),
                not_collected: target.is_abstract,
            }
        })
        .collect()
}
