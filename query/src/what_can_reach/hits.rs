//! Who holds a matching permission: the (resource, action) pairs of the question that
//! each access group is allowed, as bitmaps of hit ids. A concrete action outside the
//! classes is evaluated now, per access group too ([`ActionAccess`]); a principal a
//! resource policy answers otherwise than its group gets a group of its own.
//!
//! A hit id is `rank * width + action`, where `rank` is the resource's position among
//! the matching resources ([`Hits::matching`]) and `action` indexes [`Hits::names`]: so
//! a bitmap of hits iterates by resource, then action, which is the order findings are
//! printed in. Ranks rather than resource ids keep the hit space dense: the 27,400
//! secrets of a 100-account organization are spread over half a million indexed
//! resources, but their ranks fit in one roaring container, which makes the unions of
//! the summary's propagation a few word operations each. Per-group sets are never
//! copied to the group's principals, and hold the shared access layers as bits
//! ([`Layered`]): a layer's hits are computed once per question, and a group meets the
//! question only on its own pairs ([`Wanted`]).

use super::layered::{Layered, Layers};
use super::WhatCanReachQuery;
use crate::QueryError;
use blastgraph_engine::graph::access::{pair, unpair, AccessIndex, ResourceType, CLASSES};
use blastgraph_engine::graph::action_sets::ActionAccess;
use blastgraph_engine::graph::authz::glob::{glob_match, globs_intersect};
use blastgraph_engine::graph::model::PrincipalIdx;
use blastgraph_engine::graph::{Analysis, NodeId};
use rayon::prelude::*;
use roaring::RoaringBitmap;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The hits of one holder: (certainly allowed, allowed or conditionally allowed), and
/// the same at resource level (what the counts need), computed once, each its own pairs'
/// hits plus the shared layers it holds in full ([`Layered`]). With one action name the
/// resource-level sets are the hit sets themselves (shared).
#[derive(Debug, Default, Clone)]
pub(crate) struct HitSets {
    /// Hits allowed without condition.
    pub allowed: Layered,
    /// Every hit, allowed or conditional.
    pub any: Layered,
    /// The resource ranks of `allowed`.
    pub allowed_resources: Layered,
    /// The resource ranks of `any`.
    pub any_resources: Layered,
}

/// How a holder's hits are laid out: the layers at hit and at resource level, and the
/// number of hits per resource.
struct Layout<'a> {
    hits: &'a Layers,
    resources: &'a Layers,
    width: u32,
}

impl Layout<'_> {
    /// The sets of these own (allowed, conditional) hits and layers.
    fn sets(
        &self,
        allowed: RoaringBitmap,
        allowed_layers: u32,
        conditional: RoaringBitmap,
        conditional_layers: u32,
    ) -> HitSets {
        let any_layers = allowed_layers | conditional_layers;
        // Without conditional hits or layers, `any` is `allowed`.
        let same = conditional.is_empty() && conditional_layers & self.hits.present == 0;
        let any_own = (!same).then(|| &allowed | &conditional);
        let allowed_resources = self.ranks(&allowed);
        let allowed = self.hits.layered(allowed, allowed_layers);
        let allowed_resources = match allowed_resources {
            None => allowed.clone(),
            Some(ranks) => self.resources.layered(ranks, allowed_layers),
        };
        let Some(any_own) = any_own else {
            return HitSets {
                any: allowed.clone(),
                any_resources: allowed_resources.clone(),
                allowed,
                allowed_resources,
            };
        };
        let any_resources = self.ranks(&any_own);
        let any = self.hits.layered(any_own, any_layers);
        let any_resources = match any_resources {
            None => any.clone(),
            Some(ranks) => self.resources.layered(ranks, any_layers),
        };
        HitSets {
            allowed,
            any,
            allowed_resources,
            any_resources,
        }
    }

    /// The resource ranks of some hits; `None` when they are the hits (one action).
    fn ranks(&self, hits: &RoaringBitmap) -> Option<RoaringBitmap> {
        if self.width == 1 {
            return None;
        }
        let mut ranks: Vec<u32> = hits.iter().map(|h| h / self.width).collect();
        ranks.dedup();
        Some(RoaringBitmap::from_sorted_iter(ranks).expect("hits iterate by resource"))
    }
}

