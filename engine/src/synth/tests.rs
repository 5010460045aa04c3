//! Tests of the generator: determinism, validity, documented sizes, referential
//! integrity, and the planted misconfigurations.

use super::*;
use crate::snapshot::{format, ResourceKind};
use std::collections::{BTreeSet, HashSet};

fn small(seed: u64) -> Generated {
    generate(&Profile::Small.config(seed)).expect("the small profile is valid")
}

fn custom(accounts: usize, roles: usize, seed: u64, misconfiguration_per_mille: u32) -> Generated {
    let mut config = SynthConfig::custom(accounts, roles, seed).expect("valid size");
    config.misconfiguration_per_mille = misconfiguration_per_mille;
    generate(&config).expect("valid config")
}

#[test]
fn the_same_seed_gives_byte_identical_snapshots() {
    let first = format::encode(&small(42).snapshot);
    let second = format::encode(&small(42).snapshot);
    assert_eq!(first, second);
}

#[test]
fn output_does_not_depend_on_the_thread_count() {
    let config = SynthConfig::custom(6, 40, 9).unwrap();
    let one_thread = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let serial = one_thread.install(|| generate(&config).unwrap());
    let parallel = generate(&config).unwrap();
    assert_eq!(
        format::encode(&serial.snapshot),
        format::encode(&parallel.snapshot)
    );
    assert_eq!(serial.planted, parallel.planted);
}

#[test]
fn different_seeds_give_different_organizations() {
    let a = small(1).snapshot;
    let b = small(2).snapshot;
    assert_ne!(format::encode(&a), format::encode(&b));
    let ids = |s: &Snapshot| s.accounts.iter().map(|a| a.id.clone()).collect::<Vec<_>>();
    assert_ne!(ids(&a), ids(&b));
}

#[test]
fn generated_snapshots_validate_and_round_trip() {
    for generated in [small(7), custom(12, 40, 3, 200)] {
        let snapshot = generated.snapshot;
        let issues = snapshot.validate();
        assert!(
            issues.is_empty(),
            "first issues: {:?}",
            &issues[..issues.len().min(5)]
        );
        let decoded = format::decode(&format::encode(&snapshot)).unwrap();
        assert_eq!(decoded, snapshot);
    }
}

#[test]
fn the_small_profile_has_its_documented_size() {
    let snapshot = small(5).snapshot;
    let counts = Counts::of(&snapshot);
    assert_eq!(counts.accounts, 3);
    assert_eq!(counts.roles, 300);
    assert_eq!(counts.resources, 3_000);
    for account in &snapshot.accounts {
        assert_eq!(account.iam.roles.len(), 100, "account {}", account.id);
        assert_eq!(account.resources.len(), 1_000, "account {}", account.id);
    }
    assert!(
        counts.ecs_clusters >= 3 && counts.eks_clusters >= 3 && counts.pods > 0,
        "{counts}"
    );
    assert_eq!(
        snapshot.meta.origin,
        Origin::Synthetic {
            profile: "small".into(),
            seed: 5
        }
    );
    let org = snapshot.organization.as_ref().expect("an organization");
    assert_eq!(org.management_account_id, snapshot.accounts[0].id);
}

#[test]
fn profiles_have_their_documented_totals() {
    let totals: Vec<(usize, usize, usize)> = Profile::ALL
        .iter()
        .map(|p| {
            let c = p.config(0);
            (
                c.accounts,
                c.accounts * c.roles_per_account,
                c.accounts * c.resources_per_account,
            )
        })
        .collect();
    assert_eq!(
        totals,
        [
            (3, 300, 3_000),
            (50, 10_000, 100_000),
            (200, 50_000, 500_000),
            (1_000, 200_000, 2_000_000)
        ]
    );
    assert_eq!("large".parse::<Profile>(), Ok(Profile::Large));
    assert!("huge".parse::<Profile>().is_err());
}

#[test]
fn explicit_sizes_are_respected_exactly() {
    let snapshot = custom(4, 57, 11, DEFAULT_MISCONFIGURATION_PER_MILLE).snapshot;
    assert_eq!(snapshot.accounts.len(), 4);
    for account in &snapshot.accounts {
        assert_eq!(account.iam.roles.len(), 57);
        assert_eq!(account.resources.len(), 570);
    }
}

