//! IAM: `GetAccountAuthorizationDetails` (paginated) for principals and customer managed
//! policies, the AWS managed policies they attach (read once per collection, see
//! [`super::aws_managed`]), plus what GAAD lacks: instance profiles without roles, OIDC
//! and SAML providers, and access keys' status and last use (the key id is used for the
//! lookup and never kept).

use super::aws_managed::{self, AwsManagedCache};
use super::support::{describe, for_each_concurrently, rfc3339, Errors, Limits};
use aws_sdk_iam::types::{
    AttachedPolicy, EntityType, GroupDetail, ManagedPolicyDetail, PolicyDetail, RoleDetail,
    UserDetail,
};
use aws_sdk_iam::Client;
use blastgraph_engine::snapshot::{
    AccessKey, Documents, Group, Iam, InlinePolicy, InstanceProfile, ManagedPolicy, OidcProvider,
    PolicyVersion, Role, Tags, User,
};
use std::collections::BTreeMap;
use std::sync::Arc;

const SERVICE: &str = "iam";

/// What the IAM APIs returned, before policy documents are interned.
#[derive(Debug, Default)]
pub struct IamRaw {
    /// `UserDetailList` of every GAAD page.
    pub users: Vec<UserDetail>,
    /// `GroupDetailList`.
    pub groups: Vec<GroupDetail>,
    /// `RoleDetailList`.
    pub roles: Vec<RoleDetail>,
    /// `Policies`.
    pub policies: Vec<ManagedPolicyDetail>,
    /// `ListInstanceProfiles`.
    pub instance_profiles: Vec<InstanceProfile>,
    /// OIDC providers with their URL and audiences.
    pub oidc_providers: Vec<OidcProvider>,
    /// SAML provider ARNs.
    pub saml_providers: Vec<String>,
    /// Access keys by user name.
    pub access_keys: BTreeMap<String, Vec<AccessKey>>,
}

/// Reads the IAM of one account; AWS managed policies come from (and go to) `cache`,
/// shared by every account of the collection. The calls that do not need GAAD's answer
/// run while GAAD pages in.
pub async fn fetch(
    client: &Client,
    limits: &Limits,
    cache: &Arc<AwsManagedCache>,
    errors: &mut Errors,
) -> IamRaw {
    let mut principal_errors = Errors::default();
    let (mut raw, profiles, providers, saml) = tokio::join!(
        fetch_principals(client, limits, cache, &mut principal_errors),
        fetch_instance_profiles(client, limits),
        fetch_oidc_providers(client, limits),
        fetch_saml_providers(client, limits),
    );
    principal_errors.0.into_iter().for_each(|e| errors.push(e));
    raw.instance_profiles = errors.ok(profiles).unwrap_or_default();
    raw.oidc_providers = errors.ok(providers).unwrap_or_default();
    raw.saml_providers = errors.ok(saml).unwrap_or_default();
    raw
}

/// GAAD, then what depends on it: the attached AWS managed policies and the users'
/// access keys.
async fn fetch_principals(
    client: &Client,
    limits: &Limits,
    cache: &Arc<AwsManagedCache>,
    errors: &mut Errors,
) -> IamRaw {
    let mut raw = IamRaw::default();
    if let Some(()) = errors.ok(fetch_gaad(client, limits, &mut raw).await) {
        let mut key_errors = Errors::default();
        let (aws_managed, keys) = tokio::join!(
            fetch_aws_managed(client, limits, cache, &raw, errors),
            fetch_access_keys(client, limits, &raw.users, &mut key_errors),
        );
        raw.policies.extend(aws_managed);
        raw.access_keys = keys;
        key_errors.0.into_iter().for_each(|e| errors.push(e));
    }
    raw
}

async fn fetch_saml_providers(client: &Client, limits: &Limits) -> Result<Vec<String>, String> {
    let out = limits
        .call(SERVICE, client.list_saml_providers().send())
        .await
        .map_err(|e| describe("iam:ListSAMLProviders", &e))?;
    Ok(out
        .saml_provider_list()
        .iter()
        .filter_map(|p| p.arn().map(str::to_string))
        .collect())
}

