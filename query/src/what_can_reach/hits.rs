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
//! copied to the group's principals.

use super::WhatCanReachQuery;
use crate::QueryError;
use blastgraph_engine::graph::access::{
    layer_classes, pair, unpair, AccessIndex, ResourceType, CLASSES,
};
use blastgraph_engine::graph::action_sets::ActionAccess;
use blastgraph_engine::graph::authz::glob::{glob_match, globs_intersect};
use blastgraph_engine::graph::model::PrincipalIdx;
use blastgraph_engine::graph::{Analysis, NodeId};
use rayon::prelude::*;
use roaring::RoaringBitmap;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The hits of one holder: (certainly allowed, allowed or conditionally allowed), and
/// the same at resource level (what the counts need), computed once. Sets are shared:
/// groups holding only the same layers share them, and with one action name the
/// resource-level sets are the hit sets themselves.
#[derive(Debug, Default, Clone)]
pub(crate) struct HitSets {
    /// Hits allowed without condition.
    pub allowed: Arc<RoaringBitmap>,
    /// Every hit, allowed or conditional.
    pub any: Arc<RoaringBitmap>,
    /// The resource ranks of `allowed`.
    pub allowed_resources: Arc<RoaringBitmap>,
    /// The resource ranks of `any`.
    pub any_resources: Arc<RoaringBitmap>,
}

impl HitSets {
    /// The sets of these (allowed, conditional) hits.
    fn of(allowed: RoaringBitmap, conditional: RoaringBitmap, width: u32) -> HitSets {
        let any = if conditional.is_empty() {
            None
        } else {
            Some(&allowed | &conditional)
        };
        let allowed = Arc::new(allowed);
        // Without conditional hits, `any` is `allowed`.
        let any = any.map_or_else(|| Arc::clone(&allowed), Arc::new);
        let resources = |hits: &Arc<RoaringBitmap>| -> Arc<RoaringBitmap> {
            if width == 1 {
                return Arc::clone(hits);
            }
            let mut ranks: Vec<u32> = hits.iter().map(|h| h / width).collect();
            ranks.dedup();
            Arc::new(RoaringBitmap::from_sorted_iter(ranks).unwrap_or_default())
        };
        HitSets {
            allowed_resources: resources(&allowed),
            any_resources: if Arc::ptr_eq(&allowed, &any) {
                resources(&allowed)
            } else {
                resources(&any)
            },
            allowed,
            any,
        }
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
        let to_hits = |pairs: RoaringBitmap| -> RoaringBitmap {
            RoaringBitmap::from_sorted_iter(pairs.iter().map(|p| {
                let (r, c) = unpair(p);
                rank_of[r as usize] * width + position[c]
            }))
            .expect("pairs map to hits in order")
        };
        // A shared layer's hits are computed once; a group meets the question only on
        // its own pairs, and takes in its layers' hits.
        let layer_hits: Vec<RoaringBitmap> = access
            .layers
            .iter()
            .map(|layer| to_hits(layer & &wanted))
            .collect();
        let with_layers = |mut hits: RoaringBitmap, mask: u32| -> RoaringBitmap {
            for c in layer_classes(mask) {
                hits |= &layer_hits[c];
            }
            hits
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
                concrete_groups(analysis, &action, &targets)
            }
            None => {
                // A group without pairs of its own holds what its layers hold: groups
                // with the same layers share one set of hits.
                let own: Vec<Option<(RoaringBitmap, RoaringBitmap)>> = (0..access.groups())
                    .into_par_iter()
                    .map(|g| {
                        let allowed = meet(&access.own_allowed[g], &wanted);
                        let conditional = meet(&access.own_conditional[g], &wanted);
                        (!allowed.is_empty() || !conditional.is_empty())
                            .then_some((allowed, conditional))
                    })
                    .collect();
                let mut by_layers: BTreeMap<(u32, u32), HitSets> = BTreeMap::new();
                for (g, own) in own.iter().enumerate() {
                    if own.is_none() {
                        let masks = (access.allowed_layers[g], access.conditional_layers[g]);
                        by_layers.entry(masks).or_default();
                    }
                }
                let by_layers: BTreeMap<(u32, u32), HitSets> = by_layers
                    .into_par_iter()
                    .map(|((allowed, conditional), _)| {
                        let sets = HitSets::of(
                            with_layers(RoaringBitmap::new(), allowed),
                            with_layers(RoaringBitmap::new(), conditional),
                            width,
                        );
                        ((allowed, conditional), sets)
                    })
                    .collect();
                let groups = own
                    .into_par_iter()
                    .enumerate()
                    .map(|(g, own)| {
                        let masks = (access.allowed_layers[g], access.conditional_layers[g]);
                        match own {
                            None => by_layers[&masks].clone(),
                            Some((allowed, conditional)) => HitSets::of(
                                with_layers(to_hits(allowed), masks.0),
                                with_layers(to_hits(conditional), masks.1),
                                width,
                            ),
                        }
                    })
                    .collect();
                (groups, BTreeMap::new())
            }
        };
        let mut hits = Hits {
            names,
            width,
            groups,
            overridden,
            holders: RoaringBitmap::new(),
            matching,
            ranked,
        };
        for p in 0..access.group_of.len() as PrincipalIdx {
            let node = analysis.graph.principal_node(p);
            if !hits.groups[hits.group(analysis, node) as usize]
                .any
                .is_empty()
            {
                hits.holders.insert(node);
            }
        }
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
) -> (RoaringBitmap, RoaringBitmap) {
    if classes.is_empty() {
        return (RoaringBitmap::new(), RoaringBitmap::new());
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
    let mut matching = Vec::new();
    let mut wanted = Vec::new();
    for (r, resource) in access.resources.iter().enumerate() {
        let r = r as u32;
        let Some((_, typed)) = by_type.iter().find(|(t, _)| *t == resource.resource_type) else {
            continue;
        };
        if !on_matches(on, access, r) {
            continue;
        }
        matching.push(r);
        // `classes` ascend, so the pairs of a resource do too.
        wanted.extend(typed.iter().map(|&c| pair(r, c)));
    }
    (
        RoaringBitmap::from_sorted_iter(matching).expect("resources ascend"),
        RoaringBitmap::from_sorted_iter(wanted).expect("pairs ascend"),
    )
}

/// `own ∩ wanted`, walking only `own`'s containers: most groups hold few pairs of
/// their own (or none), while the question's pairs spread over every account.
fn meet(own: &RoaringBitmap, wanted: &RoaringBitmap) -> RoaringBitmap {
    if own.is_empty() {
        return RoaringBitmap::new();
    }
    let mut met = own.clone();
    met &= wanted;
    met
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
) -> (Vec<HitSets>, BTreeMap<PrincipalIdx, u32>) {
    let access = ActionAccess::compute(
        &analysis.access,
        analysis.model,
        analysis.authz,
        action,
        targets.resources,
    );
    let of = |allowed: &RoaringBitmap, conditional: &RoaringBitmap| {
        HitSets::of(
            targets.hits(allowed),
            targets.hits(conditional),
            targets.width,
        )
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
