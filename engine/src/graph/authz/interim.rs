//! The interim evaluator: implements [`Authorizer`] on the snapshot's documents until
//! the policy engine (`crate::policy`) offers the same questions. Each document is
//! parsed once; a request walks the principal's identity policies, boundary, SCP levels,
//! the resource policy and RCP levels (iam-evaluation.md, "The decision").

use super::compiled::{Caller, CompiledPolicy, Context, Effects, Lookup, ResourceMatch};
use super::glob::has_variable;
use super::{
    Authorizer, Decision, Layer, PolicyPrincipals, ResourcePolicyRule, Target, Tri,
    TrustedPrincipals, Why,
};
use crate::graph::model::{Model, Principal, PrincipalIdx, PrincipalKind};
use crate::snapshot::{DocId, Snapshot};
use std::sync::Arc;

/// The actions the graph asks [`Authorizer::may_allow`] about for every principal
/// (privilege escalation requirements, access classes, `sts:AssumeRole`, administrator
/// sentinels), by index: each document keeps its answer to each of them.
fn probe_index(action: &str) -> Option<u32> {
    static INDEX: std::sync::LazyLock<rustc_hash::FxHashMap<&'static str, u32>> =
        std::sync::LazyLock::new(|| {
            let privesc = crate::graph::privesc::CATALOGUE
                .iter()
                .flat_map(|t| t.requires)
                .map(|r| r.action);
            let classes = crate::graph::access::class_actions()
                .iter()
                .map(String::as_str);
            let mut index = rustc_hash::FxHashMap::default();
            for action in privesc
                .chain(classes)
                .chain(["sts:assumerole"])
                .chain(crate::graph::admin::SENTINELS.iter().copied())
            {
                let next = index.len() as u32;
                if next < ActionProbes::CAPACITY {
                    index.entry(action).or_insert(next);
                }
            }
            index
        });
    INDEX.get(action).copied()
}

/// One document's answers to the probed actions: bit `i` of `known` says whether the
/// answer to action `i` was computed, bit `i` of `allowed` what it is. Threads racing on
/// an unknown bit both compute the same answer.
#[derive(Default)]
struct ActionProbes {
    known: [std::sync::atomic::AtomicU64; 2],
    allowed: [std::sync::atomic::AtomicU64; 2],
}

impl ActionProbes {
    const CAPACITY: u32 = 128;
}

impl InterimAuthorizer<'_> {
    /// [`CompiledPolicy::may_allow`] of one document, remembered for probed actions.
    fn document_may_allow(&self, document: DocId, action: &str, probe: Option<u32>) -> bool {
        use std::sync::atomic::Ordering::{Acquire, Release};
        let compute = || self.policy(document).is_some_and(|c| c.may_allow(action));
        let (Some(index), Some(probes)) = (probe, self.may_allow_probes.get(document.0 as usize))
        else {
            return compute();
        };
        let (word, bit) = ((index / 64) as usize, 1u64 << (index % 64));
        if probes.known[word].load(Acquire) & bit != 0 {
            return probes.allowed[word].load(Acquire) & bit != 0;
        }
        let answer = compute();
        if answer {
            probes.allowed[word].fetch_or(bit, Release);
        }
        probes.known[word].fetch_or(bit, Release);
        answer
    }
}

/// An action's key in the levels cache (its text, hashed; entries keep the text too).
fn action_hash(action: &str) -> u64 {
    use std::hash::BuildHasher;
    rustc_hash::FxBuildHasher.hash_one(action)
}

/// Services whose resources resource control policies govern.
pub(super) const RCP_SERVICES: &[&str] = &["s3", "sts", "kms", "sqs", "secretsmanager"];

/// The interim evaluator over one snapshot.
pub struct InterimAuthorizer<'m> {
    pub(super) model: &'m Model,
    policies: Vec<Option<CompiledPolicy>>,
    pub(super) principal_specific: Vec<bool>,
    /// Per account, its SCPs and every RCP of the organization that read
    /// principal-specific keys (they split equivalence groups).
    specific_org_policies: Vec<Vec<DocId>>,
    /// Whom each resource policy names, computed on first use.
    named: Vec<std::sync::OnceLock<PolicyPrincipals>>,
    /// Per document, whether it names nobody but everyone (computed on first use).
    only_everyone: Vec<std::sync::OnceLock<bool>>,
    /// Per document, per statement, the action classes it covers (see `batch`).
    pub(super) class_masks: Vec<std::sync::OnceLock<Vec<u32>>>,
    /// Resource policy effects shared between target sets, by (resource id, action,
    /// caller inside the organization): see `batch::resource_effects`.
    effects_cache: std::sync::Mutex<rustc_hash::FxHashMap<(u32, u64, bool), [u8; 3]>>,
    /// Per document, how many principals it is attached to (identity policy or
    /// boundary): documents attached more than once share set evaluations (`batch`).
    pub(super) attachments: Vec<u32>,
    /// Per account (model index), its RCP group: accounts under equal RCP levels share
    /// a group (most of an organization).
    pub(super) rcp_group: Vec<u32>,
    /// Per RCP group, an account (model index) of it.
    pub(super) rcp_group_account: Vec<u32>,
    /// Organization levels whose verdict holds for every request of an account for an
    /// action: see [`InterimAuthorizer::org_levels_cached`].
    levels_cache: std::sync::Mutex<rustc_hash::FxHashMap<LevelsKey, Option<Arc<LevelsVerdict>>>>,
    /// Per principal, the number of its organization signature (see
    /// [`InterimAuthorizer::signature_class`]), computed on first use.
    signature_classes: Vec<std::sync::OnceLock<u32>>,
    /// Per document, its answers to [`CompiledPolicy::may_allow`] for the actions the
    /// graph asks about again and again (see [`probe_index`]).
    may_allow_probes: Vec<ActionProbes>,
    /// Organization signatures by number.
    signatures: std::sync::Mutex<rustc_hash::FxHashMap<Vec<u32>, u32>>,
    /// Documents that failed to parse, with the error (reported as coverage problems).
    pub errors: Vec<(DocId, String)>,
}