#[test]
fn impossible_sizes_are_refused() {
    assert_eq!(SynthConfig::custom(0, 100, 1), Err(SynthError::NoAccounts));
    assert_eq!(
        SynthConfig::custom(2, 10, 1),
        Err(SynthError::TooFewRoles { found: 10 })
    );
    assert!(SynthConfig::custom(1, MIN_ROLES_PER_ACCOUNT, 1).is_ok());
}

#[test]
fn a_single_account_organization_works() {
    let snapshot = custom(1, MIN_ROLES_PER_ACCOUNT, 4, 20).snapshot;
    assert!(snapshot.validate().is_empty());
    assert_eq!(snapshot.accounts[0].iam.roles.len(), MIN_ROLES_PER_ACCOUNT);
}

/// Every policy document has the JSON shape of an IAM policy: a `Version`, a
/// `Statement` list, and statements with an effect, an action and a target.
#[test]
fn every_document_has_the_shape_of_an_iam_policy() {
    let snapshot = custom(8, 60, 13, 200).snapshot;
    for (id, text) in snapshot.documents.iter() {
        let value: serde_json::Value = serde_json::from_str(text.as_str()).unwrap();
        let at = format!("document {} {}", id.0, text.as_str());
        assert!(
            value["Version"] == "2012-10-17" || value["Version"] == "2008-10-17",
            "{at}"
        );
        let statements = match &value["Statement"] {
            serde_json::Value::Array(list) => list.clone(),
            single @ serde_json::Value::Object(_) => vec![single.clone()],
            _ => panic!("no Statement in {at}"),
        };
        assert!(!statements.is_empty(), "{at}");
        for statement in statements {
            assert!(
                statement["Effect"] == "Allow" || statement["Effect"] == "Deny",
                "{at}"
            );
            assert!(
                statement.get("Action").is_some() != statement.get("NotAction").is_some(),
                "{at}"
            );
            let has_target = statement.get("Resource").is_some()
                || statement.get("NotResource").is_some()
                || statement.get("Principal").is_some();
            assert!(has_target, "{at}");
        }
    }
}

