//! The interim evaluator's [`super::Authorizer::authorize_set`]: one principal, one action,
//! every target of a [`TargetSet`] at once, with the same answers as
//! [`InterimAuthorizer::request`] target by target (tested in `graph::tests::access`).
//!
//! Each layer becomes a three-valued set over the members ([`TriSet`]), and the decision
//! of `request` becomes set algebra:
//!
//! ```text
//! identity side = (OR of identity policies) AND boundary
//! granted       = identity side OR resource policy (direct)          ordinary resources
//!               = direct OR (via account AND identity side)          key policies
//! granted      &= SCP levels AND RCP levels
//! allowed       = granted.yes      minus deny.possible
//! conditional   = granted.possible minus deny.yes, minus allowed
//! ```
//!
//! A statement meets only the members its resource patterns can match
//! ([`TargetSet::candidates`], a sorted-prefix lookup) and each candidate is then matched
//! exactly; conditions that cannot depend on the target are evaluated once per statement.
//! Resource policies, SCPs and RCPs do not depend on who asks within the account unless
//! a document reads principal-specific keys: those layers are computed once per set and
//! shared; principal-specific documents are evaluated per principal (SCPs, RCPs) or per
//! member through `request` (resource policies).

use super::compiled::{Caller, CompiledPolicy, ResourceMatch, Statement};
use super::glob::has_variable;
use super::interim::{InterimAuthorizer, RequestContext, RCP_SERVICES};
use super::set::EveryoneEffects;
use super::{ResourcePolicyRule, TargetSet, Tri};
use crate::graph::access::{class_actions, CLASSES};
use crate::graph::model::{Principal, PrincipalIdx};
use crate::snapshot::DocId;
use roaring::RoaringBitmap;
use std::sync::Arc;

/// A three-valued membership: members that certainly hold (`yes`) and members that may
/// hold (`possible`, a superset of `yes`).
#[derive(Debug, Clone, Default, PartialEq)]
struct TriSet {
    yes: RoaringBitmap,
    possible: RoaringBitmap,
}

impl TriSet {
    /// Every member, certainly.
    fn all(len: u32) -> TriSet {
        let mut every = RoaringBitmap::new();
        every.insert_range(0..len);
        TriSet {
            yes: every.clone(),
            possible: every,
        }
    }

    fn add(&mut self, member: u32, value: &Tri) {
        match value {
            Tri::Yes => {
                self.yes.insert(member);
                self.possible.insert(member);
            }
            Tri::Maybe(_) => {
                self.possible.insert(member);
            }
            Tri::No => {}
        }
    }

    /// Adds every member of `members` with one value.
    fn add_all(&mut self, members: &RoaringBitmap, value: &Tri) {
        match value {
            Tri::Yes => {
                self.yes |= members;
                self.possible |= members;
            }
            Tri::Maybe(_) => self.possible |= members,
            Tri::No => {}
        }
    }

    fn or(&mut self, other: &TriSet) {
        self.yes |= &other.yes;
        self.possible |= &other.possible;
    }

    fn and(&mut self, other: &TriSet) {
        self.yes &= &other.yes;
        self.possible &= &other.possible;
    }

    /// Conjunction with one value for every member.
    fn and_value(&mut self, value: &Tri) {
        match value {
            Tri::Yes => {}
            Tri::Maybe(_) => self.yes.clear(),
            Tri::No => {
                self.yes.clear();
                self.possible.clear();
            }
        }
    }

    fn is_empty(&self) -> bool {
        self.possible.is_empty()
    }

    /// Keeps only the members in `mask`.
    fn keep(&mut self, mask: &RoaringBitmap) {
        self.yes &= mask;
        self.possible &= mask;
    }

    /// Drops the members in `mask`.
    fn remove(&mut self, mask: &RoaringBitmap) {
        self.yes -= mask;
        self.possible -= mask;
    }
}

/// What one policy does to every member.
#[derive(Debug, Clone, Default)]
struct SetEffects {
    allow: TriSet,
    deny: TriSet,
}