/// (account whose levels they are, caller's account, RCP levels, hash of the action,
/// the caller's organization signature class).
type LevelsKey = (u32, u32, bool, u64, u32);

/// The verdict of one account's SCP or RCP levels on one action, for any resource and
/// any principal of one caller account.
#[derive(Debug)]
struct LevelsVerdict {
    /// The action (the key holds its hash only).
    action: String,
    /// Every non-empty level allows.
    all: Tri,
    /// The documents whose effects deny, in evaluation order, to replay into `Denies`.
    denies: Vec<(DocId, Effects)>,
}

impl<'m> InterimAuthorizer<'m> {
    /// Compiles every document of the snapshot once.
    pub fn new(snapshot: &Snapshot, model: &'m Model) -> Self {
        use rayon::prelude::*;
        let texts: Vec<(DocId, &crate::snapshot::PolicyText)> = snapshot.documents.iter().collect();
        let parsed: Vec<Result<CompiledPolicy, String>> = texts
            .par_iter()
            .map(|(_, text)| CompiledPolicy::parse(text.as_str()))
            .collect();
        let mut errors = Vec::new();
        let policies: Vec<Option<CompiledPolicy>> = parsed
            .into_iter()
            .zip(&texts)
            .map(|(result, (id, _))| match result {
                Ok(policy) => Some(policy),
                Err(error) => {
                    errors.push((*id, error));
                    None
                }
            })
            .collect();
        let principal_specific: Vec<bool> = policies
            .iter()
            .map(|p| {
                p.as_ref()
                    .is_some_and(CompiledPolicy::is_principal_specific)
            })
            .collect();
        let is_specific = |d: &DocId| principal_specific.get(d.0 as usize) == Some(&true);
        let mut specific_rcps: Vec<DocId> = model
            .accounts
            .iter()
            .flat_map(|a| a.rcp_levels.iter().flatten().copied())
            .filter(is_specific)
            .collect();
        specific_rcps.sort_unstable_by_key(|d| d.0);
        specific_rcps.dedup();
        let specific_org_policies = model
            .accounts
            .iter()
            .map(|a| {
                let mut docs: Vec<DocId> = a
                    .scp_levels
                    .iter()
                    .flatten()
                    .copied()
                    .filter(is_specific)
                    .collect();
                docs.sort_unstable_by_key(|d| d.0);
                docs.dedup();
                docs.extend(specific_rcps.iter().copied());
                docs
            })
            .collect();
        let policies_len = policies.len();
        let mut attachments = vec![0u32; policies_len];
        for principal in &model.principals {
            let documents = principal.policies.iter().map(|a| a.document);
            for document in documents.chain(principal.boundary) {
                if let Some(count) = attachments.get_mut(document.0 as usize) {
                    *count = count.saturating_add(1);
                }
            }
        }
        let mut rcp_group_account: Vec<u32> = Vec::new();
        let rcp_group: Vec<u32> = {
            let mut by_levels: rustc_hash::FxHashMap<&[Vec<DocId>], u32> = Default::default();
            (0..model.accounts.len() as u32)
                .map(|a| {
                    let levels = model.accounts[a as usize].rcp_levels.as_slice();
                    *by_levels.entry(levels).or_insert_with(|| {
                        rcp_group_account.push(a);
                        rcp_group_account.len() as u32 - 1
                    })
                })
                .collect()
        };
        let named = (0..policies.len())
            .map(|_| std::sync::OnceLock::new())
            .collect();
        InterimAuthorizer {
            model,
            policies,
            principal_specific,
            specific_org_policies,
            named,
            effects_cache: Default::default(),
            levels_cache: Default::default(),
            signature_classes: (0..model.principals.len())
                .map(|_| std::sync::OnceLock::new())
                .collect(),
            signatures: Default::default(),
            may_allow_probes: (0..policies_len).map(|_| ActionProbes::default()).collect(),
            only_everyone: (0..policies_len)
                .map(|_| std::sync::OnceLock::new())
                .collect(),
            class_masks: (0..policies_len)
                .map(|_| std::sync::OnceLock::new())
                .collect(),
            attachments,
            rcp_group,
            rcp_group_account,
            errors,
        }
    }

