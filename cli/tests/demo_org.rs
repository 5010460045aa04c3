//! Every finding of `datasets/demo-org/README.md` ("What an analyst should find"), and
//! the absence of every path it says must not exist, through the command line.

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

const BIN: &str = env!("CARGO_BIN_EXE_blastgraph");
const SECRET: &str =
    "arn:aws:secretsmanager:eu-west-1:222222222222:secret:prod/payments/stripe-api-key-a1B2c3";
const KEY: &str = "arn:aws:kms:eu-west-1:222222222222:key/5e1f0c3a-7d2b-4c8e-9a6f-1b2c3d4e5f60";
const DB: &str = "arn:aws:rds:eu-west-1:222222222222:cluster:payments-db";
const FRONTEND: &str = "arn:aws:ecs:eu-west-1:222222222222:task-definition/frontend:3";
const PAYMENTS: &str = "arn:aws:ecs:eu-west-1:222222222222:task-definition/payments:7";
const CONTAINER_INSTANCE: &str = "arn:aws:ec2:eu-west-1:222222222222:instance/i-0ec5a1b2c3d4e5f60";
const NODE: &str = "arn:aws:ec2:eu-west-1:222222222222:instance/i-0e4b5a6c7d8e9f012";
const CI_RUNNER: &str = "arn:aws:ec2:eu-west-1:333333333333:instance/i-0c1a2b3c4d5e6f789";

fn role(name: &str) -> String {
    format!("arn:aws:iam::222222222222:role/{name}")
}

/// The demo snapshot, imported once per test binary.
fn snapshot() -> &'static Path {
    static SNAPSHOT: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, path) = SNAPSHOT.get_or_init(|| {
        let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../datasets/demo-org");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("demo.snap");
        let out = Command::new(BIN)
            .args(["import", "gaad"])
            .args(
                ["management", "prod", "shared-services"]
                    .map(|a| demo.join(format!("{a}.gaad.json"))),
            )
            .arg("--overlay")
            .arg(demo.join("org.json"))
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
    });
    path
}

fn query(args: &[&str]) -> Value {
    let out = Command::new(BIN)
        .args(args)
        .args(["--format", "json"])
        .env("BLASTGRAPH_SNAPSHOT", snapshot())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn ids(values: &Value, field: &str) -> BTreeSet<String> {
    values
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v[field].as_str().unwrap().to_string())
        .collect()
}

fn identities(source: &str) -> BTreeSet<String> {
    ids(&query(&["blast-radius", source])["identities"], "id")
}

/// (resource, action) pairs in a source's blast radius.
fn can(source: &str, resource: &str, action: &str) -> bool {
    query(&["blast-radius", source])["resources"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| {
            r["resource"] == resource
                && r["actions"].as_array().unwrap().iter().any(|a| a == action)
        })
}

/// The edge kinds of the best path, or `None` when unreachable.
fn path(source: &str, target: &str) -> Option<Vec<String>> {
    let result = query(&["path", source, target]);
    (result["reachable"] == true).then(|| {
        result["path"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["edge"].as_str().unwrap().to_string())
            .collect()
    })
}

/// Workload sources (not IAM principals) that can reach an action on a resource pattern.
fn workloads_reaching(action: &str, on: &str) -> BTreeSet<String> {
    ids(
        &query(&[
            "what-can-reach",
            action,
            "--on",
            on,
            "--from",
            "ecs",
            "eks",
            "ec2",
            "lambda",
        ])["findings"],
        "source",
    )
}

#[test]
fn findings_1_to_3_frontend_reaches_the_payments_secrets_through_imds_and_ecscape() {
    assert_eq!(path("frontend:3", &role("ecs-instance")).unwrap(), ["imds"]);
    assert_eq!(
        path("frontend:3", &role("payments-task")).unwrap(),
        ["imds", "ecscape"]
    );
    assert!(can(FRONTEND, SECRET, "secretsmanager:GetSecretValue"));
    assert!(can(FRONTEND, KEY, "kms:Decrypt"));
    assert!(can(FRONTEND, DB, "rds-db:connect"));
}