async fn fetch_gaad(client: &Client, limits: &Limits, raw: &mut IamRaw) -> Result<(), String> {
    let _permit = limits.acquire(SERVICE).await;
    let mut pages = client
        .get_account_authorization_details()
        // Not AWSManagedPolicy: those are read once per collection, and only the
        // attached ones (`fetch_aws_managed`).
        .filter(EntityType::User)
        .filter(EntityType::Group)
        .filter(EntityType::Role)
        .filter(EntityType::LocalManagedPolicy)
        // The largest page IAM serves: fewer round trips for big accounts.
        .max_items(1000)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| describe("iam:GetAccountAuthorizationDetails", &e))?;
        raw.users.extend(page.user_detail_list().iter().cloned());
        raw.groups.extend(page.group_detail_list().iter().cloned());
        raw.roles.extend(page.role_detail_list().iter().cloned());
        raw.policies.extend(page.policies().iter().cloned());
    }
    Ok(())
}

/// Every AWS managed policy the account's principals attach that GAAD did not return,
/// with this account's attachment count. A policy that cannot be read is a recorded gap
/// (its attachments then point at a policy the snapshot lacks).
async fn fetch_aws_managed(
    client: &Client,
    limits: &Limits,
    cache: &Arc<AwsManagedCache>,
    raw: &IamRaw,
    errors: &mut Errors,
) -> Vec<ManagedPolicyDetail> {
    let present: std::collections::HashSet<&str> =
        raw.policies.iter().filter_map(|p| p.arn()).collect();
    let wanted: Vec<(String, i32)> = aws_managed::attached_aws_managed(raw)
        .into_iter()
        .filter(|(arn, _)| !present.contains(arn.as_str()))
        .collect();
    let results = for_each_concurrently(wanted, |(arn, attachments)| {
        let (client, limits, cache) = (client.clone(), limits.clone(), cache.clone());
        async move {
            let policy = cache
                .get_or_compute(&arn, || aws_managed::fetch(&client, &limits, &arn))
                .await;
            policy.map(|p| p.detail(attachments))
        }
    })
    .await;
    results
        .into_iter()
        .filter_map(|result| errors.ok(result))
        .collect()
}

async fn fetch_instance_profiles(
    client: &Client,
    limits: &Limits,
) -> Result<Vec<InstanceProfile>, String> {
    let _permit = limits.acquire(SERVICE).await;
    let mut profiles = Vec::new();
    let mut pages = client
        .list_instance_profiles()
        .max_items(1000)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| describe("iam:ListInstanceProfiles", &e))?;
        profiles.extend(page.instance_profiles().iter().map(|p| InstanceProfile {
            arn: p.arn().to_string(),
            name: p.instance_profile_name().to_string(),
            path: p.path().to_string(),
            roles: p.roles().iter().map(|r| r.arn().to_string()).collect(),
        }));
    }
    Ok(profiles)
}

async fn fetch_oidc_providers(
    client: &Client,
    limits: &Limits,
) -> Result<Vec<OidcProvider>, String> {
    let listed = limits
        .call(SERVICE, client.list_open_id_connect_providers().send())
        .await
        .map_err(|e| describe("iam:ListOpenIDConnectProviders", &e))?;
    let arns: Vec<String> = listed
        .open_id_connect_provider_list()
        .iter()
        .filter_map(|p| p.arn().map(str::to_string))
        .collect();
    let results = for_each_concurrently(arns, |arn| {
        let client = client.clone();
        let limits = limits.clone();
        async move {
            let out = limits
                .call(
                    SERVICE,
                    client
                        .get_open_id_connect_provider()
                        .open_id_connect_provider_arn(&arn)
                        .send(),
                )
                .await
                .map_err(|e| describe(&format!("iam:GetOpenIDConnectProvider {arn}"), &e))?;
            let url = out.url().unwrap_or_default();
            Ok::<_, String>(OidcProvider {
                url: url.trim_start_matches("https://").to_string(),
                client_ids: out.client_id_list().to_vec(),
                arn,
            })
        }
    })
    .await;
    results.into_iter().collect()
}