    /// The shared resource policy effects (a poisoned lock only means another thread
    /// panicked mid-insert of a complete entry: the map is still consistent).
    pub(super) fn lock_effects(
        &self,
    ) -> std::sync::MutexGuard<'_, rustc_hash::FxHashMap<(u32, u64, bool), [u8; 3]>> {
        self.effects_cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Whether a resource policy names nobody but everyone (`"*"`) and reads no
    /// `aws:PrincipalAccount`: its answer for an unnamed caller depends on the caller's
    /// account only through whether it is in the organization.
    pub(super) fn names_only_everyone(&self, document: DocId) -> bool {
        self.only_everyone
            .get(document.0 as usize)
            .is_some_and(|cell| {
                *cell.get_or_init(|| {
                    let named = self.named_by(document);
                    named.accounts.is_empty()
                        && named.arns.is_empty()
                        && !named.principal_specific
                        && self.policy(document).is_some_and(|p| {
                            p.statements
                                .iter()
                                .flat_map(|s| &s.conditions)
                                .all(|c| c.key != "aws:principalaccount")
                        })
                })
            })
    }

    /// Whom a resource policy names (cached [`Authorizer::resource_policy_principals`]).
    pub(super) fn named_by(&self, document: DocId) -> &PolicyPrincipals {
        static NOTHING: PolicyPrincipals = PolicyPrincipals {
            arns: Vec::new(),
            accounts: Vec::new(),
            any: false,
            principal_specific: false,
        };
        match self.named.get(document.0 as usize) {
            Some(cell) => cell.get_or_init(|| self.compute_policy_principals(document)),
            None => &NOTHING,
        }
    }

    pub(super) fn policy(&self, id: DocId) -> Option<&CompiledPolicy> {
        self.policies.get(id.0 as usize).and_then(Option::as_ref)
    }

    fn evaluate(
        &self,
        document: DocId,
        action: &str,
        resource: ResourceMatch<'_>,
        caller: Option<Caller<'_>>,
        context: &dyn Context,
    ) -> Effects {
        match self.policy(document) {
            Some(policy) => policy.evaluate(action, resource, caller, context),
            None => Effects::default(),
        }
    }

    /// Every level must allow; denies anywhere count.
    fn org_levels(
        &self,
        levels: &[Vec<DocId>],
        layer: Layer,
        action: &str,
        resource: ResourceMatch<'_>,
        context: &dyn Context,
        denies: &mut Denies,
    ) -> Tri {
        self.walk_levels(levels, action, resource, context, |document, effects| {
            denies.add(effects, layer, document)
        })
    }

    /// Every level must allow: evaluates each document of each level once, hands its
    /// effects to `visit`, and returns the levels' combined verdict.
    fn walk_levels(
        &self,
        levels: &[Vec<DocId>],
        action: &str,
        resource: ResourceMatch<'_>,
        context: &dyn Context,
        mut visit: impl FnMut(DocId, &Effects),
    ) -> Tri {
        let mut all = Tri::Yes;
        for level in levels {
            if level.is_empty() {
                // A level with nothing attached is impossible in AWS (FullAWSAccess
                // cannot be detached without a replacement): missing data, not a deny.
                continue;
            }
            let mut any = Tri::No;
            for &document in level {
                let effects = self.evaluate(document, action, resource, None, context);
                visit(document, &effects);
                any = any.or(effects.allow);
            }
            all = all.and(any);
        }
        all
    }