/// An organization layer (SCPs or RCPs) over a set: every non-empty level must allow.
#[derive(Debug, Clone)]
struct LevelEffects {
    allow: TriSet,
    deny: TriSet,
}

/// The layers of a set that hold for every principal of its account.
#[derive(Debug, Default)]
struct Shared {
    /// Resource policy statements naming the caller directly (or everyone).
    direct: TriSet,
    /// Resource policy statements naming the caller's account.
    via_account: TriSet,
    /// Resource policy denies.
    deny: TriSet,
    /// Members whose resource policy reads principal-specific keys: asked per principal.
    per_principal: RoaringBitmap,
    /// Members whose resource policy names a principal ARN (in `Principal` or
    /// `NotPrincipal`), by that ARN: asked per principal for that principal.
    named: rustc_hash::FxHashMap<String, RoaringBitmap>,
    /// The SCP layer, unless an SCP of the account is principal-specific.
    scp: Option<LevelEffects>,
    /// The RCP layer (members of services RCPs do not govern always allow), unless an
    /// RCP is principal-specific.
    rcp: Option<LevelEffects>,
    /// Identity documents attached to several principals, over the set, by (document,
    /// action): see [`InterimAuthorizer::identity_over_set`].
    documents: std::sync::Mutex<rustc_hash::FxHashMap<(DocId, u64), Arc<SetEffects>>>,
}

/// A caller ARN no policy names: the shared resource policy layer is computed for a
/// principal of the account that is not named directly (members whose policy names the
/// asking principal are evaluated for it one by one).
const UNNAMED_CALLER: &str = "arn:aws:iam::000000000000:role/blastgraph/unnamed-caller";

