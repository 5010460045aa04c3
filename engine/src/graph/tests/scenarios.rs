//! Scenario tests for workload, assume-role and escalation edges, reachability and
//! administrators.

use super::fixture::*;
use crate::graph::Status;
use crate::snapshot::*;
use serde_json::json;

const IMDS_V1: MetadataOptions = MetadataOptions {
    endpoint_enabled: true,
    tokens: HttpTokens::Optional,
    hop_limit: 1,
};

fn imds_v2(hop_limit: u8) -> MetadataOptions {
    MetadataOptions {
        endpoint_enabled: true,
        tokens: HttpTokens::Required,
        hop_limit,
    }
}

fn ecs_agent_policy() -> serde_json::Value {
    allow(
        json!([
            "ecs:DiscoverPollEndpoint",
            "ecs:Poll",
            "ecs:StartTelemetrySession"
        ]),
        json!("*"),
    )
}

/// An ECS cluster with one container instance (on `i-1`, role `instance`) and a task
/// definition `app:1` (task role `task`) in `mode`, placed by a running task.
fn ecs(
    metadata: MetadataOptions,
    mode: NetworkMode,
    agent: serde_json::Value,
    launch: LaunchType,
) -> (Fixture, String) {
    let mut f = Fixture::new();
    let instance_role = f.role(A, "instance", trust_service("ec2.amazonaws.com"), &[agent]);
    f.role(
        A,
        "task",
        trust_service("ecs-tasks.amazonaws.com"),
        &[allow(json!("s3:*"), json!("*"))],
    );
    f.role(
        A,
        "other-task",
        trust_service("ecs-tasks.amazonaws.com"),
        &[],
    );
    f.instance(A, "i-1", Some(&instance_role), metadata);
    let td = format!("arn:aws:ecs:us-east-1:{A}:task-definition/app:1");
    let other = format!("arn:aws:ecs:us-east-1:{A}:task-definition/other:1");
    let compute = &mut f.snapshot.account_mut(A).compute;
    compute.task_definitions.push(TaskDefinition {
        arn: td.clone(),
        family: "app".into(),
        revision: 1,
        region: "us-east-1".into(),
        task_role_arn: Some(role_arn(A, "task")),
        execution_role_arn: None,
        network_mode: mode,
    });
    compute.task_definitions.push(TaskDefinition {
        arn: other.clone(),
        family: "other".into(),
        revision: 1,
        region: "us-east-1".into(),
        task_role_arn: Some(role_arn(A, "other-task")),
        execution_role_arn: None,
        network_mode: NetworkMode::Awsvpc,
    });
    let ci = format!("arn:aws:ecs:us-east-1:{A}:container-instance/prod/1");
    compute.ecs_clusters.push(EcsCluster {
        arn: format!("arn:aws:ecs:us-east-1:{A}:cluster/prod"),
        name: "prod".into(),
        region: "us-east-1".into(),
        container_instances: vec![ContainerInstance {
            arn: ci.clone(),
            ec2_instance_id: "i-1".into(),
            awsvpc_block_imds: None,
            bridge_imds_blocked: None,
        }],
        services: vec![],
        tasks: [&td, &other]
            .iter()
            .enumerate()
            .map(|(i, t)| EcsTask {
                arn: format!("arn:aws:ecs:us-east-1:{A}:task/prod/{i}"),
                task_definition_arn: t.to_string(),
                launch_type: launch,
                container_instance_arn: (launch == LaunchType::Ec2).then(|| ci.clone()),
                group: None,
            })
            .collect(),
    });
    (f, td)
}

#[test]
fn task_runs_as_its_task_role() {
    let (f, td) = ecs(
        IMDS_V1,
        NetworkMode::Bridge,
        ecs_agent_policy(),
        LaunchType::Ec2,
    );
    f.check(|a| {
        let e = edge_kind(a, &td, &role_arn(A, "task"), "runs-as").expect("runs-as edge");
        assert_eq!(e.status, Status::Certain);
    });
}

#[test]
fn imds_rules_decide_the_instance_role_edge() {
    let cases = [
        (IMDS_V1, NetworkMode::Bridge, true),
        (imds_v2(1), NetworkMode::Bridge, false),
        (imds_v2(1), NetworkMode::Awsvpc, false),
        (imds_v2(2), NetworkMode::Awsvpc, true),
        (imds_v2(1), NetworkMode::Host, true),
        (
            MetadataOptions {
                endpoint_enabled: false,
                ..IMDS_V1
            },
            NetworkMode::Host,
            false,
        ),
    ];
    for (metadata, mode, expected) in cases {
        let (f, td) = ecs(metadata, mode, ecs_agent_policy(), LaunchType::Ec2);
        f.check(|a| {
            assert_eq!(
                has_edge(a, &td, &role_arn(A, "instance"), "imds"),
                expected,
                "{metadata:?} {mode:?}"
            );
        });
    }
}

#[test]
fn awsvpc_block_in_the_agent_config_stops_imds() {
    let (mut f, td) = ecs(
        IMDS_V1,
        NetworkMode::Awsvpc,
        ecs_agent_policy(),
        LaunchType::Ec2,
    );
    f.snapshot.account_mut(A).compute.ecs_clusters[0].container_instances[0].awsvpc_block_imds =
        Some(true);
    f.check(|a| assert!(!has_edge(a, &td, &role_arn(A, "instance"), "imds")));
}

