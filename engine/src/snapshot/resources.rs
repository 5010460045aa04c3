//! Resources: what a compromised identity might act on, with their resource policies.

use super::{DocId, Tags};
use serde::{Deserialize, Serialize};

/// A resource that matters to the blast radius.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Resource {
    /// The resource ARN.
    pub arn: String,
    /// The region, `None` for global resources (S3 bucket ARNs carry no region).
    pub region: Option<String>,
    /// What it is, with the attributes that change who can use it.
    pub kind: ResourceKind,
    /// Its resource policy (bucket policy, secret policy, key policy, function policy).
    pub policy: Option<DocId>,
    /// Its tags (the values of `aws:ResourceTag/*`).
    pub tags: Tags,
}

/// What kind of resource, with its kind-specific attributes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResourceKind {
    /// An S3 bucket.
    S3Bucket {
        /// The bucket's Block Public Access settings, when collected.
        block_public_access: Option<BlockPublicAccess>,
    },
    /// A Secrets Manager secret. Reading it needs `kms:Decrypt` on its key when the key
    /// is customer managed.
    Secret {
        /// The KMS key id or ARN; `None` means the AWS managed `aws/secretsmanager` key.
        kms_key_id: Option<String>,
    },
    /// A KMS key. Its key policy (in [`Resource::policy`]) must allow every use.
    KmsKey {
        /// Customer managed (`true`) or AWS managed.
        customer_managed: bool,
        /// Its aliases (`alias/name`).
        aliases: Vec<String>,
        /// Grants, which allow operations outside the key policy.
        grants: Vec<KmsGrant>,
    },
    /// An RDS DB instance.
    RdsInstance(RdsDatabase),
    /// An Aurora / RDS DB cluster.
    RdsCluster(RdsDatabase),
    /// A Lambda function: a target (invoke, update) and a source (its execution role).
    LambdaFunction {
        /// The execution role ARN.
        execution_role_arn: Option<String>,
    },
    /// A DynamoDB table.
    DynamoDbTable,
    /// An SSM parameter.
    SsmParameter {
        /// Whether it is a `SecureString`.
        secure: bool,
    },
    /// Any other resource, kept for its policy or tags.
    #[default]
    Other,
}

/// S3 Block Public Access settings (bucket or account level).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockPublicAccess {
    /// `BlockPublicAcls`.
    pub block_public_acls: bool,
    /// `IgnorePublicAcls`.
    pub ignore_public_acls: bool,
    /// `BlockPublicPolicy`.
    pub block_public_policy: bool,
    /// `RestrictPublicBuckets`.
    pub restrict_public_buckets: bool,
}

/// A KMS grant.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KmsGrant {
    /// The principal the grant is for.
    pub grantee_principal: String,
    /// The operations it allows (`Decrypt`, `GenerateDataKey`, ...).
    pub operations: Vec<String>,
}

/// An RDS instance or cluster.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RdsDatabase {
    /// The identifier (`DBInstanceIdentifier` / `DBClusterIdentifier`).
    pub identifier: String,
    /// The resource id (`db-...` / `cluster-...`) used in `rds-db:connect` ARNs.
    pub resource_id: String,
    /// The engine (`aurora-postgresql`, ...).
    pub engine: String,
    /// Whether IAM database authentication is enabled (`rds-db:connect` matters).
    pub iam_auth: bool,
}
