//! Prints how long each part of a what-if simulation takes on a snapshot file: the
//! before analysis, the after analysis built incrementally and in full (and whether
//! they are equal), and the sources the delta has to recompute.
//!
//! `cargo run --release -p blastgraph-benches --example sim_phases -- FILE CHANGE...`
//! where CHANGE is `detach:POLICY:PRINCIPAL`, `remove-policy:ARN`, `ecscape-off`,
//! `imds-v2-hop1`, `fargate:CLUSTER`, `add-statement:PRINCIPAL` (an allow of
//! `iam:PassRole` and `sts:AssumeRole` on everything) or `remove-trust:ROLE`.

use blastgraph_engine::graph::analyse_with;
use blastgraph_engine::simulate::incremental::{analyse_after, first_difference};
use blastgraph_engine::simulate::{apply, Change, ImdsSetting};
use blastgraph_engine::snapshot::format;
use blastgraph_query::ci::from_graph::affected_sources;
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
    let args: Vec<String> = std::env::args().skip(1).collect();
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
        if let Some(touched) = &simulation.touched {
            let sources = affected_sources(before, touched).map_or(0, |s| s.len());
            println!("  sources reaching the touched principals: {sources}");
        }
        let started = Instant::now();
        analyse_after(before, &simulation.snapshot, &options, |after, reuse| {
            println!(
                "after, incremental       {:>8.3} s",
                started.elapsed().as_secs_f64()
            );
            println!("  {reuse:?}");
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
