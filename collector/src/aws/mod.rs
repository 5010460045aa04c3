//! Live collection through the AWS SDK (feature `aws`).
//!
//! [`collect`] reads an organization (or the caller's single account): for each account
//! the global services (IAM, S3) and, for each region, EC2, ECS, EKS, Secrets Manager,
//! KMS, RDS and Lambda. Every (account, region, service) unit runs as its own tokio task;
//! requests are bounded per service ([`CollectOptions::max_concurrency`]) and retried
//! with exponential backoff and jitter by the SDK. A unit that fails (AccessDenied, a
//! service not enabled, throttled out, a timeout, a malformed answer) keeps what it read
//! and becomes a coverage gap in [`Meta::coverage`](blastgraph_engine::snapshot::Meta);
//! it never aborts the run.
//!
//! Fetching (concurrent, network-bound) is separated from mapping into the snapshot
//! (sequential, in a fixed order), so the same organization always gives the same
//! snapshot, document ids included.
//!
//! The collector only calls read-only, metadata APIs: never `GetSecretValue`,
//! `GetObject` or anything that reads data or changes state (see
//! `minimal-iam-policy.json` for the exact list).

mod aws_managed;
mod clients;
mod ec2;
mod ecs;
mod eks;
mod iam;
mod kms;
mod lambda;
mod org;
mod progress;
mod rds;
mod s3;
mod secrets;
mod session;
mod support;

pub use progress::Progress;
pub use support::ApiCounter;

use aws_config::SdkConfig;
use blastgraph_engine::snapshot::{
    Account, Coverage, CoverageStatus, Documents, Ec2Instance, EksCluster, Meta, OrgPolicy,
    Organization, Origin, Resource, Snapshot,
};
use progress::{Reporter, UnitOutcome};
use std::sync::Arc;
use std::time::Duration;
use support::{Errors, Limits, RawResource};

/// What to collect and how.
#[derive(Debug, Clone)]
pub struct CollectOptions {
    /// A named profile of `~/.aws/config` (SSO profiles included); the default chain
    /// otherwise.
    pub profile: Option<String>,
    /// The region for global services and for listing enabled regions.
    pub region: Option<String>,
    /// An endpoint URL for every service (an emulator); turns on path-style S3.
    pub endpoint_url: Option<String>,
    /// The regions to collect; `None`: the regions enabled in each account.
    pub regions: Option<Vec<String>>,
    /// Read the organization and collect every member account.
    pub organization: bool,
    /// The role assumed in member accounts.
    pub member_role: String,
    /// The external id for that role, if it requires one.
    pub external_id: Option<String>,
    /// Only these accounts (organization mode); empty: all.
    pub accounts: Vec<String>,
    /// Never these accounts.
    pub exclude_accounts: Vec<String>,
    /// Requests in flight per service, across accounts and regions.
    pub max_concurrency: usize,
    /// Attempts per request (the SDK's standard retry mode: exponential backoff with
    /// jitter on throttling and transient errors).
    pub max_attempts: u32,
    /// Timeout of one attempt.
    pub attempt_timeout: Duration,
    /// How progress is shown on standard error.
    pub progress: Progress,
}

impl Default for CollectOptions {
    fn default() -> Self {
        CollectOptions {
            profile: None,
            region: None,
            endpoint_url: None,
            regions: None,
            organization: false,
            member_role: "OrganizationAccountAccessRole".to_string(),
            external_id: None,
            accounts: Vec::new(),
            exclude_accounts: Vec::new(),
            max_concurrency: 8,
            max_attempts: 6,
            attempt_timeout: Duration::from_secs(30),
            progress: Progress::Lines,
        }
    }
}

