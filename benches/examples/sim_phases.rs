//! Prints how long each part of a what-if simulation takes on a snapshot file: the
//! before analysis, the after analysis built incrementally and in full (and whether
//! they are equal), and the phases of the delta: each side's reach without paths (of the
//! sources the delta has to recompute), the set comparison, and explaining the added and
//! removed findings.
//!
//! `cargo run --release -p blastgraph-benches --example sim_phases -- FILE [--no-full]
//! CHANGE...` where CHANGE is `detach:POLICY:PRINCIPAL`, `remove-policy:ARN`,
//! `ecscape-off`, `imds-v2-hop1`, `imds-v1`, `fargate:CLUSTER`, `add-statement:PRINCIPAL`
//! (an allow of `iam:PassRole` and `sts:AssumeRole` on everything),
//! `add-pass-run:PRINCIPAL` (an allow of `iam:PassRole` and `ec2:RunInstances` on
//! everything) or `remove-trust:ROLE`; `--no-full` skips the full after analysis.

use blastgraph_engine::graph::{analyse_with, Analysis, NodeId};
use blastgraph_engine::simulate::incremental::{analyse_after, first_difference};
use blastgraph_engine::simulate::{apply, Change, ImdsSetting};
use blastgraph_engine::snapshot::format;
use blastgraph_query::ci::explain::explain_selected;
use blastgraph_query::ci::from_graph::{affected_sources, org_reach_of, Paths};
use blastgraph_query::ci::keys::{compare_keys, Selection, Selections};
use blastgraph_query::ci::OrgReach;
use std::time::Instant;

fn change(text: &str) -> Change {
    let (kind, rest) = text.split_once(':').unwrap_or((text, ""));
    match kind {
        "detach" => {
            // The policy ARN has colons: the principal is after the last "::role/".
            let at = rest.rfind(":arn:").expect("detach:POLICY:PRINCIPAL");
            Change::Detach {
                policy: rest[..at].into(),
                from: rest[at + 1..].into(),
            }
        }
        "remove-policy" => Change::RemovePolicy { arn: rest.into() },
        "ecscape-off" => Change::Ecscape {
            enabled: false,
            cluster: None,
        },
        "imds-v2-hop1" => Change::Imds {
            setting: ImdsSetting::V2Hop1,
            instances: Vec::new(),
        },
        "imds-v1" => Change::Imds {
            setting: ImdsSetting::V1,
            instances: Vec::new(),
        },
        "add-pass-run" => Change::AddStatement {
            document: serde_json::json!({"Effect": "Allow", "Action": ["iam:PassRole", "ec2:RunInstances"], "Resource": "*"}),
            to: rest.into(),
        },
        "fargate" => Change::Fargate {
            cluster: rest.into(),
        },
        "add-statement" => Change::AddStatement {
            document: serde_json::json!({"Effect": "Allow", "Action": ["iam:PassRole", "sts:AssumeRole"], "Resource": "*"}),
            to: rest.into(),
        },
        "remove-trust" => Change::RemoveTrust {
            role: rest.into(),
            principal: None,
        },
        other => panic!("unknown change {other}"),
    }
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let full = !args.iter().any(|a| a == "--no-full");
    args.retain(|a| a != "--no-full");
    let bytes = std::fs::read(&args[0]).expect("readable snapshot");
    let snapshot = format::decode(&bytes).expect("a snapshot");
    let changes: Vec<Change> = args[1..].iter().map(|c| change(c)).collect();
    let simulation = apply(&snapshot, &changes).expect("the changes apply");
    let options = simulation.options.graph_options();
    let started = Instant::now();
    analyse_with(&snapshot, &Default::default(), |before| {
        println!(
            "before analysis          {:>8.3} s",
            started.elapsed().as_secs_f64()
        );
        let sources: Vec<NodeId> = match &simulation.touched {
            Some(touched) => affected_sources(before, touched)
                .unwrap_or_else(|| before.graph.sources(&[]).collect()),
            None => before.graph.sources(&[]).collect(),
        };
        println!("  sources compared: {}", sources.len());
        let ids: Vec<String> = sources
            .iter()
            .map(|&s| before.graph.node(s).id.clone())
            .collect();
        let started = Instant::now();
        let before_reach = org_reach_of(before, &sources, Paths::Omitted);
        println!(
            "before reach, no paths   {:>8.3} s",
            started.elapsed().as_secs_f64()
        );
        let started = Instant::now();
        analyse_after(before, &simulation.snapshot, &options, |after, reuse| {
            println!(
                "after, incremental       {:>8.3} s",
                started.elapsed().as_secs_f64()
            );
            println!("  {reuse:?}");
            delta_phases(before, &before_reach, after, &ids);
            if !full {
                return;
            }
            let started = Instant::now();
            analyse_with(&simulation.snapshot, &options, |full| {
                println!(
                    "after, full              {:>8.3} s",
                    started.elapsed().as_secs_f64()
                );
                match first_difference(after, full) {
                    None => println!("  equal"),
                    Some(difference) => println!("  DIFFERENT: {difference}"),
                }
            });
        });
    });
}

/// Times the after reach, the comparison and the explanations of the delta.
fn delta_phases(
    before: &Analysis<'_>,
    before_reach: &OrgReach,
    after: &Analysis<'_>,
    ids: &[String],
) {
    let started = Instant::now();
    let sources: Vec<NodeId> = ids
        .iter()
        .filter_map(|id| after.graph.node_by_id(id))
        .collect();
    let after_reach = org_reach_of(after, &sources, Paths::Omitted);
    println!(
        "after reach, no paths    {:>8.3} s",
        started.elapsed().as_secs_f64()
    );
    let started = Instant::now();
    let keys = compare_keys(before_reach, &after_reach, None);
    let count = |s: &Selections| s.values().map(Selection::len).sum::<u64>();
    println!(
        "set comparison           {:>8.3} s",
        started.elapsed().as_secs_f64()
    );
    println!(
        "  {} added findings ({} sources), {} removed ({} sources), {} changed rows",
        count(&keys.added),
        keys.added.len(),
        count(&keys.removed),
        keys.removed.len(),
        keys.delta.sources.len()
    );
    for (side, analysis, reach, selections) in [
        ("added", after, &after_reach, &keys.added),
        ("removed", before, before_reach, &keys.removed),
    ] {
        let started = Instant::now();
        let findings = explain_selected(analysis, reach, selections);
        let steps: usize = findings.iter().map(|f| f.path.len()).sum();
        println!(
            "explain {side:<8}         {:>8.3} s  ({} findings, {steps} path steps)",
            started.elapsed().as_secs_f64(),
            findings.len()
        );
    }
}
