//! Hub nodes: the assume-role edges of callers that share their answers, compressed.
//!
//! In a large organization nearly every assume-role edge says "a principal allowed
//! `sts:AssumeRole` may assume a role trusting its account": each caller times each such
//! role, tens of millions of edges. Callers of one account that get the same answers
//! through that route (the same *row*: the roles, each with its status, condition keys
//! included) share a hub node: one certain edge from each caller to the hub, and one
//! edge from the hub to each role of the row carrying that role's status. A path caller
//! -> hub -> role holds exactly when the direct edge did, with the same status, in both
//! reachability relations. The statement allowing a caller's step is not kept (callers
//! of one hub have different policies): a step through a hub shown in a path asks the
//! evaluator again, which answers as it did for the caller's evaluation group.
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

/// A hub: its callers and its row.
#[derive(Debug, Clone, Default)]
pub(crate) struct Hub {
    /// The callers, in principal order.
    members: Vec<PrincipalIdx>,
    /// (role, status index), in role order.
    row: Vec<(PrincipalIdx, u32)>,
}

/// Which callers share which hub, decided before any edge is added.
pub(crate) struct Plan {
    /// Per principal, its hub or [`NONE`].
    hub_of: Vec<u32>,
    hubs: Vec<Hub>,
    /// Distinct statuses of the rows.
    statuses: Vec<Status>,
}

/// A caller's row, summed up while the facts stream past in role order.
#[derive(Clone, Copy, Default)]
struct Summary {
    hash: u64,
    len: u32,
    /// Whether the caller is a role of its own row.
    has_self: bool,
}

