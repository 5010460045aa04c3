//! Explained paths in results.

use blastgraph_engine::graph::reach::{ShortestPaths, Step};
use blastgraph_engine::graph::{Analysis, NodeId};
use serde::Serialize;

/// One step of a path, as the JSON contracts show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PathStep {
    /// The node the step leaves (its stable id).
    pub from: String,
    /// The node it reaches.
    pub to: String,
    /// The edge kind (`runs-as`, `imds`, `assume-role`, `privesc:<technique>` ...).
    pub edge: String,
    /// Why the edge exists.
    pub explanation: String,
    /// `certain`, `conditional` or `inferred`.
    pub status: String,
    /// The condition keys a conditional edge depends on.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub condition_keys: Vec<String>,
}

/// Turns engine steps into result steps.
pub fn steps(analysis: &Analysis<'_>, steps: &[Step]) -> Vec<PathStep> {
    steps
        .iter()
        .map(|s| {
            let edge = analysis.step_edge(s);
            PathStep {
                from: analysis.graph.node(s.from).id.clone(),
                to: analysis.graph.node(s.to).id.clone(),
                edge: edge.kind.name(),
                explanation: edge.explanation.to_string(),
                status: status_name(&edge.status).into(),
                condition_keys: edge.status.keys().to_vec(),
            }
        })
        .collect()
}

/// The path from a shortest-path tree's source to `node`, as result steps.
pub fn path_to(analysis: &Analysis<'_>, tree: &ShortestPaths, node: NodeId) -> Vec<PathStep> {
    tree.path(node)
        .map(|p| steps(analysis, &p))
        .unwrap_or_default()
}

/// `certain`, `conditional` or `inferred`.
pub fn status_name(status: &blastgraph_engine::graph::Status) -> &'static str {
    match status {
        blastgraph_engine::graph::Status::Certain => "certain",
        blastgraph_engine::graph::Status::Conditional(_) => "conditional",
        blastgraph_engine::graph::Status::Inferred => "inferred",
    }
}
