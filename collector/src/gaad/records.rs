//! The records of GAAD output, field for field as AWS writes them.
//!
//! Fields blastgraph does not use but AWS (or a known tool such as AirIAM) writes are
//! declared as [`Unused`], so that only fields nobody expects are reported as unknown
//! (see the importer's warnings). Lists that `--filter` or older API versions
//! may leave out default to empty; names and ARNs are required.

use super::document::{IdentityDocument, TrustDocument};
use serde::{Deserialize, Deserializer};

/// A field that AWS or a known tool writes and blastgraph does not use. It is read as a
/// JSON value and dropped (not as `serde::de::IgnoredAny`, which the unknown-field detector would
/// report).
#[derive(Default)]
pub struct Unused;

impl<'de> Deserialize<'de> for Unused {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        serde_json::Value::deserialize(deserializer).map(|_| Unused)
    }
}

fn root_path() -> String {
    "/".to_string()
}

/// An entry of `UserDetailList` (AirIAM: `AccountUsers`).
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserRecord {
    pub arn: String,
    pub user_name: String,
    #[serde(default)]
    pub user_id: String,
    #[serde(default = "root_path")]
    pub path: String,
    #[serde(default)]
    pub user_policy_list: Vec<InlinePolicyRecord>,
    #[serde(default)]
    pub group_list: Vec<String>,
    #[serde(default)]
    pub attached_managed_policies: Vec<AttachedPolicyRecord>,
    #[serde(default)]
    pub permissions_boundary: Option<BoundaryRecord>,
    #[serde(default)]
    pub tags: Vec<TagRecord>,
    /// AirIAM: whether the user has a console password.
    #[serde(default)]
    pub login_profile_exists: Option<bool>,
    #[serde(default, rename = "CreateDate")]
    _create_date: Unused,
    /// AirIAM: last access per service.
    #[serde(default, rename = "LastAccessed")]
    _last_accessed: Unused,
}

/// An entry of `GroupDetailList` (AirIAM: `AccountGroups`).
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GroupRecord {
    pub arn: String,
    pub group_name: String,
    #[serde(default)]
    pub group_id: String,
    #[serde(default = "root_path")]
    pub path: String,
    #[serde(default)]
    pub group_policy_list: Vec<InlinePolicyRecord>,
    #[serde(default)]
    pub attached_managed_policies: Vec<AttachedPolicyRecord>,
    #[serde(default, rename = "CreateDate")]
    _create_date: Unused,
    #[serde(default, rename = "LastAccessed")]
    _last_accessed: Unused,
}

/// An entry of `RoleDetailList` (AirIAM: `AccountRoles`).
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RoleRecord {
    pub arn: String,
    pub role_name: String,
    #[serde(default)]
    pub role_id: String,
    #[serde(default = "root_path")]
    pub path: String,
    pub assume_role_policy_document: TrustDocument,
    #[serde(default)]
    pub instance_profile_list: Vec<InstanceProfileRecord>,
    #[serde(default)]
    pub role_policy_list: Vec<InlinePolicyRecord>,
    #[serde(default)]
    pub attached_managed_policies: Vec<AttachedPolicyRecord>,
    #[serde(default)]
    pub permissions_boundary: Option<BoundaryRecord>,
    #[serde(default)]
    pub tags: Vec<TagRecord>,
    #[serde(default)]
    pub role_last_used: Option<RoleLastUsedRecord>,
    #[serde(default, rename = "CreateDate")]
    _create_date: Unused,
    #[serde(default, rename = "Description")]
    _description: Unused,
    #[serde(default, rename = "MaxSessionDuration")]
    _max_session_duration: Unused,
    #[serde(default, rename = "LastAccessed")]
    _last_accessed: Unused,
}

