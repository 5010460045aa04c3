//! Compute of one account and the roles it runs as: ECS clusters (EC2 and Fargate),
//! EKS clusters (IRSA, Pod Identity, pods on nodes), standalone EC2 instances and the
//! execution roles of Lambda functions.

use super::builder::AccountBuilder;
use super::docs::{self, IrsaSubject};
use super::names::{APPS, NAMESPACES, PARTS, SYSTEM_SERVICE_ACCOUNTS, TEAMS};
use super::permissions::Workloads;
use super::Misconfiguration;
use crate::snapshot::{
    ContainerInstance, Ec2Instance, EcsCluster, EcsService, EcsTask, EksCluster, HttpTokens,
    KubernetesNode, LaunchType, MetadataOptions, NetworkMode, NodeGroup, OidcProvider, Pod,
    PodIdentityAssociation, ResourceKind, ServiceAccount, TaskDefinition,
};

/// Services per ECS cluster.
const SERVICES_PER_ECS_CLUSTER: usize = 30;
/// Workload roles (IRSA and Pod Identity) per EKS cluster.
const ROLES_PER_EKS_CLUSTER: usize = 30;

/// How many ECS clusters for `task_roles` task roles.
pub fn ecs_cluster_count(task_roles: usize) -> usize {
    task_roles.div_ceil(SERVICES_PER_ECS_CLUSTER)
}

/// How many EC2-backed ECS clusters among `clusters` (every other one, the first one first).
pub fn ec2_backed_count(clusters: usize) -> usize {
    clusters.div_ceil(2)
}

/// How many EKS clusters for `workload_roles` IRSA and Pod Identity roles.
pub fn eks_cluster_count(workload_roles: usize) -> usize {
    workload_roles.div_ceil(ROLES_PER_EKS_CLUSTER)
}

/// IMDS options drawn from what fleets really run; IMDSv1 is a planted misconfiguration.
fn metadata(
    b: &mut AccountBuilder<'_>,
    instance_arn: &str,
    default_hop_limit: u8,
) -> MetadataOptions {
    if b.misconfigure() || b.rng.chance(60) {
        b.plant(Misconfiguration::ImdsV1, instance_arn);
        return MetadataOptions {
            endpoint_enabled: true,
            tokens: HttpTokens::Optional,
            hop_limit: default_hop_limit,
        };
    }
    let endpoint_enabled = !b.rng.chance(30);
    let hop_limit = if b.rng.chance(250) {
        3 - default_hop_limit
    } else {
        default_hop_limit
    };
    MetadataOptions {
        endpoint_enabled,
        tokens: HttpTokens::Required,
        hop_limit,
    }
}

/// Launches `count` instances with an instance profile; returns their ids.
fn instances(
    b: &mut AccountBuilder<'_>,
    region: &str,
    count: usize,
    profile: Option<&str>,
    hop_limit: u8,
    name: &str,
    team: &str,
) -> Vec<String> {
    let mut ids = Vec::with_capacity(count);
    for _ in 0..count {
        let id = format!("i-{}", b.rng.hex(17));
        let arn = format!("arn:aws:ec2:{region}:{}:instance/{id}", b.id());
        let metadata = metadata(b, &arn, hop_limit);
        let state = if b.rng.chance(900) {
            "running"
        } else {
            "stopped"
        };
        let mut tags = b.tags(name, team);
        tags.insert("Name".into(), name.into());
        b.account.compute.ec2_instances.push(Ec2Instance {
            id: id.clone(),
            arn,
            region: region.into(),
            instance_profile_arn: profile.map(String::from),
            metadata,
            state: state.into(),
            tags,
        });
        ids.push(id);
    }
    ids
}

