//! `blast-radius SOURCE` and `blast-radius --all`.

use crate::coverage::{gaps, CoverageGap};
use crate::paths::{path_to, PathStep};
use crate::successors::{Components, Successors};
use blastgraph_engine::graph::access::{layer_classes, unpair, AccessLevel, CLASSES};
use blastgraph_engine::graph::reach::shortest_paths;
use blastgraph_engine::graph::{Analysis, NodeId, NodeKind};
use rayon::prelude::*;
use roaring::RoaringBitmap;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// The blast radius of one source.
#[derive(Debug, Clone, Serialize)]
pub struct BlastRadius {
    /// The source id (an ARN, or `eks:CLUSTER/NAMESPACE/NAME`).
    pub source: String,
    /// Its kind.
    pub kind: &'static str,
    /// Accounts it can administer, with the path to the administering identity.
    pub administers: Vec<Administered>,
    /// Identities it can become, with paths.
    pub identities: Vec<ReachedIdentity>,
    /// Resources it can act on, crown jewels first.
    pub resources: Vec<ReachedResource>,
    /// Counts of resources per service and access level.
    pub summary: Vec<SummaryRow>,
    /// What the snapshot does not know.
    pub coverage_gaps: Vec<CoverageGap>,
}

/// An administered account.
#[derive(Debug, Clone, Serialize)]
pub struct Administered {
    /// The account id.
    pub account: String,
    /// Whether it rests on a conditional or inferred edge or grant.
    pub conditional: bool,
    /// The path to the administering identity.
    pub path: Vec<PathStep>,
    /// The administering identity.
    pub via: String,
    /// Why that identity is administrator.
    pub explanation: String,
}

/// A reachable identity.
#[derive(Debug, Clone, Serialize)]
pub struct ReachedIdentity {
    /// Its ARN.
    pub id: String,
    /// `user`, `role` or `group`.
    pub kind: &'static str,
    /// Its account.
    pub account: String,
    /// Reached only through conditional or inferred edges.
    pub conditional: bool,
    /// It administers its account.
    pub admin: bool,
    /// The best path to it.
    pub path: Vec<PathStep>,
}

/// A reachable resource.
#[derive(Debug, Clone, Serialize)]
pub struct ReachedResource {
    /// Its ARN (or, when not collected, the pattern it stands for).
    pub resource: String,
    /// Its service.
    pub service: String,
    /// Its account.
    pub account: String,
    /// A crown jewel action is allowed on it.
    pub crown_jewel: bool,
    /// Only conditionally reachable.
    pub conditional: bool,
    /// The action classes allowed.
    pub actions: Vec<String>,
    /// Their access levels.
    pub access_levels: Vec<AccessLevel>,
    /// A stand-in for resources that were not collected.
    pub not_collected: bool,
}

/// One row of the per-service summary.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct SummaryRow {
    /// The service.
    pub service: String,
    /// The access level.
    pub access_level: AccessLevel,
    /// How many resources.
    pub resources: usize,
}

/// The pairs (resource, class) reachable from a node: (certainly, possibly).
pub fn reached_pairs(analysis: &Analysis<'_>, node: NodeId) -> (RoaringBitmap, RoaringBitmap) {
    let mut certain_groups = BTreeSet::new();
    let mut any_groups = BTreeSet::new();
    let certain = analysis.reach.certain.of(node);
    for n in analysis.reach.any.of(node) {
        if let Some(p) = analysis.graph.node(n).principal {
            let g = analysis.access.group_of[p as usize];
            any_groups.insert(g);
            if certain.contains(n) {
                certain_groups.insert(g);
            }
        }
    }
    let access = &analysis.access;
    let mut certain_pairs = RoaringBitmap::new();
    for g in &certain_groups {
        certain_pairs |= &*access.allowed(*g as usize);
    }
    let mut any_pairs = certain_pairs.clone();
    for g in &any_groups {
        any_pairs |= &*access.allowed(*g as usize);
        any_pairs |= &*access.conditional(*g as usize);
    }
    (certain_pairs, any_pairs)
}

