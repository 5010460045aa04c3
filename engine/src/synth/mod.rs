//! Synthetic organizations: a deterministic generator of realistic AWS organizations at
//! any scale, for benchmarks, tests and demos.
//!
//! [`generate`] turns a [`SynthConfig`] (accounts, roles per account, resources per
//! account, seed) into a [`Snapshot`] that passes [`Snapshot::validate`]:
//!
//! * an OU tree (Security, Infrastructure, Workloads by business unit with Prod and
//!   NonProd, Sandbox, Suspended) with `FullAWSAccess` everywhere, guard rails, a region
//!   lock, an IMDSv2 requirement, a sandbox deny-list, a deny-all for suspended accounts,
//!   and RCPs (`RCPFullAWSAccess`, a data perimeter);
//! * per account, the landing-zone roles (service-linked, `OrganizationAccountAccessRole`,
//!   Identity Center, audit, deploy, GitHub Actions, admin), then ECS clusters on EC2 and
//!   Fargate with task and execution roles, Lambda functions, EKS clusters with IRSA and
//!   Pod Identity and pods on nodes, EC2 instances with mixed IMDS settings, cross-account
//!   and miscellaneous roles, users and groups;
//! * policies drawn from the real AWS managed policies (the embedded dataset) and
//!   customer policies of the shapes seen in real accounts (narrow per-service,
//!   wildcard admin-ish, conditions on tags, `aws:SourceVpc`, `aws:PrincipalOrgID`);
//! * resources (S3, KMS, Secrets Manager, RDS with IAM auth, DynamoDB, SSM, SQS, SNS,
//!   ECR, Lambda) with resource policies;
//! * a small rate of planted misconfigurations ([`Misconfiguration`]), reported with
//!   their ARNs so tests can check that analyses find them.
//!
//! Determinism: every account is generated from its own stream derived from the seed and
//! its index, in parallel, and the accounts are assembled in order, so the same
//! configuration gives a byte-identical snapshot on every machine and thread count.

mod account;
mod builder;
mod catalog;
mod compute;
mod counts;
mod docs;
mod names;
mod org;
mod permissions;
mod resources;
mod rng;

pub use account::{FIXED_ROLES, MIN_ROLES_PER_ACCOUNT};
pub use catalog::{catalog, Catalog, CatalogPolicy};
pub use counts::Counts;
pub use rng::Rng;

use crate::snapshot::{
    Account, Coverage, CoverageStatus, DocId, Documents, Meta, Origin, Snapshot,
};
use rayon::prelude::*;
use std::fmt;
use std::str::FromStr;

/// Bumped whenever the generator's output for a given configuration changes, so that
/// caches of generated snapshots (the benches keep some) know they are stale.
pub const GENERATOR_VERSION: u32 = 1;

/// Resources per account for every role of the account, in every profile.
pub const RESOURCES_PER_ROLE: usize = 10;

/// Misconfigurations planted per thousand opportunities, before the account kind's
/// carelessness factor (sandboxes are three times as careless as production).
pub const DEFAULT_MISCONFIGURATION_PER_MILLE: u32 = 20;

/// The time stamp of every synthetic snapshot (a fixed value keeps output deterministic).
pub const SYNTHETIC_CREATED_AT: &str = "2026-01-01T00:00:00Z";

/// A named size of organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// 3 accounts, 300 roles, 3,000 resources.
    Small,
    /// 50 accounts, 10,000 roles, 100,000 resources.
    Medium,
    /// 200 accounts, 50,000 roles, 500,000 resources.
    Large,
    /// 1,000 accounts, 200,000 roles, 2,000,000 resources.
    Xl,
}

impl Profile {
    /// Every profile, smallest first.
    pub const ALL: [Profile; 4] = [Profile::Small, Profile::Medium, Profile::Large, Profile::Xl];

