//! Hub nodes: the assume-role edges of callers that share their answers, compressed.
//!
//! In a large organization nearly every assume-role edge says "a principal allowed
//! `sts:AssumeRole` may assume a role trusting its account": each caller times each such
//! role, tens of millions of edges. Callers of one account that get the same answers
//! through that route (the same *row*: the roles, each with its status and the
//! statement allowing it) share a hub node: one certain edge from each caller to the
//! hub, and one edge from the hub to each role of the row carrying that role's status.
//! A path caller -> hub -> role holds exactly when the direct edge did, with the same
//! status, in both reachability relations.
//!
//! Hubs are invisible: they are graph nodes past [`super::BlastGraph::nodes`] (so
//! nothing iterating the nodes meets them), reachable sets never contain them
//! ([`super::reach`]), searches cross a hub as one assume-role step, and a step through
//! a hub is shown as the direct edge would have been ([`super::Analysis::step_edge`]).
//! Edges naming a caller in the trust policy, or through a trust depending on who asks,
//! stay direct, and so do callers whose hub would not save edges.

use super::assume::{PackedWhy, ToRole, SHARED};
use super::builder::GraphBuilder;
use super::model::{Model, PrincipalIdx};
use super::{EdgeKind, Explanation, NodeId, Status};
use rustc_hash::FxHashMap;
use std::ops::Range;
use std::sync::Arc;

/// No hub.
const NONE: u32 = u32::MAX;

/// A row: (role, outcome index) in role order.
type Row = [(PrincipalIdx, u32)];

/// A hub: its callers and its row.
#[derive(Debug, Clone, Default)]
pub(crate) struct Hub {
    /// The callers, in principal order.
    members: Vec<PrincipalIdx>,
    /// (role, outcome index), in role order.
    row: Vec<(PrincipalIdx, u32)>,
}

/// Which callers share which hub, decided before any edge is added.
pub(crate) struct Plan {
    /// Per principal, its hub or [`NONE`].
    hub_of: Vec<u32>,
    hubs: Vec<Hub>,
    /// Distinct (status, statement) outcomes of the rows.
    outcomes: Vec<(Status, PackedWhy)>,
}

impl Plan {
    /// No hubs.
    pub(crate) fn none(principals: usize) -> Plan {
        Plan {
            hub_of: vec![NONE; principals],
            hubs: Vec::new(),
            outcomes: Vec::new(),
        }
    }

    /// Groups callers by (account, row) and keeps the groups whose hub saves edges.
    pub(crate) fn new(model: &Model, roles: &[PrincipalIdx], edges: &[ToRole]) -> Plan {
        let n = model.principals.len();
        let mut outcomes: Vec<(Status, PackedWhy)> = Vec::new();
        let mut known: FxHashMap<(Status, PackedWhy), u32> = FxHashMap::default();
        let mut rows: Vec<Vec<(PrincipalIdx, u32)>> = vec![Vec::new(); n];
        for (&role, to) in roles.iter().zip(edges) {
            let global: Vec<u32> = to
                .outcomes
                .iter()
                .map(|o| {
                    *known.entry(o.clone()).or_insert_with(|| {
                        outcomes.push(o.clone());
                        outcomes.len() as u32 - 1
                    })
                })
                .collect();
            for &(caller, o) in &to.callers {
                if o & SHARED != 0 {
                    rows[caller as usize].push((role, global[(o & !SHARED) as usize]));
                }
            }
        }
        // Buckets of callers with equal (account, row), numbered by first member.
        let mut buckets: FxHashMap<(u32, &Row), u32> = FxHashMap::default();
        let mut members: Vec<Vec<PrincipalIdx>> = Vec::new();
        for (caller, row) in rows.iter().enumerate() {
            if row.is_empty() {
                continue;
            }
            let account = model.principals[caller].account;
            let next = members.len() as u32;
            let b = *buckets.entry((account, row.as_slice())).or_insert(next);
            if b == next {
                members.push(Vec::new());
            }
            members[b as usize].push(caller as PrincipalIdx);
        }
        let mut plan = Plan::none(n);
        plan.outcomes = outcomes;
        for group in members {
            let row = &rows[group[0] as usize];
            let (m, l) = (group.len(), row.len());
            // A member that is a role of the row has a fact for itself, not an edge.
            let selves = group
                .iter()
                .filter(|&&c| row.binary_search_by_key(&c, |&(r, _)| r).is_ok())
                .count();
            if m + l >= m * l - selves {
                continue;
            }
            let h = plan.hubs.len() as u32;
            for &c in &group {
                plan.hub_of[c as usize] = h;
            }
            plan.hubs.push(Hub {
                row: row.clone(),
                members: group,
            });
        }
        plan
    }

