//! The blast-radius graph on a synthetic organization of 100 accounts x 200 roles
//! (20,000 roles, override with `BLASTGRAPH_BENCH_GRAPH=ACCOUNTSxROLES`):
//!
//! * `graph/build`: IAM model, policy compilation and every edge;
//! * `graph/analysis`: the above plus access sets, reachability of every node and
//!   administrators: everything the queries read;
//! * `graph/blast-radius-all`: one summary row per source, on a built analysis;
//! * `graph/full-blast-radius`: analysis plus every source's summary (the issue's < 5 s);
//! * `graph/what-can-reach`: `what-can-reach secretsmanager:GetSecretValue` and a
//!   concrete action outside the classes, on a built analysis (the issue's < 100 ms):
//!   every source's hits and the counts the table shows, without a path per finding.
//!
//! Peak memory (VmHWM) is printed at the end.

use blastgraph_engine::graph::authz::interim::InterimAuthorizer;
use blastgraph_engine::graph::{Analysis, BlastGraph, GraphOptions, Model};
use blastgraph_engine::snapshot::Snapshot;
use blastgraph_engine::synth::{self, Counts, SynthConfig};
use blastgraph_query::blast_radius::all_sources;
use blastgraph_query::what_can_reach::{Answer, WhatCanReachQuery};
use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;

fn size() -> (usize, usize) {
    let spec = std::env::var("BLASTGRAPH_BENCH_GRAPH").unwrap_or_else(|_| "100x200".into());
    let (a, r) = spec
        .split_once('x')
        .expect("BLASTGRAPH_BENCH_GRAPH is ACCOUNTSxROLES");
    (
        a.parse().expect("accounts"),
        r.parse().expect("roles per account"),
    )
}

fn snapshot() -> Snapshot {
    let (accounts, roles) = size();
    let config =
        SynthConfig::custom(accounts, roles, blastgraph_benches::BENCH_SEED).expect("a valid size");
    let snapshot = synth::generate(&config)
        .expect("valid configuration")
        .snapshot;
    println!("input {accounts}x{roles}: {}", Counts::of(&snapshot));
    snapshot
}

fn peak_memory_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn graph(c: &mut Criterion) {
    let snapshot = snapshot();
    let options = GraphOptions::default();
    let mut group = c.benchmark_group("graph");
    group.sample_size(10);
    group.bench_function("build", |b| {
        b.iter(|| {
            let model = Model::new(&snapshot);
            let authz = InterimAuthorizer::new(&snapshot, &model);
            black_box(
                BlastGraph::build(&snapshot, &model, &authz, &options)
                    .nodes
                    .len(),
            )
        })
    });
    group.bench_function("analysis", |b| {
        b.iter(|| {
            let model = Model::new(&snapshot);
            let authz = InterimAuthorizer::new(&snapshot, &model);
            black_box(
                Analysis::new(&snapshot, &model, &authz, &options)
                    .graph
                    .nodes
                    .len(),
            )
        })
    });
    group.bench_function("full-blast-radius", |b| {
        b.iter(|| {
            let model = Model::new(&snapshot);
            let authz = InterimAuthorizer::new(&snapshot, &model);
            let analysis = Analysis::new(&snapshot, &model, &authz, &options);
            black_box(all_sources(&analysis, &[]).sources.len())
        })
    });
    let model = Model::new(&snapshot);
    let authz = InterimAuthorizer::new(&snapshot, &model);
    let analysis = Analysis::new(&snapshot, &model, &authz, &options);
    println!(
        "graph: {} nodes, {} edges, {} access groups, {} indexed resources",
        analysis.graph.nodes.len(),
        analysis.graph.graph.edge_count(),
        analysis.access.groups(),
        analysis.access.resources.len()
    );
    group.bench_function("blast-radius-all", |b| {
        b.iter(|| black_box(all_sources(&analysis, &[]).sources.len()))
    });
    for action in ["secretsmanager:GetSecretValue", "sqs:SendMessage"] {
        let query = WhatCanReachQuery {
            action_pattern: action.into(),
            ..WhatCanReachQuery::default()
        };
        // The answer as the CLI's table needs it (hits and summary counts): materializing
        // every finding with its path is the JSON contract, 131 M findings here, which
        // does not fit in memory (the `query` bench explains the widest source instead).
        let findings = Answer::new(&analysis, &query)
            .expect("valid")
            .summary()
            .findings;
        println!("what-can-reach {action}: {findings} findings");
        group.bench_function(format!("what-can-reach/{action}"), |b| {
            b.iter(|| {
                black_box(
                    Answer::new(&analysis, &query)
                        .expect("valid")
                        .summary()
                        .findings,
                )
            })
        });
    }
    group.finish();
    if let Some(mb) = peak_memory_mb() {
        println!("peak memory (VmHWM): {mb:.0} MB");
    }
}

criterion_group!(benches, graph);
criterion_main!(benches);
