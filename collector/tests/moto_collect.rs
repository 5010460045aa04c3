//! End to end against a real emulator: moto is populated with boto3 (one account, more
//! than 1,000 roles, ECS on EC2 and Fargate, EKS with IRSA, EC2 with IMDSv1 and v2,
//! buckets, secrets, KMS keys, RDS, Lambda), then the collector reads it through the
//! Rust AWS SDK over HTTP, and the snapshot must hold exactly what was created.
//!
//! Needs the virtualenv of `tests/moto/setup.sh`.

#![cfg(feature = "aws")]

mod common;

use blastgraph_collector::aws::{collect_blocking, CollectOptions, Progress};
use blastgraph_engine::snapshot::{
    format, CoverageStatus, HttpTokens, LaunchType, NetworkMode, ResourceKind, Snapshot,
};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// More than one page of every IAM list call (real AWS pages GAAD by 100 to 1,000).
const ROLES: usize = 1050;

fn strings(value: &Value) -> BTreeSet<String> {
    match value {
        Value::Array(items) => items
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect(),
        Value::Object(map) => map.keys().cloned().collect(),
        _ => panic!("expected an array or object, got {value}"),
    }
}

#[test]
fn the_snapshot_holds_exactly_what_moto_holds() {
    let moto = common::Moto::start(&[]);
    let m = moto.populate(ROLES);
    common::use_credentials("testing", "testing");
    let options = CollectOptions {
        endpoint_url: Some(moto.endpoint.clone()),
        region: Some("us-east-1".into()),
        regions: Some(vec!["us-east-1".into(), "eu-west-1".into()]),
        progress: Progress::Quiet,
        ..CollectOptions::default()
    };
    let collection = collect_blocking(&options).expect("collection runs");
    let snapshot = collection.snapshot;
    assert!(collection.api_calls > 0);
    assert_eq!(snapshot.validate(), vec![], "the snapshot is consistent");
    assert_eq!(
        format::decode(&format::encode(&snapshot)).unwrap(),
        snapshot
    );

    check_coverage(&snapshot);
    assert_eq!(snapshot.accounts.len(), 1);
    let account = &snapshot.accounts[0];
    assert_eq!(account.id, m["account"].as_str().unwrap());
    check_iam(&snapshot, &m);
    check_compute(&snapshot, &m);
    check_resources(&snapshot, &m);

    // Data-free: no secret value or database password made it into the snapshot.
    let json = serde_json::to_string(&snapshot).unwrap();
    assert!(
        !json.contains("not-collected"),
        "a secret value leaked into the snapshot"
    );
}

/// Every unit was collected except what moto 5.2.5 does not implement (EKS Pod Identity
/// associations), which must be a recorded gap, not a silent hole.
fn check_coverage(snapshot: &Snapshot) {
    let mut units = BTreeMap::new();
    for c in &snapshot.meta.coverage {
        units.insert(
            (c.region.clone().unwrap_or_default(), c.service.clone()),
            c.status.clone(),
        );
    }
    assert_eq!(
        units.len(),
        2 + 7 * 2,
        "iam, s3, and 7 services in 2 regions: {units:?}"
    );
    for ((region, service), status) in &units {
        if (region.as_str(), service.as_str()) == ("us-east-1", "eks") {
            match status {
                CoverageStatus::Failed { error } => {
                    assert!(error.contains("ListPodIdentityAssociations"), "{error}")
                }
                other => panic!("moto has no Pod Identity API, expected a gap, got {other:?}"),
            }
        } else {
            assert_eq!(status, &CoverageStatus::Collected, "{region} {service}");
        }
    }
}

