//! The query commands end to end on `tests/fixtures/tiny-org.json`: an ECS cluster whose
//! web task reaches the billing task's secret through IMDS and ECScape, and an admin
//! role in another account through a conditional cross-account trust.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_blastgraph");
const SECRET: &str = "arn:aws:secretsmanager:us-east-1:111111111111:secret:billing-db";
const WEB: &str = "arn:aws:ecs:us-east-1:111111111111:task-definition/web:3";

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/tiny-org.json")
}

/// Imports the fixture into a snapshot file in a fresh directory.
fn snapshot() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tiny.bgs");
    let out = Command::new(BIN)
        .args(["snapshot", "import-json"])
        .arg(fixture())
        .arg("-o")
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (dir, path)
}

fn run(snapshot: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env("BLASTGRAPH_SNAPSHOT", snapshot)
        .output()
        .unwrap()
}

fn json(snapshot: &Path, args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    let out = run(snapshot, &all);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn edges(path: &Value) -> Vec<&str> {
    path.as_array()
        .unwrap()
        .iter()
        .map(|s| s["edge"].as_str().unwrap())
        .collect()
}

#[test]
fn blast_radius_of_a_task_reaches_the_other_account_and_the_secret() {
    let (_dir, snap) = snapshot();
    let result = json(&snap, &["blast-radius", "ecs:prod/web"]);
    assert_eq!(result["source"], WEB);
    let administers = result["administers"].as_array().unwrap();
    assert_eq!(administers.len(), 1);
    assert_eq!(administers[0]["account"], "222222222222");
    assert_eq!(
        administers[0]["conditional"], true,
        "the trust needs aws:SourceIp"
    );
    assert_eq!(edges(&administers[0]["path"]), ["runs-as", "assume-role"]);
    let identities: Vec<&str> = result["identities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert!(identities.contains(&"arn:aws:iam::111111111111:role/billing-task"));
    let secret = result["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["resource"] == SECRET)
        .unwrap();
    assert_eq!(secret["crown_jewel"], true);
    assert_eq!(secret["conditional"], false);
    assert!(!result["coverage_gaps"].as_array().unwrap().is_empty());
}

#[test]
fn what_can_reach_finds_the_ecscape_path_to_the_secret() {
    let (_dir, snap) = snapshot();
    let result = json(
        &snap,
        &["what-can-reach", "secretsmanager:*", "--from", "ecs"],
    );
    let findings = result["findings"].as_array().unwrap();
    let web = findings
        .iter()
        .find(|f| f["source"] == WEB)
        .expect("web task finding");
    assert_eq!(web["target"], SECRET);
    assert_eq!(
        web["actions"],
        serde_json::json!(["secretsmanager:GetSecretValue"])
    );
    assert_eq!(web["conditional"], false);
    assert_eq!(edges(&web["path"]), ["imds", "ecscape"]);
    assert!(findings
        .iter()
        .all(|f| f["source_kind"] == "task-definition"));
    let gaps = result["coverage_gaps"].as_array().unwrap();
    assert!(gaps.iter().any(|g| g["service"] == "lambda"));
}

#[test]
fn what_can_reach_on_a_resource_pattern_filters_targets() {
    let (_dir, snap) = snapshot();
    let result = json(
        &snap,
        &[
            "what-can-reach",
            "secretsmanager:GetSecretValue",
            "--on",
            "arn:aws:secretsmanager:*:*:secret:other-*",
        ],
    );
    assert!(result["findings"].as_array().unwrap().is_empty());
}

#[test]
fn json_output_is_byte_identical_across_runs() {
    let (_dir, snap) = snapshot();
    for args in [
        vec!["what-can-reach", "*:*", "--format", "json"],
        vec!["blast-radius", "--all", "--format", "json"],
        vec!["blast-radius", "ec2:i-0aaa", "--format", "json"],
    ] {
        let a = run(&snap, &args);
        let b = run(&snap, &args);
        assert!(a.status.success());
        assert_eq!(a.stdout, b.stdout, "{args:?}");
    }
}

#[test]
fn blast_radius_all_ranks_sources_by_reach() {
    let (_dir, snap) = snapshot();
    let result = json(&snap, &["blast-radius", "--all"]);
    let sources = result["sources"].as_array().unwrap();
    assert_eq!(
        sources[0]["source"],
        "arn:aws:ec2:us-east-1:111111111111:instance/i-0aaa"
    );
    assert_eq!(
        sources[0]["administers"],
        serde_json::json!(["222222222222"])
    );
    let last = sources.last().unwrap();
    assert_eq!(
        last["source"],
        "arn:aws:iam::111111111111:role/billing-task"
    );
    assert_eq!(last["administers"], serde_json::json!([]));
}

#[test]
fn path_and_who_can() {
    let (_dir, snap) = snapshot();
    let result = json(&snap, &["path", "ecs:web", SECRET]);
    assert_eq!(result["reachable"], true);
    assert_eq!(edges(&result["path"]), ["imds", "ecscape"]);
    let result = json(
        &snap,
        &[
            "path",
            "arn:aws:iam::111111111111:role/billing-task",
            "ecs:prod/web",
        ],
    );
    assert_eq!(result["reachable"], false);
    let result = json(&snap, &["who-can", "secretsmanager:GetSecretValue", SECRET]);
    let ids: Vec<&str> = result["principals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["arn:aws:iam::111111111111:role/billing-task"]);
}

#[test]
fn dot_export_renders_with_graphviz() {
    let (dir, snap) = snapshot();
    let dot_file = dir.path().join("graph.dot");
    let out = run(
        &snap,
        &[
            "export",
            "dot",
            "--from",
            "ec2:i-0aaa",
            "-o",
            dot_file.to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&dot_file).unwrap();
    assert!(text.contains("subgraph cluster_111111111111"));
    assert!(text.contains("label=\"ecscape\""));
    assert!(
        text.contains("style=dashed"),
        "the conditional assume-role edge is dashed"
    );
    assert!(text.contains("shape=cylinder"), "the secret is highlighted");
    let rendered = Command::new("dot")
        .arg("-Tsvg")
        .arg(&dot_file)
        .output()
        .expect("Graphviz `dot` must be installed (apt-get install graphviz)");
    assert!(
        rendered.status.success(),
        "{}",
        String::from_utf8_lossy(&rendered.stderr)
    );
    assert!(String::from_utf8_lossy(&rendered.stdout).contains("<svg"));
    let svg = run(
        &snap,
        &[
            "export",
            "dot",
            "--to",
            SECRET.split(':').next().unwrap(),
            "--format",
            "svg",
        ],
    );
    assert_eq!(svg.status.code(), Some(2), "an unknown --to is bad input");
}

#[test]
fn unknown_sources_and_missing_snapshots_are_bad_input() {
    let (dir, snap) = snapshot();
    let out = run(&snap, &["blast-radius", "ecs:nope/nothing"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not in the snapshot"));
    let missing = dir.path().join("missing.bgs");
    let out = run(&missing, &["blast-radius", "--all"]);
    assert_eq!(out.status.code(), Some(2));
    let out = run(&snap, &["what-can-reach", "nocolon"]);
    assert_eq!(out.status.code(), Some(2));
}
