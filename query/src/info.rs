//! `blastgraph info`: what a snapshot holds, per account and kind, and what it misses.
//!
//! # JSON contract (`blastgraph info --format json`)
//!
//! Stable: fields are only ever added, never renamed or removed, and counts keep their
//! meaning. Field order is as below.
//!
//! ```json
//! {
//!   "snapshot": {
//!     "format_version": 3,          // the on-disk format version of the file
//!     "size_bytes": 12345,          // size of the snapshot file; null when not from a file
//!     "tool_version": "0.1.0",      // blastgraph that wrote it
//!     "created_at": "2026-01-01T00:00:00Z",
//!     "origin": "gaad_import"       // collected | gaad_import | synthetic | handwritten
//!   },
//!   "organization": {               // null for snapshots without AWS Organizations data
//!     "id": "o-...", "management_account_id": "111111111111",
//!     "units": 3, "scps": 2, "rcps": 0
//!   },
//!   "accounts": [{
//!     "id": "123456789012", "name": "prod",   // name is null when unknown
//!     "users": 2, "groups": 1, "roles": 4,
//!     "managed_policies": 2,        // entries of the account's GAAD `Policies` list
//!     "instance_profiles": 1, "oidc_providers": 0,
//!     "s3_buckets": 0, "secrets": 0, "kms_keys": 0, "rds_databases": 0,
//!     "lambda_functions": 0, "dynamodb_tables": 0, "ssm_parameters": 0,
//!     "other_resources": 0,
//!     "ec2_instances": 0, "ecs_clusters": 0, "ecs_services": 0, "ecs_tasks": 0,
//!     "task_definitions": 0, "eks_clusters": 0, "eks_pods": 0
//!   }],
//!   "totals": { ... },              // the same counts summed over all accounts, id "*"
//!   "documents": { "distinct": 40, "bytes": 51234 },  // policy documents, stored once
//!   "coverage": {
//!     "collected": 4,               // (account, region, service) entries read fully
//!     "gaps": [{                    // everything else: queries warn about these
//!       "account_id": "123456789012", "region": null, "service": "ecs",
//!       "status": "not_collected",  // not_collected | failed
//!       "reason": "GAAD import holds IAM only"
//!     }]
//!   }
//! }
//! ```

use blastgraph_engine::snapshot::{
    format::FORMAT_VERSION, Account, CoverageStatus, OrgPolicyKind, Origin, ResourceKind, Snapshot,
};
use serde::Serialize;

/// Everything `blastgraph info` reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Info {
    /// About the snapshot itself.
    pub snapshot: SnapshotInfo,
    /// The organization, when the snapshot has one.
    pub organization: Option<OrganizationInfo>,
    /// Counts per account, in snapshot order.
    pub accounts: Vec<AccountCounts>,
    /// Counts summed over all accounts (`id` is `*`).
    pub totals: AccountCounts,
    /// The policy document store.
    pub documents: DocumentsInfo,
    /// What was collected and what was not.
    pub coverage: CoverageInfo,
}

/// About the snapshot file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SnapshotInfo {
    /// The on-disk format version.
    pub format_version: u32,
    /// The file size, when the snapshot was read from a file.
    pub size_bytes: Option<u64>,
    /// The blastgraph version that wrote it.
    pub tool_version: String,
    /// When it was made (RFC 3339).
    pub created_at: String,
    /// How it was made: `collected`, `gaad_import`, `synthetic` or `handwritten`.
    pub origin: &'static str,
}

/// About the organization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrganizationInfo {
    /// `o-...`.
    pub id: String,
    /// The management account id.
    pub management_account_id: String,
    /// The root and the OUs.
    pub units: usize,
    /// Service control policies.
    pub scps: usize,
    /// Resource control policies.
    pub rcps: usize,
}

