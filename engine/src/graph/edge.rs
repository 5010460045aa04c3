//! Graph edges: how holding one node's credentials yields another's.

use serde::Serialize;

/// The kind of an edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EdgeKind {
    /// Compute gets its own role: task role, IRSA, Pod Identity, instance profile,
    /// Lambda execution role.
    RunsAs,
    /// A container or pod reaches its host's instance role through IMDS.
    Imds,
    /// ECScape: the container instance's role impersonates the ECS agent and receives
    /// the credentials of every task placed on the instance.
    Ecscape,
    /// A host (EC2 instance, EKS node) holds the credentials of every workload on it.
    CoLocation,
    /// `sts:AssumeRole` (same or cross account, chaining).
    AssumeRole,
    /// `sts:AssumeRoleWithWebIdentity` (IRSA and other OIDC trusts).
    WebIdentity,
    /// An EKS access entry lets an IAM principal run pods as a cluster's service
    /// accounts (Kubernetes admin or edit rights).
    AccessEntry,
    /// A privilege-escalation technique of the catalogue (index into
    /// [`super::privesc::CATALOGUE`]).
    Privesc(u16),
}

impl EdgeKind {
    /// The stable name used in outputs (`privesc:<technique>` for escalations).
    pub fn name(self) -> String {
        match self {
            EdgeKind::RunsAs => "runs-as".into(),
            EdgeKind::Imds => "imds".into(),
            EdgeKind::Ecscape => "ecscape".into(),
            EdgeKind::CoLocation => "co-location".into(),
            EdgeKind::AssumeRole => "assume-role".into(),
            EdgeKind::WebIdentity => "web-identity".into(),
            EdgeKind::AccessEntry => "access-entry".into(),
            EdgeKind::Privesc(i) => {
                format!("privesc:{}", super::privesc::CATALOGUE[i as usize].name)
            }
        }
    }

    /// A short family name for colouring (`privesc` for every technique).
    pub fn family(self) -> &'static str {
        match self {
            EdgeKind::RunsAs => "runs-as",
            EdgeKind::Imds => "imds",
            EdgeKind::Ecscape => "ecscape",
            EdgeKind::CoLocation => "co-location",
            EdgeKind::AssumeRole => "assume-role",
            EdgeKind::WebIdentity => "web-identity",
            EdgeKind::AccessEntry => "access-entry",
            EdgeKind::Privesc(_) => "privesc",
        }
    }
}

/// How sure an edge is.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Holds whatever the unknown parts of the request.
    Certain,
    /// Holds depending on these condition keys.
    Conditional(Vec<String>),
    /// Holds by inference (placement that could happen, behaviour not confirmed).
    Inferred,
}

impl Status {
    /// Whether it is certain.
    pub fn is_certain(&self) -> bool {
        matches!(self, Status::Certain)
    }

    /// The condition keys, if conditional.
    pub fn keys(&self) -> &[String] {
        match self {
            Status::Conditional(keys) => keys,
            _ => &[],
        }
    }
}

/// An edge.
#[derive(Debug, Clone)]
pub struct Edge {
    /// Its kind.
    pub kind: EdgeKind,
    /// How sure it is.
    pub status: Status,
    /// Why it exists, in words: the preconditions met and the policies that allow it.
    pub explanation: String,
}
