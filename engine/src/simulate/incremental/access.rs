//! The "after" access sets from the "before" ones.
//!
//! A group's sets are computed on its representative (its first member), and a member
//! gets a group of its own when resources whose policy names it or depends on who asks
//! answer it differently (an override, appended after the groups). So, with every
//! resource unchanged, a group's sets are reusable when each member is unchanged and
//! has the same unchanged representative on both sides; the other groups are
//! recomputed by [`AccessIndex::build`] under a [`Restricted`] evaluator, and the
//! result is numbered exactly as a full build numbers it.

use super::restricted::{Restricted, Scope};
use crate::graph::access::AccessIndex;
use crate::graph::authz::Authorizer;
use crate::graph::model::{Model, PrincipalIdx};
use crate::snapshot::Snapshot;

/// Evaluation groups of one side (before overrides), numbered in order of first
/// member as [`crate::graph::equivalence_groups`] numbers them.
pub(super) struct Groups {
    /// Per principal, its group number.
    pub group_of: Vec<u32>,
    /// Per group, its first member (the representative it is evaluated on).
    pub first: Vec<PrincipalIdx>,
}

impl Groups {
    /// The groups of `authz` over `principals` principals.
    pub fn of(authz: &dyn Authorizer, principals: usize) -> Groups {
        let group_of = crate::graph::equivalence_groups(authz, principals);
        let mut first = Vec::new();
        for (p, &g) in group_of.iter().enumerate() {
            if g as usize == first.len() {
                first.push(p as PrincipalIdx);
            }
        }
        Groups { group_of, first }
    }

    /// How many groups.
    fn len(&self) -> usize {
        self.first.len()
    }

    /// The representative of a principal's group.
    pub fn representative(&self, principal: PrincipalIdx) -> PrincipalIdx {
        self.first[self.group_of[principal as usize] as usize]
    }
}

/// The access index of the after side, and how many groups were evaluated again.
pub(super) fn build(
    before: &AccessIndex,
    before_groups: &Groups,
    snapshot: &Snapshot,
    model: &Model,
    authz: &dyn Authorizer,
    groups: &Groups,
    stable: &[bool],
) -> (AccessIndex, usize) {
    let count = groups.len();
    // A group is active when one of its members is not stable.
    let mut group_active = vec![false; count];
    for (p, &g) in groups.group_of.iter().enumerate() {
        group_active[g as usize] |= !stable[p];
    }
    let active: Vec<bool> = groups
        .group_of
        .iter()
        .map(|&g| group_active[g as usize])
        .collect();
    let recomputed = group_active.iter().filter(|&&a| a).count();
    let mut restricted = active.contains(&true).then(|| {
        let restricted = Restricted {
            inner: authz,
            active: &active,
            scope: Scope::Actors,
        };
        AccessIndex::build(snapshot, model, &restricted)
    });
    let before_count = before_groups.len();
    let mut allowed = Vec::with_capacity(count);
    let mut conditional = Vec::with_capacity(count);
    for (g, &is_active) in group_active.iter().enumerate() {
        match &mut restricted {
            Some(index) if is_active => {
                allowed.push(std::mem::take(&mut index.allowed[g]));
                conditional.push(std::mem::take(&mut index.conditional[g]));
            }
            _ => {
                let representative = groups.first[g];
                let old = before_groups.group_of[representative as usize] as usize;
                allowed.push(before.allowed[old].clone());
                conditional.push(before.conditional[old].clone());
            }
        }
    }
    // Overrides, in principal order, as a full build appends them.
    let mut group_of = groups.group_of.clone();
    for (p, group) in group_of.iter_mut().enumerate() {
        let own = match &mut restricted {
            Some(index) if active[p] => {
                let own = index.group_of[p] as usize;
                (own >= count).then(|| {
                    (
                        std::mem::take(&mut index.allowed[own]),
                        std::mem::take(&mut index.conditional[own]),
                    )
                })
            }
            _ => {
                let own = before.group_of[p] as usize;
                (own >= before_count)
                    .then(|| (before.allowed[own].clone(), before.conditional[own].clone()))
            }
        };
        if let Some((a, c)) = own {
            *group = allowed.len() as u32;
            allowed.push(a);
            conditional.push(c);
        }
    }
    let index = AccessIndex {
        resources: before.resources.clone(),
        by_service: before.by_service.clone(),
        group_of,
        allowed,
        conditional,
    };
    (index, recomputed)
}
