//! How many targets each source reaches, without explaining any: the matching resources
//! each access group holds are propagated once over the condensation of the reachability
//! relation (a component reaches what its identities hold plus what its successors
//! reach), over every edge for the targets reached at all and over certain edges (with
//! certain permissions only) for those reached for certain. A source's counts are then
//! its components' set sizes: no path search, no string.

use super::hits::{HitSets, Hits};
use crate::blast_radius::{component_representatives, unreached_successors};
use blastgraph_engine::graph::reach::Reach;
use blastgraph_engine::graph::{Analysis, NodeId};
use rayon::prelude::*;
use roaring::RoaringBitmap;
use std::cmp::Reverse;
use std::sync::Arc;

/// What one source reaches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceCount {
    /// The source node.
    pub source: NodeId,
    /// Matching resources it reaches (one finding each).
    pub targets: u64,
    /// How many of them only conditionally.
    pub conditional: u64,
}

/// The counts of a `what-can-reach` answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Sources asked about.
    pub sources_asked: u64,
    /// Sources reaching at least one target, widest first (then by id).
    pub sources: Vec<SourceCount>,
    /// Indexed resources matching the question.
    pub matching: u64,
    /// Matching resources reached by at least one source.
    pub targets_reached: u64,
    /// Findings: (source, target) pairs.
    pub findings: u64,
    /// Findings that rest on a conditional or inferred edge or permission.
    pub conditional: u64,
}

impl Summary {
    pub(crate) fn compute(analysis: &Analysis<'_>, hits: &Hits, sources: &[NodeId]) -> Summary {
        let any = propagate(analysis, hits, &analysis.reach.any, |sets| {
            &sets.any_resources
        });
        // Over certain edges only, certain permissions only: what is reached for sure.
        let sure = propagate(analysis, hits, &analysis.reach.certain, |sets| {
            &sets.allowed_resources
        });
        let mut counts: Vec<SourceCount> = sources
            .par_iter()
            .filter_map(|&s| {
                let reached = &any[analysis.reach.any.component_of(s) as usize];
                if reached.is_empty() {
                    return None;
                }
                let certain = &sure[analysis.reach.certain.component_of(s) as usize];
                let targets = reached.len();
                Some(SourceCount {
                    source: s,
                    targets,
                    conditional: targets - reached.intersection_len(certain),
                })
            })
            .collect();
        let graph = &analysis.graph;
        counts.sort_by(|a, b| {
            (
                Reverse(a.targets),
                Reverse(a.targets - a.conditional),
                &graph.node(a.source).id,
            )
                .cmp(&(
                    Reverse(b.targets),
                    Reverse(b.targets - b.conditional),
                    &graph.node(b.source).id,
                ))
        });
        let mut components = RoaringBitmap::new();
        for count in &counts {
            components.insert(analysis.reach.any.component_of(count.source));
        }
        let components: Vec<u32> = components.iter().collect();
        let reached = components
            .par_iter()
            .fold(RoaringBitmap::new, |mut set, &c| {
                set |= &*any[c as usize];
                set
            })
            .reduce(RoaringBitmap::new, |a, b| a | b);
        Summary {
            sources_asked: sources.len() as u64,
            findings: counts.iter().map(|c| c.targets).sum(),
            conditional: counts.iter().map(|c| c.conditional).sum(),
            sources: counts,
            matching: hits.matching.len(),
            targets_reached: reached.len(),
        }
    }
}

/// Per component of `reach`, the resources held (as `held` picks a holder's resource
/// set) by an identity it reaches.
///
/// Most components add nothing of their own to what a single successor reaches (a task
/// definition reaches its role, a role the role it may assume), or hold a single set of
/// their own: those share that set instead of copying it. A union skips a set it
/// already took in and a successor another successor reaches (its set is part of that
/// one's, [`unreached_successors`]), so the work follows the distinct sets, not the edges.
pub(super) fn propagate(
    analysis: &Analysis<'_>,
    hits: &Hits,
    reach: &Reach,
    held: impl Fn(&HitSets) -> &Arc<RoaringBitmap> + Sync,
) -> Vec<Arc<RoaringBitmap>> {
    let mut own: Vec<Vec<NodeId>> = vec![Vec::new(); reach.components()];
    for holder in &hits.holders {
        own[reach.component_of(holder) as usize].push(holder);
    }
    let representative = component_representatives(analysis, reach);
    let empty = Arc::new(RoaringBitmap::new());
    let mut per_component = vec![empty; reach.components()];
    for level in reach.levels() {
        let computed: Vec<(u32, Arc<RoaringBitmap>)> = level
            .par_iter()
            .map(|&c| {
                let mut parts: Vec<&Arc<RoaringBitmap>> = Vec::new();
                for &n in &own[c as usize] {
                    let set = held(hits.of(analysis, n));
                    if !set.is_empty() {
                        parts.push(set);
                    }
                }
                let successors = unreached_successors(reach, &representative, c, |s| {
                    per_component[s as usize].is_empty()
                });
                parts.extend(successors.iter().map(|&s| &per_component[s as usize]));
                parts.sort_unstable_by_key(|set| Arc::as_ptr(set));
                parts.dedup_by_key(|set| Arc::as_ptr(set));
                let set = match parts.as_slice() {
                    [] => per_component[c as usize].clone(),
                    [only] => Arc::clone(only),
                    _ => {
                        let mut union = RoaringBitmap::new();
                        for part in parts {
                            union |= &**part;
                        }
                        Arc::new(union)
                    }
                };
                (c, set)
            })
            .collect();
        for (c, set) in computed {
            per_component[c as usize] = set;
        }
    }
    per_component
}