/// What the engine will join on must exist: attached policies are listed, profiles,
/// roles, nodes and container instances named by compute exist.
#[test]
fn references_between_parts_resolve() {
    let snapshot = custom(5, 80, 17, 100).snapshot;
    let org = snapshot.organization.as_ref().unwrap();
    for account in &snapshot.accounts {
        let iam = &account.iam;
        let policies: HashSet<&str> = iam
            .managed_policies
            .iter()
            .map(|p| p.arn.as_str())
            .collect();
        let roles: HashSet<&str> = iam.roles.iter().map(|r| r.arn.as_str()).collect();
        let profiles: HashSet<&str> = iam
            .instance_profiles
            .iter()
            .map(|p| p.arn.as_str())
            .collect();
        let attached = iam
            .roles
            .iter()
            .flat_map(|r| {
                r.attached_policies
                    .iter()
                    .chain(r.permissions_boundary.iter())
            })
            .chain(iam.users.iter().flat_map(|u| u.attached_policies.iter()))
            .chain(iam.groups.iter().flat_map(|g| g.attached_policies.iter()));
        for arn in attached {
            assert!(
                policies.contains(arn.as_str()),
                "{arn} attached but not listed"
            );
        }
        for profile in &iam.instance_profiles {
            assert!(profile.roles.iter().all(|r| roles.contains(r.as_str())));
        }
        let compute = &account.compute;
        let instance_ids: HashSet<&str> = compute
            .ec2_instances
            .iter()
            .map(|i| i.id.as_str())
            .collect();
        for instance in &compute.ec2_instances {
            if let Some(profile) = &instance.instance_profile_arn {
                assert!(profiles.contains(profile.as_str()), "{profile}");
            }
        }
        for definition in &compute.task_definitions {
            for role in definition
                .task_role_arn
                .iter()
                .chain(definition.execution_role_arn.iter())
            {
                assert!(roles.contains(role.as_str()), "{role}");
            }
        }
        let definitions: HashSet<&str> = compute
            .task_definitions
            .iter()
            .map(|d| d.arn.as_str())
            .collect();
        for cluster in &compute.ecs_clusters {
            let hosts: HashSet<&str> = cluster
                .container_instances
                .iter()
                .map(|c| c.arn.as_str())
                .collect();
            assert!(cluster
                .container_instances
                .iter()
                .all(|c| instance_ids.contains(c.ec2_instance_id.as_str())));
            for task in &cluster.tasks {
                assert!(definitions.contains(task.task_definition_arn.as_str()));
                assert_eq!(task.container_instance_arn.is_some(), !hosts.is_empty());
                if let Some(host) = &task.container_instance_arn {
                    assert!(hosts.contains(host.as_str()));
                }
            }
        }
        for cluster in &compute.eks_clusters {
            let issuer = cluster.oidc_issuer.as_deref().unwrap();
            assert!(iam.oidc_providers.iter().any(|p| p.url == issuer));
            let nodes: HashSet<&str> = cluster.nodes.iter().map(|n| n.name.as_str()).collect();
            assert!(cluster
                .pods
                .iter()
                .all(|p| nodes.contains(p.node_name.as_deref().unwrap())));
            assert!(cluster
                .nodes
                .iter()
                .all(|n| instance_ids.contains(n.instance_id.as_deref().unwrap())));
            let accounts: HashSet<(&str, &str)> = cluster
                .service_accounts
                .iter()
                .map(|s| (s.namespace.as_str(), s.name.as_str()))
                .collect();
            for pod in &cluster.pods {
                let daemon = pod.namespace == "kube-system"
                    && (pod.service_account == "aws-node" || pod.service_account == "kube-proxy");
                assert!(
                    daemon
                        || accounts
                            .contains(&(pod.namespace.as_str(), pod.service_account.as_str())),
                    "{pod:?}"
                );
            }
            for role in cluster
                .service_accounts
                .iter()
                .filter_map(|s| s.irsa_role_arn.as_ref())
                .chain(
                    cluster
                        .pod_identity_associations
                        .iter()
                        .map(|a| &a.role_arn),
                )
            {
                assert!(roles.contains(role.as_str()), "{role}");
            }
        }
        for resource in &account.resources {
            if let ResourceKind::LambdaFunction { execution_role_arn } = &resource.kind {
                assert!(roles.contains(
                    execution_role_arn
                        .as_deref()
                        .expect("every function has a role")
                ));
            }
        }
        let parent = account.parent_id.as_deref().unwrap();
        assert!(org.unit(parent).is_some());
    }
}

#[test]
fn documents_are_shared_not_repeated() {
    let generated = custom(10, 60, 21, 20);
    let snapshot = &generated.snapshot;
    let texts: HashSet<&str> = snapshot.documents.iter().map(|(_, t)| t.as_str()).collect();
    assert_eq!(
        texts.len(),
        snapshot.documents.len(),
        "a document is stored twice"
    );
    // The landing-zone roles' AWS managed policies are one document for all accounts.
    let admin: BTreeSet<_> = snapshot
        .accounts
        .iter()
        .flat_map(|a| a.iam.managed_policies.iter())
        .filter(|p| p.name == "AdministratorAccess")
        .map(|p| p.document)
        .collect();
    assert_eq!(admin.len(), 1);
}