/// Every matching permission of the organization.
pub(crate) struct Hits {
    /// The action names, by action index.
    pub names: Vec<String>,
    /// Hits per resource (the number of action names).
    width: u32,
    /// Per access group, its hits; then, for a concrete action outside the classes, the
    /// hits of each principal answered otherwise than its group.
    pub groups: Vec<HitSets>,
    /// The question's hits of each shared layer, by class.
    pub layer_hits: Layers,
    /// The resource ranks of each layer's hits.
    pub layer_resources: Layers,
    /// The principals holding a group of their own (index into `groups`).
    overridden: BTreeMap<PrincipalIdx, u32>,
    /// Principal nodes with at least one hit.
    pub holders: RoaringBitmap,
    /// The indexed resources the question is about (matching an action's resource
    /// type and the `--on` pattern).
    pub matching: RoaringBitmap,
    /// `matching` in order: the resource of each rank.
    ranked: Vec<u32>,
}

impl Hits {
    /// Evaluates the question's action pattern and resource filter.
    pub fn compute(analysis: &Analysis<'_>, query: &WhatCanReachQuery) -> Result<Hits, QueryError> {
        let (classes, concrete) = actions_of(&query.action_pattern)?;
        let access = &analysis.access;
        let mut names: Vec<String> = classes
            .iter()
            .map(|&c| CLASSES[c].action.to_string())
            .collect();
        if let Some(action) = &concrete {
            names.push(action.clone());
        }
        let width = names.len().max(1) as u32;
        let on = query.on.as_deref();
        let (mut matching, wanted) = wanted_pairs(access, &classes, on);
        let wanted = Wanted::new(&wanted, &matching);
        // A concrete action may reach every resource of its service, reached or not.
        let concrete_resources = concrete
            .as_deref()
            .map(|action| service_resources(access, action, on))
            .unwrap_or_default();
        matching.extend(concrete_resources.iter().copied());
        let ranked: Vec<u32> = matching.iter().collect();
        let mut rank_of = vec![u32::MAX; access.resources.len()];
        for (rank, &r) in ranked.iter().enumerate() {
            rank_of[r as usize] = rank as u32;
        }
        // The class index of each pair becomes its position among the matched classes.
        let position: Vec<u32> = (0..CLASSES.len())
            .map(|c| classes.iter().position(|&x| x == c).unwrap_or(0) as u32)
            .collect();
        // Pairs iterate by resource then class; ranks and positions keep both orders,
        // so the hits come sorted.
        let hit = |p: u32| {
            let (r, c) = unpair(p);
            rank_of[r as usize] * width + position[c]
        };
        let to_hits = |pairs: RoaringBitmap| -> RoaringBitmap {
            RoaringBitmap::from_sorted_iter(pairs.iter().map(hit))
                .expect("pairs map to hits in order")
        };
        // A shared layer's hits are computed once; a group meets the question only on
        // its own pairs, and holds its layers by bit.
        let layer_hits: Vec<Arc<RoaringBitmap>> = access
            .layers
            .par_iter()
            .map(|layer| Arc::new(to_hits(layer & wanted.all())))
            .collect();
        let layer_resources = if width == 1 {
            layer_hits.clone()
        } else {
            layer_hits
                .iter()
                .map(|hits| Arc::new(hits.iter().map(|h| h / width).collect()))
                .collect()
        };
        let (layer_hits, layer_resources) = (Layers::new(layer_hits), Layers::new(layer_resources));
        let layout = Layout {
            hits: &layer_hits,
            resources: &layer_resources,
            width,
        };
        let (groups, overridden) = match concrete {
            // A concrete action comes alone: no class matches it.
            Some(action) => {
                let targets = Targets {
                    resources: &concrete_resources,
                    rank_of: &rank_of,
                    width,
                    index: (names.len() - 1) as u32,
                };
                concrete_groups(analysis, &action, &targets, &layout)
            }
            None => {
                let groups = (0..access.groups())
                    .into_par_iter()
                    .map_init(Vec::new, |pairs, g| {
                        let mut hits_of = |own: &RoaringBitmap| {
                            pairs.clear();
                            wanted.meet(own, pairs);
                            RoaringBitmap::from_sorted_iter(pairs.iter().map(|&p| hit(p)))
                                .expect("pairs map to hits in order")
                        };
                        let allowed = hits_of(&access.own_allowed[g]);
                        let conditional = hits_of(&access.own_conditional[g]);
                        layout.sets(
                            allowed,
                            access.allowed_layers[g],
                            conditional,
                            access.conditional_layers[g],
                        )
                    })
                    .collect();
                (groups, BTreeMap::new())
            }
        };
        let mut hits = Hits {
            names,
            width,
            groups,
            layer_hits,
            layer_resources,
            overridden,
            holders: RoaringBitmap::new(),
            matching,
            ranked,
        };
        let mut holders: Vec<NodeId> = (0..access.group_of.len() as PrincipalIdx)
            .into_par_iter()
            .map(|p| analysis.graph.principal_node(p))
            .filter(|&node| !hits.of(analysis, node).any.is_empty())
            .collect();
        holders.sort_unstable();
        holders.dedup();
        hits.holders = RoaringBitmap::from_sorted_iter(holders).expect("sorted");
        Ok(hits)
    }

