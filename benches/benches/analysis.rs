//! The whole analysis of a synthetic organization: IAM model, evaluator, graph,
//! reachability of every node, access sets and administrators (what every query and the
//! full blast radius start from).

use blastgraph_benches::{input, profiles_or};
use blastgraph_engine::graph::analyse;
use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;

fn analysis(c: &mut Criterion) {
    let mut group = c.benchmark_group("analysis");
    group.sample_size(10);
    // Small by default: the analysis of medium takes minutes today.
    for profile in profiles_or("small") {
        let input = input(profile);
        analyse(&input.snapshot, |a| {
            println!(
                "analysis of {profile}: {} nodes, {} edges, {} warnings",
                a.graph.nodes.len(),
                a.graph.graph.edge_count(),
                a.graph.warnings.len()
            )
        });
        group.bench_function(format!("build/{profile}"), |b| {
            b.iter(|| {
                analyse(black_box(&input.snapshot), |a| {
                    black_box(a.graph.nodes.len())
                })
            })
        });
    }
    group.finish();
}

criterion_group!(benches, analysis);
criterion_main!(benches);