impl InterimAuthorizer<'_> {
    pub(super) fn request_set(
        &self,
        principal_index: PrincipalIdx,
        action: &str,
        set: &TargetSet<'_>,
        allowed: &mut RoaringBitmap,
        conditional: &mut RoaringBitmap,
    ) {
        if set.is_empty() {
            return;
        }
        let principal = self.model.principal(principal_index);
        let shared = self.shared_layers(principal, action, set);
        let mut identity = TriSet::default();
        let mut deny = shared.deny.clone();
        for attached in &principal.policies {
            let effects = self.identity_over_set(attached.document, action, set, principal, shared);
            identity.or(&effects.allow);
            deny.or(&effects.deny);
        }
        if identity.is_empty()
            && shared.direct.is_empty()
            && shared.per_principal.is_empty()
            && !shared.named.contains_key(&principal.arn)
        {
            return;
        }
        if let Some(document) = principal.boundary {
            let effects = self.identity_over_set(document, action, set, principal, shared);
            identity.and(&effects.allow);
            deny.or(&effects.deny);
        }
        let mut granted = self.granted(set, &identity, shared);
        if !principal.service_linked {
            let computed;
            let scp = match &shared.scp {
                Some(scp) => scp,
                None => {
                    computed = self.levels_over_set(
                        &self.model.accounts[set.account as usize].scp_levels,
                        action,
                        set,
                        principal,
                        None,
                    );
                    &computed
                }
            };
            granted.and(&scp.allow);
            deny.or(&scp.deny);
        }
        let computed;
        let rcp = match &shared.rcp {
            Some(rcp) => rcp,
            None => {
                computed = self.rcp_over_set(action, set, principal);
                &computed
            }
        };
        granted.and(&rcp.allow);
        deny.or(&rcp.deny);
        let mut yes = &granted.yes - &deny.possible;
        let mut maybe = &(&granted.possible - &deny.yes) - &yes;
        let mut one_by_one = shared.per_principal.clone();
        if let Some(named) = shared.named.get(&principal.arn) {
            one_by_one |= named;
        }
        for member in &one_by_one {
            yes.remove(member);
            maybe.remove(member);
            let decision = self.request(principal_index, action, &set.target(member));
            super::record(&decision, member, &mut yes, &mut maybe);
        }
        *allowed |= yes;
        *conditional |= maybe;
    }

    /// Identity side and resource policy together: within the account either suffices
    /// (key policies must allow, directly or by delegating to the account); across
    /// accounts both must allow.
    fn granted(&self, set: &TargetSet<'_>, identity: &TriSet, shared: &Shared) -> TriSet {
        let mut same = if set.rule == ResourcePolicyRule::Required {
            let mut via = shared.via_account.clone();
            via.and(identity);
            via.or(&shared.direct);
            via
        } else {
            let mut either = identity.clone();
            either.or(&shared.direct);
            either
        };
        if set.foreign.is_empty() {
            return same;
        }
        same.remove(&set.foreign);
        let mut cross = shared.direct.clone();
        cross.or(&shared.via_account);
        cross.and(identity);
        cross.keep(&set.foreign);
        same.or(&cross);
        same
    }

    /// [`Self::policy_over_set`] for an identity policy or boundary. A document attached
    /// to several principals that reads no principal-specific key has the same effects
    /// for every principal of the set's account: computed once per set and kept.
    fn identity_over_set(
        &self,
        document: DocId,
        action: &str,
        set: &TargetSet<'_>,
        principal: &Principal,
        shared: &Shared,
    ) -> Arc<SetEffects> {
        let attached = self.attachments.get(document.0 as usize).copied();
        if attached.unwrap_or(0) < 2 || self.is_specific(document) {
            return Arc::new(self.policy_over_set(document, action, set, principal));
        }
        let key = (document, action_key(action));
        let lock = || {
            shared
                .documents
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        };
        if let Some(known) = lock().get(&key) {
            return known.clone();
        }
        let effects = Arc::new(self.policy_over_set(document, action, set, principal));
        lock().insert(key, effects.clone());
        effects
    }

    /// The caller-independent layers of a set for `action`, computed on first use.
    fn shared_layers<'s>(
        &self,
        principal: &Principal,
        action: &str,
        set: &'s TargetSet<'_>,
    ) -> &'s Shared {
        let shared = set
            .shared
            .get_or_init(|| Box::new(self.compute_shared(principal, action, set)) as Box<_>);
        shared
            .downcast_ref::<Shared>()
            .expect("a target set is only ever evaluated by one evaluator")
    }

    fn compute_shared(&self, principal: &Principal, action: &str, set: &TargetSet<'_>) -> Shared {
        let mut shared = Shared::default();
        let account = &self.model.accounts[set.account as usize];
        let caller = Caller::Iam {
            arn: UNNAMED_CALLER,
            account: &account.id,
        };
        for member in 0..set.len() {
            let Some(document) = set.policy(member) else {
                // A set holds collected resources: no policy means none.
                continue;
            };
            if self.is_specific(document) {
                shared.per_principal.insert(member);
                continue;
            }
            // A policy naming only everyone names no ARN (most members of a set: the
            // resources other accounts may reach), and needs no look at the resource.
            if !self.names_only_everyone(document) {
                for arn in &self.named_by(document).arns {
                    shared.named.entry(arn.clone()).or_default().insert(member);
                }
            }
            let [direct, via_account, deny] =
                self.resource_effects(document, action, set, member, principal, caller);
            shared.direct.add(member, &direct);
            shared.via_account.add(member, &via_account);
            shared.deny.add(member, &deny);
        }
        let scp_specific = account
            .scp_levels
            .iter()
            .flatten()
            .any(|&d| self.is_specific(d));
        if !scp_specific {
            shared.scp =
                Some(self.levels_over_set(&account.scp_levels, action, set, principal, None));
        }
        if !self.rcp_specific(set) {
            shared.rcp = Some(self.rcp_over_set(action, set, principal));
        }
        shared
    }

    /// A resource policy's (direct allow, allow via account, deny) for an unnamed caller
    /// of the set's account. A resource whose policy names only everyone (an
    /// organization-wide read, a public bucket) is in every account's set: its answer
    /// depends on the caller's account only through `aws:PrincipalOrgID`, so it is
    /// computed once per (resource, action, inside or outside the organization).
    fn resource_effects(
        &self,
        document: DocId,
        action: &str,
        set: &TargetSet<'_>,
        member: u32,
        principal: &Principal,
        caller: Caller<'_>,
    ) -> [Tri; 3] {
        let evaluate = || {
            let Some(policy) = self.policy(document) else {
                return [Tri::No, Tri::No, Tri::No];
            };
            let target = set.target(member);
            let context = self.context(principal, Some(&target));
            let effects = policy.evaluate(action, resource_match(&target), Some(caller), &context);
            [effects.allow, effects.allow_via_account, effects.deny]
        };
        if !self.names_only_everyone(document) {
            return evaluate();
        }
        let in_organization = self.model.accounts[set.account as usize].in_organization;
        let action = action_key(action);
        if let Some(cell) = set.everyone_cell(member, action, in_organization) {
            use std::sync::atomic::Ordering::Relaxed;
            // Racing writers store the same answer.
            if let Some(known) = EveryoneEffects::decode(cell.load(Relaxed)) {
                return known.map(decode);
            }
            let effects = evaluate();
            cell.store(
                EveryoneEffects::encode(effects.clone().map(|t| encode(&t))),
                Relaxed,
            );
            return effects;
        }
        let key = (set.id(member), action, in_organization);
        if let Some(known) = self.lock_effects().get(&key) {
            return (*known).map(decode);
        }
        let effects = evaluate();
        self.lock_effects()
            .insert(key, effects.clone().map(|t| encode(&t)));
        effects
    }

    fn is_specific(&self, document: DocId) -> bool {
        self.principal_specific
            .get(document.0 as usize)
            .copied()
            .unwrap_or(false)
    }

    pub(super) fn context<'c>(
        &'c self,
        principal: &'c Principal,
        target: Option<&'c super::Target<'c>>,
    ) -> RequestContext<'c> {
        RequestContext {
            model: self.model,
            principal,
            account: &self.model.accounts[principal.account as usize].id,
            target,
            claims: &[],
        }
    }

    /// The RCP layer: members of services RCPs govern meet the RCP levels of their
    /// resource's account; other members pass.
    fn rcp_over_set(
        &self,
        action: &str,
        set: &TargetSet<'_>,
        principal: &Principal,
    ) -> LevelEffects {
        // Members grouped by the RCP levels of their resource's account: accounts under
        // the same RCPs (most of an organization) share one evaluation over the set.
        let mut by_group: Vec<Vec<u32>> = vec![Vec::new(); self.rcp_group_account.len()];
        let governed: Vec<bool> = set
            .services()
            .iter()
            .map(|service| RCP_SERVICES.contains(service))
            .collect();
        for member in 0..set.len() {
            if governed[set.service_index(member)] {
                let account = set.resource_account(member);
                by_group[self.rcp_group[account as usize] as usize].push(member);
            }
        }
        let mut layer = LevelEffects {
            allow: TriSet::all(set.len()),
            deny: TriSet::default(),
        };
        for (group, members) in by_group.into_iter().enumerate() {
            if members.is_empty() {
                continue;
            }
            let members: RoaringBitmap = members.into_iter().collect();
            let account = self.rcp_group_account[group];
            let levels = &self.model.accounts[account as usize].rcp_levels;
            let governed = self.levels_over_set(levels, action, set, principal, Some(&members));
            layer.allow.remove(&members);
            layer.allow.or(&governed.allow);
            layer.deny.or(&governed.deny);
        }
        layer
    }

    /// Whether some RCP of an account with members in the set reads principal-specific
    /// keys.
    fn rcp_specific(&self, set: &TargetSet<'_>) -> bool {
        let mut accounts: Vec<u32> = (0..set.len()).map(|m| set.resource_account(m)).collect();
        accounts.sort_unstable();
        accounts.dedup();
        accounts.iter().any(|&a| {
            self.model.accounts[a as usize]
                .rcp_levels
                .iter()
                .flatten()
                .any(|&d| self.is_specific(d))
        })
    }

    /// Organization levels over the members in `only` (all when `None`): each non-empty
    /// level must allow; denies anywhere count.
    fn levels_over_set(
        &self,
        levels: &[Vec<DocId>],
        action: &str,
        set: &TargetSet<'_>,
        principal: &Principal,
        only: Option<&RoaringBitmap>,
    ) -> LevelEffects {
        let mut allow = TriSet::all(set.len());
        let mut deny = TriSet::default();
        for level in levels {
            if level.is_empty() {
                // As in `org_levels`: an empty level is missing data, not a deny.
                continue;
            }
            let mut any = TriSet::default();
            for &document in level {
                let effects = self.policy_over_set(document, action, set, principal);
                any.or(&effects.allow);
                deny.or(&effects.deny);
            }
            allow.and(&any);
        }
        if let Some(only) = only {
            allow.keep(only);
            deny.keep(only);
        }
        LevelEffects { allow, deny }
    }

    /// One identity-side document (identity policy, boundary, SCP, RCP: no caller
    /// matching) over every member.
    fn policy_over_set(
        &self,
        document: DocId,
        action: &str,
        set: &TargetSet<'_>,
        principal: &Principal,
    ) -> SetEffects {
        let mut effects = SetEffects::default();
        let Some(policy) = self.policy(document) else {
            return effects;
        };
        let class = class_index(action);
        let masks = class.map(|_| self.class_masks(document, policy));
        for (index, statement) in policy.statements.iter().enumerate() {
            // Without a caller only statements naming everyone apply (as in
            // `CompiledPolicy::evaluate`).
            let applies_to_caller = statement.principals.is_none() || statement.names_everyone();
            let matches = match (class, masks) {
                (Some(class), Some(masks)) => masks[index] & (1 << class) != 0,
                _ => statement.matches_action(action),
            };
            if !applies_to_caller || !matches {
                continue;
            }
            let applies = self.statement_over_set(policy, statement, set, principal);
            if statement.allow {
                effects.allow.or(&applies);
            } else {
                effects.deny.or(&applies);
            }
        }
        effects
    }

    /// Where one statement applies: its resource match and conditions, per member.
    fn statement_over_set(
        &self,
        policy: &CompiledPolicy,
        statement: &Statement,
        set: &TargetSet<'_>,
        principal: &Principal,
    ) -> TriSet {
        let reads = ConditionReads::of(statement);
        let constant = (reads == ConditionReads::NoTarget).then(|| {
            let first = set.target(0);
            statement.conditions_hold(&self.context(principal, Some(&first)))
        });
        if constant.as_ref().is_some_and(Tri::is_no) {
            return TriSet::default();
        }
        let mut per_account = (reads == ConditionReads::ResourceAccount)
            .then(|| vec![None; self.model.accounts.len()]);
        // The conditions on a member whose answer is not constant.
        let mut member_conditions = |member: u32| -> Tri {
            let holds = || {
                let target = set.target(member);
                statement.conditions_hold(&self.context(principal, Some(&target)))
            };
            match &mut per_account {
                Some(known) => known[set.resource_account(member) as usize]
                    .get_or_insert_with(holds)
                    .clone(),
                None => holds(),
            }
        };
        // Patterns with policy variables are resolved member by member; a statement
        // without them is matched on the ARN alone, even when others of its policy
        // have some.
        let pattern_variables = policy.variables
            && statement
                .resources
                .iter()
                .flatten()
                .any(|pattern| has_variable(pattern));
        match member_candidates(policy, statement, set) {
            Candidates::Every => {
                let mut applies = TriSet::all(set.len());
                match &constant {
                    Some(value) => applies.and_value(value),
                    None => {
                        applies = TriSet::default();
                        for member in 0..set.len() {
                            applies.add(member, &member_conditions(member));
                        }
                    }
                }
                applies
            }
            Candidates::None => TriSet::default(),
            Candidates::Check { members, certain } => {
                let mut applies = TriSet::default();
                // Members a pattern certainly matches need no matching; with conditions
                // that do not read the target they enter as one range.
                let members = match &constant {
                    Some(value) => {
                        applies.add_all(&certain, value);
                        members - &certain
                    }
                    None => members,
                };
                // Without policy variables the match reads the target's ARN only: most
                // candidates of a prefix range fail it, and are dropped before their
                // resource (tags, account) is looked at.
                let no_target = self.context(principal, None);
                for member in members {
                    let early = (!pattern_variables && !certain.contains(member)).then(|| {
                        statement.matches_resource(
                            set.resource_match(member),
                            statement.allow,
                            false,
                            &no_target,
                        )
                    });
                    if early.as_ref().is_some_and(Tri::is_no) {
                        continue;
                    }
                    // The resource itself is read only when the match or the
                    // conditions need it.
                    let resource = match early {
                        Some(resource) => resource,
                        None if certain.contains(member) => Tri::Yes,
                        None => {
                            let target = set.target(member);
                            statement.matches_resource(
                                resource_match(&target),
                                statement.allow,
                                pattern_variables,
                                &self.context(principal, Some(&target)),
                            )
                        }
                    };
                    if resource.is_no() {
                        continue;
                    }
                    let conditions = match &constant {
                        Some(value) => value.clone(),
                        None => member_conditions(member),
                    };
                    applies.add(member, &resource.and(conditions));
                }
                applies
            }
        }
    }
}

