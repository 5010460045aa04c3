//! One positive and three negative scenarios for every technique of the catalogue: the
//! attacker holds exactly the technique's permissions (split over two policies when it
//! needs more than one), and then the same setup with one permission missing, denied by
//! an SCP, or outside a permissions boundary written with NotAction.

use super::fixture::*;
use crate::graph::model::PrincipalKind;
use crate::graph::privesc::{Actor, Precondition, Targets, Technique, CATALOGUE};
use crate::snapshot::*;
use serde_json::json;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Variant {
    Full,
    Missing,
    DeniedByScp,
    OutsideBoundary,
}

/// Builds the scenario; returns the fixture, the attacker ARN and the node id the edge
/// must reach (`None` for techniques that yield administrator rights).
fn scenario(technique: &Technique, variant: Variant) -> (Fixture, String, Option<String>) {
    let mut f = Fixture::new();
    let mut actions: Vec<&str> = technique.requires.iter().map(|r| r.action).collect();
    let first = actions[0];
    if variant == Variant::Missing {
        actions.pop();
    }
    // Split the permissions over two policies (a technique split across policies).
    let (left, right) = actions.split_at(actions.len() / 2);
    let policies: Vec<serde_json::Value> = [left, right]
        .iter()
        .filter(|part| !part.is_empty())
        .map(|part| allow(json!(part), json!("*")))
        .collect();
    let attacker = match technique.actor {
        Actor::Role => f.role(A, "attacker", trust_service("ec2.amazonaws.com"), &[]),
        Actor::User | Actor::Any => f.user(A, "attacker", &[]),
    };
    let needs_own_policy = technique
        .requires
        .iter()
        .any(|r| r.on == crate::graph::privesc::On::OwnCustomerPolicy);
    if needs_own_policy {
        // The permissions live in a customer managed policy attached to the attacker.
        for (i, p) in policies.iter().enumerate() {
            let arn = f.managed(A, &format!("own{i}"), p.clone(), &attacker);
            if technique.precondition == Precondition::PolicyHasOtherVersions {
                let doc = f.doc(&allow(json!("*"), json!("*")));
                let account = f.snapshot.account_mut(A);
                let policy = account
                    .iam
                    .managed_policies
                    .iter_mut()
                    .find(|m| m.arn == arn)
                    .unwrap();
                policy.other_versions.push(PolicyVersion {
                    version_id: "v1".into(),
                    document: doc,
                });
            }
        }
    } else {
        let docs: Vec<InlinePolicy> = policies
            .iter()
            .enumerate()
            .map(|(i, p)| InlinePolicy {
                name: format!("p{i}"),
                document: f.doc(p),
            })
            .collect();
        let account = f.snapshot.account_mut(A);
        if let Some(u) = account.iam.users.iter_mut().find(|u| u.arn == attacker) {
            u.inline_policies = docs;
        } else if let Some(r) = account.iam.roles.iter_mut().find(|r| r.arn == attacker) {
            r.inline_policies = docs;
        }
    }
    match variant {
        Variant::DeniedByScp => f.scp(deny(json!(first), json!("*"))),
        Variant::OutsideBoundary => f.boundary(
            A,
            &attacker,
            json!({"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":first,"Resource":"*"}]}),
        ),
        _ => {}
    }
    let target = setup_target(&mut f, technique, &attacker);
    (f, attacker, target)
}

