//! Compute that holds credentials, and where it runs: EC2, ECS, EKS.
//!
//! Placement (which task runs on which container instance, which pod on which node) is a
//! fact of the moment of collection; services and node groups say where workloads *could*
//! be placed. The engine models both (see `../shared/domain/workloads.md`).

use super::Tags;
use serde::{Deserialize, Serialize};

/// The compute of one account, all regions.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Compute {
    /// EC2 instances (ECS container instances and EKS nodes included).
    pub ec2_instances: Vec<Ec2Instance>,
    /// ECS clusters with their container instances, services and running tasks.
    pub ecs_clusters: Vec<EcsCluster>,
    /// ECS task definitions in use (by a service or a running task).
    pub task_definitions: Vec<TaskDefinition>,
    /// EKS clusters with node groups, Pod Identity and (from kubectl) pods.
    pub eks_clusters: Vec<EksCluster>,
}

/// An EC2 instance.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ec2Instance {
    /// The instance id (`i-...`).
    pub id: String,
    /// `arn:aws:ec2:REGION:ACCOUNT:instance/ID`.
    pub arn: String,
    /// The region.
    pub region: String,
    /// The instance profile ARN, if one is associated.
    pub instance_profile_arn: Option<String>,
    /// The instance metadata service options.
    pub metadata: MetadataOptions,
    /// `running`, `stopped`, ...
    pub state: String,
    /// Tags.
    pub tags: Tags,
}

/// IMDS settings of an instance (`MetadataOptions`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetadataOptions {
    /// `HttpEndpoint=enabled`.
    pub endpoint_enabled: bool,
    /// `HttpTokens`: whether IMDSv1 is still allowed.
    pub tokens: HttpTokens,
    /// `HttpPutResponseHopLimit` (1 to 64).
    pub hop_limit: u8,
}

impl Default for MetadataOptions {
    /// AWS's historic default for instances launched without options: IMDSv1 allowed,
    /// hop limit 1. The worst case, which is the sound assumption when unknown.
    fn default() -> Self {
        MetadataOptions {
            endpoint_enabled: true,
            tokens: HttpTokens::Optional,
            hop_limit: 1,
        }
    }
}

/// `HttpTokens`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HttpTokens {
    /// IMDSv1 and v2 (`optional`).
    #[default]
    Optional,
    /// IMDSv2 only (`required`).
    Required,
}

/// An ECS cluster.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EcsCluster {
    /// The cluster ARN.
    pub arn: String,
    /// The cluster name.
    pub name: String,
    /// The region.
    pub region: String,
    /// EC2 container instances registered to the cluster.
    pub container_instances: Vec<ContainerInstance>,
    /// Services, which keep task definitions placed (and placeable) in the cluster.
    pub services: Vec<EcsService>,
    /// Running tasks with their placement.
    pub tasks: Vec<EcsTask>,
}

/// An EC2 container instance of an ECS cluster.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainerInstance {
    /// The container instance ARN.
    pub arn: String,
    /// The EC2 instance id behind it.
    pub ec2_instance_id: String,
    /// Whether the agent runs with `ECS_AWSVPC_BLOCK_IMDS=true`, when known (it is not
    /// in AWS's APIs; `None` is treated as not blocked).
    pub awsvpc_block_imds: Option<bool>,
    /// Whether bridge-mode containers are blocked from IMDS by an iptables rule, when
    /// known (`None` is treated as not blocked).
    pub bridge_imds_blocked: Option<bool>,
}

/// How a task was launched.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LaunchType {
    /// On EC2 container instances: tasks share the host.
    #[default]
    Ec2,
    /// On Fargate: each task has its own micro-VM.
    Fargate,
    /// On external (ECS Anywhere) instances.
    External,
}

/// An ECS service.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EcsService {
    /// The service ARN.
    pub arn: String,
    /// The service name.
    pub name: String,
    /// The task definition ARN it runs.
    pub task_definition_arn: String,
    /// The launch type (capacity-provider services are recorded by what they use).
    pub launch_type: LaunchType,
    /// Desired task count.
    pub desired_count: u32,
}

/// A running ECS task.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EcsTask {
    /// The task ARN.
    pub arn: String,
    /// The task definition ARN.
    pub task_definition_arn: String,
    /// The launch type.
    pub launch_type: LaunchType,
    /// The container instance it runs on (EC2 launch type).
    pub container_instance_arn: Option<String>,
    /// `service:NAME` for service tasks, `family:NAME` otherwise.
    pub group: Option<String>,
}

