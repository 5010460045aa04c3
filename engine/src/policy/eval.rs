//! Request evaluation with AWS's decision logic (IAM User Guide, "Policy evaluation
//! logic" and "Cross-account policy evaluation logic"), in three values.
//!
//! [`evaluate`] is the fast path (no allocation for documents without policy variables);
//! [`explain`](super::explain::explain) runs the same logic while recording every
//! statement's outcome.

use super::ast::Effect;
use super::catalog::catalog;
use super::compile::{CompiledPolicy, CompiledStatement, StatementMatch};
use super::context::{PrincipalKind, Request};
use super::principal::PrincipalMatch;
use super::tri::Tri;

/// The outcome of evaluating a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Decision {
    /// Allowed.
    Allow,
    /// Denied by an applicable `Deny` statement.
    ExplicitDeny,
    /// Not allowed by the policies that must allow.
    ImplicitDeny,
    /// Allowed if unknown condition keys (or variables) take suitable values; denied
    /// otherwise. Never produced in strict mode unless the context marks keys unknown.
    Conditional,
}

impl Decision {
    /// `allow`, `explicit_deny`, `implicit_deny`, `conditional`.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Allow => "allow",
            Decision::ExplicitDeny => "explicit_deny",
            Decision::ImplicitDeny => "implicit_deny",
            Decision::Conditional => "conditional",
        }
    }

    /// Whether the request is, or may be, allowed (`allow` or `conditional`).
    pub fn reachable(self) -> bool {
        matches!(self, Decision::Allow | Decision::Conditional)
    }
}

/// Which layer of policies a statement belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LayerKind {
    /// The caller's identity-based policies (inline, managed, group).
    Identity,
    /// The caller's permissions boundary.
    Boundary,
    /// The session policy of the caller's session.
    Session,
    /// Service control policies at OU-path level `n` (0 = root).
    Scp(usize),
    /// Resource control policies at OU-path level `n` (0 = root).
    Rcp(usize),
    /// The resource's policy (bucket, queue, key, secret policy, or role trust policy).
    Resource,
}

impl std::fmt::Display for LayerKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LayerKind::Identity => write!(f, "identity"),
            LayerKind::Boundary => write!(f, "permissions boundary"),
            LayerKind::Session => write!(f, "session policy"),
            LayerKind::Scp(n) => write!(f, "SCP level {n}"),
            LayerKind::Rcp(n) => write!(f, "RCP level {n}"),
            LayerKind::Resource => write!(f, "resource policy"),
        }
    }
}

/// The policies that govern a request. Build once per (principal, resource) and reuse
/// for many actions.
#[derive(Clone, Debug, Default)]
pub struct Layers<'a> {
    /// The caller's identity-based policies (a user's own and its groups', a role's).
    pub identity: Vec<&'a CompiledPolicy>,
    /// The caller's permissions boundary; empty when it has none.
    pub boundary: Vec<&'a CompiledPolicy>,
    /// The session policy; empty when the session has none.
    pub session: Vec<&'a CompiledPolicy>,
    /// SCPs of the caller's account, one entry per OU-path level (root first, account
    /// last; ORed within a level, every level must allow). Empty: no SCPs apply. An
    /// empty *level* is missing data and makes the SCP verdict unknown.
    pub scp_levels: Vec<Vec<&'a CompiledPolicy>>,
    /// RCPs of the resource's account, per level. `RCPFullAWSAccess` is implicit at every
    /// level (it cannot be detached), so only their `Deny` statements restrict.
    pub rcp_levels: Vec<Vec<&'a CompiledPolicy>>,
    /// The resource's policy (bucket/queue/key/secret policy, or the role trust policy
    /// for `sts:AssumeRole*`).
    pub resource: Option<&'a CompiledPolicy>,
    /// The caller's account is the organization's management account: SCPs do not apply.
    pub caller_is_management_account: bool,
    /// The resource's account is the management account: RCPs do not apply.
    pub resource_in_management_account: bool,
}

