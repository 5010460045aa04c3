//! Which inputs of an analysis differ between the snapshot before a simulation and the
//! one after: the comparison every reuse decision rests on.
//!
//! Inputs are compared by value, never inferred from the kind of change that was made.
//! Policy documents are compared by id once the document table is known to be only
//! extended (interning appends, so an id names the same text on both sides).

use crate::graph::model::{Model, PrincipalIdx};
use crate::snapshot::Snapshot;

/// What differs, unit by unit, between two comparable snapshots.
pub(super) struct Inputs {
    /// Per principal: its own data (policies, boundary, trust, tags, names, groups) or
    /// its account's organization context (SCP levels) differs.
    pub principal_changed: Vec<bool>,
    /// Per account: anything of the account in the snapshot (IAM, resources, compute)
    /// differs.
    pub account_changed: Vec<bool>,
    /// Every account's resources are equal (the access sets' targets).
    pub resources_same: bool,
}

/// Compares two snapshots and their models; `None` when they cannot be compared unit
/// by unit (principals or accounts added, removed or reordered, the document table
/// rewritten, organization-wide inputs changed: RCPs, the organization id, membership,
/// collection coverage): everything is then recomputed.
pub(super) fn compare(before: (&Snapshot, &Model), after: (&Snapshot, &Model)) -> Option<Inputs> {
    let (before_snapshot, before_model) = before;
    let (after_snapshot, after_model) = after;
    if !documents_extended(before_snapshot, after_snapshot)
        || before_snapshot.meta.coverage != after_snapshot.meta.coverage
        || before_snapshot.meta.origin != after_snapshot.meta.origin
        || before_model.organization_id != after_model.organization_id
        || before_snapshot.accounts.len() != after_snapshot.accounts.len()
        || before_model.accounts.len() != after_model.accounts.len()
        || before_model.principals.len() != after_model.principals.len()
    {
        return None;
    }
    // Resource control policies apply to every caller of a resource: organization-wide.
    let same_accounts = before_model
        .accounts
        .iter()
        .zip(&after_model.accounts)
        .all(|(b, a)| {
            b.id == a.id && b.in_organization == a.in_organization && b.rcp_levels == a.rcp_levels
        });
    let same_principals = before_model
        .principals
        .iter()
        .zip(&after_model.principals)
        .all(|(b, a)| b.arn == a.arn && b.account == a.account);
    if !same_accounts || !same_principals {
        return None;
    }
    let principal_changed = (0..after_model.principals.len() as PrincipalIdx)
        .map(|p| {
            let (b, a) = (before_model.principal(p), after_model.principal(p));
            b != a
                || before_model.accounts[b.account as usize]
                    != after_model.accounts[a.account as usize]
        })
        .collect();
    let account_changed: Vec<bool> = before_snapshot
        .accounts
        .iter()
        .zip(&after_snapshot.accounts)
        .map(|(b, a)| b != a)
        .collect();
    let resources_same = before_snapshot
        .accounts
        .iter()
        .zip(&after_snapshot.accounts)
        .all(|(b, a)| b.resources == a.resources);
    Some(Inputs {
        principal_changed,
        account_changed,
        resources_same,
    })
}

/// Whether `after`'s document table starts with every document of `before`, in order.
fn documents_extended(before: &Snapshot, after: &Snapshot) -> bool {
    before.documents.len() <= after.documents.len()
        && before
            .documents
            .iter()
            .zip(after.documents.iter())
            .all(|((_, b), (_, a))| b == a)
}
