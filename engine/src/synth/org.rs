//! The organization: account ids and names, the OU tree, SCPs and RCPs.

use super::docs;
use super::names::{APPS, REGIONS};
use super::rng::Rng;
use crate::snapshot::{Documents, OrgPolicy, OrgPolicyKind, OrgUnit, Organization};
use std::collections::HashSet;

/// What an account is for; decides its OU, its SCPs and how careful its owners are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountKind {
    /// The organization's management account.
    Management,
    /// Shared services: CI/CD, the hub that deploys into every workload account.
    SharedServices,
    /// Security tooling: the audit hub.
    Security,
    /// Central logs.
    LogArchive,
    /// Production workloads.
    Prod,
    /// Pre-production workloads.
    Staging,
    /// Development workloads.
    Dev,
    /// Individual sandboxes.
    Sandbox,
    /// Suspended accounts waiting for closure.
    Suspended,
}

impl AccountKind {
    /// The `env` tag of its resources.
    pub fn env(self) -> &'static str {
        match self {
            AccountKind::Prod
            | AccountKind::Management
            | AccountKind::Security
            | AccountKind::LogArchive => "prod",
            AccountKind::SharedServices => "shared",
            AccountKind::Staging => "staging",
            AccountKind::Dev => "dev",
            AccountKind::Sandbox | AccountKind::Suspended => "sandbox",
        }
    }

    /// How much more often than usual its owners misconfigure things (in tenths).
    pub fn carelessness(self) -> u32 {
        match self {
            AccountKind::Sandbox | AccountKind::Suspended => 30,
            AccountKind::Dev => 20,
            AccountKind::Staging => 12,
            _ => 10,
        }
    }
}

/// Where one account sits and what it is.
#[derive(Debug, Clone)]
pub struct Placement {
    /// The 12-digit id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its parent unit.
    pub parent_id: String,
    /// What it is for.
    pub kind: AccountKind,
    /// Its regions, home region first.
    pub regions: Vec<&'static str>,
}

/// The organization and the accounts' places in it.
#[derive(Debug, Clone)]
pub struct OrgPlan {
    /// The organization (its policies point into the global documents).
    pub organization: Organization,
    /// One entry per account, in account order.
    pub placements: Vec<Placement>,
    /// The shared-services (CI hub) account; the management account when there is none.
    pub shared_services: String,
    /// The security (audit hub) account; the management account when there is none.
    pub security: String,
}

impl OrgPlan {
    /// The organization id.
    pub fn org_id(&self) -> &str {
        &self.organization.id
    }

    /// The management account id.
    pub fn management(&self) -> &str {
        &self.organization.management_account_id
    }
}

/// Regions the workload OUs are locked to.
const ALLOWED_REGIONS: &[&str] = &["us-east-1", "eu-west-1", "us-west-2", "eu-central-1"];

/// Workload accounts per business-unit OU.
const ACCOUNTS_PER_BUSINESS_UNIT: usize = 40;

