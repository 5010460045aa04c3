//! The IAM side of a snapshot, indexed for the graph: principals (users and roles) with
//! their resolved policies, accounts with their SCP and RCP chains.

use crate::snapshot::{DocId, OrgPolicyKind, Snapshot, Tags};
use rustc_hash::FxHashMap;

/// Index of a principal in [`Model::principals`].
pub type PrincipalIdx = u32;

/// Index of an account in [`Model::accounts`].
pub type AccountIdx = u32;

/// Whether a principal is a user or a role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PrincipalKind {
    /// An IAM user.
    User,
    /// An IAM role.
    Role,
    /// An IAM group: not a principal AWS-side, but an identity whose permissions a
    /// user gains by being added to it (`iam:AddUserToGroup`).
    Group,
}

/// A policy attached to a principal (directly, through a group, or inline).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AttachedPolicy {
    /// The document.
    pub document: DocId,
    /// Human label: `managed arn:...`, `inline NAME`, `group G inline NAME`.
    pub label: String,
    /// The managed policy ARN, for managed policies.
    pub managed_arn: Option<String>,
}

/// A user or role with everything evaluation needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Principal {
    /// Its ARN.
    pub arn: String,
    /// Its name.
    pub name: String,
    /// Its unique id (`AIDA...`, `AROA...`).
    pub unique_id: String,
    /// User or role.
    pub kind: PrincipalKind,
    /// Its account.
    pub account: AccountIdx,
    /// Identity policies, group policies included, sorted.
    pub policies: Vec<AttachedPolicy>,
    /// Permissions boundary document, when set and found.
    pub boundary: Option<DocId>,
    /// Tags.
    pub tags: Tags,
    /// Service-linked role (SCPs do not apply, only the service assumes it).
    pub service_linked: bool,
    /// Trust policy (roles).
    pub trust: Option<DocId>,
    /// Groups the user is in (names).
    pub groups: Vec<String>,
}

/// An account with its organization context.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountInfo {
    /// The account id.
    pub id: String,
    /// Its name, when known.
    pub name: Option<String>,
    /// SCPs per level from the root down to the account (empty outside an organization
    /// and for the management account).
    pub scp_levels: Vec<Vec<DocId>>,
    /// RCPs per level, same rules.
    pub rcp_levels: Vec<Vec<DocId>>,
    /// Whether the account is in the snapshot's organization.
    pub in_organization: bool,
}

/// The indexed IAM model of a snapshot.
#[derive(Debug, Clone, Default)]
pub struct Model {
    /// Every user, group and role, accounts in snapshot order, then users, groups, roles.
    pub principals: Vec<Principal>,
    /// ARN to principal.
    pub by_arn: FxHashMap<String, PrincipalIdx>,
    /// Every account in snapshot order.
    pub accounts: Vec<AccountInfo>,
    /// Account id to index.
    pub account_by_id: FxHashMap<String, AccountIdx>,
    /// The organization id, when known.
    pub organization_id: Option<String>,
    /// Managed policy ARN to document (AWS managed policies appear in many accounts).
    pub managed_policies: FxHashMap<String, DocId>,
    /// Problems met while indexing (a policy attached but not in the snapshot, ...):
    /// each one could hide a path, so queries report them.
    pub warnings: Vec<String>,
}

impl Model {
    /// Indexes a snapshot.
    pub fn new(snapshot: &Snapshot) -> Model {
        let mut model = Model {
            organization_id: snapshot.organization.as_ref().map(|o| o.id.clone()),
            ..Model::default()
        };
        for account in &snapshot.accounts {
            for policy in &account.iam.managed_policies {
                model
                    .managed_policies
                    .entry(policy.arn.clone())
                    .or_insert(policy.document);
            }
        }
        for account in &snapshot.accounts {
            let index = model.accounts.len() as AccountIdx;
            model.account_by_id.insert(account.id.clone(), index);
            let info = model.account_info(snapshot, account);
            model.accounts.push(info);
            model.add_principals(account, index);
        }
        model
    }

