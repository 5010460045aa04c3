//! iam-vulnerable (BishopFox) names each principal after what it may do: `privescN-*` and
//! `fnN-*` principals can escalate to administrator, `fpN-*` ones are traps that look
//! exploitable and are not. blast-radius on its public GAAD file must agree with every
//! label, except where this file's data says otherwise (each exception says why).
//! `docs/public-datasets.md` has the side-by-side with Cloudsplaining.

mod common;

use common::{blastgraph, dataset};
use serde_json::Value;
use std::collections::BTreeMap;

const FILE: &str = "authorization-details/cloudsplaining-iam-vulnerable-authz-details.json";

/// Labelled "escalates", not escalating on this data, and why.
const NOT_ESCALATING: &[(&str, &str)] = &[
    // Techniques that change another principal's permissions; the actor cannot become
    // that principal (no sts:AssumeRole, no role trusts it, no access key creation).
    (
        "role/privesc7-AttachUserPolicy-role",
        "a role attaching policies to users",
    ),
    (
        "role/privesc8-AttachGroupPolicy-role",
        "a role is in no group",
    ),
    (
        "role/privesc10-PutUserPolicy-role",
        "a role writing users' policies",
    ),
    (
        "role/privesc11-PutGroupPolicy-role",
        "a role is in no group",
    ),
    (
        "role/privesc13-AddUserToGroup-role",
        "a role cannot join a group",
    ),
    ("user/privesc9-AttachRolePolicy-user", "can assume no role"),
    ("user/privesc12-PutRolePolicy-user", "can assume no role"),
    // SetDefaultPolicyVersion needs a stored non-default version: the file has none.
    (
        "role/privesc2-SetExistingDefaultPolicyVersion-role",
        "no other version stored",
    ),
    (
        "user/privesc2-SetExistingDefaultPolicyVersion-user",
        "no other version stored",
    ),
    // No policy at all, and the start role trusts only an SSO session.
    ("user/privesc-AssumeRole-start-user", "no permissions"),
    // The permissive trust is the finding; the role itself has no permissions.
    ("role/privesc-permissive-role-trust", "no permissions"),
];

/// Labelled "no", reported anyway: `aws:TokenIssueTime` is unknown in a snapshot, so
/// the condition `DateLessThan 2020-01-01` makes the path conditional, not absent.
const CONDITIONAL_TRAPS: &[&str] = &[
    "role/fp5-nonExploitableConditionConstraint-role",
    "user/fp5-nonExploitableConditionConstraint-user",
];

fn label(name: &str) -> Option<bool> {
    let short = name.rsplit('/').next().unwrap_or(name);
    if short.starts_with("fp") && short.as_bytes().get(2).is_some_and(u8::is_ascii_digit) {
        Some(false)
    } else if short.starts_with("privesc") || short.starts_with("fn") {
        Some(true)
    } else {
        None
    }
}

#[test]
fn blast_radius_agrees_with_every_iam_vulnerable_label_it_can() {
    let dir = tempfile::tempdir().unwrap();
    let snap = dir.path().join("iv.snap");
    let import = blastgraph(
        dir.path(),
        &[
            "import",
            "gaad",
            dataset(FILE).to_str().unwrap(),
            "-o",
            snap.to_str().unwrap(),
        ],
    );
    assert_eq!(import.code, 0, "{}", import.stderr);
    let run = blastgraph(
        dir.path(),
        &[
            "blast-radius",
            "--all",
            "--snapshot",
            snap.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let json: Value = serde_json::from_str(&run.stdout).unwrap();
    let administers: BTreeMap<String, bool> = json["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            let arn = row["source"].as_str().unwrap();
            let name = arn.splitn(6, ':').nth(5).unwrap().to_string();
            (name, !row["administers"].as_array().unwrap().is_empty())
        })
        .collect();
    let mut disagreements = Vec::new();
    let mut labelled = 0;
    for (name, &admin) in &administers {
        let Some(escalates) = label(name) else {
            continue;
        };
        labelled += 1;
        let expected = if NOT_ESCALATING.iter().any(|(n, _)| n == name) {
            false
        } else {
            escalates || CONDITIONAL_TRAPS.contains(&name.as_str())
        };
        if admin != expected {
            disagreements.push(format!("{name}: administers {admin}, expected {expected}"));
        }
    }
    assert_eq!(labelled, 86, "the file's labelled users and roles");
    assert!(disagreements.is_empty(), "{disagreements:#?}");
    // The traps that are not conditional stay unreported.
    for trap in [
        "fp1-allow-and-deny",
        "fp2-allow-and-deny-multiple-policies",
        "fp3-deny-iam",
        "fp4-nonExploitableResourceConstraint",
    ] {
        assert_eq!(
            administers.get(&format!("user/{trap}-user")),
            Some(&false),
            "{trap}"
        );
    }
}
