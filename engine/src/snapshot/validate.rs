//! Structural validation of a snapshot: what every producer must guarantee and every
//! consumer may rely on.

use super::{DocId, Snapshot};
// Fx, not SipHash: ARN sets of a large snapshot are the bulk of validation time, and
// snapshots are local files, not untrusted network input.
use rayon::prelude::*;
use rustc_hash::FxHashSet as HashSet;

/// One violated invariant, with where it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationIssue {
    /// Where: `accounts[1].iam.roles[3]`, `organization.policies[0]`, ...
    pub location: String,
    /// What is wrong.
    pub problem: String,
}

impl std::fmt::Display for ValidationIssue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.location, self.problem)
    }
}

impl Snapshot {
    /// Checks the invariants listed in the module docs of [`crate::snapshot`]; an empty
    /// list means the snapshot is sound to analyse. Accounts are checked in parallel;
    /// the issues come in the same order whatever the number of threads.
    pub fn validate(&self) -> Vec<ValidationIssue> {
        let per_account: Vec<Vec<ValidationIssue>> = self
            .accounts
            .par_iter()
            .enumerate()
            .map(|(i, account)| {
                let mut checker = Checker::new(self);
                checker.check_account(&format!("accounts[{i}]"), account);
                checker.issues
            })
            .collect();
        let mut checker = Checker::new(self);
        checker.check(per_account);
        checker.issues
    }
}

struct Checker<'a> {
    snapshot: &'a Snapshot,
    issues: Vec<ValidationIssue>,
}

impl<'a> Checker<'a> {
    fn new(snapshot: &'a Snapshot) -> Self {
        Checker {
            snapshot,
            issues: Vec::new(),
        }
    }

    fn issue(&mut self, location: String, problem: impl Into<String>) {
        self.issues.push(ValidationIssue {
            location,
            problem: problem.into(),
        });
    }

    fn doc(&mut self, location: String, id: DocId) {
        if !self.snapshot.documents.contains(id) {
            self.issue(
                location,
                format!(
                    "document {} does not exist ({} documents)",
                    id.0,
                    self.snapshot.documents.len()
                ),
            );
        }
    }

    /// The checks across accounts, with each account's own issues (`per_account`, from
    /// [`Checker::check_account`]) after its id's.
    fn check(&mut self, per_account: Vec<Vec<ValidationIssue>>) {
        let snapshot = self.snapshot;
        let mut account_ids = HashSet::default();
        for ((i, account), issues) in snapshot.accounts.iter().enumerate().zip(per_account) {
            let at = format!("accounts[{i}]");
            if account.id.len() != 12 || !account.id.bytes().all(|b| b.is_ascii_digit()) {
                self.issue(
                    at.clone(),
                    format!("account id {:?} is not 12 digits", account.id),
                );
            }
            if !account_ids.insert(account.id.as_str()) {
                self.issue(at.clone(), format!("account {} appears twice", account.id));
            }
            self.issues.extend(issues);
        }
        if let Some(org) = &snapshot.organization {
            for (i, policy) in org.policies.iter().enumerate() {
                self.doc(format!("organization.policies[{i}]"), policy.document);
            }
            for (i, account) in snapshot.accounts.iter().enumerate() {
                if let Some(parent) = &account.parent_id {
                    if org.path_from_root(parent).is_none() {
                        self.issue(
                            format!("accounts[{i}].parent_id"),
                            format!("unit {parent} is not in the organization's tree"),
                        );
                    }
                }
            }
        }
    }

