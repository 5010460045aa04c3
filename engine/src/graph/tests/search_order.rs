//! `shortest_paths_in` over a [`SearchOrder`] gives the trees `shortest_paths` gives.

use crate::graph::reach::{shortest_paths, shortest_paths_in, SearchOrder};
use crate::graph::{analyse, NodeId};
use crate::synth::{generate, SynthConfig};

/// For every source and every node: the same cost and the same steps.
#[test]
fn laid_out_edges_give_the_same_trees_as_the_graph() {
    let config = SynthConfig::custom(3, 40, 5).expect("a valid size");
    let snapshot = generate(&config).expect("generated").snapshot;
    analyse(&snapshot, |analysis| {
        let graph = &analysis.graph;
        let order = SearchOrder::new(graph);
        let mut long = 0;
        for source in graph.sources(&[]) {
            let expected = shortest_paths(graph, source);
            let got = shortest_paths_in(&order, source);
            for node in 0..graph.nodes.len() as NodeId {
                assert_eq!(got.cost(node), expected.cost(node), "{source} {node}");
                let (a, b) = (got.path(node), expected.path(node));
                long += usize::from(b.as_ref().is_some_and(|p| p.len() > 2));
                assert_eq!(a, b, "{source} {node}");
            }
        }
        assert!(long > 100, "{long} paths longer than two steps");
    });
}