/// Status, creation and last use of every user's access keys.
async fn fetch_access_keys(
    client: &Client,
    limits: &Limits,
    users: &[UserDetail],
    errors: &mut Errors,
) -> BTreeMap<String, Vec<AccessKey>> {
    let names: Vec<String> = users
        .iter()
        .filter_map(|u| u.user_name().map(str::to_string))
        .collect();
    let results = for_each_concurrently(names, |name| {
        let client = client.clone();
        let limits = limits.clone();
        async move {
            let keys = user_access_keys(&client, &limits, &name).await;
            (name, keys)
        }
    })
    .await;
    let mut keys = BTreeMap::new();
    for (name, result) in results {
        match result {
            Ok(list) => {
                keys.insert(name, list);
            }
            Err(error) => errors.push(error),
        }
    }
    keys
}

async fn user_access_keys(
    client: &Client,
    limits: &Limits,
    user: &str,
) -> Result<Vec<AccessKey>, String> {
    let listed = limits
        .call(SERVICE, client.list_access_keys().user_name(user).send())
        .await
        .map_err(|e| describe(&format!("iam:ListAccessKeys {user}"), &e))?;
    let mut keys = Vec::new();
    for metadata in listed.access_key_metadata() {
        let mut key = AccessKey {
            active: metadata
                .status()
                .is_some_and(|s| s.as_str().eq_ignore_ascii_case("active")),
            created: metadata.create_date().and_then(rfc3339),
            last_used: None,
        };
        if let Some(id) = metadata.access_key_id() {
            let used = limits
                .call(
                    SERVICE,
                    client.get_access_key_last_used().access_key_id(id).send(),
                )
                .await
                .map_err(|e| describe(&format!("iam:GetAccessKeyLastUsed ({user})"), &e))?;
            key.last_used = used
                .access_key_last_used()
                .and_then(|u| u.last_used_date())
                .and_then(rfc3339);
        }
        keys.push(key);
    }
    Ok(keys)
}

/// Turns what IAM returned into the snapshot's [`Iam`], interning every document.
/// Entries without the fields that identify them are skipped and reported; optional
/// fields AWS or emulators leave out (a managed policy's `PolicyName`, boundaries, tags,
/// last use) are tolerated.
pub fn map(raw: IamRaw, docs: &mut Documents, errors: &mut Errors) -> Iam {
    let mut access_keys = raw.access_keys;
    Iam {
        users: raw
            .users
            .iter()
            .filter_map(|u| map_user(u, &mut access_keys, docs, errors))
            .collect(),
        groups: raw
            .groups
            .iter()
            .filter_map(|g| map_group(g, docs, errors))
            .collect(),
        roles: raw
            .roles
            .iter()
            .filter_map(|r| map_role(r, docs, errors))
            .collect(),
        managed_policies: raw
            .policies
            .iter()
            .filter_map(|p| map_policy(p, docs, errors))
            .collect(),
        instance_profiles: merge_instance_profiles(raw.instance_profiles, &raw.roles),
        oidc_providers: raw.oidc_providers,
        saml_providers: raw.saml_providers,
    }
}

fn required<'a>(value: Option<&'a str>, what: &str, errors: &mut Errors) -> Option<&'a str> {
    if value.is_none() {
        errors.push(format!(
            "iam: {what} without its identifying fields, skipped"
        ));
    }
    value
}

