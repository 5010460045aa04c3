//! What one concrete action outside the action classes may do, per access group: the
//! sets [`AccessIndex`] holds for its classes, computed at query time for one action.
//!
//! The semantics are the class build's: an access group is evaluated once, through its
//! representative (its first member), on the [`TargetSet`] of its account (the action's
//! resources of that account, and those of other accounts whose policy names the
//! account, one of its principals, or everyone), in one
//! [`Authorizer::authorize_set`] call; abstract resources are evaluated one by one. A
//! member is then asked again on the resources whose policy names it (or its
//! representative) or depends on who asks, and keeps a set of its own
//! ([`ActionAccess::overrides`]) when its answer differs. Every principal's sets are
//! therefore those [`AccessIndex::evaluate`] gives it resource by resource.

use super::access::{
    answer_of_its_own, callers_of, policy_rule, AccessIndex, Callers, CandidateIndex,
};
use super::authz::{
    Authorizer, ClassTargets, Decision, PolicyPrincipals, ResourcePolicyRule, SetEntry, TargetSet,
};
use super::model::{arn_account, Model, PrincipalIdx};
use rayon::prelude::*;
use roaring::RoaringBitmap;
use rustc_hash::FxHashMap;
use std::sync::Arc;

/// One concrete action's access: indexed resource ids, per access group of an
/// [`AccessIndex`], and per principal answered otherwise than its group.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ActionAccess {
    /// Per access group, the resources its members are allowed.
    pub allowed: Vec<RoaringBitmap>,
    /// Per access group, the resources its members are conditionally allowed.
    pub conditional: Vec<RoaringBitmap>,
    /// Principals whose answer differs from their group's (a resource policy names them
    /// or depends on who asks), ascending, each with its (allowed, conditional) sets in
    /// full.
    pub overrides: Vec<(PrincipalIdx, RoaringBitmap, RoaringBitmap)>,
}

impl ActionAccess {
    /// What `action` (any case) allows on `resources` (ascending indexed resource ids,
    /// e.g. the resources of its service), for every principal of `model`.
    pub fn compute(
        index: &AccessIndex,
        model: &Model,
        authz: &dyn Authorizer,
        action: &str,
        resources: &[u32],
    ) -> ActionAccess {
        let lower = action.to_ascii_lowercase();
        let sets = ActionSets::new(index, model, authz, action, resources);
        let representatives = representatives(&index.group_of, index.groups());
        let (allowed, conditional): (Vec<RoaringBitmap>, Vec<RoaringBitmap>) = representatives
            .par_iter()
            .map(|&rep| match rep {
                // A group left without members (none in a full build) holds nothing.
                PrincipalIdx::MAX => Default::default(),
                rep => sets.evaluate(index, model, authz, rep, action, &lower),
            })
            .unzip();
        let candidates = CandidateIndex::over(index, resources.iter().copied(), authz);
        let overrides = (0..model.principals.len() as PrincipalIdx)
            .into_par_iter()
            .filter_map(|p| {
                let group = index.group_of[p as usize] as usize;
                let rep = representatives[group];
                if rep == p {
                    return None;
                }
                let own = candidates.asked_again(model, p, rep);
                if own.is_empty() {
                    return None;
                }
                let mask: RoaringBitmap = own.iter().copied().collect();
                let answer = evaluate_each(index, authz, p, action, &own);
                answer_of_its_own((&allowed[group], &conditional[group]), &mask, answer)
                    .map(|(a, c)| (p, a, c))
            })
            .collect();
        ActionAccess {
            allowed,
            conditional,
            overrides,
        }
    }

    /// The (allowed, conditional) resources of a principal.
    pub fn of(
        &self,
        index: &AccessIndex,
        principal: PrincipalIdx,
    ) -> (&RoaringBitmap, &RoaringBitmap) {
        match self
            .overrides
            .binary_search_by_key(&principal, |(p, ..)| *p)
        {
            Ok(i) => (&self.overrides[i].1, &self.overrides[i].2),
            Err(_) => {
                let group = index.group_of[principal as usize] as usize;
                (&self.allowed[group], &self.conditional[group])
            }
        }
    }
}

/// The first member of each access group: the principal its sets are computed on
/// (groups of overridden principals come after the others, so not in member order).
fn representatives(group_of: &[u32], groups: usize) -> Vec<PrincipalIdx> {
    let mut first = vec![PrincipalIdx::MAX; groups];
    for (p, &group) in group_of.iter().enumerate().rev() {
        first[group as usize] = p as PrincipalIdx;
    }
    first
}

/// `principal` performing `action` on each of `resources`, one request each.
fn evaluate_each(
    index: &AccessIndex,
    authz: &dyn Authorizer,
    principal: PrincipalIdx,
    action: &str,
    resources: &[u32],
) -> (RoaringBitmap, RoaringBitmap) {
    let mut allowed = RoaringBitmap::new();
    let mut conditional = RoaringBitmap::new();
    for &r in resources {
        let form = AccessIndex::form_for(action, &index.resources[r as usize]);
        match index.evaluate(authz, principal, action, r, form) {
            Decision::Allow(_) => {
                allowed.insert(r);
            }
            Decision::Conditional(..) => {
                conditional.insert(r);
            }
            Decision::Deny(_) => {}
        }
    }
    (allowed, conditional)
}

