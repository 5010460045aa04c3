//! Who holds a matching permission: the (resource, action) pairs of the question that
//! each access group (and, for a concrete action outside the classes, each principal)
//! is allowed, as bitmaps of hit ids.
//!
//! A hit id is `resource * width + action`, where `action` indexes [`Hits::names`]: so
//! a bitmap of hits iterates by resource, then action, which is the order findings are
//! printed in. Per-group sets are never copied to the group's principals.

use super::WhatCanReachQuery;
use crate::QueryError;
use blastgraph_engine::graph::access::{pair, unpair, AccessIndex, CLASSES};
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
    /// The resources of `allowed`.
    pub allowed_resources: RoaringBitmap,
    /// The resources of `any`.
    pub any_resources: RoaringBitmap,
}

impl HitSets {
    /// Fills in the resource-level sets.
    fn with_resources(mut self, width: u32) -> HitSets {
        let resources = |hits: &RoaringBitmap| -> RoaringBitmap {
            let mut ids: Vec<u32> = hits.iter().map(|h| h / width).collect();
            ids.dedup();
            RoaringBitmap::from_sorted_iter(ids).unwrap_or_default()
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
        // The class index of each pair becomes its position among the matched classes.
        let position: Vec<u32> = (0..CLASSES.len())
            .map(|c| classes.iter().position(|&x| x == c).unwrap_or(0) as u32)
            .collect();
        let to_hits = |pairs: RoaringBitmap| -> RoaringBitmap {
            pairs
                .iter()
                .map(|p| {
                    let (r, c) = unpair(p);
                    r * width + position[c]
                })
                .collect()
        };
        let groups: Vec<HitSets> = (0..access.allowed.len())
            .into_par_iter()
            .map(|g| {
                let allowed = to_hits(&access.allowed[g] & &wanted);
                let any = &allowed | &to_hits(&access.conditional[g] & &wanted);
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
            for (node, sets) in concrete_hits(analysis, &action, on, width, index) {
                for r in sets.any.iter().map(|h| h / width) {
                    matching.insert(r);
                }
                holders.insert(node);
                extra.insert(node, sets.with_resources(width));
            }
            // Every resource of the service is a possible target, even unreached.
            let service = action.split(':').next().unwrap_or("").to_ascii_lowercase();
            for &r in access.by_service.get(&service).into_iter().flatten() {
                if on_matches(on, access, r) {
                    matching.insert(r);
                }
            }
        }
        Ok(Hits {
            names,
            width,
            groups,
            extra,
            holders,
            matching,
        })
    }

    /// The resource of a hit id.
    pub fn resource(&self, hit: u32) -> u32 {
        hit / self.width
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

/// A concrete action outside the classes, evaluated now on every principal against
/// the indexed resources of its service.
fn concrete_hits(
    analysis: &Analysis<'_>,
    action: &str,
    on: Option<&str>,
    width: u32,
    index: u32,
) -> Vec<(NodeId, HitSets)> {
    let access = &analysis.access;
    let service = action.split(':').next().unwrap_or("").to_ascii_lowercase();
    let resources: Vec<u32> = access
        .by_service
        .get(&service)
        .map(|rs| {
            rs.iter()
                .copied()
                .filter(|&r| on_matches(on, access, r))
                .collect()
        })
        .unwrap_or_default();
    let lower = action.to_ascii_lowercase();
    (0..analysis.model.principals.len() as u32)
        .into_par_iter()
        .filter_map(|p| {
            let may = analysis.authz.may_allow(p, &lower);
            let mut sets = HitSets::default();
            for &r in &resources {
                if !may && access.resources[r as usize].policy.is_none() {
                    continue;
                }
                let form = AccessIndex::form_for(action, &access.resources[r as usize]);
                match access.evaluate(analysis.authz, p, action, r, form) {
                    Decision::Allow(_) => {
                        sets.allowed.insert(r * width + index);
                        sets.any.insert(r * width + index);
                    }
                    Decision::Conditional(..) => {
                        sets.any.insert(r * width + index);
                    }
                    Decision::Deny(_) => {}
                }
            }
            (!sets.any.is_empty()).then(|| (analysis.graph.principal_node(p), sets))
        })
        .collect()
}
