//! A one-policy what-if simulation, three ways: recomputing every source's reach before
//! and after (`full`); recomputing only the sources that reach the touched principal
//! with a full analysis of each side (`restricted`), both explaining every finding of
//! both sides; and what `blastgraph simulate` does (`incremental`): the same sources with
//! the after analysis built from the before one (`engine::simulate::incremental`), both
//! sides' reach as sets, and only the findings that changed explained. Also the after analysis alone, incremental against
//! full (`after-side/...`). Default profile: small (`BLASTGRAPH_BENCH_PROFILES`).

use blastgraph_benches::{input, profiles_or};
use blastgraph_engine::graph::analyse_with;
use blastgraph_engine::simulate::incremental::analyse_after;
use blastgraph_engine::simulate::{apply, Change, SimulationOptions};
use blastgraph_engine::snapshot::Snapshot;
use blastgraph_query::ci::delta::compare_reach;
use blastgraph_query::ci::explain::explained_delta;
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

fn incremental(snapshot: &Snapshot, changes: &[Change]) -> usize {
    let simulation = apply(snapshot, changes).expect("applies");
    let touched = simulation.touched.clone().expect("an IAM-local change");
    let options = SimulationOptions::default().graph_options();
    let delta = analyse_with(snapshot, &options, |a| {
        let sources = affected_sources(a, &touched).expect("touched principals exist");
        let ids: Vec<String> = sources
            .iter()
            .map(|&n| a.graph.node(n).id.clone())
            .collect();
        let before = org_reach_of(a, &sources, Paths::Omitted);
        analyse_after(
            a,
            &simulation.snapshot,
            &simulation.options.graph_options(),
            |b, _| {
                let sources: Vec<_> = ids.iter().filter_map(|id| b.graph.node_by_id(id)).collect();
                let after = org_reach_of(b, &sources, Paths::Omitted);
                explained_delta(a, before, b, after, None, None)
            },
        )
    });
    delta.added.len() + delta.removed.len()
}

/// The after analysis alone: built from the before one, or in full.
fn after_side(c: &mut Criterion, name: &str, snapshot: &Snapshot, changes: &[Change]) {
    let simulation = apply(snapshot, changes).expect("applies");
    let options = simulation.options.graph_options();
    let mut group = c.benchmark_group("simulate/after-side");
    group.sample_size(10);
    analyse_with(snapshot, &Default::default(), |before| {
        group.bench_function(format!("{name}/incremental"), |b| {
            b.iter(|| {
                analyse_after(before, &simulation.snapshot, &options, |a, _| {
                    black_box(a.graph.graph.edge_count())
                })
            })
        });
    });
    group.bench_function(format!("{name}/full"), |b| {
        b.iter(|| {
            analyse_with(&simulation.snapshot, &options, |a| {
                black_box(a.graph.graph.edge_count())
            })
        })
    });
    group.finish();
}

fn simulate(c: &mut Criterion) {
    let mut group = c.benchmark_group("simulate/one-policy");
    group.sample_size(10);
    let profiles = profiles_or("small");
    for &profile in &profiles {
        let input = input(profile);
        let changes = [one_policy_change(&input.snapshot)];
        println!("change: {}", changes[0]);
        let expected = full(&input.snapshot, &changes);
        assert_eq!(
            expected,
            restricted(&input.snapshot, &changes),
            "both give the same delta"
        );
        assert_eq!(
            expected,
            incremental(&input.snapshot, &changes),
            "the incremental after side gives the same delta"
        );
        group.bench_function(format!("{}/full", profile.name()), |b| {
            b.iter(|| black_box(full(&input.snapshot, &changes)))
        });
        group.bench_function(format!("{}/restricted", profile.name()), |b| {
            b.iter(|| black_box(restricted(&input.snapshot, &changes)))
        });
        group.bench_function(format!("{}/incremental", profile.name()), |b| {
            b.iter(|| black_box(incremental(&input.snapshot, &changes)))
        });
    }
    group.finish();
    for profile in profiles {
        let input = input(profile);
        let ecscape_off = [Change::Ecscape {
            enabled: false,
            cluster: None,
        }];
        after_side(
            c,
            &format!("{}/one-policy", profile.name()),
            &input.snapshot,
            &[one_policy_change(&input.snapshot)],
        );
        after_side(
            c,
            &format!("{}/ecscape-off", profile.name()),
            &input.snapshot,
            &ecscape_off,
        );
    }
}

criterion_group!(benches, simulate);
criterion_main!(benches);