/// Why a collection could not run at all (anything narrower is a coverage gap).
#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    /// No usable credentials (`sts:GetCallerIdentity` failed).
    #[error("cannot use the AWS credentials: {0}")]
    Credentials(String),
    /// Organization mode, and the organization could not be read.
    #[error("cannot read the organization: {0}")]
    Organization(String),
    /// The async runtime could not start.
    #[error("cannot start the async runtime: {0}")]
    Runtime(String),
}

/// A finished collection.
#[derive(Debug)]
pub struct Collection {
    /// The snapshot, gaps recorded in `meta.coverage`.
    pub snapshot: Snapshot,
    /// HTTP requests sent (retries included).
    pub api_calls: u64,
}

/// Runs [`collect`] on a new multi-threaded tokio runtime.
pub fn collect_blocking(options: &CollectOptions) -> Result<Collection, CollectError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CollectError::Runtime(e.to_string()))?
        .block_on(collect(options))
}

/// Collects a snapshot.
pub async fn collect(options: &CollectOptions) -> Result<Collection, CollectError> {
    let counter = ApiCounter::default();
    let limits = Limits::new(options.max_concurrency);
    let created_at = support::rfc3339(&aws_smithy_types::DateTime::from(
        std::time::SystemTime::now(),
    ))
    .unwrap_or_default();
    let reporter = Arc::new(Reporter::new(
        options.progress,
        &Service::ALL.map(Service::prefix),
    ));
    let session = session::connect(options, &counter).await?;
    reporter.line(&format!("collecting as {}", session.caller_arn));
    let mut snapshot = Snapshot {
        meta: Meta {
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
            created_at,
            collected_by: Some(session.caller_arn.clone()),
            origin: Origin::Collected {
                endpoint_url: options.endpoint_url.clone(),
            },
            coverage: Vec::new(),
        },
        ..Snapshot::default()
    };
    let targets = if options.organization {
        organization(
            &session,
            options,
            &limits,
            &counter,
            &reporter,
            &mut snapshot,
        )
        .await?
    } else {
        snapshot.account_mut(&session.caller_account);
        vec![session.caller_account.clone()]
    };
    reporter.accounts_planned(targets.len());
    let shared = Arc::new(Shared {
        session,
        options: options.clone(),
        limits,
        counter: counter.clone(),
        reporter: reporter.clone(),
        aws_managed: Arc::default(),
    });
    let mut tasks = tokio::task::JoinSet::new();
    for (index, account_id) in targets.into_iter().enumerate() {
        let shared = shared.clone();
        tasks.spawn(async move {
            (
                index,
                account_id.clone(),
                collect_account(shared, account_id).await,
            )
        });
    }
    let mut results = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok(result) => results.push(result),
            Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
            Err(_) => {}
        }
    }
    reporter.finish();
    results.sort_by_key(|(index, _, _)| *index);
    for (_, account_id, mut units) in results {
        units.sort_by_key(|unit| unit.order);
        for unit in units {
            merge(&mut snapshot, &account_id, unit);
        }
        let account = snapshot.account_mut(&account_id);
        match_node_group_instances(account);
    }
    Ok(Collection {
        snapshot,
        api_calls: counter.get(),
    })
}

/// What every account task needs.
struct Shared {
    session: session::Session,
    options: CollectOptions,
    limits: Limits,
    counter: ApiCounter,
    reporter: Arc<Reporter>,
    /// AWS managed policies, read once for every account.
    aws_managed: Arc<aws_managed::AwsManagedCache>,
}