/// What of the target a statement's conditions read (the request context reads the
/// target for the `aws:resource...` keys only: `aws:ResourceAccount`,
/// `aws:ResourceOrgID`, `aws:ResourceTag/...`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ConditionReads {
    /// Nothing: the conditions have one answer for every member.
    NoTarget,
    /// Only the resource's account (`aws:ResourceAccount`, `aws:ResourceOrgID`): one
    /// answer per resource account (an organization-wide read of every bucket asks the
    /// organization of 200 accounts, not of 13,000 buckets).
    ResourceAccount,
    /// Anything else of it (tags, or a policy variable naming a resource key).
    Anything,
}

impl ConditionReads {
    fn of(statement: &Statement) -> ConditionReads {
        let mut reads = ConditionReads::NoTarget;
        for condition in &statement.conditions {
            let variable_reads_target = condition
                .values
                .iter()
                .any(|v| has_variable(v) && v.to_ascii_lowercase().contains("aws:resource"));
            if variable_reads_target {
                return ConditionReads::Anything;
            }
            match condition.key.as_str() {
                "aws:resourceaccount" | "aws:resourceorgid" => {
                    reads = ConditionReads::ResourceAccount;
                }
                key if key.starts_with("aws:resource") => return ConditionReads::Anything,
                _ => {}
            }
        }
        reads
    }
}