/// Plans an organization of `accounts` accounts; its policies are interned in `documents`.
pub fn plan(rng: &mut Rng, accounts: usize, documents: &mut Documents) -> OrgPlan {
    let ids = account_ids(rng, accounts);
    let root_suffix = rng.lower_alnum(4);
    let mut tree = Tree {
        units: vec![OrgUnit {
            id: format!("r-{root_suffix}"),
            name: "Root".into(),
            parent_id: None,
        }],
        root_suffix,
    };
    let root = tree.units[0].id.clone();
    let security_ou = tree.add(rng, "Security", &root);
    let infrastructure_ou = tree.add(rng, "Infrastructure", &root);
    let workloads_ou = tree.add(rng, "Workloads", &root);
    let sandbox_ou = tree.add(rng, "Sandbox", &root);
    let suspended_ou = tree.add(rng, "Suspended", &root);

    let kinds = account_kinds(rng, accounts);
    let workload_count = kinds.iter().filter(|k| is_workload(**k)).count();
    let business_units = workload_count.div_ceil(ACCOUNTS_PER_BUSINESS_UNIT).max(1);
    let mut bu_ous = Vec::new();
    for bu in 0..business_units {
        let name = if business_units == 1 {
            "Apps".to_string()
        } else {
            format!("BU-{}", APPS[bu % APPS.len()])
        };
        let bu_ou = tree.add(rng, &name, &workloads_ou);
        let prod = tree.add(rng, "Prod", &bu_ou);
        let nonprod = tree.add(rng, "NonProd", &bu_ou);
        bu_ous.push((prod, nonprod));
    }

    let mut names = HashSet::new();
    let mut placements = Vec::with_capacity(accounts);
    let mut workload_index = 0;
    for (id, kind) in ids.into_iter().zip(kinds) {
        let parent_id = match kind {
            AccountKind::Management => root.clone(),
            AccountKind::Security | AccountKind::LogArchive => security_ou.clone(),
            AccountKind::SharedServices => infrastructure_ou.clone(),
            AccountKind::Sandbox => sandbox_ou.clone(),
            AccountKind::Suspended => suspended_ou.clone(),
            AccountKind::Prod | AccountKind::Staging | AccountKind::Dev => {
                let (prod, nonprod) =
                    &bu_ous[(workload_index / ACCOUNTS_PER_BUSINESS_UNIT).min(business_units - 1)];
                workload_index += 1;
                if kind == AccountKind::Prod {
                    prod.clone()
                } else {
                    nonprod.clone()
                }
            }
        };
        let name = unique_account_name(rng, kind, &mut names);
        let regions = account_regions(rng, kind);
        placements.push(Placement {
            id,
            name,
            parent_id,
            kind,
            regions,
        });
    }

    let find = |kind: AccountKind| {
        placements
            .iter()
            .find(|p| p.kind == kind)
            .map(|p| p.id.clone())
    };
    let management = placements[0].id.clone();
    let shared_services = find(AccountKind::SharedServices).unwrap_or_else(|| management.clone());
    let security = find(AccountKind::Security).unwrap_or_else(|| management.clone());
    let org_id = format!("o-{}", rng.lower_alnum(10));

    let mut policies = Vec::new();
    let every_target: Vec<String> = tree
        .units
        .iter()
        .map(|u| u.id.clone())
        .chain(placements.iter().map(|p| p.id.clone()))
        .collect();
    let mut add = |id: String,
                   name: &str,
                   kind,
                   aws_managed,
                   document: serde_json::Value,
                   targets: Vec<String>| {
        let document = documents
            .intern_value(&document)
            .expect("generated policies are objects");
        policies.push(OrgPolicy {
            id,
            name: name.into(),
            kind,
            aws_managed,
            document,
            targets,
        });
    };
    add(
        "p-FullAWSAccess".into(),
        "FullAWSAccess",
        OrgPolicyKind::Scp,
        true,
        docs::full_aws_access(),
        every_target.clone(),
    );
    add(
        policy_id(rng),
        "Guardrails",
        OrgPolicyKind::Scp,
        false,
        docs::scp_guardrails(),
        vec![root.clone()],
    );
    add(
        policy_id(rng),
        "RegionLock",
        OrgPolicyKind::Scp,
        false,
        docs::scp_region_lock(ALLOWED_REGIONS),
        vec![workloads_ou.clone(), infrastructure_ou.clone()],
    );
    let prod_ous: Vec<String> = bu_ous.iter().map(|(prod, _)| prod.clone()).collect();
    add(
        policy_id(rng),
        "RequireIMDSv2",
        OrgPolicyKind::Scp,
        false,
        docs::scp_require_imdsv2(),
        prod_ous,
    );
    add(
        policy_id(rng),
        "SandboxDenyList",
        OrgPolicyKind::Scp,
        false,
        docs::scp_sandbox_denylist(),
        vec![sandbox_ou.clone()],
    );
    add(
        policy_id(rng),
        "DenyAll",
        OrgPolicyKind::Scp,
        false,
        docs::scp_deny_all(),
        vec![suspended_ou.clone()],
    );
    add(
        "p-RCPFullAWSAccess".into(),
        "RCPFullAWSAccess",
        OrgPolicyKind::Rcp,
        true,
        docs::rcp_full_aws_access(),
        every_target,
    );
    add(
        policy_id(rng),
        "DataPerimeter",
        OrgPolicyKind::Rcp,
        false,
        docs::rcp_data_perimeter(&org_id),
        vec![workloads_ou.clone()],
    );

    OrgPlan {
        organization: Organization {
            id: org_id,
            management_account_id: management,
            units: tree.units,
            policies,
        },
        placements,
        shared_services,
        security,
    }
}