/// Reads the organization into the snapshot and returns the accounts to collect.
async fn organization(
    session: &session::Session,
    options: &CollectOptions,
    limits: &Limits,
    counter: &ApiCounter,
    reporter: &Reporter,
    snapshot: &mut Snapshot,
) -> Result<Vec<String>, CollectError> {
    let client = clients::organizations(&session.config, &session.home_region, counter);
    let mut errors = Errors::default();
    let raw = org::fetch(&client, limits, &mut errors)
        .await
        .map_err(CollectError::Organization)?;
    let mut policies = Vec::new();
    for policy in raw.policies {
        match snapshot.documents.intern_text(&policy.content) {
            Ok(document) => policies.push(OrgPolicy {
                id: policy.id,
                name: policy.name,
                kind: policy.kind,
                aws_managed: policy.aws_managed,
                document,
                targets: policy.targets,
            }),
            Err(error) => errors.push(format!("organizations: policy {}: {error}", policy.id)),
        }
    }
    snapshot.organization = Some(Organization {
        id: raw.id,
        management_account_id: raw.management_account_id.clone(),
        units: raw.units,
        policies,
    });
    snapshot.meta.coverage.push(coverage(
        &raw.management_account_id,
        None,
        "organizations",
        errors,
    ));
    let mut targets = Vec::new();
    for account in raw.accounts {
        let entry = snapshot.account_mut(&account.id);
        entry.name = account.name.clone();
        entry.parent_id = Some(account.parent_id.clone());
        let skipped = if !account.active {
            Some("account is suspended")
        } else if !options.accounts.is_empty() && !options.accounts.contains(&account.id) {
            Some("not in --accounts")
        } else if options.exclude_accounts.contains(&account.id) {
            Some("excluded by --exclude-accounts")
        } else {
            None
        };
        match skipped {
            Some(reason) => snapshot.meta.coverage.push(Coverage {
                account_id: account.id,
                region: None,
                service: "*".to_string(),
                status: CoverageStatus::NotCollected {
                    reason: reason.to_string(),
                },
            }),
            None => targets.push(account.id),
        }
    }
    reporter.line(&format!(
        "organization {}: {} accounts to collect",
        snapshot.organization.as_ref().map_or("", |o| o.id.as_str()),
        targets.len()
    ));
    Ok(targets)
}

/// Which service a unit reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Service {
    Iam,
    S3,
    Ec2,
    Ecs,
    Eks,
    SecretsManager,
    Kms,
    Rds,
    Lambda,
}

impl Service {
    /// Every service, in the order of the progress bars.
    const ALL: [Service; 9] = [
        Service::Iam,
        Service::S3,
        Service::Ec2,
        Service::Ecs,
        Service::Eks,
        Service::SecretsManager,
        Service::Kms,
        Service::Rds,
        Service::Lambda,
    ];

    const REGIONAL: [Service; 7] = [
        Service::Ec2,
        Service::Ecs,
        Service::Eks,
        Service::SecretsManager,
        Service::Kms,
        Service::Rds,
        Service::Lambda,
    ];

    /// The service prefix used in coverage entries.
    fn prefix(self) -> &'static str {
        match self {
            Service::Iam => "iam",
            Service::S3 => "s3",
            Service::Ec2 => "ec2",
            Service::Ecs => "ecs",
            Service::Eks => "eks",
            Service::SecretsManager => "secretsmanager",
            Service::Kms => "kms",
            Service::Rds => "rds",
            Service::Lambda => "lambda",
        }
    }
}

/// What one unit read.
enum Part {
    Nothing,
    Iam(iam::IamRaw),
    Ec2(Vec<Ec2Instance>),
    Ecs(ecs::EcsRegion),
    Eks(Vec<EksCluster>),
    Resources(Vec<RawResource>),
}

/// The outcome of one (account, region, service) unit.
struct Unit {
    order: usize,
    region: Option<String>,
    service: &'static str,
    part: Part,
    errors: Errors,
}

