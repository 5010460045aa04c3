//! Prints how long each stage of the graph analysis takes on a snapshot file:
//! `cargo run --release -p blastgraph-benches --example graph_phases -- FILE`
//! (`--access-only`: the access sets alone, for profiling them).

use blastgraph_engine::graph::access::{layer_classes, AccessIndex};
use blastgraph_engine::graph::admin::administrators;
use blastgraph_engine::graph::authz::interim::InterimAuthorizer;
use blastgraph_engine::graph::reach::Reachability;
use blastgraph_engine::graph::{BlastGraph, GraphOptions, Model};
use blastgraph_engine::snapshot::format;
use std::time::Instant;

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: graph_phases SNAPSHOT_FILE");
    let bytes = std::fs::read(&path).expect("readable snapshot");
    let started = Instant::now();
    let mut last = Instant::now();
    let mut lap = |what: &str| {
        println!(
            "{what:<24} {:>8.3} s  rss {:>6} MB",
            last.elapsed().as_secs_f64(),
            rss_mb()
        );
        last = Instant::now();
    };
    let snapshot = format::decode(&bytes).expect("a snapshot");
    lap("decode");
    let model = Model::new(&snapshot);
    lap("model");
    let authz = InterimAuthorizer::new(&snapshot, &model);
    lap("compile policies");
    {
        use blastgraph_engine::graph::authz::Authorizer;
        let keys: std::collections::HashSet<Vec<u32>> = (0..model.principals.len() as u32)
            .map(|p| authz.equivalence_key(p))
            .collect();
        let mut specific = 0;
        let mut with_policy = 0;
        for account in &snapshot.accounts {
            for r in &account.resources {
                if let Some(doc) = r.policy {
                    with_policy += 1;
                    if authz.resource_policy_principals(doc).principal_specific {
                        specific += 1;
                    }
                }
            }
        }
        println!(
            "  {} principals in {} evaluation groups; {with_policy} resource policies, {specific} principal-specific",
            model.principals.len(),
            keys.len()
        );
        if std::env::args().any(|a| a == "--counts") {
            return;
        }
    }
    lap("counts (not a phase)");
    if std::env::args().any(|a| a == "--access-only") {
        let access = AccessIndex::build(&snapshot, &model, &authz);
        lap("access sets");
        println!("  {} groups", access.groups());
        return;
    }
    let graph = BlastGraph::build(&snapshot, &model, &authz, &GraphOptions::default());
    lap("graph");
    println!(
        "  {} nodes, {} hubs, {} edges (hub edges included)",
        graph.nodes.len(),
        graph.hubs.len(),
        graph.graph.edge_count()
    );
    {
        let mut by_family: std::collections::BTreeMap<&str, (usize, usize)> = Default::default();
        for (_, _, edge) in graph.edges() {
            let entry = by_family.entry(edge.kind.family()).or_default();
            entry.0 += 1;
            entry.1 += edge.explanation.len();
        }
        for (family, (count, bytes)) in by_family {
            println!("    {family:<14} {count:>9} edges, {bytes:>11} explanation bytes");
        }
    }
    let reach = Reachability::compute(&graph);
    lap("reachability");
    for (name, relation) in [("any", &reach.any), ("certain", &reach.certain)] {
        let components = relation.components();
        let mut seen = std::collections::HashSet::new();
        let (members, bytes) = (0..graph.nodes.len() as u32)
            .filter(|&n| seen.insert(relation.component_of(n)))
            .map(|n| relation.of(n))
            .fold((0u64, 0u64), |(m, b), set| {
                (m + set.len(), b + set.serialized_size() as u64)
            });
        println!("  {name}: {components} components, {members} reachable members ({bytes} bytes serialized)");
    }
    let access = AccessIndex::build(&snapshot, &model, &authz);
    lap("access sets");
    println!(
        "  {} groups, {} resources",
        access.groups(),
        access.resources.len()
    );
    {
        let groups = 0..access.groups();
        let own: u64 = groups
            .clone()
            .map(|g| access.own_allowed[g].len() + access.own_conditional[g].len())
            .sum();
        let layered: u64 = groups
            .clone()
            .map(|g| {
                let mask = access.allowed_layers[g] | access.conditional_layers[g];
                layer_classes(mask)
                    .map(|c| access.layers[c].len())
                    .sum::<u64>()
            })
            .sum();
        let references: u32 = groups
            .clone()
            .map(|g| (access.allowed_layers[g] | access.conditional_layers[g]).count_ones())
            .sum();
        let bytes: u64 = access
            .own_allowed
            .iter()
            .chain(&access.own_conditional)
            .chain(&access.layers)
            .map(|b| b.serialized_size() as u64)
            .sum();
        let mut rep_of = vec![u32::MAX; access.groups()];
        for (p, &g) in access.group_of.iter().enumerate().rev() {
            rep_of[g as usize] = p as u32;
        }
        let foreign: u64 = groups
            .map(|g| {
                (&*access.allowed(g) | &*access.conditional(g))
                    .iter()
                    .filter(|&p| {
                        let (r, _) = blastgraph_engine::graph::access::unpair(p);
                        model.account_id(rep_of[g]) != access.resources[r as usize].account
                    })
                    .count() as u64
            })
            .take(if std::env::args().any(|a| a == "--foreign") {
                usize::MAX
            } else {
                0
            })
            .sum();
        println!(
            "  {} pairs: {own} own, {layered} through {references} references to {} shared layers ({bytes} bytes serialized), {foreign} on other accounts' resources (--foreign)",
            own + layered,
            access.layers.iter().filter(|l| !l.is_empty()).count()
        );
    }
    let admins = administrators(&model, &authz, &graph, &reach);
    lap("administrators");
    println!(
        "  {} administrators",
        admins.iter().filter(|a| a.is_some()).count()
    );
    println!("total {:.3} s", started.elapsed().as_secs_f64());
}

/// The resident set size now, in MB (Linux; 0 elsewhere).
fn rss_mb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .map_or(0, |kb| kb / 1024)
}
