//! Edges from compute to identities (workloads.md): runs-as, IMDS, ECScape and
//! co-location, with the IMDS reachability rules in one place ([`imds_access`]); and
//! from IAM principals to the EKS workloads their access entries let them run.

use super::authz::{Decision, Target};
use super::builder::GraphBuilder;
use super::node::NodeId;
use super::{status_of, EdgeKind, Status};
use crate::snapshot::{
    AccessEntry, AccessScope, Account, ContainerInstance, Ec2Instance, EksCluster, HttpTokens,
    LaunchType, MetadataOptions, NetworkMode, ResourceKind, TaskDefinition,
};
use std::collections::BTreeSet;

/// The stable id of a service account: `eks:CLUSTER/NAMESPACE/NAME`.
pub fn service_account_id(cluster: &str, namespace: &str, name: &str) -> String {
    format!("eks:{cluster}/{namespace}/{name}")
}

/// Every service account of a cluster known from its service accounts, pods and Pod
/// Identity associations; `(*, *)` (any service account) when Kubernetes objects were
/// not collected.
pub fn service_accounts_of(cluster: &EksCluster) -> BTreeSet<(String, String)> {
    let mut accounts: BTreeSet<(String, String)> = cluster
        .service_accounts
        .iter()
        .map(|s| (s.namespace.clone(), s.name.clone()))
        .chain(
            cluster
                .pods
                .iter()
                .map(|p| (p.namespace.clone(), p.service_account.clone())),
        )
        .chain(
            cluster
                .pod_identity_associations
                .iter()
                .map(|a| (a.namespace.clone(), a.service_account.clone())),
        )
        .collect();
    if !cluster.kubernetes_collected {
        accounts.insert(("*".into(), "*".into()));
    }
    accounts
}

/// How a workload's network reaches IMDS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkloadNetwork {
    /// An ECS task in this network mode.
    Ecs(NetworkMode),
    /// An EKS pod; `true` for `hostNetwork: true`.
    Pod {
        /// `hostNetwork: true`.
        host_network: bool,
    },
}

/// Whether a workload reaches its host's IMDS: `Ok(why)` or `Err(why not)`, following
/// the rules of workloads.md ("IMDS rules in one place").
pub fn imds_access(
    network: WorkloadNetwork,
    metadata: &MetadataOptions,
    agent: Option<&ContainerInstance>,
) -> Result<String, String> {
    if !metadata.endpoint_enabled {
        return Err("IMDS is disabled (HttpEndpoint=disabled)".into());
    }
    let host = match network {
        WorkloadNetwork::Ecs(NetworkMode::Host) => true,
        WorkloadNetwork::Ecs(NetworkMode::None) => {
            return Err("the task has no network (network mode none)".into())
        }
        WorkloadNetwork::Ecs(NetworkMode::Awsvpc) => {
            if agent.and_then(|a| a.awsvpc_block_imds) == Some(true) {
                return Err(
                    "the ECS agent blocks IMDS for awsvpc tasks (ECS_AWSVPC_BLOCK_IMDS=true)"
                        .into(),
                );
            }
            false
        }
        WorkloadNetwork::Ecs(NetworkMode::Bridge) => {
            if agent.and_then(|a| a.bridge_imds_blocked) == Some(true) {
                return Err("an iptables rule blocks IMDS for bridge-mode containers".into());
            }
            false
        }
        WorkloadNetwork::Pod { host_network } => host_network,
    };
    if host {
        return Ok("it shares the host's network namespace".into());
    }
    match metadata.tokens {
        HttpTokens::Optional => Ok("the instance allows IMDSv1 (HttpTokens=optional)".into()),
        HttpTokens::Required if metadata.hop_limit >= 2 => Ok(format!(
            "the IMDSv2 hop limit is {} (2 or more lets containers through)",
            metadata.hop_limit
        )),
        HttpTokens::Required => {
            Err("IMDSv2 is required with hop limit 1, which containers cannot pass".into())
        }
    }
}

