//! Sizes of a snapshot, for reports and bench labels.

use crate::snapshot::Snapshot;
use std::fmt;

/// How much of everything a snapshot holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Accounts.
    pub accounts: usize,
    /// Organizational units (the root included).
    pub org_units: usize,
    /// SCPs and RCPs.
    pub org_policies: usize,
    /// IAM roles.
    pub roles: usize,
    /// IAM users.
    pub users: usize,
    /// IAM groups.
    pub groups: usize,
    /// Managed policies listed per account (AWS managed ones counted in each account).
    pub managed_policies: usize,
    /// Resources (`Account::resources`).
    pub resources: usize,
    /// EC2 instances.
    pub ec2_instances: usize,
    /// ECS clusters.
    pub ecs_clusters: usize,
    /// ECS task definitions.
    pub task_definitions: usize,
    /// Running ECS tasks.
    pub ecs_tasks: usize,
    /// EKS clusters.
    pub eks_clusters: usize,
    /// Kubernetes pods.
    pub pods: usize,
    /// Distinct policy documents.
    pub documents: usize,
    /// Total length of the distinct policy documents, in bytes.
    pub document_bytes: usize,
}

impl Counts {
    /// Counts what `snapshot` holds.
    pub fn of(snapshot: &Snapshot) -> Self {
        let mut counts = Counts {
            accounts: snapshot.accounts.len(),
            documents: snapshot.documents.len(),
            document_bytes: snapshot
                .documents
                .iter()
                .map(|(_, t)| t.as_str().len())
                .sum(),
            ..Counts::default()
        };
        if let Some(org) = &snapshot.organization {
            counts.org_units = org.units.len();
            counts.org_policies = org.policies.len();
        }
        for account in &snapshot.accounts {
            counts.roles += account.iam.roles.len();
            counts.users += account.iam.users.len();
            counts.groups += account.iam.groups.len();
            counts.managed_policies += account.iam.managed_policies.len();
            counts.resources += account.resources.len();
            let compute = &account.compute;
            counts.ec2_instances += compute.ec2_instances.len();
            counts.ecs_clusters += compute.ecs_clusters.len();
            counts.task_definitions += compute.task_definitions.len();
            counts.ecs_tasks += compute
                .ecs_clusters
                .iter()
                .map(|c| c.tasks.len())
                .sum::<usize>();
            counts.eks_clusters += compute.eks_clusters.len();
            counts.pods += compute
                .eks_clusters
                .iter()
                .map(|c| c.pods.len())
                .sum::<usize>();
        }
        counts
    }
}

impl fmt::Display for Counts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} accounts, {} OUs, {} SCPs/RCPs, {} roles, {} users, {} groups, {} managed policies, \
             {} resources, {} EC2 instances, {} ECS clusters ({} task definitions, {} tasks), \
             {} EKS clusters ({} pods), {} distinct documents ({:.1} MB of JSON)",
            self.accounts,
            self.org_units,
            self.org_policies,
            self.roles,
            self.users,
            self.groups,
            self.managed_policies,
            self.resources,
            self.ec2_instances,
            self.ecs_clusters,
            self.task_definitions,
            self.ecs_tasks,
            self.eks_clusters,
            self.pods,
            self.documents,
            self.document_bytes as f64 / 1e6
        )
    }
}
