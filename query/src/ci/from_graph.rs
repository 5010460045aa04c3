//! Per-source reach of an analysed snapshot, for baselines, checks, diffs and
//! simulations.
//!
//! For every source node of the graph (workloads, instances, functions, users, roles):
//! the users and roles it can become, the accounts administered by one of them, the
//! crown-jewel (action class, resource) pairs one of them is allowed, and how many
//! indexed resources they can act on. Sets come from the one-pass reachability and the
//! access index; explained paths (the shortest, certain first) are computed only when
//! asked, since a baseline does not need them and they cost a search per source.

use super::{OrgReach, ReachQuery, SourceReach};
use crate::names::resolve;
use crate::report::{Finding, PathStep};
use crate::what_can_reach::{what_can_reach, WhatCanReachQuery};
use blastgraph_engine::graph::access::{unpair, CLASSES};
use blastgraph_engine::graph::reach::{shortest_paths, ShortestPaths};
use blastgraph_engine::graph::{Analysis, NodeId, NodeKind};
use rayon::prelude::*;
use std::collections::BTreeMap;

/// Whether to compute explained paths.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paths {
    /// Every finding carries its shortest explained path.
    Explained,
    /// Findings carry no path (baselines).
    Omitted,
}

/// The reachable principals of one source, best first: (node, certain, cost).
struct Reached<'t> {
    source: NodeId,
    principals: Vec<(NodeId, bool)>,
    tree: Option<&'t ShortestPaths>,
}

fn reached<'t>(
    analysis: &Analysis<'_>,
    source: NodeId,
    tree: Option<&'t ShortestPaths>,
) -> Reached<'t> {
    let any = analysis.reach.any.of(source);
    let certain = analysis.reach.certain.of(source);
    let principal_count = analysis.model.principals.len() as u32;
    let mut principals: Vec<(NodeId, bool)> = any
        .iter()
        .filter(|&m| m < principal_count)
        .map(|m| (m, certain.contains(m)))
        .collect();
    // Certain first, then the cheapest path, then node order: deterministic.
    principals.sort_by_key(|&(m, is_certain)| {
        let cost = tree.and_then(|t| t.cost(m)).unwrap_or((0, 0));
        (!is_certain, cost, m)
    });
    Reached {
        source,
        principals,
        tree,
    }
}

fn path_steps(analysis: &Analysis<'_>, reached: &Reached<'_>, node: NodeId) -> Vec<PathStep> {
    let Some(tree) = reached.tree else {
        return Vec::new();
    };
    tree.path(node)
        .unwrap_or_default()
        .iter()
        .map(|s| {
            let edge = analysis.graph.edge(s.edge);
            PathStep {
                from: analysis.graph.node(s.from).id.clone(),
                to: analysis.graph.node(s.to).id.clone(),
                edge: edge.kind.name(),
                explanation: edge.explanation.clone(),
            }
        })
        .collect()
}

fn final_step(from: &str, to: &str, edge: &str, explanation: String) -> PathStep {
    PathStep {
        from: from.into(),
        to: to.into(),
        edge: edge.into(),
        explanation,
    }
}

/// The reach of every source.
pub fn org_reach(analysis: &Analysis<'_>, paths: Paths) -> OrgReach {
    let sources: Vec<NodeId> = analysis.graph.sources(&[]).collect();
    org_reach_of(analysis, &sources, paths)
}

/// The reach of the given sources only (the rest of the organization is left out).
pub fn org_reach_of(analysis: &Analysis<'_>, sources: &[NodeId], paths: Paths) -> OrgReach {
    let reaches: Vec<SourceReach> = sources
        .par_iter()
        .map(|&source| {
            let tree = (paths == Paths::Explained).then(|| shortest_paths(&analysis.graph, source));
            source_reach(analysis, &reached(analysis, source, tree.as_ref()))
        })
        .collect();
    let account_names = analysis
        .model
        .accounts
        .iter()
        .filter_map(|a| a.name.clone().map(|n| (a.id.clone(), n)))
        .collect();
    OrgReach {
        sources: reaches,
        coverage_gaps: coverage_gaps(analysis),
        account_names,
    }
    .sorted()
}

