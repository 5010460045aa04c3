//! Policy engine benchmarks:
//!
//! * `policy/evaluate`: decisions per second on compiled policies of realistic size
//!   (3 identity policies, 16 statements with wildcards, NotAction and a few conditions,
//!   a boundary, two SCP levels, a bucket policy) over a mix of 64 requests;
//! * `policy/explain`: the same with explanations;
//! * `policy/compile_managed`: parse + compile all 1,594 AWS managed policies;
//! * `policy/cases_2k`: 2,000 generated oracle-format cases end to end (parse, compile,
//!   evaluate), comparable with `node tests/oracle/simulate.mjs`.

use std::hint::black_box;

use blastgraph_benches::policy_fixture::Workload;
use blastgraph_engine::policy::cases::run_cases;
use blastgraph_engine::policy::*;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use serde_json::Value;

fn bench_evaluate(c: &mut Criterion) {
    let w = Workload::new();
    let layers = w.layers();
    let (principal, strict, discovery, reqs) = (&w.principal, &w.strict, &w.discovery, &w.requests);
    let mut g = c.benchmark_group("policy");
    g.throughput(Throughput::Elements(reqs.len() as u64));
    for (name, ctx) in [
        ("evaluate_strict", &strict),
        ("evaluate_discovery", &discovery),
    ] {
        g.bench_function(name, |b| {
            b.iter(|| {
                for (action, resource) in reqs {
                    let req = Request {
                        principal,
                        action,
                        resource,
                        resource_account: Some("111111111111"),
                        context: ctx,
                    };
                    black_box(evaluate(&layers, &req));
                }
            })
        });
    }
    g.bench_function("explain_strict", |b| {
        b.iter(|| {
            for (action, resource) in reqs {
                let req = Request {
                    principal,
                    action,
                    resource,
                    resource_account: Some("111111111111"),
                    context: strict,
                };
                black_box(explain(&layers, &req));
            }
        })
    });
    g.finish();
}

fn managed_policies() -> Vec<(String, Value)> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../datasets/aws-managed-policies/aws-managed-policies.json"
    );
    let text =
        std::fs::read_to_string(path).expect("datasets/aws-managed-policies is in the repository");
    let v: Value = serde_json::from_str(&text).expect("JSON");
    v["policies"]
        .as_array()
        .expect("policies array")
        .iter()
        .map(|p| {
            (
                p["PolicyName"].as_str().unwrap_or("").to_owned(),
                serde_json::to_string(&p["Document"]).unwrap_or_default(),
            )
        })
        .map(|(n, d)| (n, Value::String(d)))
        .collect()
}

fn bench_compile(c: &mut Criterion) {
    catalog();
    let docs = managed_policies();
    let mut g = c.benchmark_group("policy");
    g.sample_size(10);
    g.throughput(Throughput::Elements(docs.len() as u64));
    g.bench_function("compile_managed", |b| {
        b.iter(|| {
            for (name, doc) in &docs {
                let text = doc.as_str().unwrap_or("");
                black_box(
                    CompiledPolicy::from_text(name, text, PolicyKind::Identity)
                        .expect("AWS managed policies parse"),
                );
            }
        })
    });
    let cases = Value::Array(blastgraph_tests::policy_gen::generate(20_261_127, 2_000));
    g.throughput(Throughput::Elements(2_000));
    g.bench_function("cases_2k", |b| {
        b.iter(|| black_box(run_cases(&cases, Mode::Strict).expect("cases")))
    });
    g.finish();
}

criterion_group!(benches, bench_evaluate, bench_compile);
criterion_main!(benches);