/// Receives each statement's outcome during evaluation. `()` ignores them (fast path).
pub trait Observer {
    /// Called for every statement of every evaluated layer.
    fn statement(
        &mut self,
        layer: LayerKind,
        policy: &CompiledPolicy,
        stmt: &CompiledStatement,
        m: &StatementMatch,
    );
    /// Called with a remark on how the decision was reached.
    fn note(&mut self, _note: &'static str) {}
}

impl Observer for () {
    #[inline(always)]
    fn statement(
        &mut self,
        _: LayerKind,
        _: &CompiledPolicy,
        _: &CompiledStatement,
        _: &StatementMatch,
    ) {
    }
}

/// Evaluates a request against its layers: the decision only.
pub fn evaluate(layers: &Layers<'_>, req: &Request<'_>) -> Decision {
    decide(layers, req, &mut ())
}

#[derive(Clone, Copy)]
struct Scan {
    allow: Tri,
    deny: Tri,
}

const NOTHING: Scan = Scan {
    allow: Tri::False,
    deny: Tri::False,
};

fn scan<O: Observer>(
    policies: &[&CompiledPolicy],
    layer: LayerKind,
    req: &Request<'_>,
    obs: &mut O,
) -> Scan {
    let mut s = NOTHING;
    for p in policies {
        for st in p.statements() {
            let deny = st.effect == Effect::Deny;
            let m = st.test(req, deny);
            obs.statement(layer, p, st, &m);
            let a = m.applies();
            if deny {
                s.deny = s.deny.or(a);
            } else {
                s.allow = s.allow.or(a);
            }
        }
    }
    s
}

/// Allows of a resource policy, split by how the principal was named.
#[derive(Clone, Copy)]
struct ResourceScan {
    deny: Tri,
    exact: Tri,
    role: Tri,
    wildcard: Tri,
    account: Tri,
}

fn scan_resource<O: Observer>(
    policy: Option<&CompiledPolicy>,
    has_boundary: bool,
    req: &Request<'_>,
    obs: &mut O,
) -> ResourceScan {
    let mut s = ResourceScan {
        deny: Tri::False,
        exact: Tri::False,
        role: Tri::False,
        wildcard: Tri::False,
        account: Tri::False,
    };
    let Some(p) = policy else { return s };
    for st in p.statements() {
        let deny = st.effect == Effect::Deny;
        let mut m = st.test(req, deny);
        // "Permissions boundaries": a Deny with NotPrincipal always denies a principal
        // that has a permissions boundary, whatever NotPrincipal lists.
        if deny
            && has_boundary
            && m.principal == PrincipalMatch::None
            && st.principal().is_some_and(|pm| pm.is_negated())
        {
            m = st.test_with_principal(req, deny, PrincipalMatch::Wildcard);
        }
        obs.statement(LayerKind::Resource, p, st, &m);
        let a = m.applies();
        if deny {
            s.deny = s.deny.or(a);
            continue;
        }
        let slot = match m.principal {
            PrincipalMatch::None => continue,
            PrincipalMatch::Exact => &mut s.exact,
            PrincipalMatch::Role => &mut s.role,
            PrincipalMatch::Wildcard => &mut s.wildcard,
            PrincipalMatch::Account => &mut s.account,
        };
        *slot = slot.or(a);
    }
    s
}

/// Actions whose resource policy must allow even in the same account: role trust
/// policies for `sts:AssumeRole*`/`TagSession`/`SetSourceIdentity` and KMS key policies.
fn resource_policy_required(req: &Request<'_>) -> bool {
    match req.action.service() {
        "sts" => matches!(
            req.action.name(),
            "assumerole"
                | "assumerolewithwebidentity"
                | "assumerolewithsaml"
                | "tagsession"
                | "setsourceidentity"
                | "setcontext"
        ),
        "kms" => req.resource.contains(":key/"),
        _ => false,
    }
}

fn rcp_supported(action: &super::context::Action) -> bool {
    let cat = catalog();
    match action.id {
        Some(id) => cat.service_of(id).rcp_supported,
        None => cat
            .service_by_prefix(action.service())
            .is_some_and(|s| cat.service(s).rcp_supported),
    }
}

pub(crate) fn decide<O: Observer>(layers: &Layers<'_>, req: &Request<'_>, obs: &mut O) -> Decision {
    if req.action.key == "sts:getcalleridentity" {
        obs.note("sts:GetCallerIdentity needs no permission and cannot be denied");
        return Decision::Allow;
    }
    let p = req.principal;
    let iam = p.is_iam();
    let scp_applies = iam
        && !p.service_linked
        && !layers.caller_is_management_account
        && !layers.scp_levels.is_empty();
    if iam && !layers.scp_levels.is_empty() && !scp_applies {
        obs.note("SCPs do not apply (service-linked role or management account)");
    }
    let rcp_applies = !layers.rcp_levels.is_empty()
        && !layers.resource_in_management_account
        && !p.service_linked
        && rcp_supported(req.action);
    if !layers.rcp_levels.is_empty() && !rcp_applies {
        obs.note("RCPs do not apply (service without RCP support, service-linked role or management account)");
    }

    let mut deny = Tri::False;
    let identity = if iam {
        scan(&layers.identity, LayerKind::Identity, req, obs)
    } else {
        NOTHING
    };
    deny = deny.or(identity.deny);
    let boundary = (iam && !layers.boundary.is_empty())
        .then(|| scan(&layers.boundary, LayerKind::Boundary, req, obs));
    let session = (iam && !layers.session.is_empty())
        .then(|| scan(&layers.session, LayerKind::Session, req, obs));
    for s in boundary.iter().chain(session.iter()) {
        deny = deny.or(s.deny);
    }
    let mut scp_ok = Tri::True;
    if scp_applies {
        for (i, level) in layers.scp_levels.iter().enumerate() {
            if level.is_empty() {
                // AWS never leaves a level empty (the last SCP of a root, OU or account
                // cannot be detached), so an empty level is missing data, not "nothing
                // allowed". Denying would drop a possibly real path; skipping it (as the
                // graph's interim evaluator does) would claim a certainty the data does
                // not give. The level's verdict is unknown: the decision is conditional
                // at best (policy-divergences.md, D12).
                obs.note(
                    "an SCP level has no policy in the input (missing data): its allow is unknown",
                );
                scp_ok = scp_ok.and(Tri::Unknown);
                continue;
            }
            let s = scan(level, LayerKind::Scp(i), req, obs);
            deny = deny.or(s.deny);
            scp_ok = scp_ok.and(s.allow);
        }
    }
    if rcp_applies {
        for (i, level) in layers.rcp_levels.iter().enumerate() {
            deny = deny.or(scan(level, LayerKind::Rcp(i), req, obs).deny);
        }
    }
    let res = scan_resource(
        layers.resource,
        iam && !layers.boundary.is_empty(),
        req,
        obs,
    );
    deny = deny.or(res.deny);

    let allowed = if !iam {
        // Services, identity providers and anonymous callers have no identity policies:
        // only a resource policy naming them (or everyone) can allow.
        res.exact.or(res.role).or(res.wildcard)
    } else {
        let identity_allow = if p.kind == PrincipalKind::Root {
            Tri::True
        } else {
            identity.allow
        };
        let boundary_ok = boundary.map_or(Tri::True, |b| b.allow);
        let session_ok = session.map_or(Tri::True, |s| s.allow);
        let direct = res.exact.or(res.role).or(res.wildcard);
        let base = if req.same_account() {
            // "Permissions boundaries": a same-account resource policy naming the user or
            // the session ARN (or everyone) is not limited by the boundary. "Session
            // policies": one naming the session ARN is not limited by the session policy.
            let boundary_bypass = match p.kind {
                PrincipalKind::User
                | PrincipalKind::AssumedRole { .. }
                | PrincipalKind::FederatedUser => res.exact.or(res.wildcard),
                PrincipalKind::Role => res.wildcard,
                _ => Tri::False,
            };
            let session_bypass = match p.kind {
                PrincipalKind::AssumedRole { .. } | PrincipalKind::FederatedUser => res.exact,
                _ => Tri::False,
            };
            let granted = if resource_policy_required(req) {
                obs.note("the resource policy (trust or key policy) must allow, directly or by naming the account");
                direct.or(res.account.and(identity_allow))
            } else {
                identity_allow.or(direct)
            };
            granted
                .and(boundary_ok)
                .and(session_ok)
                .or(boundary_bypass.and(session_ok))
                .or(session_bypass)
        } else {
            obs.note("cross-account: identity policy and resource policy must both allow");
            identity_allow
                .and(boundary_ok)
                .and(session_ok)
                .and(direct.or(res.account))
        };
        scp_ok.and(base)
    };

    match (deny, allowed) {
        (Tri::True, _) => Decision::ExplicitDeny,
        (_, Tri::False) => Decision::ImplicitDeny,
        (Tri::False, Tri::True) => Decision::Allow,
        _ => Decision::Conditional,
    }
}