fn map_user(
    user: &UserDetail,
    access_keys: &mut BTreeMap<String, Vec<AccessKey>>,
    docs: &mut Documents,
    errors: &mut Errors,
) -> Option<User> {
    let arn = required(user.arn(), "a user", errors)?;
    let name = user.user_name().unwrap_or_else(|| last_segment(arn));
    Some(User {
        arn: arn.to_string(),
        name: name.to_string(),
        id: user.user_id().unwrap_or_default().to_string(),
        path: user.path().unwrap_or("/").to_string(),
        groups: user.group_list().to_vec(),
        attached_policies: attached(user.attached_managed_policies()),
        inline_policies: inline(user.user_policy_list(), arn, docs, errors),
        permissions_boundary: user
            .permissions_boundary()
            .and_then(|b| b.permissions_boundary_arn())
            .map(str::to_string),
        tags: iam_tags(user.tags()),
        access_keys: access_keys.remove(name).unwrap_or_default(),
        has_console_password: None,
    })
}

fn map_group(group: &GroupDetail, docs: &mut Documents, errors: &mut Errors) -> Option<Group> {
    let arn = required(group.arn(), "a group", errors)?;
    Some(Group {
        arn: arn.to_string(),
        name: group
            .group_name()
            .unwrap_or_else(|| last_segment(arn))
            .to_string(),
        id: group.group_id().unwrap_or_default().to_string(),
        path: group.path().unwrap_or("/").to_string(),
        attached_policies: attached(group.attached_managed_policies()),
        inline_policies: inline(group.group_policy_list(), arn, docs, errors),
    })
}

fn map_role(role: &RoleDetail, docs: &mut Documents, errors: &mut Errors) -> Option<Role> {
    let arn = required(role.arn(), "a role", errors)?;
    let trust_policy = match role
        .assume_role_policy_document()
        .map(|d| docs.intern_text(d))
    {
        Some(Ok(id)) => id,
        Some(Err(error)) => {
            errors.push(format!("iam: trust policy of {arn}: {error}; role skipped"));
            return None;
        }
        None => {
            errors.push(format!("iam: {arn} has no trust policy; role skipped"));
            return None;
        }
    };
    Some(Role {
        arn: arn.to_string(),
        name: role
            .role_name()
            .unwrap_or_else(|| last_segment(arn))
            .to_string(),
        id: role.role_id().unwrap_or_default().to_string(),
        path: role.path().unwrap_or("/").to_string(),
        trust_policy,
        attached_policies: attached(role.attached_managed_policies()),
        inline_policies: inline(role.role_policy_list(), arn, docs, errors),
        permissions_boundary: role
            .permissions_boundary()
            .and_then(|b| b.permissions_boundary_arn())
            .map(str::to_string),
        tags: iam_tags(role.tags()),
        last_used: role
            .role_last_used()
            .and_then(|u| u.last_used_date())
            .and_then(rfc3339),
    })
}

fn map_policy(
    policy: &ManagedPolicyDetail,
    docs: &mut Documents,
    errors: &mut Errors,
) -> Option<ManagedPolicy> {
    let arn = required(policy.arn(), "a managed policy", errors)?;
    let default_id = policy.default_version_id();
    let is_default = |v: &aws_sdk_iam::types::PolicyVersion| {
        v.is_default_version() || (default_id.is_some() && v.version_id() == default_id)
    };
    let mut document = None;
    let mut other_versions = Vec::new();
    for version in policy.policy_version_list() {
        let Some(text) = version.document() else {
            continue;
        };
        let id = match docs.intern_text(text) {
            Ok(id) => id,
            Err(error) => {
                errors.push(format!(
                    "iam: {arn} version {:?}: {error}",
                    version.version_id()
                ));
                continue;
            }
        };
        if is_default(version) && document.is_none() {
            document = Some(id);
        } else {
            other_versions.push(PolicyVersion {
                version_id: version.version_id().unwrap_or_default().to_string(),
                document: id,
            });
        }
    }
    let Some(document) = document else {
        errors.push(format!(
            "iam: {arn}: no readable default version; policy skipped"
        ));
        return None;
    };
    Some(ManagedPolicy {
        arn: arn.to_string(),
        // moto leaves PolicyName out of GAAD's Policies; the ARN ends with it.
        name: policy
            .policy_name()
            .unwrap_or_else(|| last_segment(arn))
            .to_string(),
        path: policy.path().unwrap_or("/").to_string(),
        default_version_id: default_id.map(str::to_string),
        document,
        other_versions,
        attachment_count: policy
            .attachment_count()
            .and_then(|c| u32::try_from(c).ok()),
    })
}