/// The accounts a node administers: account -> (certain, administering identity).
pub fn administered(analysis: &Analysis<'_>, node: NodeId) -> BTreeMap<String, (bool, NodeId)> {
    let mut accounts: BTreeMap<String, (bool, NodeId)> = BTreeMap::new();
    let certain = analysis.reach.certain.of(node);
    for n in analysis.reach.any.of(node) {
        let Some(p) = analysis.graph.node(n).principal else {
            continue;
        };
        let Some(grant) = &analysis.admins[p as usize] else {
            continue;
        };
        let sure = certain.contains(n) && grant.status.is_certain();
        let account = analysis.model.account_id(p).to_string();
        let entry = accounts.entry(account).or_insert((sure, n));
        if sure && !entry.0 {
            *entry = (true, n);
        }
    }
    accounts
}

/// Computes the blast radius of one source.
pub fn blast_radius(analysis: &Analysis<'_>, source: NodeId) -> BlastRadius {
    let graph = &analysis.graph;
    let tree = shortest_paths(graph, source);
    let certain = analysis.reach.certain.of(source);
    let mut identities: Vec<(bool, u32, ReachedIdentity)> = Vec::new();
    for n in analysis.reach.any.of(source) {
        let node = graph.node(n);
        let Some(p) = node.principal else { continue };
        if n == source {
            continue;
        }
        let (_, length) = tree.cost(n).unwrap_or((0, 0));
        identities.push((
            !certain.contains(n),
            length,
            ReachedIdentity {
                id: node.id.clone(),
                kind: node.kind.as_str(),
                account: analysis.model.account_id(p).to_string(),
                conditional: !certain.contains(n),
                admin: analysis.admins[p as usize].is_some(),
                path: path_to(analysis, &tree, n),
            },
        ));
    }
    identities.sort_by(|a, b| (a.0, a.1, &a.2.id).cmp(&(b.0, b.1, &b.2.id)));
    let administers = administered(analysis, source)
        .into_iter()
        .map(|(account, (sure, via))| {
            let p = graph.node(via).principal.unwrap_or(0);
            Administered {
                account,
                conditional: !sure,
                path: path_to(analysis, &tree, via),
                via: graph.node(via).id.clone(),
                explanation: analysis.admins[p as usize]
                    .as_ref()
                    .map(|g| g.explanation.clone())
                    .unwrap_or_default(),
            }
        })
        .collect();
    let (certain_pairs, any_pairs) = reached_pairs(analysis, source);
    let resources = resources_of(analysis, &certain_pairs, &any_pairs);
    let summary = summarize(&resources);
    BlastRadius {
        source: graph.node(source).id.clone(),
        kind: graph.node(source).kind.as_str(),
        administers,
        identities: identities.into_iter().map(|(_, _, i)| i).collect(),
        resources,
        summary,
        coverage_gaps: gaps(analysis),
    }
}

fn resources_of(
    analysis: &Analysis<'_>,
    certain: &RoaringBitmap,
    any: &RoaringBitmap,
) -> Vec<ReachedResource> {
    let mut by_resource: BTreeMap<u32, Vec<(usize, bool)>> = BTreeMap::new();
    for pair in any {
        let (r, c) = unpair(pair);
        by_resource
            .entry(r)
            .or_default()
            .push((c, certain.contains(pair)));
    }
    let mut resources: Vec<ReachedResource> = by_resource
        .into_iter()
        .map(|(r, classes)| {
            let resource = &analysis.access.resources[r as usize];
            let mut levels: Vec<AccessLevel> =
                classes.iter().map(|(c, _)| CLASSES[*c].level).collect();
            levels.sort();
            levels.dedup();
            ReachedResource {
                resource: resource.arn.clone(),
                service: resource.service.clone(),
                account: resource.account.clone(),
                crown_jewel: classes.iter().any(|(c, _)| CLASSES[*c].crown_jewel),
                conditional: !classes.iter().any(|(_, sure)| *sure),
                actions: classes
                    .iter()
                    .map(|(c, _)| CLASSES[*c].action.to_string())
                    .collect(),
                access_levels: levels,
                not_collected: resource.is_abstract,
            }
        })
        .collect();
    resources.sort_by(|a, b| {
        (!a.crown_jewel, &a.service, &a.account, &a.resource).cmp(&(
            !b.crown_jewel,
            &b.service,
            &b.account,
            &b.resource,
        ))
    });
    resources
}

