//! Prints how long each stage of `blast-radius --all` takes on a snapshot file, one
//! after the other, with the CPU time (user + sys) of each:
//! `cargo run --release -p blastgraph-benches --example br_phases -- FILE`
//! (`--access-only`: decode, compile and the access sets alone; `--rows-only`: skip the
//! JSON rendering). The graph, reachability and access sets come in the order
//! `Analysis::new` builds them for organizations of 100,000 principals and more (one
//! after the other; `--access-first` builds the access sets before the graph). Each
//! lap prints the resident set size after it and the peak so far.

use blastgraph_engine::graph::access::AccessIndex;
use blastgraph_engine::graph::admin::administrators;
use blastgraph_engine::graph::authz::interim::InterimAuthorizer;
use blastgraph_engine::graph::reach::Reachability;
use blastgraph_engine::graph::{Analysis, BlastGraph, GraphOptions, Model};
use blastgraph_engine::snapshot::format;
use blastgraph_query::blast_radius::all_sources;
use std::time::Instant;

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: br_phases SNAPSHOT_FILE");
    let flag = |name: &str| std::env::args().any(|a| a == name);
    let bytes = std::fs::read(&path).expect("readable snapshot");
    let started = Instant::now();
    let mut last = (Instant::now(), cpu_seconds());
    let mut lap = |what: &str| {
        let cpu = cpu_seconds();
        println!(
            "{what:<24} {:>8.3} s wall {:>8.3} s cpu  rss {:>6} MB  peak {:>6} MB",
            last.0.elapsed().as_secs_f64(),
            cpu - last.1,
            rss_mb(),
            peak_mb()
        );
        last = (Instant::now(), cpu);
    };
    let snapshot = format::decode(&bytes).expect("a snapshot");
    lap("decode");
    let model = Model::new(&snapshot);
    let authz = InterimAuthorizer::new(&snapshot, &model);
    lap("model + compile");
    let access_first = flag("--access-first") || flag("--access-only");
    let mut access = None;
    if access_first {
        access = Some(AccessIndex::build(&snapshot, &model, &authz));
        lap("access sets");
    }
    if flag("--access-only") {
        println!("  {} groups", access.map_or(0, |a| a.groups()));
        return;
    }
    let graph = BlastGraph::build(&snapshot, &model, &authz, &GraphOptions::default());
    lap("graph");
    println!(
        "  {} nodes, {} hubs, {} edges",
        graph.nodes.len(),
        graph.hubs.len(),
        graph.graph.edge_count()
    );
    let reach = Reachability::compute(&graph);
    lap("reachability");
    let access = access.unwrap_or_else(|| {
        let access = AccessIndex::build(&snapshot, &model, &authz);
        lap("access sets");
        access
    });
    let admins = administrators(&model, &authz, &graph, &reach);
    let analysis = Analysis {
        snapshot: &snapshot,
        model: &model,
        authz: &authz,
        graph,
        reach,
        access,
        admins,
    };
    lap("administrators");
    let all = all_sources(&analysis, &[]);
    lap("all_sources rows");
    println!("  {} rows", all.sources.len());
    if !flag("--rows-only") {
        let json = serde_json::to_string_pretty(&all).expect("serializable");
        lap("json");
        println!("  {} bytes", json.len());
    }
    println!(
        "total {:.3} s wall, {:.3} s cpu, peak rss {} MB",
        started.elapsed().as_secs_f64(),
        cpu_seconds(),
        peak_mb()
    );
}

/// User + system CPU time of the process so far, in seconds (Linux; 0 elsewhere).
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the parenthesized command name; utime and stime are the 14th and 15th.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok());
    match (ticks(11), ticks(12)) {
        (Some(user), Some(sys)) => (user + sys) / 100.0,
        _ => 0.0,
    }
}

fn status_mb(key: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(key))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .map_or(0, |kb| kb / 1024)
}

/// The resident set size now, in MB (Linux; 0 elsewhere).
fn rss_mb() -> u64 {
    status_mb("VmRSS:")
}

/// The peak resident set size, in MB (Linux; 0 elsewhere).
fn peak_mb() -> u64 {
    status_mb("VmHWM:")
}
