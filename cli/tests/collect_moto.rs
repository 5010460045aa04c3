//! The real `blastgraph` binary end to end against the moto emulator: `collect` over HTTP
//! into a snapshot file, then `info` and `what-can-reach` on that file, checked against
//! what `tests/moto/populate.py` created.
//!
//! Needs the virtualenv of `tests/moto/setup.sh` (moto's server and boto3).

#![cfg(feature = "collect")]

#[path = "../../collector/tests/common/mod.rs"]
mod moto;

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Output};

/// Few roles: pagination is the collector tests' job; this one is about the binary.
const ROLES: usize = 25;

/// Runs the built binary with moto's test credentials and no AWS config files.
fn blastgraph(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_blastgraph"))
        .args(args)
        .current_dir(dir)
        .envs(moto::test_credentials())
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_SESSION_TOKEN")
        .env("AWS_CONFIG_FILE", "/nonexistent/blastgraph-test-config")
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/blastgraph-test-credentials",
        )
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .expect("the blastgraph binary runs")
}

fn json_of(output: &Output) -> Value {
    assert_eq!(
        output.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("JSON on stdout")
}

fn str_of(value: &Value) -> &str {
    value
        .as_str()
        .unwrap_or_else(|| panic!("expected a string, got {value}"))
}

#[test]
fn collect_then_query_the_written_snapshot() {
    let server = moto::Moto::start(&[]);
    let m = server.populate(ROLES);
    let dir = tempfile::tempdir().unwrap();

    let collect = blastgraph(
        dir.path(),
        &[
            "collect",
            "--endpoint-url",
            &server.endpoint,
            "--region",
            "us-east-1",
            "-o",
            "org.bgs",
        ],
    );
    let stderr = String::from_utf8_lossy(&collect.stderr);
    assert_eq!(collect.status.code(), Some(0), "collect failed: {stderr}");
    check_collect_log(&stderr);
    assert!(dir.path().join("org.bgs").is_file());

    let info = json_of(&blastgraph(
        dir.path(),
        &["info", "org.bgs", "--format", "json"],
    ));
    check_info(&info, &m);

    let reach = json_of(&blastgraph(
        dir.path(),
        &[
            "what-can-reach",
            "secretsmanager:GetSecretValue",
            "--snapshot",
            "org.bgs",
            "--format",
            "json",
        ],
    ));
    check_secret_findings(&reach, &m);

    // --strict: the same run with moto's missing Pod Identity API is a failure (exit 1),
    // and the snapshot is still written.
    let strict = blastgraph(
        dir.path(),
        &[
            "collect",
            "--endpoint-url",
            &server.endpoint,
            "--region",
            "us-east-1",
            "--regions",
            "us-east-1",
            "--strict",
            "--quiet",
            "-o",
            "strict.bgs",
        ],
    );
    assert_eq!(
        strict.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&strict.stderr)
    );
    assert!(dir.path().join("strict.bgs").is_file());
}

/// Off a terminal, progress is plain log lines: the caller, one line per finished
/// (account, region, service) unit, the gap, and the summary.
fn check_collect_log(stderr: &str) {
    assert!(
        stderr.contains("collect: collecting as arn:aws:sts::123456789012:"),
        "{stderr}"
    );
    for unit in [
        "123456789012 global iam: ok",
        "123456789012 global s3: ok",
        "123456789012 us-east-1 ecs: ok",
        "123456789012 eu-west-1 ec2: ok",
    ] {
        assert!(stderr.contains(unit), "no line {unit:?} in: {stderr}");
    }
    assert!(
        stderr.contains("123456789012 us-east-1 eks: GAP"),
        "{stderr}"
    );
    assert!(
        stderr.contains("collect: wrote org.bgs (1 accounts"),
        "{stderr}"
    );
    // No terminal: no progress-bar control sequences.
    assert!(
        !stderr.contains('\u{1b}'),
        "escape codes off a TTY: {stderr}"
    );
}

