//! Every public GAAD file in `datasets/authorization-details/` imports with the exact
//! counts documented in its SOURCES.md (verified independently with Python's json).

use blastgraph_collector::gaad::{GaadImporter, NOT_COLLECTED_REASON};
use blastgraph_engine::snapshot::{CoverageStatus, Snapshot};
use std::path::PathBuf;

fn dataset(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../datasets/authorization-details")
        .join(name)
}

fn import(name: &str) -> (Snapshot, Vec<String>) {
    let mut importer = GaadImporter::new();
    importer
        .read_file(&dataset(name), None)
        .unwrap_or_else(|e| panic!("{e}"));
    let import = importer
        .finish(Some("2026-01-01T00:00:00Z".into()))
        .unwrap();
    (import.snapshot, import.warnings)
}

/// (users, groups, roles, managed policies) of the only account.
fn counts(snapshot: &Snapshot, account: &str) -> (usize, usize, usize, usize) {
    assert_eq!(snapshot.accounts.len(), 1);
    let iam = &snapshot.account(account).expect("account imported").iam;
    (
        iam.users.len(),
        iam.groups.len(),
        iam.roles.len(),
        iam.managed_policies.len(),
    )
}

#[test]
fn cloudsplaining_example_imports_with_exact_counts() {
    let (snapshot, warnings) = import("cloudsplaining-example-authz-details.json");
    assert_eq!(counts(&snapshot, "012345678901"), (3, 2, 3, 32));
    assert!(warnings.is_empty(), "{warnings:?}");
    let iam = &snapshot.accounts[0].iam;
    assert_eq!(iam.instance_profiles.len(), 1);
    assert_eq!(
        iam.instance_profiles[0].roles,
        ["arn:aws:iam::012345678901:role/OverprivilegedEC2"]
    );
    // 33 versions over 32 policies: exactly one policy keeps a non-default version.
    let others: usize = iam
        .managed_policies
        .iter()
        .map(|p| p.other_versions.len())
        .sum();
    assert_eq!(others, 1);
}

#[test]
fn cloudmapper_demo_imports_with_exact_counts() {
    let (snapshot, warnings) = import("cloudmapper-demo-authorization-details.json");
    assert_eq!(counts(&snapshot, "123456789012"), (2, 1, 4, 2));
    // Its users and group carry `aws` as account in their ARNs: kept, but reported.
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("3 records name another account"));
}

#[test]
fn airiam_variant_imports_with_exact_counts_and_extra_fields() {
    let (snapshot, warnings) = import("airiam-iam-data.json");
    assert_eq!(counts(&snapshot, "000000000000"), (5, 1, 8, 19));
    assert!(warnings.is_empty(), "{warnings:?}");
    let iam = &snapshot.accounts[0].iam;
    let gandalf = iam
        .users
        .iter()
        .find(|u| u.name == "gandalf@bridgecrew.io")
        .unwrap();
    assert_eq!(gandalf.has_console_password, Some(true));
    assert_eq!(gandalf.access_keys.len(), 1);
    assert!(gandalf.access_keys[0].active);
    assert_eq!(
        gandalf.access_keys[0].last_used.as_deref(),
        Some("2020-03-19T06:03:00+00:00")
    );
    let role = iam
        .roles
        .iter()
        .find(|r| r.name == "AllowWriteToEs")
        .unwrap();
    assert_eq!(role.last_used.as_deref(), Some("2020-03-21T07:40:00+00:00"));
    // 54 versions over 19 policies.
    let others: usize = iam
        .managed_policies
        .iter()
        .map(|p| p.other_versions.len())
        .sum();
    assert_eq!(others, 54 - 19);
}

#[test]
fn iam_vulnerable_imports_with_exact_counts() {
    let (snapshot, warnings) = import("cloudsplaining-iam-vulnerable-authz-details.json");
    assert_eq!(counts(&snapshot, "200611803367"), (44, 5, 78, 84));
    // The file also holds cloudsplaining's example principals of account 012345678901.
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("10 records name another account"));
    let roles_with_profiles = &snapshot.accounts[0].iam.instance_profiles;
    assert!(!roles_with_profiles.is_empty());
}

#[test]
fn all_files_import_together_into_four_accounts_sharing_documents() {
    let mut importer = GaadImporter::new();
    let names = [
        "airiam-iam-data.json",
        "cloudmapper-demo-authorization-details.json",
        "cloudsplaining-example-authz-details.json",
        "cloudsplaining-iam-vulnerable-authz-details.json",
    ];
    for name in names {
        importer.read_file(&dataset(name), None).unwrap();
    }
    let snapshot = importer.finish(None).unwrap().snapshot;
    let ids: Vec<&str> = snapshot.accounts.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "000000000000",
            "123456789012",
            "012345678901",
            "200611803367"
        ]
    );
    assert!(snapshot.validate().is_empty());
    let references: usize = snapshot
        .accounts
        .iter()
        .map(|a| {
            let iam = &a.iam;
            iam.roles.len()
                + iam
                    .roles
                    .iter()
                    .map(|r| r.inline_policies.len())
                    .sum::<usize>()
                + iam
                    .managed_policies
                    .iter()
                    .map(|p| 1 + p.other_versions.len())
                    .sum::<usize>()
        })
        .sum();
    assert!(
        snapshot.documents.len() < references,
        "documents are shared: {} stored for {references} references",
        snapshot.documents.len()
    );
    for account in &snapshot.accounts {
        let of_account: Vec<_> = snapshot
            .meta
            .coverage
            .iter()
            .filter(|c| c.account_id == account.id)
            .collect();
        let iam = of_account.iter().find(|c| c.service == "iam").unwrap();
        assert_eq!(iam.status, CoverageStatus::Collected);
        let ecs = of_account.iter().find(|c| c.service == "ecs").unwrap();
        assert_eq!(
            ecs.status,
            CoverageStatus::NotCollected {
                reason: NOT_COLLECTED_REASON.into()
            }
        );
    }
}