/// Adds every compute edge.
pub fn add_edges(builder: &mut GraphBuilder<'_>) {
    let snapshot = builder.snapshot;
    for account in &snapshot.accounts {
        for instance in &account.compute.ec2_instances {
            instance_profile_edge(builder, account, instance);
        }
        for task_definition in &account.compute.task_definitions {
            task_role_edge(builder, task_definition);
        }
        ecs_edges(builder, account);
        for cluster in &account.compute.eks_clusters {
            eks_edges(builder, account, cluster);
        }
        for resource in &account.resources {
            if let ResourceKind::LambdaFunction {
                execution_role_arn: Some(role),
            } = &resource.kind
            {
                let Some(function) = builder.graph.node_by_id(&resource.arn) else {
                    continue;
                };
                if let Some(role_node) = builder.role_node(role, &resource.arn) {
                    builder.add_edge(
                        function,
                        role_node,
                        EdgeKind::RunsAs,
                        Status::Certain,
                        "the function runs with its execution role",
                    );
                }
            }
        }
    }
}

/// The roles of an instance's profile.
fn instance_roles(account: &Account, instance: &Ec2Instance) -> Vec<String> {
    let Some(profile_arn) = &instance.instance_profile_arn else {
        return Vec::new();
    };
    account
        .iam
        .instance_profiles
        .iter()
        .find(|p| &p.arn == profile_arn)
        .map(|p| p.roles.clone())
        .unwrap_or_default()
}

fn instance_profile_edge(
    builder: &mut GraphBuilder<'_>,
    account: &Account,
    instance: &Ec2Instance,
) {
    let Some(node) = builder.graph.node_by_id(&instance.arn) else {
        return;
    };
    if let Some(profile) = &instance.instance_profile_arn {
        let roles = instance_roles(account, instance);
        if roles.is_empty() {
            builder.graph.warnings.push(format!(
                "{}: instance profile {profile} is not in the snapshot; its role is unknown",
                instance.arn
            ));
        }
        for role in roles {
            if let Some(role_node) = builder.role_node(&role, &instance.arn) {
                builder.add_edge(
                    node,
                    role_node,
                    EdgeKind::RunsAs,
                    Status::Certain,
                    format!("the instance carries instance profile {profile} with this role"),
                );
            }
        }
    }
}

fn task_role_edge(builder: &mut GraphBuilder<'_>, task_definition: &TaskDefinition) {
    let Some(node) = builder.graph.node_by_id(&task_definition.arn) else {
        return;
    };
    if let Some(role) = &task_definition.task_role_arn {
        if let Some(role_node) = builder.role_node(role, &task_definition.arn) {
            builder.add_edge(
                node,
                role_node,
                EdgeKind::RunsAs,
                Status::Certain,
                "the task role, served to the task's containers by the container credentials endpoint",
            );
        }
    }
}

/// Whether a task definition is placed on a container instance (running task) or only
/// placeable there (a service or task of the cluster on EC2 capacity).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Placement {
    Placed,
    Placeable,
}

impl Placement {
    fn status(self) -> Status {
        match self {
            Placement::Placed => Status::Certain,
            Placement::Placeable => Status::Inferred,
        }
    }

    fn words(self) -> &'static str {
        match self {
            Placement::Placed => "a running task of it is placed on the instance",
            Placement::Placeable => {
                "a service of the cluster runs it on EC2 capacity, so it can be placed on the instance"
            }
        }
    }
}