#[test]
fn misconfigurations_are_planted_at_the_configured_rate() {
    assert!(
        custom(4, 60, 8, 0)
            .planted
            .iter()
            .all(|p| p.kind == Misconfiguration::ImdsV1),
        "with a zero rate only the background IMDSv1 share remains"
    );
    let generated = custom(6, 80, 8, 1000);
    let kinds: BTreeSet<Misconfiguration> = generated.planted.iter().map(|p| p.kind).collect();
    let all = [
        Misconfiguration::WildcardTrust,
        Misconfiguration::PassRoleToAny,
        Misconfiguration::ImdsV1,
        Misconfiguration::BroadIrsaSubject,
        Misconfiguration::BroadGithubSubject,
        Misconfiguration::AdminCiRole,
        Misconfiguration::PublicBucket,
        Misconfiguration::PublicFunction,
        Misconfiguration::AdminUserWithKeys,
    ];
    assert_eq!(kinds, all.into_iter().collect());
    // Each planted ARN names something in the snapshot.
    let snapshot = &generated.snapshot;
    let mut arns: HashSet<&str> = HashSet::new();
    for account in &snapshot.accounts {
        arns.extend(account.iam.roles.iter().map(|r| r.arn.as_str()));
        arns.extend(account.iam.users.iter().map(|u| u.arn.as_str()));
        arns.extend(account.resources.iter().map(|r| r.arn.as_str()));
        arns.extend(account.compute.ec2_instances.iter().map(|i| i.arn.as_str()));
    }
    for planted in &generated.planted {
        assert!(arns.contains(planted.arn.as_str()), "{planted:?}");
    }
    // The planted wildcard trusts really are wildcard trusts.
    for planted in generated
        .planted
        .iter()
        .filter(|p| p.kind == Misconfiguration::WildcardTrust)
    {
        let role = snapshot
            .accounts
            .iter()
            .flat_map(|a| a.iam.roles.iter())
            .find(|r| r.arn == planted.arn)
            .unwrap();
        assert!(snapshot
            .document(role.trust_policy)
            .contains(r#""Principal":{"AWS":"*"}"#));
    }
}

/// Every document parses and compiles as the kind of policy it is used as.
#[test]
fn every_document_parses_as_the_policy_kind_it_is_used_as() {
    use crate::policy::{parse_policy, CompiledPolicy, PolicyKind};
    let snapshot = custom(8, 60, 23, 200).snapshot;
    let mut uses: Vec<(DocId, PolicyKind, String)> = Vec::new();
    let org = snapshot.organization.as_ref().unwrap();
    for policy in &org.policies {
        let kind = match policy.kind {
            crate::snapshot::OrgPolicyKind::Scp => PolicyKind::Scp,
            crate::snapshot::OrgPolicyKind::Rcp => PolicyKind::Rcp,
        };
        uses.push((policy.document, kind, policy.name.clone()));
    }
    for account in &snapshot.accounts {
        let iam = &account.iam;
        for role in &iam.roles {
            uses.push((role.trust_policy, PolicyKind::Trust, role.arn.clone()));
            uses.extend(
                role.inline_policies
                    .iter()
                    .map(|p| (p.document, PolicyKind::Identity, role.arn.clone())),
            );
        }
        for user in &iam.users {
            uses.extend(
                user.inline_policies
                    .iter()
                    .map(|p| (p.document, PolicyKind::Identity, user.arn.clone())),
            );
        }
        for group in &iam.groups {
            uses.extend(
                group
                    .inline_policies
                    .iter()
                    .map(|p| (p.document, PolicyKind::Identity, group.arn.clone())),
            );
        }
        for policy in &iam.managed_policies {
            let kind = if policy.name == "developer-boundary" {
                PolicyKind::Boundary
            } else {
                PolicyKind::Identity
            };
            uses.push((policy.document, kind, policy.arn.clone()));
            uses.extend(
                policy
                    .other_versions
                    .iter()
                    .map(|v| (v.document, kind, policy.arn.clone())),
            );
        }
        for resource in &account.resources {
            if let Some(policy) = resource.policy {
                uses.push((policy, PolicyKind::Resource, resource.arn.clone()));
            }
        }
    }
    let mut checked = HashSet::new();
    for (id, kind, owner) in uses {
        if !checked.insert((id, kind)) {
            continue;
        }
        let text = snapshot.document(id);
        let parsed = parse_policy(text, kind).unwrap_or_else(|e| panic!("{owner}: {e}\n{text}"));
        let compiled = CompiledPolicy::compile(&owner, &parsed, kind);
        drop(compiled);
    }
    assert!(
        checked.len() > 500,
        "only {} documents checked",
        checked.len()
    );
}
