//! Who holds a matching permission: the (resource, action) pairs of the question that
//! each access group (and, for a concrete action outside the classes, each principal)
//! is allowed, as bitmaps of hit ids.
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
use blastgraph_engine::graph::access::{layer_classes, pair, unpair, AccessIndex, CLASSES};
use blastgraph_engine::graph::authz::glob::{glob_match, globs_intersect};
use blastgraph_engine::graph::authz::Decision;
use blastgraph_engine::graph::{Analysis, NodeId};
use rayon::prelude::*;
use roaring::RoaringBitmap;
use std::collections::BTreeMap;

/// The hits of one holder: (certainly allowed, allowed or conditionally allowed), and
/// the same at resource level (what the counts need), computed once.
#[derive(Debug, Default, Clone)]
pub(crate) struct HitSets {
    /// Hits allowed without condition.
    pub allowed: RoaringBitmap,
    /// Every hit, allowed or conditional.
    pub any: RoaringBitmap,
    /// The resource ranks of `allowed`.
    pub allowed_resources: RoaringBitmap,
    /// The resource ranks of `any`.
    pub any_resources: RoaringBitmap,
}

impl HitSets {
    /// Fills in the resource-level sets.
    fn with_resources(mut self, width: u32) -> HitSets {
        let resources = |hits: &RoaringBitmap| -> RoaringBitmap {
            if width == 1 {
                return hits.clone();
            }
            let mut ranks: Vec<u32> = hits.iter().map(|h| h / width).collect();
            ranks.dedup();
            RoaringBitmap::from_sorted_iter(ranks).unwrap_or_default()
        };
        self.allowed_resources = resources(&self.allowed);
        self.any_resources = resources(&self.any);
        self
    }
}

/// Every matching permission of the organization.
pub(crate) struct Hits {
    /// The action names, by action index.
    pub names: Vec<String>,
    /// Hits per resource (the number of action names).
    width: u32,
    /// Per access group, its hits.
    pub groups: Vec<HitSets>,
    /// Per principal node, the hits of a concrete action outside the classes.
    pub extra: BTreeMap<NodeId, HitSets>,
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
        let mut wanted = RoaringBitmap::new();
        let mut matching = RoaringBitmap::new();
        for (r, resource) in access.resources.iter().enumerate() {
            let r = r as u32;
            let typed: Vec<usize> = classes
                .iter()
                .copied()
                .filter(|&c| CLASSES[c].resource_type == resource.resource_type)
                .collect();
            if typed.is_empty() || !on_matches(on, access, r) {
                continue;
            }
            matching.insert(r);
            wanted.extend(typed.into_iter().map(|c| pair(r, c)));
        }
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
        let groups: Vec<HitSets> = (0..access.groups())
            .into_par_iter()
            .map(|g| {
                let allowed = with_layers(
                    to_hits(&access.own_allowed[g] & &wanted),
                    access.allowed_layers[g],
                );
                let conditional = with_layers(
                    to_hits(&access.own_conditional[g] & &wanted),
                    access.conditional_layers[g],
                );
                let any = &allowed | &conditional;
                HitSets {
                    allowed,
                    any,
                    ..HitSets::default()
                }
                .with_resources(width)
            })
            .collect();
        let mut holders = RoaringBitmap::new();
        for (p, &g) in access.group_of.iter().enumerate() {
            if !groups[g as usize].any.is_empty() {
                holders.insert(analysis.graph.principal_node(p as u32));
            }
        }
        let mut extra = BTreeMap::new();
        if let Some(action) = concrete {
            let index = (names.len() - 1) as u32;
            let targets = Targets {
                resources: &concrete_resources,
                rank_of: &rank_of,
                width,
                index,
            };
            for (node, sets) in concrete_hits(analysis, &action, &targets) {
                holders.insert(node);
                extra.insert(node, sets.with_resources(width));
            }
        }
        Ok(Hits {
            names,
            width,
            groups,
            extra,
            holders,
            matching,
            ranked,
        })
    }

    /// The resource of a hit id.
    pub fn resource(&self, hit: u32) -> u32 {
        self.ranked[(hit / self.width) as usize]
    }

    /// The action index of a hit id.
    pub fn action(&self, hit: u32) -> usize {
        (hit % self.width) as usize
    }

    /// The group hits of a principal node, and its concrete-action hits.
    pub fn of(&self, analysis: &Analysis<'_>, node: NodeId) -> (&HitSets, Option<&HitSets>) {
        let p = analysis.graph.node(node).principal.unwrap_or(node);
        let group = analysis.access.group_of[p as usize];
        (&self.groups[group as usize], self.extra.get(&node))
    }

    /// The access group of a principal node.
    pub fn group(&self, analysis: &Analysis<'_>, node: NodeId) -> u32 {
        let p = analysis.graph.node(node).principal.unwrap_or(node);
        analysis.access.group_of[p as usize]
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
    fn hit(&self, resource: u32) -> u32 {
        self.rank_of[resource as usize] * self.width + self.index
    }
}

/// A concrete action outside the classes, evaluated now on every principal against
/// the indexed resources of its service.
fn concrete_hits(
    analysis: &Analysis<'_>,
    action: &str,
    targets: &Targets<'_>,
) -> Vec<(NodeId, HitSets)> {
    let access = &analysis.access;
    let lower = action.to_ascii_lowercase();
    (0..analysis.model.principals.len() as u32)
        .into_par_iter()
        .filter_map(|p| {
            let may = analysis.authz.may_allow(p, &lower);
            let mut sets = HitSets::default();
            for &r in targets.resources {
                if !may && access.resources[r as usize].policy.is_none() {
                    continue;
                }
                let form = AccessIndex::form_for(action, &access.resources[r as usize]);
                match access.evaluate(analysis.authz, p, action, r, form) {
                    Decision::Allow(_) => {
                        sets.allowed.insert(targets.hit(r));
                        sets.any.insert(targets.hit(r));
                    }
                    Decision::Conditional(..) => {
                        sets.any.insert(targets.hit(r));
                    }
                    Decision::Deny(_) => {}
                }
            }
            (!sets.any.is_empty()).then(|| (analysis.graph.principal_node(p), sets))
        })
        .collect()
}
