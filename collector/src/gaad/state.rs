//! What one file contributes: its records turned into the snapshot model (documents
//! interned in the snapshot's shared store), the accounts its ARNs name, and its
//! pagination state.

use super::records::{
    AttachedPolicyRecord, BoundaryRecord, CredentialReportRow, GroupRecord, InlinePolicyRecord,
    InstanceProfileRecord, PolicyRecord, RoleRecord, TagRecord, UserRecord,
};
use blastgraph_engine::snapshot::{
    AccessKey, Documents, Group, Iam, InlinePolicy, InstanceProfile, ManagedPolicy, PolicyVersion,
    Role, Tags, User,
};
use std::collections::{BTreeMap, HashMap};

/// The records of one file, before it is known which account they belong to.
pub struct FileState<'d> {
    /// The snapshot's document store.
    pub docs: &'d mut Documents,
    /// The file's principals and policies.
    pub iam: Iam,
    /// How many pages (top-level objects) were read.
    pub pages: usize,
    /// How many pages said `IsTruncated: true`.
    pub truncated_pages: usize,
    /// Whether any record list key was present.
    pub lists_seen: bool,
    /// AirIAM's credential report rows, applied to users once all are read.
    pub credential_rows: Vec<CredentialReportRow>,
    /// How often each account id appears in the ARNs of users, groups, roles and
    /// customer managed policies.
    pub arn_accounts: BTreeMap<String, usize>,
    /// Position of each instance profile in `iam.instance_profiles`, by ARN.
    profile_index: HashMap<String, usize>,
}

impl<'d> FileState<'d> {
    /// An empty state writing documents into `docs`.
    pub fn new(docs: &'d mut Documents) -> Self {
        FileState {
            docs,
            iam: Iam::default(),
            pages: 0,
            truncated_pages: 0,
            lists_seen: false,
            credential_rows: Vec::new(),
            arn_accounts: BTreeMap::new(),
            profile_index: HashMap::new(),
        }
    }

    fn note_account(&mut self, arn: &str, kind: &str) -> Result<(), String> {
        let account = iam_arn_account(arn, kind)?;
        if account != "aws" {
            *self.arn_accounts.entry(account.to_string()).or_default() += 1;
        }
        Ok(())
    }

    fn inline(&mut self, records: Vec<InlinePolicyRecord>) -> Vec<InlinePolicy> {
        records
            .into_iter()
            .map(|r| InlinePolicy {
                name: r.policy_name,
                document: self.docs.intern(r.policy_document.0),
            })
            .collect()
    }

    /// Adds a user.
    pub fn add_user(&mut self, record: UserRecord) -> Result<(), String> {
        self.note_account(&record.arn, "user")?;
        let inline_policies = self.inline(record.user_policy_list);
        self.iam.users.push(User {
            arn: record.arn,
            name: record.user_name,
            id: record.user_id,
            path: record.path,
            groups: record.group_list,
            attached_policies: attached(record.attached_managed_policies),
            inline_policies,
            permissions_boundary: boundary(record.permissions_boundary),
            tags: tags(record.tags),
            access_keys: Vec::new(),
            has_console_password: record.login_profile_exists,
        });
        Ok(())
    }

    /// Adds a group.
    pub fn add_group(&mut self, record: GroupRecord) -> Result<(), String> {
        self.note_account(&record.arn, "group")?;
        let inline_policies = self.inline(record.group_policy_list);
        self.iam.groups.push(Group {
            arn: record.arn,
            name: record.group_name,
            id: record.group_id,
            path: record.path,
            attached_policies: attached(record.attached_managed_policies),
            inline_policies,
        });
        Ok(())
    }