    /// The resource of a hit id.
    pub fn resource(&self, hit: u32) -> u32 {
        self.ranked[(hit / self.width) as usize]
    }

    /// The action index of a hit id.
    pub fn action(&self, hit: u32) -> usize {
        (hit % self.width) as usize
    }

    /// The hits of a principal node.
    pub fn of(&self, analysis: &Analysis<'_>, node: NodeId) -> &HitSets {
        &self.groups[self.group(analysis, node) as usize]
    }

    /// The group of a principal node: its access group, or the group of its own a
    /// concrete action gave it.
    pub fn group(&self, analysis: &Analysis<'_>, node: NodeId) -> u32 {
        let p = analysis.graph.node(node).principal.unwrap_or(node);
        match self.overridden.get(&p) {
            Some(&own) => own,
            None => analysis.access.group_of[p as usize],
        }
    }
}

/// The resources matching the question's classes and `--on` pattern, and their
/// (resource, class) pairs of those classes, both ascending.
fn wanted_pairs(
    access: &AccessIndex,
    classes: &[usize],
    on: Option<&str>,
) -> (RoaringBitmap, Vec<u32>) {
    if classes.is_empty() {
        return (RoaringBitmap::new(), Vec::new());
    }
    // The matched classes of each resource type, found once rather than per resource.
    let mut by_type: Vec<(ResourceType, Vec<usize>)> = Vec::new();
    for &c in classes {
        let t = CLASSES[c].resource_type;
        match by_type.iter_mut().find(|(of, _)| *of == t) {
            Some((_, typed)) => typed.push(c),
            None => by_type.push((t, vec![c])),
        }
    }
    // Resources are many (half a million on the `large` profile) and large: read them
    // in parallel, in chunks kept in order.
    const CHUNK: usize = 16_384;
    let chunks: Vec<(Vec<u32>, Vec<u32>)> = access
        .resources
        .par_chunks(CHUNK)
        .enumerate()
        .map(|(chunk, resources)| {
            let mut matching = Vec::new();
            let mut wanted = Vec::new();
            for (i, resource) in resources.iter().enumerate() {
                let r = (chunk * CHUNK + i) as u32;
                let Some((_, typed)) = by_type.iter().find(|(t, _)| *t == resource.resource_type)
                else {
                    continue;
                };
                if !on_matches(on, access, r) {
                    continue;
                }
                matching.push(r);
                // `classes` ascend, so the pairs of a resource do too.
                wanted.extend(typed.iter().map(|&c| pair(r, c)));
            }
            (matching, wanted)
        })
        .collect();
    let (matching, wanted): (Vec<Vec<u32>>, Vec<Vec<u32>>) = chunks.into_iter().unzip();
    let (matching, wanted) = (matching.concat(), wanted.concat());
    (
        RoaringBitmap::from_sorted_iter(matching).expect("resources ascend"),
        wanted,
    )
}

