//! What-if simulations on the demo organization (`datasets/demo-org/`): ECScape on and
//! off, a move to Fargate, IMDS hop limit 1, and the determinism of the delta.

use blastgraph_engine::graph::analyse_with;
use blastgraph_engine::simulate::{apply, Change, ImdsSetting, SimulationOptions};
use blastgraph_engine::snapshot::{NetworkMode, Snapshot};
use blastgraph_query::ci::delta::{compare_reach, Delta};
use blastgraph_query::ci::from_graph::Paths;
use blastgraph_tests::demo_org::{
    self, CONTAINER_INSTANCE, EXECUTION_ROLE, FRONTEND, FRONTEND_ROLE, INSTANCE_ROLE, PAYMENTS,
    PAYMENTS_ROLE, SECRET,
};
use std::collections::BTreeSet;

fn simulate_on(snapshot: &Snapshot, changes: &[Change]) -> Delta {
    let before = demo_org::reach(snapshot, &SimulationOptions::default(), Paths::Explained);
    let simulation = apply(snapshot, changes).expect("the changes apply");
    let after = demo_org::reach(&simulation.snapshot, &simulation.options, Paths::Explained);
    compare_reach(&before, &after, None)
}

/// The (source, identity) pairs of removed identity findings.
fn removed_identities(delta: &Delta) -> BTreeSet<(&str, &str)> {
    delta
        .removed
        .iter()
        .filter(|f| f.target.starts_with("arn:aws:iam::") && f.actions.is_empty())
        .filter(|f| f.target.contains(":role/") || f.target.contains(":user/"))
        .map(|f| (f.source.as_str(), f.target.as_str()))
        .collect()
}

#[test]
fn ecscape_off_removes_exactly_the_task_to_task_paths() {
    let delta = simulate_on(
        &demo_org::snapshot(),
        &[Change::Ecscape {
            enabled: false,
            cluster: Some("prod-ec2".into()),
        }],
    );
    assert!(delta.added.is_empty(), "{:#?}", delta.added);
    let expected: BTreeSet<(&str, &str)> = [
        (FRONTEND, PAYMENTS_ROLE),
        (FRONTEND, EXECUTION_ROLE),
        (PAYMENTS, FRONTEND_ROLE),
        (PAYMENTS, EXECUTION_ROLE),
        (INSTANCE_ROLE, FRONTEND_ROLE),
        (INSTANCE_ROLE, PAYMENTS_ROLE),
        (INSTANCE_ROLE, EXECUTION_ROLE),
    ]
    .into();
    assert_eq!(removed_identities(&delta), expected);
    // The frontend loses the payments secret it reached through ECScape, explained by
    // the path it had before.
    let secret = delta
        .removed
        .iter()
        .find(|f| f.source == FRONTEND && f.target == SECRET)
        .expect("the secret is no longer reachable from the frontend");
    assert!(
        secret.path.iter().any(|s| s.edge == "ecscape"),
        "{secret:#?}"
    );
    // The container instance itself still holds every placed task's credentials.
    assert!(delta.removed.iter().all(|f| f.source != CONTAINER_INSTANCE));
}

#[test]
fn ecscape_on_again_restores_the_baseline() {
    let delta = simulate_on(
        &demo_org::snapshot(),
        &[
            Change::Ecscape {
                enabled: false,
                cluster: None,
            },
            Change::Ecscape {
                enabled: true,
                cluster: Some("prod-ec2".into()),
            },
        ],
    );
    assert!(
        delta.added.is_empty() && delta.removed.is_empty(),
        "{delta:#?}"
    );
}

#[test]
fn moving_the_ec2_cluster_to_fargate_removes_the_shared_host_paths() {
    let delta = simulate_on(
        &demo_org::snapshot(),
        &[Change::Fargate {
            cluster: "prod-ec2".into(),
        }],
    );
    assert!(delta.added.is_empty(), "{:#?}", delta.added);
    let removed = removed_identities(&delta);
    for pair in [
        (FRONTEND, INSTANCE_ROLE),
        (FRONTEND, PAYMENTS_ROLE),
        (PAYMENTS, INSTANCE_ROLE),
        (PAYMENTS, FRONTEND_ROLE),
        (CONTAINER_INSTANCE, FRONTEND_ROLE),
        (CONTAINER_INSTANCE, PAYMENTS_ROLE),
        (INSTANCE_ROLE, PAYMENTS_ROLE),
    ] {
        assert!(
            removed.contains(&pair),
            "{pair:?} not removed: {removed:#?}"
        );
    }
    // Each task keeps its own role; the instance keeps its own.
    assert!(!removed.contains(&(FRONTEND, FRONTEND_ROLE)));
    assert!(!removed.contains(&(PAYMENTS, PAYMENTS_ROLE)));
    assert!(!removed.contains(&(CONTAINER_INSTANCE, INSTANCE_ROLE)));
}

