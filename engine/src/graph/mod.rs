//! The blast-radius graph: who can become whom.
//!
//! Nodes are credential sources (ECS task definitions, EKS service accounts, EC2
//! instances, Lambda functions) and identities (users, groups, roles); node `i` for
//! `i < model.principals.len()` is principal `i`. Edges follow
//! `../shared/domain/workloads.md` ([`workloads`]: runs-as, IMDS, ECScape, co-location),
//! role trust ([`assume`]: assume-role, web identity) and `privesc.md` ([`privesc`], a
//! catalogue of techniques as data). Each edge carries its status (certain, conditional
//! on condition keys, inferred) and an explanation.
//!
//! Every policy question goes through an [`authz::Authorizer`]; what identities may do on
//! resources is in [`access`], reachability in [`reach`], administrator detection in
//! [`admin`].

pub mod access;
pub mod action_sets;
pub mod admin;
mod analysis;
pub mod assume;
pub mod authz;
mod builder;
pub mod edge;
pub mod hubs;
pub mod model;
pub mod node;
pub mod privesc;
pub mod reach;
pub mod workloads;

pub use analysis::{analyse, analyse_with, Analysis};
pub use builder::GraphBuilder;
pub use edge::{Edge, EdgeKind, Explanation, Keys, SharedReasons, SharedText, Status};
pub use model::{Model, PrincipalIdx, PrincipalKind};
pub use node::{Node, NodeId, NodeKind};

use authz::{Authorizer, Decision};
use petgraph::graph::{DiGraph, EdgeIndex, NodeIndex};
use rustc_hash::FxHashMap;

/// A policy escalation that makes a principal administrator of its own account (SE
/// techniques on itself), or a write to another principal's policies.
#[derive(Debug, Clone)]
pub struct SelfEscalation {
    /// Who.
    pub principal: PrincipalIdx,
    /// The technique (index into [`privesc::CATALOGUE`]).
    pub technique: u16,
    /// The principal whose policies it can write (itself for SE).
    pub subject: PrincipalIdx,
    /// Certain or conditional.
    pub status: Status,
    /// Why.
    pub explanation: String,
}

/// The graph of one snapshot.
pub struct BlastGraph {
    /// Every node; index = [`NodeId`].
    pub nodes: Vec<Node>,
    /// The edges (node weights are the node ids).
    pub graph: DiGraph<NodeId, Edge, u32>,
    /// Node id by stable id (ARN or `eks:` name).
    pub by_id: FxHashMap<String, NodeId>,
    /// Policy writes found by the catalogue (SE on self, writes to others' policies).
    pub escalations: Vec<SelfEscalation>,
    /// Problems that could hide edges.
    pub warnings: Vec<String>,
    /// The hub nodes of the assume-role edges (graph nodes past `nodes`, see [`hubs`]).
    pub hubs: hubs::Hubs,
}

impl BlastGraph {
    /// Builds the graph of a snapshot.
    pub fn build(
        snapshot: &crate::snapshot::Snapshot,
        model: &Model,
        authz: &dyn Authorizer,
        options: &GraphOptions,
    ) -> BlastGraph {
        GraphBuilder::new(snapshot, model, authz, options).build()
    }

    /// The node with this stable id.
    pub fn node_by_id(&self, id: &str) -> Option<NodeId> {
        self.by_id.get(id).copied()
    }

    /// The node of a principal.
    pub fn principal_node(&self, principal: PrincipalIdx) -> NodeId {
        principal
    }

