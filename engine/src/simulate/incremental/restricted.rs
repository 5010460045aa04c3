//! An [`Authorizer`] that lets only some principals do anything: the graph's edge
//! builders and the access index run unchanged under it and compute the units of the
//! active principals only, quickly skipping the others (whose results are reused).
//!
//! Every edge of a privilege-escalation technique needs a permission of its actor,
//! every access pair a permission of its principal, and every assume-role edge a
//! decision on its (caller, role) pair: denying those for the inactive units leaves
//! exactly the active units' results. Questions about a role's trust of a service or a
//! web identity, and everything that does not depend on who asks, pass through.

use crate::graph::authz::{
    Authorizer, Decision, PolicyPrincipals, Target, TargetSet, TrustedPrincipals, Why,
};
use crate::graph::model::PrincipalIdx;
use crate::snapshot::DocId;

/// Which units are active.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Scope {
    /// Requests whose principal (actor, caller) is active.
    Actors,
    /// Assume-role pairs where the caller or the role is active. Evaluation groups are
    /// split by activity, so an inactive caller's denial is never shared with an
    /// active member of its group.
    Pairs,
}

/// The restriction of an evaluator to the active principals.
pub(super) struct Restricted<'a> {
    /// The real evaluator.
    pub inner: &'a dyn Authorizer,
    /// Per principal, whether it is active.
    pub active: &'a [bool],
    /// What "active" restricts.
    pub scope: Scope,
}

impl Restricted<'_> {
    fn actor_inactive(&self, principal: PrincipalIdx) -> bool {
        self.scope == Scope::Actors && !self.active[principal as usize]
    }
}

impl Authorizer for Restricted<'_> {
    fn authorize(&self, principal: PrincipalIdx, action: &str, target: &Target<'_>) -> Decision {
        if self.actor_inactive(principal) {
            return Decision::Deny(Why::NOTHING);
        }
        self.inner.authorize(principal, action, target)
    }

    fn assume_role(&self, caller: PrincipalIdx, role: PrincipalIdx) -> Decision {
        let inactive = match self.scope {
            Scope::Actors => !self.active[caller as usize],
            Scope::Pairs => !self.active[caller as usize] && !self.active[role as usize],
        };
        if inactive {
            return Decision::Deny(Why::NOTHING);
        }
        self.inner.assume_role(caller, role)
    }

    fn web_identity(
        &self,
        role: PrincipalIdx,
        provider_arn: &str,
        claims: &[(String, String)],
    ) -> Decision {
        self.inner.web_identity(role, provider_arn, claims)
    }

    fn trusts_service(&self, role: PrincipalIdx, service: &str, source_account: &str) -> Decision {
        self.inner.trusts_service(role, service, source_account)
    }

    fn authorize_set(
        &self,
        principal: PrincipalIdx,
        action: &str,
        set: &TargetSet<'_>,
        allowed: &mut roaring::RoaringBitmap,
        conditional: &mut roaring::RoaringBitmap,
    ) {
        if !self.actor_inactive(principal) {
            self.inner
                .authorize_set(principal, action, set, allowed, conditional);
        }
    }

    fn may_allow(&self, principal: PrincipalIdx, action_pattern: &str) -> bool {
        !self.actor_inactive(principal) && self.inner.may_allow(principal, action_pattern)
    }

    fn equivalence_key(&self, principal: PrincipalIdx) -> Vec<u32> {
        let mut key = self.inner.equivalence_key(principal);
        if self.scope == Scope::Pairs {
            key.push(u32::from(self.active[principal as usize]));
        }
        key
    }

    fn trusted_principals(&self, role: PrincipalIdx) -> TrustedPrincipals {
        self.inner.trusted_principals(role)
    }

    fn resource_policy_principals(&self, document: DocId) -> PolicyPrincipals {
        self.inner.resource_policy_principals(document)
    }

    fn allow_resource_patterns(&self, principal: PrincipalIdx, action: &str) -> Vec<String> {
        if self.actor_inactive(principal) {
            return Vec::new();
        }
        self.inner.allow_resource_patterns(principal, action)
    }

    fn explain(&self, principal: Option<PrincipalIdx>, why: Why) -> String {
        self.inner.explain(principal, why)
    }
}
