//! Authorization as the graph needs it: "may this principal do this action on this
//! resource?", "may it assume that role?", "does that role trust this service or this
//! web identity?", in three values with explanations.
//!
//! The graph talks to an [`Authorizer`] only, so that the evaluator can be swapped. The
//! project's full policy engine lives in `crate::policy`; until its API lands, the
//! [`interim`] evaluator implements the trait: it follows `iam-evaluation.md` (explicit
//! deny wins, SCP and RCP levels, permissions boundaries, same- and cross-account
//! resource policies, trust and key policies, conditions in three values with the keys
//! the snapshot knows resolved) on documents compiled once each.

mod batch;
mod compiled;
pub mod glob;
pub mod interim;
mod set;
mod tri;

pub use compiled::{
    Caller, CompiledPolicy, Condition, Context, Effects, Lookup, PrincipalMatch, ResourceMatch,
};
pub use set::{ClassTargets, SetEntry, TargetSet};
pub use tri::Tri;

use super::model::PrincipalIdx;
use crate::snapshot::{DocId, Tags};

/// Which policy, if any, the resource side of a request must pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourcePolicyRule {
    /// An ordinary resource policy (S3, Secrets Manager, Lambda ...): same account, the
    /// identity policy or the resource policy suffices; cross account both must allow.
    Optional,
    /// The resource policy must allow in every case (role trust policies, KMS key
    /// policies).
    Required,
}

/// The resource of a request.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    /// The ARN, or for an abstract target the pattern of the resources it stands for
    /// (`arn:aws:secretsmanager:*:111111111111:*`).
    pub arn: &'a str,
    /// The owning account, when known.
    pub account: Option<&'a str>,
    /// The service prefix (`s3`, `kms`...), for RCP applicability.
    pub service: &'a str,
    /// Its resource policy, when it has one (and it was collected).
    pub policy: Option<DocId>,
    /// Whether that policy must allow.
    pub rule: ResourcePolicyRule,
    /// Its tags, when collected.
    pub tags: Option<&'a Tags>,
    /// `arn` is a pattern: some resource (or part of one, like an object of a bucket)
    /// matching it. Allows apply when their pattern may intersect it, denies only when
    /// they cover it.
    pub is_abstract: bool,
    /// Whether the resource, and so its policy (or that it has none), was collected.
    /// `false` for an abstract "any resource of this service": its policy is unknown.
    pub policy_known: bool,
    /// Further request context the caller knows (`iam:passedtoservice`), keys in lower
    /// case.
    pub extra: &'a [(String, String)],
}

impl<'a> Target<'a> {
    /// A concrete resource without a resource policy.
    pub fn plain(arn: &'a str, account: Option<&'a str>) -> Target<'a> {
        Target {
            arn,
            account,
            service: super::model::arn_service(arn).unwrap_or(""),
            policy: None,
            rule: ResourcePolicyRule::Optional,
            tags: None,
            is_abstract: false,
            policy_known: true,
            extra: &[],
        }
    }

    /// Some resource of `service` in `account` (`arn:aws:SERVICE:*:ACCOUNT:*`; S3 ARNs
    /// carry no account).
    pub fn any_of_service(pattern: &'a str, service: &'a str, account: &'a str) -> Target<'a> {
        Target {
            arn: pattern,
            account: Some(account),
            service,
            policy: None,
            rule: ResourcePolicyRule::Optional,
            tags: None,
            is_abstract: true,
            policy_known: false,
            extra: &[],
        }
    }
}

/// The pattern of "any resource of `service` in `account`".
pub fn any_resource_pattern(service: &str, account: &str) -> String {
    match service {
        "s3" => "arn:aws:s3:::*".to_string(),
        "iam" | "organizations" => format!("arn:aws:{service}::{account}:*"),
        _ => format!("arn:aws:{service}:*:{account}:*"),
    }
}

