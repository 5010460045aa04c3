//! A small hand-built organization for the simulation tests: two workload accounts in
//! one OU, a management account, IAM with a shared admin policy, an EC2-backed ECS
//! cluster shared by two task definitions, and an EKS node group.

use crate::snapshot::*;
use serde_json::json;

pub const APP_ROLE: &str = "arn:aws:iam::111111111111:role/app";
pub const DEPLOY_PROD: &str = "arn:aws:iam::222222222222:role/deploy";
pub const ADMIN_POLICY: &str = "arn:aws:iam::222222222222:policy/admin";
pub const EC2_CLUSTER: &str = "arn:aws:ecs:eu-west-1:222222222222:cluster/shared";
pub const WEB_TASKDEF: &str = "arn:aws:ecs:eu-west-1:222222222222:task-definition/web:1";
pub const BATCH_TASKDEF: &str = "arn:aws:ecs:eu-west-1:222222222222:task-definition/batch:3";

fn role(snapshot: &mut Snapshot, arn: &str, trust: serde_json::Value) -> Role {
    let name = arn.rsplit('/').next().unwrap_or_default().to_string();
    Role {
        arn: arn.into(),
        name,
        path: "/".into(),
        trust_policy: snapshot.documents.intern_value(&trust).unwrap(),
        ..Role::default()
    }
}

fn instance(id: &str) -> Ec2Instance {
    Ec2Instance {
        id: id.into(),
        arn: format!("arn:aws:ec2:eu-west-1:222222222222:instance/{id}"),
        region: "eu-west-1".into(),
        state: "running".into(),
        ..Ec2Instance::default()
    }
}

fn task_definition(arn: &str, mode: NetworkMode) -> TaskDefinition {
    TaskDefinition {
        arn: arn.into(),
        region: "eu-west-1".into(),
        task_role_arn: Some(APP_ROLE.into()),
        network_mode: mode,
        ..TaskDefinition::default()
    }
}

