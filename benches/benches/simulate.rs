//! A one-policy what-if simulation: recomputing every source's reach before and after,
//! against recomputing only the sources that reach the touched principal (what
//! `blastgraph simulate` does for IAM-local changes). The graph itself is rebuilt in
//! both: the engine has no incremental graph update yet.

use blastgraph_benches::{input, profiles};
use blastgraph_engine::graph::analyse_with;
use blastgraph_engine::simulate::{apply, Change, SimulationOptions};
use blastgraph_engine::snapshot::Snapshot;
use blastgraph_query::ci::delta::compare_reach;
use blastgraph_query::ci::from_graph::{affected_sources, org_reach, org_reach_of, Paths};
use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;

/// Detach the first customer managed policy attached to a role.
fn one_policy_change(snapshot: &Snapshot) -> Change {
    snapshot
        .accounts
        .iter()
        .flat_map(|a| &a.iam.roles)
        .find_map(|role| {
            role.attached_policies
                .iter()
                .find(|p| !p.starts_with("arn:aws:iam::aws:"))
                .map(|policy| Change::Detach {
                    policy: policy.clone(),
                    from: role.arn.clone(),
                })
        })
        .expect("the synthetic org attaches customer managed policies")
}

fn full(snapshot: &Snapshot, changes: &[Change]) -> usize {
    let simulation = apply(snapshot, changes).expect("applies");
    let options = SimulationOptions::default().graph_options();
    let before = analyse_with(snapshot, &options, |a| org_reach(a, Paths::Explained));
    let after = analyse_with(
        &simulation.snapshot,
        &simulation.options.graph_options(),
        |a| org_reach(a, Paths::Explained),
    );
    let delta = compare_reach(&before, &after, None);
    delta.added.len() + delta.removed.len()
}

fn restricted(snapshot: &Snapshot, changes: &[Change]) -> usize {
    let simulation = apply(snapshot, changes).expect("applies");
    let touched = simulation.touched.clone().expect("an IAM-local change");
    let options = SimulationOptions::default().graph_options();
    let (before, ids) = analyse_with(snapshot, &options, |a| {
        let sources = affected_sources(a, &touched).expect("touched principals exist");
        let ids: Vec<String> = sources
            .iter()
            .map(|&n| a.graph.node(n).id.clone())
            .collect();
        (org_reach_of(a, &sources, Paths::Explained), ids)
    });
    let after = analyse_with(
        &simulation.snapshot,
        &simulation.options.graph_options(),
        |a| {
            let sources: Vec<_> = ids.iter().filter_map(|id| a.graph.node_by_id(id)).collect();
            org_reach_of(a, &sources, Paths::Explained)
        },
    );
    let delta = compare_reach(&before, &after, None);
    delta.added.len() + delta.removed.len()
}

fn simulate(c: &mut Criterion) {
    let mut group = c.benchmark_group("simulate/one-policy");
    group.sample_size(10);
    for profile in profiles() {
        let input = input(profile);
        let changes = [one_policy_change(&input.snapshot)];
        println!("change: {}", changes[0]);
        assert_eq!(
            full(&input.snapshot, &changes),
            restricted(&input.snapshot, &changes),
            "both give the same delta"
        );
        group.bench_function(format!("{}/full", profile.name()), |b| {
            b.iter(|| black_box(full(&input.snapshot, &changes)))
        });
        group.bench_function(format!("{}/restricted", profile.name()), |b| {
            b.iter(|| black_box(restricted(&input.snapshot, &changes)))
        });
    }
    group.finish();
}

criterion_group!(benches, simulate);
criterion_main!(benches);