/// ECS clusters running `task_roles` task definitions (one service each) with
/// `execution_roles` shared execution roles.
pub fn ecs(
    b: &mut AccountBuilder<'_>,
    w: &mut Workloads,
    task_roles: usize,
    execution_roles: usize,
) {
    let clusters = ecs_cluster_count(task_roles);
    if clusters == 0 {
        return;
    }
    let mut execution = Vec::new();
    for i in 0..execution_roles.max(1) {
        let name = if i == 0 {
            "ecsTaskExecutionRole".to_string()
        } else {
            format!("{}-ecs-execution", b.rng.pick(TEAMS))
        };
        let role = b.role(
            &name,
            "/",
            &docs::service_trust(&["ecs-tasks.amazonaws.com"]),
        );
        b.attach_aws(role, "AmazonECSTaskExecutionRolePolicy");
        if b.rng.chance(400) && !w.inventory.secrets.is_empty() {
            let (secret, key) = b.rng.pick(&w.inventory.secrets).clone();
            b.inline(
                role,
                "pull-secrets",
                &docs::secret_read(&secret, key.as_deref()),
            );
        }
        execution.push(b.role_arn(role).to_string());
    }
    let ec2_backed = ec2_backed_count(clusters);
    for c in 0..clusters {
        let on_ec2 = c % 2 == 0 && c / 2 < ec2_backed;
        let services = task_roles / clusters + usize::from(c < task_roles % clusters);
        ecs_cluster(b, w, c, on_ec2, services, &execution);
    }
}

fn ecs_cluster(
    b: &mut AccountBuilder<'_>,
    w: &mut Workloads,
    index: usize,
    on_ec2: bool,
    services: usize,
    execution: &[String],
) {
    let region = b.region();
    let env = b.placement.kind.env();
    let base = format!("{env}-{}-{index}", if on_ec2 { "ecs" } else { "fargate" });
    let name = b.unique_name(base);
    let account = b.id();
    let cluster_arn = format!("arn:aws:ecs:{region}:{account}:cluster/{name}");
    let mut cluster = EcsCluster {
        arn: cluster_arn,
        name: name.clone(),
        region: region.into(),
        ..EcsCluster::default()
    };
    let launch_type = if on_ec2 {
        LaunchType::Ec2
    } else {
        LaunchType::Fargate
    };

    let mut plans = Vec::with_capacity(services);
    for _ in 0..services {
        let app = *b.rng.pick(APPS);
        let base = format!("{app}-{}", b.rng.pick(PARTS));
        let family = b.unique_name(base);
        let team = *b.rng.pick(TEAMS);
        let trust = if b.rng.chance(300) {
            docs::service_trust_guarded(
                "ecs-tasks.amazonaws.com",
                account,
                &format!("arn:aws:ecs:{region}:{account}:*"),
            )
        } else {
            docs::service_trust(&["ecs-tasks.amazonaws.com"])
        };
        let role = b.role(&format!("{family}-task"), "/", &trust);
        let tags = b.tags(app, team);
        b.tag_role(role, tags);
        w.grant(b, role, app);
        // A few task definitions have no task role: their containers fall back to the
        // instance role through the SDK's credential chain.
        let task_role = (!b.rng.chance(40)).then(|| b.role_arn(role).to_string());
        let network_mode = if on_ec2 {
            [NetworkMode::Bridge, NetworkMode::Awsvpc, NetworkMode::Host]
                [b.rng.weighted(&[50, 40, 10])]
        } else {
            NetworkMode::Awsvpc
        };
        let revision = b.rng.between(1, 40) as u32;
        let definition_arn =
            format!("arn:aws:ecs:{region}:{account}:task-definition/{family}:{revision}");
        b.account.compute.task_definitions.push(TaskDefinition {
            arn: definition_arn.clone(),
            family: family.clone(),
            revision,
            region: region.into(),
            task_role_arn: task_role,
            execution_role_arn: Some(b.rng.pick(execution).clone()),
            network_mode,
        });
        let desired = b.rng.between(1, 4) as u32;
        cluster.services.push(EcsService {
            arn: format!("arn:aws:ecs:{region}:{account}:service/{name}/{family}"),
            name: family.clone(),
            task_definition_arn: definition_arn.clone(),
            launch_type,
            desired_count: desired,
        });
        plans.push((family, definition_arn, desired));
    }

    if on_ec2 {
        let total_tasks: u32 = plans.iter().map(|p| p.2).sum();
        let hosts = (total_tasks as usize).div_ceil(6).max(2);
        let role = b.role(
            &format!("{name}-instance"),
            "/",
            &docs::service_trust(&["ec2.amazonaws.com"]),
        );
        b.attach_aws(role, "AmazonEC2ContainerServiceforEC2Role");
        b.attach_aws(role, "AmazonSSMManagedInstanceCore");
        let profile = b.instance_profile(role, &format!("{name}-instance-profile"));
        let team = *b.rng.pick(TEAMS);
        let ids = instances(b, region, hosts, Some(&profile), 1, &name, team);
        for id in ids {
            let block = [Some(true), Some(false), None][b.rng.weighted(&[40, 20, 40])];
            let bridge = [Some(true), Some(false), None][b.rng.weighted(&[30, 20, 50])];
            cluster.container_instances.push(ContainerInstance {
                arn: format!(
                    "arn:aws:ecs:{region}:{account}:container-instance/{name}/{}",
                    b.rng.hex(32)
                ),
                ec2_instance_id: id,
                awsvpc_block_imds: block,
                bridge_imds_blocked: bridge,
            });
        }
    }
    for (family, definition_arn, desired) in plans {
        for _ in 0..desired {
            let container_instance_arn = (!cluster.container_instances.is_empty())
                .then(|| b.rng.pick(&cluster.container_instances).arn.clone());
            cluster.tasks.push(EcsTask {
                arn: format!(
                    "arn:aws:ecs:{region}:{account}:task/{name}/{}",
                    b.rng.hex(32)
                ),
                task_definition_arn: definition_arn.clone(),
                launch_type,
                container_instance_arn,
                group: Some(format!("service:{family}")),
            });
        }
    }
    b.account.compute.ecs_clusters.push(cluster);
}

