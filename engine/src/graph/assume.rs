//! Assume-role edges: `sts:AssumeRole` where the trust policy, the caller's identity
//! policies, its boundary and the SCPs allow it (same account, cross account, chaining
//! follows from the graph). Web identity edges live with the EKS workloads.

use super::authz::Why;
use super::builder::GraphBuilder;
use super::model::{PrincipalIdx, PrincipalKind};
use super::{status_of, EdgeKind, Explanation, Status};
use rayon::prelude::*;
use std::sync::Arc;

/// One assume-role edge found: (caller, role, status, the explanation's head, the
/// decision's statement).
type Found = (PrincipalIdx, PrincipalIdx, Status, Arc<str>, Why);

/// Adds every assume-role edge.
pub fn add_edges(builder: &mut GraphBuilder<'_>) {
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
    let edges: Vec<Vec<Found>> = roles
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
                candidates.extend(trusted.arns.iter().filter_map(|arn| model.principal_by_arn(arn)));
            }
            candidates.sort_unstable();
            candidates.dedup();
            // Callers with equal evaluation keys get equal answers, unless the trust
            // policy names them or depends on who asks.
            let trust_specific = model
                .principal(role)
                .trust
                .is_some_and(|t| authz.resource_policy_principals(t).principal_specific);
            let mut cache: rustc_hash::FxHashMap<u32, super::authz::Decision> =
                rustc_hash::FxHashMap::default();
            // The explanation's head names the role (same or cross account): made once
            // per role and shared by its edges.
            let mut heads: [Option<Arc<str>>; 2] = [None, None];
            let role_arn = &model.principal(role).arn;
            let role_account = model.principal(role).account;
            candidates
                .into_iter()
                .filter(|&caller| caller != role)
                .filter_map(|caller| {
                    let named = trusted.arns.iter().any(|a| *a == model.principal(caller).arn);
                    let decision = if trust_specific || named {
                        authz.assume_role(caller, role)
                    } else {
                        cache
                            .entry(groups[caller as usize])
                            .or_insert_with(|| authz.assume_role(caller, role))
                            .clone()
                    };
                    let status = status_of(&decision)?;
                    let same = model.principal(caller).account == role_account;
                    let head = heads[usize::from(same)]
                        .get_or_insert_with(|| {
                            format!(
                                "sts:AssumeRole on {role_arn} ({}): allowed by ",
                                if same { "same account" } else { "cross account: the trust policy and the caller's identity policy both allow" },
                            )
                            .into()
                        })
                        .clone();
                    Some((caller, role, status, head, decision.why()))
                })
                .collect()
        })
        .collect();
    builder.reserve_edges(edges.iter().map(Vec::len).sum());
    // The reason (the caller's statement that allows it) is worded once per caller and
    // statement, and shared by every role the caller may assume through it.
    let mut reasons: rustc_hash::FxHashMap<(PrincipalIdx, Why), Arc<[Arc<str>]>> =
        rustc_hash::FxHashMap::default();
    for (caller, role, status, head, why) in edges.into_iter().flatten() {
        let reason = reasons
            .entry((caller, why))
            .or_insert_with(|| Arc::from([Arc::from(authz.explain(Some(caller), why))]))
            .clone();
        let explanation = Explanation::new(head, reason);
        builder.add_edge(caller, role, EdgeKind::AssumeRole, status, explanation);
    }
}