/// The index in [`CLASSES`] of a (lower-case) action class, if it is one.
fn class_index(action: &str) -> Option<u32> {
    static INDEX: std::sync::LazyLock<rustc_hash::FxHashMap<String, u32>> =
        std::sync::LazyLock::new(|| {
            class_actions()
                .iter()
                .enumerate()
                .map(|(i, action)| (action.clone(), i as u32))
                .collect()
        });
    INDEX.get(action).copied()
}

impl InterimAuthorizer<'_> {
    /// Per statement of a document, a bit per action class it covers (computed once per
    /// document: matching actions is the inner loop of every set evaluation).
    fn class_masks<'p>(&'p self, document: DocId, policy: &CompiledPolicy) -> &'p [u32] {
        self.class_masks[document.0 as usize].get_or_init(|| {
            policy
                .statements
                .iter()
                .map(|statement| {
                    class_actions()
                        .iter()
                        .enumerate()
                        .fold(0u32, |mask, (i, action)| {
                            if statement.matches_action(action) {
                                mask | 1 << i
                            } else {
                                mask
                            }
                        })
                })
                .collect()
        })
    }
}

const _: () = assert!(CLASSES.len() <= 32, "class masks are u32");

/// An action's key in the effects cache (the lower-case action text, hashed).
fn action_key(action: &str) -> u64 {
    use std::hash::{BuildHasher, BuildHasherDefault};
    BuildHasherDefault::<rustc_hash::FxHasher>::default().hash_one(action)
}