/// Collects one account: its credentials, its regions, then every unit concurrently.
async fn collect_account(shared: Arc<Shared>, account_id: String) -> Vec<Unit> {
    let options = &shared.options;
    let config =
        match session::for_account(&shared.session, options, &account_id, &shared.counter).await {
            Ok(config) => config,
            Err(error) => {
                shared.reporter.line(&format!("{account_id}: {error}"));
                shared.reporter.account_ready([]);
                return vec![Unit {
                    order: 0,
                    region: None,
                    service: "sts",
                    part: Part::Nothing,
                    errors: Errors(vec![error]),
                }];
            }
        };
    let mut units = Vec::new();
    let regions = match &options.regions {
        Some(regions) => regions.clone(),
        None => {
            let client = clients::ec2(&config, &shared.session.home_region, &shared.counter);
            match ec2::enabled_regions(&client, &shared.limits, &shared.session.partition).await {
                Ok(regions) => regions,
                Err(error) => {
                    let error = format!("{error}; collecting only {}", shared.session.home_region);
                    units.push(Unit {
                        order: 0,
                        region: None,
                        service: "ec2",
                        part: Part::Nothing,
                        errors: Errors(vec![error]),
                    });
                    vec![shared.session.home_region.clone()]
                }
            }
        }
    };
    let mut tasks = tokio::task::JoinSet::new();
    let mut plan = vec![(None, Service::Iam), (None, Service::S3)];
    for region in &regions {
        plan.extend(Service::REGIONAL.iter().map(|s| (Some(region.clone()), *s)));
    }
    shared
        .reporter
        .account_ready(plan.iter().map(|(_, service)| service.prefix()));
    for (order, (region, service)) in plan.into_iter().enumerate() {
        let shared = shared.clone();
        let config = config.clone();
        let account_id = account_id.clone();
        tasks.spawn(async move {
            let started = std::time::Instant::now();
            let mut errors = Errors::default();
            let part = run_unit(
                &shared,
                &config,
                &account_id,
                region.as_deref(),
                service,
                &mut errors,
            )
            .await;
            let status = match errors.0.first() {
                None => "ok".to_string(),
                Some(first) => format!("GAP ({} errors, first: {first})", errors.0.len()),
            };
            shared.reporter.unit_done(UnitOutcome {
                service: service.prefix(),
                line: &format!(
                    "{account_id} {} {}: {status} in {:.1}s",
                    region.as_deref().unwrap_or("global"),
                    service.prefix(),
                    started.elapsed().as_secs_f64()
                ),
                gap: !errors.0.is_empty(),
            });
            Unit {
                order: order + 1,
                region,
                service: service.prefix(),
                part,
                errors,
            }
        });
    }
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok(unit) => units.push(unit),
            Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
            Err(_) => {}
        }
    }
    units
}

async fn run_unit(
    shared: &Shared,
    config: &SdkConfig,
    account_id: &str,
    region: Option<&str>,
    service: Service,
    errors: &mut Errors,
) -> Part {
    let limits = &shared.limits;
    let counter = &shared.counter;
    let home = shared.session.home_region.as_str();
    let region_name = region.unwrap_or(home);
    match service {
        Service::Iam => Part::Iam(
            iam::fetch(
                &clients::iam(config, home, counter),
                limits,
                &shared.aws_managed,
                errors,
            )
            .await,
        ),
        Service::S3 => {
            let context = s3::S3Context {
                config: config.clone(),
                home_region: home.to_string(),
                counter: counter.clone(),
                path_style: shared.options.endpoint_url.is_some(),
                partition: shared.session.partition.clone(),
            };
            Part::Resources(s3::fetch(&context, limits, errors).await)
        }
        Service::Ec2 => Part::Ec2(
            ec2::fetch(
                &clients::ec2(config, region_name, counter),
                limits,
                &shared.session.partition,
                account_id,
                region_name,
                errors,
            )
            .await,
        ),
        Service::Ecs => Part::Ecs(
            ecs::fetch(
                &clients::ecs(config, region_name, counter),
                limits,
                region_name,
                errors,
            )
            .await,
        ),
        Service::Eks => Part::Eks(
            eks::fetch(
                &clients::eks(config, region_name, counter),
                limits,
                region_name,
                errors,
            )
            .await,
        ),
        Service::SecretsManager => Part::Resources(
            secrets::fetch(
                &clients::secretsmanager(config, region_name, counter),
                limits,
                region_name,
                errors,
            )
            .await,
        ),
        Service::Kms => Part::Resources(
            kms::fetch(
                &clients::kms(config, region_name, counter),
                limits,
                region_name,
                errors,
            )
            .await,
        ),
        Service::Rds => Part::Resources(
            rds::fetch(
                &clients::rds(config, region_name, counter),
                limits,
                region_name,
                errors,
            )
            .await,
        ),
        Service::Lambda => Part::Resources(
            lambda::fetch(
                &clients::lambda(config, region_name, counter),
                limits,
                region_name,
                errors,
            )
            .await,
        ),
    }
}

