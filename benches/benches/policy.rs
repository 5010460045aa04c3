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

use blastgraph_engine::policy::cases::run_cases;
use blastgraph_engine::policy::*;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use serde_json::{json, Value};

fn identity_policies() -> Vec<Value> {
    vec![
        json!({"Version": "2012-10-17", "Statement": [
            {"Sid": "ReadData", "Effect": "Allow", "Action": ["s3:Get*", "s3:List*"], "Resource": ["arn:aws:s3:::data-*", "arn:aws:s3:::data-*/*"]},
            {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::uploads/${aws:username}/*"},
            {"Effect": "Allow", "Action": ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage"], "Resource": "arn:aws:sqs:*:111111111111:jobs-*"},
            {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "arn:aws:secretsmanager:us-east-1:111111111111:secret:app/*",
             "Condition": {"StringEquals": {"aws:PrincipalTag/team": "payments"}}},
            {"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"},
            {"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem"], "Resource": "arn:aws:dynamodb:us-east-1:111111111111:table/orders*"}
        ]}),
        json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["ec2:Describe*", "cloudwatch:Get*", "logs:*"], "Resource": "*"},
            {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "arn:aws:kms:us-east-1:111111111111:key/*",
             "Condition": {"StringLike": {"kms:ViaService": "secretsmanager.*.amazonaws.com"}}},
            {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::111111111111:role/app-*",
             "Condition": {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}},
            {"Effect": "Deny", "NotAction": ["iam:*", "sts:*", "s3:*", "sqs:*", "ec2:*", "kms:*", "logs:*", "dynamodb:*", "cloudwatch:*", "secretsmanager:*", "lambda:*"], "Resource": "*"},
            {"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": "arn:aws:lambda:us-east-1:111111111111:function:app-*"}
        ]}),
        json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
            {"Effect": "Allow", "Action": ["sts:AssumeRole"], "Resource": "arn:aws:iam::*:role/readonly-*"},
            {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::scratch/*", "Condition": {"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "172.16.0.0/12"]}}},
            {"Effect": "Deny", "Action": ["iam:Create*", "iam:Delete*", "iam:Put*", "iam:Attach*"], "Resource": "*"},
            {"Effect": "Allow", "Action": ["iam:Get*", "iam:List*"], "Resource": "*"}
        ]}),
    ]
}

fn requests() -> Vec<(Action, String)> {
    let pairs = [
        (
            "s3:GetObject",
            "arn:aws:s3:::data-lake/raw/2024/01/file.parquet",
        ),
        ("s3:PutObject", "arn:aws:s3:::uploads/alice/x"),
        ("s3:DeleteBucket", "arn:aws:s3:::data-lake"),
        ("s3:ListBucket", "arn:aws:s3:::data-lake"),
        (
            "sqs:SendMessage",
            "arn:aws:sqs:us-east-1:111111111111:jobs-high",
        ),
        (
            "secretsmanager:GetSecretValue",
            "arn:aws:secretsmanager:us-east-1:111111111111:secret:app/db-AbCdEf",
        ),
        (
            "kms:Decrypt",
            "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        ),
        ("iam:PassRole", "arn:aws:iam::111111111111:role/app-worker"),
        ("iam:CreateUser", "arn:aws:iam::111111111111:user/mallory"),
        ("iam:GetRole", "arn:aws:iam::111111111111:role/app-worker"),
        ("ec2:DescribeInstances", "*"),
        (
            "ec2:TerminateInstances",
            "arn:aws:ec2:us-east-1:111111111111:instance/i-0abc",
        ),
        (
            "dynamodb:Query",
            "arn:aws:dynamodb:us-east-1:111111111111:table/orders",
        ),
        (
            "lambda:InvokeFunction",
            "arn:aws:lambda:us-east-1:111111111111:function:app-api",
        ),
        (
            "sts:AssumeRole",
            "arn:aws:iam::222222222222:role/readonly-audit",
        ),
        (
            "rds:DeleteDBInstance",
            "arn:aws:rds:us-east-1:111111111111:db:prod",
        ),
    ];
    (0..64)
        .map(|i| {
            let (a, r) = pairs[i % pairs.len()];
            (Action::new(a), r.to_string())
        })
        .collect()
}

fn bench_evaluate(c: &mut Criterion) {
    let identity: Vec<CompiledPolicy> = identity_policies()
        .iter()
        .enumerate()
        .map(|(i, p)| {
            CompiledPolicy::from_value(&format!("id{i}"), p, PolicyKind::Identity).unwrap()
        })
        .collect();
    let boundary = CompiledPolicy::from_value(
        "pb",
        &json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "NotAction": ["iam:Create*", "organizations:*"], "Resource": "*"}]}),
        PolicyKind::Boundary,
    )
    .unwrap();
    let scp_root = CompiledPolicy::from_value("FullAWSAccess", &json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}), PolicyKind::Scp).unwrap();
    let scp_ou = CompiledPolicy::from_value("ou", &json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "Action": ["organizations:Leave*", "cloudtrail:Stop*", "cloudtrail:Delete*"], "Resource": "*"},
        {"Effect": "Deny", "NotAction": ["iam:*", "sts:*", "support:*"], "Resource": "*", "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}}}]}), PolicyKind::Scp).unwrap();
    let bucket = CompiledPolicy::from_value("bucket", &json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::data-lake/*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:role/etl"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data-lake/*"}]}), PolicyKind::Resource).unwrap();
    let layers = Layers {
        identity: identity.iter().collect(),
        boundary: vec![&boundary],
        scp_levels: vec![vec![&scp_root], vec![&scp_ou]],
        resource: Some(&bucket),
        ..Layers::default()
    };
    let principal = Principal::parse("arn:aws:sts::111111111111:assumed-role/app/session");
    let mut strict = Context::new(Mode::Strict);
    strict
        .set("aws:username", "alice")
        .set("aws:PrincipalTag/team", "payments")
        .set("aws:SecureTransport", "true")
        .set("aws:RequestedRegion", "us-east-1");
    let discovery = Context::new(Mode::Discovery);
    let reqs = requests();
    let mut g = c.benchmark_group("policy");
    g.throughput(Throughput::Elements(reqs.len() as u64));
    for (name, ctx) in [
        ("evaluate_strict", &strict),
        ("evaluate_discovery", &discovery),
    ] {
        g.bench_function(name, |b| {
            b.iter(|| {
                for (action, resource) in &reqs {
                    let req = Request {
                        principal: &principal,
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
            for (action, resource) in &reqs {
                let req = Request {
                    principal: &principal,
                    action,
                    resource,
                    resource_account: Some("111111111111"),
                    context: &strict,
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
