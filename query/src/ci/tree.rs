//! Shortest explained paths from one source, for explaining many sources of one graph:
//! the search of `engine::graph::reach::shortest_paths` (paths ranked by (uncertain
//! edges, edges), ties to the first node settled, a node's edges relaxed by target then
//! edge index), over the graph's edges laid out once in that order ([`Adjacency`]), so a
//! search allocates and sorts nothing per node. The trees are the engine's to the step
//! (a test holds them equal for every source and node).

use blastgraph_engine::graph::reach::{ShortestPaths, Step};
use blastgraph_engine::graph::{BlastGraph, NodeId};
use petgraph::graph::EdgeIndex;
use petgraph::visit::EdgeRef;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// What explaining needs of a shortest-path tree.
pub(crate) trait Tree: Sync {
    /// The best path's (uncertain edges, length), or `None` when unreachable.
    fn cost(&self, node: NodeId) -> Option<(u32, u32)>;
    /// The steps from the source to `node` (`None` when unreachable).
    fn path(&self, node: NodeId) -> Option<Vec<Step>>;
}

impl Tree for ShortestPaths {
    fn cost(&self, node: NodeId) -> Option<(u32, u32)> {
        ShortestPaths::cost(self, node)
    }

    fn path(&self, node: NodeId) -> Option<Vec<Step>> {
        ShortestPaths::path(self, node)
    }
}

/// Every node's outgoing edges, by target then edge index, each with whether it is
/// uncertain.
pub(crate) struct Adjacency {
    /// Node `n`'s edges are `edges[start[n]..start[n + 1]]`.
    start: Vec<u32>,
    /// (target, edge, uncertain).
    edges: Vec<(NodeId, EdgeIndex<u32>, bool)>,
}

impl Adjacency {
    /// The edges of `graph` in search order.
    pub(crate) fn new(graph: &BlastGraph) -> Adjacency {
        let mut all: Vec<(NodeId, NodeId, EdgeIndex<u32>, bool)> = graph
            .graph
            .edge_references()
            .map(|e| {
                let source = e.source().index() as NodeId;
                let target = e.target().index() as NodeId;
                (source, target, e.id(), !e.weight().status.is_certain())
            })
            .collect();
        all.sort_unstable_by_key(|&(source, target, edge, _)| (source, target, edge.index()));
        let mut start = vec![0u32; graph.nodes.len() + 1];
        for &(source, ..) in &all {
            start[source as usize + 1] += 1;
        }
        for n in 0..graph.nodes.len() {
            start[n + 1] += start[n];
        }
        let edges = all
            .into_iter()
            .map(|(_, target, edge, uncertain)| (target, edge, uncertain))
            .collect();
        Adjacency { start, edges }
    }

    fn of(&self, node: NodeId) -> &[(NodeId, EdgeIndex<u32>, bool)] {
        let n = node as usize;
        &self.edges[self.start[n] as usize..self.start[n + 1] as usize]
    }
}

/// The best path from one source to every node it reaches.
pub(crate) struct PathTree {
    parent: Vec<Option<Step>>,
    cost: Vec<Option<(u32, u32)>>,
}

impl PathTree {
    /// The tree of `source` (the engine's `shortest_paths`, step for step).
    pub(crate) fn new(adjacency: &Adjacency, source: NodeId) -> PathTree {
        let n = adjacency.start.len() - 1;
        let mut parent = vec![None; n];
        let mut cost: Vec<Option<(u32, u32)>> = vec![None; n];
        let mut heap = BinaryHeap::new();
        cost[source as usize] = Some((0, 0));
        heap.push(Reverse(((0u32, 0u32), source)));
        while let Some(Reverse((c, node))) = heap.pop() {
            if cost[node as usize] != Some(c) {
                continue;
            }
            for &(target, edge, uncertain) in adjacency.of(node) {
                let next = (c.0 + u32::from(uncertain), c.1 + 1);
                if cost[target as usize].is_none_or(|old| next < old) {
                    cost[target as usize] = Some(next);
                    parent[target as usize] = Some(Step {
                        from: node,
                        to: target,
                        edge,
                    });
                    heap.push(Reverse((next, target)));
                }
            }
        }
        PathTree { parent, cost }
    }
}

impl Tree for PathTree {
    fn cost(&self, node: NodeId) -> Option<(u32, u32)> {
        self.cost[node as usize]
    }

    fn path(&self, node: NodeId) -> Option<Vec<Step>> {
        self.cost[node as usize]?;
        let mut steps = Vec::new();
        let mut current = node;
        while let Some(step) = self.parent[current as usize] {
            steps.push(step);
            current = step.from;
        }
        steps.reverse();
        Some(steps)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use blastgraph_engine::graph::analyse;
    use blastgraph_engine::graph::reach::shortest_paths;
    use blastgraph_engine::synth::{generate, SynthConfig};

    /// For every source and every node: the same cost and the same steps as the
    /// engine's search.
    #[test]
    fn trees_equal_the_engines_shortest_paths() {
        let config = SynthConfig::custom(3, 40, 5).expect("a valid size");
        let snapshot = generate(&config).expect("generated").snapshot;
        analyse(&snapshot, |analysis| {
            let graph = &analysis.graph;
            let adjacency = Adjacency::new(graph);
            let mut long = 0;
            for source in graph.sources(&[]) {
                let expected = shortest_paths(graph, source);
                let got = PathTree::new(&adjacency, source);
                for node in 0..graph.nodes.len() as NodeId {
                    assert_eq!(
                        Tree::cost(&got, node),
                        expected.cost(node),
                        "{source} {node}"
                    );
                    let (a, b) = (Tree::path(&got, node), expected.path(node));
                    long += usize::from(b.as_ref().is_some_and(|p| p.len() > 2));
                    assert_eq!(a, b, "{source} {node}");
                }
            }
            assert!(long > 100, "{long} paths longer than two steps");
        });
    }
}
