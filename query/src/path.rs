//! `path SOURCE TARGET`: the best explained path from a source to an identity, a
//! workload, or a resource (to the nearest identity allowed to act on it).

use crate::coverage::{gaps, CoverageGap};
use crate::names::resolve;
use crate::paths::{path_to, PathStep};
use crate::QueryError;
use blastgraph_engine::graph::access::CLASSES;
use blastgraph_engine::graph::reach::shortest_paths;
use blastgraph_engine::graph::{Analysis, NodeId};
use serde::Serialize;

/// The answer.
#[derive(Debug, Clone, Serialize)]
pub struct PathResult {
    /// The source id.
    pub source: String,
    /// The target id (node id or resource ARN).
    pub target: String,
    /// Whether the target is reachable.
    pub reachable: bool,
    /// Whether the best path rests on a conditional or inferred edge or permission.
    pub conditional: bool,
    /// The best path (empty when unreachable or when the source is the target).
    pub path: Vec<PathStep>,
    /// For a resource target: the actions the last identity may perform on it.
    pub actions: Vec<String>,
    /// What the snapshot does not know.
    pub coverage_gaps: Vec<CoverageGap>,
}

/// How good a way to the target is: (uncertain, path cost, node); smaller is better.
type Rank = (bool, (u32, u32), NodeId);

/// Answers the question.
pub fn path(analysis: &Analysis<'_>, source: &str, target: &str) -> Result<PathResult, QueryError> {
    let source_node = resolve(analysis, source)?;
    let tree = shortest_paths(&analysis.graph, source_node);
    let source_id = analysis.graph.node(source_node).id.clone();
    if let Ok(target_node) = resolve(analysis, target) {
        let reachable = tree.reaches(target_node);
        return Ok(PathResult {
            source: source_id,
            target: analysis.graph.node(target_node).id.clone(),
            reachable,
            conditional: reachable && !tree.certain(target_node),
            path: path_to(analysis, &tree, target_node),
            actions: Vec::new(),
            coverage_gaps: gaps(analysis),
        });
    }
    let Some(resource) = analysis
        .access
        .resources
        .iter()
        .position(|r| r.arn == target)
    else {
        return Err(QueryError::NotFound(format!(
            "{target:?} is neither a node nor an indexed resource of the snapshot"
        )));
    };
    let resource = resource as u32;
    // The nearest reached identity with access to the resource.
    let mut best: Option<(Rank, Vec<String>)> = None;
    for n in analysis.reach.any.of(source_node) {
        let Some(p) = analysis.graph.node(n).principal else {
            continue;
        };
        let (allowed, conditional) = analysis.access.of(p);
        let mut actions = Vec::new();
        let mut sure = false;
        for (c, class) in CLASSES.iter().enumerate() {
            let id = blastgraph_engine::graph::access::pair(resource, c);
            if allowed.contains(id) {
                actions.push(class.action.to_string());
                sure = true;
            } else if conditional.contains(id) {
                actions.push(class.action.to_string());
            }
        }
        if actions.is_empty() {
            continue;
        }
        let rank = (
            !(sure && tree.certain(n)),
            tree.cost(n).unwrap_or((u32::MAX, u32::MAX)),
            n,
        );
        if best.as_ref().is_none_or(|(b, _)| rank < *b) {
            best = Some((rank, actions));
        }
    }
    Ok(match best {
        Some(((uncertain, _, via), actions)) => PathResult {
            source: source_id,
            target: target.to_string(),
            reachable: true,
            conditional: uncertain,
            path: path_to(analysis, &tree, via),
            actions,
            coverage_gaps: gaps(analysis),
        },
        None => PathResult {
            source: source_id,
            target: target.to_string(),
            reachable: false,
            conditional: false,
            path: Vec::new(),
            actions: Vec::new(),
            coverage_gaps: gaps(analysis),
        },
    })
}