fn check_iam(snapshot: &Snapshot, m: &Value) {
    let iam = &snapshot.accounts[0].iam;
    let roles: BTreeSet<String> = iam.roles.iter().map(|r| r.arn.clone()).collect();
    assert_eq!(roles, strings(&m["roles"]));
    assert!(roles.len() > 1000);
    let bulk = iam
        .roles
        .iter()
        .find(|r| r.name == "bulk-role-0008")
        .unwrap();
    assert_eq!(bulk.path, "/bulk/");
    assert_eq!(bulk.tags.get("team").map(String::as_str), Some("t1"));
    assert!(snapshot
        .document(bulk.trust_policy)
        .contains("ec2.amazonaws.com"));
    // 1,050 roles share one trust policy: it is stored once.
    assert!(
        snapshot.documents.len() < 40,
        "{} documents",
        snapshot.documents.len()
    );

    let task_role = iam
        .roles
        .iter()
        .find(|r| r.name == "ecs-task-role")
        .unwrap();
    assert_eq!(task_role.inline_policies.len(), 1);
    assert!(snapshot
        .document(task_role.inline_policies[0].document)
        .contains("secretsmanager:GetSecretValue"));
    let irsa = iam
        .roles
        .iter()
        .find(|r| r.name == "irsa-payments")
        .unwrap();
    assert!(snapshot
        .document(irsa.trust_policy)
        .contains("system:serviceaccount:shop:payments"));

    let users: BTreeSet<String> = iam.users.iter().map(|u| u.arn.clone()).collect();
    assert_eq!(users, strings(&m["users"]));
    let alice = iam.users.iter().find(|u| u.name == "alice").unwrap();
    assert_eq!(alice.groups, vec!["developers".to_string()]);
    assert_eq!(alice.tags.get("owner").map(String::as_str), Some("alice"));
    assert_eq!(alice.access_keys.len(), 2);
    assert_eq!(alice.access_keys.iter().filter(|k| k.active).count(), 1);
    assert!(alice.access_keys.iter().all(|k| k.created.is_some()));
    let bob = iam.users.iter().find(|u| u.name == "bob").unwrap();
    assert!(bob.access_keys.is_empty());
    assert_eq!(bob.inline_policies.len(), 1);

    assert_eq!(iam.groups.len(), 1);
    let group = &iam.groups[0];
    assert_eq!(
        group.attached_policies,
        vec![m["managed_policies"][0].as_str().unwrap().to_string()]
    );
    assert_eq!(group.inline_policies[0].name, "assume-any");

    let customer: Vec<_> = iam
        .managed_policies
        .iter()
        .filter(|p| !p.is_aws_managed())
        .collect();
    assert_eq!(customer.len(), 1, "{customer:?}");
    let policy = customer[0];
    assert_eq!(policy.arn, m["managed_policies"][0].as_str().unwrap());
    assert_eq!(policy.name, "s3-reader");
    assert_eq!(policy.default_version_id.as_deref(), Some("v2"));
    assert!(snapshot.document(policy.document).contains("s3:ListBucket"));
    assert_eq!(policy.other_versions.len(), 1);
    assert!(!snapshot
        .document(policy.other_versions[0].document)
        .contains("s3:ListBucket"));

    let profiles: BTreeMap<String, Vec<String>> = iam
        .instance_profiles
        .iter()
        .map(|p| (p.arn.clone(), p.roles.clone()))
        .collect();
    let expected: BTreeMap<String, Vec<String>> = m["instance_profiles"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), strings(v).into_iter().collect()))
        .collect();
    assert_eq!(profiles, expected);

    let (oidc_arn, issuer) = m["oidc_providers"]
        .as_object()
        .unwrap()
        .iter()
        .next()
        .unwrap();
    assert_eq!(iam.oidc_providers.len(), 1);
    assert_eq!(&iam.oidc_providers[0].arn, oidc_arn);
    assert_eq!(iam.oidc_providers[0].url, issuer.as_str().unwrap());
    assert_eq!(
        iam.oidc_providers[0].client_ids,
        vec!["sts.amazonaws.com".to_string()]
    );
}

