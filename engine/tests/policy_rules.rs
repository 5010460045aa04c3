//! Decision rules, one table per AWS documentation page (title in each table's comment).
//! Cases use the oracle case format (`tests/oracle/simulate.mjs`) through
//! `policy::cases`, plus the typed API for what the format cannot express.

use blastgraph_engine::policy::cases::{explain_case, run_case};
use blastgraph_engine::policy::*;
use serde_json::{json, Value};

const ACCT: &str = "111111111111";
const OTHER: &str = "222222222222";

fn allow(action: &str, resource: &str) -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}]})
}

fn deny(action: &str, resource: &str) -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": action, "Resource": resource}]})
}

fn grant(principal: Value, effect: &str, action: &str) -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": effect, "Principal": principal, "Action": action, "Resource": "*"}]})
}

fn decide(case: Value) -> String {
    let r = run_case(&case, 0, Mode::Strict).expect("well-formed case");
    assert!(r.error.is_none(), "case refused: {:?} {case}", r.error);
    r.decision
}

/// Runs a table of (name, case, expected decision).
fn table(rows: Vec<(&str, Value, &str)>) {
    let failures: Vec<String> = rows
        .into_iter()
        .filter_map(|(name, case, want)| {
            let got = decide(case);
            (got != want).then(|| format!("{name}: expected {want}, got {got}"))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn base(principal: &str, action: &str, resource: &str) -> Value {
    json!({"id": "t", "principal": principal, "action": action, "resource": resource, "resourceAccount": ACCT})
}

fn with(mut case: Value, key: &str, v: Value) -> Value {
    case[key] = v;
    case
}

const USER: &str = "arn:aws:iam::111111111111:user/alice";
const SESSION: &str = "arn:aws:sts::111111111111:assumed-role/dev/s1";
const ROLE_DEV: &str = "arn:aws:iam::111111111111:role/dev";
const SECRET: &str = "arn:aws:secretsmanager:us-east-1:111111111111:secret:db-AbCdEf";
const KEY: &str = "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab";

// "Policy evaluation logic": an explicit deny in any policy type overrides allows.
#[test]
fn explicit_deny_in_every_layer_wins() {
    let b = with(
        base(SESSION, "s3:GetObject", "arn:aws:s3:::b/k"),
        "identityPolicies",
        json!([allow("*", "*")]),
    );
    table(vec![
        ("no deny", b.clone(), "allow"),
        (
            "identity deny",
            with(
                b.clone(),
                "identityPolicies",
                json!([allow("*", "*"), deny("s3:*", "*")]),
            ),
            "explicit_deny",
        ),
        (
            "boundary deny",
            with(
                b.clone(),
                "permissionBoundaries",
                json!([{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"s3:GetObject","Resource":"*"}]}]),
            ),
            "explicit_deny",
        ),
        (
            "session deny",
            with(
                b.clone(),
                "sessionPolicy",
                json!({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"s3:Get*","Resource":"*"}]}),
            ),
            "explicit_deny",
        ),
        (
            "scp deny",
            with(
                b.clone(),
                "scps",
                json!([[allow("*", "*"), deny("s3:GetObject", "*")]]),
            ),
            "explicit_deny",
        ),
        (
            "rcp deny",
            with(
                b.clone(),
                "rcps",
                json!([[grant(json!("*"), "Deny", "s3:GetObject")]]),
            ),
            "explicit_deny",
        ),
        (
            "resource deny",
            with(
                b.clone(),
                "resourcePolicy",
                grant(json!("*"), "Deny", "s3:*"),
            ),
            "explicit_deny",
        ),
    ]);
}