    /// [`Self::org_levels`], kept per (levels' account, caller's account, layer, action,
    /// caller's organization signature) when its verdict cannot depend on the rest of the
    /// request: every statement that may match the action names `*` or no resource, reads
    /// no `aws:resource...` key and no policy variable, and the request carries no extra
    /// context (`cacheable`). What is left of the context is the caller's account and
    /// organization, unknown keys, and principal-specific keys, whose every condition in
    /// the organization's policies the signature holds the value of
    /// ([`Self::organization_signature`]).
    fn org_levels_cached(
        &self,
        (principal, owner, rcp): (PrincipalIdx, u32, bool),
        levels: &[Vec<DocId>],
        action: &str,
        (resource, cacheable): (ResourceMatch<'_>, bool),
        context: &dyn Context,
        denies: &mut Denies,
    ) -> Tri {
        let layer = if rcp { Layer::Rcp } else { Layer::Scp };
        if !cacheable {
            return self.org_levels(levels, layer, action, resource, context, denies);
        }
        let key = (
            owner,
            self.model.principal(principal).account,
            rcp,
            action_hash(action),
            self.signature_class(principal),
        );
        let known = self
            .lock_levels()
            .get(&key)
            .map(|verdict| verdict.clone().filter(|v| v.action == action));
        let verdict = match known {
            Some(Some(verdict)) => verdict,
            Some(None) => return self.org_levels(levels, layer, action, resource, context, denies),
            None => {
                if !self.levels_ignore_request(levels, action) {
                    self.lock_levels().insert(key, None);
                    return self.org_levels(levels, layer, action, resource, context, denies);
                }
                let mut recorded = Vec::new();
                let all =
                    self.org_levels_recorded(levels, action, resource, context, &mut recorded);
                let verdict = Arc::new(LevelsVerdict {
                    action: action.to_string(),
                    all,
                    denies: recorded,
                });
                self.lock_levels().insert(key, Some(verdict.clone()));
                verdict
            }
        };
        for (document, effects) in &verdict.denies {
            denies.add(effects, layer, *document);
        }
        verdict.all.clone()
    }

    /// Whether the verdict of `levels` on `action` is the same for every resource and
    /// every principal of one account (see [`Self::org_levels_cached`]).
    fn levels_ignore_request(&self, levels: &[Vec<DocId>], action: &str) -> bool {
        levels.iter().flatten().all(|&document| {
            self.policy(document).is_none_or(|policy| {
                policy.statements.iter().all(|statement| {
                    !statement.matches_action(action)
                        || (statement
                            .resources
                            .as_ref()
                            .is_none_or(|patterns| patterns.iter().any(|p| p == "*"))
                            && statement.conditions.iter().all(|c| {
                                !c.key.starts_with("aws:resource")
                                    && !c.values.iter().any(|v| has_variable(v))
                            }))
                })
            })
        })
    }

    /// [`Self::org_levels`], recording the effects of every document that denies.
    fn org_levels_recorded(
        &self,
        levels: &[Vec<DocId>],
        action: &str,
        resource: ResourceMatch<'_>,
        context: &dyn Context,
        recorded: &mut Vec<(DocId, Effects)>,
    ) -> Tri {
        self.walk_levels(levels, action, resource, context, |document, effects| {
            if !effects.deny.is_no() {
                recorded.push((document, effects.clone()));
            }
        })
    }

    /// A number per distinct organization signature: principals with equal numbers
    /// get equal values from every principal-specific condition of the SCPs of their
    /// account and of every RCP.
    fn signature_class(&self, principal: PrincipalIdx) -> u32 {
        *self.signature_classes[principal as usize].get_or_init(|| {
            let mut signature = Vec::new();
            self.organization_signature(principal, &mut signature);
            let mut known = self
                .signatures
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let next = known.len() as u32;
            *known.entry(signature).or_insert(next)
        })
    }

    fn lock_levels(
        &self,
    ) -> std::sync::MutexGuard<'_, rustc_hash::FxHashMap<LevelsKey, Option<Arc<LevelsVerdict>>>>
    {
        self.levels_cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(super) fn request(
        &self,
        principal_index: PrincipalIdx,
        action: &str,
        target: &Target<'_>,
    ) -> Decision {
        let principal = self.model.principal(principal_index);
        let account = self.model.account_id(principal_index);
        let context = RequestContext {
            model: self.model,
            principal,
            account,
            target: Some(target),
            claims: target.extra,
        };
        let resource = if target.is_abstract {
            ResourceMatch::Abstract(target.arn)
        } else {
            ResourceMatch::Arn(target.arn)
        };
        let mut denies = Denies::default();
        let mut identity = Tri::No;
        let mut allow_why = Why::NOTHING;
        for attached in &principal.policies {
            let effects = self.evaluate(attached.document, action, resource, None, &context);
            denies.add(&effects, Layer::Identity, attached.document);
            if let Some(statement) = effects.allow_statement {
                if allow_why.document.is_none() || (effects.allow.is_yes() && !identity.is_yes()) {
                    allow_why = Why {
                        layer: Layer::Identity,
                        document: Some(attached.document),
                        statement,
                    };
                }
            }
            identity = identity.or(effects.allow);
        }
        let boundary = match principal.boundary {
            None => Tri::Yes,
            Some(document) => {
                let effects = self.evaluate(document, action, resource, None, &context);
                denies.add(&effects, Layer::Boundary, document);
                effects.allow
            }
        };
        let account_info = &self.model.accounts[principal.account as usize];
        let scp = if principal.service_linked {
            Tri::Yes
        } else {
            self.org_levels_cached(
                (principal_index, principal.account, false),
                &account_info.scp_levels,
                action,
                (resource, target.extra.is_empty()),
                &context,
                &mut denies,
            )
        };
        let caller = Caller::Iam {
            arn: &principal.arn,
            account,
        };
        let (direct, via_account) = match target.policy {
            Some(document) => {
                let effects = self.evaluate(document, action, resource, Some(caller), &context);
                denies.add(&effects, Layer::Resource, document);
                if effects.allow_statement.is_some() && !identity.is_yes() {
                    allow_why = Why {
                        layer: Layer::Resource,
                        document: Some(document),
                        statement: effects.allow_statement.unwrap_or(0),
                    };
                }
                (effects.allow, effects.allow_via_account)
            }
            // An uncollected resource's policy: assumed not to grant on its own (that
            // would make every such resource reachable by everyone), but needed, and
            // unknown, across accounts and for key policies.
            None if !target.policy_known => (Tri::No, Tri::maybe("resource-policy-not-collected")),
            None => (Tri::No, Tri::No),
        };
        let same_account = target.account.is_none_or(|a| a == account);
        let identity_side = identity.and(boundary.clone());
        let identity_blocked = identity_side.is_no();
        let granted = match (target.rule, same_account) {
            (ResourcePolicyRule::Optional, true) => identity_side.or(direct),
            (ResourcePolicyRule::Required, true) => direct.or(via_account.and(identity_side)),
            (_, false) => identity_side.and(direct.or(via_account)),
        };
        let rcp = match target.account.and_then(|a| self.model.account_by_id.get(a)) {
            Some(&resource_account) if RCP_SERVICES.contains(&target.service) => {
                let levels = &self.model.accounts[resource_account as usize].rcp_levels;
                self.org_levels_cached(
                    (principal_index, resource_account, true),
                    levels,
                    action,
                    (resource, target.extra.is_empty()),
                    &context,
                    &mut denies,
                )
            }
            _ => Tri::Yes,
        };
        let granted = granted.and(scp.clone()).and(rcp.clone());
        if granted.is_no() && allow_why.document.is_some() && !identity_blocked {
            // Explain the layer that blocked an allowed identity request.
            if scp.is_no() {
                allow_why = Why {
                    layer: Layer::Scp,
                    document: None,
                    statement: 0,
                };
            } else if boundary.is_no() {
                allow_why = Why {
                    layer: Layer::Boundary,
                    document: principal.boundary,
                    statement: 0,
                };
            }
        }
        denies.decide(granted, allow_why)
    }
}

/// Denies gathered across layers.
#[derive(Default, Debug, PartialEq)]
struct Denies {
    deny: Tri,
    why: Option<Why>,
}

impl Denies {
    fn add(&mut self, effects: &Effects, layer: Layer, document: DocId) {
        if effects.deny.is_no() {
            return;
        }
        if self.why.is_none() || (effects.deny.is_yes() && !self.deny.is_yes()) {
            self.why = Some(Why {
                layer,
                document: Some(document),
                statement: effects.deny_statement.unwrap_or(0),
            });
        }
        self.deny = std::mem::take(&mut self.deny).or(effects.deny.clone());
    }

    fn decide(self, granted: Tri, allow_why: Why) -> Decision {
        if self.deny.is_yes() {
            return Decision::Deny(self.why.unwrap_or(Why::NOTHING));
        }
        match granted.and(self.deny.negate()) {
            Tri::Yes => Decision::Allow(allow_why),
            Tri::Maybe(keys) => Decision::Conditional(keys, allow_why),
            Tri::No => Decision::Deny(allow_why),
        }
    }
}

/// The request context: what the snapshot knows about the principal and the resource.
pub(super) struct RequestContext<'a> {
    pub(super) model: &'a Model,
    pub(super) principal: &'a Principal,
    pub(super) account: &'a str,
    pub(super) target: Option<&'a Target<'a>>,
    pub(super) claims: &'a [(String, String)],
}

impl Context for RequestContext<'_> {
    fn lookup(&self, key: &str) -> Lookup<'_> {
        let principal = self.principal;
        match key {
            "aws:principalarn" => Lookup::Value(&principal.arn),
            "aws:principalaccount" => Lookup::Value(self.account),
            "aws:principalorgid" => {
                // `account` is the principal's: its model index needs no lookup.
                let in_org = self.model.accounts[principal.account as usize].in_organization;
                match (&self.model.organization_id, in_org) {
                    (Some(id), true) => Lookup::Value(id),
                    (Some(_), false) => Lookup::Absent,
                    (None, _) => Lookup::Unknown,
                }
            }
            "aws:principaltype" => Lookup::Value(match principal.kind {
                PrincipalKind::User | PrincipalKind::Group => "User",
                PrincipalKind::Role => "AssumedRole",
            }),
            "aws:principalisawsservice" => Lookup::Value("false"),
            "aws:username" => match principal.kind {
                PrincipalKind::User => Lookup::Value(&principal.name),
                PrincipalKind::Role => Lookup::Absent,
                // A group's permissions are evaluated for some future member.
                PrincipalKind::Group => Lookup::Unknown,
            },
            "aws:userid" if principal.kind == PrincipalKind::User => {
                Lookup::Value(&principal.unique_id)
            }
            "aws:resourceaccount" => match self.target.and_then(|t| t.account) {
                Some(account) => Lookup::Value(account),
                None => Lookup::Unknown,
            },
            "aws:resourceorgid" => match (
                &self.model.organization_id,
                self.target.and_then(|t| t.account),
            ) {
                (Some(id), Some(account)) if self.in_org(account) => Lookup::Value(id),
                _ => Lookup::Unknown,
            },
            _ => {
                if let Some(tag) = key.strip_prefix("aws:principaltag/") {
                    return match principal
                        .tags
                        .iter()
                        .find(|(k, _)| k.eq_ignore_ascii_case(tag))
                    {
                        Some((_, v)) => Lookup::Value(v),
                        None => Lookup::Absent,
                    };
                }
                if let Some(tag) = key.strip_prefix("aws:resourcetag/") {
                    return match self.target.and_then(|t| t.tags) {
                        Some(tags) => {
                            match tags.iter().find(|(k, _)| k.eq_ignore_ascii_case(tag)) {
                                Some((_, v)) => Lookup::Value(v),
                                None => Lookup::Absent,
                            }
                        }
                        None => Lookup::Unknown,
                    };
                }
                match self.claims.iter().find(|(k, _)| k == key) {
                    Some((_, v)) => Lookup::Value(v),
                    None => Lookup::Unknown,
                }
            }
        }
    }
}

