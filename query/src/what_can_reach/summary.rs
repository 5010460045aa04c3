//! How many targets each source reaches, without explaining any: the matching resources
//! each access group holds are propagated once over the condensation of the reachability
//! relation (a component reaches what its identities hold plus what its successors
//! reach), over every edge for the targets reached at all and over certain edges (with
//! certain permissions only) for those reached for certain. A source's counts are then
//! its components' set sizes: no path search, no string.

use super::hits::{HitSets, Hits};
use super::layered::{Counter, Layered, Layers};
use crate::successors::{Components, Successors};
use blastgraph_engine::graph::reach::Reach;
use blastgraph_engine::graph::{Analysis, NodeId};
use rayon::prelude::*;
use std::cmp::Reverse;

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
        let layers = &hits.layer_resources;
        // Over every edge, and over certain edges only with certain permissions only (what
        // is reached for sure): side by side, as each level of one leaves cores idle.
        let (any, sure) = rayon::join(
            || {
                propagate(analysis, hits, &analysis.reach.any, layers, |sets| {
                    &sets.any_resources
                })
            },
            || {
                propagate(analysis, hits, &analysis.reach.certain, layers, |sets| {
                    &sets.allowed_resources
                })
            },
        );
        // Sources of one component share their sets: each distinct pair is counted once.
        let of_source: Vec<Option<(&Layered, &Layered)>> = sources
            .iter()
            .map(|&s| {
                let reached = &any[analysis.reach.any.component_of(s) as usize];
                let certain = &sure[analysis.reach.certain.component_of(s) as usize];
                (!reached.is_empty()).then_some((reached, certain))
            })
            .collect();
        let key = |(reached, certain): (&Layered, &Layered)| (reached.key(), certain.key());
        let mut distinct: Vec<(&Layered, &Layered)> = of_source.iter().flatten().copied().collect();
        distinct.sort_unstable_by_key(|&pair| key(pair));
        distinct.dedup_by_key(|pair| key(*pair));
        let counter = Counter::new(
            layers,
            distinct
                .iter()
                .map(|(reached, certain)| (reached.layers, certain.layers)),
        );
        let sizes: Vec<(u64, u64)> = distinct
            .par_iter()
            .map(|&(reached, certain)| counter.count(reached, certain))
            .collect();
        let mut counts: Vec<(SourceCount, &str)> = sources
            .par_iter()
            .zip(&of_source)
            .filter_map(|(&s, &sets)| {
                let sets = sets?;
                let at = distinct
                    .binary_search_by_key(&key(sets), |&pair| key(pair))
                    .expect("every pair is counted");
                let (targets, certain) = sizes[at];
                let count = SourceCount {
                    source: s,
                    targets,
                    conditional: targets - certain,
                };
                Some((count, analysis.graph.node(s).id.as_str()))
            })
            .collect();
        // Widest first, then by id (unique: one order).
        counts.par_sort_by(|(a, a_id), (b, b_id)| {
            (Reverse(a.targets), Reverse(a.targets - a.conditional), a_id).cmp(&(
                Reverse(b.targets),
                Reverse(b.targets - b.conditional),
                b_id,
            ))
        });
        let counts: Vec<SourceCount> = counts.into_iter().map(|(count, _)| count).collect();
        // Matching resources reached by some source: the union of the distinct sets.
        let reached_sets: Vec<Layered> = distinct
            .par_chunks(256)
            .map(|chunk| layers.union_of(chunk.iter().map(|&(reached, _)| reached)))
            .collect();
        let reached = layers.union_of(&reached_sets);
        Summary {
            sources_asked: sources.len() as u64,
            findings: counts.iter().map(|c| c.targets).sum(),
            conditional: counts.iter().map(|c| c.conditional).sum(),
            sources: counts,
            matching: hits.matching.len(),
            targets_reached: layers.union(reached.layers).len() + reached.own().len(),
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
/// one's, `crate::successors`), so the work follows the distinct sets, not the edges;
/// and layers are carried as bits ([`Layered`]), so it follows what differs between
/// groups.
pub(super) fn propagate(
    analysis: &Analysis<'_>,
    hits: &Hits,
    reach: &Reach,
    layers: &Layers,
    held: impl Fn(&HitSets) -> &Layered + Sync,
) -> Vec<Layered> {
    // The holders of each component, laid out by component (`start[c]..start[c + 1]`).
    let mut start = vec![0u32; reach.components() + 1];
    for holder in &hits.holders {
        start[reach.component_of(holder) as usize + 1] += 1;
    }
    for c in 0..reach.components() {
        start[c + 1] += start[c];
    }
    let mut own = vec![0; hits.holders.len() as usize];
    let mut next = start.clone();
    for holder in &hits.holders {
        let c = reach.component_of(holder) as usize;
        own[next[c] as usize] = holder;
        next[c] += 1;
    }
    let components = Components::of(analysis, reach);
    let mut per_component = vec![Layered::default(); reach.components()];
    for level in reach.levels() {
        let computed: Vec<(u32, Layered)> = level
            .par_iter()
            .map_init(Successors::default, |successors, &c| {
                let mut parts: Vec<&Layered> = Vec::new();
                let holders = &own[start[c as usize] as usize..start[c as usize + 1] as usize];
                for &n in holders {
                    let set = held(hits.of(analysis, n));
                    if !set.is_empty() {
                        parts.push(set);
                    }
                }
                let kept = components
                    .unreached_successors(c, successors, |s| per_component[s as usize].is_empty());
                parts.extend(kept.iter().map(|&s| &per_component[s as usize]));
                parts.sort_unstable_by_key(|set| set.key());
                parts.dedup_by_key(|set| set.key());
                let set = match parts.as_slice() {
                    [] => per_component[c as usize].clone(),
                    [only] => (*only).clone(),
                    _ => layers.union_of(parts),
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
