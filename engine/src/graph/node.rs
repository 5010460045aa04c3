//! Graph nodes: sources of credentials (workloads) and identities.

use super::model::{AccountIdx, PrincipalIdx};
use serde::Serialize;

/// Index of a node in [`super::BlastGraph::nodes`] (and in the petgraph graph).
pub type NodeId = u32;

/// What a node is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NodeKind {
    /// An IAM user (a credential source and an identity).
    User,
    /// An IAM group (an identity a user can join).
    Group,
    /// An IAM role (a session is a source; the role an identity).
    Role,
    /// An EC2 instance (ECS container instances and EKS nodes included).
    Ec2Instance,
    /// An ECS task definition revision; running tasks are placement facts about it.
    TaskDefinition,
    /// An EKS service account (its pods), `eks:CLUSTER/NAMESPACE/NAME`; `*/*` stands for
    /// any service account when Kubernetes objects were not collected.
    ServiceAccount,
    /// A Lambda function.
    LambdaFunction,
}

impl NodeKind {
    /// The kebab-case name used in outputs and in `--from`.
    pub fn as_str(self) -> &'static str {
        match self {
            NodeKind::User => "user",
            NodeKind::Group => "group",
            NodeKind::Role => "role",
            NodeKind::Ec2Instance => "ec2-instance",
            NodeKind::TaskDefinition => "task-definition",
            NodeKind::ServiceAccount => "service-account",
            NodeKind::LambdaFunction => "lambda-function",
        }
    }

    /// Every kind, for parsing `--from`.
    pub const ALL: [NodeKind; 7] = [
        NodeKind::User,
        NodeKind::Group,
        NodeKind::Role,
        NodeKind::Ec2Instance,
        NodeKind::TaskDefinition,
        NodeKind::ServiceAccount,
        NodeKind::LambdaFunction,
    ];

    /// Parses a kind name (also accepting short aliases: `ecs`, `eks`, `ec2`, `lambda`).
    pub fn parse(name: &str) -> Option<NodeKind> {
        match name {
            "ecs" | "task" => Some(NodeKind::TaskDefinition),
            "eks" | "pod" | "sa" => Some(NodeKind::ServiceAccount),
            "ec2" | "instance" => Some(NodeKind::Ec2Instance),
            "lambda" => Some(NodeKind::LambdaFunction),
            _ => NodeKind::ALL.into_iter().find(|k| k.as_str() == name),
        }
    }

    /// Whether a node of this kind holds IAM permissions itself.
    pub fn is_identity(self) -> bool {
        matches!(self, NodeKind::User | NodeKind::Group | NodeKind::Role)
    }
}

/// A node.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// What it is.
    pub kind: NodeKind,
    /// Its stable id: an ARN, or `eks:CLUSTER/NAMESPACE/NAME` for service accounts.
    pub id: String,
    /// A short human name (`role/app`, `ecs:prod/api:3`, `i-0abc`).
    pub label: String,
    /// The account it lives in.
    pub account: AccountIdx,
    /// The principal, for identities.
    pub principal: Option<PrincipalIdx>,
}