    /// Adds a role and its instance profiles.
    pub fn add_role(&mut self, record: RoleRecord) -> Result<(), String> {
        self.note_account(&record.arn, "role")?;
        for profile in record.instance_profile_list {
            self.add_instance_profile(profile)?;
        }
        let inline_policies = self.inline(record.role_policy_list);
        let trust_policy = self.docs.intern(record.assume_role_policy_document.0);
        self.iam.roles.push(Role {
            arn: record.arn,
            name: record.role_name,
            id: record.role_id,
            path: record.path,
            trust_policy,
            attached_policies: attached(record.attached_managed_policies),
            inline_policies,
            permissions_boundary: boundary(record.permissions_boundary),
            tags: tags(record.tags),
            last_used: record
                .role_last_used
                .and_then(|used| used.last_used_date)
                .map(|date| rfc3339(&date)),
        });
        Ok(())
    }

    /// Adds an instance profile; one seen before (through another role) gets the union
    /// of the roles.
    fn add_instance_profile(&mut self, record: InstanceProfileRecord) -> Result<(), String> {
        iam_arn_account(&record.arn, "instance-profile")?;
        let roles: Vec<String> = record.roles.into_iter().map(|r| r.arn).collect();
        let profiles = &mut self.iam.instance_profiles;
        match self.profile_index.get(&record.arn) {
            Some(&i) => {
                let known = &mut profiles[i];
                for role in roles {
                    if !known.roles.contains(&role) {
                        known.roles.push(role);
                    }
                }
            }
            None => {
                self.profile_index
                    .insert(record.arn.clone(), profiles.len());
                profiles.push(InstanceProfile {
                    arn: record.arn,
                    name: record.instance_profile_name,
                    path: record.path,
                    roles,
                });
            }
        }
        Ok(())
    }

    /// Adds a managed policy: the default version's document, the others kept aside.
    pub fn add_policy(&mut self, record: PolicyRecord) -> Result<(), String> {
        self.note_account(&record.arn, "policy")?;
        let default_index = default_version(&record)?;
        let mut document = None;
        let mut other_versions = Vec::new();
        for (i, version) in record.policy_version_list.into_iter().enumerate() {
            let id = self.docs.intern(version.document.0);
            if i == default_index {
                document = Some(id);
            } else {
                other_versions.push(PolicyVersion {
                    version_id: version.version_id,
                    document: id,
                });
            }
        }
        let document = document.ok_or("internal: default version vanished")?;
        self.iam.managed_policies.push(ManagedPolicy {
            arn: record.arn,
            name: record.policy_name,
            path: record.path,
            default_version_id: record.default_version_id,
            document,
            other_versions,
            attachment_count: record.attachment_count,
        });
        Ok(())
    }

    /// Applies AirIAM's credential report to the users it names: console password and
    /// access keys (status and dates only).
    pub fn apply_credential_report(&mut self) {
        let by_arn: HashMap<String, usize> = self
            .iam
            .users
            .iter()
            .enumerate()
            .map(|(i, u)| (u.arn.clone(), i))
            .collect();
        for row in std::mem::take(&mut self.credential_rows) {
            let Some(&i) = by_arn.get(&row.arn) else {
                continue; // `<root_account>` and users outside the file
            };
            let user = &mut self.iam.users[i];
            if let Some(enabled) = row.password_enabled.as_deref().and_then(report_bool) {
                user.has_console_password = Some(enabled);
            }
            let keys = [
                (
                    &row.access_key_1_active,
                    &row.access_key_1_last_rotated,
                    &row.access_key_1_last_used_date,
                ),
                (
                    &row.access_key_2_active,
                    &row.access_key_2_last_rotated,
                    &row.access_key_2_last_used_date,
                ),
            ];
            user.access_keys = keys
                .into_iter()
                .filter_map(|(active, rotated, used)| access_key(active, rotated, used))
                .collect();
        }
    }
}