/// The question's pairs, laid out for meeting a group's own pairs quickly.
///
/// A group's own pairs (every class, often thousands) sit in a few roaring containers
/// of its account; the question's pairs are a few per resource, the resources of one
/// type usually consecutive within an account. So a group meets the question through
/// the runs of consecutive matching resources within its own pairs' span: only its pairs
/// on those resources are read, each tested in a plain bit set. When the matching
/// resources are scattered (many runs in the span), it meets the smallest aligned block
/// of the question's containers around its pairs instead (block `i` of level `l` holds
/// the containers `i << l .. (i + 1) << l`): a walk over a few containers, without
/// copying the group's.
struct Wanted {
    /// Per run of consecutive matching resources, its first and last pair ids.
    runs: Vec<(u32, u32)>,
    /// Every pair of the question, as a plain bit set over pair ids.
    dense: Vec<u64>,
    /// The question's pairs, by level, then block.
    levels: Vec<Vec<RoaringBitmap>>,
}

/// How many runs a group's span may hold per container before the block is cheaper.
const RUNS_PER_CONTAINER: u32 = 4;

impl Wanted {
    /// The layout of these pairs (ascending) of the matching resources.
    fn new(pairs: &[u32], matching: &RoaringBitmap) -> Wanted {
        let mut runs: Vec<(u32, u32)> = Vec::new();
        for r in matching {
            match runs.last_mut() {
                Some((_, end)) if *end + 1 == pair(r, 0) => *end = pair(r, CLASSES.len() - 1),
                _ => runs.push((pair(r, 0), pair(r, CLASSES.len() - 1))),
            }
        }
        let mut dense = vec![0u64; pairs.last().map_or(0, |&max| max as usize / 64 + 1)];
        for &p in pairs {
            dense[p as usize / 64] |= 1 << (p % 64);
        }
        let containers = pairs.last().map_or(1, |max| (max >> 16) + 1);
        let mut first: Vec<RoaringBitmap> = (0..containers).map(|_| RoaringBitmap::new()).collect();
        for run in pairs.chunk_by(|a, b| a >> 16 == b >> 16) {
            first[(run[0] >> 16) as usize] =
                RoaringBitmap::from_sorted_iter(run.iter().copied()).expect("pairs ascend");
        }
        let mut levels = vec![first];
        while levels.last().is_some_and(|blocks| blocks.len() > 1) {
            let below = levels.last().expect("a level");
            let above = below
                .chunks(2)
                .map(|halves| {
                    halves
                        .iter()
                        .fold(RoaringBitmap::new(), |all, half| all | half)
                })
                .collect();
            levels.push(above);
        }
        Wanted {
            runs,
            dense,
            levels,
        }
    }

    /// Every pair of the question.
    fn all(&self) -> &RoaringBitmap {
        &self.levels.last().expect("a level")[0]
    }

    /// Whether a pair is the question's.
    fn contains(&self, pair: u32) -> bool {
        self.dense
            .get(pair as usize / 64)
            .is_some_and(|word| word & 1 << (pair % 64) != 0)
    }

