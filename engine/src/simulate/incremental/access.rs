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
use roaring::RoaringBitmap;

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

/// One group's own allowed and conditional pairs and its layer masks.
type Group = (RoaringBitmap, RoaringBitmap, [u32; 2]);

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
    // Groups reused from the before side keep their layer references only when the
    // layers are the same on both sides (they are whenever the resources are);
    // otherwise they hold their pairs in full.
    let layers = restricted
        .as_ref()
        .map_or_else(|| before.layers.clone(), |index| index.layers.clone());
    let same_layers = layers == before.layers;
    let reused = |old: usize| -> Group {
        if same_layers {
            (
                before.own_allowed[old].clone(),
                before.own_conditional[old].clone(),
                [before.allowed_layers[old], before.conditional_layers[old]],
            )
        } else {
            (
                before.allowed(old).into_owned(),
                before.conditional(old).into_owned(),
                [0, 0],
            )
        }
    };
    let taken = |index: &mut AccessIndex, g: usize| -> Group {
        (
            std::mem::take(&mut index.own_allowed[g]),
            std::mem::take(&mut index.own_conditional[g]),
            [index.allowed_layers[g], index.conditional_layers[g]],
        )
    };
    let mut groups_out: Vec<Group> = Vec::with_capacity(count);
    for (g, &is_active) in group_active.iter().enumerate() {
        match &mut restricted {
            Some(index) if is_active => groups_out.push(taken(index, g)),
            _ => {
                let representative = groups.first[g];
                groups_out.push(reused(
                    before_groups.group_of[representative as usize] as usize,
                ));
            }
        }
    }
    // Overrides, in principal order, as a full build appends them.
    let mut group_of = groups.group_of.clone();
    for (p, group) in group_of.iter_mut().enumerate() {
        let own = match &mut restricted {
            Some(index) if active[p] => {
                let own = index.group_of[p] as usize;
                (own >= count).then(|| taken(index, own))
            }
            _ => {
                let own = before.group_of[p] as usize;
                (own >= before_count).then(|| reused(own))
            }
        };
        if let Some(own) = own {
            *group = groups_out.len() as u32;
            groups_out.push(own);
        }
    }
    let mut index = AccessIndex {
        resources: before.resources.clone(),
        by_service: before.by_service.clone(),
        group_of,
        own_allowed: Vec::with_capacity(groups_out.len()),
        own_conditional: Vec::with_capacity(groups_out.len()),
        allowed_layers: Vec::with_capacity(groups_out.len()),
        conditional_layers: Vec::with_capacity(groups_out.len()),
        layers,
    };
    for (allowed, conditional, [allowed_layers, conditional_layers]) in groups_out {
        index.push_group(allowed, conditional, allowed_layers, conditional_layers);
    }
    (index, recomputed)
}
