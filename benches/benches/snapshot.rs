//! Loading a snapshot: decoding (and validating) a 10,000-role organization, the work
//! `blastgraph` does before every query.
//!
//! The organization is generated here with a deliberately small generator (10 accounts
//! of 1,000 roles sharing a few policies, as real accounts do); the full synthetic
//! generator lives in the engine. Run: `cargo bench -p blastgraph-benches --bench snapshot`.

use blastgraph_engine::snapshot::{
    format, Account, DocId, InlinePolicy, InstanceProfile, ManagedPolicy, Role, Snapshot,
};
use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;

const ACCOUNTS: usize = 10;
const ROLES_PER_ACCOUNT: usize = 1_000;

/// Trust policies for the services roles are usually made for.
const TRUSTED_SERVICES: [&str; 4] = [
    "ec2.amazonaws.com",
    "ecs-tasks.amazonaws.com",
    "lambda.amazonaws.com",
    "eks.amazonaws.com",
];

fn trust_policies(snapshot: &mut Snapshot) -> Vec<DocId> {
    TRUSTED_SERVICES
        .iter()
        .map(|service| {
            let text = format!(
                r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Service":"{service}"}},"Action":"sts:AssumeRole"}}]}}"#
            );
            snapshot.documents.intern_text(&text).expect("valid JSON")
        })
        .collect()
}

/// 20 inline policies, each used by many roles.
fn inline_policies(snapshot: &mut Snapshot) -> Vec<DocId> {
    (0..20)
        .map(|i| {
            let text = format!(
                r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject","s3:ListBucket"],"Resource":["arn:aws:s3:::app-{i}","arn:aws:s3:::app-{i}/*"]}},{{"Effect":"Allow","Action":["secretsmanager:GetSecretValue"],"Resource":"arn:aws:secretsmanager:*:*:secret:app-{i}/*"}},{{"Effect":"Allow","Action":"sqs:*","Resource":"arn:aws:sqs:*:*:app-{i}-*","Condition":{{"StringEquals":{{"aws:ResourceTag/app":"app-{i}"}}}}}}]}}"#
            );
            snapshot.documents.intern_text(&text).expect("valid JSON")
        })
        .collect()
}

/// A tiny deterministic generator (xorshift64*), so names and ids are as incompressible
/// as real ones (IAM unique ids are random) without a dependency.
struct Noise(u64);

impl Noise {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// `len` characters of IAM's unique-id alphabet (upper case and digits).
    fn id(&mut self, len: usize) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        (0..len)
            .map(|_| ALPHABET[(self.next() % 32) as usize] as char)
            .collect()
    }
}

/// 10 accounts x 1,000 roles: each role has a random unique id and name suffix, one of
/// 4 trust policies, one of 20 inline policies, two of 5 customer managed policies (the
/// same 5 documents in every account), two tags and a last-used time; every third role
/// has an instance profile.
fn generate() -> Snapshot {
    let mut noise = Noise(0x9E37_79B9_7F4A_7C15);
    let mut snapshot = Snapshot::default();
    let trusts = trust_policies(&mut snapshot);
    let inlines = inline_policies(&mut snapshot);
    let managed_docs: Vec<DocId> = (0..5)
        .map(|i| {
            snapshot
                .documents
                .intern_text(&format!(
                    r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":["logs:CreateLogStream","logs:PutLogEvents","cloudwatch:PutMetricData"],"Resource":"*","Condition":{{"StringEquals":{{"aws:RequestedRegion":"eu-west-{i}"}}}}}}]}}"#
                ))
                .expect("valid JSON")
        })
        .collect();
    for a in 0..ACCOUNTS {
        let id = format!("{}", 100_000_000_000u64 + a as u64);
        let mut account = Account {
            id: id.clone(),
            ..Account::default()
        };
        let iam = &mut account.iam;
        for (i, &document) in managed_docs.iter().enumerate() {
            iam.managed_policies.push(ManagedPolicy {
                arn: format!("arn:aws:iam::{id}:policy/shared-{i}"),
                name: format!("shared-{i}"),
                path: "/".into(),
                default_version_id: Some("v1".into()),
                document,
                other_versions: Vec::new(),
                attachment_count: Some(400),
            });
        }
        for r in 0..ROLES_PER_ACCOUNT {
            let name = format!("service-{}-{}", noise.id(6).to_lowercase(), r);
            let arn = format!("arn:aws:iam::{id}:role/{name}");
            if r % 3 == 0 {
                iam.instance_profiles.push(InstanceProfile {
                    arn: format!("arn:aws:iam::{id}:instance-profile/{name}"),
                    name: name.clone(),
                    path: "/".into(),
                    roles: vec![arn.clone()],
                });
            }
            iam.roles.push(Role {
                arn,
                name,
                id: format!("AROA{}", noise.id(17)),
                path: "/".into(),
                trust_policy: trusts[r % trusts.len()],
                attached_policies: vec![
                    format!("arn:aws:iam::{id}:policy/shared-{}", r % 5),
                    format!("arn:aws:iam::{id}:policy/shared-{}", (r + 1) % 5),
                ],
                inline_policies: vec![InlinePolicy {
                    name: "app".into(),
                    document: inlines[r % inlines.len()],
                }],
                permissions_boundary: None,
                tags: [
                    ("team".to_string(), format!("team-{}", r % 17)),
                    ("env".to_string(), "prod".to_string()),
                ]
                .into_iter()
                .collect(),
                last_used: Some(format!(
                    "2026-{:02}-{:02}T{:02}:{:02}:{:02}Z",
                    1 + noise.next() % 12,
                    1 + noise.next() % 28,
                    noise.next() % 24,
                    noise.next() % 60,
                    noise.next() % 60
                )),
            });
        }
        snapshot.accounts.push(account);
    }
    snapshot
}

fn load(c: &mut Criterion) {
    let snapshot = generate();
    let roles = ACCOUNTS * ROLES_PER_ACCOUNT;
    let bytes = format::encode(&snapshot);
    assert_eq!(format::decode(&bytes).expect("round trip"), snapshot);
    assert!(snapshot.validate().is_empty());
    println!(
        "snapshot of {roles} roles: {} bytes on disk, {:.1} bytes per role",
        bytes.len(),
        bytes.len() as f64 / roles as f64
    );
    let mut group = c.benchmark_group("snapshot_10k_roles");
    group.bench_function("decode", |b| {
        b.iter(|| format::decode(black_box(&bytes)).expect("decodes"))
    });
    group.bench_function("decode_and_validate", |b| {
        b.iter(|| {
            let snapshot = format::decode(black_box(&bytes)).expect("decodes");
            assert!(snapshot.validate().is_empty());
            snapshot
        })
    });
    group.bench_function("encode", |b| {
        b.iter(|| format::encode(black_box(&snapshot)))
    });
    group.finish();
}

criterion_group!(benches, load);
criterion_main!(benches);