/// Counts of one account (or of all, in [`Info::totals`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AccountCounts {
    /// The account id (`*` for totals).
    pub id: String,
    /// The account name, when known.
    pub name: Option<String>,
    /// IAM users.
    pub users: usize,
    /// IAM groups.
    pub groups: usize,
    /// IAM roles.
    pub roles: usize,
    /// Managed policies: the entries of the account's GAAD `Policies` list.
    pub managed_policies: usize,
    /// Instance profiles.
    pub instance_profiles: usize,
    /// OIDC identity providers.
    pub oidc_providers: usize,
    /// S3 buckets.
    pub s3_buckets: usize,
    /// Secrets Manager secrets.
    pub secrets: usize,
    /// KMS keys.
    pub kms_keys: usize,
    /// RDS instances and clusters.
    pub rds_databases: usize,
    /// Lambda functions.
    pub lambda_functions: usize,
    /// DynamoDB tables.
    pub dynamodb_tables: usize,
    /// SSM parameters.
    pub ssm_parameters: usize,
    /// Resources of other kinds.
    pub other_resources: usize,
    /// EC2 instances.
    pub ec2_instances: usize,
    /// ECS clusters.
    pub ecs_clusters: usize,
    /// ECS services.
    pub ecs_services: usize,
    /// Running ECS tasks.
    pub ecs_tasks: usize,
    /// ECS task definitions.
    pub task_definitions: usize,
    /// EKS clusters.
    pub eks_clusters: usize,
    /// Kubernetes pods of the EKS clusters.
    pub eks_pods: usize,
}

/// The policy document store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocumentsInfo {
    /// Distinct documents.
    pub distinct: usize,
    /// Their total size as compact JSON.
    pub bytes: usize,
}

/// Coverage: what was collected, and the gaps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CoverageInfo {
    /// Entries collected completely.
    pub collected: usize,
    /// Entries not collected or failed.
    pub gaps: Vec<Gap>,
}

/// One coverage gap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Gap {
    /// The account.
    pub account_id: String,
    /// The region, `None` for global services.
    pub region: Option<String>,
    /// The service prefix.
    pub service: String,
    /// `not_collected` or `failed`.
    pub status: &'static str,
    /// Why.
    pub reason: String,
}

/// Summarizes a snapshot; `size_bytes` is the size of the file it was read from.
pub fn summarize(snapshot: &Snapshot, size_bytes: Option<u64>) -> Info {
    let accounts: Vec<AccountCounts> = snapshot.accounts.iter().map(count_account).collect();
    let mut totals = AccountCounts {
        id: "*".into(),
        ..AccountCounts::default()
    };
    for counts in &accounts {
        totals.add(counts);
    }
    Info {
        snapshot: SnapshotInfo {
            format_version: FORMAT_VERSION,
            size_bytes,
            tool_version: snapshot.meta.tool_version.clone(),
            created_at: snapshot.meta.created_at.clone(),
            origin: origin_name(&snapshot.meta.origin),
        },
        organization: snapshot.organization.as_ref().map(|org| OrganizationInfo {
            id: org.id.clone(),
            management_account_id: org.management_account_id.clone(),
            units: org.units.len(),
            scps: org
                .policies
                .iter()
                .filter(|p| p.kind == OrgPolicyKind::Scp)
                .count(),
            rcps: org
                .policies
                .iter()
                .filter(|p| p.kind == OrgPolicyKind::Rcp)
                .count(),
        }),
        accounts,
        totals,
        documents: DocumentsInfo {
            distinct: snapshot.documents.len(),
            bytes: snapshot
                .documents
                .iter()
                .map(|(_, text)| text.as_str().len())
                .sum(),
        },
        coverage: coverage(snapshot),
    }
}

fn origin_name(origin: &Origin) -> &'static str {
    match origin {
        Origin::Collected { .. } => "collected",
        Origin::GaadImport { .. } => "gaad_import",
        Origin::Synthetic { .. } => "synthetic",
        Origin::Handwritten => "handwritten",
    }
}

