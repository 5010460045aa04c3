//! Assume-role edges: `sts:AssumeRole` where the trust policy, the caller's identity
//! policies, its boundary and the SCPs allow it (same account, cross account, chaining
//! follows from the graph). Web identity edges live with the EKS workloads.
//!
//! Most of these edges in a large organization say "every principal allowed
//! `sts:AssumeRole` may assume every role trusting its account": callers that get the
//! same answers through that route share a hub node ([`super::hubs`]), so the graph
//! holds callers + roles edges instead of callers x roles.

use super::authz::{Authorizer, Layer, Why};
use super::builder::GraphBuilder;
use super::hubs::{self, Hubs};
use super::model::{Model, PrincipalIdx, PrincipalKind};
use super::{status_of, EdgeKind, Explanation, SharedReasons, SharedText, Status};
use crate::snapshot::DocId;
use rayon::prelude::*;
use std::sync::Arc;

/// The assume-role facts found for one role. Every fact is found before the first edge
/// is added (so the graph's edge list is reserved once, at its final size), and large
/// organizations have tens of millions: a fact is 8 bytes, its caller and the index of
/// its outcome (status and the caller's statement that allows it) among the role's
/// distinct outcomes (callers of one evaluation group share one), with
/// [`SHARED`] set when the caller is a candidate through the role's trust of its
/// account (or of anyone) rather than by name. A role that is such a candidate of its
/// own trust has a fact for itself: never an edge, it lets the role share a hub with
/// the other callers of its account. The role is implied by the list holding it, and
/// the explanation is worded when the edge is added.
#[derive(Default, Clone)]
pub(crate) struct ToRole {
    /// Distinct (status, statement) pairs.
    pub(crate) outcomes: Vec<(Status, PackedWhy)>,
    /// Per caller, in caller order: its index in `outcomes`, with [`SHARED`].
    pub(crate) callers: Vec<(PrincipalIdx, u32)>,
}

/// Set on a fact's outcome index when the caller is a candidate through the account
/// (or anyone) route: its answer is its evaluation group's, and it may go through a hub.
pub(crate) const SHARED: u32 = 1 << 31;

/// A [`Why`] in 12 bytes.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub(crate) struct PackedWhy {
    /// The document's id plus one, 0 for none.
    document: u32,
    statement: u32,
    layer: Layer,
}

impl PackedWhy {
    /// Not known: a fact read back from a hub, which keeps statuses only.
    pub(crate) const UNKNOWN: PackedWhy = PackedWhy {
        document: u32::MAX,
        statement: u32::MAX,
        layer: Layer::None,
    };

    pub(crate) fn pack(why: Why) -> PackedWhy {
        PackedWhy {
            document: why.document.map_or(0, |d| d.0 + 1),
            // A statement's index in a policy document (bounded by the document's size).
            statement: why.statement as u32,
            layer: why.layer,
        }
    }

    pub(crate) fn unpack(self) -> Why {
        Why {
            layer: self.layer,
            document: self.document.checked_sub(1).map(DocId),
            statement: self.statement as usize,
        }
    }
}

/// Adds every assume-role edge.
pub fn add_edges(builder: &mut GraphBuilder<'_>) {
    let found = find(builder);
    builder.reserve_edges(found.edge_count());
    found.add_to(builder);
}

/// Every assume-role edge, found but not yet added: [`GraphBuilder::build`] finds the
/// edges of every large family first, so that the graph's edge list is allocated once.
pub struct Assumed {
    /// The roles, in principal order.
    roles: Vec<PrincipalIdx>,
    /// Per role, the facts.
    edges: Vec<ToRole>,
    /// Which callers share which hub.
    plan: hubs::Plan,
}

/// The roles that may be assumed (not service-linked), in principal order.
fn assumable_roles(model: &Model) -> Vec<PrincipalIdx> {
    (0..model.principals.len() as PrincipalIdx)
        .filter(|&p| {
            let principal = model.principal(p);
            principal.kind == PrincipalKind::Role && !principal.service_linked
        })
        .collect()
}

