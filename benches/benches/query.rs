//! Queries on a loaded, analysed snapshot: `what-can-reach` and single-source
//! `blast-radius`, the interactive commands once the analysis is built (default profile:
//! small; `BLASTGRAPH_BENCH_PROFILES` picks others, `BLASTGRAPH_BENCH_SNAPSHOT=FILE`
//! benches a snapshot file instead, such as the 100-account org of `blastgraph gen
//! --accounts 100 --roles-per-account 200 --seed 1`).
//!
//! `what-can-reach-secrets` is the question answered as the CLI's table needs it: every
//! identity's matching permissions as bitmaps, their propagation over the reachability
//! condensation, and the per-source counts (`Answer::new` + `Answer::summary`).
//! `what-can-reach-explain-widest` explains the findings of the source that reaches the
//! most (one path search, one path per explaining identity), what the table prints per
//! source. `what-can-reach-json-small` streams the whole JSON contract (small only: the
//! JSON grows as sources × targets, tens of millions of findings on medium).

use blastgraph_benches::{input, profiles_or};
use blastgraph_engine::graph::{analyse, Analysis};
use blastgraph_engine::snapshot::{format, Snapshot};
use blastgraph_query::blast_radius::{all_sources, blast_radius};
use blastgraph_query::what_can_reach::{Answer, WhatCanReachQuery};
use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use std::time::Instant;

/// The snapshots to bench: (name, snapshot).
fn inputs() -> Vec<(String, Snapshot)> {
    if let Ok(path) = std::env::var("BLASTGRAPH_BENCH_SNAPSHOT") {
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let snapshot = format::decode(&bytes).unwrap_or_else(|e| panic!("{path}: {e}"));
        let name = std::path::Path::new(&path)
            .file_stem()
            .map_or_else(|| path.clone(), |s| s.to_string_lossy().into_owned());
        return vec![(name, snapshot)];
    }
    profiles_or("small")
        .into_iter()
        .map(|p| (p.to_string(), input(p).snapshot))
        .collect()
}

fn secrets() -> WhatCanReachQuery {
    WhatCanReachQuery {
        action_pattern: "secretsmanager:GetSecretValue".into(),
        on: None,
        from: Vec::new(),
    }
}

fn bench_one(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    name: &str,
    analysis: &Analysis<'_>,
) {
    let query = secrets();
    let answer = Answer::new(analysis, &query).expect("a valid query");
    let summary = answer.summary();
    let widest = summary.sources.first().map(|c| c.source);
    println!(
        "{name}: {} nodes, {} edges; what-can-reach secretsmanager:GetSecretValue: {} sources reach {} of {} secrets, {} findings",
        analysis.graph.nodes.len(),
        analysis.graph.graph.edge_count(),
        summary.sources.len(),
        summary.targets_reached,
        summary.matching,
        summary.findings
    );
    group.bench_function(format!("what-can-reach-secrets/{name}"), |b| {
        b.iter(|| {
            let answer = Answer::new(analysis, black_box(&query)).expect("a valid query");
            answer.summary().findings
        })
    });
    if let Some(widest) = widest {
        group.bench_function(format!("what-can-reach-explain-widest/{name}"), |b| {
            b.iter(|| {
                let mut findings = 0;
                let _ = answer.for_each_of(&[widest], |_, f| {
                    findings += f.len();
                    Ok::<_, ()>(())
                });
                findings
            })
        });
    }
    if summary.findings < 1_000_000 {
        group.bench_function(format!("what-can-reach-json/{name}"), |b| {
            b.iter(|| {
                let mut sink = std::io::sink();
                answer.write_json(&mut sink).expect("a sink takes anything");
            })
        });
        group.bench_function(format!("blast-radius-all/{name}"), |b| {
            b.iter(|| all_sources(analysis, &[]).sources.len())
        });
    }
    let started = Instant::now();
    let widest_all = all_sources(analysis, &[]).sources[0].source.clone();
    println!(
        "{name}: blast-radius --all in {:.2} s",
        started.elapsed().as_secs_f64()
    );
    let node = analysis.graph.node_by_id(&widest_all).expect("a node");
    group.bench_function(format!("blast-radius-widest/{name}"), |b| {
        b.iter(|| blast_radius(analysis, black_box(node)).resources.len())
    });
}

fn queries(c: &mut Criterion) {
    let mut group = c.benchmark_group("query");
    group.sample_size(10);
    for (name, snapshot) in inputs() {
        let started = Instant::now();
        analyse(&snapshot, |analysis| {
            println!(
                "{name}: analysed in {:.1} s",
                started.elapsed().as_secs_f64()
            );
            bench_one(&mut group, &name, analysis);
        });
    }
    group.finish();
}

criterion_group!(benches, queries);
criterion_main!(benches);
