//! Hand-made reach data for the tests of the continuous checks.

use super::{glob_match, OrgReach, ReachQuery, SourceReach};
use crate::report::{Finding, PathStep};

pub const WEB: &str = "arn:aws:ecs:eu-west-1:222222222222:task-definition/web:1";
pub const PAYMENTS_SA: &str = "eks:main/payments/api";
pub const ALICE: &str = "arn:aws:iam::111111111111:user/alice";
pub const WEB_ROLE: &str = "arn:aws:iam::222222222222:role/web";
pub const INSTANCE_ROLE: &str = "arn:aws:iam::222222222222:role/ecs-instance";
pub const PAYMENTS_ROLE: &str = "arn:aws:iam::222222222222:role/payments";
pub const WEB_SECRET: &str = "arn:aws:secretsmanager:eu-west-1:222222222222:secret:web/db";
pub const PAYMENTS_SECRET: &str =
    "arn:aws:secretsmanager:eu-west-1:222222222222:secret:payments/db";

pub fn step(from: &str, to: &str, edge: &str) -> PathStep {
    PathStep {
        from: from.into(),
        to: to.into(),
        edge: edge.into(),
        explanation: format!("{edge} from {from} to {to}"),
    }
}

pub fn finding(source: &str, target: &str, actions: &[&str], path: Vec<PathStep>) -> Finding {
    Finding {
        source: source.into(),
        target: target.into(),
        actions: actions.iter().map(|a| a.to_string()).collect(),
        conditional: false,
        path,
    }
}

fn web() -> SourceReach {
    let mut web = SourceReach::new(WEB, "task-definition");
    web.account = Some("222222222222".into());
    web.identities = vec![finding(
        WEB,
        WEB_ROLE,
        &[],
        vec![step(WEB, WEB_ROLE, "runs-as")],
    )];
    web.crown_jewels = vec![finding(
        WEB,
        WEB_SECRET,
        &["secretsmanager:GetSecretValue"],
        vec![step(WEB, WEB_ROLE, "runs-as")],
    )];
    web.resources = 5;
    web
}

/// Three sources: an ECS task definition, a payments EKS service account and an admin
/// user in another account.
pub fn org() -> OrgReach {
    let mut payments = SourceReach::new(PAYMENTS_SA, "service-account");
    payments.account = Some("222222222222".into());
    payments.namespace = Some("payments".into());
    let irsa = vec![step(PAYMENTS_SA, PAYMENTS_ROLE, "irsa")];
    payments.identities = vec![finding(PAYMENTS_SA, PAYMENTS_ROLE, &[], irsa.clone())];
    payments.crown_jewels = vec![finding(
        PAYMENTS_SA,
        PAYMENTS_SECRET,
        &["secretsmanager:GetSecretValue"],
        irsa,
    )];
    payments.resources = 3;

    let mut alice = SourceReach::new(ALICE, "user");
    alice.account = Some("111111111111".into());
    alice.administers = vec![finding(ALICE, "111111111111", &[], vec![])];
    alice.resources = 100;

    OrgReach {
        sources: vec![web(), payments, alice],
        coverage_gaps: vec![],
        account_names: vec![
            ("111111111111".into(), "dev".into()),
            ("222222222222".into(), "prod".into()),
        ],
    }
    .sorted()
}

/// [`org`] where the web task grew: ECScape to the payments role, admin of prod, KMS
/// decrypt on its secret, more resources.
pub fn grown_org() -> OrgReach {
    let mut org = org();
    let ecscape = vec![
        step(WEB, INSTANCE_ROLE, "imds"),
        step(INSTANCE_ROLE, PAYMENTS_ROLE, "ecscape"),
    ];
    let web = org.sources.iter_mut().find(|s| s.source == WEB).unwrap();
    web.identities
        .push(finding(WEB, PAYMENTS_ROLE, &[], ecscape.clone()));
    web.administers
        .push(finding(WEB, "222222222222", &[], ecscape.clone()));
    web.crown_jewels[0].actions.push("kms:Decrypt".into());
    web.crown_jewels.push(finding(
        WEB,
        PAYMENTS_SECRET,
        &["secretsmanager:GetSecretValue"],
        ecscape,
    ));
    web.resources = 9;
    org.sorted()
}

/// `what-can-reach` over the crown jewels of an [`OrgReach`].
pub struct JewelQuery<'a>(pub &'a OrgReach);

impl ReachQuery for JewelQuery<'_> {
    fn what_can_reach(&self, action: &str, resource: Option<&str>) -> Result<Vec<Finding>, String> {
        if action.is_empty() {
            return Err("empty action pattern".into());
        }
        Ok(self
            .0
            .sources
            .iter()
            .flat_map(|s| &s.crown_jewels)
            .filter(|f| f.actions.iter().any(|a| glob_match(action, a)))
            .filter(|f| resource.is_none_or(|r| glob_match(r, &f.target)))
            .cloned()
            .collect())
    }
}