/// Marks the accounts whose principals a resource policy naming these may allow
/// without their identity policies: those it names (by id, root or principal ARN), or
/// every account when it names everyone or depends on who asks.
fn mark_granting(named: &PolicyPrincipals, model: &Model, granting: &mut [bool]) {
    if named.any || named.principal_specific {
        granting.fill(true);
        return;
    }
    let accounts = named.accounts.iter().chain(&named.arns);
    for account in accounts.map(|a| arn_account(a).unwrap_or(a)) {
        if let Some(&a) = model.account_by_id.get(account) {
            granting[a as usize] = true;
        }
    }
}

/// The action's target sets, per caller account.
struct ActionSets<'a> {
    /// Per account (model index), its sets: one per resource policy rule among the
    /// action's resources.
    by_account: Vec<Vec<TargetSet<'a>>>,
    /// Resources asked one by one: abstract ones, and those of an account the model
    /// does not know (no set holds them).
    one_by_one: Vec<u32>,
    /// Per account, whether a resource policy of its sets may allow its principals on
    /// its own (it names everyone, the account or one of its principals, or depends on
    /// who asks): without, a principal whose identity policies cannot allow the action
    /// is allowed nothing there, and most principals are such.
    granting: Vec<bool>,
}

impl<'a> ActionSets<'a> {
    fn new(
        index: &'a AccessIndex,
        model: &Model,
        authz: &dyn Authorizer,
        action: &str,
        resources: &[u32],
    ) -> ActionSets<'a> {
        let accounts = model.accounts.len();
        // One table per rule (KMS key policies must allow; others may): a set has one.
        let mut tables: Vec<(ResourcePolicyRule, Vec<SetEntry<'a>>)> = Vec::new();
        let mut callers: FxHashMap<u32, Callers> = FxHashMap::default();
        let mut one_by_one = Vec::new();
        let mut granting = vec![false; accounts];
        for &id in resources {
            let resource = &index.resources[id as usize];
            let owner = model.account_by_id.get(&resource.account).copied();
            let Some(owner) = owner.filter(|_| !resource.is_abstract) else {
                one_by_one.push(id);
                continue;
            };
            callers.insert(id, callers_of(resource, owner, model, authz));
            if let Some(policy) = resource.policy {
                mark_granting(
                    &authz.resource_policy_principals(policy),
                    model,
                    &mut granting,
                );
            }
            let (arn, is_pattern) = resource.target_arn(AccessIndex::form_for(action, resource));
            let rule = policy_rule(resource.resource_type);
            let entry = (Arc::from(arn), is_pattern, resource, id, owner);
            match tables.iter_mut().find(|(r, _)| *r == rule) {
                Some((_, entries)) => entries.push(entry),
                None => tables.push((rule, vec![entry])),
            }
        }
        let mut by_account: Vec<Vec<TargetSet<'a>>> = (0..accounts).map(|_| Vec::new()).collect();
        for (rule, entries) in tables {
            let table = Arc::new(ClassTargets::new(entries));
            // The targets every account reaches are one list shared by the sets.
            let mut layer: Vec<u32> = Vec::new();
            let mut members: Vec<Vec<u32>> = vec![Vec::new(); accounts];
            for (position, id) in table.ids().iter().enumerate() {
                match &callers[id] {
                    Callers::Every => layer.push(position as u32),
                    Callers::These(these) => {
                        for &caller in these {
                            members[caller as usize].push(position as u32);
                        }
                    }
                }
            }
            let layer: Arc<[u32]> = layer.into();
            for (account, members) in members.into_iter().enumerate() {
                if !layer.is_empty() || !members.is_empty() {
                    let set = TargetSet::layered(
                        account as u32,
                        rule,
                        table.clone(),
                        layer.clone(),
                        members,
                    );
                    by_account[account].push(set);
                }
            }
        }
        ActionSets {
            by_account,
            one_by_one,
            granting,
        }
    }

    /// The (allowed, conditional) resources of `principal`, asked set by set and, for
    /// the resources no set holds, one by one.
    fn evaluate(
        &self,
        index: &AccessIndex,
        model: &Model,
        authz: &dyn Authorizer,
        principal: PrincipalIdx,
        action: &str,
        lower: &str,
    ) -> (RoaringBitmap, RoaringBitmap) {
        let account = model.principal(principal).account as usize;
        let mut allowed: Vec<u32> = Vec::new();
        let mut conditional: Vec<u32> = Vec::new();
        let mut yes = RoaringBitmap::new();
        let mut maybe = RoaringBitmap::new();
        let may = authz.may_allow(principal, lower);
        let sets = match may || self.granting[account] {
            true => self.by_account[account].as_slice(),
            false => &[],
        };
        for set in sets {
            yes.clear();
            maybe.clear();
            authz.authorize_set(principal, lower, set, &mut yes, &mut maybe);
            allowed.extend(yes.iter().map(|m| set.id(m)));
            conditional.extend(maybe.iter().map(|m| set.id(m)));
        }
        // Without an identity allow, a resource without a policy is denied.
        let asked: Vec<u32> = self
            .one_by_one
            .iter()
            .copied()
            .filter(|&r| may || index.resources[r as usize].policy.is_some())
            .collect();
        let (mut a, mut c) = evaluate_each(index, authz, principal, action, &asked);
        for (mut ids, into) in [(allowed, &mut a), (conditional, &mut c)] {
            ids.sort_unstable();
            ids.dedup();
            *into |= RoaringBitmap::from_sorted_iter(ids).expect("sorted ids");
        }
        (a, c)
    }
}
