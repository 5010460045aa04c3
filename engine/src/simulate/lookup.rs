//! Finding the targets of changes: by ARN, or by a name when it is unique.
//!
//! Every lookup returns the position of the object in the snapshot (so the caller can
//! change it) or a message that says what was looked for and, for an ambiguous name,
//! which objects it could mean.

use crate::snapshot::Snapshot;

/// Which kind of IAM principal a [`PrincipalRef`] points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrincipalKind {
    /// An IAM user.
    User,
    /// An IAM group.
    Group,
    /// An IAM role.
    Role,
}

/// Where a principal sits in a snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrincipalRef {
    /// The index of its account.
    pub account: usize,
    /// What it is.
    pub kind: PrincipalKind,
    /// Its index in the account's users, groups or roles.
    pub index: usize,
    /// Its ARN.
    pub arn: String,
}

/// Picks the single candidate, or explains why there is none or several.
fn unique<T>(what: &str, wanted: &str, mut found: Vec<(T, String)>) -> Result<T, String> {
    match found.len() {
        0 => Err(format!("{what} {wanted:?} is not in the snapshot")),
        1 => Ok(found.remove(0).0),
        _ => {
            let names: Vec<String> = found.into_iter().map(|(_, arn)| arn).collect();
            Err(format!(
                "{what} name {wanted:?} is ambiguous, give one of: {}",
                names.join(", ")
            ))
        }
    }
}

/// A user, group or role by ARN or by name (or `role/NAME`, `user/NAME`, `group/NAME`).
pub fn principal(snapshot: &Snapshot, wanted: &str) -> Result<PrincipalRef, String> {
    let (kind_filter, name) = match wanted.split_once('/') {
        Some(("role", name)) => (Some(PrincipalKind::Role), name),
        Some(("user", name)) => (Some(PrincipalKind::User), name),
        Some(("group", name)) => (Some(PrincipalKind::Group), name),
        _ => (None, wanted),
    };
    let mut found = Vec::new();
    for (account, a) in snapshot.accounts.iter().enumerate() {
        let entries = a
            .iam
            .users
            .iter()
            .map(|u| (PrincipalKind::User, &u.arn, &u.name))
            .enumerate()
            .chain(
                a.iam
                    .groups
                    .iter()
                    .map(|g| (PrincipalKind::Group, &g.arn, &g.name))
                    .enumerate(),
            )
            .chain(
                a.iam
                    .roles
                    .iter()
                    .map(|r| (PrincipalKind::Role, &r.arn, &r.name))
                    .enumerate(),
            );
        for (index, (kind, arn, principal_name)) in entries {
            let by_arn = arn == wanted;
            let by_name = principal_name == name && kind_filter.is_none_or(|k| k == kind);
            if by_arn || by_name {
                let reference = PrincipalRef {
                    account,
                    kind,
                    index,
                    arn: arn.clone(),
                };
                found.push((reference, arn.clone()));
            }
        }
    }
    unique("principal", wanted, found)
}

/// A role by ARN or name: (account index, role index).
pub fn role(snapshot: &Snapshot, wanted: &str) -> Result<(usize, usize), String> {
    let reference = principal(snapshot, wanted)?;
    if reference.kind != PrincipalKind::Role {
        return Err(format!("{} is not a role", reference.arn));
    }
    Ok((reference.account, reference.index))
}

/// An ECS cluster by ARN or name: ((account index, cluster index), cluster ARN).
pub fn ecs_cluster(snapshot: &Snapshot, wanted: &str) -> Result<((usize, usize), String), String> {
    let mut found = Vec::new();
    for (account, a) in snapshot.accounts.iter().enumerate() {
        for (index, cluster) in a.compute.ecs_clusters.iter().enumerate() {
            if cluster.arn == wanted || cluster.name == wanted {
                found.push((((account, index), cluster.arn.clone()), cluster.arn.clone()));
            }
        }
    }
    unique("ECS cluster", wanted, found)
}

/// An organization root, OU or account, by id or name: the id to attach policies to.
pub fn org_target(snapshot: &Snapshot, wanted: &str) -> Result<String, String> {
    let Some(org) = &snapshot.organization else {
        return Err("the snapshot has no organization (SCPs apply only to member accounts of an organization)".into());
    };
    let mut found = Vec::new();
    for unit in &org.units {
        if unit.id == wanted || unit.name == wanted {
            found.push((unit.id.clone(), format!("{} ({})", unit.id, unit.name)));
        }
    }
    for account in &snapshot.accounts {
        if account.id == wanted || account.name.as_deref() == Some(wanted) {
            let label = match &account.name {
                Some(name) => format!("account {} ({name})", account.id),
                None => format!("account {}", account.id),
            };
            found.push((account.id.clone(), label));
        }
    }
    unique("organizational unit or account", wanted, found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simulate::fixture::demo;

    #[test]
    fn principals_are_found_by_arn_name_and_kind_prefix() {
        let snapshot = demo();
        let by_arn = principal(&snapshot, "arn:aws:iam::111111111111:role/app").unwrap();
        assert_eq!(by_arn.kind, PrincipalKind::Role);
        assert_eq!(principal(&snapshot, "app").unwrap(), by_arn);
        assert_eq!(principal(&snapshot, "role/app").unwrap(), by_arn);
        assert!(principal(&snapshot, "user/app").is_err());
    }

    #[test]
    fn ambiguous_names_list_the_candidates() {
        let snapshot = demo();
        // "deploy" is a role in both accounts.
        let error = principal(&snapshot, "deploy").unwrap_err();
        assert!(error.contains("ambiguous"), "{error}");
        assert!(error.contains("111111111111:role/deploy"), "{error}");
        assert!(error.contains("222222222222:role/deploy"), "{error}");
    }

    #[test]
    fn missing_targets_are_named() {
        let snapshot = demo();
        let error = principal(&snapshot, "nobody").unwrap_err();
        assert_eq!(error, "principal \"nobody\" is not in the snapshot");
        assert!(ecs_cluster(&snapshot, "nope").is_err());
        assert!(org_target(&snapshot, "ou-none").is_err());
    }

    #[test]
    fn org_targets_are_units_or_accounts_by_id_or_name() {
        let snapshot = demo();
        assert_eq!(org_target(&snapshot, "prod").unwrap(), "222222222222");
        assert_eq!(org_target(&snapshot, "Workloads").unwrap(), "ou-work-1");
        assert_eq!(org_target(&snapshot, "r-root").unwrap(), "r-root");
    }
}
