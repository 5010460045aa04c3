//! Per-source reach of an analysed snapshot, for baselines, checks, diffs and
//! simulations.
//!
//! For every source node of the graph (workloads, instances, functions, users, roles):
//! the users and roles it can become, the accounts administered by one of them, the
//! crown-jewel (action class, resource) pairs one of them is allowed, and how many
//! indexed resources they can act on. Sets come from the one-pass reachability and the
//! access index; explained paths (the shortest, certain first) are computed only when
//! asked, since a baseline does not need them and they cost a search per source.

use super::propagate::{components_reached, per_component, Union};
use super::targets::{grouped_names, names, positions, Jewels, Names};
use super::{OrgReach, ReachQuery, SourceReach};
use crate::names::resolve;
use crate::report::{Finding, PathStep};
use crate::what_can_reach::{Answer, WhatCanReachQuery};
use blastgraph_engine::graph::access::{pair, unpair, CLASSES};
use blastgraph_engine::graph::admin::AdminGrant;
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

/// The reachable principals of one source, best first: (node, reached for certain).
pub(super) struct Reached<'t> {
    /// The source node.
    pub(super) source: NodeId,
    /// The principals it reaches, best first, each with whether it is reached for sure.
    pub(super) principals: Vec<(NodeId, bool)>,
    /// The shortest-path tree from the source, when paths are explained.
    pub(super) tree: Option<&'t ShortestPaths>,
}

/// The principals `source` reaches, best first (certain, then cheapest by `tree`, then
/// node order).
pub(super) fn reached<'t>(
    analysis: &Analysis<'_>,
    source: NodeId,
    tree: Option<&'t ShortestPaths>,
) -> Reached<'t> {
    let any = analysis.reach.any.of(source);
    let certain = analysis.reach.certain.of(source);
    let principal_count = analysis.model.principals.len() as u32;
    let mut principals: Vec<(NodeId, bool)> = any
        .iter()
        .take_while(|&m| m < principal_count)
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