// "Cross-account policy evaluation logic".
#[test]
fn cross_account_needs_both_sides() {
    let p = "arn:aws:iam::222222222222:role/etl";
    let b = base(p, "sqs:SendMessage", "arn:aws:sqs:us-east-1:111111111111:q");
    let idp = json!([allow("sqs:SendMessage", "*")]);
    table(vec![
        (
            "identity only",
            with(b.clone(), "identityPolicies", idp.clone()),
            "implicit_deny",
        ),
        (
            "resource only",
            with(
                b.clone(),
                "resourcePolicy",
                grant(json!({"AWS": p}), "Allow", "sqs:*"),
            ),
            "implicit_deny",
        ),
        (
            "both, role named",
            with(
                with(b.clone(), "identityPolicies", idp.clone()),
                "resourcePolicy",
                grant(json!({"AWS": p}), "Allow", "sqs:*"),
            ),
            "allow",
        ),
        (
            "both, account named",
            with(
                with(b.clone(), "identityPolicies", idp.clone()),
                "resourcePolicy",
                grant(json!({"AWS": OTHER}), "Allow", "sqs:*"),
            ),
            "allow",
        ),
        (
            "both, other account named",
            with(
                with(b.clone(), "identityPolicies", idp),
                "resourcePolicy",
                grant(json!({"AWS": ACCT}), "Allow", "sqs:*"),
            ),
            "implicit_deny",
        ),
    ]);
}

// "Service control policies": every OU level must allow; SCPs do not grant; they do not
// apply to service-linked roles.
#[test]
fn scp_levels() {
    let b = with(
        base(USER, "s3:GetObject", "arn:aws:s3:::b/k"),
        "identityPolicies",
        json!([allow("*", "*")]),
    );
    table(vec![
        (
            "all levels allow",
            with(
                b.clone(),
                "scps",
                json!([[allow("*", "*")], [allow("s3:*", "*")]]),
            ),
            "allow",
        ),
        (
            "one level lacks",
            with(
                b.clone(),
                "scps",
                json!([[allow("*", "*")], [allow("ec2:*", "*")]]),
            ),
            "implicit_deny",
        ),
        (
            "ORed within level",
            with(
                b.clone(),
                "scps",
                json!([[allow("ec2:*", "*"), allow("s3:Get*", "*")]]),
            ),
            "allow",
        ),
        (
            // AWS cannot have an empty level: missing data, so unknown (D12).
            "empty level",
            with(b.clone(), "scps", json!([[allow("*", "*")], []])),
            "conditional",
        ),
        (
            "empty level does not hide another level's deny",
            with(b.clone(), "scps", json!([[deny("s3:*", "*")], []])),
            "explicit_deny",
        ),
        (
            "empty level does not hide another level's missing allow",
            with(b.clone(), "scps", json!([[allow("ec2:*", "*")], []])),
            "implicit_deny",
        ),
        (
            "service-linked role exempt",
            with(
                with(
                    base(
                        "arn:aws:iam::111111111111:role/aws-service-role/ssm.amazonaws.com/X",
                        "s3:GetObject",
                        "arn:aws:s3:::b/k",
                    ),
                    "identityPolicies",
                    json!([allow("*", "*")]),
                ),
                "scps",
                json!([[deny("*", "*")]]),
            ),
            "allow",
        ),
    ]);
}

// "Service control policies": the management account is not restricted (typed API).
#[test]
fn scp_not_for_management_account() {
    let idp = CompiledPolicy::from_value("id", &allow("*", "*"), PolicyKind::Identity).unwrap();
    let scp = CompiledPolicy::from_value("scp", &deny("*", "*"), PolicyKind::Scp).unwrap();
    let principal = Principal::parse(USER);
    let action = Action::new("s3:GetObject");
    let ctx = Context::new(Mode::Strict);
    let req = Request {
        principal: &principal,
        action: &action,
        resource: "arn:aws:s3:::b/k",
        resource_account: Some(ACCT),
        context: &ctx,
    };
    let mut layers = Layers {
        identity: vec![&idp],
        scp_levels: vec![vec![&scp]],
        ..Layers::default()
    };
    assert_eq!(evaluate(&layers, &req), Decision::ExplicitDeny);
    layers.caller_is_management_account = true;
    assert_eq!(evaluate(&layers, &req), Decision::Allow);
}

