//! Collects one account and prints what was collected, the coverage gaps, the time and
//! the number of API requests: the library's path of `blastgraph collect`, for quick
//! measurements against an emulator.
//!
//! ```sh
//! cargo run -p blastgraph-collector --example collect -- ENDPOINT_URL [REGION...]
//! ```

use blastgraph_collector::aws::{collect_blocking, CollectOptions, Progress};
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let endpoint_url = args.next();
    let regions: Vec<String> = args.collect();
    let options = CollectOptions {
        endpoint_url,
        region: Some("us-east-1".into()),
        regions: (!regions.is_empty()).then_some(regions),
        progress: Progress::Quiet,
        ..CollectOptions::default()
    };
    let started = Instant::now();
    match collect_blocking(&options) {
        Ok(collection) => {
            let snapshot = &collection.snapshot;
            let account = &snapshot.accounts[0];
            println!(
                "collected {} roles, {} resources, {} instances, {} documents in {:.2} s with {} API requests; {} gaps",
                account.iam.roles.len(),
                account.resources.len(),
                account.compute.ec2_instances.len(),
                snapshot.documents.len(),
                started.elapsed().as_secs_f64(),
                collection.api_calls,
                snapshot.meta.gaps().count()
            );
        }
        Err(error) => {
            eprintln!("collect: {error}");
            std::process::exit(3);
        }
    }
}