/// A task definition revision.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskDefinition {
    /// `arn:aws:ecs:REGION:ACCOUNT:task-definition/FAMILY:REVISION`.
    pub arn: String,
    /// The family.
    pub family: String,
    /// The revision.
    pub revision: u32,
    /// The region.
    pub region: String,
    /// The task role: what the task's containers get.
    pub task_role_arn: Option<String>,
    /// The execution role: what the agent uses to pull images and secrets.
    pub execution_role_arn: Option<String>,
    /// The network mode.
    pub network_mode: NetworkMode,
}

/// A task's network mode.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NetworkMode {
    /// Docker bridge (the EC2 default when unset).
    #[default]
    Bridge,
    /// One ENI per task (Fargate's only mode).
    Awsvpc,
    /// The host's network namespace: always reaches IMDS.
    Host,
    /// No networking.
    None,
}

/// An EKS cluster, with what `kubectl` told about it when given.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EksCluster {
    /// The cluster ARN.
    pub arn: String,
    /// The cluster name.
    pub name: String,
    /// The region.
    pub region: String,
    /// The OIDC issuer URL without scheme (`oidc.eks.REGION.amazonaws.com/id/ID`).
    pub oidc_issuer: Option<String>,
    /// `API`, `API_AND_CONFIG_MAP` or `CONFIG_MAP`, when known.
    pub authentication_mode: Option<String>,
    /// Managed node groups.
    pub node_groups: Vec<NodeGroup>,
    /// Pod Identity associations.
    pub pod_identity_associations: Vec<PodIdentityAssociation>,
    /// Whether Kubernetes objects (service accounts, pods, nodes) were read for it.
    pub kubernetes_collected: bool,
    /// Service accounts, with their IRSA annotation.
    pub service_accounts: Vec<ServiceAccount>,
    /// Pods with their service account and node.
    pub pods: Vec<Pod>,
    /// Nodes with the EC2 instance behind them.
    pub nodes: Vec<KubernetesNode>,
    /// Access entries: IAM principals admitted to the Kubernetes API (authentication
    /// modes `API` and `API_AND_CONFIG_MAP`). Optional in JSON (overlays, older
    /// exports): absent means none.
    #[serde(default)]
    pub access_entries: Vec<AccessEntry>,
}

/// An EKS access entry: an IAM principal's access to a cluster's Kubernetes API.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessEntry {
    /// The IAM principal (role or user) it admits.
    pub principal_arn: String,
    /// `STANDARD`, or a node type (`EC2_LINUX`, `EC2_WINDOWS`, `FARGATE_LINUX`,
    /// `HYBRID_LINUX`) whose principal joins as a node.
    pub kind: String,
    /// The Kubernetes user name, when set.
    pub username: Option<String>,
    /// Kubernetes groups the principal is put in (`system:masters`, or groups bound
    /// by RBAC objects that are not collected).
    pub kubernetes_groups: Vec<String>,
    /// EKS access policies associated with the entry.
    pub access_policies: Vec<AccessPolicyAssociation>,
}

/// An EKS access policy associated with an access entry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessPolicyAssociation {
    /// `arn:aws:eks::aws:cluster-access-policy/NAME`.
    pub policy_arn: String,
    /// Where it applies.
    pub scope: AccessScope,
}

/// The scope of an associated EKS access policy.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum AccessScope {
    /// The whole cluster.
    #[default]
    Cluster,
    /// These namespaces only (a trailing `*` matches a prefix).
    Namespaces(Vec<String>),
}

/// An EKS managed node group.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeGroup {
    /// The node group ARN.
    pub arn: String,
    /// The node group name.
    pub name: String,
    /// The node IAM role.
    pub node_role_arn: String,
    /// EC2 instances of the group, when known.
    pub instance_ids: Vec<String>,
}

/// An EKS Pod Identity association.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PodIdentityAssociation {
    /// The association ARN.
    pub arn: String,
    /// The namespace.
    pub namespace: String,
    /// The service account name.
    pub service_account: String,
    /// The role its pods get.
    pub role_arn: String,
}

/// A Kubernetes service account.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceAccount {
    /// The namespace.
    pub namespace: String,
    /// The name.
    pub name: String,
    /// The `eks.amazonaws.com/role-arn` annotation (IRSA), if any.
    pub irsa_role_arn: Option<String>,
}

/// A Kubernetes pod.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pod {
    /// The namespace.
    pub namespace: String,
    /// The name.
    pub name: String,
    /// The service account it runs as.
    pub service_account: String,
    /// The node it runs on, when scheduled.
    pub node_name: Option<String>,
    /// `hostNetwork: true`: the pod always reaches IMDS.
    pub host_network: bool,
}

/// A Kubernetes node.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KubernetesNode {
    /// The node name.
    pub name: String,
    /// The EC2 instance id from `spec.providerID`, when it is one.
    pub instance_id: Option<String>,
}