/// EKS clusters with `irsa` IRSA roles and `pod_identity` Pod Identity roles.
pub fn eks(b: &mut AccountBuilder<'_>, w: &mut Workloads, irsa: usize, pod_identity: usize) {
    let clusters = eks_cluster_count(irsa + pod_identity);
    for c in 0..clusters {
        let share = |n: usize| n / clusters + usize::from(c < n % clusters);
        eks_cluster(b, w, c, share(irsa), share(pod_identity));
    }
}

fn eks_cluster(
    b: &mut AccountBuilder<'_>,
    w: &mut Workloads,
    index: usize,
    irsa: usize,
    pod_identity: usize,
) {
    let region = b.region();
    let account = b.id();
    let env = b.placement.kind.env();
    let base = format!("{env}-eks-{index}");
    let name = b.unique_name(base);
    let issuer = format!(
        "oidc.eks.{region}.amazonaws.com/id/{}",
        b.rng.hex(32).to_uppercase()
    );
    b.account.iam.oidc_providers.push(OidcProvider {
        arn: format!("arn:aws:iam::{account}:oidc-provider/{issuer}"),
        url: issuer.clone(),
        client_ids: vec!["sts.amazonaws.com".into()],
    });
    let cluster_role = b.role(
        &format!("{name}-cluster"),
        "/",
        &docs::service_trust(&["eks.amazonaws.com"]),
    );
    b.attach_aws(cluster_role, "AmazonEKSClusterPolicy");
    let node_role = b.role(
        &format!("{name}-node"),
        "/",
        &docs::service_trust(&["ec2.amazonaws.com"]),
    );
    for policy in [
        "AmazonEKSWorkerNodePolicy",
        "AmazonEKS_CNI_Policy",
        "AmazonEC2ContainerRegistryReadOnly",
        "AmazonSSMManagedInstanceCore",
    ] {
        b.attach_aws(node_role, policy);
    }
    let node_role_arn = b.role_arn(node_role).to_string();
    let mut cluster = EksCluster {
        arn: format!("arn:aws:eks:{region}:{account}:cluster/{name}"),
        name: name.clone(),
        region: region.into(),
        oidc_issuer: Some(issuer.clone()),
        authentication_mode: Some(
            (*b.rng.pick(&["API", "API_AND_CONFIG_MAP", "CONFIG_MAP"])).into(),
        ),
        kubernetes_collected: true,
        ..EksCluster::default()
    };

    for i in 0..irsa {
        let (namespace, sa_name, app) = if i < SYSTEM_SERVICE_ACCOUNTS.len().min(3) {
            (
                "kube-system",
                SYSTEM_SERVICE_ACCOUNTS[(index + i) % SYSTEM_SERVICE_ACCOUNTS.len()].to_string(),
                "platform",
            )
        } else {
            let app = *b.rng.pick(APPS);
            (
                *b.rng.pick(NAMESPACES),
                format!("{app}-{}", b.rng.pick(PARTS)),
                app,
            )
        };
        let broad = b.misconfigure();
        let subject = if broad {
            [
                IrsaSubject::AnyServiceAccount,
                IrsaSubject::Namespace(namespace),
                IrsaSubject::AudienceOnly,
            ][b.rng.weighted(&[50, 30, 20])]
        } else {
            IrsaSubject::Exact(namespace, &sa_name)
        };
        let role = b.role(
            &format!("{name}-{sa_name}"),
            "/",
            &docs::irsa_trust(account, &issuer, subject),
        );
        if broad {
            let arn = b.role_arn(role).to_string();
            b.plant(Misconfiguration::BroadIrsaSubject, &arn);
        }
        w.grant(b, role, app);
        let role_arn = b.role_arn(role).to_string();
        if cluster
            .service_accounts
            .iter()
            .all(|s| s.namespace != namespace || s.name != sa_name)
        {
            cluster.service_accounts.push(ServiceAccount {
                namespace: namespace.into(),
                name: sa_name,
                irsa_role_arn: Some(role_arn),
            });
        }
    }
    for _ in 0..pod_identity {
        let app = *b.rng.pick(APPS);
        let namespace = *b.rng.pick(NAMESPACES);
        let sa_name = format!("{app}-{}", b.rng.pick(PARTS));
        let role = b.role(
            &format!("{name}-{sa_name}-pod"),
            "/",
            &docs::pod_identity_trust(),
        );
        w.grant(b, role, app);
        let role_arn = b.role_arn(role).to_string();
        cluster
            .pod_identity_associations
            .push(PodIdentityAssociation {
                arn: format!(
                    "arn:aws:eks:{region}:{account}:podidentityassociation/{name}/a-{}",
                    b.rng.lower_alnum(17)
                ),
                namespace: namespace.into(),
                service_account: sa_name.clone(),
                role_arn,
            });
        if cluster
            .service_accounts
            .iter()
            .all(|s| s.namespace != namespace || s.name != sa_name)
        {
            cluster.service_accounts.push(ServiceAccount {
                namespace: namespace.into(),
                name: sa_name,
                irsa_role_arn: None,
            });
        }
    }
    for namespace in ["default", "kube-system"] {
        cluster.service_accounts.push(ServiceAccount {
            namespace: namespace.into(),
            name: "default".into(),
            irsa_role_arn: None,
        });
    }

    // Nodes: one or two managed node groups; IMDS hop limit 2 is the EKS default.
    let workload_pods = cluster.service_accounts.len() * 2;
    let node_count = workload_pods.div_ceil(12).max(2);
    let profile_name = format!("eks-{}", b.rng.hex(8));
    let profile = b.instance_profile(node_role, &profile_name);
    let team = *b.rng.pick(TEAMS);
    let ids = instances(
        b,
        region,
        node_count,
        Some(&profile),
        2,
        &format!("{name}-node"),
        team,
    );
    let groups = if node_count > 3 { 2 } else { 1 };
    for g in 0..groups {
        let group_name = format!("{name}-ng-{g}");
        cluster.node_groups.push(NodeGroup {
            arn: format!(
                "arn:aws:eks:{region}:{account}:nodegroup/{name}/{group_name}/{}",
                b.rng.hex(32)
            ),
            name: group_name,
            node_role_arn: node_role_arn.clone(),
            instance_ids: ids.iter().skip(g).step_by(groups).cloned().collect(),
        });
    }
    for id in &ids {
        let octets = (b.rng.between(0, 255), b.rng.between(0, 255));
        let node_name = format!(
            "ip-10-0-{}-{}.{region}.compute.internal",
            octets.0, octets.1
        );
        // Daemon sets on every node; aws-node and kube-proxy use the host network.
        for daemon in ["aws-node", "kube-proxy"] {
            cluster.pods.push(Pod {
                namespace: "kube-system".into(),
                name: format!("{daemon}-{}", b.rng.lower_alnum(5)),
                service_account: daemon.into(),
                node_name: Some(node_name.clone()),
                host_network: true,
            });
        }
        cluster.nodes.push(KubernetesNode {
            name: node_name,
            instance_id: Some(id.clone()),
        });
    }
    for s in 0..cluster.service_accounts.len() {
        let (namespace, sa_name) = (
            cluster.service_accounts[s].namespace.clone(),
            cluster.service_accounts[s].name.clone(),
        );
        if sa_name == "default" {
            continue;
        }
        for _ in 0..b.rng.between(1, 3) {
            let node = b.rng.pick(&cluster.nodes).name.clone();
            cluster.pods.push(Pod {
                namespace: namespace.clone(),
                name: format!(
                    "{sa_name}-{}-{}",
                    b.rng.lower_alnum(10),
                    b.rng.lower_alnum(5)
                ),
                service_account: sa_name.clone(),
                node_name: Some(node),
                host_network: b.rng.chance(20),
            });
        }
    }
    b.account.compute.eks_clusters.push(cluster);
}