/// Which layer of evaluation a reason comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Layer {
    /// An identity policy of the principal (or of its groups).
    Identity,
    /// The principal's permissions boundary.
    Boundary,
    /// A service control policy.
    Scp,
    /// A resource control policy.
    Rcp,
    /// The resource's policy (trust policy, key policy, bucket policy ...).
    Resource,
    /// No policy: nothing allowed it.
    None,
}

/// The statement behind a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Why {
    /// The layer.
    pub layer: Layer,
    /// The document, when a statement decided.
    pub document: Option<DocId>,
    /// The statement index in it.
    pub statement: usize,
}

impl Why {
    /// No statement (implicit deny).
    pub const NOTHING: Why = Why {
        layer: Layer::None,
        document: None,
        statement: 0,
    };
}

/// An authorization decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Allowed whatever the unknown parts of the request.
    Allow(Why),
    /// Allowed or not depending on these condition keys (lower case, sorted).
    Conditional(Vec<String>, Why),
    /// Denied: explicitly (the `Why` names the Deny) or implicitly.
    Deny(Why),
}

impl Decision {
    /// Allowed, possibly conditionally.
    pub fn is_possible(&self) -> bool {
        !matches!(self, Decision::Deny(_))
    }

    /// The condition keys it depends on.
    pub fn keys(&self) -> &[String] {
        match self {
            Decision::Conditional(keys, _) => keys,
            _ => &[],
        }
    }

    /// The statement behind it.
    pub fn why(&self) -> Why {
        match self {
            Decision::Allow(w) | Decision::Conditional(_, w) | Decision::Deny(w) => *w,
        }
    }

    /// Both allowed: the conjunction (keys merged, the first reason kept).
    pub fn and(self, other: Decision) -> Decision {
        match (self, other) {
            (d @ Decision::Deny(_), _) | (_, d @ Decision::Deny(_)) => d,
            (Decision::Allow(w), Decision::Allow(_)) => Decision::Allow(w),
            (Decision::Allow(w), Decision::Conditional(k, _))
            | (Decision::Conditional(k, w), Decision::Allow(_)) => Decision::Conditional(k, w),
            (Decision::Conditional(mut a, w), Decision::Conditional(b, _)) => {
                a.extend(b);
                a.sort();
                a.dedup();
                Decision::Conditional(a, w)
            }
        }
    }
}

/// [`Authorizer::authorize_set`] by one [`Authorizer::authorize`] per member: the
/// definition the set-at-once evaluators are tested against.
pub fn authorize_each<A: Authorizer + ?Sized>(
    authz: &A,
    principal: PrincipalIdx,
    action: &str,
    set: &TargetSet<'_>,
    allowed: &mut roaring::RoaringBitmap,
    conditional: &mut roaring::RoaringBitmap,
) {
    for member in 0..set.len() {
        let decision = authz.authorize(principal, action, &set.target(member));
        record(&decision, member, allowed, conditional);
    }
}

/// Puts `member` into `allowed` or `conditional` as `decision` says (nowhere when denied).
pub(super) fn record(
    decision: &Decision,
    member: u32,
    allowed: &mut roaring::RoaringBitmap,
    conditional: &mut roaring::RoaringBitmap,
) {
    match decision {
        Decision::Allow(_) => {
            allowed.insert(member);
        }
        Decision::Conditional(..) => {
            conditional.insert(member);
        }
        Decision::Deny(_) => {}
    }
}

/// The AWS principals a trust policy may admit.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedPrincipals {
    /// Any principal (`"AWS": "*"`, `"Principal": "*"`, `NotPrincipal`).
    pub any: bool,
    /// Account ids whose principals it admits (through their identity policies).
    pub accounts: Vec<String>,
    /// Principal ARNs it names.
    pub arns: Vec<String>,
}

/// Whom a resource policy's statements name, for indexing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PolicyPrincipals {
    /// Principal ARNs named directly.
    pub arns: Vec<String>,
    /// Accounts named (ids or root ARNs).
    pub accounts: Vec<String>,
    /// Some statement names everyone (`*`, `NotPrincipal`).
    pub any: bool,
    /// Some condition depends on who asks within an account (principal ARN, tags, user
    /// name), so principals sharing policies may get different answers.
    pub principal_specific: bool,
}

