//! Prints how long each part of `what-can-reach ACTION` (by default
//! `secretsmanager:GetSecretValue`) takes on an analysed snapshot file:
//! `cargo run --release -p blastgraph-benches --example wcr_phases -- FILE [ROUNDS [ACTION]]`.

use blastgraph_engine::graph::analyse;
use blastgraph_engine::snapshot::format;
use blastgraph_query::what_can_reach::{Answer, WhatCanReachQuery};
use std::time::Instant;

/// The allocator of the `blastgraph` binary, so the figures are those of a query as
/// users run it.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: wcr_phases SNAPSHOT_FILE [ROUNDS [ACTION]]");
    let rounds: usize = std::env::args()
        .nth(2)
        .map_or(5, |r| r.parse().expect("a number of rounds"));
    let action = std::env::args()
        .nth(3)
        .unwrap_or_else(|| "secretsmanager:GetSecretValue".into());
    let bytes = std::fs::read(&path).expect("readable snapshot");
    let snapshot = format::decode(&bytes).expect("a snapshot");
    let query = WhatCanReachQuery {
        action_pattern: action,
        on: None,
        from: Vec::new(),
    };
    analyse(&snapshot, |analysis| {
        let cpu_before = cpu_seconds();
        let wall_before = Instant::now();
        for _ in 0..rounds {
            let started = Instant::now();
            let answer = Answer::new(analysis, &query).expect("a valid query");
            let hits = started.elapsed();
            let summary = answer.summary();
            let total = started.elapsed();
            println!(
                "answer (hits) {:>7.1} ms, summary {:>7.1} ms, total {:>7.1} ms ({} findings)",
                hits.as_secs_f64() * 1e3,
                (total - hits).as_secs_f64() * 1e3,
                total.as_secs_f64() * 1e3,
                summary.findings
            );
        }
        println!(
            "per round: {:.1} ms wall, {:.1} ms CPU (user + sys, all threads)",
            wall_before.elapsed().as_secs_f64() * 1e3 / rounds as f64,
            (cpu_seconds() - cpu_before) * 1e3 / rounds as f64
        );
    });
}

/// This process's CPU time so far (user + system, every thread), from `/proc`.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").expect("/proc/self/stat");
    // The fields after the command name (which may hold spaces) start after ')'.
    let fields: Vec<&str> = stat[stat.rfind(')').expect("a stat line") + 2..]
        .split(' ')
        .collect();
    let ticks: f64 =
        fields[11].parse::<f64>().expect("utime") + fields[12].parse::<f64>().expect("stime");
    ticks / 100.0
}