fn encode(value: &Tri) -> u8 {
    match value {
        Tri::No => 0,
        Tri::Maybe(_) => 1,
        Tri::Yes => 2,
    }
}

/// The cache keeps no condition keys: sets only need yes / maybe / no.
fn decode(value: u8) -> Tri {
    match value {
        0 => Tri::No,
        1 => Tri::Maybe(Vec::new()),
        _ => Tri::Yes,
    }
}

/// The members a statement's resource element can apply to.
enum Candidates {
    /// Every member, certainly (no `Resource` element, or `"*"`).
    Every,
    /// No member (`NotResource: "*"`).
    None,
    /// These members, to be matched exactly, except those in `certain`: matched for
    /// sure ([`TargetSet::certain`]).
    Check {
        members: RoaringBitmap,
        certain: RoaringBitmap,
    },
}

fn member_candidates(
    policy: &CompiledPolicy,
    statement: &Statement,
    set: &TargetSet<'_>,
) -> Candidates {
    let Some(patterns) = &statement.resources else {
        return Candidates::Every;
    };
    let has_star = patterns.iter().any(|p| p == "*");
    if has_star {
        return if statement.not_resource {
            Candidates::None
        } else {
            Candidates::Every
        };
    }
    let mut members = RoaringBitmap::new();
    let mut certain = RoaringBitmap::new();
    let variables = policy.variables && patterns.iter().any(|p| has_variable(p));
    if statement.not_resource || variables {
        members.insert_range(0..set.len());
        return Candidates::Check { members, certain };
    }
    for pattern in patterns {
        set.candidates(pattern, &mut members);
        for range in set.certain(pattern).into_iter().flatten() {
            certain.insert_range(range);
        }
    }
    Candidates::Check { members, certain }
}

