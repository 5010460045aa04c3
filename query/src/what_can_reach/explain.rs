//! One source's explained findings: one shortest-path tree for the source, one path per
//! identity that holds a permission (shared by every finding it explains), and per
//! target resource only its actions, its certainty and which path explains it.

use super::hits::Hits;
use super::FindingRef;
use crate::paths::{path_to, PathStep};
use blastgraph_engine::graph::reach::shortest_paths;
use blastgraph_engine::graph::{Analysis, NodeId};
use roaring::RoaringBitmap;
use std::collections::BTreeMap;

/// A finding of [`SourceFindings`]: a target resource, by index.
#[derive(Debug, Clone)]
pub(crate) struct TargetFinding {
    /// The indexed resource.
    pub resource: u32,
    /// Action indexes into [`Hits::names`], ascending.
    pub actions: Vec<usize>,
    /// No reached identity is certainly allowed a matching action on it.
    pub conditional: bool,
    /// Index into [`SourceFindings::paths`].
    pub via: usize,
}

/// Every finding of one source, by target resource.
pub(crate) struct SourceFindings {
    /// The source node.
    pub source: NodeId,
    /// The identities explaining the findings, each with its path from the source.
    pub paths: Vec<(NodeId, Vec<PathStep>)>,
    /// The findings, by resource index.
    pub findings: Vec<TargetFinding>,
}

impl SourceFindings {
    /// The findings in the contract's shape, borrowing names and paths.
    pub fn refs<'a>(&'a self, analysis: &'a Analysis<'_>, hits: &'a Hits) -> Vec<FindingRef<'a>> {
        let source = analysis.graph.node(self.source);
        self.findings
            .iter()
            .map(|f| {
                let target = &analysis.access.resources[f.resource as usize];
                let (via, path) = &self.paths[f.via];
                FindingRef {
                    source: &source.id,
                    target: &target.arn,
                    actions: f.actions.iter().map(|&a| hits.names[a].as_str()).collect(),
                    conditional: f.conditional,
                    path,
                    source_kind: source.kind.as_str(),
                    via: &analysis.graph.node(*via).id,
                    account: &target.account,
                    not_collected: target.is_abstract,
                }
            })
            .collect()
    }
}

/// The findings of `source`: per matching resource one finding, explained by the best
/// reached identity allowed a matching action on it (a certain permission reached over
/// certain edges first, then the cheapest path, then node order).
pub(crate) fn source_findings(
    analysis: &Analysis<'_>,
    hits: &Hits,
    source: NodeId,
) -> Option<SourceFindings> {
    let reached = analysis.reach.any.of(source) & &hits.holders;
    if reached.is_empty() {
        return None;
    }
    let tree = shortest_paths(&analysis.graph, source);
    let certain = analysis.reach.certain.of(source);
    let mut holders: Vec<((u32, u32), NodeId)> = reached
        .iter()
        .map(|n| (tree.cost(n).unwrap_or((u32::MAX, u32::MAX)), n))
        .collect();
    holders.sort_unstable();
    // Every hit reached, and those certainly allowed over certain edges.
    let mut any = RoaringBitmap::new();
    let mut sure = RoaringBitmap::new();
    let mut via: BTreeMap<u32, NodeId> = BTreeMap::new();
    // First the holders certainly allowed over certain edges, then every holder: the
    // first holder (in path order) to hold a resource in a pass explains it.
    for pass_certain in [true, false] {
        let mut seen_groups = RoaringBitmap::new();
        // The layers taken in this pass: every resource of theirs has its holder.
        let mut taken = 0;
        for &(_, n) in &holders {
            if pass_certain && !certain.contains(n) {
                continue;
            }
            if !seen_groups.insert(hits.group(analysis, n)) {
                continue;
            }
            let set = hits.of(analysis, n);
            let held = if pass_certain { &set.allowed } else { &set.any };
            for (layer, part) in hits.layer_hits.parts(held) {
                if layer & taken != 0 {
                    continue;
                }
                taken |= layer;
                if pass_certain {
                    sure |= part;
                } else {
                    any |= part;
                }
                for hit in part {
                    via.entry(hits.resource(hit)).or_insert(n);
                }
            }
        }
    }
    let mut path_index: BTreeMap<NodeId, usize> = BTreeMap::new();
    let mut paths = Vec::new();
    let mut findings: Vec<TargetFinding> = Vec::new();
    for hit in &any {
        let resource = hits.resource(hit);
        let action = hits.action(hit);
        if let Some(last) = findings.last_mut().filter(|f| f.resource == resource) {
            last.actions.push(action);
            last.conditional &= !sure.contains(hit);
            continue;
        }
        let holder = via[&resource];
        let index = *path_index.entry(holder).or_insert_with(|| {
            paths.push((holder, path_to(analysis, &tree, holder)));
            paths.len() - 1
        });
        findings.push(TargetFinding {
            resource,
            actions: vec![action],
            conditional: !sure.contains(hit),
            via: index,
        });
    }
    Some(SourceFindings {
        source,
        paths,
        findings,
    })
}
