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
}

impl Default for GraphOptions {
    fn default() -> Self {
        GraphOptions {
            ecscape: true,
            ecscape_clusters: std::collections::BTreeMap::new(),
            ecscape_execution_roles: true,
            placeable: true,
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