#[test]
fn ecscape_gives_the_instance_role_every_placed_task_role() {
    let (f, td) = ecs(
        IMDS_V1,
        NetworkMode::Bridge,
        ecs_agent_policy(),
        LaunchType::Ec2,
    );
    f.check(|a| {
        let instance = role_arn(A, "instance");
        assert!(has_edge(
            a,
            &instance,
            &role_arn(A, "other-task"),
            "ecscape"
        ));
        // Through IMDS then ECScape, the app task reaches the other task's role.
        assert!(reaches(a, &td, &role_arn(A, "other-task")));
    });
}

#[test]
fn ecscape_needs_the_agent_permissions() {
    let (f, _) = ecs(
        IMDS_V1,
        NetworkMode::Bridge,
        allow(json!("s3:GetObject"), json!("*")),
        LaunchType::Ec2,
    );
    f.check(|a| {
        assert!(!has_edge(
            a,
            &role_arn(A, "instance"),
            &role_arn(A, "other-task"),
            "ecscape"
        ));
    });
}

#[test]
fn fargate_tasks_share_no_host() {
    let (f, td) = ecs(
        IMDS_V1,
        NetworkMode::Awsvpc,
        ecs_agent_policy(),
        LaunchType::Fargate,
    );
    f.check(|a| {
        assert!(!has_edge(a, &td, &role_arn(A, "instance"), "imds"));
        assert!(!has_edge(
            a,
            &role_arn(A, "instance"),
            &role_arn(A, "other-task"),
            "ecscape"
        ));
        assert!(!reaches(a, &td, &role_arn(A, "other-task")));
    });
}

#[test]
fn host_compromise_holds_every_placed_task() {
    let (f, td) = ecs(
        imds_v2(1),
        NetworkMode::Awsvpc,
        ecs_agent_policy(),
        LaunchType::Ec2,
    );
    f.check(|a| {
        let instance = format!("arn:aws:ec2:us-east-1:{A}:instance/i-1");
        assert!(has_edge(a, &instance, &td, "co-location"));
        assert!(reaches(a, &instance, &role_arn(A, "task")));
    });
}

#[test]
fn services_make_tasks_placeable_with_inferred_edges() {
    let (mut f, _) = ecs(
        IMDS_V1,
        NetworkMode::Bridge,
        ecs_agent_policy(),
        LaunchType::Ec2,
    );
    let svc_td = format!("arn:aws:ecs:us-east-1:{A}:task-definition/svc:1");
    f.role(A, "svc-task", trust_service("ecs-tasks.amazonaws.com"), &[]);
    let compute = &mut f.snapshot.account_mut(A).compute;
    compute.task_definitions.push(TaskDefinition {
        arn: svc_td.clone(),
        family: "svc".into(),
        revision: 1,
        region: "us-east-1".into(),
        task_role_arn: Some(role_arn(A, "svc-task")),
        execution_role_arn: None,
        network_mode: NetworkMode::Bridge,
    });
    compute.ecs_clusters[0].services.push(EcsService {
        arn: format!("arn:aws:ecs:us-east-1:{A}:service/prod/svc"),
        name: "svc".into(),
        task_definition_arn: svc_td,
        launch_type: LaunchType::Ec2,
        desired_count: 0,
    });
    f.check(|a| {
        let e = edge_kind(
            a,
            &role_arn(A, "instance"),
            &role_arn(A, "svc-task"),
            "ecscape",
        )
        .expect("placeable ecscape");
        assert_eq!(e.status, Status::Inferred);
    });
}

fn eks(trust_condition: serde_json::Value, annotate: bool) -> Fixture {
    let issuer = "oidc.eks.us-east-1.amazonaws.com/id/ABC";
    let mut f = Fixture::new();
    let provider = format!("arn:aws:iam::{A}:oidc-provider/{issuer}");
    f.snapshot
        .account_mut(A)
        .iam
        .oidc_providers
        .push(OidcProvider {
            arn: provider.clone(),
            url: issuer.into(),
            client_ids: vec!["sts.amazonaws.com".into()],
        });
    let mut statement = json!({"Effect":"Allow","Principal":{"Federated":provider},"Action":"sts:AssumeRoleWithWebIdentity"});
    if !trust_condition.is_null() {
        statement["Condition"] = trust_condition;
    }
    f.role(
        A,
        "irsa",
        json!({"Version":"2012-10-17","Statement":[statement]}),
        &[],
    );
    f.snapshot
        .account_mut(A)
        .compute
        .eks_clusters
        .push(EksCluster {
            arn: format!("arn:aws:eks:us-east-1:{A}:cluster/k"),
            name: "k".into(),
            region: "us-east-1".into(),
            oidc_issuer: Some(format!("https://{issuer}")),
            kubernetes_collected: true,
            service_accounts: vec![
                ServiceAccount {
                    namespace: "app".into(),
                    name: "api".into(),
                    irsa_role_arn: annotate.then(|| role_arn(A, "irsa")),
                },
                ServiceAccount {
                    namespace: "other".into(),
                    name: "worker".into(),
                    irsa_role_arn: None,
                },
            ],
            ..EksCluster::default()
        });
    f
}