fn resource_match<'t>(target: &super::Target<'t>) -> ResourceMatch<'t> {
    if target.is_abstract {
        ResourceMatch::Abstract(target.arn)
    } else {
        ResourceMatch::Arn(target.arn)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Statements whose conditions read the resource's account only are answered once
    /// per resource account; any other target key, or a policy variable naming one,
    /// keeps the answer per member; principal keys and principal variables keep it
    /// constant.
    #[test]
    fn condition_reads_tell_what_of_the_target_is_read() {
        let policy = CompiledPolicy::parse(
            r#"{"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
                {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
                 "Condition": {"StringEquals": {"aws:ResourceOrgID": "o-1", "aws:PrincipalTag/team": "x"}}},
                {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
                 "Condition": {"StringEquals": {"aws:ResourceAccount": "${aws:PrincipalAccount}"}}},
                {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
                 "Condition": {"StringEquals": {"aws:ResourceTag/team": "x", "aws:ResourceAccount": "1"}}},
                {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
                 "Condition": {"StringEquals": {"aws:PrincipalTag/team": "${aws:ResourceTag/team}"}}},
                {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
                 "Condition": {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}},
                {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
                 "Condition": {"StringEquals": {"aws:PrincipalTag/team": "${aws:PrincipalAccount}"}}}
            ]}"#,
        )
        .expect("a policy");
        let reads: Vec<ConditionReads> = policy.statements.iter().map(ConditionReads::of).collect();
        use ConditionReads::{Anything, NoTarget, ResourceAccount};
        assert_eq!(
            reads,
            [
                NoTarget,
                ResourceAccount,
                ResourceAccount,
                Anything,
                Anything,
                Anything,
                NoTarget
            ]
        );
    }
}