fn check_compute(snapshot: &Snapshot, m: &Value) {
    let compute = &snapshot.accounts[0].compute;
    let instances: BTreeSet<String> = compute.ec2_instances.iter().map(|i| i.id.clone()).collect();
    assert_eq!(instances, strings(&m["instances"]));
    for instance in &compute.ec2_instances {
        let expected = &m["instances"][&instance.id];
        assert_eq!(
            instance.instance_profile_arn.as_deref(),
            expected["profile"].as_str()
        );
        let tokens = match expected["tokens"].as_str().unwrap() {
            "required" => HttpTokens::Required,
            _ => HttpTokens::Optional,
        };
        assert_eq!(instance.metadata.tokens, tokens, "{}", instance.id);
        assert_eq!(
            u64::from(instance.metadata.hop_limit),
            expected["hops"].as_u64().unwrap()
        );
        assert_eq!(instance.region, "us-east-1");
        assert_eq!(instance.state, "running");
    }

    let ecs = &m["ecs"];
    assert_eq!(compute.ecs_clusters.len(), 1);
    let cluster = &compute.ecs_clusters[0];
    assert_eq!(cluster.arn, ecs["cluster"].as_str().unwrap());
    assert_eq!(cluster.container_instances.len(), 1);
    assert_eq!(
        cluster.container_instances[0].arn,
        ecs["container_instance"].as_str().unwrap()
    );
    assert_eq!(
        cluster.container_instances[0].ec2_instance_id,
        ecs["container_instance_ec2"].as_str().unwrap()
    );
    let on_instance: BTreeSet<String> = cluster
        .tasks
        .iter()
        .filter(|t| t.container_instance_arn.as_deref() == ecs["container_instance"].as_str())
        .map(|t| t.arn.clone())
        .collect();
    assert_eq!(
        on_instance,
        strings(&ecs["colocated_tasks"]),
        "co-located tasks"
    );
    let fargate: BTreeSet<String> = cluster
        .tasks
        .iter()
        .filter(|t| t.launch_type == LaunchType::Fargate)
        .map(|t| t.arn.clone())
        .collect();
    assert!(strings(&ecs["fargate_tasks"]).is_subset(&fargate));
    assert!(cluster
        .tasks
        .iter()
        .filter(|t| t.container_instance_arn.is_some())
        .all(|t| t.launch_type == LaunchType::Ec2));
    assert_eq!(cluster.services.len(), 1);
    assert_eq!(cluster.services[0].arn, ecs["service"].as_str().unwrap());
    assert_eq!(cluster.services[0].launch_type, LaunchType::Fargate);
    let definitions: BTreeSet<String> = compute
        .task_definitions
        .iter()
        .map(|t| t.arn.clone())
        .collect();
    assert_eq!(
        definitions,
        strings(&ecs["task_definitions"]),
        "only task definitions in use"
    );
    for definition in &compute.task_definitions {
        let expected = &ecs["task_definitions"][&definition.arn];
        assert_eq!(
            definition.task_role_arn.as_deref(),
            expected["task_role"].as_str()
        );
        let mode = match expected["mode"].as_str().unwrap() {
            "host" => NetworkMode::Host,
            "awsvpc" => NetworkMode::Awsvpc,
            _ => NetworkMode::Bridge,
        };
        assert_eq!(definition.network_mode, mode, "{}", definition.arn);
    }

    let eks = &m["eks"];
    assert_eq!(compute.eks_clusters.len(), 1);
    let cluster = &compute.eks_clusters[0];
    assert_eq!(cluster.arn, eks["arn"].as_str().unwrap());
    assert_eq!(cluster.oidc_issuer.as_deref(), eks["issuer"].as_str());
    assert_eq!(cluster.node_groups.len(), 1);
    let group = &cluster.node_groups[0];
    assert_eq!(group.arn, eks["nodegroup"].as_str().unwrap());
    assert_eq!(group.node_role_arn, eks["node_role"].as_str().unwrap());
    assert_eq!(
        group.instance_ids.iter().cloned().collect::<BTreeSet<_>>(),
        strings(&eks["node_instances"])
    );
    assert!(!cluster.kubernetes_collected);
}

