//! The "after" graph from the "before" one: workload edges are rebuilt (cheap), the
//! assume-role facts and privilege-escalation edges of unchanged units are copied, the
//! others recomputed by the real edge builders under a [`Restricted`] evaluator, and both
//! are merged in the order a full build adds them. Assume-role facts are read back from
//! the before graph's edges and hubs, and the after graph's hubs planned on the merged
//! facts, as a full build plans them.

use super::restricted::{Restricted, Scope};
use crate::graph::assume::{self, Assumed};
use crate::graph::authz::Authorizer;
use crate::graph::model::Model;
use crate::graph::{
    privesc, workloads, BlastGraph, Edge, EdgeKind, GraphBuilder, GraphOptions, NodeId,
    SelfEscalation,
};
use crate::snapshot::Snapshot;

/// What to recompute.
pub(super) struct Active<'a> {
    /// Per principal: its assume-role pairs (as caller or as role) are recomputed.
    pub assume: &'a [bool],
    /// Per principal: its escalations (as actor) are recomputed.
    pub privesc: &'a [bool],
}

/// The graph of `snapshot`, reusing `before`'s edges for inactive units; `None` when
/// the two graphs' nodes differ (the caller then builds the graph in full).
pub(super) fn build(
    before: &BlastGraph,
    snapshot: &Snapshot,
    model: &Model,
    authz: &dyn Authorizer,
    options: &GraphOptions,
    active: &Active<'_>,
) -> Option<BlastGraph> {
    let mut builder = GraphBuilder::new(snapshot, model, authz, options);
    builder.add_source_nodes();
    if builder.graph.nodes != before.nodes {
        return None;
    }
    workloads::add_edges(&mut builder);
    let n = builder.graph.nodes.len();
    let restricted_run = |active: &[bool], scope: Scope, family: fn(&mut GraphBuilder<'_>)| {
        if !active.contains(&true) {
            return None;
        }
        let restricted = Restricted {
            inner: authz,
            active,
            scope,
        };
        let mut scratch = GraphBuilder::new(snapshot, model, &restricted, options);
        scratch.add_source_nodes();
        family(&mut scratch);
        Some(scratch.graph)
    };
    let (assumed, escalated) = rayon::join(
        || {
            // Facts, not edges: the hubs are planned on the merged facts, as a full
            // build plans them.
            let old = Assumed::of_graph(model, before);
            if !active.assume.contains(&true) {
                return Assumed::new(model, old, options.hubs);
            }
            let restricted = Restricted {
                inner: authz,
                active: active.assume,
                scope: Scope::Pairs,
            };
            let mut scratch = GraphBuilder::new(snapshot, model, &restricted, options);
            scratch.add_source_nodes();
            let new = assume::find_facts(&scratch);
            Assumed::new(model, Assumed::merge(old, new, active.assume), options.hubs)
        },
        || restricted_run(active.privesc, Scope::Actors, privesc::add_edges),
    );
    assumed.add_to(&mut builder);
    let (edges, escalations) = privesc_edges(before, escalated, active.privesc, n);
    for (actor, target, edge) in edges {
        builder.add_edge(actor, target, edge.kind, edge.status, edge.explanation);
    }
    builder.graph.escalations = escalations;
    Some(builder.graph)
}

/// Whether unit `index` is recomputed (nodes past the principals have no unit of their
/// own and are never reused).
fn is_active(active: &[bool], index: usize) -> bool {
    active.get(index).copied().unwrap_or(true)
}

/// An edge with its ends, owned.
type Owned = (NodeId, NodeId, Edge);

/// The edges of a family, owned, grouped by one end (`by`: `to` for assume-role,
/// `from` for escalations), each group in insertion order.
fn grouped(edges: impl Iterator<Item = Owned>, n: usize, by_target: bool) -> Vec<Vec<Owned>> {
    let mut groups: Vec<Vec<Owned>> = (0..n).map(|_| Vec::new()).collect();
    for edge in edges {
        let key = if by_target { edge.1 } else { edge.0 };
        groups[key as usize].push(edge);
    }
    groups
}

fn owned_edges(
    graph: petgraph::graph::DiGraph<NodeId, Edge, u32>,
    keep: fn(EdgeKind) -> bool,
) -> impl Iterator<Item = Owned> {
    let (_, edges) = graph.into_nodes_edges();
    edges
        .into_iter()
        .filter(move |e| keep(e.weight.kind))
        .map(|e| {
            (
                e.source().index() as NodeId,
                e.target().index() as NodeId,
                e.weight,
            )
        })
}

fn before_edges(
    before: &BlastGraph,
    keep: fn(EdgeKind) -> bool,
) -> impl Iterator<Item = Owned> + '_ {
    before
        .edges()
        .filter(move |(_, _, e)| keep(e.kind))
        .map(|(from, to, e)| (from, to, e.clone()))
}

fn is_privesc(kind: EdgeKind) -> bool {
    matches!(kind, EdgeKind::Privesc(_))
}

/// Escalation edges and policy-write findings in build order (by actor): an inactive
/// actor's come from `before`, an active one's from the restricted run.
fn privesc_edges(
    before: &BlastGraph,
    restricted: Option<BlastGraph>,
    active: &[bool],
    n: usize,
) -> (Vec<Owned>, Vec<SelfEscalation>) {
    let Some(restricted) = restricted else {
        let edges = before_edges(before, is_privesc).collect();
        return (edges, before.escalations.clone());
    };
    let by_principal = |escalations: Vec<SelfEscalation>| {
        // Principals are the first nodes: `n` (the node count) covers them.
        let mut groups: Vec<Vec<SelfEscalation>> = (0..n).map(|_| Vec::new()).collect();
        for escalation in escalations {
            groups[escalation.principal as usize].push(escalation);
        }
        groups
    };
    let old_findings = by_principal(before.escalations.clone());
    let new_findings = by_principal(restricted.escalations);
    let old = grouped(before_edges(before, is_privesc), n, false);
    let new = grouped(owned_edges(restricted.graph, is_privesc), n, false);
    let mut edges = Vec::new();
    let mut escalations = Vec::new();
    for (actor, ((old, new), (old_found, new_found))) in old
        .into_iter()
        .zip(new)
        .zip(old_findings.into_iter().zip(new_findings))
        .enumerate()
    {
        if is_active(active, actor) {
            edges.extend(new);
            escalations.extend(new_found);
        } else {
            edges.extend(old);
            escalations.extend(old_found);
        }
    }
    (edges, escalations)
}