// "Resource control policies": RCPFullAWSAccess is implicit; only supported services.
#[test]
fn rcp_rules() {
    let b = with(
        base(USER, "s3:GetObject", "arn:aws:s3:::b/k"),
        "identityPolicies",
        json!([allow("*", "*")]),
    );
    let ec2 = with(
        base(USER, "ec2:DescribeInstances", "*"),
        "identityPolicies",
        json!([allow("*", "*")]),
    );
    table(vec![
        (
            "rcp without deny",
            with(b.clone(), "rcps", json!([[], []])),
            "allow",
        ),
        (
            "rcp deny",
            with(
                b.clone(),
                "rcps",
                json!([[], [grant(json!("*"), "Deny", "s3:*")]]),
            ),
            "explicit_deny",
        ),
        (
            "unsupported service",
            with(ec2, "rcps", json!([[grant(json!("*"), "Deny", "ec2:*")]])),
            "allow",
        ),
        (
            "rcp does not grant",
            with(
                base(USER, "s3:GetObject", "arn:aws:s3:::b/k"),
                "rcps",
                json!([[]]),
            ),
            "implicit_deny",
        ),
    ]);
}

// "Permissions boundaries for IAM entities": effective permissions are the intersection;
// same-account resource policies naming the user or session ARN are not limited.
#[test]
fn boundary_rules() {
    let pb = json!([allow("s3:*", "*")]);
    let b = with(
        base(SESSION, "secretsmanager:GetSecretValue", SECRET),
        "permissionBoundaries",
        pb.clone(),
    );
    table(vec![
        (
            "identity outside boundary",
            with(b.clone(), "identityPolicies", json!([allow("*", "*")])),
            "implicit_deny",
        ),
        (
            "resource names role",
            with(
                b.clone(),
                "resourcePolicy",
                grant(json!({"AWS": ROLE_DEV}), "Allow", "secretsmanager:*"),
            ),
            "implicit_deny",
        ),
        (
            "resource names session",
            with(
                b.clone(),
                "resourcePolicy",
                grant(json!({"AWS": SESSION}), "Allow", "secretsmanager:*"),
            ),
            "allow",
        ),
        (
            "resource names everyone",
            with(
                b.clone(),
                "resourcePolicy",
                grant(json!("*"), "Allow", "secretsmanager:*"),
            ),
            "allow",
        ),
        (
            "resource names user",
            with(
                with(
                    base(USER, "secretsmanager:GetSecretValue", SECRET),
                    "permissionBoundaries",
                    pb.clone(),
                ),
                "resourcePolicy",
                grant(json!({"AWS": USER}), "Allow", "secretsmanager:*"),
            ),
            "allow",
        ),
        (
            "NotPrincipal deny always applies with a boundary",
            with(
                with(
                    with(
                        base(USER, "secretsmanager:GetSecretValue", SECRET),
                        "permissionBoundaries",
                        json!([allow("*", "*")]),
                    ),
                    "identityPolicies",
                    json!([allow("*", "*")]),
                ),
                "resourcePolicy",
                json!({"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotPrincipal":{"AWS":[USER, "arn:aws:iam::111111111111:root"]},"Action":"*","Resource":"*"}]}),
            ),
            "explicit_deny",
        ),
    ]);
}

// "Session policies": the session's permissions are the intersection; a resource policy
// naming the session ARN is not limited by the session policy (divergence D7).
#[test]
fn session_arn_in_resource_policy_bypasses_session_policy() {
    let b = with(
        with(
            base(SESSION, "secretsmanager:GetSecretValue", SECRET),
            "identityPolicies",
            json!([allow("*", "*")]),
        ),
        "sessionPolicy",
        allow("s3:*", "*"),
    );
    table(vec![
        ("session narrows identity", b.clone(), "implicit_deny"),
        (
            "resource names role: still narrowed",
            with(
                b.clone(),
                "resourcePolicy",
                grant(json!({"AWS": ROLE_DEV}), "Allow", "secretsmanager:*"),
            ),
            "implicit_deny",
        ),
        (
            "resource names session",
            with(
                b.clone(),
                "resourcePolicy",
                grant(json!({"AWS": SESSION}), "Allow", "secretsmanager:*"),
            ),
            "allow",
        ),
    ]);
}