/// The explained path from the source to `node` (empty without a tree).
pub(super) fn path_steps(
    analysis: &Analysis<'_>,
    reached: &Reached<'_>,
    node: NodeId,
) -> Vec<PathStep> {
    let Some(tree) = reached.tree else {
        return Vec::new();
    };
    tree.path(node)
        .unwrap_or_default()
        .iter()
        .map(|s| {
            let edge = analysis.step_edge(s);
            PathStep {
                from: analysis.graph.node(s.from).id.clone(),
                to: analysis.graph.node(s.to).id.clone(),
                edge: edge.kind.name(),
                explanation: edge.explanation.to_string(),
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

/// The finding of the account that principal `m` (reached, for certain or not)
/// administers through `grant`, explained by the path to `m` when paths are computed.
pub(super) fn admin_finding(
    analysis: &Analysis<'_>,
    reached: &Reached<'_>,
    m: NodeId,
    certain: bool,
    grant: &AdminGrant,
) -> Finding {
    let graph = &analysis.graph;
    let account = analysis.model.account_id(m).to_string();
    let mut path = path_steps(analysis, reached, m);
    if reached.tree.is_some() {
        let via = &graph.node(m).id;
        path.push(final_step(
            via,
            &account,
            "administers",
            grant.explanation.clone(),
        ));
    }
    Finding {
        source: graph.node(reached.source).id.clone(),
        target: account,
        actions: vec![],
        conditional: !certain || !grant.status.is_certain(),
        path,
    }
}

/// The path explaining crown-jewel `actions` on indexed resource `r`: to `via`, the
/// reached identity allowed them, then that permission.
pub(super) fn jewel_path(
    analysis: &Analysis<'_>,
    reached: &Reached<'_>,
    via: NodeId,
    r: u32,
    actions: &[String],
) -> Vec<PathStep> {
    let resource = &analysis.access.resources[r as usize];
    let mut path = path_steps(analysis, reached, via);
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
    path
}

/// What every source's computation shares: the name tables, each access group's sets,
/// each account's resources.
struct Context<'a, 's> {
    analysis: &'a Analysis<'s>,
    /// Per component of the reachability over every edge, what it reaches.
    any: Vec<Reachable>,
    /// Per component of the reachability over certain edges, the resource ids it is
    /// certainly allowed a crown-jewel action on.
    certain: Vec<roaring::RoaringBitmap>,
    /// Per account index, its resources' ids in `resource_names`.
    account_resources: Vec<roaring::RoaringBitmap>,
    identity_names: Names,
    /// Per principal node, its id in `identity_names` (users and roles only).
    identity_id: Vec<Option<u32>>,
    resource_names: Names,
    /// Per id of `resource_names`, an indexed resource of that ARN.
    resource_of_id: Vec<u32>,
}

impl<'a, 's> Context<'a, 's> {
    /// The shared sets of an analysis, computed for what `sources` reach only (`None`:
    /// every source).
    fn new(analysis: &'a Analysis<'s>, sources: Option<&[NodeId]>) -> Self {
        let model = analysis.model;
        let graph = &analysis.graph;
        let is_identity = |p: usize| {
            matches!(
                graph.node(p as NodeId).kind,
                NodeKind::User | NodeKind::Role
            )
        };
        let principals = model.principals.len();
        let identity_names = names(
            (0..principals)
                .filter(|&p| is_identity(p))
                .map(|p| graph.node(p as NodeId).id.clone())
                .collect(),
        );
        let identity_id = (0..principals)
            .map(|p| {
                is_identity(p)
                    .then(|| position(&identity_names, &graph.node(p as NodeId).id))
                    .flatten()
            })
            .collect();
        let resources = &analysis.access.resources;
        let resource_names = grouped_names(
            resources
                .iter()
                .map(|r| (r.account.clone(), r.arn.clone()))
                .collect(),
        );
        let resource_position = positions(&resource_names);
        let resource_id: Vec<u32> = resources
            .iter()
            .map(|r| resource_position.get(r.arn.as_str()).copied().unwrap_or(0))
            .collect();
        let mut account_resources = vec![roaring::RoaringBitmap::new(); model.accounts.len()];
        for (r, resource) in resources.iter().enumerate() {
            if let Some(&account) = model.account_by_id.get(&resource.account) {
                account_resources[account as usize].insert(resource_id[r]);
            }
        }
        let crown: Vec<bool> = CLASSES.iter().map(|c| c.crown_jewel).collect();
        let reach = &analysis.reach;
        // Only the components the sources reach (and their principals' groups) matter.
        let needed_any = sources.map(|s| components_reached(&reach.any, s));
        let needed_certain = sources.map(|s| components_reached(&reach.certain, s));
        let needed_groups = needed_any.as_ref().map(|components| {
            (0..principals)
                .filter(|&p| {
                    let node = graph.principal_node(p as u32);
                    components.contains(reach.any.component_of(node))
                })
                .map(|p| analysis.access.group_of[p])
                .collect::<roaring::RoaringBitmap>()
        });
        let (group_any, group_certain) = group_sets(
            &analysis.access,
            &crown,
            &resource_id,
            needed_groups.as_ref(),
        );
        let any = per_component(analysis, &reach.any, &group_any, needed_any.as_ref());
        let certain = per_component(
            analysis,
            &reach.certain,
            &group_certain,
            needed_certain.as_ref(),
        );
        let mut resource_of_id = vec![0; resource_names.len()];
        for (r, &id) in resource_id.iter().enumerate().rev() {
            resource_of_id[id as usize] = r as u32;
        }
        Context {
            analysis,
            any,
            certain,
            account_resources,
            identity_names,
            identity_id,
            resource_names,
            resource_of_id,
        }
    }
}

fn position(names: &Names, name: &str) -> Option<u32> {
    names
        .binary_search_by(|n| n.as_str().cmp(name))
        .ok()
        .map(|i| i as u32)
}

/// The reach of every source.
pub fn org_reach(analysis: &Analysis<'_>, paths: Paths) -> OrgReach {
    let sources: Vec<NodeId> = analysis.graph.sources(&[]).collect();
    org_reach_of(analysis, &sources, paths)
}

/// The reach of the given sources only (the rest of the organization is left out).
pub fn org_reach_of(analysis: &Analysis<'_>, sources: &[NodeId], paths: Paths) -> OrgReach {
    let every = sources.len() == analysis.graph.sources(&[]).count();
    let context = Context::new(analysis, (!every).then_some(sources));
    let reaches: Vec<SourceReach> = sources
        .par_iter()
        .map(|&source| {
            let tree = (paths == Paths::Explained).then(|| shortest_paths(&analysis.graph, source));
            source_reach(&context, &reached(analysis, source, tree.as_ref()))
        })
        .collect();
    let account_names = analysis
        .model
        .accounts
        .iter()
        .filter_map(|a| a.name.clone().map(|n| (a.id.clone(), n)))
        .collect();
    OrgReach {
        identity_names: context.identity_names.clone(),
        resource_names: context.resource_names.clone(),
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

/// One source's reach. An administered account stands for everything in it: the
/// identities and crown jewels of accounts the source administers are not listed one by
/// one (an administrator can become any of them), which keeps baselines and deltas of
/// administrators readable; the resource count still counts them.
fn source_reach(context: &Context<'_, '_>, reached: &Reached<'_>) -> SourceReach {
    let analysis = context.analysis;
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
    let mut administered = roaring::RoaringBitmap::new();
    let mut admin: BTreeMap<String, Finding> = BTreeMap::new();
    for &(m, certain) in &reached.principals {
        let Some(grant) = analysis.admins.get(m as usize).and_then(Option::as_ref) else {
            continue;
        };
        administered.insert(analysis.model.principal(m).account);
        let account = analysis.model.account_id(m).to_string();
        // Principals come best first: the first grant of an account explains it.
        admin
            .entry(account)
            .or_insert_with(|| admin_finding(analysis, reached, m, certain, grant));
    }
    let identities = &mut reach.identities;
    identities.names = context.identity_names.clone();
    for &(m, certain) in &reached.principals {
        let implied = administered.contains(analysis.model.principal(m).account);
        let Some(id) = context.identity_id[m as usize] else {
            continue;
        };
        if m == reached.source || implied {
            continue;
        }
        identities.ids.insert(id);
        if !certain {
            identities.conditional.insert(id);
        }
        if reached.tree.is_some() {
            identities
                .paths
                .insert(id, path_steps(analysis, reached, m));
        }
    }
    reach.administers = admin.into_values().collect();
    let (jewels, resources) = crown_jewels(context, reached, &administered);
    reach.crown_jewels = jewels;
    reach.resources = resources;
    reach
}

/// The crown jewels reached outside the administered accounts and the count of every
/// resource reached: the source's components' sets, less the administered accounts'
/// resources.
fn crown_jewels(
    context: &Context<'_, '_>,
    reached: &Reached<'_>,
    administered: &roaring::RoaringBitmap,
) -> (Jewels, usize) {
    let reach = &context.analysis.reach;
    let any = &context.any[reach.any.component_of(reached.source) as usize];
    let certain = &context.certain[reach.certain.component_of(reached.source) as usize];
    let mut outside = roaring::RoaringBitmap::new();
    for account in administered {
        if let Some(ids) = context.account_resources.get(account as usize) {
            outside |= ids;
        }
    }
    let mut jewels = Jewels {
        names: context.resource_names.clone(),
        ..Jewels::default()
    };
    for (&c, ids) in &any.crown {
        let ids = ids - &outside;
        if !ids.is_empty() {
            *jewels
                .by_action
                .entry(CLASSES[c].action.to_string())
                .or_default() |= ids;
        }
    }
    jewels.certain = (certain - &outside) & jewels.resources();
    if reached.tree.is_some() {
        explain_jewels(context, reached, &mut jewels);
    }
    (jewels, any.resources.len() as usize)
}

/// What a source reaches through every edge: indexed resources (access-index numbers)
/// it may act on, and per crown-jewel class the resource ids (of the resource table).
#[derive(Default)]
struct Reachable {
    resources: roaring::RoaringBitmap,
    crown: BTreeMap<usize, roaring::RoaringBitmap>,
}

impl Union for Reachable {
    fn union(&mut self, other: &Self) {
        self.resources |= &other.resources;
        for (c, ids) in &other.crown {
            *self.crown.entry(*c).or_default() |= ids;
        }
    }
}

/// Per access group: what it may act on, and the resource ids it is certainly allowed
/// a crown-jewel action on; only for the `needed` groups when given (the others empty).
fn group_sets(
    access: &blastgraph_engine::graph::access::AccessIndex,
    crown: &[bool],
    resource_id: &[u32],
    needed: Option<&roaring::RoaringBitmap>,
) -> (Vec<Reachable>, Vec<roaring::RoaringBitmap>) {
    (0..access.groups())
        .into_par_iter()
        .map(|g| {
            if needed.is_some_and(|n| !n.contains(g as u32)) {
                return (Reachable::default(), roaring::RoaringBitmap::new());
            }
            let mut resources = Vec::new();
            let mut any: BTreeMap<usize, Vec<u32>> = BTreeMap::new();
            let mut certain = Vec::new();
            for (pairs, is_allowed) in [(access.allowed(g), true), (access.conditional(g), false)] {
                for p in pairs.iter() {
                    let (r, c) = unpair(p);
                    resources.push(r);
                    if crown[c] {
                        let id = resource_id[r as usize];
                        any.entry(c).or_default().push(id);
                        if is_allowed {
                            certain.push(id);
                        }
                    }
                }
            }
            let set = |mut ids: Vec<u32>| -> roaring::RoaringBitmap {
                ids.sort_unstable();
                ids.dedup();
                ids.into_iter().collect()
            };
            let reachable = Reachable {
                resources: set(resources),
                crown: any.into_iter().map(|(c, ids)| (c, set(ids))).collect(),
            };
            (reachable, set(certain))
        })
        .unzip()
}

/// Fills in the path of every crown jewel: to the best identity allowed a crown-jewel
/// action on it, then that permission.
fn explain_jewels(context: &Context<'_, '_>, reached: &Reached<'_>, jewels: &mut Jewels) {
    let analysis = context.analysis;
    let wanted: Vec<u32> = jewels
        .resources()
        .iter()
        .map(|id| context.resource_of_id[id as usize])
        .collect();
    let holders = holders(analysis, reached, &wanted);
    for id in jewels.resources() {
        let r = context.resource_of_id[id as usize];
        let Some(&via) = holders.get(&r) else {
            continue;
        };
        let actions = jewels.actions_of(id);
        let path = jewel_path(analysis, reached, via, r, &actions);
        jewels.paths.insert(id, path);
    }
}

/// [`holder`] of every resource of `resources` at once, in one walk over the reached
/// principals: each group's access sets are met once (later members of a group, with the
/// same certainty, can never come first), and the walk stops once every resource has a
/// certain holder. Resources without a holder are absent from the map.
pub(super) fn holders(
    analysis: &Analysis<'_>,
    reached: &Reached<'_>,
    resources: &[u32],
) -> std::collections::HashMap<u32, NodeId> {
    let crown: Vec<usize> = (0..CLASSES.len())
        .filter(|&c| CLASSES[c].crown_jewel)
        .collect();
    let wanted: roaring::RoaringBitmap = resources
        .iter()
        .flat_map(|&r| crown.iter().map(move |&c| pair(r, c)))
        .collect();
    let mut found = std::collections::HashMap::new();
    // First holder in order of any kind (the fallback), and the first certain one.
    let mut fallback: std::collections::HashMap<u32, NodeId> = std::collections::HashMap::new();
    let mut unresolved: roaring::RoaringBitmap = resources.iter().copied().collect();
    let mut seen = std::collections::HashSet::new();
    for &(m, certain) in &reached.principals {
        if unresolved.is_empty() {
            break;
        }
        if !seen.insert((analysis.access.group_of[m as usize], certain)) {
            continue;
        }
        let (allowed, conditional) = analysis.access.of(m);
        let allowed_here = &*allowed & &wanted;
        for p in allowed_here.iter().chain((&*conditional & &wanted).iter()) {
            fallback.entry(unpair(p).0).or_insert(m);
        }
        if certain {
            for p in &allowed_here {
                let r = unpair(p).0;
                if unresolved.remove(r) {
                    found.insert(r, m);
                }
            }
        }
    }
    for r in unresolved {
        if let Some(&m) = fallback.get(&r) {
            found.insert(r, m);
        }
    }
    found
}

/// The best reachable principal allowed (or conditionally allowed) a crown-jewel action
/// on resource `r`: the first in `reached`'s order, preferring a certain permission.
/// The definition [`holders`] computes for many resources at once (tests hold them
/// equal).
#[cfg(test)]
fn holder(analysis: &Analysis<'_>, reached: &Reached<'_>, r: u32) -> Option<NodeId> {
    let pairs: Vec<u32> = (0..CLASSES.len())
        .filter(|&c| CLASSES[c].crown_jewel)
        .map(|c| pair(r, c))
        .collect();
    let mut fallback = None;
    for &(m, certain) in &reached.principals {
        let (allowed, conditional) = analysis.access.of(m);
        if pairs.iter().any(|&p| allowed.contains(p)) {
            if certain {
                return Some(m);
            }
            fallback = fallback.or(Some(m));
        } else if pairs.iter().any(|&p| conditional.contains(p)) {
            fallback = fallback.or(Some(m));
        }
    }
    fallback
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
    fn what_can_reach(
        &self,
        action: &str,
        resource: Option<&str>,
        keep_source: &dyn Fn(&str) -> bool,
    ) -> Result<Vec<Finding>, String> {
        let query = WhatCanReachQuery {
            action_pattern: action.to_string(),
            on: resource.map(String::from),
            from: Vec::new(),
        };
        let answer = Answer::new(self.analysis, &query).map_err(|e| e.to_string())?;
        let graph = &self.analysis.graph;
        let kept: Vec<NodeId> = answer
            .sources()
            .iter()
            .copied()
            .filter(|&s| keep_source(&graph.node(s).id))
            .collect();
        let mut findings = Vec::new();
        answer.for_each_of(&kept, |_, source| {
            findings.extend(source.iter().map(|f| report_finding(f.to_owned())));
            Ok::<_, String>(())
        })?;
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

/// Fills in the explained path of every item that has none, when its source is a node
/// and its target is an identity (the path to it), an account (the path to its
/// administrator) or an indexed resource (the path to the identity allowed a crown-jewel
/// action on it). Paths are searched once per source, so explaining a report costs a
/// search per source with items, not one per source of the organization.
pub fn explain(analysis: &Analysis<'_>, items: &mut [crate::report::ReportItem]) {
    let mut by_source: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, item) in items.iter().enumerate() {
        if item.path.is_empty() {
            by_source.entry(item.source.clone()).or_default().push(i);
        }
    }
    let resource_by_arn: BTreeMap<&str, u32> = analysis
        .access
        .resources
        .iter()
        .enumerate()
        .map(|(i, r)| (r.arn.as_str(), i as u32))
        .collect();
    for (source, indices) in by_source {
        let Some(node) = analysis.graph.node_by_id(&source) else {
            continue;
        };
        let tree = shortest_paths(&analysis.graph, node);
        let reached = reached(analysis, node, Some(&tree));
        // The resources among the targets (not a node, not an account), explained together.
        let resources: Vec<u32> = indices
            .iter()
            .map(|&i| items[i].target.as_str())
            .filter(|t| {
                analysis.graph.node_by_id(t).is_none()
                    && !analysis.model.account_by_id.contains_key(*t)
            })
            .filter_map(|t| resource_by_arn.get(t).copied())
            .collect();
        let holders = holders(analysis, &reached, &resources);
        for i in indices {
            let target = items[i].target.clone();
            items[i].path = explain_target(analysis, &reached, &resource_by_arn, &holders, &target);
        }
    }
}

fn explain_target(
    analysis: &Analysis<'_>,
    reached: &Reached<'_>,
    resource_by_arn: &BTreeMap<&str, u32>,
    holders: &std::collections::HashMap<u32, NodeId>,
    target: &str,
) -> Vec<PathStep> {
    let graph = &analysis.graph;
    if let Some(node) = graph.node_by_id(target) {
        return path_steps(analysis, reached, node);
    }
    if let Some(&account) = analysis.model.account_by_id.get(target) {
        let via = reached.principals.iter().find(|&&(m, _)| {
            analysis.model.principal(m).account == account && analysis.admins[m as usize].is_some()
        });
        if let Some(&(m, _)) = via {
            let mut path = path_steps(analysis, reached, m);
            if let Some(grant) = &analysis.admins[m as usize] {
                path.push(final_step(
                    &graph.node(m).id,
                    target,
                    "administers",
                    grant.explanation.clone(),
                ));
            }
            return path;
        }
        return Vec::new();
    }
    if let Some(&r) = resource_by_arn.get(target) {
        if let Some(&via) = holders.get(&r) {
            let mut path = path_steps(analysis, reached, via);
            let via_id = &graph.node(via).id;
            let resource = &analysis.access.resources[r as usize];
            path.push(final_step(
                via_id,
                target,
                "allowed",
                format!(
                    "{via_id} is allowed a crown-jewel action on {}",
                    resource.display()
                ),
            ));
            return path;
        }
    }
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::blast_radius::{administered, reached_pairs};
    use blastgraph_engine::graph::analyse;
    use blastgraph_engine::synth::{generate, SynthConfig};
    use std::collections::BTreeSet;

    /// The batch holder search gives, for every source and every indexed resource, the
    /// principal the one-resource definition gives.
    #[test]
    fn holders_equal_the_holder_of_each_resource() {
        let config = SynthConfig::custom(3, 40, 5).expect("a valid size");
        let snapshot = generate(&config).expect("generated").snapshot;
        analyse(&snapshot, |analysis| {
            let all: Vec<u32> = (0..analysis.access.resources.len() as u32).collect();
            let mut explained = 0;
            for source in analysis.graph.sources(&[]) {
                let tree = shortest_paths(&analysis.graph, source);
                let reached = reached(analysis, source, Some(&tree));
                let batch = holders(analysis, &reached, &all);
                for &r in &all {
                    assert_eq!(batch.get(&r).copied(), holder(analysis, &reached, r), "{r}");
                }
                explained += batch.len();
            }
            assert!(explained > 1000, "{explained} holders: too few to test");
        });
    }

    /// The reach of some sources, computed from the components they reach only, is
    /// those sources' reach in the reach of every source.
    #[test]
    fn the_reach_of_some_sources_is_their_part_of_the_whole() {
        let config = SynthConfig::custom(3, 40, 5).expect("a valid size");
        let snapshot = generate(&config).expect("generated").snapshot;
        analyse(&snapshot, |analysis| {
            let whole = org_reach(analysis, Paths::Omitted);
            let all: Vec<NodeId> = analysis.graph.sources(&[]).collect();
            for step in [7, 31, 97] {
                let some: Vec<NodeId> = all.iter().copied().step_by(step).collect();
                let part = org_reach_of(analysis, &some, Paths::Omitted);
                assert_eq!(part.sources.len(), some.len());
                for reach in &part.sources {
                    assert_eq!(Some(reach), whole.source(&reach.source), "{}", reach.source);
                }
                assert!(part.sources.iter().any(|r| !r.crown_jewels.is_empty()));
            }
        });
    }

    /// Each source's crown jewels and resource count from its reached (resource, class)
    /// pairs, directly: crown-jewel pairs outside the accounts it administers.
    #[test]
    fn crown_jewels_and_counts_equal_the_reached_pairs() {
        let config = SynthConfig::custom(3, 40, 5).expect("a valid size");
        let snapshot = generate(&config).expect("generated").snapshot;
        analyse(&snapshot, |analysis| {
            let org = org_reach(analysis, Paths::Omitted);
            let mut with_jewels = 0;
            for reach in &org.sources {
                let node = analysis.graph.node_by_id(&reach.source).expect("a node");
                let admin: BTreeSet<String> = administered(analysis, node).into_keys().collect();
                let (certain, any) = reached_pairs(analysis, node);
                let mut expected: BTreeSet<(String, String)> = BTreeSet::new();
                let mut sure: BTreeSet<String> = BTreeSet::new();
                let mut resources = BTreeSet::new();
                for p in &any {
                    let (r, c) = unpair(p);
                    resources.insert(r);
                    let resource = &analysis.access.resources[r as usize];
                    if CLASSES[c].crown_jewel && !admin.contains(&resource.account) {
                        expected.insert((resource.arn.clone(), CLASSES[c].action.into()));
                        if certain.contains(p) {
                            sure.insert(resource.arn.clone());
                        }
                    }
                }
                let findings: Vec<_> = reach.crown_jewels.findings(&reach.source).collect();
                let got: BTreeSet<(String, String)> = findings
                    .iter()
                    .flat_map(|f| f.actions.iter().map(|a| (f.target.clone(), a.clone())))
                    .collect();
                assert_eq!(got, expected, "{}", reach.source);
                let got_sure: BTreeSet<String> = findings
                    .iter()
                    .filter(|f| !f.conditional)
                    .map(|f| f.target.clone())
                    .collect();
                assert_eq!(got_sure, sure, "{}", reach.source);
                assert_eq!(reach.resources, resources.len(), "{}", reach.source);
                with_jewels += usize::from(!got.is_empty());
            }
            assert!(
                with_jewels > 10,
                "only {with_jewels} sources reach crown jewels"
            );
        });
    }
}