/// `ListInstanceProfiles` gives every profile; GAAD's per-role lists are the fallback
/// when that call failed.
fn merge_instance_profiles(
    listed: Vec<InstanceProfile>,
    roles: &[RoleDetail],
) -> Vec<InstanceProfile> {
    let mut profiles = listed;
    for role in roles {
        for profile in role.instance_profile_list() {
            if profiles.iter().any(|p| p.arn == profile.arn()) {
                continue;
            }
            profiles.push(InstanceProfile {
                arn: profile.arn().to_string(),
                name: profile.instance_profile_name().to_string(),
                path: profile.path().to_string(),
                roles: profile
                    .roles()
                    .iter()
                    .map(|r| r.arn().to_string())
                    .collect(),
            });
        }
    }
    profiles
}

fn attached(policies: &[AttachedPolicy]) -> Vec<String> {
    policies
        .iter()
        .filter_map(|p| p.policy_arn().map(str::to_string))
        .collect()
}

fn inline(
    policies: &[PolicyDetail],
    owner: &str,
    docs: &mut Documents,
    errors: &mut Errors,
) -> Vec<InlinePolicy> {
    let mut out = Vec::new();
    for policy in policies {
        let name = policy.policy_name().unwrap_or_default();
        match policy.policy_document().map(|d| docs.intern_text(d)) {
            Some(Ok(document)) => out.push(InlinePolicy {
                name: name.to_string(),
                document,
            }),
            Some(Err(error)) => {
                errors.push(format!("iam: inline policy {name} of {owner}: {error}"))
            }
            None => errors.push(format!(
                "iam: inline policy {name} of {owner} has no document"
            )),
        }
    }
    out
}

fn iam_tags(tags: &[aws_sdk_iam::types::Tag]) -> Tags {
    tags.iter()
        .map(|t| (t.key().to_string(), t.value().to_string()))
        .collect()
}

