//! Snapshot encode and load (decode) for the selected profiles.

use blastgraph_benches::{input, profiles, snapshot_bytes};
use blastgraph_engine::snapshot::format;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;

fn encode_and_load(c: &mut Criterion) {
    let mut group = c.benchmark_group("snapshot");
    group.sample_size(10);
    for profile in profiles() {
        let input = input(profile);
        let bytes = snapshot_bytes(profile);
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_function(format!("load/{profile}"), |b| {
            // Dropping hundreds of thousands of strings is not part of loading.
            b.iter_with_large_drop(|| format::decode(black_box(&bytes)).expect("valid snapshot"))
        });
        group.bench_function(format!("validate/{profile}"), |b| {
            b.iter(|| black_box(input.snapshot.validate()))
        });
        group.bench_function(format!("encode/{profile}"), |b| {
            b.iter(|| black_box(format::encode(black_box(&input.snapshot))))
        });
    }
    group.finish();
}

criterion_group!(benches, encode_and_load);
criterion_main!(benches);