fn count_account(account: &Account) -> AccountCounts {
    let iam = &account.iam;
    let compute = &account.compute;
    let mut counts = AccountCounts {
        id: account.id.clone(),
        name: account.name.clone(),
        users: iam.users.len(),
        groups: iam.groups.len(),
        roles: iam.roles.len(),
        managed_policies: iam.managed_policies.len(),
        instance_profiles: iam.instance_profiles.len(),
        oidc_providers: iam.oidc_providers.len(),
        ec2_instances: compute.ec2_instances.len(),
        ecs_clusters: compute.ecs_clusters.len(),
        ecs_services: compute.ecs_clusters.iter().map(|c| c.services.len()).sum(),
        ecs_tasks: compute.ecs_clusters.iter().map(|c| c.tasks.len()).sum(),
        task_definitions: compute.task_definitions.len(),
        eks_clusters: compute.eks_clusters.len(),
        eks_pods: compute.eks_clusters.iter().map(|c| c.pods.len()).sum(),
        ..AccountCounts::default()
    };
    for resource in &account.resources {
        let slot = match resource.kind {
            ResourceKind::S3Bucket { .. } => &mut counts.s3_buckets,
            ResourceKind::Secret { .. } => &mut counts.secrets,
            ResourceKind::KmsKey { .. } => &mut counts.kms_keys,
            ResourceKind::RdsInstance(_) | ResourceKind::RdsCluster(_) => &mut counts.rds_databases,
            ResourceKind::LambdaFunction { .. } => &mut counts.lambda_functions,
            ResourceKind::DynamoDbTable => &mut counts.dynamodb_tables,
            ResourceKind::SsmParameter { .. } => &mut counts.ssm_parameters,
            ResourceKind::Other => &mut counts.other_resources,
        };
        *slot += 1;
    }
    counts
}

impl AccountCounts {
    fn add(&mut self, other: &AccountCounts) {
        self.users += other.users;
        self.groups += other.groups;
        self.roles += other.roles;
        self.managed_policies += other.managed_policies;
        self.instance_profiles += other.instance_profiles;
        self.oidc_providers += other.oidc_providers;
        self.s3_buckets += other.s3_buckets;
        self.secrets += other.secrets;
        self.kms_keys += other.kms_keys;
        self.rds_databases += other.rds_databases;
        self.lambda_functions += other.lambda_functions;
        self.dynamodb_tables += other.dynamodb_tables;
        self.ssm_parameters += other.ssm_parameters;
        self.other_resources += other.other_resources;
        self.ec2_instances += other.ec2_instances;
        self.ecs_clusters += other.ecs_clusters;
        self.ecs_services += other.ecs_services;
        self.ecs_tasks += other.ecs_tasks;
        self.task_definitions += other.task_definitions;
        self.eks_clusters += other.eks_clusters;
        self.eks_pods += other.eks_pods;
    }

