//! The edges found first and added later (one allocation of the edge list) are the
//! edges each family adds on its own, in the same order; an actor's escalations merged
//! from its own and its representative's findings are the ones copied and sorted.

use crate::graph::builder::GraphBuilder;
use crate::graph::{analyse, assume, privesc, workloads, EdgeKind, GraphOptions, Status};
use crate::synth::{generate, SynthConfig};

/// A synthetic organization with assume-role and escalation edges, conditional ones
/// included.
fn snapshot() -> crate::snapshot::Snapshot {
    let config = SynthConfig::custom(3, 40, 5).expect("a valid size");
    generate(&config).expect("generated").snapshot
}

#[test]
fn built_graph_equals_families_added_one_by_one() {
    let snapshot = snapshot();
    analyse(&snapshot, |analysis| {
        let options = GraphOptions::default();
        let mut builder = GraphBuilder::new(&snapshot, analysis.model, analysis.authz, &options);
        builder.add_source_nodes();
        workloads::add_edges(&mut builder);
        assume::add_edges(&mut builder);
        privesc::add_edges(&mut builder);
        let one_by_one = builder.graph;
        let built = &analysis.graph;
        let edges = |g: &crate::graph::BlastGraph| -> Vec<(u32, u32, EdgeKind, Status, String)> {
            g.edges()
                .map(|(f, t, e)| (f, t, e.kind, e.status.clone(), e.explanation_text()))
                .collect()
        };
        let (a, b) = (edges(built), edges(&one_by_one));
        assert_eq!(a, b);
        let count = |family: &str, conditional: bool| {
            a.iter()
                .filter(|e| e.2.family() == family && (!conditional || !e.3.keys().is_empty()))
                .count()
        };
        // Most assume-role edges go through hubs (callers + roles edges, not callers x
        // roles): fewer edges, but hubs too, and the same in both graphs.
        for (family, least) in [("assume-role", 30), ("privesc", 100)] {
            assert!(
                count(family, false) > least,
                "{family}: {}",
                count(family, false)
            );
        }
        assert!(!built.hubs.is_empty());
        assert_eq!(built.hubs.len(), one_by_one.hubs.len());
        assert!(count("assume-role", true) + count("privesc", true) > 0);
        let escalations = |g: &crate::graph::BlastGraph| -> Vec<(u32, u16, u32, Status, String)> {
            g.escalations
                .iter()
                .map(|e| {
                    (
                        e.principal,
                        e.technique,
                        e.subject,
                        e.status.clone(),
                        e.explanation.clone(),
                    )
                })
                .collect()
        };
        assert_eq!(escalations(built), escalations(&one_by_one));
    });
}

#[test]
fn merged_escalations_equal_the_copied_and_sorted_ones() {
    let snapshot = snapshot();
    analyse(&snapshot, |analysis| {
        let options = GraphOptions::default();
        let mut builder = GraphBuilder::new(&snapshot, analysis.model, analysis.authz, &options);
        builder.add_source_nodes();
        let found = privesc::find(&builder);
        let text = |list: Vec<privesc::Found>| -> Vec<_> {
            list.into_iter()
                .map(|(a, t, n, s, st, e)| (a, t, n, s, st, e.to_string()))
                .collect()
        };
        let mut several_findings = 0;
        for actor in 0..analysis.model.principals.len() as u32 {
            let streamed = text(found.streamed(actor));
            assert_eq!(streamed, text(found.collected(actor)), "actor {actor}");
            several_findings += usize::from(streamed.len() > 1);
        }
        assert!(several_findings > 10, "{several_findings}");
    });
}
