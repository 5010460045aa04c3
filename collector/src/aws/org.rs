//! AWS Organizations: the OU tree, member accounts, and SCPs and RCPs with their targets.

use super::support::{describe, has_code, list_all, Errors, Limits};
use aws_sdk_organizations::types::{AccountStatus, PolicyType};
use aws_sdk_organizations::Client;
use blastgraph_engine::snapshot::{OrgPolicyKind, OrgUnit};

const SERVICE: &str = "organizations";

/// A member account as Organizations lists it.
#[derive(Debug, Clone)]
pub struct OrgAccount {
    /// The account id.
    pub id: String,
    /// The account name.
    pub name: Option<String>,
    /// The root or OU it sits in.
    pub parent_id: String,
    /// Whether it is active (suspended accounts cannot be read).
    pub active: bool,
}

/// An SCP or RCP with its text not yet interned.
#[derive(Debug, Clone)]
pub struct RawOrgPolicy {
    /// `p-...`.
    pub id: String,
    /// The name.
    pub name: String,
    /// SCP or RCP.
    pub kind: OrgPolicyKind,
    /// AWS managed (`FullAWSAccess`, `RCPFullAWSAccess`).
    pub aws_managed: bool,
    /// The policy text.
    pub content: String,
    /// Root, OU and account ids it is attached to.
    pub targets: Vec<String>,
}

/// The organization as read.
#[derive(Debug, Default)]
pub struct OrgRaw {
    /// `o-...`.
    pub id: String,
    /// The management account.
    pub management_account_id: String,
    /// Root and OUs, parents first.
    pub units: Vec<OrgUnit>,
    /// Every account, in tree order.
    pub accounts: Vec<OrgAccount>,
    /// SCPs and RCPs.
    pub policies: Vec<RawOrgPolicy>,
}

/// Reads the organization. The tree and accounts are required (`Err` ends the run: the
/// accounts to collect are unknown); policy failures are recorded in `errors`.
pub async fn fetch(
    client: &Client,
    limits: &Limits,
    errors: &mut Errors,
) -> Result<OrgRaw, String> {
    let described = limits
        .call(SERVICE, client.describe_organization().send())
        .await
        .map_err(|e| describe("organizations:DescribeOrganization", &e))?;
    let organization = described
        .organization()
        .ok_or("organizations:DescribeOrganization: no organization in the answer")?;
    let mut raw = OrgRaw {
        id: organization.id().unwrap_or_default().to_string(),
        management_account_id: organization
            .master_account_id()
            .unwrap_or_default()
            .to_string(),
        ..OrgRaw::default()
    };
    let roots = list_all!(
        limits,
        SERVICE,
        "organizations:ListRoots",
        client.list_roots(),
        |page| page
            .roots()
            .iter()
            .filter_map(|r| Some((r.id()?.to_string(), r.name().unwrap_or("Root").to_string())))
            .collect::<Vec<_>>()
    )?;
    let mut queue: Vec<String> = Vec::new();
    for (id, name) in roots {
        raw.units.push(OrgUnit {
            id: id.clone(),
            name,
            parent_id: None,
        });
        queue.push(id);
    }
    let mut next = 0;
    while next < queue.len() {
        let parent = queue[next].clone();
        next += 1;
        let children = list_all!(
            limits,
            SERVICE,
            format!("organizations:ListOrganizationalUnitsForParent {parent}"),
            client
                .list_organizational_units_for_parent()
                .parent_id(&parent),
            |page| page
                .organizational_units()
                .iter()
                .filter_map(|u| Some((
                    u.id()?.to_string(),
                    u.name().unwrap_or_default().to_string()
                )))
                .collect::<Vec<_>>()
        )?;
        for (id, name) in children {
            raw.units.push(OrgUnit {
                id: id.clone(),
                name,
                parent_id: Some(parent.clone()),
            });
            queue.push(id);
        }
        let accounts = list_all!(
            limits,
            SERVICE,
            format!("organizations:ListAccountsForParent {parent}"),
            client.list_accounts_for_parent().parent_id(&parent),
            |page| page
                .accounts()
                .iter()
                .filter_map(|a| {
                    Some(OrgAccount {
                        id: a.id()?.to_string(),
                        name: a.name().map(str::to_string),
                        parent_id: parent.clone(),
                        active: a.status() != Some(&AccountStatus::Suspended),
                    })
                })
                .collect::<Vec<_>>()
        )?;
        raw.accounts.extend(accounts);
    }
    for (kind, policy_type) in [
        (OrgPolicyKind::Scp, PolicyType::ServiceControlPolicy),
        (OrgPolicyKind::Rcp, PolicyType::ResourceControlPolicy),
    ] {
        match policies(client, limits, kind, policy_type).await {
            Ok(found) => raw.policies.extend(found),
            Err(error) => errors.push(error),
        }
    }
    Ok(raw)
}

async fn policies(
    client: &Client,
    limits: &Limits,
    kind: OrgPolicyKind,
    policy_type: PolicyType,
) -> Result<Vec<RawOrgPolicy>, String> {
    let operation = format!("organizations:ListPolicies {}", policy_type.as_str());
    let summaries = {
        let _permit = limits.acquire(SERVICE).await;
        let mut pages = client
            .list_policies()
            .filter(policy_type.clone())
            .into_paginator()
            .send();
        let mut summaries = Vec::new();
        while let Some(page) = pages.next().await {
            match page {
                Ok(page) => summaries.extend(page.policies().to_vec()),
                // The policy type is not enabled (RCPs are recent): none applies.
                Err(e)
                    if has_code(
                        &e,
                        &[
                            "PolicyTypeNotEnabledException",
                            "PolicyTypeNotAvailableForOrganizationException",
                        ],
                    ) =>
                {
                    return Ok(Vec::new())
                }
                Err(e) => return Err(describe(&operation, &e)),
            }
        }
        summaries
    };
    let mut out = Vec::new();
    for summary in summaries {
        let Some(id) = summary.id() else { continue };
        let described = limits
            .call(SERVICE, client.describe_policy().policy_id(id).send())
            .await
            .map_err(|e| describe(&format!("organizations:DescribePolicy {id}"), &e))?;
        let content = described
            .policy()
            .and_then(|p| p.content())
            .ok_or_else(|| format!("organizations:DescribePolicy {id}: no content"))?;
        let targets = list_all!(
            limits,
            SERVICE,
            format!("organizations:ListTargetsForPolicy {id}"),
            client.list_targets_for_policy().policy_id(id),
            |page| page
                .targets()
                .iter()
                .filter_map(|t| t.target_id().map(str::to_string))
                .collect::<Vec<_>>()
        )?;
        out.push(RawOrgPolicy {
            id: id.to_string(),
            name: summary.name().unwrap_or_default().to_string(),
            kind,
            aws_managed: summary.aws_managed(),
            content: content.to_string(),
            targets,
        });
    }
    Ok(out)
}