/// The sources whose reach can change when the principals `touched` change their own
/// policies or trust: every source that reaches one of them (a group stands for itself
/// and its members). `None` when a touched principal is not in the graph, so the caller
/// falls back to every source.
pub fn affected_sources(
    analysis: &Analysis<'_>,
    touched: &std::collections::BTreeSet<String>,
) -> Option<Vec<NodeId>> {
    use blastgraph_engine::graph::PrincipalKind;
    let model = analysis.model;
    let mut targets = roaring::RoaringBitmap::new();
    for arn in touched {
        let principal = model.principal_by_arn(arn)?;
        targets.insert(analysis.graph.principal_node(principal));
        let touched_principal = model.principal(principal);
        if touched_principal.kind == PrincipalKind::Group {
            for (index, member) in model.principals.iter().enumerate() {
                let same_account = member.account == touched_principal.account;
                if same_account && member.groups.contains(&touched_principal.name) {
                    targets.insert(analysis.graph.principal_node(index as u32));
                }
            }
        }
    }
    Some(
        analysis
            .graph
            .sources(&[])
            .filter(|&s| !analysis.reach.any.of(s).is_disjoint(&targets))
            .collect(),
    )
}

/// Gaps of the snapshot and problems met while analysing it ([`crate::coverage`]), one
/// line each.
pub fn coverage_gaps(analysis: &Analysis<'_>) -> Vec<String> {
    crate::coverage::gaps(analysis)
        .into_iter()
        .map(|gap| {
            let place: Vec<&str> = [&gap.account, &gap.region, &gap.service]
                .into_iter()
                .filter_map(|p| p.as_deref())
                .collect();
            if place.is_empty() {
                gap.problem
            } else {
                format!("{}: {}", place.join(" "), gap.problem)
            }
        })
        .collect()
}

fn source_reach(analysis: &Analysis<'_>, reached: &Reached<'_>) -> SourceReach {
    let graph = &analysis.graph;
    let node = graph.node(reached.source);
    let mut reach = SourceReach::new(node.id.clone(), node.kind.as_str());
    reach.account = analysis
        .model
        .accounts
        .get(node.account as usize)
        .map(|a| a.id.clone());
    if node.kind == NodeKind::ServiceAccount {
        reach.namespace = node.id.split('/').nth(1).map(String::from);
    }
    let mut admin: BTreeMap<String, Finding> = BTreeMap::new();
    for &(m, certain) in &reached.principals {
        let target = graph.node(m);
        if m != reached.source && matches!(target.kind, NodeKind::User | NodeKind::Role) {
            reach.identities.push(Finding {
                source: node.id.clone(),
                target: target.id.clone(),
                actions: vec![],
                conditional: !certain,
                path: path_steps(analysis, reached, m),
            });
        }
        let Some(grant) = analysis.admins.get(m as usize).and_then(Option::as_ref) else {
            continue;
        };
        let account = analysis.model.account_id(m).to_string();
        // Principals come best first: the first grant of an account explains it.
        admin.entry(account.clone()).or_insert_with(|| {
            let mut path = path_steps(analysis, reached, m);
            if reached.tree.is_some() {
                path.push(final_step(
                    &target.id,
                    &account,
                    "administers",
                    grant.explanation.clone(),
                ));
            }
            Finding {
                source: node.id.clone(),
                target: account,
                actions: vec![],
                conditional: !certain || !grant.status.is_certain(),
                path,
            }
        });
    }
    reach.administers = admin.into_values().collect();
    let (jewels, resources) = crown_jewels(analysis, reached);
    reach.crown_jewels = jewels;
    reach.resources = resources;
    reach
}