/// Adds what a unit read to its account, interning documents, and records its coverage.
fn merge(snapshot: &mut Snapshot, account_id: &str, unit: Unit) {
    let Unit {
        region,
        service,
        part,
        mut errors,
        ..
    } = unit;
    snapshot.account_mut(account_id);
    let Snapshot {
        accounts,
        documents,
        meta,
        ..
    } = snapshot;
    let account = accounts
        .iter_mut()
        .find(|a| a.id == account_id)
        .expect("account_mut just created it");
    match part {
        Part::Nothing => {}
        Part::Iam(raw) => account.iam = iam::map(raw, documents, &mut errors),
        Part::Ec2(instances) => account.compute.ec2_instances.extend(instances),
        Part::Ecs(ecs) => {
            account.compute.ecs_clusters.extend(ecs.clusters);
            account
                .compute
                .task_definitions
                .extend(ecs.task_definitions);
        }
        Part::Eks(clusters) => account.compute.eks_clusters.extend(clusters),
        Part::Resources(resources) => {
            add_resources(account, resources, documents, &mut errors);
        }
    }
    meta.coverage
        .push(coverage(account_id, region, service, errors));
}

fn add_resources(
    account: &mut Account,
    resources: Vec<RawResource>,
    documents: &mut Documents,
    errors: &mut Errors,
) {
    for raw in resources {
        let policy = match raw.policy.as_deref().map(|p| documents.intern_text(p)) {
            None => None,
            Some(Ok(id)) => Some(id),
            Some(Err(error)) => {
                errors.push(format!("policy of {}: {error}", raw.arn));
                None
            }
        };
        account.resources.push(Resource {
            arn: raw.arn,
            region: raw.region,
            kind: raw.kind,
            policy,
            tags: raw.tags,
        });
    }
}

/// How many errors a coverage entry spells out before summarising the rest.
const ERRORS_SHOWN: usize = 5;

fn coverage(account_id: &str, region: Option<String>, service: &str, errors: Errors) -> Coverage {
    let status = if errors.0.is_empty() {
        CoverageStatus::Collected
    } else {
        let mut error = errors.0[..errors.0.len().min(ERRORS_SHOWN)].join("; ");
        if errors.0.len() > ERRORS_SHOWN {
            error.push_str(&format!("; and {} more", errors.0.len() - ERRORS_SHOWN));
        }
        CoverageStatus::Failed { error }
    };
    Coverage {
        account_id: account_id.to_string(),
        region,
        service: service.to_string(),
        status,
    }
}

/// EKS managed node groups do not list their instances; the instances carry the
/// `eks:cluster-name` and `eks:nodegroup-name` tags that EKS puts on them.
fn match_node_group_instances(account: &mut Account) {
    let instances = &account.compute.ec2_instances;
    for cluster in &mut account.compute.eks_clusters {
        for group in &mut cluster.node_groups {
            group.instance_ids = instances
                .iter()
                .filter(|i| {
                    i.region == cluster.region
                        && i.tags.get("eks:cluster-name") == Some(&cluster.name)
                        && i.tags.get("eks:nodegroup-name") == Some(&group.name)
                })
                .map(|i| i.id.clone())
                .collect();
        }
    }
}
