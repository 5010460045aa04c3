//! A seeded generator of random but realistic policy cases in the oracle case format
//! (`tests/oracle/simulate.mjs`), for the differential test against the oracle and for
//! benchmarks.
//!
//! Cases stay inside what the oracle models faithfully (see `tests/oracle/README`-style
//! notes in `docs/policy-divergences.md`): only actions and resources valid in the
//! catalogue, every context key a policy reads is supplied or deliberately absent, no
//! root user, no service-linked roles with SCPs, RCPs only for services that support
//! them, no `NotPrincipal`, no policy variables in pre-2012 documents.

use blastgraph_engine::policy::catalog;
use serde_json::{json, Value};

/// A small deterministic PRNG (SplitMix64): no dependency, identical on every platform.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        ((self.next_u64() >> 11) as f64 / (1u64 << 53) as f64) < p
    }

    /// A random static string.
    pub fn pick_str(&mut self, xs: &[&'static str]) -> &'static str {
        xs[self.below(xs.len())]
    }

    /// A random element.
    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

const A: &str = "111111111111";
const B: &str = "222222222222";

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Target {
    S3Object,
    S3Bucket,
    Star,
    Sqs,
    Secret,
    Kms,
    Trust,
    Iam,
    Ec2,
    Dynamo,
    Lambda,
}

const TARGETS: &[Target] = &[
    Target::S3Object,
    Target::S3Object,
    Target::S3Bucket,
    Target::Star,
    Target::Sqs,
    Target::Secret,
    Target::Kms,
    Target::Trust,
    Target::Iam,
    Target::Ec2,
    Target::Dynamo,
    Target::Lambda,
];

impl Target {
    fn actions(self) -> &'static [&'static str] {
        match self {
            Target::S3Object => &[
                "s3:GetObject",
                "s3:PutObject",
                "s3:DeleteObject",
                "s3:GetObjectTagging",
            ],
            Target::S3Bucket => &["s3:ListBucket", "s3:GetBucketPolicy", "s3:DeleteBucket"],
            Target::Star => &[
                "s3:ListAllMyBuckets",
                "ec2:DescribeInstances",
                "iam:ListRoles",
                "sqs:ListQueues",
            ],
            Target::Sqs => &["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage"],
            Target::Secret => &[
                "secretsmanager:GetSecretValue",
                "secretsmanager:DescribeSecret",
                "secretsmanager:PutSecretValue",
            ],
            Target::Kms => &[
                "kms:Decrypt",
                "kms:Encrypt",
                "kms:GenerateDataKey",
                "kms:DescribeKey",
            ],
            Target::Trust => &["sts:AssumeRole"],
            Target::Iam => &[
                "iam:GetRole",
                "iam:PassRole",
                "iam:DeleteRole",
                "iam:UpdateAssumeRolePolicy",
            ],
            Target::Ec2 => &[
                "ec2:TerminateInstances",
                "ec2:StartInstances",
                "ec2:StopInstances",
            ],
            Target::Dynamo => &["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"],
            Target::Lambda => &["lambda:InvokeFunction", "lambda:GetFunction"],
        }
    }

    fn resource(self, rng: &mut Rng, acct: &str) -> String {
        match self {
            Target::S3Object => {
                let bucket = rng.pick(&["data", "logs-2024", "shared"]);
                let key = rng.pick(&["k", "a/b/c", "home/alice/f", "public/x", "home/bob/f"]);
                format!("arn:aws:s3:::{bucket}/{key}")
            }
            Target::S3Bucket => format!(
                "arn:aws:s3:::{}",
                rng.pick(&["data", "logs-2024", "shared"])
            ),
            Target::Star => "*".into(),
            Target::Sqs => format!(
                "arn:aws:sqs:us-east-1:{acct}:{}",
                rng.pick(&["jobs", "events"])
            ),
            Target::Secret => format!(
                "arn:aws:secretsmanager:us-east-1:{acct}:secret:{}-AbCdEf",
                rng.pick(&["db", "api"])
            ),
            Target::Kms => {
                format!("arn:aws:kms:us-east-1:{acct}:key/1234abcd-12ab-34cd-56ef-1234567890ab")
            }
            Target::Trust => format!(
                "arn:aws:iam::{acct}:role/{}",
                rng.pick(&["deploy", "target"])
            ),
            Target::Iam => format!(
                "arn:aws:iam::{acct}:role/{}",
                rng.pick(&["deploy", "admin"])
            ),
            Target::Ec2 => format!(
                "arn:aws:ec2:us-east-1:{acct}:instance/i-0abc{}",
                rng.below(3)
            ),
            Target::Dynamo => format!(
                "arn:aws:dynamodb:us-east-1:{acct}:table/{}",
                rng.pick(&["orders", "users"])
            ),
            Target::Lambda => format!(
                "arn:aws:lambda:us-east-1:{acct}:function:{}",
                rng.pick(&["fn", "worker"])
            ),
        }
    }

    fn has_resource_policy(self) -> bool {
        matches!(
            self,
            Target::S3Object
                | Target::S3Bucket
                | Target::Sqs
                | Target::Secret
                | Target::Kms
                | Target::Trust
                | Target::Lambda
        )
    }

    fn rcp_service(self) -> bool {
        matches!(
            self,
            Target::S3Object
                | Target::S3Bucket
                | Target::Sqs
                | Target::Secret
                | Target::Kms
                | Target::Trust
        )
    }
}

#[derive(Clone, Debug)]
enum Caller {
    User {
        acct: &'static str,
        name: &'static str,
    },
    Session {
        acct: &'static str,
        role: &'static str,
    },
    Role {
        acct: &'static str,
        role: &'static str,
    },
    Service(&'static str),
    Anonymous,
}

impl Caller {
    fn arn(&self) -> String {
        match self {
            Caller::User { acct, name } => format!("arn:aws:iam::{acct}:user/{name}"),
            Caller::Session { acct, role } => format!("arn:aws:sts::{acct}:assumed-role/{role}/s1"),
            Caller::Role { acct, role } => format!("arn:aws:iam::{acct}:role/{role}"),
            Caller::Service(s) => (*s).to_owned(),
            Caller::Anonymous => "anonymous".into(),
        }
    }

    fn account(&self) -> Option<&'static str> {
        match self {
            Caller::User { acct, .. }
            | Caller::Session { acct, .. }
            | Caller::Role { acct, .. } => Some(acct),
            _ => None,
        }
    }

    /// The ARN `aws:PrincipalArn` carries (a session's role ARN).
    fn principal_arn_key(&self) -> Option<String> {
        match self {
            Caller::Session { acct, role } => Some(format!("arn:aws:iam::{acct}:role/{role}")),
            Caller::User { .. } | Caller::Role { .. } => Some(self.arn()),
            _ => None,
        }
    }

    fn is_iam(&self) -> bool {
        self.account().is_some()
    }
}

/// Generates `n` cases from `seed`. Case ids are `"{seed}-{i}"`.
pub fn generate(seed: u64, n: usize) -> Vec<Value> {
    let mut rng = Rng::new(seed);
    let mut out = Vec::with_capacity(n);
    let mut i = 0;
    while out.len() < n {
        if let Some(c) = generate_case(&mut rng, format!("{seed}-{i}")) {
            out.push(c);
        }
        i += 1;
    }
    out
}

struct Ctx {
    caller: Caller,
    target: Target,
    action: &'static str,
    resource: String,
    context: serde_json::Map<String, Value>,
}

fn generate_case(rng: &mut Rng, id: String) -> Option<Value> {
    let target = *rng.pick(TARGETS);
    let caller = match rng.below(20) {
        0..=6 => Caller::User {
            acct: if rng.chance(0.75) { A } else { B },
            name: rng.pick_str(&["alice", "bob"]),
        },
        7..=15 => Caller::Session {
            acct: if rng.chance(0.75) { A } else { B },
            role: rng.pick_str(&["dev", "app"]),
        },
        16..=17 => Caller::Role {
            acct: if rng.chance(0.75) { A } else { B },
            role: rng.pick_str(&["dev", "app"]),
        },
        18 if target.has_resource_policy() && target != Target::Trust => {
            Caller::Service("sns.amazonaws.com")
        }
        19 if matches!(target, Target::S3Object) => Caller::Anonymous,
        _ => Caller::User {
            acct: A,
            name: "alice",
        },
    };
    let action = *rng.pick(target.actions());
    let resource = target.resource(rng, A);
    // Only actions and resources the catalogue (and so the oracle) accepts.
    let cat = catalog();
    let id_of = cat.lookup(action)?;
    if resource != "*" && cat.resource_types_for(id_of, &resource).is_empty() {
        return None;
    }
    let mut cx = Ctx {
        caller,
        target,
        action,
        resource,
        context: serde_json::Map::new(),
    };
    let discovery = rng.chance(0.15);
    if !discovery {
        fill_context(rng, &mut cx);
    }

    let mut case = serde_json::Map::new();
    case.insert("id".into(), json!(id));
    case.insert("principal".into(), json!(cx.caller.arn()));
    case.insert("action".into(), json!(action));
    case.insert("resource".into(), json!(cx.resource));
    case.insert("resourceAccount".into(), json!(A));
    if discovery {
        // Discovery: keys absent from the context are unknown. The oracle's discovery
        // mode also treats known keys as hypothetical, so such cases carry no context.
        case.insert("mode".into(), json!("discovery"));
    }
    if cx.caller.is_iam() {
        let n = rng.below(4);
        let ids: Vec<Value> = (0..n).map(|_| policy(rng, &cx, Layer::Identity)).collect();
        case.insert("identityPolicies".into(), Value::Array(ids));
        if !matches!(cx.caller, Caller::Role { .. }) && rng.chance(0.15) {
            case.insert(
                "permissionBoundaries".into(),
                json!([policy(rng, &cx, Layer::Boundary)]),
            );
        }
        if matches!(cx.caller, Caller::Session { .. }) && rng.chance(0.15) {
            case.insert("sessionPolicy".into(), policy(rng, &cx, Layer::Session));
        }
        if rng.chance(0.3) {
            let levels = 1 + rng.below(3);
            let scps: Vec<Value> = (0..levels).map(|_| scp_level(rng, &cx)).collect();
            case.insert("scps".into(), Value::Array(scps));
        }
    }
    let need_rp = matches!(target, Target::Kms | Target::Trust);
    if target.has_resource_policy() && (need_rp || rng.chance(0.6)) {
        case.insert("resourcePolicy".into(), policy(rng, &cx, Layer::Resource));
    }
    if target.rcp_service() && rng.chance(0.2) {
        let levels = 1 + rng.below(2);
        let rcps: Vec<Value> = (0..levels)
            .map(|_| Value::Array((0..rng.below(2)).map(|_| rcp(rng, &cx)).collect()))
            .collect();
        case.insert("rcps".into(), Value::Array(rcps));
    }
    if !cx.context.is_empty() {
        case.insert("context".into(), Value::Object(cx.context));
    }
    Some(Value::Object(case))
}

/// Request-context keys and the values a case may give them.
fn fill_context(rng: &mut Rng, cx: &mut Ctx) {
    let mut put = |rng: &mut Rng, k: &str, v: Value| {
        if rng.chance(0.6) {
            cx.context.insert(k.to_owned(), v);
        }
    };
    let ip = json!(rng.pick(&["10.1.2.3", "192.168.1.10", "2001:db8::5"]));
    put(rng, "aws:SourceIp", ip);
    let team = json!(rng.pick(&["red", "blue"]));
    put(rng, "aws:PrincipalTag/team", team);
    let region = json!(rng.pick(&["us-east-1", "eu-west-1"]));
    put(rng, "aws:RequestedRegion", region);
    let tls = json!(rng.pick(&["true", "false"]));
    put(rng, "aws:SecureTransport", tls);
    let now = json!(rng.pick(&["2025-06-01T00:00:00Z", "2031-01-01T00:00:00Z"]));
    put(rng, "aws:CurrentTime", now);
    let age = json!(rng.pick(&["100", "7200"]));
    put(rng, "aws:MultiFactorAuthAge", age);
    let org = json!(rng.pick(&["o-abc", "o-zzz"]));
    put(rng, "aws:PrincipalOrgID", org);
    let paths = json!(rng.pick(&[
        vec!["o-abc/r-1/ou-1/"],
        vec!["o-zzz/r-9/"],
        vec!["o-abc/r-1/ou-1/", "o-abc/r-1/ou-2/"]
    ]));
    put(rng, "aws:PrincipalOrgPaths", paths);
    if let Some(arn) = cx.caller.principal_arn_key() {
        put(rng, "aws:PrincipalArn", json!(arn));
    }
    if let Some(acct) = cx.caller.account() {
        put(rng, "aws:PrincipalAccount", json!(acct));
    }
    if let Caller::User { name, .. } = cx.caller {
        put(rng, "aws:username", json!(name));
    }
    if matches!(cx.caller, Caller::Service(_)) {
        put(
            rng,
            "aws:SourceArn",
            json!("arn:aws:sns:us-east-1:111111111111:t"),
        );
        put(rng, "aws:SourceAccount", json!(A));
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Layer {
    Identity,
    Boundary,
    Session,
    Resource,
    Scp,
    Rcp,
}

fn policy(rng: &mut Rng, cx: &Ctx, layer: Layer) -> Value {
    let n = 1 + rng.below(3);
    let statements: Vec<Value> = (0..n).map(|_| statement(rng, cx, layer)).collect();
    let doc = json!({"Version": "2012-10-17", "Statement": statements});
    if rng.chance(0.05) {
        // As GetAccountAuthorizationDetails returns documents.
        return json!(percent_encode(&doc.to_string()));
    }
    doc
}

fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~*".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn statement(rng: &mut Rng, cx: &Ctx, layer: Layer) -> Value {
    let mut s = serde_json::Map::new();
    let deny = match layer {
        Layer::Rcp => true,
        Layer::Session | Layer::Boundary => rng.chance(0.1),
        _ => rng.chance(0.2),
    };
    if rng.chance(0.2) {
        s.insert("Sid".into(), json!(format!("S{}", rng.below(100))));
    }
    s.insert("Effect".into(), json!(if deny { "Deny" } else { "Allow" }));
    if layer == Layer::Resource || layer == Layer::Rcp {
        s.insert("Principal".into(), principal(rng, cx, layer));
    }
    let actions = action_patterns(rng, cx, layer);
    if layer != Layer::Rcp && rng.chance(0.1) {
        s.insert("NotAction".into(), actions);
    } else {
        s.insert("Action".into(), actions);
    }
    if !(layer == Layer::Resource && cx.target == Target::Trust) {
        let res = resource_patterns(rng, cx, layer);
        if layer != Layer::Rcp && rng.chance(0.08) {
            s.insert("NotResource".into(), res);
        } else {
            s.insert("Resource".into(), res);
        }
    }
    if rng.chance(if layer == Layer::Rcp { 0.7 } else { 0.25 }) {
        s.insert("Condition".into(), condition(rng, cx));
    }
    Value::Object(s)
}

fn one_or_many(rng: &mut Rng, items: Vec<String>) -> Value {
    if items.len() == 1 && rng.chance(0.5) {
        json!(items[0])
    } else {
        json!(items)
    }
}

fn action_patterns(rng: &mut Rng, cx: &Ctx, layer: Layer) -> Value {
    let n = 1 + rng.below(3);
    let items = (0..n).map(|_| action_pattern(rng, cx, layer)).collect();
    one_or_many(rng, items)
}

fn action_pattern(rng: &mut Rng, cx: &Ctx, layer: Layer) -> String {
    let (svc, name) = cx.action.split_once(':').unwrap_or(("s3", "GetObject"));
    let choice = rng.below(if layer == Layer::Rcp { 8 } else { 10 });
    match choice {
        0 | 1 => cx.action.to_owned(),
        2 => format!("{svc}:*"),
        3 => {
            let cut = 1 + rng.below(name.len().saturating_sub(1).max(1));
            format!("{svc}:{}*", &name[..cut.min(name.len())])
        }
        4 => {
            let cut = rng.below(name.len());
            format!("{svc}:*{}", &name[cut..])
        }
        5 => {
            let pos = rng.below(name.len());
            let mut n: Vec<char> = name.chars().collect();
            n[pos] = '?';
            format!("{svc}:{}", n.into_iter().collect::<String>())
        }
        6 => {
            // Case does not matter in action names.
            let mangled: String = cx
                .action
                .chars()
                .map(|c| {
                    if rng.chance(0.5) {
                        c.to_ascii_uppercase()
                    } else {
                        c.to_ascii_lowercase()
                    }
                })
                .collect();
            mangled
        }
        7 => (*rng.pick(cx.target.actions())).to_owned(),
        8 => "*".to_owned(),
        _ => {
            let other = *rng.pick(TARGETS);
            (*rng.pick(other.actions())).to_owned()
        }
    }
}

fn resource_patterns(rng: &mut Rng, cx: &Ctx, layer: Layer) -> Value {
    if layer == Layer::Rcp || layer == Layer::Scp {
        return json!("*");
    }
    let n = 1 + rng.below(2);
    let items = (0..n).map(|_| resource_pattern(rng, cx)).collect();
    one_or_many(rng, items)
}

fn resource_pattern(rng: &mut Rng, cx: &Ctx) -> String {
    let r = &cx.resource;
    if r == "*" || rng.chance(0.3) {
        return "*".into();
    }
    match rng.below(7) {
        0 | 1 => r.clone(),
        2 => {
            let cut = 12 + rng.below(r.len().saturating_sub(12).max(1));
            format!("{}*", &r[..cut.min(r.len())])
        }
        3 => {
            let pos = 12 + rng.below(r.len().saturating_sub(12).max(1));
            let mut c: Vec<char> = r.chars().collect();
            if pos < c.len() {
                c[pos] = '?';
            }
            c.into_iter().collect()
        }
        4 if cx.target == Target::S3Object => "arn:aws:s3:::data/home/${aws:username}/*".into(),
        4 => r.to_uppercase(),
        5 => {
            let acct = if rng.chance(0.5) { A } else { B };
            cx.target.resource(rng, acct)
        }
        _ => {
            let other = *rng.pick(TARGETS);
            other.resource(rng, A)
        }
    }
}

fn principal(rng: &mut Rng, cx: &Ctx, layer: Layer) -> Value {
    if layer == Layer::Rcp {
        return json!("*");
    }
    let acct = cx.caller.account().unwrap_or(A);
    match rng.below(10) {
        0 => json!("*"),
        1 => json!({"AWS": "*"}),
        2 => json!({"AWS": acct}),
        3 => json!({"AWS": format!("arn:aws:iam::{acct}:root")}),
        4 | 5 => match &cx.caller {
            Caller::Session { acct, role } if rng.chance(0.5) => {
                json!({"AWS": format!("arn:aws:iam::{acct}:role/{role}")})
            }
            Caller::Service(s) => json!({"Service": s}),
            Caller::Anonymous => json!("*"),
            c => json!({"AWS": c.arn()}),
        },
        6 => {
            let listed: Vec<String> = [format!("arn:aws:iam::{B}:role/other"), cx.caller.arn()]
                .into_iter()
                .filter(|a| a.starts_with("arn:"))
                .collect();
            json!({ "AWS": listed })
        }
        7 => json!({"Service": "sns.amazonaws.com"}),
        8 => json!({"AWS": if acct == A { B } else { A }}),
        _ => json!({"AWS": format!("arn:aws:iam::{A}:user/carol")}),
    }
}

fn condition(rng: &mut Rng, cx: &Ctx) -> Value {
    let mut block = serde_json::Map::new();
    for _ in 0..1 + rng.below(2) {
        let (op, key, vals) = condition_entry(rng, cx);
        let entry = block.entry(op.to_owned()).or_insert_with(|| json!({}));
        if let Some(m) = entry.as_object_mut() {
            m.insert(key.to_owned(), vals);
        }
    }
    Value::Object(block)
}

fn condition_entry(rng: &mut Rng, cx: &Ctx) -> (&'static str, &'static str, Value) {
    let acct = cx.caller.account().unwrap_or(A);
    match rng.below(13) {
        0 => (
            *rng.pick(&["IpAddress", "NotIpAddress", "IpAddressIfExists"]),
            "aws:SourceIp",
            json!(rng.pick(&[vec!["10.0.0.0/8"], vec!["192.168.0.0/16", "2001:db8::/32"]])),
        ),
        1 => (
            *rng.pick(&[
                "StringEquals",
                "StringNotEquals",
                "StringEqualsIfExists",
                "StringEqualsIgnoreCase",
            ]),
            "aws:PrincipalTag/team",
            json!(rng.pick(&["red", "RED", "blue"])),
        ),
        2 => (
            *rng.pick(&["StringLike", "StringNotLike"]),
            "aws:PrincipalTag/team",
            json!(rng.pick(&["r*", "b?ue", "*"])),
        ),
        3 => (
            "Null",
            *rng.pick(&["aws:PrincipalTag/team", "aws:SourceIp"]),
            json!(rng.pick(&["true", "false"])),
        ),
        4 => (
            *rng.pick(&["StringEquals", "StringNotEquals"]),
            "aws:RequestedRegion",
            json!(rng.pick(&["us-east-1", "eu-west-1"])),
        ),
        5 => (
            *rng.pick(&["Bool", "BoolIfExists"]),
            "aws:SecureTransport",
            json!(rng.pick(&["true", "false"])),
        ),
        6 => (
            *rng.pick(&["DateLessThan", "DateGreaterThan"]),
            "aws:CurrentTime",
            json!("2030-01-01T00:00:00Z"),
        ),
        7 => (
            *rng.pick(&["NumericLessThan", "NumericGreaterThanEquals"]),
            "aws:MultiFactorAuthAge",
            json!("3600"),
        ),
        8 => (
            *rng.pick(&["StringEquals", "StringNotEquals", "StringNotEqualsIfExists"]),
            "aws:PrincipalOrgID",
            json!("o-abc"),
        ),
        9 => (
            *rng.pick(&["ArnLike", "ArnNotLike", "ArnEquals", "StringLike"]),
            "aws:PrincipalArn",
            json!(rng.pick(&[
                "arn:aws:iam::*:role/dev*",
                "arn:aws:iam::111111111111:user/alice",
                "arn:aws:iam::*:*"
            ])),
        ),
        10 => (
            *rng.pick(&["StringEquals", "StringNotEquals"]),
            "aws:PrincipalAccount",
            json!(acct),
        ),
        11 => (
            *rng.pick(&["ForAnyValue:StringLike", "ForAllValues:StringLike"]),
            "aws:PrincipalOrgPaths",
            json!(["o-abc/*"]),
        ),
        _ => (
            "StringEquals",
            "aws:username",
            json!(rng.pick(&["alice", "${aws:username}"])),
        ),
    }
}

fn scp_level(rng: &mut Rng, cx: &Ctx) -> Value {
    let full = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]});
    let mut level = Vec::new();
    if rng.chance(0.8) {
        level.push(full);
    } else {
        level.push(policy(rng, cx, Layer::Scp));
    }
    if rng.chance(0.3) {
        let deny = json!({"Version": "2012-10-17", "Statement": [{
            "Effect": "Deny", "Action": action_pattern(rng, cx, Layer::Scp), "Resource": "*"}]});
        level.push(deny);
    }
    Value::Array(level)
}

fn rcp(rng: &mut Rng, cx: &Ctx) -> Value {
    let (svc, _) = cx.action.split_once(':').unwrap_or(("s3", ""));
    let action = if rng.chance(0.5) {
        format!("{svc}:*")
    } else {
        cx.action.to_owned()
    };
    let mut st = json!({"Effect": "Deny", "Principal": "*", "Action": action, "Resource": "*"});
    if rng.chance(0.8) {
        st["Condition"] = condition(rng, cx);
    }
    json!({"Version": "2012-10-17", "Statement": [st]})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_valid() {
        let a = generate(7, 200);
        assert_eq!(a, generate(7, 200));
        assert_ne!(a, generate(8, 200));
        let results = blastgraph_engine::policy::cases::run_cases(
            &Value::Array(a),
            blastgraph_engine::policy::Mode::Strict,
        )
        .unwrap();
        let errors: Vec<_> = results.iter().filter(|r| r.decision == "error").collect();
        assert!(
            errors.is_empty(),
            "generator produced invalid cases: {errors:?}"
        );
        let allows = results.iter().filter(|r| r.decision == "allow").count();
        assert!(
            allows > 20 && allows < 180,
            "allow count {allows} of 200 is not a useful mix"
        );
    }
}
