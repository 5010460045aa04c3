//! Loads a snapshot file a few times and prints how long decoding and validation take
//! (best of the runs), for the figures of `benches/README.md`:
//!
//! ```text
//! cargo run --release -p blastgraph-benches --example load -- FILE [RUNS]
//! ```
//!
//! Version-3 files are decoded and validated on every core; `RAYON_NUM_THREADS=1`
//! measures one thread. This example uses the system allocator, the binary mimalloc:
//! `/usr/bin/time -v blastgraph info FILE` measures a load as users get it.

use blastgraph_engine::snapshot::format;
use blastgraph_engine::synth::Counts;
use std::time::{Duration, Instant};

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: load FILE [RUNS]");
        std::process::exit(2);
    };
    let runs: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(3);
    let read_started = Instant::now();
    let bytes = std::fs::read(&path).unwrap_or_else(|e| {
        eprintln!("{path}: {e}");
        std::process::exit(2)
    });
    let read = read_started.elapsed();
    let (mut best_decode, mut best_validate) = (Duration::MAX, Duration::MAX);
    let mut last = None;
    for _ in 0..runs {
        let started = Instant::now();
        let snapshot = format::decode(&bytes).unwrap_or_else(|e| {
            eprintln!("{path}: {e}");
            std::process::exit(2)
        });
        best_decode = best_decode.min(started.elapsed());
        let started = Instant::now();
        let issues = snapshot.validate();
        best_validate = best_validate.min(started.elapsed());
        assert!(
            issues.is_empty(),
            "{path}: {} validation issues",
            issues.len()
        );
        // Keep the previous snapshot alive until here so its teardown is not timed.
        last = Some(snapshot);
    }
    let snapshot = last.expect("at least one run");
    println!(
        "{path}: {:.1} MB; {}",
        bytes.len() as f64 / 1e6,
        Counts::of(&snapshot)
    );
    println!(
        "format v{}, {} threads: read {:.0} ms, decode {:.0} ms, validate {:.0} ms (best of {runs})",
        format::version(&bytes).expect("decoded above"),
        threads(),
        read.as_secs_f64() * 1e3,
        best_decode.as_secs_f64() * 1e3,
        best_validate.as_secs_f64() * 1e3
    );
    std::mem::forget(snapshot);
}

/// The threads rayon decodes with: `RAYON_NUM_THREADS` when set, else one per core.
fn threads() -> usize {
    std::env::var("RAYON_NUM_THREADS")
        .ok()
        .and_then(|n| n.parse().ok())
        .filter(|&n| n > 0)
        .or_else(|| std::thread::available_parallelism().ok().map(|n| n.get()))
        .unwrap_or(1)
}
