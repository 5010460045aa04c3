//! Assume-role edges: `sts:AssumeRole` where the trust policy, the caller's identity
//! policies, its boundary and the SCPs allow it (same account, cross account, chaining
//! follows from the graph). Web identity edges live with the EKS workloads.

use super::authz::{Layer, Why};
use super::builder::GraphBuilder;
use super::model::{PrincipalIdx, PrincipalKind};
use super::{status_of, EdgeKind, Explanation, SharedReasons, SharedText, Status};
use crate::snapshot::DocId;
use rayon::prelude::*;
use std::sync::Arc;

/// The assume-role edges found to one role. Every edge is found before the first is
/// added (so the graph's edge list is reserved once, at its final size), and large
/// organizations have tens of millions: an edge found is 8 bytes, its caller and the
/// index of its outcome (status and the caller's statement that allows it) among the
/// role's distinct outcomes (callers of one evaluation group share one). The role is
/// implied by the list holding it, and the explanation is worded when the edge is
/// added.
#[derive(Default)]
struct ToRole {
    /// Distinct (status, statement) pairs.
    outcomes: Vec<(Status, PackedWhy)>,
    /// Per caller, in caller order: its index in `outcomes`.
    callers: Vec<(PrincipalIdx, u32)>,
}

/// A [`Why`] in 12 bytes.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct PackedWhy {
    /// The document's id plus one, 0 for none.
    document: u32,
    statement: u32,
    layer: Layer,
}

impl PackedWhy {
    fn pack(why: Why) -> PackedWhy {
        PackedWhy {
            document: why.document.map_or(0, |d| d.0 + 1),
            // A statement's index in a policy document (bounded by the document's size).
            statement: why.statement as u32,
            layer: why.layer,
        }
    }

    fn unpack(self) -> Why {
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
    /// Per role, the edges to it.
    edges: Vec<ToRole>,
}

/// Finds every assume-role edge.
pub fn find(builder: &GraphBuilder<'_>) -> Assumed {
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
    let roles: Vec<PrincipalIdx> = callers
        .iter()
        .copied()
        .filter(|&p| {
            let principal = model.principal(p);
            principal.kind == PrincipalKind::Role && !principal.service_linked
        })
        .collect();
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
                if caller == role {
                    continue;
                }
                let named = trusted
                    .arns
                    .iter()
                    .any(|a| *a == model.principal(caller).arn);
                let outcome = if trust_specific || named {
                    decide(caller, &mut to_role.outcomes)
                } else {
                    *cache
                        .entry(groups[caller as usize])
                        .or_insert_with(|| decide(caller, &mut to_role.outcomes))
                };
                if let Some(outcome) = outcome {
                    to_role.callers.push((caller, outcome));
                }
            }
            to_role
        })
        .collect();
    Assumed { roles, edges }
}

impl Assumed {
    /// How many edges.
    pub fn edge_count(&self) -> usize {
        self.edges.iter().map(|to| to.callers.len()).sum()
    }

    /// Adds the edges, in role order then caller order.
    pub fn add_to(self, builder: &mut GraphBuilder<'_>) {
        add_found(builder, self.roles, self.edges);
    }
}

fn add_found(builder: &mut GraphBuilder<'_>, roles: Vec<PrincipalIdx>, edges: Vec<ToRole>) {
    let model = builder.model;
    let authz = builder.authz;
    // The reason (the caller's statement that allows it) is worded once per caller and
    // statement, and shared by every role the caller may assume through it.
    let mut reasons: rustc_hash::FxHashMap<(PrincipalIdx, PackedWhy), SharedReasons> =
        rustc_hash::FxHashMap::default();
    for (role, found) in roles.into_iter().zip(edges) {
        // The explanation's head names the role (same or cross account): made once per
        // role and shared by its edges.
        let mut heads: [Option<SharedText>; 2] = [None, None];
        let role_arn = &model.principal(role).arn;
        let role_account = model.principal(role).account;
        for (caller, outcome) in found.callers {
            let (status, why) = &found.outcomes[outcome as usize];
            let (status, why) = (status.clone(), *why);
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
        }
    }
}

/// The head of an assume-role edge's explanation.
fn head_text(role_arn: &str, same_account: bool) -> String {
    format!(
        "sts:AssumeRole on {role_arn} ({}): allowed by ",
        if same_account {
            "same account"
        } else {
            "cross account: the trust policy and the caller's identity policy both allow"
        },
    )
}