fn check_resources(snapshot: &Snapshot, m: &Value) {
    let resources = &snapshot.accounts[0].resources;
    let of_kind = |f: fn(&ResourceKind) -> bool| -> Vec<_> {
        resources.iter().filter(|r| f(&r.kind)).collect()
    };

    let buckets = of_kind(|k| matches!(k, ResourceKind::S3Bucket { .. }));
    let names: BTreeSet<String> = buckets
        .iter()
        .map(|b| b.arn.trim_start_matches("arn:aws:s3:::").to_string())
        .collect();
    assert_eq!(names, strings(&m["buckets"]));
    for bucket in buckets {
        let expected = &m["buckets"][bucket.arn.trim_start_matches("arn:aws:s3:::")];
        assert_eq!(
            bucket.policy.is_some(),
            expected["policy"].as_bool().unwrap(),
            "{}",
            bucket.arn
        );
        let ResourceKind::S3Bucket {
            block_public_access,
        } = &bucket.kind
        else {
            unreachable!()
        };
        let bpa = block_public_access.expect("collected");
        assert_eq!(
            bpa.block_public_policy,
            expected["bpa"].as_bool().unwrap(),
            "{}",
            bucket.arn
        );
        let tags: BTreeMap<String, String> =
            serde_json::from_value(expected["tags"].clone()).unwrap();
        assert_eq!(bucket.tags, tags);
        assert_eq!(bucket.region, None);
    }

    let secrets = of_kind(|k| matches!(k, ResourceKind::Secret { .. }));
    assert_eq!(
        secrets
            .iter()
            .map(|s| s.arn.clone())
            .collect::<BTreeSet<_>>(),
        strings(&m["secrets"])
    );
    for secret in secrets {
        let expected = &m["secrets"][&secret.arn];
        let ResourceKind::Secret { kms_key_id } = &secret.kind else {
            unreachable!()
        };
        assert_eq!(
            kms_key_id.as_deref(),
            expected["kms"].as_str(),
            "{}",
            secret.arn
        );
        assert_eq!(
            secret.policy.is_some(),
            expected["policy"].as_bool().unwrap(),
            "{}",
            secret.arn
        );
    }

    let keys = of_kind(|k| matches!(k, ResourceKind::KmsKey { .. }));
    assert_eq!(
        keys.iter().map(|k| k.arn.clone()).collect::<BTreeSet<_>>(),
        strings(&m["kms"])
    );
    for key in keys {
        let expected = &m["kms"][&key.arn];
        let ResourceKind::KmsKey {
            customer_managed,
            aliases,
            grants,
        } = &key.kind
        else {
            unreachable!()
        };
        assert!(customer_managed);
        assert!(key.policy.is_some(), "every key has a key policy");
        match expected["alias"].as_str() {
            Some(alias) => {
                assert_eq!(aliases, &vec![alias.to_string()]);
                assert_eq!(grants.len(), 1);
                assert_eq!(
                    grants[0].grantee_principal,
                    expected["grantee"].as_str().unwrap()
                );
                assert_eq!(grants[0].operations, vec!["Decrypt".to_string()]);
                assert_eq!(key.tags.get("env").map(String::as_str), Some("prod"));
            }
            None => {
                assert!(aliases.is_empty());
                assert!(grants.is_empty());
            }
        }
    }

    let databases: Vec<_> = resources
        .iter()
        .filter_map(|r| match &r.kind {
            ResourceKind::RdsInstance(db) | ResourceKind::RdsCluster(db) => {
                Some((r.arn.clone(), db))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        databases
            .iter()
            .map(|(a, _)| a.clone())
            .collect::<BTreeSet<_>>(),
        strings(&m["rds"])
    );
    for (arn, db) in databases {
        assert_eq!(
            db.iam_auth,
            m["rds"][&arn]["iam_auth"].as_bool().unwrap(),
            "{arn}"
        );
        assert_eq!(
            db.resource_id,
            m["rds"][&arn]["resource_id"].as_str().unwrap(),
            "{arn}"
        );
    }

    let functions = of_kind(|k| matches!(k, ResourceKind::LambdaFunction { .. }));
    assert_eq!(
        functions
            .iter()
            .map(|f| f.arn.clone())
            .collect::<BTreeSet<_>>(),
        strings(&m["lambda"])
    );
    let function = functions[0];
    let ResourceKind::LambdaFunction { execution_role_arn } = &function.kind else {
        unreachable!()
    };
    assert_eq!(
        execution_role_arn.as_deref(),
        m["lambda"][&function.arn]["role"].as_str()
    );
    assert!(snapshot
        .document(function.policy.expect("resource policy"))
        .contains("lambda:InvokeFunction"));
    assert_eq!(function.tags.get("team").map(String::as_str), Some("media"));
}

/// AWS managed policies: moto (like an account's GAAD when asked for them) knows about
/// 1,500 of them; the snapshot holds exactly the ones the account attaches, each with its
/// default version's document as IAM stores it and this account's attachment count.
#[test]
fn only_attached_aws_managed_policies_are_read_with_their_default_version() {
    let moto = common::Moto::start(&[("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")]);
    // Three bulk roles with two AWS managed policies each: policies 0..=3 of
    // populate.py's list, the middle two attached twice.
    moto.populate_with(3, &["--aws-managed", "2"]);
    common::use_credentials("testing", "testing");
    let options = CollectOptions {
        endpoint_url: Some(moto.endpoint.clone()),
        region: Some("us-east-1".into()),
        regions: Some(vec!["us-east-1".into()]),
        progress: Progress::Quiet,
        ..CollectOptions::default()
    };
    let snapshot = collect_blocking(&options)
        .expect("collection runs")
        .snapshot;
    let iam = &snapshot.accounts[0].iam;
    let aws_managed: BTreeMap<&str, Option<u32>> = iam
        .managed_policies
        .iter()
        .filter(|p| p.arn.starts_with("arn:aws:iam::aws:policy/"))
        .map(|p| (p.name.as_str(), p.attachment_count))
        .collect();
    assert_eq!(
        aws_managed,
        BTreeMap::from([
            ("AmazonEC2FullAccess", Some(2)),
            ("AmazonS3FullAccess", Some(2)),
            ("IAMReadOnlyAccess", Some(1)),
            ("ReadOnlyAccess", Some(1)),
        ])
    );
    let expected = moto.python(
        r#"
import boto3, json, sys
iam = boto3.client("iam", endpoint_url=sys.argv[1], region_name="us-east-1")
arn = "arn:aws:iam::aws:policy/AmazonS3FullAccess"
version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
doc = iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]["Document"]
print(json.dumps({"version": version, "document": doc}))
"#,
        &[],
    );
    let expected: Value = serde_json::from_str(&expected).unwrap();
    let s3 = iam
        .managed_policies
        .iter()
        .find(|p| p.name == "AmazonS3FullAccess")
        .unwrap();
    assert_eq!(
        s3.default_version_id.as_deref(),
        expected["version"].as_str()
    );
    assert!(s3.other_versions.is_empty(), "only the default version");
    assert_eq!(
        serde_json::from_str::<Value>(snapshot.document(s3.document)).unwrap(),
        expected["document"]
    );
}