fn setup_target(f: &mut Fixture, technique: &Technique, attacker: &str) -> Option<String> {
    match technique.targets {
        Targets::Itself => {
            if matches!(
                technique.requires[0].on,
                crate::graph::privesc::On::OwnGroup
            ) {
                let group = f.group(A, "mine", &[]);
                let account = f.snapshot.account_mut(A);
                account
                    .iam
                    .users
                    .iter_mut()
                    .find(|u| u.arn == attacker)
                    .unwrap()
                    .groups
                    .push("mine".into());
                let _ = group;
            }
            None
        }
        Targets::PolicyOf(kind) => {
            // The attacker can become the victim, and write its policies.
            match kind {
                PrincipalKind::Role => {
                    f.role(A, "victim", trust_aws(attacker), &[]);
                }
                _ => {
                    let victim = f.user(A, "victim", &[]);
                    let doc = f.doc(&allow(json!("iam:CreateAccessKey"), json!(victim)));
                    let account = f.snapshot.account_mut(A);
                    if let Some(u) = account.iam.users.iter_mut().find(|u| u.arn == attacker) {
                        u.inline_policies.push(InlinePolicy {
                            name: "key".into(),
                            document: doc,
                        });
                    }
                }
            }
            None
        }
        Targets::Users => {
            let victim = f.user(A, "victim", &[]);
            let has = technique.precondition == Precondition::HasConsolePassword;
            f.snapshot
                .account_mut(A)
                .iam
                .users
                .iter_mut()
                .find(|u| u.arn == victim)
                .unwrap()
                .has_console_password = Some(has);
            Some(victim)
        }
        Targets::Roles => Some(f.role(A, "victim", trust_service("ec2.amazonaws.com"), &[])),
        Targets::Groups => Some(f.group(A, "admins", &[allow(json!("*"), json!("*"))])),
        Targets::RolesTrusting(service) => {
            let victim = f.role(A, "victim", trust_service(service), &[]);
            if technique.precondition == Precondition::RoleInInstanceProfile {
                f.instance_profile(A, &victim);
            }
            Some(victim)
        }
        Targets::Unseen(kind) => {
            let victim = f.role(A, "victim", trust_service(kind.trusted), &[]);
            if kind.needs_instance_profile {
                f.instance_profile(A, &victim);
            }
            Some(victim)
        }
        Targets::Instances => {
            let role = f.role(A, "victim", trust_service("ec2.amazonaws.com"), &[]);
            Some(f.instance(A, "i-1", Some(&role), MetadataOptions::default()))
        }
        Targets::Functions => {
            let role = f.role(A, "victim", trust_service("lambda.amazonaws.com"), &[]);
            Some(f.lambda(A, "fn", &role))
        }
        Targets::RunningTasks => {
            let td = format!("arn:aws:ecs:us-east-1:{A}:task-definition/app:1");
            let compute = &mut f.snapshot.account_mut(A).compute;
            compute.task_definitions.push(TaskDefinition {
                arn: td.clone(),
                family: "app".into(),
                revision: 1,
                region: "us-east-1".into(),
                network_mode: NetworkMode::Awsvpc,
                ..TaskDefinition::default()
            });
            compute.ecs_clusters.push(EcsCluster {
                arn: format!("arn:aws:ecs:us-east-1:{A}:cluster/c"),
                name: "c".into(),
                region: "us-east-1".into(),
                tasks: vec![EcsTask {
                    arn: format!("arn:aws:ecs:us-east-1:{A}:task/c/1"),
                    task_definition_arn: td.clone(),
                    launch_type: LaunchType::Fargate,
                    ..EcsTask::default()
                }],
                ..EcsCluster::default()
            });
            Some(td)
        }
        Targets::ClusterWorkloads => {
            f.snapshot
                .account_mut(A)
                .compute
                .eks_clusters
                .push(EksCluster {
                    arn: format!("arn:aws:eks:us-east-1:{A}:cluster/k"),
                    name: "k".into(),
                    kubernetes_collected: true,
                    service_accounts: vec![ServiceAccount {
                        namespace: "app".into(),
                        name: "api".into(),
                        irsa_role_arn: None,
                    }],
                    ..EksCluster::default()
                });
            Some("eks:k/app/api".into())
        }
    }
}

fn found(technique: &Technique, variant: Variant) -> bool {
    let (f, attacker, target) = scenario(technique, variant);
    f.check(|a| match &target {
        Some(target) => has_edge(a, &attacker, target, &format!("privesc:{}", technique.name)),
        None => {
            let p = a.model.principal_by_arn(&attacker).unwrap();
            let escalated = a.graph.escalations.iter().any(|e| {
                e.principal == p
                    && crate::graph::privesc::CATALOGUE[e.technique as usize].name == technique.name
            });
            escalated && is_admin(a, &attacker)
        }
    })
}

#[test]
fn every_technique_is_found_with_exactly_its_permissions() {
    let missed: Vec<&str> = CATALOGUE
        .iter()
        .filter(|t| !found(t, Variant::Full))
        .map(|t| t.name)
        .collect();
    assert!(missed.is_empty(), "techniques not found: {missed:?}");
}

#[test]
fn no_technique_is_found_with_a_permission_missing() {
    let wrong: Vec<&str> = CATALOGUE
        .iter()
        .filter(|t| found(t, Variant::Missing))
        .map(|t| t.name)
        .collect();
    assert!(
        wrong.is_empty(),
        "found despite a missing permission: {wrong:?}"
    );
}

#[test]
fn no_technique_is_found_when_an_scp_denies_a_permission() {
    let wrong: Vec<&str> = CATALOGUE
        .iter()
        .filter(|t| found(t, Variant::DeniedByScp))
        .map(|t| t.name)
        .collect();
    assert!(wrong.is_empty(), "found despite the SCP: {wrong:?}");
}

#[test]
fn no_technique_is_found_outside_the_permissions_boundary() {
    let wrong: Vec<&str> = CATALOGUE
        .iter()
        .filter(|t| found(t, Variant::OutsideBoundary))
        .map(|t| t.name)
        .collect();
    assert!(wrong.is_empty(), "found despite the boundary: {wrong:?}");
}
