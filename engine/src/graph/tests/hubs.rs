//! Hub nodes change how assume-role edges are stored, never what they mean: the graph
//! with hubs and the graph without (the oracle, `GraphOptions::hubs` off) give every
//! node the same reachable sets, the same best paths with the same explanations, and
//! the same edges as users see them; hubs are never sources, identities or steps.

use super::fixture::*;
use crate::graph::reach::{shortest_paths, shortest_paths_in, SearchOrder};
use crate::graph::{analyse_with, Analysis, GraphOptions, NodeId, Status};
use crate::snapshot::Snapshot;
use crate::synth::{generate, SynthConfig};
use serde_json::json;

fn with_and_without_hubs(snapshot: &Snapshot, f: impl Fn(&Analysis<'_>, &Analysis<'_>)) {
    let off = GraphOptions {
        hubs: false,
        ..GraphOptions::default()
    };
    analyse_with(snapshot, &GraphOptions::default(), |hubs| {
        analyse_with(snapshot, &off, |oracle| {
            assert!(oracle.graph.hubs.is_empty());
            f(hubs, oracle)
        })
    });
}

/// (from, to, kind, status, explanation) of a step, as shown.
type Shown = (String, String, String, Status, String);

fn shown(a: &Analysis<'_>, step: &crate::graph::reach::Step) -> Shown {
    let edge = a.step_edge(step);
    (
        a.graph.node(step.from).id.clone(),
        a.graph.node(step.to).id.clone(),
        edge.kind.name(),
        edge.status.clone(),
        edge.explanation_text(),
    )
}

/// Every edge as users see it, in the order a graph without hubs adds them.
fn every_step(a: &Analysis<'_>) -> Vec<Shown> {
    let mut steps: Vec<_> = (0..a.graph.nodes.len() as NodeId)
        .flat_map(|n| a.graph.steps_from(n))
        .collect();
    steps.sort_by_key(|s| a.graph.step_order(s));
    steps.iter().map(|s| shown(a, s)).collect()
}

/// The claims of the module documentation, for one snapshot.
fn assert_same_answers(hubs: &Analysis<'_>, oracle: &Analysis<'_>) {
    let (g, o) = (&hubs.graph, &oracle.graph);
    assert_eq!(g.nodes, o.nodes);
    let real = g.nodes.len() as NodeId;
    assert_eq!(g.graph.node_count(), g.nodes.len() + g.hubs.len());
    // Reachable sets, both relations, never holding a hub.
    for n in 0..real {
        assert_eq!(hubs.reach.any.of(n), oracle.reach.any.of(n), "any of {n}");
        assert_eq!(
            hubs.reach.certain.of(n),
            oracle.reach.certain.of(n),
            "certain of {n}"
        );
        assert!(hubs.reach.any.of(n).max().is_none_or(|m| m < real));
    }
    // Hubs are no sources; administrators are unchanged.
    assert_eq!(
        g.sources(&[]).collect::<Vec<_>>(),
        o.sources(&[]).collect::<Vec<_>>()
    );
    assert!(g.sources(&[]).all(|s| !g.is_hub(s)));
    assert_eq!(hubs.admins.len(), oracle.admins.len());
    // Edges as users see them: the oracle's edges, in its order.
    let oracle_edges: Vec<Shown> = o
        .edges()
        .map(|(f, t, e)| {
            (
                o.node(f).id.clone(),
                o.node(t).id.clone(),
                e.kind.name(),
                e.status.clone(),
                e.explanation_text(),
            )
        })
        .collect();
    assert_eq!(every_step(hubs), oracle_edges);
    for n in 0..real {
        let mut into: Vec<Shown> = g.steps_to(n).iter().map(|s| shown(hubs, s)).collect();
        let mut expected: Vec<Shown> = o.steps_to(n).iter().map(|s| shown(oracle, s)).collect();
        into.sort();
        expected.sort();
        assert_eq!(into, expected, "steps into {n}");
    }
    // Best paths from every source, explained, by both searches.
    let order = SearchOrder::new(g);
    for source in g.sources(&[]) {
        let (with, without) = (shortest_paths(g, source), shortest_paths(o, source));
        let ordered = shortest_paths_in(&order, source);
        for n in 0..real {
            assert_eq!(with.cost(n), without.cost(n), "cost {source} -> {n}");
            let path = |a: &Analysis<'_>, tree: &crate::graph::reach::ShortestPaths| {
                tree.path(n)
                    .map(|p| p.iter().map(|s| shown(a, s)).collect::<Vec<_>>())
            };
            let expected = path(oracle, &without);
            assert_eq!(path(hubs, &with), expected, "path {source} -> {n}");
            assert_eq!(
                path(hubs, &ordered),
                expected,
                "ordered path {source} -> {n}"
            );
        }
    }
}