    /// Its name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Profile::Small => "small",
            Profile::Medium => "medium",
            Profile::Large => "large",
            Profile::Xl => "xl",
        }
    }

    /// How many accounts.
    pub fn accounts(self) -> usize {
        match self {
            Profile::Small => 3,
            Profile::Medium => 50,
            Profile::Large => 200,
            Profile::Xl => 1_000,
        }
    }

    /// How many roles per account.
    pub fn roles_per_account(self) -> usize {
        match self {
            Profile::Small => 100,
            Profile::Medium => 200,
            Profile::Large => 250,
            Profile::Xl => 200,
        }
    }

    /// The generator configuration of this profile.
    pub fn config(self, seed: u64) -> SynthConfig {
        let roles = self.roles_per_account();
        SynthConfig {
            profile: self.name().to_string(),
            accounts: self.accounts(),
            roles_per_account: roles,
            resources_per_account: roles * RESOURCES_PER_ROLE,
            seed,
            misconfiguration_per_mille: DEFAULT_MISCONFIGURATION_PER_MILLE,
        }
    }
}

impl FromStr for Profile {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, String> {
        Profile::ALL
            .into_iter()
            .find(|p| p.name() == name)
            .ok_or_else(|| format!("unknown profile {name:?}: expected small, medium, large or xl"))
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynthConfig {
    /// The profile name recorded in the snapshot (`custom` for explicit sizes).
    pub profile: String,
    /// How many accounts (the first is the management account).
    pub accounts: usize,
    /// Exactly how many roles each account has.
    pub roles_per_account: usize,
    /// Exactly how many resources (`Account::resources`) each account has; compute
    /// (instances, clusters, tasks, pods) comes on top.
    pub resources_per_account: usize,
    /// The seed: the same configuration and seed give the same bytes.
    pub seed: u64,
    /// Misconfigurations planted per thousand opportunities.
    pub misconfiguration_per_mille: u32,
}

/// Why a configuration cannot be generated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SynthError {
    /// No account at all.
    #[error("an organization needs at least one account")]
    NoAccounts,
    /// Too many accounts for distinct 12-digit ids to be drawn quickly.
    #[error("{0} accounts is more than the generator supports (at most 100,000)")]
    TooManyAccounts(usize),
    /// Fewer roles than the fixed landing-zone roles plus one workload of each kind.
    #[error("{found} roles per account is too few: at least {MIN_ROLES_PER_ACCOUNT} are needed (the {FIXED_ROLES} landing-zone roles and one workload of each kind)")]
    TooFewRoles {
        /// The requested number.
        found: usize,
    },
}

impl SynthConfig {
    /// An explicit size: `accounts` accounts of `roles_per_account` roles and
    /// [`RESOURCES_PER_ROLE`] resources per role.
    pub fn custom(
        accounts: usize,
        roles_per_account: usize,
        seed: u64,
    ) -> Result<Self, SynthError> {
        let config = SynthConfig {
            profile: "custom".into(),
            accounts,
            roles_per_account,
            resources_per_account: roles_per_account * RESOURCES_PER_ROLE,
            seed,
            misconfiguration_per_mille: DEFAULT_MISCONFIGURATION_PER_MILLE,
        };
        config.check()?;
        Ok(config)
    }

    /// Checks that the configuration can be generated.
    pub fn check(&self) -> Result<(), SynthError> {
        if self.accounts == 0 {
            return Err(SynthError::NoAccounts);
        }
        if self.accounts > 100_000 {
            return Err(SynthError::TooManyAccounts(self.accounts));
        }
        if self.roles_per_account < MIN_ROLES_PER_ACCOUNT {
            return Err(SynthError::TooFewRoles {
                found: self.roles_per_account,
            });
        }
        Ok(())
    }
}

/// A kind of misconfiguration the generator plants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Misconfiguration {
    /// A role trusting `"AWS": "*"` without any condition.
    WildcardTrust,
    /// `iam:PassRole` on `*` (with compute-creating actions beside it).
    PassRoleToAny,
    /// An instance allowing IMDSv1 (`HttpTokens=optional`).
    ImdsV1,
    /// An IRSA trust without an exact `sub` (namespace-wide, cluster-wide or absent).
    BroadIrsaSubject,
    /// A GitHub Actions trust admitting every repository of the organization.
    BroadGithubSubject,
    /// `AdministratorAccess` on the CI role.
    AdminCiRole,
    /// A bucket readable by anyone.
    PublicBucket,
    /// A function invocable by anyone.
    PublicFunction,
    /// A service user with `AdministratorAccess` and access keys.
    AdminUserWithKeys,
}