impl RequestContext<'_> {
    fn in_org(&self, account: &str) -> bool {
        self.model
            .account_by_id
            .get(account)
            .is_some_and(|&a| self.model.accounts[a as usize].in_organization)
    }
}

/// The context of a request made by a service or a web identity: only the claims given.
struct ClaimsContext<'a>(&'a [(String, String)]);

impl Context for ClaimsContext<'_> {
    fn lookup(&self, key: &str) -> Lookup<'_> {
        match self.0.iter().find(|(k, _)| k == key) {
            Some((_, v)) => Lookup::Value(v),
            None => Lookup::Unknown,
        }
    }
}

impl Authorizer for InterimAuthorizer<'_> {
    fn authorize(&self, principal: PrincipalIdx, action: &str, target: &Target<'_>) -> Decision {
        self.request(principal, action, target)
    }

    fn assume_role(&self, caller: PrincipalIdx, role: PrincipalIdx) -> Decision {
        let role_principal = self.model.principal(role);
        let Some(trust) = role_principal.trust else {
            return Decision::Deny(Why::NOTHING);
        };
        if role_principal.service_linked {
            return Decision::Deny(Why::NOTHING);
        }
        let target = Target {
            arn: &role_principal.arn,
            account: Some(self.model.account_id(role)),
            service: "sts",
            policy: Some(trust),
            rule: ResourcePolicyRule::Required,
            tags: Some(&role_principal.tags),
            is_abstract: false,
            policy_known: true,
            extra: &[],
        };
        self.request(caller, "sts:assumerole", &target)
    }

    fn web_identity(
        &self,
        role: PrincipalIdx,
        provider_arn: &str,
        claims: &[(String, String)],
    ) -> Decision {
        self.trust_only(
            role,
            "sts:assumerolewithwebidentity",
            Caller::Federated(provider_arn),
            claims,
        )
    }

    fn trusts_service(&self, role: PrincipalIdx, service: &str, source_account: &str) -> Decision {
        let claims = [("aws:sourceaccount".to_string(), source_account.to_string())];
        self.trust_only(role, "sts:assumerole", Caller::Service(service), &claims)
    }

    fn authorize_set(
        &self,
        principal: PrincipalIdx,
        action: &str,
        set: &super::TargetSet<'_>,
        allowed: &mut roaring::RoaringBitmap,
        conditional: &mut roaring::RoaringBitmap,
    ) {
        self.request_set(principal, action, set, allowed, conditional);
    }

    fn ignores_resource_arn(
        &self,
        principal_index: PrincipalIdx,
        action: &str,
        target: &Target<'_>,
    ) -> bool {
        if target.policy.is_some() || target.is_abstract {
            return false;
        }
        // The layers `request` walks without a caller; a statement reads the ARN only
        // through its resource element (conditions see the target's account, tags and
        // extra context, which the caller keeps equal).
        let principal = self.model.principal(principal_index);
        let identity = principal.policies.iter().map(|a| a.document);
        let boundary = principal.boundary;
        let account = &self.model.accounts[principal.account as usize];
        let scps = (!principal.service_linked)
            .then_some(&account.scp_levels)
            .into_iter()
            .flatten()
            .flatten()
            .copied();
        let rcps = target
            .account
            .and_then(|a| self.model.account_by_id.get(a))
            .filter(|_| RCP_SERVICES.contains(&target.service))
            .map(|&a| &self.model.accounts[a as usize].rcp_levels)
            .into_iter()
            .flatten()
            .flatten()
            .copied();
        identity
            .chain(boundary)
            .chain(scps)
            .chain(rcps)
            .all(|document| match self.policy(document) {
                None => true,
                Some(policy) => policy.statements.iter().all(|statement| {
                    !statement.matches_action(action)
                        || statement
                            .resources
                            .as_ref()
                            .is_none_or(|patterns| patterns.iter().any(|p| p == "*"))
                }),
            })
    }

    fn may_allow(&self, principal: PrincipalIdx, action_pattern: &str) -> bool {
        let probe = probe_index(action_pattern);
        self.model
            .principal(principal)
            .policies
            .iter()
            .any(|p| self.document_may_allow(p.document, action_pattern, probe))
    }

    fn equivalence_key(&self, principal: PrincipalIdx) -> Vec<u32> {
        let p = self.model.principal(principal);
        let specific = p
            .policies
            .iter()
            .map(|a| a.document)
            .chain(p.boundary)
            .any(|d| {
                self.principal_specific
                    .get(d.0 as usize)
                    .copied()
                    .unwrap_or(false)
            });
        let mut key = vec![p.account, u32::from(p.service_linked), p.kind as u32];
        key.push(p.boundary.map_or(u32::MAX, |d| d.0));
        key.extend(p.policies.iter().map(|a| a.document.0));
        if specific {
            key.push(u32::MAX);
            key.push(principal);
        }
        self.organization_signature(principal, &mut key);
        key
    }

    fn trusted_principals(&self, role: PrincipalIdx) -> TrustedPrincipals {
        let mut trusted = TrustedPrincipals::default();
        let Some(policy) = self
            .model
            .principal(role)
            .trust
            .and_then(|d| self.policy(d))
        else {
            return trusted;
        };
        for statement in &policy.statements {
            if !statement.allow || !statement.matches_action("sts:assumerole") {
                continue;
            }
            let Some(principals) = &statement.principals else {
                continue;
            };
            if statement.not_principal || principals.any {
                trusted.any = true;
                continue;
            }
            for entry in &principals.aws {
                if entry.len() == 12 && entry.bytes().all(|b| b.is_ascii_digit()) {
                    trusted.accounts.push(entry.clone());
                } else if let Some(account) = entry
                    .strip_prefix("arn:aws:iam::")
                    .and_then(|rest| rest.strip_suffix(":root"))
                {
                    trusted.accounts.push(account.to_string());
                } else {
                    trusted.arns.push(entry.clone());
                }
            }
        }
        trusted.accounts.sort();
        trusted.accounts.dedup();
        trusted.arns.sort();
        trusted.arns.dedup();
        trusted
    }

    fn resource_policy_principals(&self, document: DocId) -> PolicyPrincipals {
        self.named_by(document).clone()
    }

    fn allow_resource_patterns(&self, principal: PrincipalIdx, action: &str) -> Vec<String> {
        let mut patterns = Vec::new();
        for attached in &self.model.principal(principal).policies {
            let Some(policy) = self.policy(attached.document) else {
                continue;
            };
            for statement in &policy.statements {
                if !statement.allow || !statement.matches_action(action) {
                    continue;
                }
                match (&statement.resources, statement.not_resource) {
                    (Some(resources), false) => {
                        for r in resources {
                            let cut = if policy.variables {
                                r.find("${").unwrap_or(r.len())
                            } else {
                                r.len()
                            };
                            if cut < r.len() {
                                patterns.push(format!("{}*", &r[..cut]));
                            } else {
                                patterns.push(r.clone());
                            }
                        }
                    }
                    _ => patterns.push("*".to_string()),
                }
            }
        }
        patterns.sort();
        patterns.dedup();
        patterns
    }

    fn explain(&self, principal: Option<PrincipalIdx>, why: Why) -> String {
        let principal = principal.map(|p| self.model.principal(p));
        let statement = |document: Option<DocId>| {
            let sid = document
                .and_then(|d| self.policy(d))
                .and_then(|p| p.statements.get(why.statement))
                .and_then(|s| s.sid.clone());
            match sid {
                Some(sid) => format!("statement {} (Sid {sid})", why.statement),
                None => format!("statement {}", why.statement),
            }
        };
        match why.layer {
            Layer::None => "no policy allows it".to_string(),
            Layer::Identity => {
                let label = principal
                    .and_then(|p| p.policies.iter().find(|a| Some(a.document) == why.document))
                    .map_or("an identity policy", |a| a.label.as_str());
                format!("{label}, {}", statement(why.document))
            }
            Layer::Boundary => format!("the permissions boundary, {}", statement(why.document)),
            Layer::Scp => match why.document {
                Some(d) => format!("an SCP, {}", statement(Some(d))),
                None => "the SCPs do not allow it".to_string(),
            },
            Layer::Rcp => format!("an RCP, {}", statement(why.document)),
            Layer::Resource => format!("the resource policy, {}", statement(why.document)),
        }
    }
}