    /// A node.
    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id as usize]
    }

    /// The outgoing edges of a node, as (edge index, target).
    pub fn out_edges(&self, id: NodeId) -> impl Iterator<Item = (EdgeIndex<u32>, NodeId)> + '_ {
        use petgraph::visit::EdgeRef;
        self.graph
            .edges(NodeIndex::new(id as usize))
            .map(|e| (e.id(), e.target().index() as NodeId))
    }

    /// An edge's data.
    pub fn edge(&self, index: EdgeIndex<u32>) -> &Edge {
        &self.graph[index]
    }

    /// Every edge as (from, to, edge), in insertion order.
    pub fn edges(&self) -> impl Iterator<Item = (NodeId, NodeId, &Edge)> + '_ {
        self.graph.raw_edges().iter().map(|e| {
            (
                e.source().index() as NodeId,
                e.target().index() as NodeId,
                &e.weight,
            )
        })
    }

    /// Whether a graph node is a hub (never a source, an identity or a step of a path).
    pub fn is_hub(&self, id: NodeId) -> bool {
        id as usize >= self.nodes.len()
    }

    /// The steps out of a real node as users see them: every edge, a way through a hub
    /// as one assume-role step to each role of the hub (its edge is the hub's edge to
    /// the role; see [`Analysis::step_edge`]), in edge order.
    pub fn steps_from(&self, id: NodeId) -> Vec<reach::Step> {
        let mut steps = Vec::new();
        for (edge, to) in self.out_edges(id) {
            if self.is_hub(to) {
                steps.extend(self.out_edges(to).filter(|&(_, role)| role != id).map(
                    |(edge, role)| reach::Step {
                        from: id,
                        to: role,
                        edge,
                    },
                ));
            } else {
                steps.push(reach::Step { from: id, to, edge });
            }
        }
        steps.sort_unstable_by_key(|s| s.edge.index());
        steps
    }

    /// The steps into a real node as users see them (see [`BlastGraph::steps_from`]).
    pub fn steps_to(&self, id: NodeId) -> Vec<reach::Step> {
        use petgraph::visit::EdgeRef;
        let mut steps = Vec::new();
        for e in self
            .graph
            .edges_directed(NodeIndex::new(id as usize), petgraph::Direction::Incoming)
        {
            let from = e.source().index() as NodeId;
            if self.is_hub(from) {
                steps.extend(
                    self.hubs
                        .members(from)
                        .iter()
                        .filter(|&&caller| caller != id)
                        .map(|&caller| reach::Step {
                            from: caller,
                            to: id,
                            edge: e.id(),
                        }),
                );
            } else {
                steps.push(reach::Step {
                    from,
                    to: id,
                    edge: e.id(),
                });
            }
        }
        steps.sort_unstable_by_key(|s| (s.edge.index(), s.from));
        steps
    }

    /// Where a step comes in the order edges were added without hubs: the families in
    /// build order, assume-role edges by role then caller, others by edge index. Sorting
    /// steps by it lists them as a graph without hubs lists its edges.
    pub fn step_order(&self, step: &reach::Step) -> (u8, u32, u32) {
        let index = step.edge.index() as u32;
        let assume = &self.hubs.assume_edges;
        if index < assume.start {
            (0, index, 0)
        } else if index < assume.end {
            (1, step.to, step.from)
        } else {
            (2, index, 0)
        }
    }

    /// Source nodes of the given kinds (all kinds when empty), in node order.
    pub fn sources<'a>(&'a self, kinds: &'a [NodeKind]) -> impl Iterator<Item = NodeId> + 'a {
        self.nodes
            .iter()
            .enumerate()
            .filter(move |(_, n)| {
                n.kind != NodeKind::Group && (kinds.is_empty() || kinds.contains(&n.kind))
            })
            .map(|(i, _)| i as NodeId)
    }
}

/// Switches for edges that rest on choices the domain leaves open (what-if simulation
/// turns them on and off).
#[derive(Debug, Clone)]
pub struct GraphOptions {
    /// ECScape edges (container instance role -> task roles on the instance), for
    /// clusters without an entry in `ecscape_clusters`.
    pub ecscape: bool,
    /// Per-cluster ECScape switches by cluster ARN, overriding `ecscape` (set by what-if
    /// simulations, see [`crate::simulate::SimulationOptions`]).
    pub ecscape_clusters: std::collections::BTreeMap<String, bool>,
    /// ECScape also yields execution roles (unconfirmed: inferred edges).
    pub ecscape_execution_roles: bool,
    /// "Could be placed" edges: services may land on any container instance of their
    /// cluster.
    pub placeable: bool,
    /// Hub nodes for assume-role edges shared by callers of one account ([`hubs`]):
    /// the same answers from far fewer edges. Off only to check that claim.
    pub hubs: bool,
}

impl Default for GraphOptions {
    fn default() -> Self {
        GraphOptions {
            ecscape: true,
            ecscape_clusters: std::collections::BTreeMap::new(),
            ecscape_execution_roles: true,
            placeable: true,
            hubs: true,
        }
    }
}

impl GraphOptions {
    /// Whether ECScape edges are built for the ECS cluster with this ARN.
    pub fn ecscape_enabled(&self, cluster_arn: &str) -> bool {
        self.ecscape_clusters
            .get(cluster_arn)
            .copied()
            .unwrap_or(self.ecscape)
    }
}

/// Every principal's evaluation group: principals with equal
/// [`Authorizer::equivalence_key`]s share a group, numbered in order of first member.
pub fn equivalence_groups(authz: &dyn Authorizer, principals: usize) -> Vec<u32> {
    use rayon::prelude::*;
    let keys: Vec<Vec<u32>> = (0..principals as PrincipalIdx)
        .into_par_iter()
        .map(|p| authz.equivalence_key(p))
        .collect();
    let mut by_key: FxHashMap<&[u32], u32> = FxHashMap::default();
    keys.iter()
        .map(|key| {
            let next = by_key.len() as u32;
            *by_key.entry(key.as_slice()).or_insert(next)
        })
        .collect()
}

/// The status of an edge resting on a decision, or `None` when denied.
pub fn status_of(decision: &Decision) -> Option<Status> {
    match decision {
        Decision::Allow(_) => Some(Status::Certain),
        Decision::Conditional(keys, _) => Some(Status::conditional(keys.clone())),
        Decision::Deny(_) => None,
    }
}

/// The weaker of two statuses (conditional keys merged; inferred beats certain).
pub fn weaker(a: Status, b: Status) -> Status {
    match (a, b) {
        (Status::Certain, x) | (x, Status::Certain) => x,
        (Status::Conditional(x), Status::Conditional(y)) if x == y => Status::Conditional(x),
        (Status::Conditional(x), Status::Conditional(y)) => {
            let mut keys = x.to_vec();
            keys.extend_from_slice(&y);
            keys.sort();
            keys.dedup();
            Status::conditional(keys)
        }
        (Status::Inferred, _) | (_, Status::Inferred) => Status::Inferred,
    }
}

#[cfg(test)]
mod tests;