    /// Appends `own ∩ wanted` to `out`, ascending.
    fn meet(&self, own: &RoaringBitmap, out: &mut Vec<u32>) {
        let (Some(min), Some(max)) = (own.min(), own.max()) else {
            return;
        };
        let (first, last) = (min >> 16, max >> 16);
        let from = self.runs.partition_point(|&(_, end)| end < min);
        let to = self.runs.partition_point(|&(start, _)| start <= max);
        let runs = &self.runs[from..to.max(from)];
        if runs.len() as u32 <= RUNS_PER_CONTAINER * (last - first + 1) {
            let mut batch = [0u32; 256];
            for &(start, end) in runs {
                let mut pairs = own.range(start..=end);
                loop {
                    let taken = pairs.next_many(&mut batch);
                    if taken.is_empty() {
                        break;
                    }
                    out.extend(taken.iter().copied().filter(|&p| self.contains(p)));
                }
            }
            return;
        }
        // The level whose blocks are the first to hold both ends in one.
        let level = (32 - (first ^ last).leading_zeros()) as usize;
        let met = match self.levels.get(level) {
            Some(blocks) => match blocks.get((first >> level) as usize) {
                Some(block) => own & block,
                None => return,
            },
            None => own & self.all(),
        };
        out.extend(&met);
    }
}

/// The actions a pattern names: class indexes, plus the pattern itself when it is a
/// concrete action outside the classes.
pub(super) fn actions_of(pattern: &str) -> Result<(Vec<usize>, Option<String>), QueryError> {
    if !pattern.contains(':') {
        return Err(QueryError::BadArgument(format!(
            "{pattern:?} is not an action pattern; expected service:Action, e.g. secretsmanager:GetSecretValue or 's3:*'"
        )));
    }
    let classes: Vec<usize> = CLASSES
        .iter()
        .enumerate()
        .filter(|(_, c)| glob_match(pattern, c.action, true))
        .map(|(i, _)| i)
        .collect();
    let concrete = !pattern.contains(['*', '?'])
        && !CLASSES
            .iter()
            .any(|c| c.action.eq_ignore_ascii_case(pattern));
    Ok((classes, concrete.then(|| pattern.to_string())))
}

pub(super) fn on_matches(on: Option<&str>, access: &AccessIndex, resource: u32) -> bool {
    let Some(on) = on else { return true };
    let r = &access.resources[resource as usize];
    if r.is_abstract {
        globs_intersect(on, &r.arn)
    } else {
        glob_match(on, &r.arn, false) || glob_match(on, &format!("{}/*", r.arn), false)
    }
}

/// The indexed resources of a concrete action's service matching `--on`.
fn service_resources(access: &AccessIndex, action: &str, on: Option<&str>) -> Vec<u32> {
    let service = action.split(':').next().unwrap_or("").to_ascii_lowercase();
    access
        .by_service
        .get(&service)
        .map(|rs| {
            rs.iter()
                .copied()
                .filter(|&r| on_matches(on, access, r))
                .collect()
        })
        .unwrap_or_default()
}

/// Where a concrete action's hits go: its resources and how their hit ids are formed.
struct Targets<'a> {
    /// The resources to evaluate.
    resources: &'a [u32],
    /// Per resource id, its rank among the matching resources.
    rank_of: &'a [u32],
    /// Hits per resource.
    width: u32,
    /// The action's index among the names.
    index: u32,
}

impl Targets<'_> {
    /// The hits of these resources (ranks keep resource order, so they come sorted).
    fn hits(&self, resources: &RoaringBitmap) -> RoaringBitmap {
        RoaringBitmap::from_sorted_iter(
            resources
                .iter()
                .map(|r| self.rank_of[r as usize] * self.width + self.index),
        )
        .expect("resources map to hits in order")
    }
}