/// Standalone EC2 instances for `roles` instance roles, plus a few without a profile.
pub fn ec2(b: &mut AccountBuilder<'_>, w: &mut Workloads, roles: usize) {
    for _ in 0..roles {
        let app = *b.rng.pick(APPS);
        let team = *b.rng.pick(TEAMS);
        let services: &[&str] = if b.rng.chance(100) {
            &["ec2.amazonaws.com", "ssm.amazonaws.com"]
        } else {
            &["ec2.amazonaws.com"]
        };
        let role_name = format!("{app}-{}-ec2", b.rng.pick(PARTS));
        let role = b.role(&role_name, "/", &docs::service_trust(services));
        b.attach_aws(role, "AmazonSSMManagedInstanceCore");
        if b.rng.chance(500) {
            b.attach_aws(role, "CloudWatchAgentServerPolicy");
        }
        w.grant(b, role, app);
        let name = b.account.iam.roles[role].name.clone();
        let profile = b.instance_profile(role, &format!("{name}-profile"));
        let region = b.region();
        let count = b.rng.between(1, 3);
        instances(b, region, count, Some(&profile), 1, app, team);
    }
    let bare = roles / 5;
    for _ in 0..bare {
        let region = b.region();
        let app = *b.rng.pick(APPS);
        instances(b, region, 1, None, 1, app, "infra");
    }
}

/// Execution roles for the account's Lambda functions.
pub fn lambda(b: &mut AccountBuilder<'_>, w: &mut Workloads) {
    let functions = w.inventory.functions.clone();
    for (index, name) in functions {
        let path = if b.rng.chance(500) {
            "/service-role/"
        } else {
            "/"
        };
        let trust = if b.rng.chance(50) {
            docs::service_trust(&["lambda.amazonaws.com", "edgelambda.amazonaws.com"])
        } else {
            docs::service_trust(&["lambda.amazonaws.com"])
        };
        let role = b.role(&format!("{name}-role"), path, &trust);
        b.attach_aws(role, "AWSLambdaBasicExecutionRole");
        if b.rng.chance(300) {
            b.attach_aws(role, "AWSLambdaVPCAccessExecutionRole");
        }
        let app = name.split('-').next().unwrap_or("app").to_string();
        w.grant(b, role, &app);
        let role_arn = b.role_arn(role).to_string();
        if let ResourceKind::LambdaFunction { execution_role_arn } =
            &mut b.account.resources[index].kind
        {
            *execution_role_arn = Some(role_arn);
        }
    }
}