fn summarize(resources: &[ReachedResource]) -> Vec<SummaryRow> {
    let mut counts: BTreeMap<(String, AccessLevel), usize> = BTreeMap::new();
    for r in resources {
        for level in &r.access_levels {
            *counts.entry((r.service.clone(), *level)).or_default() += 1;
        }
    }
    counts
        .into_iter()
        .map(|((service, access_level), resources)| SummaryRow {
            service,
            access_level,
            resources,
        })
        .collect()
}

/// One row of `blast-radius --all`.
#[derive(Debug, Clone, Serialize)]
pub struct SourceSummary {
    /// The source id.
    pub source: String,
    /// Its kind.
    pub kind: &'static str,
    /// How many identities it reaches (itself excluded).
    pub identities: u64,
    /// How many resources it can act on.
    pub resources: u64,
    /// How many of them with a crown-jewel action.
    pub crown_jewels: u64,
    /// Accounts it administers.
    pub administers: Vec<String>,
}

/// `blast-radius --all`: one row per source, ranked by reach.
#[derive(Debug, Clone, Serialize)]
pub struct AllSources {
    /// The rows, widest reach first.
    pub sources: Vec<SourceSummary>,
    /// What the snapshot does not know.
    pub coverage_gaps: Vec<CoverageGap>,
}

