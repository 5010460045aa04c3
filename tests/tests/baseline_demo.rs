//! Baselines on real analyses: a baseline written from the demo organization reads back
//! to the same bytes and accepts the same snapshot; with ECScape off in the baseline,
//! turning it on is growth (the task-to-task paths and the secret), explained.

use blastgraph_engine::graph::analyse_with;
use blastgraph_engine::simulate::{apply, Change, SimulationOptions};
use blastgraph_engine::snapshot::Snapshot;
use blastgraph_query::ci::baseline::Baseline;
use blastgraph_query::ci::from_graph::{explain, org_reach, Paths};
use blastgraph_query::report::ReportItem;
use blastgraph_tests::demo_org::{self, FRONTEND, PAYMENTS_ROLE, SECRET};

/// Growth of `current` over `baseline`, explained on `current`.
fn growth(
    baseline: &Baseline,
    snapshot: &Snapshot,
    options: &SimulationOptions,
) -> Vec<ReportItem> {
    analyse_with(snapshot, &options.graph_options(), |analysis| {
        let mut items = baseline.growth(&org_reach(analysis, Paths::Omitted));
        explain(analysis, &mut items);
        items
    })
}

#[test]
fn a_baseline_round_trips_and_accepts_its_own_snapshot() {
    let snapshot = demo_org::snapshot();
    let options = SimulationOptions::default();
    let baseline = Baseline::from_reach(&demo_org::reach(&snapshot, &options, Paths::Omitted));
    let text = baseline.to_json();
    let back = Baseline::parse(&text).expect("a written baseline reads back");
    assert_eq!(back, baseline);
    assert_eq!(back.to_json(), text);
    assert!(!baseline.identities.is_empty() && !baseline.resources.is_empty());
    assert!(growth(&back, &snapshot, &options).is_empty());
}

#[test]
fn ecscape_turned_on_grows_past_a_baseline_without_it() {
    let snapshot = demo_org::snapshot();
    let off = apply(
        &snapshot,
        &[Change::Ecscape {
            enabled: false,
            cluster: Some("prod-ec2".into()),
        }],
    )
    .expect("the change applies");
    let baseline = Baseline::parse(
        &Baseline::from_reach(&demo_org::reach(
            &off.snapshot,
            &off.options,
            Paths::Omitted,
        ))
        .to_json(),
    )
    .expect("reads back");
    let items = growth(&baseline, &snapshot, &SimulationOptions::default());
    let identity = items
        .iter()
        .find(|i| {
            i.rule_id == "baseline/new-identity"
                && i.source == FRONTEND
                && i.target == PAYMENTS_ROLE
        })
        .unwrap_or_else(|| panic!("the frontend reaches the payments role: {items:#?}"));
    assert!(
        identity.path.iter().any(|s| s.edge == "ecscape"),
        "{identity:#?}"
    );
    let secret = items
        .iter()
        .find(|i| {
            i.rule_id == "baseline/new-crown-jewel" && i.source == FRONTEND && i.target == SECRET
        })
        .unwrap_or_else(|| panic!("the frontend reaches the secret: {items:#?}"));
    assert_eq!(secret.actions, ["secretsmanager:GetSecretValue"]);
    assert!(!secret.path.is_empty());
}
