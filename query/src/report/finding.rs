//! Findings and explained paths, shaped as in `what-can-reach`'s JSON contract.

use serde::{Deserialize, Serialize};

/// One edge of an explained path.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct PathStep {
    /// The node the edge leaves (a source or identity id).
    pub from: String,
    /// The node it reaches.
    pub to: String,
    /// The edge kind (`runs-as`, `imds`, `ecscape`, `assume-role`, a privesc technique).
    pub edge: String,
    /// Why the edge exists, in words.
    pub explanation: String,
}

/// A source that can reach a target: `{"source", "target", "actions", "conditional",
/// "path"}`, the shape of a `what-can-reach` finding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Finding {
    /// The source id (an ARN or a short source name).
    pub source: String,
    /// The target: an identity ARN, an account id or a resource ARN.
    pub target: String,
    /// The actions allowed on the target, sorted.
    pub actions: Vec<String>,
    /// Whether the path rests on a condition that could not be decided.
    pub conditional: bool,
    /// The shortest explained path.
    pub path: Vec<PathStep>,
}

impl Finding {
    /// The path as one line: `a -[edge]-> b -[edge]-> c`.
    pub fn path_line(path: &[PathStep]) -> String {
        let Some(first) = path.first() else {
            return String::new();
        };
        let mut line = first.from.clone();
        for step in path {
            line.push_str(&format!(" -[{}]-> {}", step.edge, step.to));
        }
        line
    }
}
