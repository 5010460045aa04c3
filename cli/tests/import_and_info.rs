//! `blastgraph import gaad`, `info` and `demo` end to end, on the public datasets and the
//! demo organization.

mod common;

use common::{blastgraph, dataset};
use serde_json::Value;

/// (file, account, users, groups, roles, managed policies), from SOURCES.md.
const DATASETS: [(&str, &str, u64, u64, u64, u64); 4] = [
    (
        "cloudsplaining-example-authz-details.json",
        "012345678901",
        3,
        2,
        3,
        32,
    ),
    (
        "cloudmapper-demo-authorization-details.json",
        "123456789012",
        2,
        1,
        4,
        2,
    ),
    ("airiam-iam-data.json", "000000000000", 5, 1, 8, 19),
    (
        "cloudsplaining-iam-vulnerable-authz-details.json",
        "200611803367",
        44,
        5,
        78,
        84,
    ),
];

fn info_json(dir: &std::path::Path, snapshot: &str) -> Value {
    let run = blastgraph(dir, &["info", snapshot, "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    serde_json::from_str(&run.stdout).expect("info prints JSON")
}

#[test]
fn every_public_dataset_imports_with_exact_counts() {
    let dir = tempfile::tempdir().unwrap();
    for (file, account, users, groups, roles, policies) in DATASETS {
        let path = dataset(&format!("authorization-details/{file}"));
        let run = blastgraph(
            dir.path(),
            &["import", "gaad", path.to_str().unwrap(), "-o", "one.snap"],
        );
        assert_eq!(run.code, 0, "{file}: {}", run.stderr);
        let info = info_json(dir.path(), "one.snap");
        let accounts = info["accounts"].as_array().unwrap();
        assert_eq!(accounts.len(), 1, "{file}");
        let a = &accounts[0];
        assert_eq!(a["id"], account, "{file}");
        assert_eq!(
            (
                &a["users"],
                &a["groups"],
                &a["roles"],
                &a["managed_policies"]
            ),
            (
                &Value::from(users),
                &Value::from(groups),
                &Value::from(roles),
                &Value::from(policies)
            ),
            "{file}"
        );
        assert_eq!(info["snapshot"]["origin"], "gaad_import");
        assert!(info["snapshot"]["size_bytes"].as_u64().unwrap() > 100);
        let gaps = info["coverage"]["gaps"].as_array().unwrap();
        assert!(gaps.iter().any(|g| g["service"] == "ecs"
            && g["status"] == "not_collected"
            && g["reason"] == "GAAD import holds IAM only"));
        assert!(!gaps.iter().any(|g| g["service"] == "iam"));
    }
}

#[test]
fn info_text_lists_counts_and_gaps() {
    let dir = tempfile::tempdir().unwrap();
    let path = dataset("authorization-details/cloudmapper-demo-authorization-details.json");
    let run = blastgraph(
        dir.path(),
        &["import", "gaad", path.to_str().unwrap(), "-o", "s.snap"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("warning"), "{}", run.stderr);
    let run = blastgraph(dir.path(), &["info", "s.snap"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run
        .stdout
        .contains("123456789012: 2 users, 1 groups, 4 roles, 2 managed policies"));
    assert!(run
        .stdout
        .contains("not collected: GAAD import holds IAM only"));
}

#[test]
fn the_demo_runs_without_files_and_matches_its_sources() {
    let dir = tempfile::tempdir().unwrap();
    let run = blastgraph(dir.path(), &["demo", "-o", "demo.snap"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("What an analyst should find"));
    assert!(run
        .stdout
        .contains(" 2. `frontend:3` reaches role `payments-task` through ECScape"));
    let from_demo = info_json(dir.path(), "demo.snap");
    let accounts = from_demo["accounts"].as_array().unwrap();
    let ids: Vec<&str> = accounts.iter().map(|a| a["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["111111111111", "222222222222", "333333333333"]);
    assert_eq!(accounts[1]["roles"], 12);
    assert_eq!(accounts[1]["ecs_tasks"], 3);
    assert_eq!(accounts[1]["eks_pods"], 4);
    assert_eq!(from_demo["coverage"]["gaps"].as_array().unwrap().len(), 0);
    assert_eq!(from_demo["organization"]["scps"], 2);

    // The same files through `import gaad --overlay` give the same snapshot contents.
    let org = dataset("demo-org");
    let files: Vec<String> = ["management", "prod", "shared-services"]
        .iter()
        .map(|n| org.join(format!("{n}.gaad.json")).display().to_string())
        .collect();
    let overlay = org.join("org.json").display().to_string();
    let mut args = vec!["import", "gaad"];
    args.extend(files.iter().map(String::as_str));
    args.extend(["--overlay", &overlay, "-o", "files.snap"]);
    let run = blastgraph(dir.path(), &args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let from_files = info_json(dir.path(), "files.snap");
    assert_eq!(from_files["accounts"], from_demo["accounts"]);
    assert_eq!(from_files["documents"], from_demo["documents"]);
}

#[test]
fn info_reports_the_format_version_of_the_file_it_read() {
    let dir = tempfile::tempdir().unwrap();
    let old = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../engine/src/snapshot/testdata/format-v2.snap");
    let old_info = info_json(dir.path(), old.to_str().unwrap());
    assert_eq!(old_info["snapshot"]["format_version"], 2);
    // Written again by this build, the same snapshot is in the current format.
    let run = blastgraph(
        dir.path(),
        &[
            "snapshot",
            "export-json",
            old.to_str().unwrap(),
            "-o",
            "s.json",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = blastgraph(
        dir.path(),
        &["snapshot", "import-json", "s.json", "-o", "new.snap"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let new_info = info_json(dir.path(), "new.snap");
    assert_eq!(
        new_info["snapshot"]["format_version"],
        blastgraph_engine::snapshot::format::FORMAT_VERSION
    );
    assert_ne!(new_info["snapshot"]["format_version"], 2);
}
