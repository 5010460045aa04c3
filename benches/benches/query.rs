//! Queries on a loaded, analysed snapshot: `what-can-reach` and single-source
//! `blast-radius`, the interactive commands once the analysis is built (default profile:
//! small; `BLASTGRAPH_BENCH_PROFILES` picks others). On medium, `what-can-reach
//! secretsmanager:GetSecretValue` runs out of memory today: it materializes one explained
//! finding per (source, secret) pair (see benches/README.md).

use blastgraph_benches::{input, profiles_or};
use blastgraph_engine::graph::analyse;
use blastgraph_query::blast_radius::{all_sources, blast_radius};
use blastgraph_query::what_can_reach::{what_can_reach, WhatCanReachQuery};
use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;

fn queries(c: &mut Criterion) {
    let mut group = c.benchmark_group("query");
    group.sample_size(10);
    for profile in profiles_or("small") {
        let input = input(profile);
        analyse(&input.snapshot, |analysis| {
            let secrets = WhatCanReachQuery {
                action_pattern: "secretsmanager:GetSecretValue".into(),
                on: None,
                from: Vec::new(),
            };
            let found = what_can_reach(analysis, &secrets).expect("a valid query");
            // The widest source: the one `blast-radius --all` ranks first.
            let widest = all_sources(analysis, &[]).sources[0].source.clone();
            let node = analysis.graph.node_by_id(&widest).expect("a node");
            println!(
                "{profile}: {} nodes, {} edges; what-can-reach secretsmanager:GetSecretValue: {} findings; widest source {widest}",
                analysis.graph.nodes.len(),
                analysis.graph.graph.edge_count(),
                found.findings.len()
            );
            group.bench_function(format!("what-can-reach-secrets/{profile}"), |b| {
                b.iter(|| what_can_reach(analysis, black_box(&secrets)).map(|r| r.findings.len()))
            });
            group.bench_function(format!("blast-radius-widest/{profile}"), |b| {
                b.iter(|| blast_radius(analysis, black_box(node)).resources.len())
            });
            group.bench_function(format!("blast-radius-all/{profile}"), |b| {
                b.iter(|| all_sources(analysis, &[]).sources.len())
            });
        });
    }
    group.finish();
}

criterion_group!(benches, queries);
criterion_main!(benches);
