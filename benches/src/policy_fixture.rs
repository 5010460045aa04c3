//! A realistic policy workload for the policy benchmarks: 3 identity policies (16
//! statements with wildcards, NotAction, a policy variable and a few conditions), a
//! permissions boundary, two SCP levels and a bucket policy; 64 requests.

use blastgraph_engine::policy::*;
use serde_json::{json, Value};

/// The identity policy documents.
pub fn identity_policies() -> Vec<Value> {
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

/// 64 requests (action, resource).
pub fn requests() -> Vec<(Action, String)> {
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

/// The compiled policies of the workload.
pub struct Workload {
    identity: Vec<CompiledPolicy>,
    boundary: CompiledPolicy,
    scp_root: CompiledPolicy,
    scp_ou: CompiledPolicy,
    bucket: CompiledPolicy,
    /// The caller.
    pub principal: Principal,
    /// A strict context with the keys the policies read.
    pub strict: Context,
    /// A discovery context knowing nothing.
    pub discovery: Context,
    /// The requests.
    pub requests: Vec<(Action, String)>,
}

impl Workload {
    /// Compiles the workload.
    pub fn new() -> Workload {
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
        let principal = Principal::parse("arn:aws:sts::111111111111:assumed-role/app/session");
        let mut strict = Context::new(Mode::Strict);
        strict
            .set("aws:username", "alice")
            .set("aws:PrincipalTag/team", "payments")
            .set("aws:SecureTransport", "true")
            .set("aws:RequestedRegion", "us-east-1");
        let discovery = Context::new(Mode::Discovery);
        Workload {
            identity,
            boundary,
            scp_root,
            scp_ou,
            bucket,
            principal,
            strict,
            discovery,
            requests: requests(),
        }
    }

    /// The layers.
    pub fn layers(&self) -> Layers<'_> {
        Layers {
            identity: self.identity.iter().collect(),
            boundary: vec![&self.boundary],
            scp_levels: vec![vec![&self.scp_root], vec![&self.scp_ou]],
            resource: Some(&self.bucket),
            ..Layers::default()
        }
    }
}

impl Default for Workload {
    fn default() -> Self {
        Self::new()
    }
}
