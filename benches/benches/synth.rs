//! Generator throughput: a whole synthetic organization per iteration.

use blastgraph_benches::profiles;
use blastgraph_engine::synth::{self, Counts, Profile};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;

fn generate(c: &mut Criterion) {
    let mut group = c.benchmark_group("synth/generate");
    group.sample_size(10);
    let mut benched = vec![Profile::Small];
    benched.extend(profiles().into_iter().filter(|p| *p != Profile::Small));
    for profile in benched {
        let config = profile.config(blastgraph_benches::BENCH_SEED);
        let sample = synth::generate(&config).expect("profiles are valid");
        println!("input {profile}: {}", Counts::of(&sample.snapshot));
        drop(sample);
        group.throughput(Throughput::Elements(
            (config.accounts * config.roles_per_account) as u64,
        ));
        group.bench_function(profile.name(), |b| {
            b.iter(|| black_box(synth::generate(black_box(&config)).expect("valid")))
        });
    }
    group.finish();
}

criterion_group!(benches, generate);
criterion_main!(benches);