    fn account_info(
        &mut self,
        snapshot: &Snapshot,
        account: &crate::snapshot::Account,
    ) -> AccountInfo {
        let mut info = AccountInfo {
            id: account.id.clone(),
            name: account.name.clone(),
            scp_levels: Vec::new(),
            rcp_levels: Vec::new(),
            in_organization: false,
        };
        let Some(org) = &snapshot.organization else {
            return info;
        };
        let Some(parent) = &account.parent_id else {
            return info;
        };
        info.in_organization = true;
        if org.management_account_id == account.id {
            return info;
        }
        let Some(mut path) = org.path_from_root(parent) else {
            self.warnings.push(format!(
                "account {}: its organizational unit {parent} is not in the organization tree; SCPs ignored",
                account.id
            ));
            return info;
        };
        path.push(&account.id);
        for kind in [OrgPolicyKind::Scp, OrgPolicyKind::Rcp] {
            let levels = path
                .iter()
                .map(|target| org.attached(kind, target).map(|p| p.document).collect())
                .collect();
            match kind {
                OrgPolicyKind::Scp => info.scp_levels = levels,
                OrgPolicyKind::Rcp => info.rcp_levels = levels,
            }
        }
        info
    }

    fn managed(&mut self, arn: &str, owner: &str) -> Option<AttachedPolicy> {
        match self.managed_policies.get(arn) {
            Some(&document) => Some(AttachedPolicy {
                document,
                label: format!("managed policy {arn}"),
                managed_arn: Some(arn.to_string()),
            }),
            None => {
                self.warnings.push(format!(
                    "{owner}: attached policy {arn} is not in the snapshot; its permissions are unknown"
                ));
                None
            }
        }
    }

    fn add_principals(&mut self, account: &crate::snapshot::Account, index: AccountIdx) {
        let iam = &account.iam;
        for user in &iam.users {
            let mut policies = Vec::new();
            for arn in &user.attached_policies {
                policies.extend(self.managed(arn, &user.arn));
            }
            for inline in &user.inline_policies {
                policies.push(AttachedPolicy {
                    document: inline.document,
                    label: format!("inline policy {}", inline.name),
                    managed_arn: None,
                });
            }
            for group_name in &user.groups {
                let Some(group) = iam.groups.iter().find(|g| &g.name == group_name) else {
                    continue;
                };
                for arn in &group.attached_policies {
                    if let Some(mut p) = self.managed(arn, &group.arn) {
                        p.label = format!("group {} {}", group.name, p.label);
                        policies.push(p);
                    }
                }
                for inline in &group.inline_policies {
                    policies.push(AttachedPolicy {
                        document: inline.document,
                        label: format!("group {} inline policy {}", group.name, inline.name),
                        managed_arn: None,
                    });
                }
            }
            let boundary = user
                .permissions_boundary
                .as_deref()
                .and_then(|arn| self.managed(arn, &user.arn).map(|p| p.document));
            self.push(Principal {
                arn: user.arn.clone(),
                name: user.name.clone(),
                unique_id: user.id.clone(),
                kind: PrincipalKind::User,
                account: index,
                policies,
                boundary,
                tags: user.tags.clone(),
                service_linked: false,
                trust: None,
                groups: user.groups.clone(),
            });
        }
        for group in &iam.groups {
            let mut policies = Vec::new();
            for arn in &group.attached_policies {
                policies.extend(self.managed(arn, &group.arn));
            }
            for inline in &group.inline_policies {
                policies.push(AttachedPolicy {
                    document: inline.document,
                    label: format!("inline policy {}", inline.name),
                    managed_arn: None,
                });
            }
            self.push(Principal {
                arn: group.arn.clone(),
                name: group.name.clone(),
                unique_id: group.id.clone(),
                kind: PrincipalKind::Group,
                account: index,
                policies,
                boundary: None,
                tags: Tags::new(),
                service_linked: false,
                trust: None,
                groups: Vec::new(),
            });
        }
        for role in &iam.roles {
            let mut policies = Vec::new();
            for arn in &role.attached_policies {
                policies.extend(self.managed(arn, &role.arn));
            }
            for inline in &role.inline_policies {
                policies.push(AttachedPolicy {
                    document: inline.document,
                    label: format!("inline policy {}", inline.name),
                    managed_arn: None,
                });
            }
            let boundary = role
                .permissions_boundary
                .as_deref()
                .and_then(|arn| self.managed(arn, &role.arn).map(|p| p.document));
            self.push(Principal {
                arn: role.arn.clone(),
                name: role.name.clone(),
                unique_id: role.id.clone(),
                kind: PrincipalKind::Role,
                account: index,
                policies,
                boundary,
                tags: role.tags.clone(),
                service_linked: role.is_service_linked(),
                trust: Some(role.trust_policy),
                groups: Vec::new(),
            });
        }
    }