/// The facts of every role, hubs not yet planned.
pub(crate) struct Facts {
    /// The roles, in principal order.
    roles: Vec<PrincipalIdx>,
    /// Per role, the facts.
    edges: Vec<ToRole>,
}

/// Finds every assume-role edge.
pub fn find(builder: &GraphBuilder<'_>) -> Assumed {
    Assumed::new(builder.model, find_facts(builder), builder.options.hubs)
}

/// Finds every assume-role fact.
pub(crate) fn find_facts(builder: &GraphBuilder<'_>) -> Facts {
    let model = builder.model;
    let authz = builder.authz;
    let callers: Vec<PrincipalIdx> = (0..model.principals.len() as PrincipalIdx).collect();
    // Principals that may call sts:AssumeRole at all (their own policies): the others
    // only matter where a trust policy names them directly.
    let may_assume: Vec<bool> = callers
        .par_iter()
        .map(|&p| authz.may_allow(p, "sts:assumerole"))
        .collect();
    let groups = super::equivalence_groups(authz, model.principals.len());
    let mut by_account: Vec<Vec<PrincipalIdx>> = vec![Vec::new(); model.accounts.len()];
    for &p in &callers {
        by_account[model.principal(p).account as usize].push(p);
    }
    let roles = assumable_roles(model);
    let edges: Vec<ToRole> = roles
        .par_iter()
        .map(|&role| {
            let trusted = authz.trusted_principals(role);
            let mut candidates: Vec<PrincipalIdx> = Vec::new();
            if trusted.any {
                candidates.extend(callers.iter().copied().filter(|&c| may_assume[c as usize]));
            } else {
                for account in &trusted.accounts {
                    if let Some(&a) = model.account_by_id.get(account) {
                        candidates.extend(
                            by_account[a as usize]
                                .iter()
                                .copied()
                                .filter(|&c| may_assume[c as usize]),
                        );
                    }
                }
                candidates.extend(
                    trusted
                        .arns
                        .iter()
                        .filter_map(|arn| model.principal_by_arn(arn)),
                );
            }
            candidates.sort_unstable();
            candidates.dedup();
            // Callers with equal evaluation keys get equal answers, unless the trust
            // policy names them or depends on who asks.
            let trust_specific = model
                .principal(role)
                .trust
                .is_some_and(|t| authz.resource_policy_principals(t).principal_specific);
            // Per evaluation group: the index of the outcome, `None` when denied.
            let mut cache: rustc_hash::FxHashMap<u32, Option<u32>> =
                rustc_hash::FxHashMap::default();
            let mut known: rustc_hash::FxHashMap<(Status, PackedWhy), u32> =
                rustc_hash::FxHashMap::default();
            let mut to_role = ToRole::default();
            let mut decide = |caller: PrincipalIdx, outcomes: &mut Vec<(Status, PackedWhy)>| {
                let decision = authz.assume_role(caller, role);
                let outcome = (status_of(&decision)?, PackedWhy::pack(decision.why()));
                Some(*known.entry(outcome.clone()).or_insert_with(|| {
                    outcomes.push(outcome);
                    outcomes.len() as u32 - 1
                }))
            };
            for caller in candidates {
                let named = trusted
                    .arns
                    .iter()
                    .any(|a| *a == model.principal(caller).arn);
                let shared = !(trust_specific || named);
                let outcome = if shared {
                    // The role itself included: its group's answer, a fact that is
                    // never an edge (see `ToRole`).
                    cache
                        .entry(groups[caller as usize])
                        .or_insert_with(|| decide(caller, &mut to_role.outcomes))
                        .map(|o| o | SHARED)
                } else if caller == role {
                    None
                } else {
                    decide(caller, &mut to_role.outcomes)
                };
                if let Some(outcome) = outcome {
                    to_role.callers.push((caller, outcome));
                }
            }
            to_role
        })
        .collect();
    Facts { roles, edges }
}