/// The demo organization of the simulation tests.
pub fn demo() -> Snapshot {
    let mut snapshot = Snapshot::default();
    let ecs_trust = json!({"Statement": [{"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}]});
    let dev_trust = json!({"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"}, "Action": "sts:AssumeRole"}]});
    let read = json!({"Statement": [{"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]});
    let admin = json!({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]});
    let full = json!({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]});

    let mut app = role(&mut snapshot, APP_ROLE, ecs_trust);
    app.inline_policies.push(InlinePolicy {
        name: "read-secrets".into(),
        document: snapshot.documents.intern_value(&read).unwrap(),
    });
    let dev_deploy = role(
        &mut snapshot,
        "arn:aws:iam::111111111111:role/deploy",
        dev_trust.clone(),
    );
    let mut prod_deploy = role(&mut snapshot, DEPLOY_PROD, dev_trust.clone());
    prod_deploy.attached_policies.push(ADMIN_POLICY.into());
    let mut ops = role(
        &mut snapshot,
        "arn:aws:iam::222222222222:role/ops",
        dev_trust,
    );
    ops.attached_policies.push(ADMIN_POLICY.into());
    let admin_policy = ManagedPolicy {
        arn: ADMIN_POLICY.into(),
        name: "admin".into(),
        path: "/".into(),
        document: snapshot.documents.intern_value(&admin).unwrap(),
        ..ManagedPolicy::default()
    };
    let full_access = snapshot.documents.intern_value(&full).unwrap();

    let dev = snapshot.account_mut("111111111111");
    dev.name = Some("dev".into());
    dev.parent_id = Some("ou-work-1".into());
    dev.iam.roles.extend([app, dev_deploy]);
    dev.iam.users.push(User {
        arn: "arn:aws:iam::111111111111:user/alice".into(),
        name: "alice".into(),
        path: "/".into(),
        ..User::default()
    });

    let prod = snapshot.account_mut("222222222222");
    prod.name = Some("prod".into());
    prod.parent_id = Some("ou-work-1".into());
    prod.iam.roles.extend([prod_deploy, ops]);
    prod.iam.managed_policies.push(admin_policy);
    prod.compute.ec2_instances = vec![instance("i-ecs1"), instance("i-ecs2"), instance("i-node1")];
    prod.compute.task_definitions = vec![
        task_definition(WEB_TASKDEF, NetworkMode::Bridge),
        task_definition(BATCH_TASKDEF, NetworkMode::Host),
    ];
    prod.compute.ecs_clusters = vec![
        EcsCluster {
            arn: EC2_CLUSTER.into(),
            name: "shared".into(),
            region: "eu-west-1".into(),
            container_instances: vec![ContainerInstance {
                arn: "arn:aws:ecs:eu-west-1:222222222222:container-instance/shared/ci1".into(),
                ec2_instance_id: "i-ecs1".into(),
                ..ContainerInstance::default()
            }],
            services: vec![EcsService {
                arn: "arn:aws:ecs:eu-west-1:222222222222:service/shared/web".into(),
                name: "web".into(),
                task_definition_arn: WEB_TASKDEF.into(),
                launch_type: LaunchType::Ec2,
                desired_count: 2,
            }],
            tasks: vec![EcsTask {
                arn: "arn:aws:ecs:eu-west-1:222222222222:task/shared/t1".into(),
                task_definition_arn: BATCH_TASKDEF.into(),
                launch_type: LaunchType::Ec2,
                container_instance_arn: Some(
                    "arn:aws:ecs:eu-west-1:222222222222:container-instance/shared/ci1".into(),
                ),
                group: Some("family:batch".into()),
            }],
        },
        EcsCluster {
            arn: "arn:aws:ecs:eu-west-1:222222222222:cluster/batch".into(),
            name: "batch".into(),
            region: "eu-west-1".into(),
            container_instances: vec![ContainerInstance {
                arn: "arn:aws:ecs:eu-west-1:222222222222:container-instance/batch/ci2".into(),
                ec2_instance_id: "i-ecs2".into(),
                ..ContainerInstance::default()
            }],
            services: vec![EcsService {
                arn: "arn:aws:ecs:eu-west-1:222222222222:service/batch/nightly".into(),
                name: "nightly".into(),
                task_definition_arn: BATCH_TASKDEF.into(),
                launch_type: LaunchType::Ec2,
                desired_count: 1,
            }],
            tasks: vec![],
        },
    ];
    prod.compute.eks_clusters = vec![EksCluster {
        arn: "arn:aws:eks:eu-west-1:222222222222:cluster/eks".into(),
        name: "eks".into(),
        region: "eu-west-1".into(),
        node_groups: vec![NodeGroup {
            arn: "arn:aws:eks:eu-west-1:222222222222:nodegroup/eks/workers/abc".into(),
            name: "workers".into(),
            node_role_arn: "arn:aws:iam::222222222222:role/ops".into(),
            instance_ids: vec!["i-node1".into()],
        }],
        ..EksCluster::default()
    }];

    let management = snapshot.account_mut("999999999999");
    management.name = Some("management".into());
    management.parent_id = Some("r-root".into());

    snapshot.organization = Some(Organization {
        id: "o-demo".into(),
        management_account_id: "999999999999".into(),
        units: vec![
            OrgUnit {
                id: "r-root".into(),
                name: "Root".into(),
                parent_id: None,
            },
            OrgUnit {
                id: "ou-work-1".into(),
                name: "Workloads".into(),
                parent_id: Some("r-root".into()),
            },
        ],
        policies: vec![OrgPolicy {
            id: "p-FullAWSAccess".into(),
            name: "FullAWSAccess".into(),
            kind: OrgPolicyKind::Scp,
            aws_managed: true,
            document: full_access,
            targets: vec!["r-root".into()],
        }],
    });
    assert!(snapshot.validate().is_empty());
    snapshot
}