/// The index of the default version: the one `DefaultVersionId` names, else the one
/// flagged `IsDefaultVersion`.
fn default_version(record: &PolicyRecord) -> Result<usize, String> {
    let versions = &record.policy_version_list;
    if versions.is_empty() {
        return Err(format!(
            "managed policy {}: expected `PolicyVersionList` to hold at least the default version, found none",
            record.arn
        ));
    }
    let by_id = record
        .default_version_id
        .as_ref()
        .and_then(|id| versions.iter().position(|v| &v.version_id == id));
    by_id
        .or_else(|| versions.iter().position(|v| v.is_default_version))
        .ok_or_else(|| {
            format!(
                "managed policy {}: none of the {} versions in `PolicyVersionList` is the default (DefaultVersionId {})",
                record.arn,
                versions.len(),
                record.default_version_id.as_deref().unwrap_or("absent")
            )
        })
}

/// The account field of an IAM ARN of `kind` (`user`, `role`, ...), which may be `aws`
/// for AWS managed policies; an error names what was expected.
pub fn iam_arn_account<'a>(arn: &'a str, kind: &str) -> Result<&'a str, String> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let well_formed = parts.len() == 6
        && parts[0] == "arn"
        && !parts[1].is_empty()
        && parts[2] == "iam"
        && parts[3].is_empty()
        && !parts[4].is_empty()
        && parts[5]
            .strip_prefix(kind)
            .is_some_and(|rest| rest.len() > 1 && rest.starts_with('/'));
    if well_formed {
        Ok(parts[4])
    } else {
        Err(format!(
            "expected an IAM {kind} ARN (arn:aws:iam::ACCOUNT:{kind}/NAME), found {arn:?}"
        ))
    }
}

fn attached(records: Vec<AttachedPolicyRecord>) -> Vec<String> {
    records.into_iter().map(|r| r.policy_arn).collect()
}

fn boundary(record: Option<BoundaryRecord>) -> Option<String> {
    record.map(|b| b.permissions_boundary_arn)
}

fn tags(records: Vec<TagRecord>) -> Tags {
    records.into_iter().map(|t| (t.key, t.value)).collect()
}

/// Python tools write `2020-03-21 07:40:00+00:00`; RFC 3339 wants a `T`.
fn rfc3339(date: &str) -> String {
    if date.len() > 10 && date.as_bytes()[10] == b' ' {
        format!("{}T{}", &date[..10], &date[11..])
    } else {
        date.to_string()
    }
}

/// Credential report booleans: `true`, `false`, or `N/A` / `not_supported` (unknown).
fn report_bool(value: &str) -> Option<bool> {
    match value {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

/// A credential report time: `N/A` and `no_information` mean none.
fn report_time(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .filter(|v| v.len() >= 10 && v.as_bytes()[4] == b'-')
        .map(rfc3339)
}

/// An access key exists when it is active or has a rotation date.
fn access_key(
    active: &Option<String>,
    rotated: &Option<String>,
    used: &Option<String>,
) -> Option<AccessKey> {
    let active = active.as_deref().and_then(report_bool).unwrap_or(false);
    let created = report_time(rotated);
    (active || created.is_some()).then(|| AccessKey {
        active,
        created,
        last_used: report_time(used),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iam_arns_are_checked_by_kind() {
        assert_eq!(
            iam_arn_account("arn:aws:iam::123456789012:role/a/b", "role"),
            Ok("123456789012")
        );
        assert_eq!(
            iam_arn_account("arn:aws:iam::aws:policy/AdministratorAccess", "policy"),
            Ok("aws")
        );
        assert!(iam_arn_account("arn:aws:iam::123456789012:user/a", "role").is_err());
        assert!(iam_arn_account("arn:aws:iam::123456789012:role/", "role").is_err());
        assert!(iam_arn_account("arn:aws:s3:::bucket", "role").is_err());
        assert!(iam_arn_account("role/a", "role").is_err());
    }

    #[test]
    fn python_dates_become_rfc3339() {
        assert_eq!(
            rfc3339("2020-03-21 07:40:00+00:00"),
            "2020-03-21T07:40:00+00:00"
        );
        assert_eq!(rfc3339("2020-03-21T07:40:00Z"), "2020-03-21T07:40:00Z");
    }
}
