//! CPU-time (not wall-time) measurements of the policy engine, for a machine shared with
//! other work: `cargo run --release -p blastgraph-benches --example policy_cpu`.

use blastgraph_engine::policy::*;
use serde_json::Value;
use std::time::Instant;

/// User + system CPU seconds of this process (from /proc/self/stat, 100 Hz ticks).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks: f64 = f.get(11).and_then(|u| u.parse::<f64>().ok()).unwrap_or(0.0)
        + f.get(12).and_then(|s| s.parse::<f64>().ok()).unwrap_or(0.0);
    ticks / 100.0
}

fn measure(name: &str, units: usize, mut f: impl FnMut()) {
    let (c0, w0) = (cpu_seconds(), Instant::now());
    let mut rounds = 0usize;
    // Reading /proc costs microseconds: check the clock every `batch` rounds only.
    let mut batch = 1usize;
    while cpu_seconds() - c0 < 3.0 {
        let t = Instant::now();
        for _ in 0..batch {
            f();
        }
        rounds += batch;
        if t.elapsed().as_millis() < 20 {
            batch *= 2;
        }
    }
    let cpu = cpu_seconds() - c0;
    let wall = w0.elapsed().as_secs_f64();
    println!(
        "{name}: {:.3} ms CPU per round ({:.0} units/s of CPU), {rounds} rounds, wall {wall:.1}s",
        cpu * 1000.0 / rounds as f64,
        (units * rounds) as f64 / cpu
    );
}

fn main() {
    let t = Instant::now();
    let c0 = cpu_seconds();
    catalog();
    println!(
        "catalogue load: {:.0} ms CPU ({:.0} ms wall)",
        (cpu_seconds() - c0) * 1000.0,
        t.elapsed().as_secs_f64() * 1000.0
    );
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../datasets/aws-managed-policies/aws-managed-policies.json"
    );
    let v: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("dataset")).expect("json");
    let docs: Vec<String> = v["policies"]
        .as_array()
        .expect("array")
        .iter()
        .map(|p| p["Document"].to_string())
        .collect();
    measure("parse managed (1,594)", docs.len(), || {
        for d in &docs {
            std::hint::black_box(parse_policy(d, PolicyKind::Identity).expect("parses"));
        }
    });
    measure("parse+compile managed (1,594)", docs.len(), || {
        for d in &docs {
            std::hint::black_box(
                CompiledPolicy::from_text("m", d, PolicyKind::Identity).expect("parses"),
            );
        }
    });
    let w = blastgraph_benches::policy_fixture::Workload::new();
    let layers = w.layers();
    for (name, ctx) in [
        ("evaluate strict (64 requests)", &w.strict),
        ("evaluate discovery (64 requests)", &w.discovery),
    ] {
        measure(name, w.requests.len(), || {
            for (action, resource) in &w.requests {
                let req = Request {
                    principal: &w.principal,
                    action,
                    resource,
                    resource_account: Some("111111111111"),
                    context: ctx,
                };
                std::hint::black_box(evaluate(&layers, &req));
            }
        });
    }
    let cases = Value::Array(blastgraph_tests::policy_gen::generate(20_261_127, 2_000));
    measure("oracle-format cases (2,000)", 2_000, || {
        std::hint::black_box(cases::run_cases(&cases, Mode::Strict).expect("cases"));
    });
}