fn mix(hash: u64, role: PrincipalIdx, status: u32) -> u64 {
    // splitmix64 of the running hash and the entry: rows differing anywhere differ in
    // hash with overwhelming odds, and rows are compared in full anyway.
    let mut z = hash
        .rotate_left(5)
        .wrapping_add((u64::from(role) << 32 | u64::from(status)) ^ 0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl Plan {
    /// No hubs.
    pub(crate) fn none(principals: usize) -> Plan {
        Plan {
            hub_of: vec![NONE; principals],
            hubs: Vec::new(),
            statuses: Vec::new(),
        }
    }

    /// Groups callers by (account, row) and keeps the groups whose hub saves edges.
    ///
    /// Rows are never all held at once (tens of millions of entries): each caller's is
    /// summed up as a hash while the facts stream past, callers are grouped by (account,
    /// length, hash), and a second pass writes out the row of each hub's first member and
    /// checks every other member's row against it entry by entry (a member that differs
    /// leaves the hub and keeps direct edges).
    pub(crate) fn new(model: &Model, roles: &[PrincipalIdx], edges: &[ToRole]) -> Plan {
        let n = model.principals.len();
        let mut plan = Plan::none(n);
        let mut known: FxHashMap<Status, u32> = FxHashMap::default();
        // Per role, its outcomes' status indices.
        let status_ids: Vec<Vec<u32>> = edges
            .iter()
            .map(|to| {
                to.outcomes
                    .iter()
                    .map(|(status, _)| {
                        *known.entry(status.clone()).or_insert_with(|| {
                            plan.statuses.push(status.clone());
                            plan.statuses.len() as u32 - 1
                        })
                    })
                    .collect()
            })
            .collect();
        let status_ids = &status_ids;
        let shared = |role: usize| {
            edges[role]
                .callers
                .iter()
                .filter(|(_, o)| o & SHARED != 0)
                .map(move |&(caller, o)| (caller, status_ids[role][(o & !SHARED) as usize]))
        };
        let mut summaries = vec![Summary::default(); n];
        for (r, &role) in roles.iter().enumerate() {
            for (caller, status) in shared(r) {
                let s = &mut summaries[caller as usize];
                s.hash = mix(s.hash, role, status);
                s.len += 1;
                s.has_self |= caller == role;
            }
        }
        // Candidate groups, numbered by first member.
        let mut buckets: FxHashMap<(u32, u32, u64), u32> = FxHashMap::default();
        let mut groups: Vec<Vec<PrincipalIdx>> = Vec::new();
        for (caller, s) in summaries.iter().enumerate() {
            if s.len == 0 {
                continue;
            }
            let key = (model.principals[caller].account, s.len, s.hash);
            let next = groups.len() as u32;
            let b = *buckets.entry(key).or_insert(next);
            if b == next {
                groups.push(Vec::new());
            }
            groups[b as usize].push(caller as PrincipalIdx);
        }
        drop(buckets);
        for group in groups {
            let (m, l) = (group.len(), summaries[group[0] as usize].len as usize);
            // A member that is a role of the row has a fact for itself, not an edge.
            let selves = group
                .iter()
                .filter(|&&c| summaries[c as usize].has_self)
                .count();
            if m + l >= m * l - selves.min(m * l) {
                continue;
            }
            let h = plan.hubs.len() as u32;
            for &c in &group {
                plan.hub_of[c as usize] = h;
            }
            plan.hubs.push(Hub {
                members: group,
                row: Vec::with_capacity(l),
            });
        }
        // Rows of the first members; every other member checked against its hub's.
        let mut first = vec![false; n];
        for hub in &plan.hubs {
            first[hub.members[0] as usize] = true;
        }
        let mut cursor = vec![0u32; n];
        let mut differs = vec![false; n];
        for (r, &role) in roles.iter().enumerate() {
            for (caller, status) in shared(r) {
                if first[caller as usize] {
                    let h = plan.hub_of[caller as usize];
                    plan.hubs[h as usize].row.push((role, status));
                }
            }
            for (caller, status) in shared(r) {
                let h = plan.hub_of[caller as usize];
                if h == NONE || first[caller as usize] {
                    continue;
                }
                let c = &mut cursor[caller as usize];
                if plan.hubs[h as usize].row.get(*c as usize) != Some(&(role, status)) {
                    differs[caller as usize] = true;
                }
                *c += 1;
            }
        }
        for hub in &mut plan.hubs {
            let len = hub.row.len() as u32;
            hub.members.retain(|&c| {
                let keep = !differs[c as usize] && (first[c as usize] || cursor[c as usize] == len);
                if !keep {
                    plan.hub_of[c as usize] = NONE;
                }
                keep
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
                    self.statuses[o as usize].clone(),
                    Explanation::new(Arc::new(head), Arc::new(Vec::new())),
                );
            }
        }
        index.first = first;
        index.hubs = self.hubs;
        index.statuses = self.statuses;
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
    statuses: Vec<Status>,
    /// The edge indices of the assume-role family: direct edges first, then the hubs'.
    pub(crate) assume_edges: Range<u32>,
    /// Per direct assume-role edge, in order: its statement, and whether the caller was
    /// a candidate through its account.
    direct: Vec<(PackedWhy, bool)>,
    /// Roles that are candidates of their own trust through their account, with their
    /// status: facts that are never edges.
    selves: Vec<(PrincipalIdx, Status)>,
}

impl Hubs {
    pub(crate) fn new(
        first: NodeId,
        direct: Vec<(PackedWhy, bool)>,
        selves: Vec<(PrincipalIdx, Status)>,
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

    /// Every assume-role fact of `graph` as (role, caller, outcome, shared), in no
    /// particular order. Hubs keep statuses, not statements: their facts have
    /// [`PackedWhy::UNKNOWN`] (the statement is asked again if the fact becomes a
    /// direct edge).
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
                        let status = self.statuses[o as usize].clone();
                        f(role, caller, (status, PackedWhy::UNKNOWN), true);
                    }
                }
            }
        }
        for (role, status) in &self.selves {
            f(*role, *role, (status.clone(), PackedWhy::UNKNOWN), true);
        }
    }
}
