//! `blastgraph collect`: snapshot an AWS organization or account through the AWS SDK.

use crate::error::{CliError, CliResult};
use crate::snapshot_file;
use blastgraph_collector::aws::{self, CollectOptions, Progress};
use blastgraph_collector::kubernetes;
use blastgraph_engine::snapshot::{CoverageStatus, Snapshot};
use clap::Args;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// Arguments of `blastgraph collect`.
#[derive(Args)]
pub struct CollectArgs {
    /// The snapshot file to write (atomically).
    #[arg(short, long)]
    output: PathBuf,
    /// A named AWS profile (SSO profiles included); default: the standard credential
    /// chain (environment, ~/.aws, container and instance credentials).
    #[arg(long, env = "AWS_PROFILE")]
    profile: Option<String>,
    /// The region for global services and for listing enabled regions (default: the
    /// profile's, else us-east-1).
    #[arg(long)]
    region: Option<String>,
    /// Regions to collect, comma separated (default: every region enabled in each
    /// account).
    #[arg(long, value_delimiter = ',')]
    regions: Option<Vec<String>>,
    /// Send every request to this endpoint (an emulator such as moto); S3 then uses
    /// path-style addressing.
    #[arg(long)]
    endpoint_url: Option<String>,
    /// Read the organization (from the management or a delegated administrator
    /// account) and collect every member account through --member-role.
    #[arg(long)]
    organization: bool,
    /// The role assumed in member accounts.
    #[arg(long, default_value = "OrganizationAccountAccessRole")]
    member_role: String,
    /// The external id the member role requires, if any.
    #[arg(long, requires = "organization")]
    external_id: Option<String>,
    /// Only these member accounts (comma separated ids).
    #[arg(long, value_delimiter = ',', requires = "organization")]
    accounts: Vec<String>,
    /// Skip these member accounts (comma separated ids).
    #[arg(long, value_delimiter = ',', requires = "organization")]
    exclude_accounts: Vec<String>,
    /// Kubernetes placement of an EKS cluster: CLUSTER=FILE, FILE being the output of
    /// `kubectl get pods,serviceaccounts,nodes -A -o json` and CLUSTER the cluster's name
    /// (or ARN). Repeat per cluster.
    #[arg(long = "k8s-pods", value_name = "CLUSTER=FILE")]
    k8s_pods: Vec<String>,
    /// Requests in flight per AWS service, across accounts and regions.
    #[arg(long, default_value_t = 8)]
    max_concurrency: usize,
    /// Attempts per request (throttling and transient errors are retried with
    /// exponential backoff and jitter).
    #[arg(long, default_value_t = 6)]
    max_attempts: u32,
    /// Timeout of one request attempt, in seconds.
    #[arg(long, default_value_t = 30)]
    timeout: u64,
    /// Exit with status 1 when anything could not be collected.
    #[arg(long)]
    strict: bool,
    /// No progress: neither the bars (on a terminal) nor the log lines (otherwise).
    #[arg(short, long)]
    quiet: bool,
}

/// Runs `blastgraph collect`.
pub fn run(args: CollectArgs) -> CliResult {
    // Read the kubectl files first: a typo should fail before minutes of collection.
    let mut placements = Vec::new();
    for spec in &args.k8s_pods {
        let (cluster, file) = spec.split_once('=').ok_or_else(|| {
            CliError::BadInput(format!("--k8s-pods {spec:?}: expected CLUSTER=FILE"))
        })?;
        let file = PathBuf::from(file);
        let text = std::fs::read_to_string(&file).map_err(|e| CliError::bad_file(&file, e))?;
        let objects = kubernetes::parse(&text).map_err(|e| CliError::bad_file(&file, e))?;
        placements.push((cluster.to_string(), file, objects));
    }
    let options = CollectOptions {
        profile: args.profile,
        region: args.region,
        endpoint_url: args.endpoint_url,
        regions: args.regions,
        organization: args.organization,
        member_role: args.member_role,
        external_id: args.external_id,
        accounts: args.accounts,
        exclude_accounts: args.exclude_accounts,
        max_concurrency: args.max_concurrency,
        max_attempts: args.max_attempts,
        attempt_timeout: Duration::from_secs(args.timeout.max(1)),
        progress: if args.quiet {
            Progress::Quiet
        } else if std::io::stderr().is_terminal() {
            Progress::Bars
        } else {
            Progress::Lines
        },
    };
    let started = Instant::now();
    let collection =
        aws::collect_blocking(&options).map_err(|e| CliError::Failure(e.to_string()))?;
    let mut snapshot = collection.snapshot;
    for (cluster, file, objects) in placements {
        kubernetes::apply(&mut snapshot, &cluster, objects)
            .map_err(|e| CliError::bad_file(&file, e))?;
    }
    let issues = snapshot.validate();
    if let Some(first) = issues.first() {
        return Err(CliError::Failure(format!(
            "the collected snapshot is inconsistent ({} problems), first: {first}",
            issues.len()
        )));
    }
    snapshot_file::save(&args.output, &snapshot)?;
    let gaps = report(&snapshot);
    eprintln!(
        "collect: wrote {} ({} accounts, {} documents) in {:.1}s with {} API requests",
        args.output.display(),
        snapshot.accounts.len(),
        snapshot.documents.len(),
        started.elapsed().as_secs_f64(),
        collection.api_calls
    );
    if gaps > 0 && args.strict {
        eprintln!("collect: {gaps} coverage gaps and --strict: failing");
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints the coverage gaps; returns how many there are.
fn report(snapshot: &Snapshot) -> usize {
    let gaps: Vec<_> = snapshot.meta.gaps().collect();
    if gaps.is_empty() {
        eprintln!("collect: complete, no coverage gaps");
        return 0;
    }
    eprintln!(
        "collect: {} coverage gaps (queries on this snapshot will warn):",
        gaps.len()
    );
    for gap in &gaps {
        let what = match &gap.status {
            CoverageStatus::Failed { error } => format!("failed: {error}"),
            CoverageStatus::NotCollected { reason } => format!("not collected: {reason}"),
            CoverageStatus::Collected => continue,
        };
        eprintln!(
            "  {} {} {}: {what}",
            gap.account_id,
            gap.region.as_deref().unwrap_or("global"),
            gap.service
        );
    }
    gaps.len()
}