#[test]
fn findings_4_and_5_payments_and_the_container_instance() {
    let payments = identities(PAYMENTS);
    for r in ["payments-task", "ecs-instance", "frontend-task"] {
        assert!(payments.contains(&role(r)), "{r}");
    }
    let host = identities("ec2:i-0ec5a1b2c3d4e5f60");
    for r in ["ecs-instance", "frontend-task", "payments-task"] {
        assert!(host.contains(&role(r)), "{r}");
    }
}

#[test]
fn finding_6_fargate_reporting_is_isolated() {
    assert_eq!(
        identities("reporting:2"),
        BTreeSet::from([role("reporting-task")])
    );
    assert_eq!(path("frontend:3", &role("reporting-task")), None);
    assert_eq!(path("payments:7", &role("reporting-task")), None);
    assert!(!can(FRONTEND, "arn:aws:s3:::prod-reports", "s3:GetObject"));
}

#[test]
fn finding_7_the_irsa_sub_wildcard_admits_every_pod() {
    for sa in [
        "eks:prod-eks/web/default",
        "eks:prod-eks/orders/orders-api",
        "eks:prod-eks/payments/worker",
    ] {
        assert!(identities(sa).contains(&role("analytics-etl-irsa")), "{sa}");
    }
    assert!(can(
        "eks:prod-eks/web/default",
        "arn:aws:s3:::prod-customer-data",
        "s3:GetObject"
    ));
}

#[test]
fn finding_8_orders_irsa_only_from_its_service_account_and_node() {
    assert!(path("eks:prod-eks/orders/orders-api", &role("orders-api-irsa")).is_some());
    assert!(path("ec2:i-0e4b5a6c7d8e9f012", &role("orders-api-irsa")).is_some());
    for sa in [
        "eks:prod-eks/web/default",
        "eks:prod-eks/analytics/etl",
        "eks:prod-eks/payments/worker",
    ] {
        assert_eq!(path(sa, &role("orders-api-irsa")), None, "{sa}");
    }
    assert_eq!(
        workloads_reaching(
            "dynamodb:PutItem",
            "arn:aws:dynamodb:eu-west-1:222222222222:table/orders"
        ),
        BTreeSet::from([
            "eks:prod-eks/orders/orders-api".to_string(),
            NODE.to_string()
        ])
    );
}

#[test]
fn finding_9_pod_identity() {
    assert!(path(
        "eks:prod-eks/payments/worker",
        &role("payments-worker-podid")
    )
    .is_some());
    assert!(can(
        "eks:prod-eks/payments/worker",
        "arn:aws:dynamodb:eu-west-1:222222222222:table/payments-ledger",
        "dynamodb:PutItem"
    ));
    assert!(path("ec2:i-0e4b5a6c7d8e9f012", &role("payments-worker-podid")).is_some());
    // The node role itself, as the Pod Identity agent: an inferred edge.
    let result = query(&["path", &role("eks-node"), &role("payments-worker-podid")]);
    assert_eq!(result["reachable"], true);
    assert_eq!(result["conditional"], true);
    assert_eq!(
        path("eks:prod-eks/web/default", &role("payments-worker-podid")),
        None
    );
}

#[test]
fn findings_10_to_12_the_ci_runner_chain() {
    let ci = "arn:aws:iam::333333333333:role/ci-runner";
    assert_eq!(path("ec2:i-0c1a2b3c4d5e6f789", ci).unwrap(), ["runs-as"]);
    assert_eq!(
        path("ec2:i-0c1a2b3c4d5e6f789", &role("deploy")).unwrap(),
        ["runs-as", "assume-role"]
    );
    for r in ["frontend-task", "payments-task", "reporting-task"] {
        assert_eq!(
            path(&role("deploy"), &role(r)).unwrap(),
            ["privesc:ecs:RegisterTaskDefinition+RunTask"],
            "{r}"
        );
    }
    assert_eq!(
        path(&role("deploy"), &role("invoice-renderer-lambda")).unwrap(),
        ["privesc:lambda:UpdateFunctionCode", "runs-as"]
    );
    assert!(can(CI_RUNNER, SECRET, "secretsmanager:GetSecretValue"));
    assert!(can(CI_RUNNER, KEY, "kms:Decrypt"));
    assert!(can(CI_RUNNER, DB, "rds-db:connect"));
}