#[test]
fn irsa_with_a_sub_condition_admits_only_its_service_account() {
    let f = eks(
        json!({"StringEquals":{"oidc.eks.us-east-1.amazonaws.com/id/ABC:sub":"system:serviceaccount:app:api","oidc.eks.us-east-1.amazonaws.com/id/ABC:aud":"sts.amazonaws.com"}}),
        true,
    );
    f.check(|a| {
        let e = edge_kind(a, "eks:k/app/api", &role_arn(A, "irsa"), "runs-as").expect("IRSA edge");
        assert_eq!(e.status, Status::Certain);
        assert!(!reaches(a, "eks:k/other/worker", &role_arn(A, "irsa")));
    });
}

#[test]
fn irsa_without_sub_or_with_a_wildcard_sub_admits_every_service_account() {
    for condition in [
        serde_json::Value::Null,
        json!({"StringLike":{"oidc.eks.us-east-1.amazonaws.com/id/ABC:sub":"system:serviceaccount:*:*"}}),
    ] {
        let f = eks(condition, true);
        f.check(|a| {
            assert!(has_edge(
                a,
                "eks:k/other/worker",
                &role_arn(A, "irsa"),
                "web-identity"
            ));
            assert!(has_edge(
                a,
                "eks:k/app/api",
                &role_arn(A, "irsa"),
                "runs-as"
            ));
        });
    }
}

#[test]
fn pod_identity_association_and_node_role() {
    let mut f = Fixture::new();
    f.role(A, "pod", trust_service("pods.eks.amazonaws.com"), &[]);
    f.role(
        A,
        "node",
        trust_service("ec2.amazonaws.com"),
        &[allow(
            json!("eks-auth:AssumeRoleForPodIdentity"),
            json!("*"),
        )],
    );
    f.role(A, "bare-node", trust_service("ec2.amazonaws.com"), &[]);
    let group = |name: &str, role: &str| NodeGroup {
        arn: format!("arn:{name}"),
        name: name.into(),
        node_role_arn: role_arn(A, role),
        instance_ids: vec![],
    };
    f.snapshot
        .account_mut(A)
        .compute
        .eks_clusters
        .push(EksCluster {
            arn: format!("arn:aws:eks:us-east-1:{A}:cluster/k"),
            name: "k".into(),
            kubernetes_collected: true,
            node_groups: vec![group("ng", "node"), group("ng2", "bare-node")],
            pod_identity_associations: vec![PodIdentityAssociation {
                arn: "arn:pia".into(),
                namespace: "app".into(),
                service_account: "api".into(),
                role_arn: role_arn(A, "pod"),
            }],
            ..EksCluster::default()
        });
    f.check(|a| {
        assert!(has_edge(a, "eks:k/app/api", &role_arn(A, "pod"), "runs-as"));
        let e = edge_kind(a, &role_arn(A, "node"), &role_arn(A, "pod"), "co-location").unwrap();
        assert_eq!(e.status, Status::Inferred);
        // Without eks-auth:AssumeRoleForPodIdentity the node role cannot act as the agent.
        assert!(!reaches(a, &role_arn(A, "bare-node"), &role_arn(A, "pod")));
    });
}

#[test]
fn lambda_and_instance_profile_run_as_their_roles() {
    let mut f = Fixture::new();
    let role = f.role(A, "fn", trust_service("lambda.amazonaws.com"), &[]);
    let ec2_role = f.role(A, "ec2", trust_service("ec2.amazonaws.com"), &[]);
    let function = f.lambda(A, "f", &role);
    let instance = f.instance(A, "i-9", Some(&ec2_role), IMDS_V1);
    f.check(|a| {
        assert!(has_edge(a, &function, &role, "runs-as"));
        assert!(has_edge(a, &instance, &ec2_role, "runs-as"));
    });
}

#[test]
fn assume_role_same_account_through_the_account_needs_an_identity_allow() {
    let mut f = Fixture::new();
    let target = f.role(A, "target", trust_aws(A), &[]);
    let with = f.user(A, "with", &[allow(json!("sts:AssumeRole"), json!(target))]);
    let without = f.user(A, "without", &[allow(json!("s3:*"), json!("*"))]);
    f.check(|a| {
        assert!(has_edge(a, &with, &target, "assume-role"));
        assert!(!has_edge(a, &without, &target, "assume-role"));
    });
}

#[test]
fn assume_role_trust_naming_the_caller_needs_no_identity_allow_in_the_same_account() {
    let mut f = Fixture::new();
    let caller = f.user(A, "u", &[]);
    let target = f.role(A, "target", trust_aws(&caller), &[]);
    f.check(|a| assert!(has_edge(a, &caller, &target, "assume-role")));
}

#[test]
fn cross_account_assume_role_needs_both_sides() {
    let mut f = Fixture::new();
    let target = f.role(B, "target", trust_aws(A), &[]);
    let with = f.role(
        A,
        "with",
        trust_service("ec2.amazonaws.com"),
        &[allow(json!("sts:AssumeRole"), json!("*"))],
    );
    let without = f.role(A, "without", trust_service("ec2.amazonaws.com"), &[]);
    let elsewhere = f.role(
        B,
        "named",
        trust_service("ec2.amazonaws.com"),
        &[allow(json!("sts:*"), json!("*"))],
    );
    f.check(|a| {
        assert!(has_edge(a, &with, &target, "assume-role"));
        assert!(!has_edge(a, &without, &target, "assume-role"));
        // The trust names account A only: B's own role still needs the trust.
        assert!(!has_edge(a, &elsewhere, &target, "assume-role"));
    });
}

