//! Fault injection: a proxy in front of moto throttles KMS in bursts, denies ECS, lets
//! EKS time out and answers RDS with garbage. The run completes; ECS, EKS and RDS become
//! gaps; KMS survives its throttling through the SDK's retries; everything else is
//! collected exactly as without faults.
//!
//! Needs the virtualenv of `tests/moto/setup.sh`.

#![cfg(feature = "aws")]

mod common;

use blastgraph_collector::aws::{collect_blocking, CollectOptions, Progress};
use blastgraph_engine::snapshot::{CoverageStatus, Snapshot};
use common::proxy::{Fault, Proxy};
use std::collections::HashMap;
use std::time::Duration;

fn collect(endpoint: &str) -> Snapshot {
    let options = CollectOptions {
        endpoint_url: Some(endpoint.to_string()),
        region: Some("us-east-1".into()),
        regions: Some(vec!["us-east-1".into()]),
        attempt_timeout: Duration::from_secs(2),
        max_attempts: 4,
        progress: Progress::Quiet,
        ..CollectOptions::default()
    };
    collect_blocking(&options)
        .expect("collection runs")
        .snapshot
}

fn status(snapshot: &Snapshot, service: &str) -> CoverageStatus {
    snapshot
        .meta
        .coverage
        .iter()
        .find(|c| c.service == service)
        .unwrap_or_else(|| panic!("no coverage for {service}"))
        .status
        .clone()
}

fn failed_with(snapshot: &Snapshot, service: &str, needle: &str) {
    match status(snapshot, service) {
        CoverageStatus::Failed { error } => assert!(error.contains(needle), "{service}: {error}"),
        other => panic!("{service}: expected a gap, got {other:?}"),
    }
}

#[test]
fn faults_become_gaps_and_nothing_collected_is_lost() {
    let moto = common::Moto::start(&[]);
    moto.populate(20);
    common::use_credentials("testing", "testing");
    let baseline = collect(&moto.endpoint);

    let faults = HashMap::from([
        (
            "kms",
            Fault::Throttle {
                count: 2,
                body: r#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#,
                content_type: "application/x-amz-json-1.1",
            },
        ),
        (
            "ecs",
            Fault::Fail {
                status: 400,
                body: r#"{"__type":"AccessDeniedException","message":"not authorized to perform ecs:ListClusters"}"#,
                content_type: "application/x-amz-json-1.1",
            },
        ),
        ("eks", Fault::Delay(Duration::from_secs(4))),
        ("rds", Fault::Garbage),
    ]);
    let upstream = moto.endpoint.trim_start_matches("http://").to_string();
    let proxy = Proxy::start(upstream, faults);
    let faulty = collect(&proxy.endpoint);

    failed_with(&faulty, "ecs", "AccessDeniedException");
    failed_with(&faulty, "eks", "timed out");
    failed_with(&faulty, "rds", "malformed response");
    assert_eq!(
        status(&faulty, "kms"),
        CoverageStatus::Collected,
        "throttling is retried"
    );
    assert!(proxy.seen.lock().unwrap()["kms"] > 2);
    for service in ["iam", "s3", "ec2", "secretsmanager", "lambda"] {
        assert_eq!(
            status(&faulty, service),
            CoverageStatus::Collected,
            "{service}"
        );
    }

    let (before, after) = (&baseline.accounts[0], &faulty.accounts[0]);
    assert!(
        baseline.meta.gaps().all(|g| g.service == "eks"),
        "baseline gaps: only moto's missing Pod Identity"
    );
    assert_eq!(after.iam, before.iam);
    assert_eq!(after.compute.ec2_instances, before.compute.ec2_instances);
    let non_rds = |s: &Snapshot| -> Vec<String> {
        s.accounts[0]
            .resources
            .iter()
            .filter(|r| !r.arn.starts_with("arn:aws:rds:"))
            .map(|r| format!("{r:?}"))
            .collect()
    };
    assert_eq!(non_rds(&faulty), non_rds(&baseline));
    assert!(!non_rds(&faulty).is_empty());
    assert!(after.compute.ecs_clusters.is_empty() && !before.compute.ecs_clusters.is_empty());
}
