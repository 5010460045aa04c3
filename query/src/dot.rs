//! `export dot`: a Graphviz graph of the paths. Accounts are clusters; edges are
//! coloured and labelled by kind; conditional edges are dashed, inferred ones dotted;
//! administrators and crown-jewel resources are highlighted.

use blastgraph_engine::graph::access::{unpair, CLASSES};
use blastgraph_engine::graph::{Analysis, NodeId, NodeKind, Status};
use petgraph_free::{bfs, Direction};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

/// What to draw.
#[derive(Debug, Clone, Default)]
pub struct DotQuery {
    /// Only what this node reaches.
    pub from: Option<NodeId>,
    /// Only what reaches this node.
    pub to: Option<NodeId>,
    /// At most this many edges from `from` / to `to`.
    pub max_depth: Option<u32>,
}

/// The colour of an edge family.
fn colour(family: &str) -> &'static str {
    match family {
        "runs-as" => "#2ca02c",
        "imds" => "#ff7f0e",
        "ecscape" => "#d62728",
        "co-location" => "#9467bd",
        "assume-role" => "#1f77b4",
        "web-identity" => "#17becf",
        _ => "#e377c2",
    }
}

fn shape(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::User => "ellipse",
        NodeKind::Group => "folder",
        NodeKind::Role => "box",
        NodeKind::Ec2Instance => "box3d",
        NodeKind::TaskDefinition => "component",
        NodeKind::ServiceAccount => "hexagon",
        NodeKind::LambdaFunction => "cds",
    }
}

/// Escapes a string for a double-quoted DOT id or label.
fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Renders the graph a query selects.
pub fn dot(analysis: &Analysis<'_>, query: &DotQuery) -> String {
    let graph = &analysis.graph;
    let nodes: BTreeSet<NodeId> = match (query.from, query.to) {
        (Some(from), _) => bfs(analysis, from, Direction::Outgoing, query.max_depth),
        (None, Some(to)) => bfs(analysis, to, Direction::Incoming, query.max_depth),
        (None, None) => (0..graph.nodes.len() as NodeId)
            .flat_map(|n| graph.steps_from(n))
            .flat_map(|s| [s.from, s.to])
            .collect(),
    };
    render(analysis, &nodes, query.from.is_some())
}

/// Renders these nodes and the edges between them; with `jewels`, also the crown-jewel
/// resources their identities may act on.
pub fn render(analysis: &Analysis<'_>, nodes: &BTreeSet<NodeId>, jewels: bool) -> String {
    let graph = &analysis.graph;
    let mut by_account: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    for &n in nodes {
        let node = graph.node(n);
        let admin = node
            .principal
            .is_some_and(|p| analysis.admins[p as usize].is_some());
        let label = if admin {
            format!("{}\\n(admin)", node.label)
        } else {
            node.label.clone()
        };
        let style = if admin {
            ", style=filled, fillcolor=\"#f4cccc\""
        } else {
            ""
        };
        by_account.entry(node.account).or_default().push(format!(
            "    n{n} [label={}, shape={}{style}, tooltip={}];",
            quote(&label).replace("\\\\n", "\\n"),
            shape(node.kind),
            quote(&node.id)
        ));
    }
    // Crown jewels reachable from the drawn identities (only when drawing from a source).
    let mut jewel_edges = Vec::new();
    if jewels {
        let mut jewels: BTreeMap<u32, BTreeSet<NodeId>> = BTreeMap::new();
        for &n in nodes {
            let Some(p) = graph.node(n).principal else {
                continue;
            };
            let (allowed, conditional) = analysis.access.of(p);
            for pair in &*allowed | &*conditional {
                let (r, c) = unpair(pair);
                if CLASSES[c].crown_jewel {
                    jewels.entry(r).or_default().insert(n);
                }
            }
        }
        for (r, holders) in jewels {
            let resource = &analysis.access.resources[r as usize];
            let account = analysis
                .model
                .account_by_id
                .get(&resource.account)
                .copied()
                .unwrap_or(0);
            by_account.entry(account).or_default().push(format!(
                "    r{r} [label={}, shape=cylinder, style=filled, fillcolor=\"#ffd966\"];",
                quote(&resource.display())
            ));
            for holder in holders {
                jewel_edges.push(format!(
                    "  n{holder} -> r{r} [label=\"crown jewel\", color=\"#bf9000\"];"
                ));
            }
        }
    }
    let mut out = String::new();
    out.push_str("digraph blastgraph {\n  rankdir=LR;\n  node [fontname=\"Helvetica\", fontsize=10];\n  edge [fontname=\"Helvetica\", fontsize=9];\n");
    for (account, lines) in &by_account {
        let info = &analysis.model.accounts[*account as usize];
        let title = match &info.name {
            Some(name) => format!("account {} ({name})", info.id),
            None => format!("account {}", info.id),
        };
        let _ = writeln!(
            out,
            "  subgraph cluster_{} {{\n    label={};\n    style=rounded;\n    color=\"#999999\";",
            info.id,
            quote(&title)
        );
        for line in lines {
            out.push_str(line);
            out.push('\n');
        }
        out.push_str("  }\n");
    }
    // Steps as users see them (a way through a hub is one assume-role edge), in the
    // order the edges were added.
    let mut steps: Vec<_> = nodes
        .iter()
        .flat_map(|&n| graph.steps_from(n))
        .filter(|s| nodes.contains(&s.to))
        .collect();
    steps.sort_by_key(|s| graph.step_order(s));
    for step in &steps {
        let (from, to) = (step.from, step.to);
        let edge = analysis.step_edge(step);
        let style = match edge.status {
            Status::Certain => "solid",
            Status::Conditional(_) => "dashed",
            Status::Inferred => "dotted",
        };
        let _ = writeln!(
            out,
            "  n{from} -> n{to} [label={}, color=\"{}\", style={style}, tooltip={}];",
            quote(&edge.kind.name()),
            colour(edge.kind.family()),
            quote(&edge.explanation.to_string())
        );
    }
    for line in jewel_edges {
        out.push_str(&line);
        out.push('\n');
    }
    out.push_str("}\n");
    out
}

/// Breadth-first selection without pulling petgraph into this crate's API.
mod petgraph_free {
    use blastgraph_engine::graph::{Analysis, NodeId};
    use std::collections::{BTreeSet, VecDeque};

    /// Edge direction to follow.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Direction {
        /// From a node to its successors.
        Outgoing,
        /// From a node to its predecessors.
        Incoming,
    }

    /// Nodes within `max_depth` edges of `start` in `direction`.
    pub fn bfs(
        analysis: &Analysis<'_>,
        start: NodeId,
        direction: Direction,
        max_depth: Option<u32>,
    ) -> BTreeSet<NodeId> {
        // Steps, not raw edges: a way through a hub is one edge deep. The set of nodes
        // within a depth does not depend on the order neighbours are met in.
        let graph = &analysis.graph;
        let next = |node: NodeId| -> Vec<NodeId> {
            match direction {
                Direction::Outgoing => graph.steps_from(node).iter().map(|s| s.to).collect(),
                Direction::Incoming => graph.steps_to(node).iter().map(|s| s.from).collect(),
            }
        };
        let mut seen = BTreeSet::from([start]);
        let mut queue = VecDeque::from([(start, 0u32)]);
        while let Some((node, depth)) = queue.pop_front() {
            if max_depth.is_some_and(|m| depth >= m) {
                continue;
            }
            for reached in next(node) {
                if seen.insert(reached) {
                    queue.push_back((reached, depth + 1));
                }
            }
        }
        seen
    }
}
