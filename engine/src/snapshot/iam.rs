//! IAM principals, policies, instance profiles and identity providers of one account.

use super::{DocId, Tags};
use serde::{Deserialize, Serialize};

/// The IAM contents of one account.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Iam {
    /// IAM users.
    pub users: Vec<User>,
    /// IAM groups.
    pub groups: Vec<Group>,
    /// IAM roles, service-linked ones included.
    pub roles: Vec<Role>,
    /// Managed policies as listed by GetAccountAuthorizationDetails' `Policies`: the
    /// account's customer managed policies and the AWS managed policies attached in it.
    pub managed_policies: Vec<ManagedPolicy>,
    /// Instance profiles with the roles they carry.
    pub instance_profiles: Vec<InstanceProfile>,
    /// OpenID Connect identity providers (EKS IRSA issuers, GitHub, ...).
    pub oidc_providers: Vec<OidcProvider>,
    /// SAML identity providers, by ARN.
    pub saml_providers: Vec<String>,
}

/// An inline policy embedded in a user, group or role.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InlinePolicy {
    /// The policy name, unique within its principal.
    pub name: String,
    /// The document.
    pub document: DocId,
}

/// An IAM user.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct User {
    /// `arn:aws:iam::ACCOUNT:user/PATH/NAME`.
    pub arn: String,
    /// The user name.
    pub name: String,
    /// The unique id (`AIDA...`), the value of `aws:userid`.
    pub id: String,
    /// The path (`/`).
    pub path: String,
    /// Names of the groups the user is in.
    pub groups: Vec<String>,
    /// ARNs of the managed policies attached to the user.
    pub attached_policies: Vec<String>,
    /// Inline policies.
    pub inline_policies: Vec<InlinePolicy>,
    /// ARN of the permissions boundary, if any.
    pub permissions_boundary: Option<String>,
    /// Tags (the values of `aws:PrincipalTag/*`).
    pub tags: Tags,
    /// Access keys: status and use only, never the key id or secret.
    pub access_keys: Vec<AccessKey>,
    /// Whether the user has a console password, when known.
    pub has_console_password: Option<bool>,
}

/// What is known of one access key. Deliberately no identifier: a snapshot holds no
/// credential material.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessKey {
    /// Whether the key is active.
    pub active: bool,
    /// RFC 3339 creation time, when known.
    pub created: Option<String>,
    /// RFC 3339 time of last use, when known.
    pub last_used: Option<String>,
}

/// An IAM group.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    /// `arn:aws:iam::ACCOUNT:group/PATH/NAME`.
    pub arn: String,
    /// The group name.
    pub name: String,
    /// The unique id (`AGPA...`).
    pub id: String,
    /// The path.
    pub path: String,
    /// ARNs of the managed policies attached to the group.
    pub attached_policies: Vec<String>,
    /// Inline policies.
    pub inline_policies: Vec<InlinePolicy>,
}

/// An IAM role.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Role {
    /// `arn:aws:iam::ACCOUNT:role/PATH/NAME`.
    pub arn: String,
    /// The role name.
    pub name: String,
    /// The unique id (`AROA...`).
    pub id: String,
    /// The path (`/aws-service-role/...` for service-linked roles).
    pub path: String,
    /// The trust policy (`AssumeRolePolicyDocument`).
    pub trust_policy: DocId,
    /// ARNs of the managed policies attached to the role.
    pub attached_policies: Vec<String>,
    /// Inline policies.
    pub inline_policies: Vec<InlinePolicy>,
    /// ARN of the permissions boundary, if any.
    pub permissions_boundary: Option<String>,
    /// Tags (the values of `aws:PrincipalTag/*` for its sessions).
    pub tags: Tags,
    /// RFC 3339 time the role was last used, when known.
    pub last_used: Option<String>,
}

impl Role {
    /// Service-linked roles live under `/aws-service-role/`; SCPs do not apply to them
    /// and nobody but the service can assume them.
    pub fn is_service_linked(&self) -> bool {
        self.path.starts_with("/aws-service-role/")
    }
}

/// A managed policy with its default version's document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManagedPolicy {
    /// `arn:aws:iam::ACCOUNT:policy/...` or `arn:aws:iam::aws:policy/...`.
    pub arn: String,
    /// The policy name.
    pub name: String,
    /// The path.
    pub path: String,
    /// The default version id (`v3`), when known.
    pub default_version_id: Option<String>,
    /// The default version's document.
    pub document: DocId,
    /// The other stored versions (a principal allowed `iam:SetDefaultPolicyVersion` can
    /// switch to any of them).
    pub other_versions: Vec<PolicyVersion>,
    /// How many principals it is attached to, when known.
    pub attachment_count: Option<u32>,
}

impl ManagedPolicy {
    /// AWS managed policies live in the `aws` pseudo-account and cannot be changed.
    pub fn is_aws_managed(&self) -> bool {
        self.arn.starts_with("arn:aws:iam::aws:policy/")
    }
}

/// A non-default version of a managed policy.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyVersion {
    /// The version id (`v1`).
    pub version_id: String,
    /// The document of that version.
    pub document: DocId,
}

/// An instance profile: what an EC2 instance carries to hold a role.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstanceProfile {
    /// `arn:aws:iam::ACCOUNT:instance-profile/PATH/NAME`.
    pub arn: String,
    /// The profile name.
    pub name: String,
    /// The path.
    pub path: String,
    /// ARNs of the roles in the profile (AWS allows one).
    pub roles: Vec<String>,
}

/// An OpenID Connect identity provider.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OidcProvider {
    /// `arn:aws:iam::ACCOUNT:oidc-provider/HOST/PATH`.
    pub arn: String,
    /// The issuer URL without scheme (`oidc.eks.REGION.amazonaws.com/id/ID`): the prefix
    /// of the `:sub` and `:aud` condition keys.
    pub url: String,
    /// The audiences (client ids) it accepts.
    pub client_ids: Vec<String>,
}