/// One planted misconfiguration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planted {
    /// What it is.
    pub kind: Misconfiguration,
    /// The ARN of the misconfigured role, user, instance, bucket or function.
    pub arn: String,
}

/// A generated organization and what was planted in it.
#[derive(Debug, Clone)]
pub struct Generated {
    /// The snapshot.
    pub snapshot: Snapshot,
    /// Every planted misconfiguration, in account order.
    pub planted: Vec<Planted>,
}

/// Generates the organization described by `config`.
pub fn generate(config: &SynthConfig) -> Result<Generated, SynthError> {
    config.check()?;
    let mut documents = Documents::default();
    let mut rng = Rng::derive(config.seed, 0);
    let org = org::plan(&mut rng, config.accounts, &mut documents);
    let built: Vec<account::BuiltAccount> = (0..config.accounts)
        .into_par_iter()
        .map(|index| account::build(config, &org, index))
        .collect();

    let mut accounts = Vec::with_capacity(built.len());
    let mut planted = Vec::new();
    for mut part in built {
        let map: Vec<DocId> = part
            .documents
            .iter()
            .map(|(_, text)| documents.intern(text.clone()))
            .collect();
        remap_documents(&mut part.account, &map);
        accounts.push(part.account);
        planted.append(&mut part.planted);
    }
    let meta = Meta {
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        created_at: SYNTHETIC_CREATED_AT.to_string(),
        collected_by: None,
        origin: Origin::Synthetic {
            profile: config.profile.clone(),
            seed: config.seed,
        },
        coverage: coverage(&org),
    };
    let snapshot = Snapshot {
        meta,
        organization: Some(org.organization),
        accounts,
        documents,
    };
    Ok(Generated { snapshot, planted })
}

/// Every service of every account and region was "collected".
fn coverage(org: &org::OrgPlan) -> Vec<Coverage> {
    const GLOBAL: &[&str] = &["iam", "s3"];
    const REGIONAL: &[&str] = &[
        "ec2",
        "ecs",
        "eks",
        "lambda",
        "secretsmanager",
        "kms",
        "rds",
        "dynamodb",
        "ssm",
        "sqs",
        "sns",
        "ecr",
    ];
    let mut coverage = Vec::new();
    for placement in &org.placements {
        let entry = |region: Option<&str>, service: &str| Coverage {
            account_id: placement.id.clone(),
            region: region.map(String::from),
            service: service.into(),
            status: CoverageStatus::Collected,
        };
        coverage.extend(GLOBAL.iter().map(|s| entry(None, s)));
        for region in &placement.regions {
            coverage.extend(REGIONAL.iter().map(|s| entry(Some(region), s)));
        }
    }
    coverage
}

/// Rewrites every document id of an account through `map` (local id to global id).
fn remap_documents(account: &mut Account, map: &[DocId]) {
    let remap = |id: &mut DocId| *id = map[id.0 as usize];
    let iam = &mut account.iam;
    for user in &mut iam.users {
        user.inline_policies
            .iter_mut()
            .for_each(|p| remap(&mut p.document));
    }
    for group in &mut iam.groups {
        group
            .inline_policies
            .iter_mut()
            .for_each(|p| remap(&mut p.document));
    }
    for role in &mut iam.roles {
        remap(&mut role.trust_policy);
        role.inline_policies
            .iter_mut()
            .for_each(|p| remap(&mut p.document));
    }
    for policy in &mut iam.managed_policies {
        remap(&mut policy.document);
        policy
            .other_versions
            .iter_mut()
            .for_each(|v| remap(&mut v.document));
    }
    for resource in &mut account.resources {
        if let Some(policy) = &mut resource.policy {
            remap(policy);
        }
    }
}

#[cfg(test)]
mod tests;
