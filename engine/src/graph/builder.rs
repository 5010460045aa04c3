//! Building a [`BlastGraph`]: nodes first, then each family of edges.

use super::authz::Authorizer;
use super::model::{arn_account, Model, PrincipalKind};
use super::node::{Node, NodeId, NodeKind};
use super::{
    assume, privesc, workloads, BlastGraph, Edge, EdgeKind, Explanation, GraphOptions, Status,
};
use crate::snapshot::{ResourceKind, Snapshot};
use petgraph::graph::{DiGraph, NodeIndex};
use rustc_hash::FxHashMap;

/// Builds a graph; the edge-family modules add to it through [`GraphBuilder::add_edge`].
pub struct GraphBuilder<'a> {
    /// The snapshot.
    pub snapshot: &'a Snapshot,
    /// Its indexed IAM.
    pub model: &'a Model,
    /// The evaluator.
    pub authz: &'a dyn Authorizer,
    /// Edge switches.
    pub options: &'a GraphOptions,
    /// The graph being built.
    pub graph: BlastGraph,
}

impl<'a> GraphBuilder<'a> {
    /// Starts a graph with a node per principal.
    pub fn new(
        snapshot: &'a Snapshot,
        model: &'a Model,
        authz: &'a dyn Authorizer,
        options: &'a GraphOptions,
    ) -> Self {
        let graph = BlastGraph {
            nodes: Vec::new(),
            graph: DiGraph::default(),
            by_id: FxHashMap::default(),
            escalations: Vec::new(),
            warnings: model.warnings.clone(),
            hubs: Default::default(),
        };
        let mut builder = GraphBuilder {
            snapshot,
            model,
            authz,
            options,
            graph,
        };
        for (index, principal) in model.principals.iter().enumerate() {
            let kind = match principal.kind {
                PrincipalKind::User => NodeKind::User,
                PrincipalKind::Group => NodeKind::Group,
                PrincipalKind::Role => NodeKind::Role,
            };
            let short = principal.arn.rsplit(':').next().unwrap_or(&principal.arn);
            builder.add_node(Node {
                kind,
                id: principal.arn.clone(),
                label: short.to_string(),
                account: principal.account,
                principal: Some(index as u32),
            });
        }
        builder
    }

    /// Adds every source node and every edge.
    pub fn build(mut self) -> BlastGraph {
        self.add_source_nodes();
        workloads::add_edges(&mut self);
        // The two large families are found before either is added, so the edge list
        // is allocated once at its final size (growing it would copy, and briefly hold
        // twice, tens of millions of edges).
        let assumed = assume::find(&self);
        let escalations = privesc::find(&self);
        self.reserve_edges(assumed.edge_count() + escalations.edge_count());
        assumed.add_to(&mut self);
        escalations.add_to(&mut self);
        self.graph
    }

    /// Adds a node per credential source (instances, task definitions, service
    /// accounts, functions): what [`GraphBuilder::build`] does before the edges, public
    /// for builders that add edge families one by one (`simulate::incremental`).
    pub fn add_source_nodes(&mut self) {
        let snapshot = self.snapshot;
        for (account_index, account) in snapshot.accounts.iter().enumerate() {
            let account_index = account_index as u32;
            for instance in &account.compute.ec2_instances {
                self.add_node(Node {
                    kind: NodeKind::Ec2Instance,
                    id: instance.arn.clone(),
                    label: format!("ec2:{}", instance.id),
                    account: account_index,
                    principal: None,
                });
            }
            for task_definition in &account.compute.task_definitions {
                self.add_node(Node {
                    kind: NodeKind::TaskDefinition,
                    id: task_definition.arn.clone(),
                    label: format!(
                        "ecs:{}:{}",
                        task_definition.family, task_definition.revision
                    ),
                    account: account_index,
                    principal: None,
                });
            }
            for cluster in &account.compute.eks_clusters {
                for (namespace, name) in workloads::service_accounts_of(cluster) {
                    let id = workloads::service_account_id(&cluster.name, &namespace, &name);
                    self.add_node(Node {
                        kind: NodeKind::ServiceAccount,
                        label: id.clone(),
                        id,
                        account: account_index,
                        principal: None,
                    });
                }
            }
            for resource in &account.resources {
                if let ResourceKind::LambdaFunction { .. } = resource.kind {
                    let name = resource.arn.rsplit(':').next().unwrap_or(&resource.arn);
                    self.add_node(Node {
                        kind: NodeKind::LambdaFunction,
                        id: resource.arn.clone(),
                        label: format!("lambda:{name}"),
                        account: account_index,
                        principal: None,
                    });
                }
            }
        }
    }

    /// Adds a node unless one with the same id exists; returns its id.
    pub fn add_node(&mut self, node: Node) -> NodeId {
        if let Some(&existing) = self.graph.by_id.get(&node.id) {
            return existing;
        }
        // Hubs come after every real node (`BlastGraph::is_hub`).
        debug_assert_eq!(self.graph.graph.node_count(), self.graph.nodes.len());
        let id = self.graph.nodes.len() as NodeId;
        let index = self.graph.graph.add_node(id);
        debug_assert_eq!(index.index(), id as usize);
        self.graph.by_id.insert(node.id.clone(), id);
        self.graph.nodes.push(node);
        id
    }

    /// Adds an edge.
    pub fn add_edge(
        &mut self,
        from: NodeId,
        to: NodeId,
        kind: EdgeKind,
        status: Status,
        explanation: impl Into<Explanation>,
    ) {
        if from == to {
            return;
        }
        self.graph.graph.add_edge(
            NodeIndex::new(from as usize),
            NodeIndex::new(to as usize),
            Edge {
                kind,
                status,
                explanation: explanation.into(),
            },
        );
    }

    /// Makes room for exactly `additional` more edges at once: edge families add theirs
    /// in one batch, and a graph of millions of edges grown by doubling copies (and
    /// briefly holds twice) its edge list on every growth, and ends with up to twice
    /// the room it needs.
    pub fn reserve_edges(&mut self, additional: usize) {
        self.graph.graph.reserve_exact_edges(additional);
    }

    /// The node of a role by ARN, or a warning when the role is not in the snapshot.
    pub fn role_node(&mut self, arn: &str, referrer: &str) -> Option<NodeId> {
        match self.model.principal_by_arn(arn) {
            Some(p) => Some(p),
            None => {
                let note =
                    if arn_account(arn).is_some_and(|a| self.model.account_by_id.contains_key(a)) {
                        ""
                    } else {
                        " (its account is not in the snapshot)"
                    };
                self.graph
                    .warnings
                    .push(format!("{referrer}: role {arn} is not in the snapshot{note}; what it reaches is unknown"));
                None
            }
        }
    }

    /// The account index of a node.
    pub fn account_of(&self, node: NodeId) -> u32 {
        self.graph.nodes[node as usize].account
    }
}