    fn check_account(&mut self, at: &str, account: &super::Account) {
        let iam = &account.iam;
        let mut arns = HashSet::default();
        let principals = iam
            .users
            .iter()
            .map(|u| &u.arn)
            .chain(iam.groups.iter().map(|g| &g.arn))
            .chain(iam.roles.iter().map(|r| &r.arn))
            .chain(iam.managed_policies.iter().map(|p| &p.arn));
        for arn in principals {
            if !arns.insert(arn.as_str()) {
                self.issue(format!("{at}.iam"), format!("{arn} appears twice"));
            }
        }
        let group_names: HashSet<&str> = iam.groups.iter().map(|g| g.name.as_str()).collect();
        for (i, user) in iam.users.iter().enumerate() {
            for (j, policy) in user.inline_policies.iter().enumerate() {
                self.doc(
                    format!("{at}.iam.users[{i}].inline_policies[{j}]"),
                    policy.document,
                );
            }
            for group in &user.groups {
                if !group_names.contains(group.as_str()) {
                    self.issue(
                        format!("{at}.iam.users[{i}].groups"),
                        format!("group {group} is not in the account"),
                    );
                }
            }
        }
        for (i, group) in iam.groups.iter().enumerate() {
            for (j, policy) in group.inline_policies.iter().enumerate() {
                self.doc(
                    format!("{at}.iam.groups[{i}].inline_policies[{j}]"),
                    policy.document,
                );
            }
        }
        for (i, role) in iam.roles.iter().enumerate() {
            self.doc(
                format!("{at}.iam.roles[{i}].trust_policy"),
                role.trust_policy,
            );
            for (j, policy) in role.inline_policies.iter().enumerate() {
                self.doc(
                    format!("{at}.iam.roles[{i}].inline_policies[{j}]"),
                    policy.document,
                );
            }
        }
        for (i, policy) in iam.managed_policies.iter().enumerate() {
            self.doc(format!("{at}.iam.managed_policies[{i}]"), policy.document);
            for version in &policy.other_versions {
                self.doc(
                    format!(
                        "{at}.iam.managed_policies[{i}].other_versions[{}]",
                        version.version_id
                    ),
                    version.document,
                );
            }
        }
        let mut resource_arns = HashSet::default();
        for (i, resource) in account.resources.iter().enumerate() {
            if let Some(policy) = resource.policy {
                self.doc(format!("{at}.resources[{i}].policy"), policy);
            }
            if !resource.arn.starts_with("arn:") {
                self.issue(
                    format!("{at}.resources[{i}]"),
                    format!("{:?} is not an ARN", resource.arn),
                );
            }
            if !resource_arns.insert(resource.arn.as_str()) {
                self.issue(
                    format!("{at}.resources[{i}]"),
                    format!("{} appears twice", resource.arn),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::{Account, InlinePolicy, User};

    #[test]
    fn an_empty_snapshot_is_valid() {
        assert!(Snapshot::default().validate().is_empty());
    }

    #[test]
    fn dangling_documents_bad_ids_and_unknown_groups_are_reported() {
        let mut snapshot = Snapshot::default();
        let mut account = Account {
            id: "12345".into(),
            ..Account::default()
        };
        account.iam.users.push(User {
            arn: "arn:aws:iam::12345:user/a".into(),
            groups: vec!["missing".into()],
            inline_policies: vec![InlinePolicy {
                name: "p".into(),
                document: DocId(7),
            }],
            ..User::default()
        });
        snapshot.accounts.push(account);
        let issues = snapshot.validate();
        let text: Vec<String> = issues.iter().map(|i| i.to_string()).collect();
        assert_eq!(issues.len(), 3, "{text:?}");
        assert!(text[0].contains("not 12 digits"));
        assert!(text
            .iter()
            .any(|t| t.starts_with("accounts[0].iam.users[0].inline_policies[0]")));
        assert!(text.iter().any(|t| t.contains("group missing")));
    }

    #[test]
    fn issues_come_in_account_order_whatever_the_thread_count() {
        let mut snapshot = Snapshot::default();
        for n in 0..40 {
            let mut account = Account {
                id: if n % 3 == 0 {
                    format!("bad{n}")
                } else {
                    format!("{n:012}")
                },
                ..Account::default()
            };
            account.iam.users.push(User {
                arn: format!("arn:aws:iam::{n:012}:user/a"),
                groups: vec![format!("missing{n}")],
                ..User::default()
            });
            snapshot.accounts.push(account);
        }
        snapshot.accounts.push(snapshot.accounts[1].clone());
        let one_thread = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let serial = one_thread.install(|| snapshot.validate());
        let parallel = snapshot.validate();
        assert_eq!(parallel, serial);
        let text: Vec<String> = parallel.iter().map(|i| i.to_string()).collect();
        assert_eq!(text.len(), 14 + 41 + 1, "{text:?}");
        assert!(text[0].starts_with("accounts[0]: account id \"bad0\""));
        assert!(text[1].starts_with("accounts[0].iam.users[0].groups: group missing0"));
        assert!(text[2].starts_with("accounts[1].iam.users[0].groups: group missing1"));
        assert_eq!(
            text.last().unwrap(),
            "accounts[40].iam.users[0].groups: group missing1 is not in the account"
        );
        assert!(text[text.len() - 2].contains("account 000000000001 appears twice"));
    }
}