    /// Whether the fact (`caller`, outcome with [`SHARED`]) goes through a hub.
    pub(crate) fn routed(&self, caller: PrincipalIdx, outcome: u32) -> bool {
        outcome & SHARED != 0 && self.hub_of[caller as usize] != NONE
    }

    /// How many edges the hubs add.
    pub(crate) fn edge_count(&self) -> usize {
        self.hubs
            .iter()
            .map(|h| h.members.len() + h.row.len())
            .sum()
    }

    /// Adds the hub nodes (after every other node) and their edges; hands the hubs to
    /// `index`.
    pub(crate) fn add_hubs(self, builder: &mut GraphBuilder<'_>, index: &mut Hubs) {
        let model = builder.model;
        // Never shown: a path through a hub is shown as the direct edge.
        let to_hub = Explanation::from("to a hub of callers sharing their assume-role answers");
        let first = builder.graph.nodes.len() as NodeId;
        for h in 0..self.hubs.len() as NodeId {
            let node = builder.graph.graph.add_node(first + h);
            debug_assert_eq!(node.index() as NodeId, first + h);
        }
        for (h, hub) in self.hubs.iter().enumerate() {
            let node = first + h as NodeId;
            for &caller in &hub.members {
                builder.add_edge(
                    caller,
                    node,
                    EdgeKind::AssumeRole,
                    Status::Certain,
                    to_hub.clone(),
                );
            }
            let account = model.principal(hub.members[0]).account;
            for &(role, o) in &hub.row {
                let same = model.principal(role).account == account;
                let head = super::assume::head_text(&model.principal(role).arn, same);
                builder.add_edge(
                    node,
                    role,
                    EdgeKind::AssumeRole,
                    self.outcomes[o as usize].0.clone(),
                    Explanation::new(Arc::new(head), Arc::new(Vec::new())),
                );
            }
        }
        index.first = first;
        index.hubs = self.hubs;
        index.outcomes = self.outcomes;
    }
}

/// What a graph keeps of its assume-role facts: its hubs, and for every direct
/// assume-role edge the statement that allows it, so that the facts can be read back
/// (an incremental build reuses them) and a step through a hub explained.
#[derive(Debug, Clone, Default)]
pub struct Hubs {
    /// The node id of the first hub (the number of real nodes).
    first: NodeId,
    hubs: Vec<Hub>,
    outcomes: Vec<(Status, PackedWhy)>,
    /// The edge indices of the assume-role family: direct edges first, then the hubs'.
    pub(crate) assume_edges: Range<u32>,
    /// Per direct assume-role edge, in order: its statement, and whether the caller was
    /// a candidate through its account.
    direct: Vec<(PackedWhy, bool)>,
    /// Roles that are candidates of their own trust through their account, with their
    /// outcome: facts that are never edges.
    selves: Vec<(PrincipalIdx, (Status, PackedWhy))>,
}

impl Hubs {
    pub(crate) fn new(
        first: NodeId,
        direct: Vec<(PackedWhy, bool)>,
        selves: Vec<(PrincipalIdx, (Status, PackedWhy))>,
    ) -> Hubs {
        Hubs {
            first,
            direct,
            selves,
            ..Hubs::default()
        }
    }

    /// How many hubs.
    pub fn len(&self) -> usize {
        self.hubs.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.hubs.is_empty()
    }

    /// The callers of the hub node `node`.
    pub fn members(&self, node: NodeId) -> &[PrincipalIdx] {
        &self.hubs[(node - self.first) as usize].members
    }

    /// The status and statement of the edge from hub node `node` to `role`.
    pub(crate) fn outcome(&self, node: NodeId, role: PrincipalIdx) -> Option<&(Status, PackedWhy)> {
        let row = &self.hubs[(node - self.first) as usize].row;
        let i = row.binary_search_by_key(&role, |&(r, _)| r).ok()?;
        Some(&self.outcomes[row[i].1 as usize])
    }

    /// Every assume-role fact of `graph` as (role, caller, outcome, shared), in no
    /// particular order.
    pub(crate) fn for_each_fact(
        &self,
        graph: &super::BlastGraph,
        mut f: impl FnMut(PrincipalIdx, PrincipalIdx, (Status, PackedWhy), bool),
    ) {
        let start = self.assume_edges.start as usize;
        let raw = graph.graph.raw_edges();
        for (e, &(why, shared)) in raw[start..start + self.direct.len()]
            .iter()
            .zip(&self.direct)
        {
            let (caller, role) = (e.source().index() as u32, e.target().index() as u32);
            f(role, caller, (e.weight.status.clone(), why), shared);
        }
        for hub in &self.hubs {
            for &(role, o) in &hub.row {
                for &caller in &hub.members {
                    if caller != role {
                        f(role, caller, self.outcomes[o as usize].clone(), true);
                    }
                }
            }
        }
        for (role, outcome) in &self.selves {
            f(*role, *role, outcome.clone(), true);
        }
    }
}