#[test]
fn finding_13_the_ci_runner_reaches_no_eks_role() {
    let reached = identities("ec2:i-0c1a2b3c4d5e6f789");
    for r in [
        "orders-api-irsa",
        "analytics-etl-irsa",
        "payments-worker-podid",
        "eks-node",
    ] {
        assert!(!reached.contains(&role(r)), "{r}");
    }
    for (resource, action) in [
        (
            "arn:aws:dynamodb:eu-west-1:222222222222:table/orders",
            "dynamodb:GetItem",
        ),
        (
            "arn:aws:dynamodb:eu-west-1:222222222222:table/payments-ledger",
            "dynamodb:GetItem",
        ),
        ("arn:aws:s3:::prod-customer-data", "s3:GetObject"),
    ] {
        assert!(!can(CI_RUNNER, resource, action), "{resource}");
    }
}

#[test]
fn finding_14_invoice_renderer() {
    let function = "arn:aws:lambda:eu-west-1:222222222222:function:invoice-renderer";
    assert_eq!(
        identities(function),
        BTreeSet::from([role("invoice-renderer-lambda")])
    );
    let resources = &query(&["blast-radius", function])["resources"];
    assert_eq!(
        ids(resources, "resource"),
        BTreeSet::from(["arn:aws:s3:::prod-invoices".to_string()])
    );
    assert_eq!(resources[0]["actions"], serde_json::json!(["s3:PutObject"]));
}

#[test]
fn finding_15_exactly_four_workloads_read_the_payments_secret() {
    let expected: BTreeSet<String> = [PAYMENTS, FRONTEND, CONTAINER_INSTANCE, CI_RUNNER]
        .map(String::from)
        .into();
    assert_eq!(
        workloads_reaching("secretsmanager:GetSecretValue", SECRET),
        expected
    );
    assert_eq!(workloads_reaching("kms:Decrypt", KEY), expected);
    let principals = ids(
        &query(&[
            "what-can-reach",
            "secretsmanager:GetSecretValue",
            "--on",
            SECRET,
            "--from",
            "role",
            "user",
        ])["findings"],
        "source",
    );
    for p in [
        role("payments-task"),
        role("deploy"),
        role("OrganizationAccountAccessRole"),
        "arn:aws:iam::111111111111:user/alice".into(),
    ] {
        assert!(principals.contains(&p), "{p}");
    }
}

#[test]
fn finding_16_payments_task_cannot_switch_policy_versions() {
    let policy = "arn:aws:iam::222222222222:policy/payments-secrets-read";
    let allowed = ids(
        &query(&["who-can", "iam:SetDefaultPolicyVersion", policy])["principals"],
        "id",
    );
    assert!(!allowed.contains(&role("payments-task")));
    assert!(allowed.contains(&role("OrganizationAccountAccessRole")));
    assert!(
        query(&["blast-radius", &role("payments-task")])["administers"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[test]
fn finding_17_alice_administers_every_account() {
    let result = query(&["blast-radius", "arn:aws:iam::111111111111:user/alice"]);
    assert_eq!(
        ids(&result["administers"], "account"),
        ["111111111111", "222222222222", "333333333333"]
            .map(String::from)
            .into()
    );
}

#[test]
fn finding_18_the_guardrail_scp_and_the_management_account() {
    let trail = |account: &str| format!("arn:aws:cloudtrail:eu-west-1:{account}:trail/main");
    let prod = ids(
        &query(&["who-can", "cloudtrail:StopLogging", &trail("222222222222")])["principals"],
        "id",
    );
    assert!(!prod.contains(&role("OrganizationAccountAccessRole")));
    let management = ids(
        &query(&["who-can", "cloudtrail:StopLogging", &trail("111111111111")])["principals"],
        "id",
    );
    assert!(management.contains("arn:aws:iam::111111111111:user/alice"));
}
