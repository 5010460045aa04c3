//! `minimal-iam-policy.json` lists exactly the operations the collector's source calls:
//! every `"service:Operation` named in `src/aws/` (each SDK call is described with its
//! IAM action for coverage gaps) is in the policy, and the policy has nothing else.

use std::collections::BTreeSet;
use std::path::Path;

/// SDK operation names whose IAM action is spelled differently.
const RENAMED: &[(&str, &str)] = &[
    ("s3:ListBuckets", "s3:ListAllMyBuckets"),
    ("s3:GetPublicAccessBlock", "s3:GetBucketPublicAccessBlock"),
];

/// Calls that need no permission.
const FREE: &[&str] = &["sts:GetCallerIdentity"];

/// Actions not named as a string in the source: `sts:AssumeRole` is called by the SDK's
/// assume-role credentials provider.
const INDIRECT: &[&str] = &["sts:AssumeRole"];

fn actions_in_source() -> BTreeSet<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/aws");
    let mut actions = BTreeSet::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        for quoted in text.split('"').skip(1).step_by(2) {
            let Some((service, rest)) = quoted.split_once(':') else {
                continue;
            };
            let operation: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect();
            let is_service = !service.is_empty()
                && service
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
            if is_service && operation.starts_with(|c: char| c.is_ascii_uppercase()) {
                let action = format!("{service}:{operation}");
                let action = RENAMED
                    .iter()
                    .find(|(api, _)| *api == action)
                    .map_or(action, |(_, iam)| iam.to_string());
                if !FREE.contains(&action.as_str()) {
                    actions.insert(action);
                }
            }
        }
    }
    actions
}

fn actions_in_policy() -> BTreeSet<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("minimal-iam-policy.json");
    let policy: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    policy["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["Action"].as_array().unwrap())
        .map(|a| a.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn the_policy_lists_exactly_the_actions_called() {
    let mut called = actions_in_source();
    assert!(called.len() > 40, "the scan finds the calls: {called:?}");
    called.extend(INDIRECT.iter().map(|a| a.to_string()));
    let listed = actions_in_policy();
    let missing: Vec<_> = called.difference(&listed).collect();
    let unused: Vec<_> = listed.difference(&called).collect();
    assert!(
        missing.is_empty(),
        "called but not in minimal-iam-policy.json: {missing:?}"
    );
    assert!(
        unused.is_empty(),
        "in minimal-iam-policy.json but never called: {unused:?}"
    );
}

#[test]
fn the_policy_is_read_only() {
    for action in actions_in_policy() {
        let operation = action.split(':').nth(1).unwrap();
        let read = ["Describe", "List", "Get"]
            .iter()
            .any(|p| operation.starts_with(p))
            || action == "sts:AssumeRole";
        assert!(read, "{action} is not a read");
        assert!(![
            "secretsmanager:GetSecretValue",
            "s3:GetObject",
            "ssm:GetParameter"
        ]
        .contains(&action.as_str()));
    }
}