#[test]
fn scp_and_boundary_block_assume_role() {
    for blocker in ["scp", "boundary", "none"] {
        let mut f = Fixture::new();
        let target = f.role(B, "target", trust_aws(A), &[]);
        let caller = f.role(
            A,
            "caller",
            trust_service("ec2.amazonaws.com"),
            &[allow(json!("sts:AssumeRole"), json!("*"))],
        );
        match blocker {
            "scp" => f.scp(deny(json!("sts:AssumeRole"), json!("*"))),
            "boundary" => f.boundary(A, &caller, allow(json!("s3:*"), json!("*"))),
            _ => {}
        }
        f.check(|a| {
            assert_eq!(
                has_edge(a, &caller, &target, "assume-role"),
                blocker == "none",
                "{blocker}"
            )
        });
    }
}

#[test]
fn resource_control_policies_govern_assume_role() {
    // RCPFullAWSAccess names `"Principal": "*"`: it must allow, not be skipped for
    // naming a principal (which would deny every request on an RCP service).
    for perimeter in ["none", "deny-sts", "deny-s3"] {
        let mut f = Fixture::new();
        let target = f.role(B, "target", trust_aws(A), &[]);
        let caller = f.role(
            A,
            "caller",
            trust_service("ec2.amazonaws.com"),
            &[allow(json!("sts:AssumeRole"), json!("*"))],
        );
        f.scp(allow(json!("*"), json!("*")));
        let denied = match perimeter {
            "deny-sts" => "sts:AssumeRole",
            "deny-s3" => "s3:*",
            _ => "ec2:NothingReal",
        };
        f.rcp(json!({"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":denied,"Resource":"*"}]}));
        f.check(|a| {
            assert_eq!(
                has_edge(a, &caller, &target, "assume-role"),
                perimeter != "deny-sts",
                "{perimeter}"
            )
        });
    }
}

#[test]
fn an_unknown_condition_makes_assume_role_conditional() {
    let mut f = Fixture::new();
    let target = f.role(
        A,
        "target",
        json!({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":A},"Action":"sts:AssumeRole","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}),
        &[],
    );
    let caller = f.user(A, "u", &[allow(json!("sts:AssumeRole"), json!("*"))]);
    f.check(|a| {
        let e = edge_kind(a, &caller, &target, "assume-role").unwrap();
        assert_eq!(
            e.status,
            Status::conditional(vec!["aws:multifactorauthpresent".into()])
        );
    });
}

#[test]
fn chained_assume_role_reaches_an_admin_in_another_account() {
    let (mut f, td) = ecs(
        imds_v2(1),
        NetworkMode::Awsvpc,
        ecs_agent_policy(),
        LaunchType::Ec2,
    );
    // task -> hop (A) -> admin (B)
    let hop = f.role(
        A,
        "hop",
        trust_aws(&role_arn(A, "task")),
        &[allow(json!("sts:AssumeRole"), json!("*"))],
    );
    let admin = f.role(
        B,
        "admin",
        trust_aws(&hop),
        &[allow(json!("*"), json!("*"))],
    );
    f.snapshot
        .account_mut(A)
        .iam
        .roles
        .iter_mut()
        .find(|r| r.name == "task")
        .unwrap()
        .inline_policies
        .clear();
    f.check(|a| {
        assert!(reaches(a, &td, &admin));
        assert!(is_admin(a, &admin));
        assert!(!is_admin(a, &hop));
        let paths = crate::graph::reach::shortest_paths(&a.graph, node(a, &td));
        let path = paths.path(node(a, &admin)).unwrap();
        assert_eq!(path.len(), 3);
    });
}