#[test]
fn imds_hop_limit_one_cuts_bridge_tasks_but_not_host_mode_ones() {
    // Make payments:7 a host-network task; frontend:3 stays in bridge mode.
    let mut snapshot = demo_org::snapshot();
    let payments = snapshot
        .accounts
        .iter_mut()
        .flat_map(|a| &mut a.compute.task_definitions)
        .find(|t| t.arn == PAYMENTS)
        .expect("payments:7 is in the demo");
    payments.network_mode = NetworkMode::Host;
    let delta = simulate_on(
        &snapshot,
        &[Change::Imds {
            setting: ImdsSetting::V2Hop1,
            instances: vec!["i-0ec5a1b2c3d4e5f60".into()],
        }],
    );
    assert!(delta.added.is_empty(), "{:#?}", delta.added);
    let removed = removed_identities(&delta);
    assert!(removed.contains(&(FRONTEND, INSTANCE_ROLE)), "{removed:#?}");
    assert!(removed.contains(&(FRONTEND, PAYMENTS_ROLE)), "{removed:#?}");
    assert!(
        removed.iter().all(|(source, _)| *source == FRONTEND),
        "only the bridge task loses paths: {removed:#?}"
    );
}

#[test]
fn awsvpc_and_bridge_tasks_lose_the_node_role_at_hop_limit_one() {
    // frontend:3 in awsvpc mode, payments:7 in bridge mode (as in the demo).
    let mut snapshot = demo_org::snapshot();
    let frontend = snapshot
        .accounts
        .iter_mut()
        .flat_map(|a| &mut a.compute.task_definitions)
        .find(|t| t.arn == FRONTEND)
        .expect("frontend:3 is in the demo");
    frontend.network_mode = NetworkMode::Awsvpc;
    let delta = simulate_on(
        &snapshot,
        &[Change::Imds {
            setting: ImdsSetting::V2Hop1,
            instances: vec!["i-0ec5a1b2c3d4e5f60".into()],
        }],
    );
    let removed = removed_identities(&delta);
    assert!(removed.contains(&(FRONTEND, INSTANCE_ROLE)));
    assert!(removed.contains(&(PAYMENTS, INSTANCE_ROLE)));
}

#[test]
fn two_simulations_give_byte_identical_json() {
    let changes = [Change::Fargate {
        cluster: "prod-ec2".into(),
    }];
    let a = simulate_on(&demo_org::snapshot(), &changes).to_json();
    let b = simulate_on(&demo_org::snapshot(), &changes).to_json();
    assert_eq!(a, b);
}

/// The delta computed on the sources that reach a touched principal only.
fn restricted_delta(snapshot: &Snapshot, changes: &[Change]) -> (Delta, usize) {
    use blastgraph_query::ci::from_graph::{affected_sources, org_reach_of};
    let simulation = apply(snapshot, changes).expect("the changes apply");
    let touched = simulation.touched.clone().expect("IAM-local changes");
    let defaults = SimulationOptions::default();
    let (before, ids) = analyse_with(snapshot, &defaults.graph_options(), |analysis| {
        let sources = affected_sources(analysis, &touched).expect("touched principals exist");
        let ids: Vec<String> = sources
            .iter()
            .map(|&n| analysis.graph.node(n).id.clone())
            .collect();
        (org_reach_of(analysis, &sources, Paths::Explained), ids)
    });
    let after = analyse_with(
        &simulation.snapshot,
        &simulation.options.graph_options(),
        |analysis| {
            let sources: Vec<_> = ids
                .iter()
                .filter_map(|id| analysis.graph.node_by_id(id))
                .collect();
            org_reach_of(analysis, &sources, Paths::Explained)
        },
    );
    (compare_reach(&before, &after, None), ids.len())
}