// "Cross-account policy evaluation logic" / role trust policies: the trust policy must
// allow; naming the account delegates to the caller's identity policy (divergence D8).
#[test]
fn assume_role_needs_a_trust_policy() {
    let b = with(
        base(
            SESSION,
            "sts:AssumeRole",
            "arn:aws:iam::111111111111:role/deploy",
        ),
        "identityPolicies",
        json!([allow("sts:AssumeRole", "*")]),
    );
    let trust = |p: Value| json!({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":p,"Action":"sts:AssumeRole"}]});
    table(vec![
        ("no trust policy", b.clone(), "implicit_deny"),
        (
            "trust names account",
            with(b.clone(), "resourcePolicy", trust(json!({"AWS": ACCT}))),
            "allow",
        ),
        (
            "trust names other service",
            with(
                b.clone(),
                "resourcePolicy",
                trust(json!({"Service": "ec2.amazonaws.com"})),
            ),
            "implicit_deny",
        ),
        (
            "trust names role, no identity",
            with(
                base(
                    SESSION,
                    "sts:AssumeRole",
                    "arn:aws:iam::111111111111:role/deploy",
                ),
                "resourcePolicy",
                trust(json!({"AWS": ROLE_DEV})),
            ),
            "allow",
        ),
        (
            "trust names account, no identity",
            with(
                base(
                    SESSION,
                    "sts:AssumeRole",
                    "arn:aws:iam::111111111111:role/deploy",
                ),
                "resourcePolicy",
                trust(json!({"AWS": ACCT})),
            ),
            "implicit_deny",
        ),
    ]);
}

// AWS KMS Developer Guide, "Key policies in AWS KMS": the key policy must allow, directly
// or by delegating to the account (then IAM policies apply).
#[test]
fn kms_key_policy() {
    let b = with(
        base(SESSION, "kms:Decrypt", KEY),
        "identityPolicies",
        json!([allow("kms:*", "*")]),
    );
    let root = format!("arn:aws:iam::{ACCT}:root");
    table(vec![
        ("no key policy", b.clone(), "implicit_deny"),
        (
            "delegates to account",
            with(
                b.clone(),
                "resourcePolicy",
                grant(json!({"AWS": root}), "Allow", "kms:*"),
            ),
            "allow",
        ),
        (
            "names another role",
            with(
                b.clone(),
                "resourcePolicy",
                grant(
                    json!({"AWS": "arn:aws:iam::111111111111:role/admin"}),
                    "Allow",
                    "kms:*",
                ),
            ),
            "implicit_deny",
        ),
        (
            "names role, no identity",
            with(
                base(SESSION, "kms:Decrypt", KEY),
                "resourcePolicy",
                grant(json!({"AWS": ROLE_DEV}), "Allow", "kms:*"),
            ),
            "allow",
        ),
    ]);
}

// "Policy evaluation logic" in three values: discovery mode keeps unknown-condition
// allows as conditional; an unknown-condition deny does not remove them.
#[test]
fn discovery_mode() {
    let cond_allow = json!({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]});
    let cond_deny = json!({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"},{"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]});
    let b = with(
        base(USER, "s3:GetObject", "arn:aws:s3:::b/k"),
        "mode",
        json!("discovery"),
    );
    table(vec![
        (
            "unknown allow",
            with(b.clone(), "identityPolicies", json!([cond_allow.clone()])),
            "conditional",
        ),
        (
            "unknown deny",
            with(b.clone(), "identityPolicies", json!([cond_deny.clone()])),
            "conditional",
        ),
        (
            "known allow",
            with(
                with(b.clone(), "identityPolicies", json!([cond_allow.clone()])),
                "context",
                json!({"aws:SourceIp": "10.1.1.1"}),
            ),
            "allow",
        ),
        (
            "known deny",
            with(
                with(b.clone(), "identityPolicies", json!([cond_deny])),
                "context",
                json!({"aws:SecureTransport": "false"}),
            ),
            "explicit_deny",
        ),
        (
            "strict absent",
            with(
                with(b, "identityPolicies", json!([cond_allow])),
                "mode",
                json!("strict"),
            ),
            "implicit_deny",
        ),
    ]);
}