    /// The counts by label, in display order, for text output.
    pub fn labelled(&self) -> [(&'static str, usize); 21] {
        [
            ("users", self.users),
            ("groups", self.groups),
            ("roles", self.roles),
            ("managed policies", self.managed_policies),
            ("instance profiles", self.instance_profiles),
            ("OIDC providers", self.oidc_providers),
            ("S3 buckets", self.s3_buckets),
            ("secrets", self.secrets),
            ("KMS keys", self.kms_keys),
            ("RDS databases", self.rds_databases),
            ("Lambda functions", self.lambda_functions),
            ("DynamoDB tables", self.dynamodb_tables),
            ("SSM parameters", self.ssm_parameters),
            ("other resources", self.other_resources),
            ("EC2 instances", self.ec2_instances),
            ("ECS clusters", self.ecs_clusters),
            ("ECS services", self.ecs_services),
            ("ECS tasks", self.ecs_tasks),
            ("task definitions", self.task_definitions),
            ("EKS clusters", self.eks_clusters),
            ("EKS pods", self.eks_pods),
        ]
    }
}

fn coverage(snapshot: &Snapshot) -> CoverageInfo {
    let entries = &snapshot.meta.coverage;
    CoverageInfo {
        collected: entries.iter().filter(|c| !c.is_gap()).count(),
        gaps: snapshot
            .meta
            .gaps()
            .map(|c| {
                let (status, reason) = match &c.status {
                    CoverageStatus::Failed { error } => ("failed", error.clone()),
                    CoverageStatus::NotCollected { reason } => ("not_collected", reason.clone()),
                    CoverageStatus::Collected => ("collected", String::new()),
                };
                Gap {
                    account_id: c.account_id.clone(),
                    region: c.region.clone(),
                    service: c.service.clone(),
                    status,
                    reason,
                }
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use blastgraph_engine::snapshot::{Coverage, ManagedPolicy, Resource, Role};

    fn snapshot() -> Snapshot {
        let mut snapshot = Snapshot::default();
        let doc = snapshot
            .documents
            .intern_text(r#"{"Statement":[]}"#)
            .unwrap();
        let account = snapshot.account_mut("123456789012");
        account.iam.roles.push(Role {
            arn: "arn:aws:iam::123456789012:role/a".into(),
            trust_policy: doc,
            ..Role::default()
        });
        account.iam.managed_policies.push(ManagedPolicy {
            arn: "arn:aws:iam::aws:policy/ReadOnlyAccess".into(),
            document: doc,
            ..ManagedPolicy::default()
        });
        account.resources.push(Resource {
            arn: "arn:aws:s3:::b".into(),
            kind: ResourceKind::S3Bucket {
                block_public_access: None,
            },
            ..Resource::default()
        });
        snapshot.account_mut("210987654321");
        snapshot.meta.coverage = vec![
            Coverage {
                account_id: "123456789012".into(),
                region: None,
                service: "iam".into(),
                status: CoverageStatus::Collected,
            },
            Coverage {
                account_id: "123456789012".into(),
                region: Some("eu-west-1".into()),
                service: "ecs".into(),
                status: CoverageStatus::Failed {
                    error: "AccessDenied".into(),
                },
            },
        ];
        snapshot
    }

    #[test]
    fn counts_per_account_and_totals() {
        let info = summarize(&snapshot(), Some(99));
        assert_eq!(info.accounts.len(), 2);
        let first = &info.accounts[0];
        assert_eq!(
            (first.roles, first.managed_policies, first.s3_buckets),
            (1, 1, 1)
        );
        assert_eq!(info.accounts[1].roles, 0);
        assert_eq!(info.totals.roles, 1);
        assert_eq!(info.documents.distinct, 1);
        assert_eq!(info.snapshot.size_bytes, Some(99));
        assert_eq!(info.coverage.collected, 1);
        assert_eq!(info.coverage.gaps.len(), 1);
        assert_eq!(info.coverage.gaps[0].status, "failed");
        assert_eq!(info.coverage.gaps[0].reason, "AccessDenied");
    }

    #[test]
    fn json_follows_the_documented_contract() {
        let json = serde_json::to_value(summarize(&snapshot(), None)).unwrap();
        let account = &json["accounts"][0];
        assert_eq!(account["id"], "123456789012");
        for key in ["users", "groups", "roles", "managed_policies"] {
            assert!(account[key].is_u64(), "{key}");
        }
        assert_eq!(account["managed_policies"], 1);
        assert_eq!(json["snapshot"]["origin"], "handwritten");
        assert_eq!(json["snapshot"]["size_bytes"], serde_json::Value::Null);
        assert_eq!(json["organization"], serde_json::Value::Null);
        assert_eq!(json["coverage"]["gaps"][0]["region"], "eu-west-1");
        assert_eq!(json["totals"]["id"], "*");
    }
}