#[test]
fn recomputing_only_the_sources_that_reach_a_touched_principal_gives_the_full_delta() {
    let snapshot = demo_org::snapshot();
    let all_sources = demo_org::reach(&snapshot, &SimulationOptions::default(), Paths::Explained)
        .sources
        .len();
    let cases = vec![
        vec![Change::Detach {
            policy: "arn:aws:iam::222222222222:policy/payments-secrets-read".into(),
            from: PAYMENTS_ROLE.into(),
        }],
        vec![Change::AddStatement {
            document: serde_json::json!({"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "*"}),
            to: "arn:aws:iam::222222222222:role/reporting-task".into(),
        }],
        vec![Change::RemoveTrust {
            role: "arn:aws:iam::222222222222:role/deploy".into(),
            principal: Some("arn:aws:iam::333333333333:role/ci-runner".into()),
        }],
        vec![Change::RemovePolicy {
            arn: "arn:aws:iam::aws:policy/AdministratorAccess".into(),
        }],
        vec![Change::AddStatement {
            document: serde_json::json!({"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "*"}),
            to: "group/org-admins".into(),
        }],
    ];
    let mut smaller = 0;
    for changes in cases {
        let full = simulate_on(&snapshot, &changes);
        let (restricted, recomputed) = restricted_delta(&snapshot, &changes);
        assert_eq!(restricted.added, full.added, "{changes:?}");
        assert_eq!(restricted.removed, full.removed, "{changes:?}");
        assert_eq!(restricted.sources, full.sources, "{changes:?}");
        assert!(
            !full.added.is_empty() || !full.removed.is_empty(),
            "{changes:?} changes something"
        );
        if recomputed < all_sources {
            smaller += 1;
        }
    }
    assert!(smaller >= 3, "the restriction leaves sources out");
}

/// The delta as `blastgraph simulate` computes it: both sides' reach without paths,
/// compared as sets, then the added findings explained on the after analysis and the
/// removed ones on the before analysis (the after side built incrementally).
fn simulate_by_sets(snapshot: &Snapshot, changes: &[Change], limit: Option<usize>) -> Delta {
    use blastgraph_engine::simulate::incremental::analyse_after;
    use blastgraph_query::ci::explain::explained_delta;
    use blastgraph_query::ci::from_graph::org_reach;
    let simulation = apply(snapshot, changes).expect("the changes apply");
    let defaults = SimulationOptions::default().graph_options();
    analyse_with(snapshot, &defaults, |before| {
        let before_reach = org_reach(before, Paths::Omitted);
        let options = simulation.options.graph_options();
        analyse_after(before, &simulation.snapshot, &options, |after, _| {
            let after_reach = org_reach(after, Paths::Omitted);
            explained_delta(before, before_reach, after, after_reach, None, limit)
        })
    })
}

#[test]
fn comparing_sets_then_explaining_gives_the_delta_of_explained_reaches() {
    let snapshot = demo_org::snapshot();
    let cases = vec![
        vec![Change::Ecscape {
            enabled: false,
            cluster: Some("prod-ec2".into()),
        }],
        vec![Change::Fargate {
            cluster: "prod-ec2".into(),
        }],
        vec![Change::Imds {
            setting: ImdsSetting::V2Hop1,
            instances: vec!["i-0ec5a1b2c3d4e5f60".into()],
        }],
        vec![Change::Imds {
            setting: ImdsSetting::V1,
            instances: Vec::new(),
        }],
        vec![Change::Detach {
            policy: "arn:aws:iam::222222222222:policy/payments-secrets-read".into(),
            from: PAYMENTS_ROLE.into(),
        }],
        vec![Change::AddStatement {
            document: serde_json::json!({"Effect": "Allow", "Action": ["iam:PassRole", "ec2:RunInstances"], "Resource": "*"}),
            to: "arn:aws:iam::222222222222:role/reporting-task".into(),
        }],
        vec![Change::RemoveTrust {
            role: "arn:aws:iam::222222222222:role/deploy".into(),
            principal: None,
        }],
        vec![Change::RemovePolicy {
            arn: "arn:aws:iam::aws:policy/AdministratorAccess".into(),
        }],
    ];
    for changes in cases {
        let expected = simulate_on(&snapshot, &changes);
        assert!(
            !expected.added.is_empty() || !expected.removed.is_empty(),
            "{changes:?} changes something"
        );
        assert_eq!(
            simulate_by_sets(&snapshot, &changes, None),
            expected,
            "{changes:?}"
        );
        // A limit lists the first findings and counts the rest; the rows stay whole.
        let limited = simulate_by_sets(&snapshot, &changes, Some(2));
        let first = |list: &[blastgraph_query::report::Finding]| list[..list.len().min(2)].to_vec();
        assert_eq!(limited.added, first(&expected.added), "{changes:?}");
        assert_eq!(limited.removed, first(&expected.removed), "{changes:?}");
        assert_eq!(limited.sources, expected.sources);
        let unlisted = limited.unlisted.unwrap_or_default();
        let total = unlisted.added
            + unlisted.removed
            + (limited.added.len() + limited.removed.len()) as u64;
        assert_eq!(
            total,
            (expected.added.len() + expected.removed.len()) as u64
        );
    }
}