/// The crown jewels reached (one finding per resource) and the count of resources.
fn crown_jewels(analysis: &Analysis<'_>, reached: &Reached<'_>) -> (Vec<Finding>, usize) {
    let access = &analysis.access;
    let mut seen_groups = Vec::new();
    let mut resources = roaring::RoaringBitmap::new();
    // resource -> (actions, certain, via principal)
    let mut jewels: BTreeMap<u32, (Vec<&'static str>, bool, NodeId)> = BTreeMap::new();
    for &(m, certain) in &reached.principals {
        let group = access.group_of[m as usize];
        if seen_groups.contains(&(group, certain)) {
            continue;
        }
        seen_groups.push((group, certain));
        let (allowed, conditional) = access.of(m);
        for (bitmap, allowed_for_sure) in [(allowed, true), (conditional, false)] {
            for p in bitmap {
                let (r, c) = unpair(p);
                resources.insert(r);
                let class = &CLASSES[c];
                if !class.crown_jewel {
                    continue;
                }
                let entry = jewels.entry(r).or_insert((Vec::new(), false, m));
                if !entry.0.contains(&class.action) {
                    entry.0.push(class.action);
                }
                if certain && allowed_for_sure && !entry.1 {
                    entry.1 = true;
                    entry.2 = m;
                }
            }
        }
    }
    let source = analysis.graph.node(reached.source).id.clone();
    let findings = jewels
        .into_iter()
        .map(|(r, (mut actions, certain, via))| {
            actions.sort_unstable();
            let resource = &access.resources[r as usize];
            let mut path = path_steps(analysis, reached, via);
            if reached.tree.is_some() {
                let via_id = &analysis.graph.node(via).id;
                path.push(final_step(
                    via_id,
                    &resource.arn,
                    "allowed",
                    format!(
                        "{via_id} is allowed {} on {}",
                        actions.join(", "),
                        resource.display()
                    ),
                ));
            }
            Finding {
                source: source.clone(),
                target: resource.arn.clone(),
                actions: actions.into_iter().map(String::from).collect(),
                conditional: !certain,
                path,
            }
        })
        .collect();
    (findings, resources.len() as usize)
}

/// `what-can-reach` over an analysed snapshot: [`crate::what_can_reach`], with its
/// findings in the report shape.
pub struct GraphQuery<'a, 's> {
    analysis: &'a Analysis<'s>,
}

impl<'a, 's> GraphQuery<'a, 's> {
    /// A query over `analysis`.
    pub fn new(analysis: &'a Analysis<'s>) -> Self {
        GraphQuery { analysis }
    }
}

impl ReachQuery for GraphQuery<'_, '_> {
    fn what_can_reach(&self, action: &str, resource: Option<&str>) -> Result<Vec<Finding>, String> {
        let query = WhatCanReachQuery {
            action_pattern: action.to_string(),
            on: resource.map(String::from),
            from: Vec::new(),
        };
        let answer = what_can_reach(self.analysis, &query).map_err(|e| e.to_string())?;
        let mut findings: Vec<Finding> = answer.findings.into_iter().map(report_finding).collect();
        findings.sort();
        Ok(findings)
    }
}

/// A `what-can-reach` finding in the report shape (the contract's fields).
pub fn report_finding(finding: crate::what_can_reach::Finding) -> Finding {
    Finding {
        source: finding.source,
        target: finding.target,
        actions: finding.actions,
        conditional: finding.conditional,
        path: finding
            .path
            .into_iter()
            .map(|s| PathStep {
                from: s.from,
                to: s.to,
                edge: s.edge,
                explanation: s.explanation,
            })
            .collect(),
    }
}

/// The id of the source a name stands for (an ARN, `eks:...`, or a short name of
/// [`crate::names`]); a task definition may also be named `FAMILY:REVISION`.
pub fn resolve_source(analysis: &Analysis<'_>, name: &str) -> Result<String, String> {
    let node = resolve(analysis, name)
        .or_else(|error| {
            if name.contains(':') && !name.starts_with("arn:") && !name.contains("eks:") {
                resolve(analysis, &format!("ecs:{name}")).map_err(|_| error)
            } else {
                Err(error)
            }
        })
        .map_err(|e| e.to_string())?;
    Ok(analysis.graph.node(node).id.clone())
}

/// The kind of the source with this id, when it is a node of the graph.
pub fn source_kind(analysis: &Analysis<'_>, id: &str) -> Option<NodeKind> {
    analysis
        .graph
        .node_by_id(id)
        .map(|n| analysis.graph.node(n).kind)
}