#[test]
fn admin_detection_respects_scps_and_not_action() {
    let mut f = Fixture::new();
    let full = f.role(
        A,
        "full",
        trust_service("ec2.amazonaws.com"),
        &[allow(json!("*"), json!("*"))],
    );
    let not_iam = f.role(
        A,
        "not-iam",
        trust_service("ec2.amazonaws.com"),
        &[json!({"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}]})],
    );
    let denied = f.role(
        A,
        "denied",
        trust_service("ec2.amazonaws.com"),
        &[
            allow(json!("*"), json!("*")),
            deny(json!("iam:*"), json!("*")),
        ],
    );
    f.check(|a| {
        assert!(is_admin(a, &full));
        assert!(!is_admin(a, &not_iam));
        assert!(!is_admin(a, &denied));
    });
}

#[test]
fn access_sets_follow_identity_and_resource_policies() {
    let mut f = Fixture::new();
    let secret = format!("arn:aws:secretsmanager:us-east-1:{A}:secret:db");
    f.resource(A, &secret, ResourceKind::Secret { kms_key_id: None }, None);
    let bucket = "arn:aws:s3:::shared";
    let reader = f.role(
        B,
        "reader",
        trust_service("ec2.amazonaws.com"),
        &[allow(json!("s3:GetObject"), json!("*"))],
    );
    f.resource(
        A,
        bucket,
        ResourceKind::S3Bucket { block_public_access: None },
        Some(json!({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":reader},"Action":"s3:GetObject","Resource":"arn:aws:s3:::shared/*"}]})),
    );
    let outsider = f.role(
        B,
        "outsider",
        trust_service("ec2.amazonaws.com"),
        &[allow(json!("s3:GetObject"), json!("*"))],
    );
    let app = f.role(
        A,
        "app",
        trust_service("ec2.amazonaws.com"),
        &[allow(json!("secretsmanager:GetSecretValue"), json!(secret))],
    );
    f.check(|a| {
        let allowed = |p: &str, arn: &str, action: &str| {
            let p = a.model.principal_by_arn(p).unwrap();
            let r = a
                .access
                .resources
                .iter()
                .position(|r| r.arn == arn)
                .unwrap() as u32;
            let c = crate::graph::access::CLASSES
                .iter()
                .position(|c| c.action == action)
                .unwrap();
            a.access.of(p).0.contains(crate::graph::access::pair(r, c))
        };
        assert!(allowed(&app, &secret, "secretsmanager:GetSecretValue"));
        assert!(!allowed(&app, &secret, "secretsmanager:PutSecretValue"));
        assert!(allowed(&reader, bucket, "s3:GetObject"));
        assert!(!allowed(&outsider, bucket, "s3:GetObject"));
    });
}

#[test]
fn create_policy_version_limited_to_aws_managed_policies_is_useless() {
    for (resource, expected) in [("arn:aws:iam::aws:policy/*", false), ("*", true)] {
        let mut f = Fixture::new();
        let user = f.user(A, "u", &[]);
        f.managed(
            A,
            "mine",
            allow(json!("iam:CreatePolicyVersion"), json!(resource)),
            &user,
        );
        f.check(|a| assert_eq!(is_admin(a, &user), expected, "{resource}"));
    }
}

#[test]
fn a_condition_on_the_attached_policy_arn_makes_self_attach_conditional_and_a_known_one_blocks() {
    let mut f = Fixture::new();
    let role = f.role(
        A,
        "r",
        trust_service("ec2.amazonaws.com"),
        &[json!({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:AttachRolePolicy","Resource":"*","Condition":{"ArnEquals":{"iam:PolicyARN":"arn:aws:iam::aws:policy/ReadOnlyAccess"}}}]})],
    );
    let tagged = f.role(
        A,
        "t",
        trust_service("ec2.amazonaws.com"),
        &[json!({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:AttachRolePolicy","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"admins"}}}]})],
    );
    f.check(|a| {
        let p = a.model.principal_by_arn(&role).unwrap();
        let grant = a.admins[p as usize].as_ref().expect("conditional admin");
        assert_eq!(
            grant.status,
            Status::conditional(vec!["iam:policyarn".into()])
        );
        // The principal has no such tag: the condition is known false.
        assert!(!is_admin(a, &tagged));
    });
}

#[test]
fn allow_and_deny_in_one_policy_or_split_across_policies() {
    let combined = json!({"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Action":"iam:*","Resource":"*"},
        {"Effect":"Deny","Action":"iam:CreateAccessKey","Resource":"*"}]});
    for policies in [
        vec![combined],
        vec![
            allow(json!("iam:*"), json!("*")),
            deny(json!("iam:CreateAccessKey"), json!("*")),
        ],
    ] {
        let mut f = Fixture::new();
        let attacker = f.user(A, "attacker", &policies);
        let victim = f.user(A, "victim", &[]);
        f.check(|a| {
            assert!(!has_edge(
                a,
                &attacker,
                &victim,
                "privesc:iam:CreateAccessKey"
            ));
            // Other IAM techniques stay: iam:* still allows UpdateLoginProfile etc.
            assert!(
                has_edge(a, &attacker, &victim, "privesc:iam:CreateLoginProfile")
                    || has_edge(a, &attacker, &victim, "privesc:iam:UpdateLoginProfile")
            );
        });
    }
}

#[test]
fn not_action_grants_more_than_it_seems() {
    let mut f = Fixture::new();
    let attacker = f.user(
        A,
        "attacker",
        &[json!({"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":["s3:*","ec2:*"],"Resource":"*"}]})],
    );
    let victim = f.user(A, "victim", &[]);
    f.check(|a| {
        assert!(has_edge(
            a,
            &attacker,
            &victim,
            "privesc:iam:CreateAccessKey"
        ));
        assert!(
            is_admin(a, &attacker),
            "NotAction includes iam:PutUserPolicy on itself"
        );
    });
}

#[test]
fn a_resource_constraint_decides_create_access_key() {
    let mut f = Fixture::new();
    let attacker = f.user(
        A,
        "attacker",
        &[allow(
            json!("iam:CreateAccessKey"),
            json!(format!("arn:aws:iam::{A}:user/svc-*")),
        )],
    );
    let allowed = f.user(A, "svc-deploy", &[]);
    let other = f.user(A, "alice", &[]);
    f.check(|a| {
        assert!(has_edge(
            a,
            &attacker,
            &allowed,
            "privesc:iam:CreateAccessKey"
        ));
        assert!(!has_edge(
            a,
            &attacker,
            &other,
            "privesc:iam:CreateAccessKey"
        ));
    });
}

/// An attacker allowed `actions` on everything, one role in an instance profile trusting
/// EC2, one role trusting EC2 outside any profile, one trusting Lambda and one trusting
/// ECS tasks; no compute collected.
fn uncollected_compute(actions: serde_json::Value) -> (Fixture, String, [String; 4]) {
    let mut f = Fixture::new();
    let attacker = f.user(A, "attacker", &[allow(actions, json!("*"))]);
    let web = f.role(A, "web", trust_service("ec2.amazonaws.com"), &[]);
    f.instance_profile(A, &web);
    let loose = f.role(A, "loose", trust_service("ec2.amazonaws.com"), &[]);
    let func = f.role(A, "func", trust_service("lambda.amazonaws.com"), &[]);
    let task = f.role(A, "task", trust_service("ecs-tasks.amazonaws.com"), &[]);
    (f, attacker, [web, loose, func, task])
}

#[test]
fn ssm_send_command_reaches_instance_profile_roles_when_ec2_was_not_collected() {
    let (mut f, attacker, [web, loose, func, task]) = uncollected_compute(json!("ssm:SendCommand"));
    f.gaad_import();
    f.check(|a| {
        let edge = edge_kind(a, &attacker, &web, "privesc:ssm:SendCommand")
            .expect("an inferred edge to the instance-profile role");
        assert_eq!(edge.status, Status::Inferred);
        assert!(
            edge.explanation_text().contains("EC2 instances of account")
                && edge.explanation_text().contains("not collected"),
            "{}",
            edge.explanation
        );
        assert!(reaches(a, &attacker, &web));
        // Not in an instance profile, or trusting another service: no instance runs as it.
        for other in [&loose, &func, &task] {
            assert!(
                !has_edge(a, &attacker, other, "privesc:ssm:SendCommand"),
                "{other}"
            );
        }
    });
}

#[test]
fn collected_ec2_without_instances_gives_no_assumed_instance_edge() {
    let (mut f, attacker, [web, ..]) = uncollected_compute(json!("ssm:SendCommand"));
    f.gaad_import();
    f.collected(A, "ec2");
    f.check(|a| assert!(!has_edge(a, &attacker, &web, "privesc:ssm:SendCommand")));
    // Hand-written snapshots without coverage entries count as complete.
    let (f, attacker, [web, ..]) = uncollected_compute(json!("ssm:SendCommand"));
    f.check(|a| assert!(!has_edge(a, &attacker, &web, "privesc:ssm:SendCommand")));
}

#[test]
fn an_scp_covering_every_instance_blocks_the_assumed_edge_and_a_narrower_one_does_not() {
    let (mut f, attacker, [web, ..]) = uncollected_compute(json!("ssm:StartSession"));
    f.gaad_import();
    f.scp(deny(json!("ssm:StartSession"), json!("*")));
    f.check(|a| assert!(!has_edge(a, &attacker, &web, "privesc:ssm:StartSession")));

    let (mut f, attacker, [web, ..]) = uncollected_compute(json!("ssm:StartSession"));
    f.gaad_import();
    f.scp(deny(
        json!("ssm:StartSession"),
        json!("arn:aws:ec2:*:*:instance/i-prod*"),
    ));
    f.check(|a| {
        let edge = edge_kind(a, &attacker, &web, "privesc:ssm:StartSession")
            .expect("an unseen instance outside the denied ones may run as the role");
        assert_eq!(edge.status, Status::Inferred);
    });
}

#[test]
fn a_permission_on_other_resources_than_instances_gives_no_assumed_edge() {
    // The assumed target is "any EC2 resource of the account", not "anything".
    let (mut f, attacker, [web, ..]) = uncollected_compute(json!([]));
    let doc = f.doc(&allow(
        json!("ec2-instance-connect:SendSSHPublicKey"),
        json!(format!("arn:aws:lambda:*:{A}:function:*")),
    ));
    let account = f.snapshot.account_mut(A);
    account.iam.users[0].inline_policies = vec![InlinePolicy {
        name: "other".into(),
        document: doc,
    }];
    f.gaad_import();
    f.check(|a| {
        assert!(!has_edge(
            a,
            &attacker,
            &web,
            "privesc:ec2-instance-connect:SendSSHPublicKey"
        ))
    });
}

#[test]
fn update_function_code_reaches_lambda_roles_when_lambda_failed_to_collect() {
    let (mut f, attacker, [web, _, func, task]) = uncollected_compute(json!([
        "lambda:UpdateFunctionCode",
        "lambda:InvokeFunction"
    ]));
    f.snapshot.meta.coverage.push(Coverage {
        account_id: A.into(),
        region: Some("us-east-1".into()),
        service: "lambda".into(),
        status: CoverageStatus::Failed {
            error: "AccessDenied".into(),
        },
    });
    f.check(|a| {
        let edge = edge_kind(a, &attacker, &func, "privesc:lambda:UpdateFunctionCode")
            .expect("an inferred edge to the role trusting Lambda");
        assert_eq!(edge.status, Status::Inferred);
        assert!(
            edge.explanation_text().contains("Lambda functions"),
            "{}",
            edge.explanation
        );
        for other in [&web, &task] {
            assert!(!has_edge(
                a,
                &attacker,
                other,
                "privesc:lambda:UpdateFunctionCode"
            ));
        }
    });
}

#[test]
fn update_function_code_on_a_collected_function_targets_the_function_only() {
    let (mut f, attacker, [_, _, func, _]) = uncollected_compute(json!([
        "lambda:UpdateFunctionCode",
        "lambda:InvokeFunction"
    ]));
    let function = f.lambda(A, "fn", &func);
    f.check(|a| {
        let edge = edge_kind(a, &attacker, &function, "privesc:lambda:UpdateFunctionCode")
            .expect("the collected function");
        assert_eq!(edge.status, Status::Certain);
        assert!(!has_edge(
            a,
            &attacker,
            &func,
            "privesc:lambda:UpdateFunctionCode"
        ));
    });
}

#[test]
fn execute_command_reaches_task_roles_when_ecs_was_not_collected() {
    let (mut f, attacker, [web, _, func, task]) = uncollected_compute(json!("ecs:ExecuteCommand"));
    f.gaad_import();
    f.check(|a| {
        let edge = edge_kind(a, &attacker, &task, "privesc:ecs:ExecuteCommand")
            .expect("an inferred edge to the role trusting ECS tasks");
        assert_eq!(edge.status, Status::Inferred);
        for other in [&web, &func] {
            assert!(!has_edge(a, &attacker, other, "privesc:ecs:ExecuteCommand"));
        }
    });
    let (mut f, attacker, [_, _, _, task]) = uncollected_compute(json!("ecs:ExecuteCommand"));
    f.gaad_import();
    f.scp(deny(json!("ecs:*"), json!("*")));
    f.check(|a| assert!(!has_edge(a, &attacker, &task, "privesc:ecs:ExecuteCommand")));
}

/// Services the collector never reads: an existing stack, build project, dev endpoint or
/// notebook may run as any role trusting the service, so the technique reaches those
/// roles (inferred), and only those.
#[test]
fn existing_resources_of_never_collected_services_reach_the_roles_trusting_them() {
    let cases = [
        (
            "cloudformation:UpdateStack",
            "cloudformation.amazonaws.com",
            "CloudFormation stacks",
        ),
        (
            "glue:UpdateDevEndpoint",
            "glue.amazonaws.com",
            "Glue dev endpoints",
        ),
        (
            "sagemaker:CreatePresignedNotebookInstanceUrl",
            "sagemaker.amazonaws.com",
            "SageMaker notebook instances",
        ),
        (
            "codebuild:StartBuild",
            "codebuild.amazonaws.com",
            "CodeBuild projects",
        ),
    ];
    for (action, service, what) in cases {
        let technique = format!("privesc:{action}");
        let mut f = Fixture::new();
        let attacker = f.user(A, "attacker", &[allow(json!(action), json!("*"))]);
        let runner = f.role(
            A,
            "runner",
            trust_service(service),
            &[allow(json!("*"), json!("*"))],
        );
        let other = f.role(A, "other", trust_service("ec2.amazonaws.com"), &[]);
        f.check(|a| {
            let edge = edge_kind(a, &attacker, &runner, &technique).unwrap_or_else(|| {
                panic!("{action}: an inferred edge to the role trusting {service}")
            });
            assert_eq!(edge.status, Status::Inferred, "{action}");
            assert!(
                edge.explanation_text().contains(what),
                "{}",
                edge.explanation
            );
            assert!(reaches(a, &attacker, &runner), "{action}");
            assert!(!has_edge(a, &attacker, &other, &technique), "{action}");
        });
        // The same with the action denied by an SCP: no edge.
        let mut f = Fixture::new();
        let attacker = f.user(A, "attacker", &[allow(json!(action), json!("*"))]);
        let runner = f.role(A, "runner", trust_service(service), &[]);
        f.scp(deny(json!(action), json!("*")));
        f.check(|a| assert!(!has_edge(a, &attacker, &runner, &technique), "{action}"));
    }
}

/// Launch templates and launch configurations are never collected: even where EC2 was
/// collected completely, an existing one may carry any role of an instance profile, and
/// only those (the service dispatch once returned no role at all for EC2-collected
/// accounts).
#[test]
fn launch_template_techniques_reach_instance_profile_roles_even_when_ec2_was_collected() {
    let techniques = [
        (
            json!([
                "ec2:CreateLaunchTemplateVersion",
                "ec2:ModifyLaunchTemplate"
            ]),
            "privesc:ec2:CreateLaunchTemplateVersion+ModifyLaunchTemplate",
        ),
        (
            json!("autoscaling:CreateAutoScalingGroup"),
            "privesc:autoscaling:CreateAutoScalingGroup",
        ),
    ];
    for (actions, technique) in techniques {
        let (mut f, attacker, [web, loose, func, task]) = uncollected_compute(actions.clone());
        f.collected(A, "ec2");
        f.check(|a| {
            let edge = edge_kind(a, &attacker, &web, technique)
                .unwrap_or_else(|| panic!("{technique}: an inferred edge to the profile role"));
            assert_eq!(edge.status, Status::Inferred, "{technique}");
            assert!(
                edge.explanation_text().contains("in an instance profile"),
                "{}",
                edge.explanation
            );
            for other in [&loose, &func, &task] {
                assert!(
                    !has_edge(a, &attacker, other, technique),
                    "{technique}: {other}"
                );
            }
        });
        // Only one of the two permissions of the launch-template technique: no edge.
        if let Some(first) = actions.as_array().map(|a| a[0].clone()) {
            let (f, attacker, [web, ..]) = uncollected_compute(first);
            f.check(|a| assert!(!has_edge(a, &attacker, &web, technique), "{technique}"));
        }
    }
}

#[test]
fn update_function_code_needs_no_invoke_permission() {
    // The function's own triggers run the replaced code (iam-vulnerable privesc17).
    let (f, attacker, [_, _, func, _]) = uncollected_compute(json!("lambda:UpdateFunctionCode"));
    let mut f = f;
    let function = f.lambda(A, "fn", &func);
    f.check(|a| {
        assert!(has_edge(
            a,
            &attacker,
            &function,
            "privesc:lambda:UpdateFunctionCode"
        ));
    });
}

/// An attacker allowed `iam:SetDefaultPolicyVersion` on its customer managed policy
/// `own`, which stores `versions` besides its default one.
fn set_default_version(versions: &[serde_json::Value]) -> (Fixture, String) {
    let mut f = Fixture::new();
    let attacker = f.user(A, "attacker", &[]);
    let default = allow(json!("iam:SetDefaultPolicyVersion"), json!("*"));
    let own = f.managed(A, "own", default, &attacker);
    let docs: Vec<DocId> = versions.iter().map(|v| f.doc(v)).collect();
    let policy = f
        .snapshot
        .account_mut(A)
        .iam
        .managed_policies
        .iter_mut()
        .find(|m| m.arn == own)
        .unwrap();
    for (i, document) in docs.into_iter().enumerate() {
        policy.other_versions.push(PolicyVersion {
            version_id: format!("v{}", i + 1),
            document,
        });
    }
    (f, attacker)
}

fn set_default_escalation(a: &crate::graph::Analysis<'_>, attacker: &str) -> Option<Status> {
    let p = a.model.principal_by_arn(attacker).unwrap();
    a.graph
        .escalations
        .iter()
        .find(|e| {
            e.principal == p
                && crate::graph::privesc::CATALOGUE[e.technique as usize].name
                    == "iam:SetDefaultPolicyVersion"
        })
        .map(|e| e.status.clone())
}

#[test]
fn set_default_policy_version_needs_a_stored_other_version() {
    let (f, attacker) = set_default_version(&[]);
    f.check(|a| assert_eq!(set_default_escalation(a, &attacker), None));
    // A stored version identical to the default one grants nothing new.
    let same = allow(json!("iam:SetDefaultPolicyVersion"), json!("*"));
    let (f, attacker) = set_default_version(&[same]);
    f.check(|a| assert_eq!(set_default_escalation(a, &attacker), None));
}

#[test]
fn set_default_policy_version_is_certain_only_for_an_admin_version() {
    let (f, attacker) = set_default_version(&[allow(json!("*"), json!("*"))]);
    f.check(|a| {
        assert_eq!(set_default_escalation(a, &attacker), Some(Status::Certain));
        assert!(is_admin(a, &attacker));
        let p = a.model.principal_by_arn(&attacker).unwrap();
        let explanation = &a
            .graph
            .escalations
            .iter()
            .find(|e| e.principal == p)
            .unwrap()
            .explanation;
        assert!(
            explanation.contains(&format!("arn:aws:iam::{A}:policy/own stores version v1")),
            "{explanation}"
        );
    });
    let (f, attacker) = set_default_version(&[allow(json!("s3:GetObject"), json!("*"))]);
    f.check(|a| {
        assert_eq!(
            set_default_escalation(a, &attacker),
            Some(Status::conditional(vec!["policy-version-content".into()]))
        );
    });
    // A version that allows everything but also denies something is not "everything".
    let mut mixed = allow(json!("*"), json!("*"));
    mixed["Statement"]
        .as_array_mut()
        .unwrap()
        .push(json!({"Effect":"Deny","Action":"iam:*","Resource":"*"}));
    let (f, attacker) = set_default_version(&[mixed, allow(json!("s3:*"), json!("*"))]);
    f.check(|a| {
        assert!(matches!(
            set_default_escalation(a, &attacker),
            Some(Status::Conditional(_))
        ))
    });
}

#[test]
fn set_default_policy_version_counts_only_policies_it_may_switch() {
    // Allowed on `own` (no other version); `rich` stores an admin version but the
    // attacker may not switch it.
    let mut f = Fixture::new();
    let attacker = f.user(A, "attacker", &[]);
    let own = format!("arn:aws:iam::{A}:policy/own");
    f.managed(
        A,
        "own",
        allow(json!("iam:SetDefaultPolicyVersion"), json!(own)),
        &attacker,
    );
    let rich = f.managed(
        A,
        "rich",
        allow(json!("s3:ListBucket"), json!("*")),
        &attacker,
    );
    let admin = f.doc(&allow(json!("*"), json!("*")));
    f.snapshot
        .account_mut(A)
        .iam
        .managed_policies
        .iter_mut()
        .find(|m| m.arn == rich)
        .unwrap()
        .other_versions
        .push(PolicyVersion {
            version_id: "v1".into(),
            document: admin,
        });
    f.check(|a| {
        assert_eq!(set_default_escalation(a, &attacker), None);
        assert!(!is_admin(a, &attacker));
    });
}