    fn push(&mut self, mut principal: Principal) {
        principal.policies.sort();
        principal.policies.dedup_by(|a, b| a.document == b.document);
        let index = self.principals.len() as PrincipalIdx;
        self.by_arn.insert(principal.arn.clone(), index);
        self.principals.push(principal);
    }

    /// The principal with this ARN.
    pub fn principal_by_arn(&self, arn: &str) -> Option<PrincipalIdx> {
        self.by_arn.get(arn).copied()
    }

    /// The principal at an index.
    pub fn principal(&self, index: PrincipalIdx) -> &Principal {
        &self.principals[index as usize]
    }

    /// The account id of a principal.
    pub fn account_id(&self, index: PrincipalIdx) -> &str {
        &self.accounts[self.principal(index).account as usize].id
    }
}

/// The account id in an ARN (`arn:aws:SERVICE:REGION:ACCOUNT:...`), when it has one.
pub fn arn_account(arn: &str) -> Option<&str> {
    // The fifth `:`-separated field, found by scanning bytes (privesc asks this of every
    // candidate of every technique of every actor).
    let bytes = arn.as_bytes();
    let mut colons = memchr_colons(bytes);
    let start = colons.nth(3)? + 1;
    let end = colons.next().unwrap_or(bytes.len());
    let account = &bytes[start..end];
    (account.len() == 12 && account.iter().all(u8::is_ascii_digit)).then(|| &arn[start..end])
}

/// The positions of `:` in `bytes`.
fn memchr_colons(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    bytes
        .iter()
        .enumerate()
        .filter(|(_, &b)| b == b':')
        .map(|(i, _)| i)
}

/// The service of an ARN (`arn:aws:SERVICE:...`).
pub fn arn_service(arn: &str) -> Option<&str> {
    arn.split(':').nth(2).filter(|s| !s.is_empty())
}

/// Whether the snapshot may lack `service` resources of `account`: a coverage entry for
/// that (account, service) is a gap, or the snapshot is a GAAD import (IAM only) and no
/// overlay marked the service collected. Paths through such resources are then assumed
/// (as abstract targets or inferred edges), never dropped.
pub fn service_uncollected(snapshot: &Snapshot, account: &str, service: &str) -> bool {
    use crate::snapshot::{CoverageStatus, Origin};
    let entries = || {
        snapshot
            .meta
            .coverage
            .iter()
            .filter(|c| c.account_id == account && c.service == service)
    };
    if entries().any(|c| !matches!(c.status, CoverageStatus::Collected)) {
        return true;
    }
    matches!(snapshot.meta.origin, Origin::GaadImport { .. }) && entries().next().is_none()
}

#[cfg(test)]
mod arn_tests {
    use super::arn_account;

    /// The field-splitting definition the byte scan must agree with.
    fn by_split(arn: &str) -> Option<&str> {
        let account = arn.split(':').nth(4)?;
        (account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit())).then_some(account)
    }

    #[test]
    fn account_is_the_fifth_field_of_twelve_digits() {
        let cases = [
            "arn:aws:iam::123456789012:role/a",
            "arn:aws:iam::123456789012:root",
            "arn:aws:s3:::bucket",
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:x:y",
            "arn:aws:iam::123456789012",
            "arn:aws:iam::12345678901:role/a",
            "arn:aws:iam::1234567890123:role/a",
            "arn:aws:iam::12345678901x:role/a",
            "arn:aws:iam:",
            "arn:aws:iam::",
            "",
            "arn:aws:lambda:eu-west-1:123456789012:function:f",
        ];
        for arn in cases {
            assert_eq!(arn_account(arn), by_split(arn), "{arn}");
        }
        assert_eq!(
            arn_account("arn:aws:iam::123456789012:role/a"),
            Some("123456789012")
        );
        assert_eq!(arn_account("arn:aws:s3:::bucket"), None);
    }
}