impl InterimAuthorizer<'_> {
    fn compute_policy_principals(&self, document: DocId) -> PolicyPrincipals {
        let mut result = PolicyPrincipals::default();
        let Some(policy) = self.policy(document) else {
            return result;
        };
        for statement in &policy.statements {
            let Some(principals) = &statement.principals else {
                continue;
            };
            // Only Allow statements grant: a Deny naming everyone or an account (a data
            // perimeter) makes no resource a candidate. ARNs count either way: a Deny
            // naming one principal sets it apart from its group.
            if statement.allow && (statement.not_principal || principals.any) {
                result.any = true;
            }
            for entry in &principals.aws {
                if entry.len() == 12 && entry.bytes().all(|b| b.is_ascii_digit()) {
                    if statement.allow {
                        result.accounts.push(entry.clone());
                    }
                } else if let Some(account) = entry
                    .strip_prefix("arn:aws:iam::")
                    .and_then(|rest| rest.strip_suffix(":root"))
                {
                    if statement.allow {
                        result.accounts.push(account.to_string());
                    }
                } else if entry != "*" {
                    result.arns.push(entry.clone());
                }
            }
        }
        for list in [&mut result.arns, &mut result.accounts] {
            list.sort();
            list.dedup();
        }
        result.principal_specific = policy.is_principal_specific();
        result
    }

    /// What sets a principal apart under the organization's policies: the value of every
    /// condition of its account's SCPs (and of any RCP) that reads a principal-specific
    /// key (`aws:PrincipalArn` exemptions of break-glass roles, principal tags). Two
    /// principals with equal identity policies and equal signatures get equal answers.
    fn organization_signature(&self, principal_index: PrincipalIdx, key: &mut Vec<u32>) {
        let principal = self.model.principal(principal_index);
        let context = self.context(principal, None);
        for &document in &self.specific_org_policies[principal.account as usize] {
            let Some(policy) = self.policy(document) else {
                continue;
            };
            for condition in policy.statements.iter().flat_map(|s| &s.conditions) {
                if condition.values.iter().any(|v| v.contains("${")) {
                    key.extend([u32::MAX - 1, principal_index]);
                    return;
                }
                if super::compiled::is_principal_specific_key(&condition.key) {
                    key.push(match condition.holds(&context) {
                        Tri::No => 0,
                        Tri::Yes => 1,
                        Tri::Maybe(_) => 2,
                    });
                }
            }
        }
    }

    fn trust_only(
        &self,
        role: PrincipalIdx,
        action: &str,
        caller: Caller<'_>,
        claims: &[(String, String)],
    ) -> Decision {
        let role_principal = self.model.principal(role);
        let Some(trust) = role_principal.trust else {
            return Decision::Deny(Why::NOTHING);
        };
        let context = ClaimsContext(claims);
        let effects = self.evaluate(
            trust,
            action,
            ResourceMatch::Arn(&role_principal.arn),
            Some(caller),
            &context,
        );
        let mut denies = Denies::default();
        denies.add(&effects, Layer::Resource, trust);
        let why = Why {
            layer: Layer::Resource,
            document: Some(trust),
            statement: effects.allow_statement.unwrap_or(0),
        };
        denies.decide(effects.allow, why)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::{generate, SynthConfig};

    /// `may_allow` answers from the per-document probes exactly as evaluating the
    /// documents again would, cold and warm, for probed and other actions.
    #[test]
    fn probed_may_allow_equals_evaluated() {
        let config = SynthConfig::custom(3, 40, 7).expect("a valid size");
        let snapshot = generate(&config).expect("generated").snapshot;
        let model = Model::new(&snapshot);
        let authz = InterimAuthorizer::new(&snapshot, &model);
        let mut actions: Vec<&str> = crate::graph::privesc::CATALOGUE
            .iter()
            .flat_map(|t| t.requires)
            .map(|r| r.action)
            .collect();
        actions.extend([
            "sts:assumerole",
            "s3:getobject",
            "s3:*",
            "iam:get*",
            "ec2:describeinstances",
        ]);
        let (mut probed, mut allowed) = (0usize, 0usize);
        for _pass in 0..2 {
            for (p, principal) in model.principals.iter().enumerate() {
                for action in &actions {
                    let expected = principal.policies.iter().any(|a| {
                        authz
                            .policy(a.document)
                            .is_some_and(|c| c.may_allow(action))
                    });
                    assert_eq!(
                        authz.may_allow(p as u32, action),
                        expected,
                        "{} {action}",
                        principal.arn
                    );
                    probed += usize::from(probe_index(action).is_some());
                    allowed += usize::from(expected);
                }
            }
        }
        assert!(
            probed > 1000 && allowed > 100,
            "{probed} probed, {allowed} allowed"
        );
    }

    /// The levels cache answers, and records denies, exactly as evaluating the levels
    /// again would, for every principal, on resources of every account, cold and warm.
    #[test]
    fn cached_levels_equal_evaluated_levels() {
        let actions = [
            "sts:assumerole",
            "s3:getobject",
            "s3:putbucketpolicy",
            "kms:decrypt",
            "iam:passrole",
            "ec2:runinstances",
            "secretsmanager:getsecretvalue",
            "organizations:leaveorganization",
        ];
        let mut cached = 0usize;
        for seed in [7, 1] {
            let config = SynthConfig::custom(3, 40, seed).expect("a valid size");
            let snapshot = generate(&config).expect("generated").snapshot;
            let model = Model::new(&snapshot);
            let authz = InterimAuthorizer::new(&snapshot, &model);
            let targets: Vec<(String, u32)> = snapshot
                .accounts
                .iter()
                .flat_map(|a| a.resources.iter().take(20).map(|r| r.arn.clone()))
                .chain(model.principals.iter().take(60).map(|p| p.arn.clone()))
                .map(|arn| {
                    let account = crate::graph::model::arn_account(&arn)
                        .and_then(|a| model.account_by_id.get(a).copied())
                        .unwrap_or(0);
                    (arn, account)
                })
                .collect();
            for _pass in 0..2 {
                for (p, principal) in model.principals.iter().enumerate() {
                    for action in actions {
                        for (arn, resource_account) in &targets {
                            let target = Target::plain(arn, None);
                            let context = RequestContext {
                                model: &model,
                                principal,
                                account: model.account_id(p as u32),
                                target: Some(&target),
                                claims: &[],
                            };
                            let resource = ResourceMatch::Arn(arn);
                            for (owner, rcp) in
                                [(principal.account, false), (*resource_account, true)]
                            {
                                let levels = if rcp {
                                    &model.accounts[owner as usize].rcp_levels
                                } else {
                                    &model.accounts[owner as usize].scp_levels
                                };
                                let layer = if rcp { Layer::Rcp } else { Layer::Scp };
                                let mut want = Denies::default();
                                let expected = authz.org_levels(
                                    levels, layer, action, resource, &context, &mut want,
                                );
                                let mut got = Denies::default();
                                let answer = authz.org_levels_cached(
                                    (p as u32, owner, rcp),
                                    levels,
                                    action,
                                    (resource, true),
                                    &context,
                                    &mut got,
                                );
                                assert_eq!(
                                    (answer, got),
                                    (expected, want),
                                    "seed {seed}: {} {action} on {arn}",
                                    principal.arn
                                );
                                if authz.levels_ignore_request(levels, action) {
                                    cached += 1;
                                }
                            }
                        }
                    }
                }
            }
        }
        assert!(cached > 1000, "only {cached} cached verdicts compared");
    }
}