/// A concrete action outside the classes, evaluated now per access group against the
/// indexed resources of its service: the groups' hits, with those of the principals
/// answered otherwise than their group appended, and where each of them is.
fn concrete_groups(
    analysis: &Analysis<'_>,
    action: &str,
    targets: &Targets<'_>,
    layout: &Layout<'_>,
) -> (Vec<HitSets>, BTreeMap<PrincipalIdx, u32>) {
    let access = ActionAccess::compute(
        &analysis.access,
        analysis.model,
        analysis.authz,
        action,
        targets.resources,
    );
    // No layer: the action is none of the classes.
    let of = |allowed: &RoaringBitmap, conditional: &RoaringBitmap| {
        layout.sets(targets.hits(allowed), 0, targets.hits(conditional), 0)
    };
    let mut groups: Vec<HitSets> = access
        .allowed
        .par_iter()
        .zip(&access.conditional)
        .map(|(allowed, conditional)| of(allowed, conditional))
        .collect();
    let mut overridden = BTreeMap::new();
    for (p, allowed, conditional) in &access.overrides {
        overridden.insert(*p, groups.len() as u32);
        groups.push(of(allowed, conditional));
    }
    (groups, overridden)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Meets `own` with the question's pairs of `resources` (each with classes 2 and 5)
    /// both ways, and says which way it went.
    fn met(resources: &[u32], own: &RoaringBitmap) -> (Vec<u32>, RoaringBitmap) {
        let matching: RoaringBitmap = resources.iter().copied().collect();
        let pairs: Vec<u32> = matching
            .iter()
            .flat_map(|r| [pair(r, 2), pair(r, 5)])
            .collect();
        let wanted = Wanted::new(&pairs, &matching);
        let mut out = Vec::new();
        wanted.meet(own, &mut out);
        let expected = own & &pairs.iter().copied().collect::<RoaringBitmap>();
        (out, expected)
    }

    #[test]
    fn a_group_meets_the_question_through_runs_or_blocks_alike() {
        // Runs: three stretches of consecutive resources, far apart.
        let runs: Vec<u32> = (100..400)
            .chain(30_000..30_050)
            .chain(90_000..92_000)
            .collect();
        // Scattered: every third resource, thousands of runs.
        let scattered: Vec<u32> = (0..100_000).step_by(3).collect();
        let owns: Vec<RoaringBitmap> = vec![
            RoaringBitmap::new(),
            // Every class of a few resources, in one container.
            (pair(150, 0)..pair(160, 0)).collect(),
            // A stretch across containers, runs and gaps.
            (pair(90, 0)..pair(3_000, 0)).step_by(7).collect(),
            // Two accounts far apart.
            (pair(30_010, 0)..pair(30_020, 0))
                .chain(pair(91_000, 0)..pair(91_500, 0))
                .collect(),
            // Beyond every matching resource.
            (pair(120_000, 0)..pair(120_100, 0)).collect(),
            // Everything, sparse.
            (0..pair(100_000, 0)).step_by(11).collect(),
        ];
        for resources in [&runs, &scattered] {
            for own in &owns {
                let (out, expected) = met(resources, own);
                assert_eq!(out, expected.iter().collect::<Vec<u32>>());
            }
        }
        // Both ways were taken: the scattered resources hold more runs per container
        // than the runs allow, the stretches fewer.
        let span = |resources: &[u32], own: &RoaringBitmap| {
            let (min, max) = (own.min().unwrap(), own.max().unwrap());
            let matching: RoaringBitmap = resources.iter().copied().collect();
            let wanted = Wanted::new(&[pair(resources[0], 2)], &matching);
            let runs = wanted
                .runs
                .iter()
                .filter(|&&(start, end)| end >= min && start <= max)
                .count() as u32;
            runs <= RUNS_PER_CONTAINER * ((max >> 16) - (min >> 16) + 1)
        };
        assert!(span(&runs, &owns[2]));
        assert!(!span(&scattered, &owns[2]));
        assert!(!span(&scattered, &owns[5]));
    }
}