/// `info` counts exactly what populate.py created.
fn check_info(info: &Value, m: &Value) {
    let accounts = info["accounts"].as_array().unwrap();
    assert_eq!(accounts.len(), 1);
    let account = &accounts[0];
    assert_eq!(account["id"], m["account"]);
    let len = |v: &Value| match v {
        Value::Array(a) => a.len(),
        Value::Object(o) => o.len(),
        _ => panic!("not a collection: {v}"),
    };
    let expected = [
        ("roles", len(&m["roles"])),
        ("users", len(&m["users"])),
        ("groups", 1),
        ("managed_policies", len(&m["managed_policies"])),
        ("instance_profiles", len(&m["instance_profiles"])),
        ("oidc_providers", len(&m["oidc_providers"])),
        ("s3_buckets", len(&m["buckets"])),
        ("secrets", len(&m["secrets"])),
        ("kms_keys", len(&m["kms"])),
        ("rds_databases", len(&m["rds"])),
        ("lambda_functions", len(&m["lambda"])),
        ("ec2_instances", len(&m["instances"])),
        ("ecs_clusters", 1),
        ("ecs_services", 1),
        (
            "ecs_tasks",
            len(&m["ecs"]["colocated_tasks"]) + len(&m["ecs"]["fargate_tasks"]),
        ),
        ("task_definitions", len(&m["ecs"]["task_definitions"])),
        ("eks_clusters", 1),
    ];
    for (field, count) in expected {
        assert_eq!(account[field], count, "info field {field}: {account}");
    }
    assert_eq!(len(&m["roles"]), ROLES + 9, "populate.py's fixed roles");
    // The one gap is moto's missing Pod Identity API, and info says so.
    let gaps = info["coverage"]["gaps"].as_array().unwrap();
    assert_eq!(gaps.len(), 1, "{gaps:?}");
    assert_eq!(gaps[0]["region"], "us-east-1");
    assert!(gaps[0].to_string().contains("ListPodIdentityAssociations"));
}

/// The secrets are reached by the ECS task role (inline `GetSecretValue` on `*`), by the
/// task definition that runs as it, and by the container instance it is placed on; the
/// bulk roles (no permissions) and the users reach nothing.
fn check_secret_findings(reach: &Value, m: &Value) {
    let ecs = &m["ecs"];
    let (task_definition, task_role) = ecs["task_definitions"]
        .as_object()
        .unwrap()
        .iter()
        .find(|(_, td)| td["mode"] == "bridge")
        .map(|(arn, td)| (arn.clone(), str_of(&td["task_role"]).to_string()))
        .expect("the bridge-mode task definition");
    let host = format!(
        "arn:aws:ec2:us-east-1:{}:instance/{}",
        str_of(&m["account"]),
        str_of(&ecs["container_instance_ec2"])
    );
    let secrets: BTreeSet<String> = m["secrets"].as_object().unwrap().keys().cloned().collect();
    assert_eq!(secrets.len(), 2);

    let findings = reach["findings"].as_array().unwrap();
    let pairs: BTreeSet<(String, String)> = findings
        .iter()
        .map(|f| (str_of(&f["source"]).into(), str_of(&f["target"]).into()))
        .collect();
    for source in [&task_role, &task_definition, &host] {
        for secret in &secrets {
            assert!(
                pairs.contains(&(source.clone(), secret.clone())),
                "{source} should reach {secret}: {pairs:?}"
            );
        }
    }
    for finding in findings {
        let source = str_of(&finding["source"]);
        assert!(
            !source.contains(":role/bulk/") && !source.contains(":user/"),
            "{source} has no permission on secrets"
        );
        assert!(secrets.contains(str_of(&finding["target"])));
        assert_eq!(finding["actions"][0], "secretsmanager:GetSecretValue");
        assert_eq!(finding["via"], task_role.as_str(), "{finding}");
    }

    // The instance's path: co-location with the task, then the task role.
    let from_host = findings
        .iter()
        .find(|f| f["source"] == host.as_str())
        .unwrap();
    assert_eq!(from_host["source_kind"], "ec2-instance");
    assert_eq!(from_host["conditional"], false);
    let path = from_host["path"].as_array().unwrap();
    let edges: Vec<&str> = path.iter().map(|s| str_of(&s["edge"])).collect();
    assert_eq!(edges, ["co-location", "runs-as"]);
    assert_eq!(path[0]["to"], task_definition.as_str());
    assert_eq!(path[1]["to"], task_role.as_str());

    // The gap is carried into every query's output.
    let gaps = reach["coverage_gaps"].as_array().unwrap();
    assert_eq!(gaps.len(), 1);
    assert_eq!(gaps[0]["service"], "eks");
}
