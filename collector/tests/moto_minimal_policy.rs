//! The minimal IAM policy suffices: moto enforces IAM authorization (after
//! `/moto-api/reset-auth`), the collector runs with the keys of a user that has only
//! `minimal-iam-policy.json`, and every service is collected. The control: the same
//! policy without `kms:GetKeyPolicy` leaves a KMS gap, so the check can fail.
//!
//! moto 5.2.5's enforcement has two flaws worked around here: it checks S3's
//! `GetPublicAccessBlock` against `s3:ListBucket` (AWS's action is
//! `s3:GetBucketPublicAccessBlock`), so the test adds moto's name; and it rejects the
//! SigV4 signatures of the REST-JSON services EKS and Lambda (`SignatureDoesNotMatch`,
//! for boto3 too), so those two are gaps whatever the policy and are only checked to
//! fail for that reason.
//!
//! Needs the virtualenv of `tests/moto/setup.sh`.

#![cfg(feature = "aws")]

mod common;

use blastgraph_collector::aws::{collect_blocking, CollectOptions, Progress};
use blastgraph_engine::snapshot::{CoverageStatus, Snapshot};

/// Creates a user with `policy` attached and prints `KEY SECRET`.
const CREATE_USER: &str = r#"
import sys, boto3
endpoint, name, policy = sys.argv[1], sys.argv[2], open(sys.argv[3]).read()
iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1")
iam.create_user(UserName=name)
iam.put_user_policy(UserName=name, PolicyName="collector", PolicyDocument=policy)
key = iam.create_access_key(UserName=name)["AccessKey"]
print(key["AccessKeyId"], key["SecretAccessKey"])
"#;

/// Turns on IAM enforcement for every following request.
const ENFORCE: &str = r#"
import sys, urllib.request
request = urllib.request.Request(sys.argv[1] + "/moto-api/reset-auth", data=b"0", method="POST", headers={"Content-Type": "text/plain"})
urllib.request.urlopen(request).read()
"#;

fn create_user(moto: &common::Moto, name: &str, policy: &str) -> (String, String) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("policy.json");
    std::fs::write(&file, policy).unwrap();
    let script = CREATE_USER.replace(
        "sys.argv[1], sys.argv[2], open(sys.argv[3]).read()",
        &format!(
            "sys.argv[1], {name:?}, open({:?}).read()",
            file.display().to_string()
        ),
    );
    let out = moto.python(&script, &[]);
    let mut words = out.split_whitespace();
    (
        words.next().unwrap().to_string(),
        words.next().unwrap().to_string(),
    )
}

fn collect_as(moto: &common::Moto, keys: &(String, String)) -> Snapshot {
    common::use_credentials(&keys.0, &keys.1);
    let options = CollectOptions {
        endpoint_url: Some(moto.endpoint.clone()),
        region: Some("us-east-1".into()),
        regions: Some(vec!["us-east-1".into()]),
        max_attempts: 2,
        progress: Progress::Quiet,
        ..CollectOptions::default()
    };
    collect_blocking(&options)
        .expect("collection runs")
        .snapshot
}

fn gaps(snapshot: &Snapshot) -> Vec<(String, String)> {
    snapshot
        .meta
        .gaps()
        .map(|g| {
            let error = match &g.status {
                CoverageStatus::Failed { error } => error.clone(),
                other => format!("{other:?}"),
            };
            (g.service.clone(), error)
        })
        .collect()
}

#[test]
fn the_minimal_policy_suffices_and_less_does_not() {
    let moto = common::Moto::start(&[]);
    moto.populate(20);
    let policy =
        std::fs::read_to_string(common::repo_root().join("collector/minimal-iam-policy.json"))
            .unwrap();
    // moto's action for GetPublicAccessBlock (see the module docs).
    let policy = policy.replace(
        "\"s3:GetBucketPublicAccessBlock\",",
        "\"s3:GetBucketPublicAccessBlock\", \"s3:ListBucket\",",
    );
    assert!(policy.contains("s3:ListBucket"));
    let minimal = create_user(&moto, "collector", &policy);
    let reduced = create_user(
        &moto,
        "collector-without-key-policies",
        &policy.replace("\"kms:GetKeyPolicy\",", ""),
    );
    moto.python(ENFORCE, &[]);

    let snapshot = collect_as(&moto, &minimal);
    let unexpected: Vec<_> = gaps(&snapshot)
        .into_iter()
        // moto cannot verify EKS's and Lambda's signatures (see the module docs).
        .filter(|(service, error)| {
            !(["eks", "lambda"].contains(&service.as_str())
                && error.contains("SignatureDoesNotMatch"))
        })
        .collect();
    assert_eq!(unexpected, vec![], "the minimal policy must suffice");
    let account = &snapshot.accounts[0];
    assert!(account.iam.roles.len() >= 20);
    assert!(!account.resources.is_empty());
    assert!(!account.compute.ec2_instances.is_empty());
    assert!(snapshot.collected_by_user("collector"));

    let snapshot = collect_as(&moto, &reduced);
    let kms_gaps: Vec<_> = gaps(&snapshot)
        .into_iter()
        .filter(|(service, _)| service == "kms")
        .collect();
    assert_eq!(
        kms_gaps.len(),
        1,
        "without kms:GetKeyPolicy: {:?}",
        gaps(&snapshot)
    );
    assert!(kms_gaps[0].1.contains("GetKeyPolicy"), "{}", kms_gaps[0].1);
    // What was readable is kept: the keys are there, without their policy.
    assert!(snapshot.accounts[0]
        .resources
        .iter()
        .any(|r| r.arn.contains(":key/")));
}

trait CollectedBy {
    fn collected_by_user(&self, name: &str) -> bool;
}

impl CollectedBy for Snapshot {
    fn collected_by_user(&self, name: &str) -> bool {
        self.meta
            .collected_by
            .as_deref()
            .is_some_and(|arn| arn.ends_with(&format!(":user/{name}")))
    }
}