/// What the graph asks of a policy evaluator. Actions are given in lower case.
pub trait Authorizer: Sync {
    /// May `principal` perform `action` on `target`, after every layer?
    fn authorize(&self, principal: PrincipalIdx, action: &str, target: &Target<'_>) -> Decision;

    /// May `caller` assume `role` with `sts:AssumeRole` (trust policy and identity
    /// policy per the same-/cross-account rules, SCPs, boundary)?
    fn assume_role(&self, caller: PrincipalIdx, role: PrincipalIdx) -> Decision;

    /// May a web identity from `provider_arn` with these claims (`(key, value)`, keys
    /// like `ISSUER:sub` in lower case) assume `role`?
    fn web_identity(
        &self,
        role: PrincipalIdx,
        provider_arn: &str,
        claims: &[(String, String)],
    ) -> Decision;

    /// Does `role` trust `service` (`lambda.amazonaws.com`) acting for `source_account`?
    fn trusts_service(&self, role: PrincipalIdx, service: &str, source_account: &str) -> Decision;

    /// Every member of `set` at once: `principal` (of the set's caller account) performing
    /// `action` (lower case) on each target, exactly as [`Authorizer::authorize`] would
    /// decide it. Members allowed go into `allowed`, conditionally allowed into
    /// `conditional` (both by member index). The default asks one target at a time;
    /// evaluators override it to match statements against the whole set.
    fn authorize_set(
        &self,
        principal: PrincipalIdx,
        action: &str,
        set: &TargetSet<'_>,
        allowed: &mut roaring::RoaringBitmap,
        conditional: &mut roaring::RoaringBitmap,
    ) {
        authorize_each(self, principal, action, set, allowed, conditional);
    }

    /// Whether [`Authorizer::authorize`] gives `principal` the same decision for `action`
    /// on every target that differs from `target` only by its ARN: no statement that
    /// may apply reads the ARN (every resource element is absent or holds `*`). A
    /// target with a resource policy never qualifies. Callers asking about many targets
    /// (privilege escalation candidates) ask once and reuse the decision. The default
    /// (`false`) is always correct.
    fn ignores_resource_arn(
        &self,
        _principal: PrincipalIdx,
        _action: &str,
        _target: &Target<'_>,
    ) -> bool {
        false
    }
    /// A cheap over-approximation: may some identity policy of `principal` allow an
    /// action matching `action_pattern` (lower case, wildcards allowed) on anything?
    fn may_allow(&self, principal: PrincipalIdx, action_pattern: &str) -> bool;

    /// Principals with equal keys get equal decisions for every request whose resource
    /// does not depend on who asks (same account, same policies, no principal-specific
    /// conditions): the grouping key for access sets.
    fn equivalence_key(&self, principal: PrincipalIdx) -> Vec<u32>;

    /// The AWS principals a role's trust policy names in statements that may allow
    /// `sts:AssumeRole`: the candidates for assume-role edges.
    fn trusted_principals(&self, role: PrincipalIdx) -> TrustedPrincipals;

    /// The principal ARNs a resource policy names directly, and whether any of its
    /// conditions depend on who asks: resources whose policy does either are evaluated
    /// per principal rather than per group of equivalent principals.
    fn resource_policy_principals(&self, document: DocId) -> PolicyPrincipals;

    /// The resource patterns of `principal`'s identity statements that may allow
    /// `action` (lower case): where its identity-based access can be. `NotResource` and
    /// unresolvable policy variables widen a pattern (to `*`, or to the text before the
    /// variable). Used to pick candidate resources from an index before exact evaluation.
    fn allow_resource_patterns(&self, principal: PrincipalIdx, action: &str) -> Vec<String>;

    /// A one-line human explanation of a reason for `principal`'s request.
    fn explain(&self, principal: Option<PrincipalIdx>, why: Why) -> String;
}