/// Summarizes every source of the given kinds (all when empty).
///
/// Not one [`blast_radius`] per source: the resources reached are propagated once over
/// the condensation of the graph (each component's resources = its identities' access
/// plus its successors' resources, level by level), and identities and administered
/// accounts are counted by intersecting each source's reachable set with precomputed
/// node sets. Equal to summarizing [`reached_pairs`] per source (tested).
pub fn all_sources(analysis: &Analysis<'_>, kinds: &[NodeKind]) -> AllSources {
    let sources: Vec<NodeId> = analysis.graph.sources(kinds).collect();
    let reached = ReachedResources::compute(analysis);
    let graph = &analysis.graph;
    let mut identity_nodes = RoaringBitmap::new();
    let mut admin_nodes = RoaringBitmap::new();
    for (n, node) in graph.nodes.iter().enumerate() {
        if node.kind.is_identity() {
            identity_nodes.insert(n as u32);
        }
        if node
            .principal
            .is_some_and(|p| analysis.admins[p as usize].is_some())
        {
            admin_nodes.insert(n as u32);
        }
    }
    let mut rows: Vec<SourceSummary> = sources
        .par_iter()
        .map(|&s| {
            let node = graph.node(s);
            let reach = analysis.reach.any.of(s);
            let identities =
                reach.intersection_len(&identity_nodes) - u64::from(identity_nodes.contains(s));
            let (resources, jewels) = reached.counts(analysis, s);
            let administers: BTreeSet<String> = (reach & &admin_nodes)
                .iter()
                .filter_map(|n| graph.node(n).principal)
                .map(|p| analysis.model.account_id(p).to_string())
                .collect();
            SourceSummary {
                source: node.id.clone(),
                kind: node.kind.as_str(),
                identities,
                resources,
                crown_jewels: jewels,
                administers: administers.into_iter().collect(),
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        (
            std::cmp::Reverse(a.administers.len()),
            std::cmp::Reverse(a.crown_jewels),
            std::cmp::Reverse(a.resources),
            std::cmp::Reverse(a.identities),
            &a.source,
        )
            .cmp(&(
                std::cmp::Reverse(b.administers.len()),
                std::cmp::Reverse(b.crown_jewels),
                std::cmp::Reverse(b.resources),
                std::cmp::Reverse(b.identities),
                &b.source,
            ))
    });
    AllSources {
        sources: rows,
        coverage_gaps: gaps(analysis),
    }
}

/// Per component of the reachability condensation, the resources reachable from it
/// (through any edge), and those reachable with a crown-jewel action.
///
/// Most components add nothing of their own to what a single successor reaches (a task
/// definition reaches its role, a role the role it may assume): those share the
/// successor's sets instead of copying them, and a union meets each distinct set once,
/// so the work follows the distinct sets, not the edges. The access index's shared
/// layers (what the organization shares: most pairs of most groups on a large org) stay
/// a mask of classes all the way to the counts, never copied into a group's or a
/// component's bitmaps (copied, they were 30+ GB on the `xl` profile).
struct ReachedResources {
    /// Per component, how many resources it reaches, and how many crown jewels.
    counts: Vec<(u64, u64)>,
}

/// What a group or component reaches: the resources of `layers` (a mask of the access
/// index's layers, by class) and those of `resources`; among them, the crown jewels:
/// `jewels` (a subset of `resources`) and the resources of the crown-jewel classes'
/// layers in the mask.
#[derive(Default, PartialEq)]
struct ResourceSets {
    resources: RoaringBitmap,
    jewels: RoaringBitmap,
    layers: u32,
}

impl ResourceSets {
    fn is_empty(&self) -> bool {
        self.layers == 0 && self.resources.is_empty()
    }
}

impl ReachedResources {
    fn compute(analysis: &Analysis<'_>) -> ReachedResources {
        let access = &analysis.access;
        let crown: Vec<bool> = CLASSES.iter().map(|c| c.crown_jewel).collect();
        // Per access group: the resources of its pairs, and of its crown-jewel pairs;
        // a shared layer's are found once.
        let per_layer: Vec<(RoaringBitmap, RoaringBitmap)> = access
            .layers
            .iter()
            .map(|layer| group_resources(layer, &RoaringBitmap::new(), &crown))
            .collect();
        let per_group: Vec<ResourceSets> = (0..access.groups())
            .into_par_iter()
            .map(|g| {
                let (resources, jewels) =
                    group_resources(&access.own_allowed[g], &access.own_conditional[g], &crown);
                let layers = access.allowed_layers[g] | access.conditional_layers[g];
                // A layer without resources adds nothing: keep masks comparable.
                let layers = layer_classes(layers)
                    .filter(|&c| !per_layer[c].0.is_empty())
                    .fold(0, |mask, c| mask | 1 << c);
                ResourceSets {
                    resources,
                    jewels,
                    layers,
                }
            })
            .collect();
        let reach = &analysis.reach.any;
        let mut groups_of: Vec<Vec<u32>> = vec![Vec::new(); reach.components()];
        for (n, node) in analysis.graph.nodes.iter().enumerate() {
            if let Some(p) = node.principal {
                let group = access.group_of[p as usize];
                if !per_group[group as usize].is_empty() {
                    groups_of[reach.component_of(n as NodeId) as usize].push(group);
                }
            }
        }
        for groups in &mut groups_of {
            groups.sort_unstable();
            groups.dedup();
        }
        let components = Components::of(analysis, reach);
        let layer_unions = LayerUnions::new(&per_layer);
        let empty: Arc<ResourceSets> = Arc::default();
        let mut per_component = vec![empty.clone(); reach.components()];
        let mut counts = vec![(0, 0); reach.components()];
        // A component's sets are needed until its last predecessor has read them; then
        // only its counts stay (on `xl`, keeping every component's sets to the end did
        // not fit in 16 GB).
        let mut waiting = vec![0u32; reach.components()];
        for c in 0..reach.components() as u32 {
            for &s in reach.successors(c) {
                waiting[s as usize] += 1;
            }
        }
        let mut equal = EqualSets::default();
        for level in reach.levels() {
            let computed: Vec<(u32, Arc<ResourceSets>, (u64, u64))> = level
                .par_iter()
                .map_init(Successors::default, |successors, &c| {
                    let own = &groups_of[c as usize];
                    let mut shared: Vec<&Arc<ResourceSets>> = components
                        .unreached_successors(c, successors, |s| {
                            per_component[s as usize].is_empty()
                        })
                        .iter()
                        .map(|&s| &per_component[s as usize])
                        .collect();
                    shared.sort_unstable_by_key(|sets| Arc::as_ptr(sets));
                    shared.dedup_by_key(|sets| Arc::as_ptr(sets));
                    let sets = match (own.as_slice(), shared.as_slice()) {
                        ([], []) => empty.clone(),
                        ([], [only]) => Arc::clone(only),
                        _ => {
                            let parts = own
                                .iter()
                                .map(|&g| &per_group[g as usize])
                                .chain(shared.iter().map(|sets| &***sets));
                            let mut union = ResourceSets::default();
                            for part in parts {
                                union.resources |= &part.resources;
                                union.jewels |= &part.jewels;
                                union.layers |= part.layers;
                            }
                            // An account's resources have consecutive ids: wide sets
                            // are mostly runs.
                            union.resources.optimize();
                            union.jewels.optimize();
                            Arc::new(union)
                        }
                    };
                    let count = layer_unions.counts(&sets);
                    (c, sets, count)
                })
                .collect();
            for (c, sets, count) in computed {
                counts[c as usize] = count;
                if waiting[c as usize] > 0 {
                    per_component[c as usize] = equal.intern(sets);
                }
            }
            for &c in level {
                for &s in reach.successors(c) {
                    waiting[s as usize] -= 1;
                    if waiting[s as usize] == 0 {
                        per_component[s as usize] = empty.clone();
                    }
                }
            }
        }
        ReachedResources { counts }
    }

    /// How many resources a node reaches, and how many crown jewels.
    fn counts(&self, analysis: &Analysis<'_>, node: NodeId) -> (u64, u64) {
        self.counts[analysis.reach.any.component_of(node) as usize]
    }
}

/// Per layer mask met, the resources of those layers and of their crown-jewel classes,
/// computed once.
struct LayerUnions<'a> {
    per_layer: &'a [(RoaringBitmap, RoaringBitmap)],
    unions: std::sync::Mutex<BTreeMap<u32, Arc<(RoaringBitmap, RoaringBitmap)>>>,
}

