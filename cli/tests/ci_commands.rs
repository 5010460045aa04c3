//! End-to-end tests of `baseline`, `check`, `diff` and `simulate` on the demo
//! organization: exit codes, growth and shrinkage, SARIF validity, determinism.

use blastgraph_engine::simulate::{apply, Change};
use blastgraph_engine::snapshot::format;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_blastgraph");
const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../datasets/demo-org");
const SCHEMA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../query/tests/data/sarif-schema-2.1.0.json"
);
const RULES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/demo-rules.json");

fn run(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .output()
        .expect("the binary runs")
}

fn code(output: &Output) -> i32 {
    output.status.code().expect("exited normally")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8 output")
}

struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    /// The demo org as a snapshot file, plus a grown and a shrunk variant.
    fn new() -> Fixture {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let snap = dir.path().join("demo.snap");
        let mut args = vec!["import".to_string(), "gaad".to_string()];
        for name in ["management", "prod", "shared-services"] {
            args.push(format!("{DEMO}/{name}.gaad.json"));
        }
        args.extend([
            "--overlay".to_string(),
            format!("{DEMO}/org.json"),
            "-o".to_string(),
            snap.display().to_string(),
        ]);
        let output = Command::new(BIN).args(&args).output().expect("import runs");
        assert_eq!(
            code(&output),
            0,
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let fixture = Fixture { dir };
        // Grown: the reporting task may now read every secret.
        fixture.variant(
            "grown.snap",
            &[Change::AddStatement {
                document: json!({"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "*"}),
                to: "arn:aws:iam::222222222222:role/reporting-task".into(),
            }],
        );
        // Shrunk: the shared EC2 cluster moves to Fargate.
        fixture.variant(
            "shrunk.snap",
            &[Change::Fargate {
                cluster: "prod-ec2".into(),
            }],
        );
        fixture
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn arg(&self, name: &str) -> String {
        self.path(name).display().to_string()
    }

    fn variant(&self, name: &str, changes: &[Change]) {
        let bytes = std::fs::read(self.path("demo.snap")).expect("the snapshot exists");
        let snapshot = format::decode(&bytes).expect("the snapshot decodes");
        let changed = apply(&snapshot, changes)
            .expect("the change applies")
            .snapshot;
        std::fs::write(self.path(name), format::encode(&changed)).expect("written");
    }

    fn baseline(&self) -> String {
        let out = self.arg("baseline.json");
        let output = run(&["baseline", "--snapshot", &self.arg("demo.snap"), "-o", &out]);
        assert_eq!(
            code(&output),
            0,
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        out
    }
}

fn validate_sarif(text: &str) {
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(SCHEMA).expect("schema")).expect("JSON");
    let validator = jsonschema::draft4::new(&schema).expect("the schema compiles");
    let log: Value = serde_json::from_str(text).expect("SARIF is JSON");
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn check_passes_on_identical_and_shrunk_snapshots_and_fails_on_growth() {
    let fixture = Fixture::new();
    let baseline = fixture.baseline();
    for (snapshot, expected) in [("demo.snap", 0), ("shrunk.snap", 0), ("grown.snap", 1)] {
        let output = run(&[
            "check",
            "--snapshot",
            &fixture.arg(snapshot),
            "--baseline",
            &baseline,
        ]);
        assert_eq!(code(&output), expected, "{snapshot}: {}", stdout(&output));
    }
    let grown = run(&[
        "check",
        "--snapshot",
        &fixture.arg("grown.snap"),
        "--baseline",
        &baseline,
        "--format",
        "json",
    ]);
    let report: Value = serde_json::from_str(&stdout(&grown)).expect("JSON report");
    let reporting = "arn:aws:ecs:eu-west-1:222222222222:task-definition/reporting:2";
    let grew = report["items"]
        .as_array()
        .expect("items")
        .iter()
        .any(|i| i["rule_id"] == "baseline/new-crown-jewel" && i["source"] == reporting);
    assert!(grew, "{report:#}");
}

#[test]
fn check_sarif_is_valid_and_names_source_and_path() {
    let fixture = Fixture::new();
    let baseline = fixture.baseline();
    let output = run(&[
        "check",
        "--snapshot",
        &fixture.arg("grown.snap"),
        "--baseline",
        &baseline,
        "--rules",
        RULES,
        "--format",
        "sarif",
    ]);
    assert_eq!(code(&output), 1);
    let text = stdout(&output);
    validate_sarif(&text);
    let log: Value = serde_json::from_str(&text).expect("JSON");
    let results = log["runs"][0]["results"].as_array().expect("results");
    assert!(!results.is_empty());
    let ecscape = results
        .iter()
        .find(|r| r["ruleId"] == "rules/payments-secrets")
        .expect("the frontend task breaks the payments rule through ECScape");
    let message = ecscape["message"]["text"].as_str().expect("a message");
    assert!(message.contains("frontend:3"), "{message}");
    assert!(message.contains("-[ecscape]->"), "{message}");
    // A passing check is valid SARIF too.
    let passing = run(&[
        "check",
        "--snapshot",
        &fixture.arg("demo.snap"),
        "--baseline",
        &baseline,
        "--format",
        "sarif",
    ]);
    assert_eq!(code(&passing), 0);
    validate_sarif(&stdout(&passing));
}

#[test]
fn outputs_are_byte_identical_across_runs() {
    let fixture = Fixture::new();
    let first = std::fs::read(fixture.baseline()).expect("baseline");
    let second = std::fs::read(fixture.baseline()).expect("baseline");
    assert_eq!(first, second);
    let baseline = fixture.arg("baseline.json");
    let commands: Vec<Vec<String>> = vec![
        vec![
            "check".into(),
            "--snapshot".into(),
            fixture.arg("grown.snap"),
            "--baseline".into(),
            baseline.clone(),
            "--rules".into(),
            RULES.into(),
            "--format".into(),
            "json".into(),
        ],
        vec![
            "diff".into(),
            fixture.arg("demo.snap"),
            fixture.arg("grown.snap"),
            "--format".into(),
            "sarif".into(),
        ],
        vec![
            "simulate".into(),
            "--snapshot".into(),
            fixture.arg("demo.snap"),
            "--ecscape".into(),
            "off".into(),
            "--format".into(),
            "json".into(),
        ],
    ];
    for args in commands {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let a = run(&args);
        let b = run(&args);
        assert!(!a.stdout.is_empty(), "{args:?}");
        assert_eq!(a.stdout, b.stdout, "{args:?}");
    }
}

#[test]
fn diff_reports_new_crown_jewels_with_their_path() {
    let fixture = Fixture::new();
    let output = run(&[
        "diff",
        &fixture.arg("demo.snap"),
        &fixture.arg("grown.snap"),
        "--format",
        "json",
    ]);
    assert_eq!(code(&output), 0);
    let report: Value = serde_json::from_str(&stdout(&output)).expect("JSON");
    let item = report["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| {
            i["rule_id"] == "diff/new-crown-jewel"
                && i["source"] == "arn:aws:ecs:eu-west-1:222222222222:task-definition/reporting:2"
                && i["target"]
                    == "arn:aws:secretsmanager:eu-west-1:222222222222:secret:prod/payments/stripe-api-key-a1B2c3"
        })
        .expect("reporting:2 newly reads the payments secret");
    assert!(!item["path"].as_array().expect("path").is_empty());
    let back = run(&[
        "diff",
        &fixture.arg("grown.snap"),
        &fixture.arg("demo.snap"),
        "--format",
        "json",
    ]);
    let report: Value = serde_json::from_str(&stdout(&back)).expect("JSON");
    assert_eq!(report["passed"], true, "shrinking is not growth");
}

#[test]
fn simulate_with_a_scenario_file_matches_the_command_line() {
    let fixture = Fixture::new();
    let scenario = fixture.path("scenario.json");
    std::fs::write(
        &scenario,
        r#"{"description": "move to Fargate", "changes": [{"fargate": {"cluster": "prod-ec2"}}]}"#,
    )
    .expect("written");
    let snapshot = fixture.arg("demo.snap");
    let from_file = run(&[
        "simulate",
        "--snapshot",
        &snapshot,
        "--scenario",
        &scenario.display().to_string(),
        "--format",
        "json",
    ]);
    let from_flags = run(&[
        "simulate",
        "--snapshot",
        &snapshot,
        "--fargate",
        "prod-ec2",
        "--format",
        "json",
    ]);
    assert_eq!(
        code(&from_file),
        0,
        "{}",
        String::from_utf8_lossy(&from_file.stderr)
    );
    assert_eq!(from_file.stdout, from_flags.stdout);
    let delta: Value = serde_json::from_str(&stdout(&from_file)).expect("JSON");
    assert!(delta["added"].as_array().expect("added").is_empty());
    assert!(!delta["removed"].as_array().expect("removed").is_empty());
}

#[test]
fn simulate_lists_up_to_the_limit_and_counts_the_rest() {
    let fixture = Fixture::new();
    let snapshot = fixture.arg("demo.snap");
    let simulate = |limit: &str, format: &str| {
        let output = run(&[
            "simulate",
            "--snapshot",
            &snapshot,
            "--ecscape",
            "off",
            "--limit",
            limit,
            "--format",
            format,
        ]);
        assert_eq!(
            code(&output),
            0,
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        stdout(&output)
    };
    let all: Value = serde_json::from_str(&simulate("0", "json")).expect("JSON");
    let removed = all["removed"].as_array().expect("removed").len();
    assert!(removed > 2, "{removed} removed findings");
    assert!(all.get("unlisted").is_none());
    let limited: Value = serde_json::from_str(&simulate("2", "json")).expect("JSON");
    assert_eq!(
        limited["removed"].as_array().expect("removed")[..],
        all["removed"].as_array().expect("removed")[..2]
    );
    assert_eq!(limited["unlisted"]["removed"], removed as u64 - 2);
    assert_eq!(
        limited["sources"], all["sources"],
        "the rows are always complete"
    );
    let table = simulate("2", "table");
    assert!(
        table.contains(&format!(
            "0 newly reachable, {removed} no longer reachable\n(listed: the first 0 and 2;"
        )),
        "{table}"
    );
}

#[test]
fn bad_input_exits_2_with_a_clear_message() {
    let fixture = Fixture::new();
    let snapshot = fixture.arg("demo.snap");
    let bad_rules = fixture.path("bad-rules.json");
    std::fs::write(
        &bad_rules,
        r#"{"version": 1, "rules": [{"id": "x", "forbid_admin": {"form": {}}}]}"#,
    )
    .expect("written");
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec!["check".into(), "--snapshot".into(), snapshot.clone()],
            "--baseline",
        ),
        (
            vec![
                "check".into(),
                "--snapshot".into(),
                snapshot.clone(),
                "--rules".into(),
                bad_rules.display().to_string(),
            ],
            "rules[0].forbid_admin",
        ),
        (
            vec![
                "check".into(),
                "--snapshot".into(),
                snapshot.clone(),
                "--baseline".into(),
                "/nonexistent/b.json".into(),
            ],
            "/nonexistent/b.json",
        ),
        (
            vec![
                "simulate".into(),
                "--snapshot".into(),
                snapshot.clone(),
                "--fargate".into(),
                "no-such-cluster".into(),
            ],
            "no-such-cluster",
        ),
        (
            vec![
                "simulate".into(),
                "--snapshot".into(),
                snapshot.clone(),
                "--detach".into(),
                "p".into(),
            ],
            "needs --from",
        ),
        (
            vec![
                "simulate".into(),
                "--snapshot".into(),
                snapshot,
                "--ecscape".into(),
                "off".into(),
                "--query".into(),
                "who-can x".into(),
            ],
            "--query",
        ),
    ];
    for (args, expected) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let output = run(&args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(code(&output), 2, "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
    assert!(!Path::new(&fixture.arg("baseline.json")).exists());
}