#[test]
fn a_synthetic_organization_has_hubs_and_the_same_answers() {
    for seed in [1, 6] {
        let config = SynthConfig::custom(3, 40, seed).expect("a valid size");
        let snapshot = generate(&config).expect("generated").snapshot;
        with_and_without_hubs(&snapshot, |hubs, oracle| {
            assert!(!hubs.graph.hubs.is_empty(), "seed {seed}: no hub");
            assert!(
                hubs.graph.graph.edge_count() < oracle.graph.graph.edge_count(),
                "seed {seed}: hubs save no edge"
            );
            assert_same_answers(hubs, oracle);
        });
    }
}

/// Account A: four users allowed `sts:AssumeRole` only with MFA (conditional), three
/// allowed outright, roles trusting the account (one only with MFA in its trust), a
/// role trusting one user by name as well as the account, and a role of account B
/// trusting A.
fn conditional_org() -> (Fixture, Vec<String>, Vec<String>, Vec<String>) {
    let mut f = Fixture::new();
    let mfa = json!({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]});
    let outright = allow(json!("sts:AssumeRole"), json!("*"));
    let conditional: Vec<String> = (0..4)
        .map(|i| f.user(A, &format!("mfa-{i}"), std::slice::from_ref(&mfa)))
        .collect();
    let certain: Vec<String> = (0..3)
        .map(|i| f.user(A, &format!("ops-{i}"), std::slice::from_ref(&outright)))
        .collect();
    let mut roles: Vec<String> = (0..3)
        .map(|i| {
            f.role(
                A,
                &format!("app-{i}"),
                trust_aws(A),
                &[allow(json!("s3:*"), json!("*"))],
            )
        })
        .collect();
    roles.push(f.role(
        A,
        "mfa-trust",
        json!({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":A},"Action":"sts:AssumeRole","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}),
        &[],
    ));
    roles.push(f.role(
        A,
        "named",
        json!({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":[A, certain[0].clone()]},"Action":"sts:AssumeRole"}]}),
        std::slice::from_ref(&outright),
    ));
    roles.push(f.role(B, "cross", trust_aws(A), &[]));
    (f, conditional, certain, roles)
}

#[test]
fn conditional_answers_stay_conditional_through_a_hub() {
    let (f, conditional, certain, roles) = conditional_org();
    with_and_without_hubs(&f.snapshot, |hubs, oracle| {
        assert!(!hubs.graph.hubs.is_empty());
        assert_same_answers(hubs, oracle);
        let app = node(hubs, &roles[0]);
        for user in &conditional {
            let u = node(hubs, user);
            assert!(hubs.reach.any.of(u).contains(app));
            assert!(!hubs.reach.certain.of(u).contains(app), "{user}");
            let tree = shortest_paths(&hubs.graph, u);
            let path = tree.path(app).expect("a path");
            assert_eq!(path.len(), 1, "one assume-role step, not two");
            let edge = hubs.step_edge(&path[0]);
            assert_eq!(edge.status.keys(), ["aws:multifactorauthpresent"]);
            assert!(edge
                .explanation_text()
                .starts_with(&format!("sts:AssumeRole on {} (same account)", roles[0])));
        }
        for user in &certain {
            let u = node(hubs, user);
            assert!(hubs.reach.certain.of(u).contains(app), "{user}");
            // The role trusting only with MFA is reached, conditionally.
            let mfa_trust = node(hubs, &roles[3]);
            assert!(hubs.reach.any.of(u).contains(mfa_trust));
            assert!(!hubs.reach.certain.of(u).contains(mfa_trust));
        }
    });
}

#[test]
fn hubs_are_never_sources_identities_or_steps() {
    let (f, ..) = conditional_org();
    with_and_without_hubs(&f.snapshot, |hubs, _| {
        let g = &hubs.graph;
        let real = g.nodes.len() as NodeId;
        let hub_nodes: Vec<NodeId> = (real..g.graph.node_count() as NodeId).collect();
        assert!(!hub_nodes.is_empty());
        assert!(hub_nodes.iter().all(|&h| g.is_hub(h)));
        for n in 0..real {
            assert!(!g.is_hub(n));
            for step in g.steps_from(n).iter().chain(&g.steps_to(n)) {
                assert!(step.from < real && step.to < real, "{step:?}");
            }
            let tree = shortest_paths(g, n);
            for &h in &hub_nodes {
                assert!(!hubs.reach.any.of(n).contains(h));
                assert!(!hubs.reach.certain.of(n).contains(h));
                assert!(!tree.reaches(h));
            }
        }
        assert!(g.by_id.values().all(|&n| n < real));
    });
}