impl Assumed {
    /// The facts, with hubs planned when `hubs` is on.
    pub(crate) fn new(model: &Model, facts: Facts, hubs: bool) -> Assumed {
        let Facts { roles, edges } = facts;
        let plan = if hubs {
            hubs::Plan::new(model, &roles, &edges)
        } else {
            hubs::Plan::none(model.principals.len())
        };
        Assumed { roles, edges, plan }
    }

    /// How many edges (hub edges included).
    pub fn edge_count(&self) -> usize {
        let direct: usize = self
            .roles
            .iter()
            .zip(&self.edges)
            .map(|(&role, to)| {
                to.callers
                    .iter()
                    .filter(|&&(caller, o)| caller != role && !self.plan.routed(caller, o))
                    .count()
            })
            .sum();
        direct + self.plan.edge_count()
    }

    /// Adds the edges: direct ones in role order then caller order, then every hub
    /// (its callers' edges to it, then its edges to the roles).
    pub fn add_to(self, builder: &mut GraphBuilder<'_>) {
        let start = builder.graph.graph.edge_count() as u32;
        let direct = add_direct(builder, &self.roles, &self.edges, &self.plan);
        let selfs = self
            .roles
            .iter()
            .zip(&self.edges)
            .filter_map(|(&role, to)| {
                let &(_, o) = to.callers.iter().find(|(c, _)| *c == role)?;
                Some((role, to.outcomes[(o & !SHARED) as usize].0.clone()))
            })
            .collect();
        let mut index = Hubs::new(builder.graph.nodes.len() as u32, direct, selfs);
        self.plan.add_hubs(builder, &mut index);
        index.assume_edges = start..builder.graph.graph.edge_count() as u32;
        builder.graph.hubs = index;
    }

    /// Merges the facts of inactive (caller, role) pairs from `old` with those of
    /// active pairs from `new` (found under an evaluator denying inactive pairs), as an
    /// incremental build does; `active` is per principal.
    pub(crate) fn merge(old: Facts, new: Facts, active: &[bool]) -> Facts {
        let is_active = |p: PrincipalIdx| active.get(p as usize).copied().unwrap_or(true);
        let edges: Vec<ToRole> = old
            .roles
            .iter()
            .zip(old.edges)
            .zip(new.edges)
            .map(|((&role, old), new)| {
                if is_active(role) {
                    return new;
                }
                let mut merged = ToRole {
                    outcomes: old.outcomes,
                    callers: Vec::with_capacity(old.callers.len()),
                };
                let offset = merged.outcomes.len() as u32;
                merged.outcomes.extend(new.outcomes);
                let mut old = old
                    .callers
                    .into_iter()
                    .filter(|&(caller, _)| !is_active(caller))
                    .peekable();
                let mut new = new
                    .callers
                    .into_iter()
                    .map(|(caller, o)| (caller, o + offset))
                    .peekable();
                // Both in caller order: merge.
                loop {
                    let take_old = match (old.peek(), new.peek()) {
                        (Some(o), Some(w)) => o.0 < w.0,
                        (Some(_), None) => true,
                        (None, Some(_)) => false,
                        (None, None) => break,
                    };
                    merged
                        .callers
                        .extend(if take_old { old.next() } else { new.next() });
                }
                merged
            })
            .collect();
        Facts {
            roles: old.roles,
            edges,
        }
    }