fn ecs_edges(builder: &mut GraphBuilder<'_>, account: &Account) {
    for cluster in &account.compute.ecs_clusters {
        // (task definition ARN, container instance ARN) -> best placement.
        let mut placements: std::collections::BTreeMap<(String, String), Placement> =
            Default::default();
        for task in &cluster.tasks {
            if task.launch_type != LaunchType::Ec2 {
                continue;
            }
            match &task.container_instance_arn {
                Some(ci) => {
                    placements.insert(
                        (task.task_definition_arn.clone(), ci.clone()),
                        Placement::Placed,
                    );
                }
                None => {
                    for ci in &cluster.container_instances {
                        placements
                            .entry((task.task_definition_arn.clone(), ci.arn.clone()))
                            .or_insert(Placement::Placeable);
                    }
                }
            }
        }
        if builder.options.placeable {
            for service in &cluster.services {
                if service.launch_type != LaunchType::Ec2 {
                    continue;
                }
                for ci in &cluster.container_instances {
                    placements
                        .entry((service.task_definition_arn.clone(), ci.arn.clone()))
                        .or_insert(Placement::Placeable);
                }
            }
        }
        for ((task_definition_arn, ci_arn), placement) in placements {
            let Some(ci) = cluster.container_instances.iter().find(|c| c.arn == ci_arn) else {
                continue;
            };
            let Some(instance) = account
                .compute
                .ec2_instances
                .iter()
                .find(|i| i.id == ci.ec2_instance_id)
            else {
                builder.graph.warnings.push(format!(
                    "{ci_arn}: EC2 instance {} is not in the snapshot; IMDS and ECScape edges through it are unknown",
                    ci.ec2_instance_id
                ));
                continue;
            };
            let Some(task_definition) = account
                .compute
                .task_definitions
                .iter()
                .find(|t| t.arn == task_definition_arn)
            else {
                continue;
            };
            let ecscape = builder.options.ecscape_enabled(&cluster.arn);
            placed_task_edges(
                builder,
                account,
                cluster.name.as_str(),
                ci,
                instance,
                task_definition,
                placement,
                ecscape,
            );
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn placed_task_edges(
    builder: &mut GraphBuilder<'_>,
    account: &Account,
    cluster: &str,
    ci: &ContainerInstance,
    instance: &Ec2Instance,
    task_definition: &TaskDefinition,
    placement: Placement,
    ecscape: bool,
) {
    let Some(task_node) = builder.graph.node_by_id(&task_definition.arn) else {
        return;
    };
    let Some(instance_node) = builder.graph.node_by_id(&instance.arn) else {
        return;
    };
    let instance_role_nodes: Vec<NodeId> = instance_roles(account, instance)
        .iter()
        .filter_map(|r| builder.model.principal_by_arn(r))
        .collect();
    // IMDS: the task reaches the instance role.
    if let Ok(why) = imds_access(
        WorkloadNetwork::Ecs(task_definition.network_mode),
        &instance.metadata,
        Some(ci),
    ) {
        for &role in &instance_role_nodes {
            builder.add_edge(
                task_node,
                role,
                EdgeKind::Imds,
                placement.status(),
                format!(
                    "{} ({}, cluster {cluster}); the task reaches IMDS because {why}",
                    placement.words(),
                    instance.id
                ),
            );
        }
    }
    // Co-location: the host holds every task's credentials.
    builder.add_edge(
        instance_node,
        task_node,
        EdgeKind::CoLocation,
        placement.status(),
        format!(
            "{}; the host's ECS agent holds the task's credentials",
            placement.words()
        ),
    );
    if let Some(execution_role) = &task_definition.execution_role_arn {
        if let Some(role) = builder.role_node(execution_role, &task_definition.arn) {
            builder.add_edge(
                instance_node,
                role,
                EdgeKind::CoLocation,
                placement.status(),
                format!(
                    "{}; the ECS agent on the host uses the task's execution role",
                    placement.words()
                ),
            );
        }
    }
    // ECScape: the instance role impersonates the agent.
    if !ecscape {
        return;
    }
    for &instance_role in &instance_role_nodes {
        let principal = builder.graph.nodes[instance_role as usize]
            .principal
            .unwrap_or(0);
        let discover = builder.authz.authorize(
            principal,
            "ecs:discoverpollendpoint",
            &Target::plain("*", None),
        );
        let poll = builder.authz.authorize(
            principal,
            "ecs:poll",
            &Target::plain(&ci.arn, Some(&account.id)),
        );
        let Some(agent_status) = status_of(&discover.and(poll)) else {
            continue;
        };
        let status = super::weaker(agent_status, placement.status());
        if let Some(task_role) = &task_definition.task_role_arn {
            if let Some(role) = builder.model.principal_by_arn(task_role) {
                builder.add_edge(
                    instance_role,
                    role,
                    EdgeKind::Ecscape,
                    status.clone(),
                    format!(
                        "ECScape: the instance role of {} may call ecs:DiscoverPollEndpoint and ecs:Poll, impersonates the ECS agent and receives the task role credentials of {}; {}",
                        instance.id,
                        task_definition.arn,
                        placement.words()
                    ),
                );
            }
        }
        if builder.options.ecscape_execution_roles {
            if let Some(execution_role) = &task_definition.execution_role_arn {
                if let Some(role) = builder.model.principal_by_arn(execution_role) {
                    builder.add_edge(
                        instance_role,
                        role,
                        EdgeKind::Ecscape,
                        Status::Inferred,
                        format!(
                            "ECScape (unconfirmed for execution roles): the instance role of {} impersonates the ECS agent and may receive the execution role credentials of {}",
                            instance.id, task_definition.arn
                        ),
                    );
                }
            }
        }
    }
}

fn decision_status(decision: &Decision) -> Option<Status> {
    status_of(decision)
}

fn eks_edges(builder: &mut GraphBuilder<'_>, account: &Account, cluster: &EksCluster) {
    let service_accounts = service_accounts_of(cluster);
    irsa_edges(builder, cluster, &service_accounts);
    pod_identity_edges(builder, account, cluster);
    pod_placement_edges(builder, account, cluster);
    access_entry_edges(builder, cluster);
}

/// What an access entry lets its principal do with the cluster's workloads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkloadControl {
    /// The namespaces where it can run pods; `None`: every namespace.
    pub namespaces: Option<Vec<String>>,
    /// Certain, or inferred where it rests on what was not collected.
    pub status: Status,
    /// Why.
    pub why: String,
}

/// EKS access policies that only read, and not Secrets: no way to a service account's
/// credentials.
const READ_ONLY_ACCESS_POLICIES: [&str; 1] = ["AmazonEKSViewPolicy"];

/// Groups that carry no rights of their own, or only node rights (modelled by
/// co-location).
const UNPRIVILEGED_GROUPS: [&str; 3] = [
    "system:authenticated",
    "system:nodes",
    "system:bootstrappers",
];

/// Every way an access entry controls workloads: cluster admin (the
/// `AmazonEKSClusterAdminPolicy`, `AmazonEKSAdminPolicy` or `AmazonEKSEditPolicy` on the
/// cluster, or the `system:masters` group) runs pods as any service account; the same
/// policies scoped to namespaces do so there (inferred: admission policies, which are
/// not collected, decide which pod specs are admitted); other groups (RBAC not
/// collected) and unknown or Secret-reading policies may, so they are inferred too.
/// Node entries (`EC2_LINUX`, ...) get node rights, which co-location models.
pub fn workload_control(entry: &AccessEntry) -> Vec<WorkloadControl> {
    if entry.kind != "STANDARD" {
        return Vec::new();
    }
    let mut controls = Vec::new();
    for group in &entry.kubernetes_groups {
        if group == "system:masters" {
            controls.push(WorkloadControl {
                namespaces: None,
                status: Status::Certain,
                why: "Kubernetes group system:masters (cluster admin)".into(),
            });
        } else if !UNPRIVILEGED_GROUPS.contains(&group.as_str()) {
            controls.push(WorkloadControl {
                namespaces: None,
                status: Status::Inferred,
                why: format!("Kubernetes group {group}, whose RBAC bindings were not collected"),
            });
        }
    }
    for association in &entry.access_policies {
        let name = association
            .policy_arn
            .rsplit('/')
            .next()
            .unwrap_or_default();
        if READ_ONLY_ACCESS_POLICIES.contains(&name) {
            continue;
        }
        let runs_pods = matches!(
            name,
            "AmazonEKSClusterAdminPolicy" | "AmazonEKSAdminPolicy" | "AmazonEKSEditPolicy"
        );
        let (namespaces, scope) = match &association.scope {
            AccessScope::Cluster => (None, "the cluster".to_string()),
            AccessScope::Namespaces(list) => (
                Some(list.clone()),
                format!("namespaces {}", list.join(", ")),
            ),
        };
        let status = if runs_pods && namespaces.is_none() {
            Status::Certain
        } else {
            Status::Inferred
        };
        let what = if runs_pods {
            "can create pods"
        } else {
            "may reach service-account credentials (a policy that is not known to be read-only)"
        };
        controls.push(WorkloadControl {
            namespaces,
            status,
            why: format!("access policy {name} on {scope} {what}"),
        });
    }
    controls
}

/// Whether a namespace is in an access scope's namespace list (a trailing `*` matches
/// a prefix; the unknown namespace `*` of an uncollected cluster matches any list).
fn namespace_in_scope(namespace: &str, scope: &[String]) -> bool {
    namespace == "*"
        || scope.iter().any(|pattern| match pattern.strip_suffix('*') {
            Some(prefix) => namespace.starts_with(prefix),
            None => pattern == namespace,
        })
}

/// Access entries: from the entry's IAM principal to every service account it can run
/// a pod as (the pod then receives that service account's IRSA or Pod Identity role).
fn access_entry_edges(builder: &mut GraphBuilder<'_>, cluster: &EksCluster) {
    if cluster.access_entries.is_empty() {
        return;
    }
    let service_accounts = service_accounts_of(cluster);
    for entry in &cluster.access_entries {
        let controls = workload_control(entry);
        if controls.is_empty() {
            continue;
        }
        let Some(principal) = builder.role_node(&entry.principal_arn, &cluster.arn) else {
            continue;
        };
        for (namespace, name) in &service_accounts {
            let Some(sa_node) =
                builder
                    .graph
                    .node_by_id(&service_account_id(&cluster.name, namespace, name))
            else {
                continue;
            };
            // The strongest control that covers the namespace decides the edge.
            let best = controls
                .iter()
                .filter(|c| {
                    c.namespaces
                        .as_deref()
                        .is_none_or(|scope| namespace_in_scope(namespace, scope))
                })
                .min_by_key(|c| c.status != Status::Certain);
            let Some(control) = best else {
                continue;
            };
            let status = if namespace == "*" && control.namespaces.is_some() {
                Status::Inferred
            } else {
                control.status.clone()
            };
            builder.add_edge(
                principal,
                sa_node,
                EdgeKind::AccessEntry,
                status,
                format!(
                    "EKS access entry on cluster {}: {}, so it can run a pod as service account {namespace}/{name} and receive its credentials",
                    cluster.name, control.why
                ),
            );
        }
    }
}

/// Web identity: every role trusting the cluster's OIDC issuer, from every service
/// account whose `sub` the trust policy admits (annotated or not: a token of any
/// service account can be exchanged for any role whose trust admits it).
fn irsa_edges(
    builder: &mut GraphBuilder<'_>,
    cluster: &EksCluster,
    service_accounts: &BTreeSet<(String, String)>,
) {
    let Some(issuer) = &cluster.oidc_issuer else {
        return;
    };
    let issuer = issuer.trim_start_matches("https://");
    let model = builder.model;
    let snapshot = builder.snapshot;
    for (index, principal) in model.principals.iter().enumerate() {
        let Some(trust) = principal.trust else {
            continue;
        };
        if !snapshot.document(trust).contains(issuer) {
            continue;
        }
        let role_account = &model.accounts[principal.account as usize].id;
        let provider_arn = format!("arn:aws:iam::{role_account}:oidc-provider/{issuer}");
        let provider_registered = snapshot
            .account(role_account)
            .is_some_and(|a| a.iam.oidc_providers.iter().any(|p| p.arn == provider_arn));
        if !provider_registered {
            builder.graph.warnings.push(format!(
                "{}: trusts {issuer}, but account {role_account} has no such OIDC provider; no web identity edge",
                principal.arn
            ));
            continue;
        }
        for (namespace, name) in service_accounts {
            let Some(sa_node) =
                builder
                    .graph
                    .node_by_id(&service_account_id(&cluster.name, namespace, name))
            else {
                continue;
            };
            let mut claims = vec![(
                format!("{}:aud", issuer.to_ascii_lowercase()),
                "sts.amazonaws.com".to_string(),
            )];
            if namespace != "*" {
                claims.push((
                    format!("{}:sub", issuer.to_ascii_lowercase()),
                    format!("system:serviceaccount:{namespace}:{name}"),
                ));
            }
            let decision = builder
                .authz
                .web_identity(index as u32, &provider_arn, &claims);
            let Some(status) = decision_status(&decision) else {
                continue;
            };
            let annotated = cluster.service_accounts.iter().any(|s| {
                &s.namespace == namespace
                    && &s.name == name
                    && s.irsa_role_arn.as_deref() == Some(&principal.arn)
            });
            let how = if annotated {
                "IRSA: the service account is annotated with this role"
            } else {
                "the role's trust policy admits this service account's token from the cluster's OIDC issuer"
            };
            let explanation = format!(
                "{how}; sts:AssumeRoleWithWebIdentity allowed by {}",
                builder.authz.explain(None, decision.why())
            );
            let kind = if annotated {
                EdgeKind::RunsAs
            } else {
                EdgeKind::WebIdentity
            };
            builder.add_edge(sa_node, index as u32, kind, status, explanation);
        }
    }
    for sa in &cluster.service_accounts {
        if let Some(role) = &sa.irsa_role_arn {
            let referrer = service_account_id(&cluster.name, &sa.namespace, &sa.name);
            builder.role_node(role, &referrer);
        }
    }
}

fn pod_identity_edges(builder: &mut GraphBuilder<'_>, account: &Account, cluster: &EksCluster) {
    let node_roles = node_roles(builder, account, cluster);
    for association in &cluster.pod_identity_associations {
        let sa = service_account_id(
            &cluster.name,
            &association.namespace,
            &association.service_account,
        );
        let Some(sa_node) = builder.graph.node_by_id(&sa) else {
            continue;
        };
        let Some(role) = builder.role_node(&association.role_arn, &association.arn) else {
            continue;
        };
        let decision = builder
            .authz
            .trusts_service(role, "pods.eks.amazonaws.com", &account.id);
        let Some(status) = decision_status(&decision) else {
            builder.graph.warnings.push(format!(
                "{}: role {} does not trust pods.eks.amazonaws.com; the association cannot work",
                association.arn, association.role_arn
            ));
            continue;
        };
        builder.add_edge(
            sa_node,
            role,
            EdgeKind::RunsAs,
            status,
            format!("EKS Pod Identity association {}", association.arn),
        );
        for &node_role in &node_roles {
            // The agent's call must be allowed to the node role.
            let agent = builder.authz.authorize(
                node_role,
                "eks-auth:assumeroleforpodidentity",
                &Target::plain(&cluster.arn, Some(&account.id)),
            );
            if status_of(&agent).is_none() {
                continue;
            }
            builder.add_edge(
                node_role,
                role,
                EdgeKind::CoLocation,
                Status::Inferred,
                format!(
                    "the node role runs the Pod Identity agent (eks-auth:AssumeRoleForPodIdentity): with a service-account token it obtains the roles of the cluster's associations ({})",
                    association.arn
                ),
            );
        }
    }
}

/// Roles of the cluster's nodes: node groups' node roles and nodes' instance roles.
fn node_roles(builder: &GraphBuilder<'_>, account: &Account, cluster: &EksCluster) -> Vec<u32> {
    let model = builder.model;
    let mut roles: BTreeSet<u32> = cluster
        .node_groups
        .iter()
        .filter_map(|g| model.principal_by_arn(&g.node_role_arn))
        .collect();
    for node in &cluster.nodes {
        let instance = node
            .instance_id
            .as_deref()
            .and_then(|id| account.compute.ec2_instances.iter().find(|i| i.id == id));
        if let Some(instance) = instance {
            roles.extend(
                instance_roles(account, instance)
                    .iter()
                    .filter_map(|r| model.principal_by_arn(r)),
            );
        }
    }
    roles.into_iter().collect()
}

fn pod_placement_edges(builder: &mut GraphBuilder<'_>, account: &Account, cluster: &EksCluster) {
    for pod in &cluster.pods {
        let sa = service_account_id(&cluster.name, &pod.namespace, &pod.service_account);
        let Some(sa_node) = builder.graph.node_by_id(&sa) else {
            continue;
        };
        let Some(node_name) = &pod.node_name else {
            continue;
        };
        let Some(instance) = cluster
            .nodes
            .iter()
            .find(|n| &n.name == node_name)
            .and_then(|n| n.instance_id.as_deref())
            .and_then(|id| account.compute.ec2_instances.iter().find(|i| i.id == id))
        else {
            continue;
        };
        let Some(instance_node) = builder.graph.node_by_id(&instance.arn) else {
            continue;
        };
        builder.add_edge(
            instance_node,
            sa_node,
            EdgeKind::CoLocation,
            Status::Certain,
            format!(
                "pod {}/{} runs on node {node_name}: the kubelet can mint its service-account tokens",
                pod.namespace, pod.name
            ),
        );
        if let Ok(why) = imds_access(
            WorkloadNetwork::Pod {
                host_network: pod.host_network,
            },
            &instance.metadata,
            None,
        ) {
            for role in instance_roles(account, instance) {
                if let Some(role_node) = builder.model.principal_by_arn(&role) {
                    builder.add_edge(
                        sa_node,
                        role_node,
                        EdgeKind::Imds,
                        Status::Certain,
                        format!(
                            "pod {}/{} runs on node {node_name} ({}) and reaches IMDS because {why}",
                            pod.namespace, pod.name, instance.id
                        ),
                    );
                }
            }
        }
    }
    if !cluster.kubernetes_collected {
        any_pod_imds_edges(builder, account, cluster);
    }
}

/// Without Kubernetes objects, "any pod" of the cluster may run on any node of it.
fn any_pod_imds_edges(builder: &mut GraphBuilder<'_>, account: &Account, cluster: &EksCluster) {
    let Some(any) = builder
        .graph
        .node_by_id(&service_account_id(&cluster.name, "*", "*"))
    else {
        return;
    };
    for group in &cluster.node_groups {
        let instances: Vec<&Ec2Instance> = group
            .instance_ids
            .iter()
            .filter_map(|id| account.compute.ec2_instances.iter().find(|i| &i.id == id))
            .collect();
        let reachable = instances.is_empty()
            || instances.iter().any(|i| {
                imds_access(
                    WorkloadNetwork::Pod { host_network: true },
                    &i.metadata,
                    None,
                )
                .is_ok()
            });
        if !reachable {
            continue;
        }
        if let Some(role) = builder.role_node(&group.node_role_arn, &group.arn) {
            builder.add_edge(
                any,
                role,
                EdgeKind::Imds,
                Status::Inferred,
                format!(
                    "Kubernetes objects were not collected: a pod of the cluster may run on node group {} with host networking or an open IMDS and reach the node role",
                    group.name
                ),
            );
        }
    }
}

#[cfg(test)]
mod access_entry_tests {
    //! Access entries: which entries control which service accounts, end to end through
    //! the graph (the principal reaches the Pod Identity role of a service account).

    use super::*;
    use crate::graph::analyse;
    use crate::snapshot::{
        AccessPolicyAssociation, PodIdentityAssociation, Role, ServiceAccount, Snapshot,
    };
    use serde_json::json;

    const A: &str = "111111111111";
    const POLICY: &str = "arn:aws:eks::aws:cluster-access-policy/";

    fn arn(name: &str) -> String {
        format!("arn:aws:iam::{A}:role/{name}")
    }

    fn entry(name: &str, groups: &[&str], policies: &[(&str, AccessScope)]) -> AccessEntry {
        AccessEntry {
            principal_arn: arn(name),
            kind: "STANDARD".into(),
            username: None,
            kubernetes_groups: groups.iter().map(|g| g.to_string()).collect(),
            access_policies: policies
                .iter()
                .map(|(p, scope)| AccessPolicyAssociation {
                    policy_arn: format!("{POLICY}{p}"),
                    scope: scope.clone(),
                })
                .collect(),
        }
    }

    fn shop() -> AccessScope {
        AccessScope::Namespaces(vec!["shop".into()])
    }

    fn snapshot(entries: Vec<AccessEntry>) -> Snapshot {
        let mut snapshot = Snapshot::default();
        let nobody = snapshot
            .documents
            .intern_value(&json!({"Version":"2012-10-17","Statement":[]}))
            .unwrap();
        let pods = snapshot
            .documents
            .intern_value(
                &json!({"Version":"2012-10-17","Statement":[{"Effect":"Allow",
                "Principal":{"Service":"pods.eks.amazonaws.com"},
                "Action":["sts:AssumeRole","sts:TagSession"]}]}),
            )
            .unwrap();
        let account = snapshot.account_mut(A);
        for (name, trust) in [
            ("payments", pods),
            ("platform", nobody),
            ("dev", nobody),
            ("viewer", nobody),
            ("node", nobody),
        ] {
            account.iam.roles.push(Role {
                arn: arn(name),
                name: name.into(),
                id: format!("AROA{name}"),
                path: "/".into(),
                trust_policy: trust,
                ..Role::default()
            });
        }
        let service_account = |namespace: &str, name: &str| ServiceAccount {
            namespace: namespace.into(),
            name: name.into(),
            irsa_role_arn: None,
        };
        account.compute.eks_clusters.push(EksCluster {
            arn: format!("arn:aws:eks:us-east-1:{A}:cluster/k"),
            name: "k".into(),
            region: "us-east-1".into(),
            authentication_mode: Some("API".into()),
            kubernetes_collected: true,
            service_accounts: vec![
                service_account("shop", "payments"),
                service_account("ops", "agent"),
            ],
            pod_identity_associations: vec![PodIdentityAssociation {
                arn: "arn:aws:eks:us-east-1:111111111111:podidentityassociation/k/a-1".into(),
                namespace: "shop".into(),
                service_account: "payments".into(),
                role_arn: arn("payments"),
            }],
            access_entries: entries,
            ..EksCluster::default()
        });
        assert_eq!(snapshot.validate(), vec![]);
        snapshot
    }

    /// The access-entry edge from a role to a service account, if any.
    fn edge(a: &crate::graph::Analysis<'_>, from: &str, sa: &str) -> Option<Status> {
        let from = a.graph.node_by_id(&arn(from)).unwrap();
        let to = a.graph.node_by_id(&format!("eks:k/{sa}")).unwrap();
        a.graph
            .out_edges(from)
            .filter(|&(_, target)| target == to)
            .map(|(e, _)| a.graph.edge(e))
            .find(|e| e.kind == EdgeKind::AccessEntry)
            .map(|e| e.status.clone())
    }

    #[test]
    fn cluster_admin_runs_every_workload_and_reaches_its_role() {
        let snapshot = snapshot(vec![
            entry(
                "platform",
                &[],
                &[("AmazonEKSClusterAdminPolicy", AccessScope::Cluster)],
            ),
            entry("dev", &[], &[("AmazonEKSAdminPolicy", shop())]),
            entry(
                "viewer",
                &[],
                &[("AmazonEKSViewPolicy", AccessScope::Cluster)],
            ),
            AccessEntry {
                kind: "EC2_LINUX".into(),
                ..entry("node", &["system:nodes"], &[])
            },
        ]);
        analyse(&snapshot, |a| {
            assert_eq!(edge(a, "platform", "shop/payments"), Some(Status::Certain));
            assert_eq!(edge(a, "platform", "ops/agent"), Some(Status::Certain));
            // Namespace-scoped admin: only its namespace, and inferred.
            assert_eq!(edge(a, "dev", "shop/payments"), Some(Status::Inferred));
            assert_eq!(edge(a, "dev", "ops/agent"), None);
            // Read-only and node entries run nothing.
            assert_eq!(edge(a, "viewer", "shop/payments"), None);
            assert_eq!(edge(a, "node", "shop/payments"), None);
            // End to end: the admin reaches the Pod Identity role, the viewer does not.
            let reach = |from: &str, to: &str| {
                let from = a.graph.node_by_id(&arn(from)).unwrap();
                let to = a.graph.node_by_id(&arn(to)).unwrap();
                a.reach.any.of(from).contains(to)
            };
            assert!(reach("platform", "payments"));
            assert!(reach("dev", "payments"));
            assert!(!reach("viewer", "payments"));
            let explanation = a
                .graph
                .out_edges(a.graph.node_by_id(&arn("platform")).unwrap())
                .map(|(e, _)| a.graph.edge(e))
                .find(|e| e.kind == EdgeKind::AccessEntry)
                .map(|e| e.explanation_text())
                .unwrap();
            assert!(
                explanation.contains("AmazonEKSClusterAdminPolicy"),
                "{explanation}"
            );
        });
    }

    #[test]
    fn system_masters_is_certain_and_other_groups_are_inferred() {
        let snapshot = snapshot(vec![
            entry("platform", &["system:masters"], &[]),
            entry("dev", &["payments-team"], &[]),
            entry("viewer", &["system:authenticated"], &[]),
        ]);
        analyse(&snapshot, |a| {
            assert_eq!(edge(a, "platform", "ops/agent"), Some(Status::Certain));
            assert_eq!(edge(a, "dev", "ops/agent"), Some(Status::Inferred));
            assert_eq!(edge(a, "viewer", "ops/agent"), None);
        });
    }

    #[test]
    fn workload_control_of_policies_and_scopes() {
        let control = |e: AccessEntry| -> Vec<(Option<Vec<String>>, Status)> {
            workload_control(&e)
                .into_iter()
                .map(|c| (c.namespaces, c.status))
                .collect()
        };
        assert_eq!(
            control(entry(
                "x",
                &[],
                &[("AmazonEKSAdminPolicy", AccessScope::Cluster)]
            )),
            [(None, Status::Certain)]
        );
        assert_eq!(
            control(entry("x", &[], &[("AmazonEKSEditPolicy", shop())])),
            [(Some(vec!["shop".to_string()]), Status::Inferred)]
        );
        // Unknown (or Secret-reading) policies may reach credentials: inferred, kept.
        assert_eq!(
            control(entry(
                "x",
                &[],
                &[("AmazonEKSAdminViewPolicy", AccessScope::Cluster)]
            )),
            [(None, Status::Inferred)]
        );
        assert_eq!(
            control(entry(
                "x",
                &[],
                &[("AmazonEKSViewPolicy", AccessScope::Cluster)]
            )),
            []
        );
        assert!(namespace_in_scope("dev-a", &["dev-*".into()]));
        assert!(!namespace_in_scope(
            "prod",
            &["dev-*".into(), "shop".into()]
        ));
        assert!(namespace_in_scope("*", &["shop".into()]));
    }
}
