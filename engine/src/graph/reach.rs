//! Reachability: what every node can become, in one pass.
//!
//! The graph is condensed into strongly connected components (Tarjan); components are
//! processed by level from the sinks up, each level in parallel, and a component's
//! reachable set is its members plus its successors' sets (roaring bitmaps of node ids).
//! It is done twice: over every edge, and over certain edges only, so a node reached
//! only through conditional or inferred edges is reported as such. Hub nodes
//! ([`super::hubs`]) carry reachability through them but are in no set.
//!
//! Single-source questions (the explained path to a node) use [`shortest_paths`], or
//! [`shortest_paths_in`] when many sources of one graph are searched.

use super::node::NodeId;
use super::{BlastGraph, Edge};
use petgraph::algo::tarjan_scc;
use petgraph::graph::{EdgeIndex, NodeIndex};
use petgraph::visit::{EdgeFiltered, EdgeRef};
use rayon::prelude::*;
use roaring::RoaringBitmap;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Reachable node sets.
pub struct Reach {
    /// Per node, the component it belongs to.
    component_of: Vec<u32>,
    /// Per component, every node reachable from it (its members included).
    sets: Vec<RoaringBitmap>,
    /// Per component, the components its edges lead to (each with a smaller index).
    successors: Vec<Vec<u32>>,
    /// Components by level (longest distance to a sink): each level depends only on
    /// lower ones, so a level's components can be processed in parallel.
    levels: Vec<Vec<u32>>,
}

impl Reach {
    /// Nodes reachable from `node`, itself included.
    pub fn of(&self, node: NodeId) -> &RoaringBitmap {
        &self.sets[self.component_of[node as usize] as usize]
    }

    /// The strongly connected component of a node (in the relation's condensation).
    pub fn component_of(&self, node: NodeId) -> u32 {
        self.component_of[node as usize]
    }

    /// How many components.
    pub fn components(&self) -> usize {
        self.sets.len()
    }

    /// The components a component's edges lead to.
    pub fn successors(&self, component: u32) -> &[u32] {
        &self.successors[component as usize]
    }

    /// Components grouped by level, sinks first: to propagate a value up the
    /// condensation, process the levels in order (each level in parallel).
    pub fn levels(&self) -> &[Vec<u32>] {
        &self.levels
    }
}

/// Both reachability relations.
pub struct Reachability {
    /// Over every edge.
    pub any: Reach,
    /// Over certain edges only.
    pub certain: Reach,
}

impl Reachability {
    /// Computes both relations for every node.
    pub fn compute(graph: &BlastGraph) -> Reachability {
        let any = compute(graph, |_| true);
        let certain = compute(graph, |e| e.status.is_certain());
        Reachability { any, certain }
    }
}

fn compute(graph: &BlastGraph, keep: impl Fn(&Edge) -> bool + Sync) -> Reach {
    let filtered = EdgeFiltered::from_fn(&graph.graph, |e| keep(e.weight()));
    // Tarjan returns components in reverse topological order: successors first.
    let components = tarjan_scc(&filtered);
    let mut component_of = vec![0u32; graph.graph.node_count()];
    let real = graph.nodes.len();
    for (c, members) in components.iter().enumerate() {
        for n in members {
            component_of[n.index()] = c as u32;
        }
    }
    // Successor components and levels (longest distance to a sink).
    let mut successors: Vec<Vec<u32>> = vec![Vec::new(); components.len()];
    let mut level = vec![0u32; components.len()];
    for (c, members) in components.iter().enumerate() {
        let mut next: Vec<u32> = members
            .iter()
            .flat_map(|&n| {
                graph
                    .graph
                    .edges(n)
                    .filter(|e| keep(e.weight()))
                    .map(|e| component_of[e.target().index()])
            })
            .filter(|&s| s != c as u32)
            .collect();
        next.sort_unstable();
        next.dedup();
        level[c] = next
            .iter()
            .map(|&s| level[s as usize] + 1)
            .max()
            .unwrap_or(0);
        successors[c] = next;
    }
    let max_level = level.iter().copied().max().unwrap_or(0);
    let mut by_level: Vec<Vec<u32>> = vec![Vec::new(); max_level as usize + 1];
    for (c, &l) in level.iter().enumerate() {
        by_level[l as usize].push(c as u32);
    }
    let mut sets: Vec<RoaringBitmap> = vec![RoaringBitmap::new(); components.len()];
    for layer in &by_level {
        let computed: Vec<(u32, RoaringBitmap)> = layer
            .par_iter()
            .map(|&c| {
                let mut set: RoaringBitmap = components[c as usize]
                    .iter()
                    .filter(|n| n.index() < real)
                    .map(|n| n.index() as u32)
                    .collect();
                for &s in &successors[c as usize] {
                    set |= &sets[s as usize];
                }
                (c, set)
            })
            .collect();
        for (c, set) in computed {
            sets[c as usize] = set;
        }
    }
    Reach {
        component_of,
        sets,
        successors,
        levels: by_level,
    }
}