/// The last `/`-separated segment of an ARN (a principal's or policy's name).
fn last_segment(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

#[cfg(test)]
mod tests {
    //! What moto cannot show: GAAD in several pages, permissions boundaries on users,
    //! and GAAD `Policies` entries with and without `PolicyName`.
    use super::*;
    use crate::aws::support::mock_client;
    use aws_sdk_iam::operation::get_account_authorization_details::GetAccountAuthorizationDetailsOutput;
    use aws_sdk_iam::operation::list_access_keys::ListAccessKeysOutput;
    use aws_sdk_iam::operation::list_instance_profiles::ListInstanceProfilesOutput;
    use aws_sdk_iam::operation::list_open_id_connect_providers::ListOpenIdConnectProvidersOutput;
    use aws_sdk_iam::operation::list_saml_providers::ListSamlProvidersOutput;
    use aws_sdk_iam::types::{
        AttachedPermissionsBoundary, PolicyVersion as SdkVersion, StatusType,
    };
    use aws_smithy_mocks::mock;

    const TRUST: &str = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D";
    const BOUNDARY: &str = "arn:aws:iam::111122223333:policy/boundary";

    fn role(name: &str, boundary: Option<AttachedPermissionsBoundary>) -> RoleDetail {
        RoleDetail::builder()
            .arn(format!("arn:aws:iam::111122223333:role/{name}"))
            .role_name(name)
            .role_id(format!("AROA{name}"))
            .path("/")
            .assume_role_policy_document(TRUST)
            .set_permissions_boundary(boundary)
            .build()
    }

    fn page_one() -> GetAccountAuthorizationDetailsOutput {
        let boundary = AttachedPermissionsBoundary::builder()
            .permissions_boundary_arn(BOUNDARY)
            .build();
        GetAccountAuthorizationDetailsOutput::builder()
            .is_truncated(true)
            .marker("page-2")
            .role_detail_list(role("first", Some(boundary.clone())))
            .user_detail_list(
                UserDetail::builder()
                    .arn("arn:aws:iam::111122223333:user/dev")
                    .user_name("dev")
                    .permissions_boundary(boundary)
                    .build(),
            )
            // Real AWS: with PolicyName.
            .policies(
                ManagedPolicyDetail::builder()
                    .arn(BOUNDARY)
                    .policy_name("boundary")
                    .default_version_id("v2")
                    .policy_version_list(
                        SdkVersion::builder()
                            .version_id("v1")
                            .document(r#"{"Statement":[]}"#)
                            .build(),
                    )
                    .policy_version_list(
                        SdkVersion::builder()
                            .version_id("v2")
                            .is_default_version(true)
                            .document(
                                r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
                            )
                            .build(),
                    )
                    .build(),
            )
            .build()
    }

    fn page_two() -> GetAccountAuthorizationDetailsOutput {
        GetAccountAuthorizationDetailsOutput::builder()
            .is_truncated(false)
            .role_detail_list(role("second", None))
            // moto 5.2.5: no PolicyName.
            .policies(
                ManagedPolicyDetail::builder()
                    .arn("arn:aws:iam::aws:policy/ReadOnlyAccess")
                    .default_version_id("v1")
                    .policy_version_list(
                        SdkVersion::builder()
                            .version_id("v1")
                            .is_default_version(true)
                            .document(r#"{"Statement":[]}"#)
                            .build(),
                    )
                    .build(),
            )
            .build()
    }

    /// Empty answers to the calls that do not depend on GAAD: instance profiles, OIDC
    /// and SAML providers.
    fn no_profiles_or_providers() -> [aws_smithy_mocks::Rule; 3] {
        let profiles = mock!(Client::list_instance_profiles).then_output(|| {
            ListInstanceProfilesOutput::builder()
                .set_instance_profiles(Some(vec![]))
                .build()
                .unwrap()
        });
        let oidc = mock!(Client::list_open_id_connect_providers)
            .then_output(|| ListOpenIdConnectProvidersOutput::builder().build());
        let saml = mock!(Client::list_saml_providers)
            .then_output(|| ListSamlProvidersOutput::builder().build());
        [profiles, oidc, saml]
    }

    fn client() -> Client {
        let first = mock!(Client::get_account_authorization_details)
            .match_requests(|r| r.marker().is_none())
            .then_output(page_one);
        let second = mock!(Client::get_account_authorization_details)
            .match_requests(|r| r.marker() == Some("page-2"))
            .then_output(page_two);
        let keys = mock!(Client::list_access_keys).then_output(|| {
            ListAccessKeysOutput::builder()
                .access_key_metadata(
                    aws_sdk_iam::types::AccessKeyMetadata::builder()
                        .status(StatusType::Inactive)
                        .build(),
                )
                .build()
                .unwrap()
        });
        let [profiles, oidc, saml] = no_profiles_or_providers();
        mock_client!(
            aws_sdk_iam,
            [&first, &second, &keys, &profiles, &oidc, &saml]
        )
    }

    /// A role attaching an AWS managed policy GAAD (filtered) did not return, and
    /// `iam:GetPolicy` refused: the refusal is a recorded gap, the role is kept.
    #[tokio::test]
    async fn an_unreadable_aws_managed_policy_is_a_gap_and_nothing_else_is_lost() {
        use aws_sdk_iam::operation::get_policy::GetPolicyError;
        use aws_sdk_iam::types::error::NoSuchEntityException;
        const ATTACHED: &str = "arn:aws:iam::aws:policy/ReadOnlyAccess";
        let gaad = mock!(Client::get_account_authorization_details).then_output(|| {
            let role = RoleDetail::builder()
                .arn("arn:aws:iam::111122223333:role/reader")
                .role_name("reader")
                .assume_role_policy_document(TRUST)
                .attached_managed_policies(
                    AttachedPolicy::builder()
                        .policy_arn(ATTACHED)
                        .policy_name("ReadOnlyAccess")
                        .build(),
                )
                .build();
            GetAccountAuthorizationDetailsOutput::builder()
                .is_truncated(false)
                .role_detail_list(role)
                .build()
        });
        let refused = mock!(Client::get_policy)
            .match_requests(|r| r.policy_arn() == Some(ATTACHED))
            .then_error(|| {
                GetPolicyError::NoSuchEntityException(
                    NoSuchEntityException::builder().message("denied").build(),
                )
            });
        let [profiles, oidc, saml] = no_profiles_or_providers();
        let client = mock_client!(aws_sdk_iam, [&gaad, &refused, &profiles, &oidc, &saml]);
        let mut errors = Errors::default();
        let raw = fetch(&client, &Limits::new(2), &Arc::default(), &mut errors).await;
        assert_eq!(errors.0.len(), 1, "{:?}", errors.0);
        assert!(
            errors.0[0].contains("iam:GetPolicy") && errors.0[0].contains(ATTACHED),
            "{:?}",
            errors.0
        );
        let iam = map(raw, &mut Documents::default(), &mut errors);
        assert_eq!(iam.roles.len(), 1);
        assert_eq!(iam.roles[0].attached_policies, [ATTACHED]);
        assert!(iam.managed_policies.is_empty());
    }

    #[tokio::test]
    async fn gaad_pages_boundaries_and_missing_policy_names() {
        let mut errors = Errors::default();
        let raw = fetch(&client(), &Limits::new(2), &Arc::default(), &mut errors).await;
        assert_eq!(errors.0, Vec::<String>::new());
        let mut docs = Documents::default();
        let iam = map(raw, &mut docs, &mut errors);
        assert_eq!(errors.0, Vec::<String>::new());

        let names: Vec<&str> = iam.roles.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["first", "second"], "both GAAD pages are read");
        assert_eq!(iam.roles[0].permissions_boundary.as_deref(), Some(BOUNDARY));
        assert_eq!(iam.roles[1].permissions_boundary, None);
        assert_eq!(iam.users[0].permissions_boundary.as_deref(), Some(BOUNDARY));
        assert_eq!(iam.users[0].access_keys.len(), 1);
        assert!(!iam.users[0].access_keys[0].active);
        // URL-encoded and plain documents are both understood.
        assert_eq!(
            docs.get(iam.roles[0].trust_policy).as_str(),
            r#"{"Version":"2012-10-17","Statement":[]}"#
        );

        let boundary = &iam.managed_policies[0];
        assert_eq!(boundary.name, "boundary");
        assert_eq!(boundary.default_version_id.as_deref(), Some("v2"));
        assert!(docs
            .get(boundary.document)
            .as_str()
            .contains("\"Action\":\"*\""));
        assert_eq!(boundary.other_versions.len(), 1);
        assert_eq!(boundary.other_versions[0].version_id, "v1");
        let read_only = &iam.managed_policies[1];
        assert_eq!(
            read_only.name, "ReadOnlyAccess",
            "name taken from the ARN when PolicyName is missing"
        );
        assert!(read_only.is_aws_managed());
    }

    #[test]
    fn entries_without_identity_or_document_are_reported_not_invented() {
        let raw = IamRaw {
            roles: vec![
                RoleDetail::builder().role_name("no-arn").build(),
                RoleDetail::builder()
                    .arn("arn:aws:iam::111122223333:role/no-trust")
                    .build(),
            ],
            policies: vec![ManagedPolicyDetail::builder()
                .arn("arn:aws:iam::111122223333:policy/empty")
                .build()],
            ..IamRaw::default()
        };
        let mut errors = Errors::default();
        let iam = map(raw, &mut Documents::default(), &mut errors);
        assert!(iam.roles.is_empty());
        assert!(iam.managed_policies.is_empty());
        assert_eq!(errors.0.len(), 3, "{:?}", errors.0);
        assert!(errors.0[1].contains("no-trust"));
    }
}
