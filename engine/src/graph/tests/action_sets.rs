//! One concrete action's per-group sets ([`ActionAccess`]) give every principal exactly
//! what asking [`AccessIndex::evaluate`] resource by resource gives it.

use super::fixture::*;
use crate::graph::access::AccessIndex;
use crate::graph::action_sets::ActionAccess;
use crate::graph::authz::interim::InterimAuthorizer;
use crate::graph::authz::{Authorizer, Decision};
use crate::graph::model::Model;
use crate::snapshot::{ResourceKind, Snapshot};
use crate::synth::{generate, SynthConfig};
use roaring::RoaringBitmap;
use serde_json::json;

/// Per principal, (allowed, conditional) resources of the action's service, one request
/// at a time.
fn one_by_one(
    index: &AccessIndex,
    authz: &dyn Authorizer,
    principal: u32,
    action: &str,
    resources: &[u32],
) -> (RoaringBitmap, RoaringBitmap) {
    let (mut yes, mut maybe) = (RoaringBitmap::new(), RoaringBitmap::new());
    for &r in resources {
        let form = AccessIndex::form_for(action, &index.resources[r as usize]);
        match index.evaluate(authz, principal, action, r, form) {
            Decision::Allow(_) => {
                yes.insert(r);
            }
            Decision::Conditional(..) => {
                maybe.insert(r);
            }
            Decision::Deny(_) => {}
        }
    }
    (yes, maybe)
}

/// Compares every principal on `action`; gives (allowed, conditional, overrides) counts.
fn compare(snapshot: &Snapshot, action: &str) -> (usize, usize, usize) {
    let model = Model::new(snapshot);
    let authz = InterimAuthorizer::new(snapshot, &model);
    let index = AccessIndex::build(snapshot, &model, &authz);
    let service = action.split(':').next().unwrap();
    let resources = index.by_service.get(service).cloned().unwrap_or_default();
    let access = ActionAccess::compute(&index, &model, &authz, action, &resources);
    let (mut allowed, mut conditional) = (0, 0);
    for p in 0..model.principals.len() as u32 {
        let expected = one_by_one(&index, &authz, p, action, &resources);
        let (yes, maybe) = access.of(&index, p);
        assert_eq!(
            (yes, maybe),
            (&expected.0, &expected.1),
            "{action} of {}",
            model.principal(p).arn
        );
        allowed += yes.len() as usize;
        conditional += maybe.len() as usize;
    }
    (allowed, conditional, access.overrides.len())
}

#[test]
fn group_sets_equal_one_request_at_a_time_on_a_synthetic_org() {
    let config = SynthConfig::custom(3, 40, 7).expect("a valid size");
    let snapshot = generate(&config).expect("generated").snapshot;
    let (mut allowed, mut conditional) = (0, 0);
    for action in [
        "sqs:SendMessage",
        "sns:Publish",
        "kms:GenerateDataKey",
        "s3:GetObjectAcl",
        "lambda:DeleteFunction",
        "secretsmanager:DescribeSecret",
    ] {
        let (a, c, _) = compare(&snapshot, action);
        assert!(
            a > 0,
            "{action}: nothing allowed, the comparison proves little"
        );
        allowed += a;
        conditional += c;
    }
    assert!(allowed > 1_000, "only {allowed} allowed");
    assert!(conditional > 100, "only {conditional} conditional");
}

/// Three roles sharing one policy (one access group) and queues whose policies name one
/// of them, depend on who asks, or hold an unknown condition.
#[test]
fn resource_policies_naming_a_principal_give_it_its_own_sets() {
    let mut f = Fixture::new();
    let identity = allow(json!("sqs:SendMessage"), json!("*"));
    let trust = trust_service("ecs-tasks.amazonaws.com");
    let r1 = f.role(A, "first", trust.clone(), std::slice::from_ref(&identity));
    let r2 = f.role(A, "named", trust.clone(), std::slice::from_ref(&identity));
    let r3 = f.role(A, "denied", trust, std::slice::from_ref(&identity));
    let queue = |account: &str, name: &str| format!("arn:aws:sqs:us-east-1:{account}:{name}");
    let statement = |effect: &str, principal: serde_json::Value, condition: serde_json::Value| {
        json!({"Version":"2012-10-17","Statement":[{"Effect":effect,"Principal":principal,
            "Action":"sqs:SendMessage","Resource":"*","Condition":condition}]})
    };
    // Another account's queue naming one role: only that role may send.
    let named = queue(B, "named");
    let policy = statement("Allow", json!({"AWS": r2}), json!({}));
    f.resource(B, &named, ResourceKind::Other, Some(policy));
    // An own-account queue denying one role.
    let denying = queue(A, "denying");
    let policy = statement("Deny", json!({"AWS": r3}), json!({}));
    f.resource(A, &denying, ResourceKind::Other, Some(policy));
    // Another account's queue open to one principal ARN by condition.
    let specific = queue(B, "specific");
    let condition = json!({"StringEquals": {"aws:PrincipalArn": r3}});
    f.resource(
        B,
        &specific,
        ResourceKind::Other,
        Some(statement("Allow", json!("*"), condition)),
    );
    // Another account's queue open to everyone from some network: conditional.
    let network = queue(B, "network");
    let condition = json!({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}});
    f.resource(
        B,
        &network,
        ResourceKind::Other,
        Some(statement("Allow", json!("*"), condition)),
    );
    let snapshot = f.snapshot.clone();
    let (allowed, conditional, overrides) = compare(&snapshot, "sqs:SendMessage");
    assert_eq!((allowed, conditional, overrides), (4, 3, 2));
    let model = Model::new(&snapshot);
    let authz = InterimAuthorizer::new(&snapshot, &model);
    let index = AccessIndex::build(&snapshot, &model, &authz);
    let resources = index.by_service["sqs"].clone();
    let access = ActionAccess::compute(&index, &model, &authz, "sqs:SendMessage", &resources);
    let arns = |set: &RoaringBitmap| -> Vec<String> {
        let mut arns: Vec<String> = set
            .iter()
            .map(|r| index.resources[r as usize].arn.clone())
            .collect();
        arns.sort();
        arns
    };
    let of = |arn: &str| {
        let p = model.principal_by_arn(arn).unwrap();
        let (yes, maybe) = access.of(&index, p);
        (arns(yes), arns(maybe))
    };
    assert_eq!(of(&r1), (vec![denying.clone()], vec![network.clone()]));
    let mut two = vec![denying.clone(), named.clone()];
    two.sort();
    assert_eq!(of(&r2), (two, vec![network.clone()]));
    assert_eq!(of(&r3), (vec![specific.clone()], vec![network.clone()]));
    let overridden: Vec<u32> = access.overrides.iter().map(|(p, ..)| *p).collect();
    let expected: Vec<u32> = [&r2, &r3]
        .iter()
        .map(|arn| model.principal_by_arn(arn).unwrap())
        .collect();
    assert_eq!(overridden, expected);
}