/// One step of a path. A step through a hub goes from the caller straight to the role,
/// its edge the hub's edge to the role ([`super::Analysis::step_edge`] shows it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    /// From node.
    pub from: NodeId,
    /// To node.
    pub to: NodeId,
    /// The edge taken.
    pub edge: EdgeIndex<u32>,
}

/// Shortest explained paths from one source: each node's best predecessor. Paths are
/// ranked by (number of non-certain edges, number of edges), ties broken by node id, so
/// a certain path is preferred to a shorter conditional one, deterministically.
///
/// A way through a hub ([`super::hubs`]) is one step, relaxed when its caller is, as the
/// direct edge it stands for would be: the step's edge is the hub's edge to the role,
/// which was added in the same family as the direct edge, so edges of other families
/// between the same two nodes keep their order around it.
pub struct ShortestPaths {
    source: NodeId,
    parent: Vec<Option<Step>>,
    cost: Vec<Option<(u32, u32)>>,
}

/// Computes the best paths from `source` to every node it reaches.
pub fn shortest_paths(graph: &BlastGraph, source: NodeId) -> ShortestPaths {
    search(graph.nodes.len(), source, |node| {
        let mut edges = Vec::new();
        for e in graph.graph.edges(NodeIndex::new(node as usize)) {
            let target = e.target().index() as NodeId;
            if graph.is_hub(target) {
                edges.extend(
                    graph
                        .graph
                        .edges(e.target())
                        .filter(|h| h.target().index() as NodeId != node)
                        .map(|h| {
                            let uncertain = !h.weight().status.is_certain();
                            (h.target().index() as NodeId, h.id(), uncertain)
                        }),
                );
            } else {
                edges.push((target, e.id(), !e.weight().status.is_certain()));
            }
        }
        edges.sort_unstable_by_key(|&(t, e, _)| (t, e.index()));
        edges
    })
}

/// [`shortest_paths`] over edges laid out once in search order: the same trees, for
/// searching from many sources of one graph without sorting each node's edges anew.
pub fn shortest_paths_in(order: &SearchOrder, source: NodeId) -> ShortestPaths {
    search(order.real, source, |node| order.of(node))
}

/// Every node's outgoing edges, by target then edge index (the order the search relaxes
/// them in), each with whether it is uncertain; a node's way through its hub is merged
/// in when the search asks for its edges.
pub struct SearchOrder {
    /// How many real nodes (hubs come after them).
    real: usize,
    /// Node `n`'s edges (hubs' included) are `edges[start[n]..start[n + 1]]`.
    start: Vec<u32>,
    /// (target, edge, uncertain); a real node's edge to its hub is left out.
    edges: Vec<(NodeId, EdgeIndex<u32>, bool)>,
    /// Per real node, its hub or `u32::MAX`.
    hub: Vec<NodeId>,
}

