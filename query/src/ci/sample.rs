//! Hand-made reach data for the tests of the continuous checks.

use super::targets::{names, Names};
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

/// A source with its identities and crown jewels as findings, before interning.
#[derive(Clone)]
struct Draft {
    reach: SourceReach,
    identities: Vec<Finding>,
    jewels: Vec<Finding>,
}

fn web() -> Draft {
    let mut web = SourceReach::new(WEB, "task-definition");
    web.account = Some("222222222222".into());
    web.resources = 5;
    Draft {
        reach: web,
        identities: vec![finding(
            WEB,
            WEB_ROLE,
            &[],
            vec![step(WEB, WEB_ROLE, "runs-as")],
        )],
        jewels: vec![finding(
            WEB,
            WEB_SECRET,
            &["secretsmanager:GetSecretValue"],
            vec![step(WEB, WEB_ROLE, "runs-as")],
        )],
    }
}

/// Three sources: an ECS task definition, a payments EKS service account and an admin
/// user in another account.
fn drafts() -> Vec<Draft> {
    let mut payments = SourceReach::new(PAYMENTS_SA, "service-account");
    payments.account = Some("222222222222".into());
    payments.namespace = Some("payments".into());
    payments.resources = 3;
    let irsa = vec![step(PAYMENTS_SA, PAYMENTS_ROLE, "irsa")];
    let payments = Draft {
        reach: payments,
        identities: vec![finding(PAYMENTS_SA, PAYMENTS_ROLE, &[], irsa.clone())],
        jewels: vec![finding(
            PAYMENTS_SA,
            PAYMENTS_SECRET,
            &["secretsmanager:GetSecretValue"],
            irsa,
        )],
    };
    let mut alice = SourceReach::new(ALICE, "user");
    alice.account = Some("111111111111".into());
    alice.administers = vec![finding(ALICE, "111111111111", &[], vec![])];
    alice.resources = 100;
    let alice = Draft {
        reach: alice,
        identities: vec![],
        jewels: vec![],
    };
    vec![web(), payments, alice]
}

/// Interns the drafts' targets into one table each and sets the sources' bitmaps.
fn build(drafts: Vec<Draft>) -> OrgReach {
    let identity_names = names(
        drafts
            .iter()
            .flat_map(|d| d.identities.iter().map(|f| f.target.clone()))
            .collect(),
    );
    let resource_names = names(
        drafts
            .iter()
            .flat_map(|d| d.jewels.iter().map(|f| f.target.clone()))
            .collect(),
    );
    let id = |names: &Names, target: &str| {
        names.binary_search_by(|n| n.as_str().cmp(target)).unwrap() as u32
    };
    let sources = drafts
        .into_iter()
        .map(|draft| {
            let mut reach = draft.reach;
            reach.identities.names = identity_names.clone();
            reach.crown_jewels.names = resource_names.clone();
            for f in draft.identities {
                let i = id(&identity_names, &f.target);
                reach.identities.ids.insert(i);
                if f.conditional {
                    reach.identities.conditional.insert(i);
                }
                reach.identities.paths.insert(i, f.path);
            }
            for f in draft.jewels {
                let i = id(&resource_names, &f.target);
                for action in &f.actions {
                    reach
                        .crown_jewels
                        .by_action
                        .entry(action.clone())
                        .or_default()
                        .insert(i);
                }
                if !f.conditional {
                    reach.crown_jewels.certain.insert(i);
                }
                reach.crown_jewels.paths.insert(i, f.path);
            }
            reach
        })
        .collect();
    OrgReach {
        identity_names,
        resource_names,
        sources,
        coverage_gaps: vec![],
        account_names: vec![
            ("111111111111".into(), "dev".into()),
            ("222222222222".into(), "prod".into()),
        ],
    }
    .sorted()
}

/// Three sources: an ECS task definition, a payments EKS service account and an admin
/// user in another account.
pub fn org() -> OrgReach {
    build(drafts())
}

/// [`org`] where the web task grew: ECScape to the payments role, admin of prod, KMS
/// decrypt on its secret, more resources.
pub fn grown_org() -> OrgReach {
    let mut drafts = drafts();
    let ecscape = vec![
        step(WEB, INSTANCE_ROLE, "imds"),
        step(INSTANCE_ROLE, PAYMENTS_ROLE, "ecscape"),
    ];
    let web = drafts.iter_mut().find(|d| d.reach.source == WEB).unwrap();
    web.identities
        .push(finding(WEB, PAYMENTS_ROLE, &[], ecscape.clone()));
    web.reach
        .administers
        .push(finding(WEB, "222222222222", &[], ecscape.clone()));
    web.jewels[0].actions.push("kms:Decrypt".into());
    web.jewels.push(finding(
        WEB,
        PAYMENTS_SECRET,
        &["secretsmanager:GetSecretValue"],
        ecscape,
    ));
    web.reach.resources = 9;
    build(drafts)
}

/// `what-can-reach` over the crown jewels of an [`OrgReach`].
pub struct JewelQuery<'a>(pub &'a OrgReach);

impl ReachQuery for JewelQuery<'_> {
    fn what_can_reach(
        &self,
        action: &str,
        resource: Option<&str>,
        keep_source: &dyn Fn(&str) -> bool,
    ) -> Result<Vec<Finding>, String> {
        if action.is_empty() {
            return Err("empty action pattern".into());
        }
        Ok(self
            .0
            .sources
            .iter()
            .filter(|s| keep_source(&s.source))
            .flat_map(|s| s.crown_jewels.findings(&s.source))
            .filter(|f| f.actions.iter().any(|a| glob_match(action, a)))
            .filter(|f| resource.is_none_or(|r| glob_match(r, &f.target)))
            .collect())
    }
}

/// A small synthetic organization (3 accounts x 40 roles) and the ARN of a role of its
/// second account with `AdministratorAccess` attached: what the simulation tests change.
pub(crate) fn synthetic_org_with_admin() -> (blastgraph_engine::snapshot::Snapshot, String) {
    use blastgraph_engine::synth::{generate, SynthConfig};
    let config = SynthConfig::custom(3, 40, 5).expect("a valid size");
    let snapshot = generate(&config).expect("generated").snapshot;
    let admin = snapshot.accounts[1]
        .iam
        .roles
        .iter()
        .find(|r| {
            r.attached_policies
                .iter()
                .any(|p| p.ends_with("/AdministratorAccess"))
        })
        .expect("an administrator role")
        .arn
        .clone();
    (snapshot, admin)
}