/// An entry of `Policies` (AirIAM: `AccountPolicies`): a managed policy.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PolicyRecord {
    pub arn: String,
    pub policy_name: String,
    #[serde(default = "root_path")]
    pub path: String,
    #[serde(default)]
    pub default_version_id: Option<String>,
    #[serde(default)]
    pub attachment_count: Option<u32>,
    #[serde(default)]
    pub policy_version_list: Vec<PolicyVersionRecord>,
    #[serde(default, rename = "PolicyId")]
    _policy_id: Unused,
    #[serde(default, rename = "PermissionsBoundaryUsageCount")]
    _permissions_boundary_usage_count: Unused,
    #[serde(default, rename = "IsAttachable")]
    _is_attachable: Unused,
    #[serde(default, rename = "Description")]
    _description: Unused,
    #[serde(default, rename = "CreateDate")]
    _create_date: Unused,
    #[serde(default, rename = "UpdateDate")]
    _update_date: Unused,
}

/// A version of a managed policy.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PolicyVersionRecord {
    pub document: IdentityDocument,
    pub version_id: String,
    #[serde(default)]
    pub is_default_version: bool,
    #[serde(default, rename = "CreateDate")]
    _create_date: Unused,
}

/// An inline policy (`UserPolicyList`, `GroupPolicyList`, `RolePolicyList`).
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct InlinePolicyRecord {
    pub policy_name: String,
    pub policy_document: IdentityDocument,
}

/// An entry of `AttachedManagedPolicies`.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttachedPolicyRecord {
    pub policy_arn: String,
    #[serde(default, rename = "PolicyName")]
    _policy_name: Unused,
}

/// `PermissionsBoundary`.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct BoundaryRecord {
    pub permissions_boundary_arn: String,
    #[serde(default, rename = "PermissionsBoundaryType")]
    _permissions_boundary_type: Unused,
}

/// A tag.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TagRecord {
    pub key: String,
    #[serde(default)]
    pub value: String,
}

/// `RoleLastUsed` (an empty object when the role was never used).
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RoleLastUsedRecord {
    #[serde(default)]
    pub last_used_date: Option<String>,
    #[serde(default, rename = "Region")]
    _region: Unused,
}

/// An entry of a role's `InstanceProfileList`.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct InstanceProfileRecord {
    pub arn: String,
    pub instance_profile_name: String,
    #[serde(default = "root_path")]
    pub path: String,
    #[serde(default)]
    pub roles: Vec<ProfileRoleRecord>,
    #[serde(default, rename = "InstanceProfileId")]
    _instance_profile_id: Unused,
    #[serde(default, rename = "CreateDate")]
    _create_date: Unused,
    #[serde(default, rename = "Tags")]
    _tags: Unused,
}

/// A role inside an instance profile: only its ARN matters (the role itself is in
/// `RoleDetailList`).
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ProfileRoleRecord {
    pub arn: String,
    #[serde(default, rename = "Path")]
    _path: Unused,
    #[serde(default, rename = "RoleName")]
    _role_name: Unused,
    #[serde(default, rename = "RoleId")]
    _role_id: Unused,
    #[serde(default, rename = "CreateDate")]
    _create_date: Unused,
    #[serde(default, rename = "AssumeRolePolicyDocument")]
    _assume_role_policy_document: Unused,
    #[serde(default, rename = "Description")]
    _description: Unused,
    #[serde(default, rename = "MaxSessionDuration")]
    _max_session_duration: Unused,
    #[serde(default, rename = "PermissionsBoundary")]
    _permissions_boundary: Unused,
    #[serde(default, rename = "Tags")]
    _tags: Unused,
    #[serde(default, rename = "RoleLastUsed")]
    _role_last_used: Unused,
}

/// A row of AirIAM's `CredentialReport` (the IAM credential report, CSV columns as
/// keys, every value a string such as `"true"`, `"N/A"` or a time).
#[derive(Deserialize)]
pub struct CredentialReportRow {
    pub arn: String,
    #[serde(default)]
    pub password_enabled: Option<String>,
    #[serde(default)]
    pub access_key_1_active: Option<String>,
    #[serde(default)]
    pub access_key_1_last_rotated: Option<String>,
    #[serde(default)]
    pub access_key_1_last_used_date: Option<String>,
    #[serde(default)]
    pub access_key_2_active: Option<String>,
    #[serde(default)]
    pub access_key_2_last_rotated: Option<String>,
    #[serde(default)]
    pub access_key_2_last_used_date: Option<String>,
    /// Every other column.
    #[serde(flatten)]
    _other: std::collections::BTreeMap<String, Unused>,
}