impl SearchOrder {
    /// The edges of `graph` in search order.
    pub fn new(graph: &BlastGraph) -> SearchOrder {
        let real = graph.nodes.len();
        let mut hub = vec![u32::MAX; real];
        let mut all: Vec<(NodeId, NodeId, EdgeIndex<u32>, bool)> = graph
            .graph
            .edge_references()
            .filter_map(|e| {
                let source = e.source().index() as NodeId;
                let target = e.target().index() as NodeId;
                if graph.is_hub(target) {
                    hub[source as usize] = target;
                    return None;
                }
                Some((source, target, e.id(), !e.weight().status.is_certain()))
            })
            .collect();
        all.sort_unstable_by_key(|&(source, target, edge, _)| (source, target, edge.index()));
        let n = graph.graph.node_count();
        let mut start = vec![0u32; n + 1];
        for &(source, ..) in &all {
            start[source as usize + 1] += 1;
        }
        for i in 0..n {
            start[i + 1] += start[i];
        }
        let edges = all
            .into_iter()
            .map(|(_, target, edge, uncertain)| (target, edge, uncertain))
            .collect();
        SearchOrder {
            real,
            start,
            edges,
            hub,
        }
    }

    fn slice(&self, node: NodeId) -> &[(NodeId, EdgeIndex<u32>, bool)] {
        let n = node as usize;
        &self.edges[self.start[n] as usize..self.start[n + 1] as usize]
    }

    /// A real node's edges merged with its hub's, by (target, edge index).
    fn of(&self, node: NodeId) -> Merged<'_> {
        let hub = self.hub[node as usize];
        let through = if hub == u32::MAX {
            &[][..]
        } else {
            self.slice(hub)
        };
        Merged {
            node,
            own: self.slice(node),
            through,
        }
    }
}

/// Two runs of edges sorted by (target, edge index), merged; the second (a hub's) skips
/// edges back to `node`.
struct Merged<'a> {
    node: NodeId,
    own: &'a [(NodeId, EdgeIndex<u32>, bool)],
    through: &'a [(NodeId, EdgeIndex<u32>, bool)],
}

impl Iterator for Merged<'_> {
    type Item = (NodeId, EdgeIndex<u32>, bool);

    fn next(&mut self) -> Option<Self::Item> {
        while let Some((&first, rest)) = self.through.split_first() {
            if first.0 != self.node {
                break;
            }
            self.through = rest;
        }
        let take_own = match (self.own.first(), self.through.first()) {
            (Some(a), Some(b)) => (a.0, a.1.index()) < (b.0, b.1.index()),
            (Some(_), None) => true,
            (None, _) => false,
        };
        let run = if take_own {
            &mut self.own
        } else {
            &mut self.through
        };
        let (&item, rest) = run.split_first()?;
        *run = rest;
        Some(item)
    }
}

/// The search both entry points share: `edges_of(node)` gives a node's (target, edge,
/// uncertain) edges in relaxation order.
fn search<I>(n: usize, source: NodeId, edges_of: impl Fn(NodeId) -> I) -> ShortestPaths
where
    I: IntoIterator<Item = (NodeId, EdgeIndex<u32>, bool)>,
{
    let mut parent = vec![None; n];
    let mut cost: Vec<Option<(u32, u32)>> = vec![None; n];
    let mut heap = BinaryHeap::new();
    cost[source as usize] = Some((0, 0));
    heap.push(Reverse(((0u32, 0u32), source)));
    while let Some(Reverse((c, node))) = heap.pop() {
        if cost[node as usize] != Some(c) {
            continue;
        }
        for (target, edge, uncertain) in edges_of(node) {
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
    ShortestPaths {
        source,
        parent,
        cost,
    }
}

impl ShortestPaths {
    /// The source.
    pub fn source(&self) -> NodeId {
        self.source
    }

    /// Whether `node` is reachable.
    pub fn reaches(&self, node: NodeId) -> bool {
        self.cost(node).is_some()
    }

    /// Whether the best path to `node` uses only certain edges.
    pub fn certain(&self, node: NodeId) -> bool {
        self.cost(node).is_some_and(|(uncertain, _)| uncertain == 0)
    }

    /// The path's (uncertain edges, length), or `None` when unreachable (hubs never
    /// are).
    pub fn cost(&self, node: NodeId) -> Option<(u32, u32)> {
        self.cost.get(node as usize).copied().flatten()
    }

    /// The steps from the source to `node` (empty for the source itself).
    pub fn path(&self, node: NodeId) -> Option<Vec<Step>> {
        self.cost(node)?;
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
