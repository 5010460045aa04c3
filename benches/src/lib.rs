//! Shared helpers for the benches: synthetic snapshots of each profile, generated once
//! and cached on disk, and a uniform way to print the size of a bench's input.
//!
//! Every stage's bench starts from [`input`]: the decoded snapshot of a profile and the
//! size of its file. Which profiles run is chosen with `BLASTGRAPH_BENCH_PROFILES`
//! (comma-separated: `small,medium,large,xl`; default `medium`), so the large and xl
//! figures of `README.md` can be reproduced without slowing down everyday runs.
//!
//! Cached files live in `BLASTGRAPH_BENCH_CACHE` (default: `bench-snapshots/` under the
//! cargo target directory) and are named after the profile, the seed, the snapshot
//! format version and the generator version, so a change to either makes a new file.

pub mod policy_fixture;

use blastgraph_engine::snapshot::{format, Snapshot};
use blastgraph_engine::synth::{self, Counts, Profile};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The seed of every bench snapshot.
pub const BENCH_SEED: u64 = 1;

/// The profiles to bench, from `BLASTGRAPH_BENCH_PROFILES` (default: medium).
///
/// # Panics
/// On an unknown profile name: a bench run with a typo should stop, not measure nothing.
pub fn profiles() -> Vec<Profile> {
    profiles_or("medium")
}

/// The profiles to bench, from `BLASTGRAPH_BENCH_PROFILES`, or `default` (a
/// comma-separated list) when it is unset: stages too slow for medium in everyday runs
/// default to `small`.
///
/// # Panics
/// On an unknown profile name.
pub fn profiles_or(default: &str) -> Vec<Profile> {
    let names = std::env::var("BLASTGRAPH_BENCH_PROFILES").unwrap_or_else(|_| default.into());
    names
        .split(',')
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(|n| {
            n.parse()
                .unwrap_or_else(|e| panic!("BLASTGRAPH_BENCH_PROFILES: {e}"))
        })
        .collect()
}

/// The directory of cached snapshots.
pub fn cache_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("BLASTGRAPH_BENCH_CACHE") {
        return PathBuf::from(dir);
    }
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("..")
                .join("target")
        });
    target.join("bench-snapshots")
}

/// The cache file of a profile.
pub fn cache_path(profile: Profile) -> PathBuf {
    cache_dir().join(format!(
        "{}-seed{BENCH_SEED}-format{}-gen{}.snap",
        profile.name(),
        format::FORMAT_VERSION,
        synth::GENERATOR_VERSION
    ))
}

/// The encoded snapshot of a profile: read from the cache, or generated and cached.
///
/// # Panics
/// If the generator fails or the cache cannot be written (a bench has no better option).
pub fn snapshot_bytes(profile: Profile) -> Vec<u8> {
    let path = cache_path(profile);
    if let Ok(bytes) = std::fs::read(&path) {
        return bytes;
    }
    let started = Instant::now();
    let generated = synth::generate(&profile.config(BENCH_SEED)).expect("profiles are valid");
    let bytes = format::encode(&generated.snapshot);
    eprintln!(
        "generated {} in {:.1} s, caching it at {}",
        profile,
        started.elapsed().as_secs_f64(),
        path.display()
    );
    std::fs::create_dir_all(cache_dir()).expect("cannot create the bench cache directory");
    let temporary = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&temporary, &bytes).expect("cannot write the bench cache");
    std::fs::rename(&temporary, &path).expect("cannot write the bench cache");
    bytes
}

/// A bench input: a profile's snapshot, decoded, with the size of its file.
pub struct Input {
    /// The profile.
    pub profile: Profile,
    /// The decoded snapshot.
    pub snapshot: Snapshot,
    /// The size of the encoded snapshot, in bytes.
    pub file_bytes: usize,
}

impl Input {
    /// One line describing the input, for bench logs.
    pub fn describe(&self) -> String {
        format!(
            "input {}: {:.1} MB snapshot; {}",
            self.profile,
            self.file_bytes as f64 / 1e6,
            Counts::of(&self.snapshot)
        )
    }
}

/// The input of a profile (generated and cached on first use), its size printed.
///
/// # Panics
/// If the cached file does not decode (delete the cache directory to regenerate).
pub fn input(profile: Profile) -> Input {
    let bytes = snapshot_bytes(profile);
    let snapshot = format::decode(&bytes).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; delete it to regenerate",
            cache_path(profile).display()
        )
    });
    let input = Input {
        profile,
        snapshot,
        file_bytes: bytes.len(),
    };
    println!("{}", input.describe());
    input
}