    /// The facts a graph's assume-role edges and hubs hold (what [`find`] found for it).
    pub(crate) fn of_graph(model: &Model, graph: &super::BlastGraph) -> Facts {
        let roles = assumable_roles(model);
        let mut position = vec![u32::MAX; model.principals.len()];
        for (i, &role) in roles.iter().enumerate() {
            position[role as usize] = i as u32;
        }
        let mut edges: Vec<ToRole> = vec![ToRole::default(); roles.len()];
        let mut known: Vec<rustc_hash::FxHashMap<(Status, PackedWhy), u32>> =
            vec![Default::default(); roles.len()];
        let mut push = |role: PrincipalIdx,
                        caller: PrincipalIdx,
                        outcome: (Status, PackedWhy),
                        shared: bool| {
            let r = position[role as usize] as usize;
            let to = &mut edges[r];
            let index = *known[r].entry(outcome.clone()).or_insert_with(|| {
                to.outcomes.push(outcome);
                to.outcomes.len() as u32 - 1
            });
            to.callers
                .push((caller, index | if shared { SHARED } else { 0 }));
        };
        graph
            .hubs
            .for_each_fact(graph, |role, caller, outcome, shared| {
                push(role, caller, outcome, shared)
            });
        for to in &mut edges {
            to.callers.sort_unstable_by_key(|&(caller, _)| caller);
        }
        Facts { roles, edges }
    }
}

/// Adds the edges that do not go through a hub; returns each one's statement and
/// whether the caller was a candidate through its account.
fn add_direct(
    builder: &mut GraphBuilder<'_>,
    roles: &[PrincipalIdx],
    edges: &[ToRole],
    plan: &hubs::Plan,
) -> Vec<(PackedWhy, bool)> {
    let model = builder.model;
    let authz = builder.authz;
    let mut direct = Vec::new();
    // The reason (the caller's statement that allows it) is worded once per caller and
    // statement, and shared by every role the caller may assume through it.
    let mut reasons: rustc_hash::FxHashMap<(PrincipalIdx, PackedWhy), SharedReasons> =
        rustc_hash::FxHashMap::default();
    for (&role, found) in roles.iter().zip(edges) {
        // The explanation's head names the role (same or cross account): made once per
        // role and shared by its edges.
        let mut heads: [Option<SharedText>; 2] = [None, None];
        let role_arn = &model.principal(role).arn;
        let role_account = model.principal(role).account;
        for &(caller, outcome) in &found.callers {
            if caller == role || plan.routed(caller, outcome) {
                continue;
            }
            let (status, why) = &found.outcomes[(outcome & !SHARED) as usize];
            let status = status.clone();
            // A fact read back from a hub: its statement is asked again (the answer
            // of the caller's evaluation group, which the fact was).
            let why = if *why == PackedWhy::UNKNOWN {
                PackedWhy::pack(authz.assume_role(caller, role).why())
            } else {
                *why
            };
            let same = model.principal(caller).account == role_account;
            let head = heads[usize::from(same)]
                .get_or_insert_with(|| Arc::new(head_text(role_arn, same)))
                .clone();
            let reason = reasons
                .entry((caller, why))
                .or_insert_with(|| {
                    Arc::new(vec![Arc::from(authz.explain(Some(caller), why.unpack()))])
                })
                .clone();
            builder.add_edge(
                caller,
                role,
                EdgeKind::AssumeRole,
                status,
                Explanation::new(head, reason),
            );
            direct.push((why, outcome & SHARED != 0));
        }
    }
    direct
}

/// The explanation of the assume-role edge from `caller` to `role` allowed by `why`:
/// what a direct edge holds, and what a path through a hub shows.
pub(crate) fn explanation(
    model: &Model,
    authz: &dyn Authorizer,
    caller: PrincipalIdx,
    role: PrincipalIdx,
    why: PackedWhy,
) -> Explanation {
    let same = model.principal(caller).account == model.principal(role).account;
    Explanation::new(
        Arc::new(head_text(&model.principal(role).arn, same)),
        Arc::new(vec![Arc::from(authz.explain(Some(caller), why.unpack()))]),
    )
}

/// The head of an assume-role edge's explanation.
pub(crate) fn head_text(role_arn: &str, same_account: bool) -> String {
    format!(
        "sts:AssumeRole on {role_arn} ({}): allowed by ",
        if same_account {
            "same account"
        } else {
            "cross account: the trust policy and the caller's identity policy both allow"
        },
    )
}
