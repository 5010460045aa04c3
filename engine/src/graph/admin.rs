//! Administrators: an identity is administrator of its account when it holds
//! effectively `*` on `*` there after SCPs and boundaries (checked on a sentinel action
//! of every major service), or holds an unconstrained self-escalation, or can write the
//! policies of a principal it can become.

use super::authz::{any_resource_pattern, Authorizer, Target};
use super::model::{Model, PrincipalIdx, PrincipalKind};
use super::privesc::CATALOGUE;
use super::reach::Reachability;
use super::{status_of, weaker, BlastGraph, Status};

/// One action per major service, all of which an administrator must be allowed on
/// everything in its account.
pub const SENTINELS: &[&str] = &[
    "iam:attachrolepolicy",
    "iam:createaccesskey",
    "iam:passrole",
    "sts:assumerole",
    "ec2:runinstances",
    "s3:getobject",
    "kms:decrypt",
    "secretsmanager:getsecretvalue",
    "lambda:updatefunctioncode",
    "dynamodb:getitem",
];

/// Why an identity is administrator of its account.
#[derive(Debug, Clone)]
pub struct AdminGrant {
    /// Certain or conditional.
    pub status: Status,
    /// Why, in words.
    pub explanation: String,
}

/// Per principal, whether (and why) it administers its own account.
pub fn administrators(
    model: &Model,
    authz: &dyn Authorizer,
    graph: &BlastGraph,
    reach: &Reachability,
) -> Vec<Option<AdminGrant>> {
    use rayon::prelude::*;
    let mut admins: Vec<Option<AdminGrant>> = (0..model.principals.len() as PrincipalIdx)
        .into_par_iter()
        .map(|p| full_access(model, authz, p))
        .collect();
    for escalation in &graph.escalations {
        let p = escalation.principal as usize;
        let technique = &CATALOGUE[escalation.technique as usize];
        let grant = if escalation.subject == escalation.principal {
            Some(AdminGrant {
                status: escalation.status.clone(),
                explanation: escalation.explanation.clone(),
            })
        } else if reach
            .any
            .of(escalation.principal)
            .contains(escalation.subject)
        {
            let certain_reach = reach
                .certain
                .of(escalation.principal)
                .contains(escalation.subject);
            let status = if certain_reach {
                escalation.status.clone()
            } else {
                weaker(escalation.status.clone(), Status::Inferred)
            };
            Some(AdminGrant {
                status,
                explanation: format!(
                    "{} on {}, which it can become: {}",
                    technique.name,
                    model.principal(escalation.subject).arn,
                    escalation.explanation
                ),
            })
        } else {
            None
        };
        if let Some(grant) = grant {
            let better = match &admins[p] {
                None => true,
                Some(old) => !old.status.is_certain() && grant.status.is_certain(),
            };
            if better {
                admins[p] = Some(grant);
            }
        }
    }
    admins
}

fn full_access(model: &Model, authz: &dyn Authorizer, p: PrincipalIdx) -> Option<AdminGrant> {
    let principal = model.principal(p);
    if principal.kind == PrincipalKind::Group && principal.policies.is_empty() {
        return None;
    }
    let account = model.account_id(p);
    if !SENTINELS.iter().all(|a| authz.may_allow(p, a)) {
        return None;
    }
    let mut status = Status::Certain;
    let mut why = None;
    for action in SENTINELS {
        let service = action.split(':').next().unwrap_or("");
        let pattern = any_resource_pattern(service, account);
        let decision = authz.authorize(
            p,
            action,
            &Target::any_of_service(&pattern, service, account),
        );
        status = weaker(status, status_of(&decision)?);
        why.get_or_insert_with(|| authz.explain(Some(p), decision.why()));
    }
    Some(AdminGrant {
        status,
        explanation: format!(
            "allowed every action on every resource of the account ({})",
            why.unwrap_or_default()
        ),
    })
}