impl<'a> LayerUnions<'a> {
    fn new(per_layer: &'a [(RoaringBitmap, RoaringBitmap)]) -> LayerUnions<'a> {
        LayerUnions {
            per_layer,
            unions: Default::default(),
        }
    }

    /// How many resources `sets` stands for, and how many crown jewels: its bitmaps
    /// and its layers' resources, without repeats.
    fn counts(&self, sets: &ResourceSets) -> (u64, u64) {
        if sets.layers == 0 {
            return (sets.resources.len(), sets.jewels.len());
        }
        let union = {
            let mut unions = self.unions.lock().unwrap_or_else(|e| e.into_inner());
            let union = unions.entry(sets.layers).or_insert_with(|| {
                let mut union = (RoaringBitmap::new(), RoaringBitmap::new());
                for c in layer_classes(sets.layers) {
                    union.0 |= &self.per_layer[c].0;
                    union.1 |= &self.per_layer[c].1;
                }
                Arc::new(union)
            });
            Arc::clone(union)
        };
        let union_len = |own: &RoaringBitmap, layer: &RoaringBitmap| {
            own.len() + layer.len() - own.intersection_len(layer)
        };
        (
            union_len(&sets.resources, &union.0),
            union_len(&sets.jewels, &union.1),
        )
    }
}

/// Component sets with equal contents, kept once: many components reach the same
/// resources (the roles an account's administrators reach) through different
/// successors. Holds weak references only, so dropped sets are not kept.
#[derive(Default)]
struct EqualSets {
    by_shape: std::collections::HashMap<Shape, Vec<std::sync::Weak<ResourceSets>>>,
}

/// What equal sets share: sizes, layers, smallest and largest resource.
type Shape = (u64, u64, u32, Option<u32>, Option<u32>);

/// How many sets of one shape are compared with a new one.
const EQUAL_CHECKED: usize = 8;

impl EqualSets {
    /// `sets`, or an equal set met before and still alive.
    fn intern(&mut self, sets: Arc<ResourceSets>) -> Arc<ResourceSets> {
        if sets.is_empty() {
            return sets;
        }
        let shape = (
            sets.resources.len(),
            sets.jewels.len(),
            sets.layers,
            sets.resources.min(),
            sets.resources.max(),
        );
        let known = self.by_shape.entry(shape).or_default();
        known.retain(|weak| weak.strong_count() > 0);
        for weak in known.iter().rev().take(EQUAL_CHECKED) {
            if let Some(existing) = weak.upgrade() {
                if Arc::ptr_eq(&existing, &sets) || *existing == *sets {
                    return existing;
                }
            }
        }
        known.push(Arc::downgrade(&sets));
        sets
    }
}

/// The resources of a group's pairs (allowed or conditional), and those of its
/// crown-jewel pairs. Pairs iterate by resource, so each set is built from a sorted run.
fn group_resources(
    allowed: &RoaringBitmap,
    conditional: &RoaringBitmap,
    crown: &[bool],
) -> (RoaringBitmap, RoaringBitmap) {
    let sorted = |ids: Vec<u32>| -> RoaringBitmap {
        RoaringBitmap::from_sorted_iter(ids).expect("pairs iterate by resource")
    };
    let mut sets = [Vec::new(), Vec::new()];
    for pairs in [allowed, conditional] {
        let mut resources = Vec::new();
        let mut jewels = Vec::new();
        for pair in pairs {
            let (r, c) = unpair(pair);
            if resources.last() != Some(&r) {
                resources.push(r);
            }
            if crown[c] && jewels.last() != Some(&r) {
                jewels.push(r);
            }
        }
        sets[0].push(sorted(resources));
        sets[1].push(sorted(jewels));
    }
    let [resources, jewels] = sets;
    (&resources[0] | &resources[1], &jewels[0] | &jewels[1])
}

#[cfg(test)]
mod tests {
    use super::*;
    use blastgraph_engine::graph::analyse;
    use blastgraph_engine::synth::{generate, SynthConfig};