struct Tree {
    units: Vec<OrgUnit>,
    root_suffix: String,
}

impl Tree {
    fn add(&mut self, rng: &mut Rng, name: &str, parent: &str) -> String {
        let id = format!("ou-{}-{}", self.root_suffix, rng.lower_alnum(8));
        self.units.push(OrgUnit {
            id: id.clone(),
            name: name.into(),
            parent_id: Some(parent.into()),
        });
        id
    }
}

fn policy_id(rng: &mut Rng) -> String {
    format!("p-{}", rng.lower_alnum(8))
}

/// Distinct random 12-digit account ids.
fn account_ids(rng: &mut Rng, accounts: usize) -> Vec<String> {
    let mut seen = HashSet::new();
    let mut ids = Vec::with_capacity(accounts);
    while ids.len() < accounts {
        let id = format!("{:012}", 100_000_000_000 + rng.below(900_000_000_000));
        if seen.insert(id.clone()) {
            ids.push(id);
        }
    }
    ids
}

/// The management account first, then the platform accounts that exist once the
/// organization is big enough, then workloads.
fn account_kinds(rng: &mut Rng, accounts: usize) -> Vec<AccountKind> {
    let mut kinds = vec![AccountKind::Management];
    let platform: &[(usize, AccountKind)] = &[
        (3, AccountKind::SharedServices),
        (5, AccountKind::Security),
        (8, AccountKind::LogArchive),
    ];
    for &(minimum, kind) in platform {
        if accounts >= minimum {
            kinds.push(kind);
        }
    }
    let workload_kinds = [
        AccountKind::Prod,
        AccountKind::Staging,
        AccountKind::Dev,
        AccountKind::Sandbox,
        AccountKind::Suspended,
    ];
    let weights: [u32; 5] = if accounts >= 20 {
        [35, 15, 30, 15, 5]
    } else {
        [50, 15, 35, 0, 0]
    };
    while kinds.len() < accounts {
        kinds.push(workload_kinds[rng.weighted(&weights)]);
    }
    kinds.truncate(accounts);
    kinds
}

fn is_workload(kind: AccountKind) -> bool {
    matches!(
        kind,
        AccountKind::Prod | AccountKind::Staging | AccountKind::Dev
    )
}

fn unique_account_name(rng: &mut Rng, kind: AccountKind, names: &mut HashSet<String>) -> String {
    let base = match kind {
        AccountKind::Management => "acme-management".to_string(),
        AccountKind::SharedServices => "acme-shared-services".to_string(),
        AccountKind::Security => "acme-security".to_string(),
        AccountKind::LogArchive => "acme-log-archive".to_string(),
        AccountKind::Sandbox => format!("sandbox-{}", rng.pick(APPS)),
        AccountKind::Suspended => format!("suspended-{}", rng.pick(APPS)),
        _ => format!("{}-{}", rng.pick(APPS), kind.env()),
    };
    let mut name = base.clone();
    let mut n = 2;
    while !names.insert(name.clone()) {
        name = format!("{base}-{n}");
        n += 1;
    }
    name
}

fn account_regions(rng: &mut Rng, kind: AccountKind) -> Vec<&'static str> {
    let pool = if matches!(kind, AccountKind::Sandbox | AccountKind::Suspended) {
        REGIONS
    } else {
        ALLOWED_REGIONS
    };
    let mut regions = vec![pool[rng.weighted(&[50, 25, 15, 10, 5, 5][..pool.len()])]];
    let extra = rng.weighted(&[60, 30, 10]);
    for _ in 0..extra {
        let region = *rng.pick(pool);
        if !regions.contains(&region) {
            regions.push(region);
        }
    }
    regions
}