// Explanations name the statements that decided and the unknown keys.
#[test]
fn explanation_records_statements_and_unknown_keys() {
    let case = json!({"id": "x", "principal": USER, "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k", "resourceAccount": ACCT, "mode": "discovery",
        "identityPolicies": [{"name": "p1", "policy": {"Version":"2012-10-17","Statement":[
            {"Sid": "ip", "Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}},
            {"Effect":"Allow","Action":"ec2:*","Resource":"*"},
            {"Effect":"Deny","Action":"s3:*","Resource":"arn:aws:s3:::other/*"}]}}]});
    let e = explain_case(&case, Mode::Strict).unwrap();
    assert_eq!(e.decision, Decision::Conditional);
    assert_eq!(e.unknown_keys, vec!["aws:sourceip".to_string()]);
    assert_eq!(e.statements.len(), 3);
    assert_eq!(e.statements[0].statement, "ip");
    assert_eq!(e.statements[0].policy, "p1");
    let Outcome::AppliesIf { conditions, .. } = &e.statements[0].outcome else {
        panic!(
            "statement ip should apply conditionally: {:?}",
            e.statements[0]
        );
    };
    assert_eq!(
        conditions,
        &vec![r#"IpAddress aws:SourceIp ["10.0.0.0/8"]"#.to_string()]
    );
    assert_eq!(
        e.statements[1].outcome,
        Outcome::NoMatch(explain::NoMatch::Action)
    );
    assert_eq!(
        e.statements[2].outcome,
        Outcome::NoMatch(explain::NoMatch::Resource)
    );
    assert!(e.to_string().contains("decision: conditional"));
}

// Introspection for enumeration: statements, action ids, resources, conditions.
#[test]
fn introspection() {
    let p = CompiledPolicy::from_text(
        "p",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:Get*","deepracer:GetTrack"],"Resource":"arn:aws:s3:::b/*","Condition":{"StringEquals":{"aws:SourceVpce":"vpce-1"}}},{"Effect":"Deny","NotAction":"iam:*","Resource":"*"}]}"#,
        PolicyKind::Identity,
    )
    .unwrap();
    let cat = catalog();
    let s0 = &p.statements()[0];
    let ids = s0.actions().covered_ids();
    let get_object = cat.lookup("s3:GetObject").unwrap();
    assert!(ids.contains(get_object.0));
    assert!(ids
        .iter()
        .all(|i| cat.action_name(ActionId(i)).starts_with("s3:Get")));
    assert!(
        s0.actions().matches(&Action::new("deepracer:GetTrack")),
        "unknown actions still match by pattern"
    );
    assert_eq!(s0.resources().patterns()[0].raw, "arn:aws:s3:::b/*");
    assert_eq!(
        s0.condition_keys().collect::<Vec<_>>(),
        vec!["aws:sourcevpce"]
    );
    let s1 = &p.statements()[1];
    assert!(s1.actions().is_negated());
    assert!(!s1
        .actions()
        .matches_id(cat.lookup("iam:CreateUser").unwrap()));
    assert!(s1.actions().matches_id(get_object));
    assert_eq!(
        s1.actions().covered_ids().len() as usize + cat.expand("iam:*").len(),
        cat.len() as usize
    );
}

// "IAM JSON policy elements: Resource" / "NotResource": actions that only support
// `Resource: "*"` are matched against `*` literally; for other actions a request on `*`
// asks whether some resource is allowed.
#[test]
fn star_resources() {
    let listing = base(USER, "s3:ListAllMyBuckets", "*");
    let objects = base(USER, "s3:GetObject", "*");
    let not_resource = json!({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","NotResource":"arn:aws:s3:::secret/*"}]});
    table(vec![
        (
            "wildcard-only action, specific Resource",
            with(
                listing.clone(),
                "identityPolicies",
                json!([allow("s3:*", "arn:aws:s3:::b/*")]),
            ),
            "implicit_deny",
        ),
        (
            "wildcard-only action, NotResource",
            with(
                listing.clone(),
                "identityPolicies",
                json!([not_resource.clone()]),
            ),
            "allow",
        ),
        (
            "some object allowed",
            with(
                objects.clone(),
                "identityPolicies",
                json!([allow("s3:GetObject", "arn:aws:s3:::b/*")]),
            ),
            "allow",
        ),
        (
            "a specific deny does not cover every object",
            with(
                objects.clone(),
                "identityPolicies",
                json!([
                    allow("s3:GetObject", "*"),
                    deny("s3:GetObject", "arn:aws:s3:::b/*")
                ]),
            ),
            "allow",
        ),
        (
            "a deny on * covers all",
            with(
                objects,
                "identityPolicies",
                json!([allow("s3:GetObject", "*"), deny("s3:GetObject", "*")]),
            ),
            "explicit_deny",
        ),
    ]);
}
