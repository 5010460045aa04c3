//! `blastgraph gen`: writes a synthetic organization (see `engine::synth`).

use crate::error::{CliError, CliResult};
use crate::snapshot_file;
use blastgraph_engine::snapshot::format;
use blastgraph_engine::synth::{self, Counts, Profile, SynthConfig};
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

/// Arguments of `blastgraph gen`.
#[derive(Args)]
pub struct GenArgs {
    /// A named size: small (3 accounts, 300 roles), medium (50, 10,000), large (200,
    /// 50,000, 500,000 resources) or xl (1,000, 200,000, 2,000,000 resources).
    #[arg(long, conflicts_with_all = ["accounts", "roles_per_account"])]
    profile: Option<Profile>,
    /// How many accounts (with --roles-per-account, instead of a profile).
    #[arg(long, requires = "roles_per_account")]
    accounts: Option<usize>,
    /// Exactly how many roles per account (resources: ten per role).
    #[arg(long, requires = "accounts")]
    roles_per_account: Option<usize>,
    /// The seed: the same arguments and seed give a byte-identical snapshot.
    #[arg(long)]
    seed: u64,
    /// Misconfigurations planted per thousand opportunities.
    #[arg(long, default_value_t = synth::DEFAULT_MISCONFIGURATION_PER_MILLE)]
    misconfiguration_per_mille: u32,
    /// The snapshot file to write (atomically).
    #[arg(short, long)]
    output: PathBuf,
}

/// Runs `blastgraph gen`.
pub fn run(args: GenArgs) -> CliResult {
    let mut config = match (args.profile, args.accounts, args.roles_per_account) {
        (Some(profile), _, _) => profile.config(args.seed),
        (None, Some(accounts), Some(roles)) => SynthConfig::custom(accounts, roles, args.seed)
            .map_err(|e| CliError::BadInput(e.to_string()))?,
        _ => {
            return Err(CliError::BadInput(
                "give --profile, or --accounts and --roles-per-account".into(),
            ))
        }
    };
    config.misconfiguration_per_mille = args.misconfiguration_per_mille.min(1000);

    let started = Instant::now();
    let generated = synth::generate(&config).map_err(|e| CliError::BadInput(e.to_string()))?;
    let generation = started.elapsed();
    let encoding_started = Instant::now();
    let bytes = format::encode(&generated.snapshot);
    let encoding = encoding_started.elapsed();
    snapshot_file::write_atomically(&args.output, &bytes)?;

    let counts = Counts::of(&generated.snapshot);
    println!(
        "wrote {} ({}, seed {}): {:.1} MB",
        args.output.display(),
        config.profile,
        config.seed,
        bytes.len() as f64 / 1e6
    );
    println!("{counts}");
    println!(
        "{} planted misconfigurations; generated in {:.2} s, encoded in {:.2} s, total {:.2} s",
        generated.planted.len(),
        generation.as_secs_f64(),
        encoding.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    // Freeing millions of small allocations one by one takes a noticeable share of the
    // run on large profiles; the process is about to exit and the OS reclaims it all.
    std::mem::forget(generated);
    Ok(ExitCode::SUCCESS)
}