    /// Equal component sets become one, unequal ones of the same shape stay apart,
    /// and a dropped set is not kept alive nor handed out again.
    #[test]
    fn equal_sets_are_kept_once_and_only_while_alive() {
        let sets = |ids: &[u32], layers: u32| {
            Arc::new(ResourceSets {
                resources: ids.iter().copied().collect(),
                jewels: ids[..1].iter().copied().collect(),
                layers,
            })
        };
        let mut equal = EqualSets::default();
        let first = equal.intern(sets(&[1, 5, 9], 0));
        let again = equal.intern(sets(&[1, 5, 9], 0));
        assert!(Arc::ptr_eq(&first, &again));
        // Same sizes, ends and layers, another middle: not the same set.
        let other = equal.intern(sets(&[1, 6, 9], 0));
        assert!(!Arc::ptr_eq(&first, &other));
        assert_eq!(other.resources.iter().collect::<Vec<_>>(), [1, 6, 9]);
        let layered = equal.intern(sets(&[1, 5, 9], 2));
        assert!(!Arc::ptr_eq(&first, &layered));
        let weak = Arc::downgrade(&first);
        drop((first, again));
        assert_eq!(weak.strong_count(), 0);
        let fresh = sets(&[1, 5, 9], 0);
        assert!(Arc::ptr_eq(&equal.intern(fresh.clone()), &fresh));
    }

    /// The summary of one source computed the direct way: every reached identity's
    /// access, unioned.
    fn one_by_one(analysis: &Analysis<'_>, s: NodeId) -> (u64, u64, u64, Vec<String>) {
        let reached = analysis.reach.any.of(s);
        let identities = reached
            .iter()
            .filter(|&n| n != s && analysis.graph.node(n).kind.is_identity())
            .count() as u64;
        let (_, pairs) = reached_pairs(analysis, s);
        let mut resources = RoaringBitmap::new();
        let mut jewels = RoaringBitmap::new();
        for pair in &pairs {
            let (r, c) = unpair(pair);
            resources.insert(r);
            if CLASSES[c].crown_jewel {
                jewels.insert(r);
            }
        }
        let administers = administered(analysis, s).into_keys().collect();
        (identities, resources.len(), jewels.len(), administers)
    }

    #[test]
    fn all_sources_agrees_with_each_source_summarized_directly() {
        // Several organizations, with hub nodes among the components (the rows skip
        // successors another successor reaches, which must see a hub as itself).
        for seed in [5, 1, 2, 3] {
            all_sources_agree_on(seed);
        }
    }

    fn all_sources_agree_on(seed: u64) {
        let config = SynthConfig::custom(3, 40, seed).expect("a valid size");
        let snapshot = generate(&config).expect("generated").snapshot;
        analyse(&snapshot, |analysis| {
            assert!(
                analysis.graph.graph.node_count() > analysis.graph.nodes.len(),
                "seed {seed}: no hub"
            );
            let all = all_sources(analysis, &[]);
            assert!(all.sources.len() > 100, "{} sources", all.sources.len());
            let mut reaching_others = 0;
            for row in &all.sources {
                let s = analysis.graph.node_by_id(&row.source).expect("a node");
                let direct = one_by_one(analysis, s);
                assert_eq!(
                    (
                        row.identities,
                        row.resources,
                        row.crown_jewels,
                        row.administers.clone()
                    ),
                    direct,
                    "seed {seed}: {}",
                    row.source
                );
                reaching_others += usize::from(row.identities > 0 && row.resources > 0);
            }
            assert!(
                reaching_others > 10,
                "only {reaching_others} sources reach anything"
            );
        });
    }
}
