//! Per-group sets unioned once per component of the reachability condensation instead
//! of once per source: a component reaches what its identities' access groups hold
//! plus what its successors reach, computed level by level from the sinks (each level
//! in parallel). A source's set is then its component's.

use blastgraph_engine::graph::reach::Reach;
use blastgraph_engine::graph::{Analysis, NodeId};
use rayon::prelude::*;
use roaring::RoaringBitmap;

/// A value that can be unioned.
pub(crate) trait Union: Default + Send + Sync {
    /// Adds `other` into `self`.
    fn union(&mut self, other: &Self);
}

/// Per component of `reach`, the union of `group_value` over the access groups of the
/// principals it reaches (`group_value` is called once per group present). With
/// `needed`, only those components are computed (the others are left empty): `needed`
/// must hold every successor of its components, as [`components_reached`] gives.
pub(crate) fn per_component<T: Union>(
    analysis: &Analysis<'_>,
    reach: &Reach,
    group_value: &[T],
    needed: Option<&RoaringBitmap>,
) -> Vec<T> {
    let access = &analysis.access;
    let mut groups_of: Vec<Vec<u32>> = vec![Vec::new(); reach.components()];
    for p in 0..analysis.model.principals.len() {
        let node = analysis.graph.principal_node(p as u32);
        groups_of[reach.component_of(node as NodeId) as usize].push(access.group_of[p]);
    }
    for groups in &mut groups_of {
        groups.sort_unstable();
        groups.dedup();
    }
    let mut values: Vec<T> = (0..reach.components()).map(|_| T::default()).collect();
    for level in reach.levels() {
        let computed: Vec<(u32, T)> = level
            .par_iter()
            .filter(|&&c| needed.is_none_or(|n| n.contains(c)))
            .map(|&c| {
                let mut value = T::default();
                for &g in &groups_of[c as usize] {
                    value.union(&group_value[g as usize]);
                }
                for &s in reach.successors(c) {
                    value.union(&values[s as usize]);
                }
                (c, value)
            })
            .collect();
        for (c, value) in computed {
            values[c as usize] = value;
        }
    }
    values
}

/// The components of `reach` reachable from `sources`' components: every component
/// whose value a source's value is made of. Walked along the condensation's successors,
/// not read from the sources' reachable nodes: components of hub nodes (which no
/// reachable set holds) carry values too.
pub(crate) fn components_reached(reach: &Reach, sources: &[NodeId]) -> RoaringBitmap {
    let mut seen = RoaringBitmap::new();
    let mut stack: Vec<u32> = Vec::new();
    for &source in sources {
        let c = reach.component_of(source);
        if seen.insert(c) {
            stack.push(c);
        }
    }
    while let Some(c) = stack.pop() {
        for &s in reach.successors(c) {
            if seen.insert(s) {
                stack.push(s);
            }
        }
    }
    seen
}

impl Union for roaring::RoaringBitmap {
    fn union(&mut self, other: &Self) {
        *self |= other;
    }
}
