//! What each identity may do on resources: for every identity a roaring bitmap over
//! (resource, action class) pairs, allowed and conditionally allowed.
//!
//! Not every (action, resource) triple is enumerated: principals with the same
//! evaluation key (account, policies, boundary) share one computation; resources are
//! indexed by service so each action class only meets the resources it applies to;
//! classes a group's policies cannot allow at all are skipped before any evaluation.
//! A concrete action outside the classes is evaluated at query time, the same way
//! (per group, per caller account, one set at a time), by
//! [`super::action_sets::ActionAccess`].

use super::authz::{
    any_resource_pattern, Authorizer, ClassTargets, Decision, ResourcePolicyRule, SetEntry, Target,
    TargetSet,
};
use super::model::{Model, PrincipalIdx};
use crate::snapshot::{ResourceKind, Snapshot, Tags};
use rayon::prelude::*;
use roaring::RoaringBitmap;
use rustc_hash::FxHashMap;
use serde::Serialize;
use std::borrow::Cow;
use std::sync::Arc;

/// AWS's access levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AccessLevel {
    /// Reading data or configuration.
    Read,
    /// Listing.
    List,
    /// Changing data or configuration.
    Write,
    /// Changing who may do what.
    PermissionsManagement,
}

impl AccessLevel {
    /// The kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            AccessLevel::Read => "read",
            AccessLevel::List => "list",
            AccessLevel::Write => "write",
            AccessLevel::PermissionsManagement => "permissions-management",
        }
    }
}

/// The type of an indexed resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ResourceType {
    /// S3 bucket (its objects).
    S3Bucket,
    /// Secrets Manager secret.
    Secret,
    /// KMS key.
    KmsKey,
    /// RDS instance or cluster.
    RdsDatabase,
    /// Lambda function.
    LambdaFunction,
    /// DynamoDB table.
    DynamoDbTable,
    /// SSM parameter.
    SsmParameter,
    /// Anything else.
    Other,
}

/// How an action class names its resource, from the indexed resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceForm {
    /// The resource's ARN.
    Arn,
    /// Some object of the bucket (`BUCKET_ARN/*`).
    Objects,
    /// Some database user of the RDS resource id (`rds-db:connect`).
    DbUser,
}

/// An action class: a representative action of a resource type with its access level.
#[derive(Debug, Clone, Copy)]
pub struct ActionClass {
    /// The action, as AWS spells it.
    pub action: &'static str,
    /// The resource type it applies to.
    pub resource_type: ResourceType,
    /// Its access level.
    pub level: AccessLevel,
    /// A crown jewel: reading secrets, decrypting, reading data, connecting to databases.
    pub crown_jewel: bool,
    /// How its resource is named.
    pub form: ResourceForm,
}

const fn class(
    action: &'static str,
    resource_type: ResourceType,
    level: AccessLevel,
    crown_jewel: bool,
    form: ResourceForm,
) -> ActionClass {
    ActionClass {
        action,
        resource_type,
        level,
        crown_jewel,
        form,
    }
}

use AccessLevel::{List, PermissionsManagement as Perm, Read, Write};
use ResourceForm::{Arn, DbUser, Objects};
use ResourceType as R;

/// Every action class, crown jewels first within each type.
pub const CLASSES: &[ActionClass] = &[
    class("s3:GetObject", R::S3Bucket, Read, true, Objects),
    class("s3:PutObject", R::S3Bucket, Write, false, Objects),
    class("s3:DeleteObject", R::S3Bucket, Write, false, Objects),
    class("s3:ListBucket", R::S3Bucket, List, false, Arn),
    class("s3:PutBucketPolicy", R::S3Bucket, Perm, false, Arn),
    class("secretsmanager:GetSecretValue", R::Secret, Read, true, Arn),
    class(
        "secretsmanager:PutSecretValue",
        R::Secret,
        Write,
        false,
        Arn,
    ),
    class("secretsmanager:DeleteSecret", R::Secret, Write, false, Arn),
    class(
        "secretsmanager:PutResourcePolicy",
        R::Secret,
        Perm,
        false,
        Arn,
    ),
    class("kms:Decrypt", R::KmsKey, Write, true, Arn),
    class("kms:Encrypt", R::KmsKey, Write, false, Arn),
    class("kms:ScheduleKeyDeletion", R::KmsKey, Write, false, Arn),
    class("kms:PutKeyPolicy", R::KmsKey, Perm, false, Arn),
    class("kms:CreateGrant", R::KmsKey, Perm, false, Arn),
    class("rds-db:connect", R::RdsDatabase, Perm, true, DbUser),
    class("rds:DeleteDBInstance", R::RdsDatabase, Write, false, Arn),
    class("rds:ModifyDBInstance", R::RdsDatabase, Write, false, Arn),
    class("lambda:InvokeFunction", R::LambdaFunction, Write, true, Arn),
    class(
        "lambda:UpdateFunctionCode",
        R::LambdaFunction,
        Write,
        false,
        Arn,
    ),
    class("lambda:GetFunction", R::LambdaFunction, Read, false, Arn),
    class("lambda:AddPermission", R::LambdaFunction, Perm, false, Arn),
    class("dynamodb:GetItem", R::DynamoDbTable, Read, true, Arn),
    class("dynamodb:Scan", R::DynamoDbTable, Read, true, Arn),
    class("dynamodb:PutItem", R::DynamoDbTable, Write, false, Arn),
    class("dynamodb:DeleteTable", R::DynamoDbTable, Write, false, Arn),
    class("ssm:GetParameter", R::SsmParameter, Read, true, Arn),
    class("ssm:PutParameter", R::SsmParameter, Write, false, Arn),
];

/// Whether a resource type's policy must allow even within the account (KMS key
/// policies) or is one more way to be allowed.
pub fn policy_rule(resource_type: ResourceType) -> ResourcePolicyRule {
    if resource_type == R::KmsKey {
        ResourcePolicyRule::Required
    } else {
        ResourcePolicyRule::Optional
    }
}

/// The actions of [`CLASSES`] in lower case, as evaluators take them (same order).
pub fn class_actions() -> &'static [String] {
    static ACTIONS: std::sync::LazyLock<Vec<String>> = std::sync::LazyLock::new(|| {
        CLASSES
            .iter()
            .map(|c| c.action.to_ascii_lowercase())
            .collect()
    });
    &ACTIONS
}

/// Services whose resources are crown jewels: when one was not collected in an account,
/// an abstract "any resource of it" stands in.
pub const INDEXED_SERVICES: &[(&str, ResourceType)] = &[
    ("s3", R::S3Bucket),
    ("secretsmanager", R::Secret),
    ("kms", R::KmsKey),
    ("rds", R::RdsDatabase),
    ("lambda", R::LambdaFunction),
    ("dynamodb", R::DynamoDbTable),
    ("ssm", R::SsmParameter),
];

/// An indexed resource, concrete or abstract.
#[derive(Debug, Clone)]
pub struct IndexedResource {
    /// The ARN, or the pattern an abstract resource stands for.
    pub arn: String,
    /// The owning account.
    pub account: String,
    /// The service prefix.
    pub service: String,
    /// Its type.
    pub resource_type: ResourceType,
    /// Its resource policy.
    pub policy: Option<crate::snapshot::DocId>,
    /// Its tags.
    pub tags: Option<Tags>,
    /// The RDS resource id (for `rds-db:connect`).
    pub rds_resource_id: Option<String>,
    /// The region, when known.
    pub region: Option<String>,
    /// "Any resource of this service in this account": not collected.
    pub is_abstract: bool,
}

impl IndexedResource {
    /// The ARN or pattern an action class acts on, and whether it is a pattern.
    pub fn target_arn(&self, form: ResourceForm) -> (String, bool) {
        match form {
            ResourceForm::Arn => (self.arn.clone(), self.is_abstract),
            ResourceForm::Objects if self.is_abstract => (self.arn.clone(), true),
            ResourceForm::Objects => (format!("{}/*", self.arn), true),
            ResourceForm::DbUser => match (&self.rds_resource_id, self.is_abstract) {
                (Some(id), false) => (
                    format!(
                        "arn:aws:rds-db:{}:{}:dbuser:{id}/*",
                        self.region.as_deref().unwrap_or("*"),
                        self.account
                    ),
                    true,
                ),
                _ => (format!("arn:aws:rds-db:*:{}:dbuser:*", self.account), true),
            },
        }
    }

    /// A human name: the ARN, or `any S resource in account A`.
    pub fn display(&self) -> String {
        if self.is_abstract {
            format!(
                "any {} resource in {} (not collected)",
                self.service, self.account
            )
        } else {
            self.arn.clone()
        }
    }
}

/// The resource index and every identity's access.
///
/// A group's access is layered: resources every account of the organization may reach
/// (their policy names everyone) are most of what most groups hold, the same pairs for
/// every group whose identity policies allow the class. Such a group holds the class's
/// [`AccessIndex::layers`] entry by reference (a bit of `allowed_layers` or
/// `conditional_layers`) instead of a copy; its own bitmaps keep the rest. The pairs a
/// group is allowed are `own_allowed[g]` plus every layer of `allowed_layers[g]`
/// ([`AccessIndex::allowed`]); layers and own pairs never overlap, and an allowed and a
/// conditional pair never coincide.
pub struct AccessIndex {
    /// Every indexed resource, in snapshot order, abstract ones last per account.
    pub resources: Vec<IndexedResource>,
    /// Resource ids by service.
    pub by_service: FxHashMap<String, Vec<u32>>,
    /// For each principal, its access group.
    pub group_of: Vec<u32>,
    /// Per access group, the allowed (resource, class) pairs outside its layers.
    pub own_allowed: Vec<RoaringBitmap>,
    /// Per access group, the conditionally allowed pairs outside its layers.
    pub own_conditional: Vec<RoaringBitmap>,
    /// Per access group, the layers it is allowed in full: bit `c` stands for
    /// `layers[c]`.
    pub allowed_layers: Vec<u32>,
    /// Per access group, the layers it is conditionally allowed in full.
    pub conditional_layers: Vec<u32>,
    /// Per class (index into [`CLASSES`]), the pairs of the collected resources every
    /// account reaches: their policy names everyone.
    pub layers: Vec<RoaringBitmap>,
}

/// The classes of a layer mask, ascending.
pub fn layer_classes(mask: u32) -> impl Iterator<Item = usize> {
    (0..CLASSES.len()).filter(move |&c| mask & (1 << c) != 0)
}

/// The pair id of (resource, class).
pub fn pair(resource: u32, class: usize) -> u32 {
    resource * CLASSES.len() as u32 + class as u32
}

/// The (resource, class) of a pair id.
pub fn unpair(pair: u32) -> (u32, usize) {
    (
        pair / CLASSES.len() as u32,
        (pair % CLASSES.len() as u32) as usize,
    )
}

fn resource_type(kind: &ResourceKind, service: &str) -> ResourceType {
    match kind {
        ResourceKind::S3Bucket { .. } => R::S3Bucket,
        ResourceKind::Secret { .. } => R::Secret,
        ResourceKind::KmsKey { .. } => R::KmsKey,
        ResourceKind::RdsInstance(_) | ResourceKind::RdsCluster(_) => R::RdsDatabase,
        ResourceKind::LambdaFunction { .. } => R::LambdaFunction,
        ResourceKind::DynamoDbTable => R::DynamoDbTable,
        ResourceKind::SsmParameter { .. } => R::SsmParameter,
        ResourceKind::Other => INDEXED_SERVICES
            .iter()
            .find(|(s, _)| *s == service)
            .map_or(R::Other, |(_, t)| *t),
    }
}

impl AccessIndex {
    /// Indexes resources and computes every principal's access.
    pub fn build(snapshot: &Snapshot, model: &Model, authz: &dyn Authorizer) -> AccessIndex {
        let resources = index_resources(snapshot);
        let mut by_service: FxHashMap<String, Vec<u32>> = FxHashMap::default();
        for (i, r) in resources.iter().enumerate() {
            by_service
                .entry(r.service.clone())
                .or_default()
                .push(i as u32);
        }
        let mut index = AccessIndex {
            resources,
            by_service,
            group_of: Vec::new(),
            own_allowed: Vec::new(),
            own_conditional: Vec::new(),
            allowed_layers: Vec::new(),
            conditional_layers: Vec::new(),
            layers: Vec::new(),
        };
        index.compute(model, authz);
        index
    }

    fn compute(&mut self, model: &Model, authz: &dyn Authorizer) {
        let candidates = CandidateIndex::new(self, authz);
        // Groups of equivalent principals, evaluated once through a representative.
        let n = model.principals.len();
        self.group_of = super::equivalence_groups(authz, n);
        let mut groups: Vec<PrincipalIdx> = Vec::new();
        for (p, &group) in self.group_of.iter().enumerate() {
            if group as usize == groups.len() {
                groups.push(p as PrincipalIdx);
            }
        }
        let results: Vec<(RoaringBitmap, RoaringBitmap, [u32; 2])> = {
            let account_sets = AccountSets::new(&self.resources, model, authz);
            self.layers = account_sets.layers.clone();
            groups
                .par_iter()
                .map(|&rep| {
                    let pairs = candidates.pairs_of(self, authz, rep);
                    let (mut allowed, mut conditional) = self.evaluate_pairs(authz, rep, &pairs);
                    let layers =
                        account_sets.evaluate(authz, model, rep, &mut allowed, &mut conditional);
                    (allowed, conditional, layers)
                })
                .collect()
        };
        for (allowed, conditional, [allowed_layers, conditional_layers]) in results {
            self.push_group(allowed, conditional, allowed_layers, conditional_layers);
        }
        // Resources whose policy names a principal directly, or depends on who asks:
        // evaluate each principal on them (and on those naming its group's
        // representative), and give it a group of its own when its answer differs.
        let overrides: Vec<Option<(RoaringBitmap, RoaringBitmap)>> = (0..n as PrincipalIdx)
            .into_par_iter()
            .map(|p| {
                let group = self.group_of[p as usize] as usize;
                let rep = groups[group];
                let own = candidates.asked_again(model, p, rep);
                if own.is_empty() {
                    return None;
                }
                let pairs: Vec<(u32, usize)> =
                    own.iter().flat_map(|&r| self.classes_of(r)).collect();
                let mask: RoaringBitmap = pairs.iter().map(|&(r, c)| pair(r, c)).collect();
                let answer = self.evaluate_pairs(authz, p, &pairs);
                let group_sets = (&*self.allowed(group), &*self.conditional(group));
                // A group of its own holds its pairs without layers.
                answer_of_its_own(group_sets, &mask, answer)
            })
            .collect();
        for (p, result) in overrides.into_iter().enumerate() {
            if let Some((a, c)) = result {
                self.group_of[p] = self.groups() as u32;
                self.push_group(a, c, 0, 0);
            }
        }
    }

    /// Appends an access group: its own pairs and the layers it holds in full.
    pub(crate) fn push_group(
        &mut self,
        allowed: RoaringBitmap,
        conditional: RoaringBitmap,
        allowed_layers: u32,
        conditional_layers: u32,
    ) {
        self.own_allowed.push(allowed);
        self.own_conditional.push(conditional);
        self.allowed_layers.push(allowed_layers);
        self.conditional_layers.push(conditional_layers);
    }

    /// How many access groups.
    pub fn groups(&self) -> usize {
        self.own_allowed.len()
    }

    /// The pairs access group `group` is allowed: its own and its layers'.
    pub fn allowed(&self, group: usize) -> Cow<'_, RoaringBitmap> {
        self.with_layers(&self.own_allowed[group], self.allowed_layers[group])
    }

    /// The pairs access group `group` is conditionally allowed.
    pub fn conditional(&self, group: usize) -> Cow<'_, RoaringBitmap> {
        self.with_layers(&self.own_conditional[group], self.conditional_layers[group])
    }

    fn with_layers<'s>(&'s self, own: &'s RoaringBitmap, mask: u32) -> Cow<'s, RoaringBitmap> {
        if mask == 0 {
            return Cow::Borrowed(own);
        }
        let mut all = own.clone();
        for c in layer_classes(mask) {
            all |= &self.layers[c];
        }
        Cow::Owned(all)
    }

    /// Every (resource, class) pair of a resource.
    fn classes_of(&self, resource: u32) -> impl Iterator<Item = (u32, usize)> + '_ {
        let t = self.resources[resource as usize].resource_type;
        CLASSES
            .iter()
            .enumerate()
            .filter(move |(_, c)| c.resource_type == t)
            .map(move |(c, _)| (resource, c))
    }

    fn evaluate_pairs(
        &self,
        authz: &dyn Authorizer,
        principal: PrincipalIdx,
        pairs: &[(u32, usize)],
    ) -> (RoaringBitmap, RoaringBitmap) {
        let mut allowed = RoaringBitmap::new();
        let mut conditional = RoaringBitmap::new();
        for &(r, c) in pairs {
            let class = &CLASSES[c];
            match self.evaluate(authz, principal, class.action, r, class.form) {
                Decision::Allow(_) => {
                    allowed.insert(pair(r, c));
                }
                Decision::Conditional(..) => {
                    conditional.insert(pair(r, c));
                }
                Decision::Deny(_) => {}
            }
        }
        (allowed, conditional)
    }

    /// Evaluates one action (any case) of `principal` on an indexed resource.
    pub fn evaluate(
        &self,
        authz: &dyn Authorizer,
        principal: PrincipalIdx,
        action: &str,
        resource: u32,
        form: ResourceForm,
    ) -> Decision {
        let r = &self.resources[resource as usize];
        let (arn, is_abstract) = r.target_arn(form);
        let rule = policy_rule(r.resource_type);
        let target = Target {
            arn: &arn,
            account: Some(&r.account),
            service: &r.service,
            policy: r.policy,
            rule,
            tags: r.tags.as_ref(),
            is_abstract,
            policy_known: !r.is_abstract,
            extra: &[],
        };
        authz.authorize(principal, &action.to_ascii_lowercase(), &target)
    }

    /// The (allowed, conditional) pairs of a principal, its group's layers included.
    pub fn of(&self, principal: PrincipalIdx) -> (Cow<'_, RoaringBitmap>, Cow<'_, RoaringBitmap>) {
        let g = self.group_of[principal as usize] as usize;
        (self.allowed(g), self.conditional(g))
    }

    /// The resource form to use for an arbitrary action on a resource.
    pub fn form_for(action: &str, resource: &IndexedResource) -> ResourceForm {
        if let Some(class) = CLASSES.iter().find(|c| {
            c.action.eq_ignore_ascii_case(action) && c.resource_type == resource.resource_type
        }) {
            return class.form;
        }
        let lower = action.to_ascii_lowercase();
        if resource.resource_type == R::S3Bucket
            && lower.starts_with("s3:")
            && lower.contains("object")
        {
            ResourceForm::Objects
        } else if lower == "rds-db:connect" {
            ResourceForm::DbUser
        } else {
            ResourceForm::Arn
        }
    }
}

fn index_resources(snapshot: &Snapshot) -> Vec<IndexedResource> {
    let mut resources = Vec::new();
    for account in &snapshot.accounts {
        for resource in &account.resources {
            let service = super::model::arn_service(&resource.arn)
                .unwrap_or("")
                .to_string();
            let rds_resource_id = match &resource.kind {
                ResourceKind::RdsInstance(db) | ResourceKind::RdsCluster(db) => {
                    Some(db.resource_id.clone())
                }
                _ => None,
            };
            resources.push(IndexedResource {
                arn: resource.arn.clone(),
                account: account.id.clone(),
                resource_type: resource_type(&resource.kind, &service),
                service,
                policy: resource.policy,
                tags: Some(resource.tags.clone()),
                rds_resource_id,
                region: resource.region.clone(),
                is_abstract: false,
            });
        }
        for (service, resource_type) in INDEXED_SERVICES {
            if super::model::service_uncollected(snapshot, &account.id, service) {
                resources.push(IndexedResource {
                    arn: any_resource_pattern(service, &account.id),
                    account: account.id.clone(),
                    service: service.to_string(),
                    resource_type: *resource_type,
                    policy: None,
                    tags: None,
                    rds_resource_id: None,
                    region: None,
                    is_abstract: true,
                });
            }
        }
    }
    resources
}

/// Per (caller account, action class), one [`TargetSet`] of the concrete resources its
/// principals may reach: every resource of the account, and the resources of other
/// accounts whose policy names the account, one of its principals, or everyone. A
/// principal's access to collected resources is asked set by set
/// ([`Authorizer::authorize_set`]).
pub struct AccountSets<'a> {
    /// Per account (model index), per class (index into [`CLASSES`]). The class's
    /// targets every account reaches are one shared list of its table, the first
    /// members of each of its sets ([`TargetSet::shared_len`]).
    sets: Vec<TargetSet<'a>>,
    /// Per class, the members of each of its sets whose resource every account
    /// reaches (`0..shared_len`): the members of the class's layer.
    every: Vec<RoaringBitmap>,
    /// Per class, the pairs of the resources every account reaches (in every account's
    /// set of the class).
    pub layers: Vec<RoaringBitmap>,
}

impl<'a> AccountSets<'a> {
    /// The sets over an index's resources.
    pub fn new(
        resources: &'a [IndexedResource],
        model: &Model,
        authz: &dyn Authorizer,
    ) -> AccountSets<'a> {
        let classes = CLASSES.len();
        let accounts = model.accounts.len();
        // Per class, every target sorted by ARN once: each account's set takes its
        // members in that order and needs no sorting of its own.
        let mut per_class: Vec<Vec<SetEntry<'a>>> = (0..classes).map(|_| Vec::new()).collect();
        let mut callers: Vec<Callers> = (0..resources.len()).map(|_| Callers::none()).collect();
        for (id, resource) in resources.iter().enumerate() {
            if resource.is_abstract {
                continue;
            }
            let Some(&owner) = model.account_by_id.get(&resource.account) else {
                continue;
            };
            callers[id] = callers_of(resource, owner, model, authz);
            // One ARN per form, shared by the classes and caller accounts using it.
            let mut by_form: Vec<(ResourceForm, std::sync::Arc<str>, bool)> = Vec::new();
            for (c, class) in CLASSES.iter().enumerate() {
                if class.resource_type != resource.resource_type {
                    continue;
                }
                let (arn, is_pattern) = match by_form.iter().find(|(f, ..)| *f == class.form) {
                    Some((_, arn, is_pattern)) => (arn.clone(), *is_pattern),
                    None => {
                        let (arn, is_pattern) = resource.target_arn(class.form);
                        let arn: std::sync::Arc<str> = arn.into();
                        by_form.push((class.form, arn.clone(), is_pattern));
                        (arn, is_pattern)
                    }
                };
                per_class[c].push((arn, is_pattern, resource, id as u32, owner));
            }
        }
        // One table per class; a set is the positions of the table its account reaches,
        // taken in table (so ARN) order.
        let tables: Vec<Arc<ClassTargets<'a>>> = per_class
            .into_par_iter()
            .map(|targets| Arc::new(ClassTargets::new(targets)))
            .collect();
        // A set is the positions of the table its account reaches. The targets every
        // account reaches (a policy naming everyone) are one list per class, shared by
        // its sets: on a large organization they are nearly all of the members.
        let mut layer_positions: Vec<Vec<u32>> = vec![Vec::new(); classes];
        let mut layers = vec![RoaringBitmap::new(); classes];
        // Sized first: the sets of a large organization hold millions of members.
        let mut sizes = vec![0usize; accounts * classes];
        for (c, table) in tables.iter().enumerate() {
            for (position, &id) in table.ids().iter().enumerate() {
                match &callers[id as usize] {
                    Callers::Every => {
                        layer_positions[c].push(position as u32);
                        layers[c].insert(pair(id, c));
                    }
                    Callers::These(these) => {
                        for &caller in these {
                            sizes[caller as usize * classes + c] += 1;
                        }
                    }
                }
            }
        }
        let mut members: Vec<Vec<u32>> = sizes.into_iter().map(Vec::with_capacity).collect();
        for (c, table) in tables.iter().enumerate() {
            for (position, &id) in table.ids().iter().enumerate() {
                if let Callers::These(these) = &callers[id as usize] {
                    for &caller in these {
                        members[caller as usize * classes + c].push(position as u32);
                    }
                }
            }
        }
        drop(callers);
        let every = layer_positions
            .iter()
            .map(|layer| (0..layer.len() as u32).collect())
            .collect();
        let layer_positions: Vec<Arc<[u32]>> = layer_positions.into_iter().map(Arc::from).collect();
        let sets = members
            .into_par_iter()
            .enumerate()
            .map(|(i, members)| {
                let c = i % classes;
                let rule = policy_rule(CLASSES[c].resource_type);
                let layer = layer_positions[c].clone();
                TargetSet::layered(
                    (i / classes) as u32,
                    rule,
                    tables[c].clone(),
                    layer,
                    members,
                )
            })
            .collect();
        AccountSets {
            sets,
            every,
            layers,
        }
    }

    /// The set of (caller account, class).
    pub fn set(&self, account: u32, class: usize) -> &TargetSet<'a> {
        &self.sets[account as usize * CLASSES.len() + class]
    }

    /// Adds what `principal` may do on the collected resources its account's sets hold,
    /// and gives the classes whose layer it is allowed (and conditionally allowed) in
    /// full as two masks: those pairs are not added.
    pub fn evaluate(
        &self,
        authz: &dyn Authorizer,
        model: &Model,
        principal: PrincipalIdx,
        allowed: &mut RoaringBitmap,
        conditional: &mut RoaringBitmap,
    ) -> [u32; 2] {
        let account = model.principal(principal).account;
        let mut layers = [0u32; 2];
        // Every class's answers are gathered as pair ids and enter the bitmaps once, as
        // sorted runs: members are in ARN order, pairs in resource order.
        let mut yes_pairs: Vec<u32> = Vec::new();
        let mut maybe_pairs: Vec<u32> = Vec::new();
        let mut yes = RoaringBitmap::new();
        let mut maybe = RoaringBitmap::new();
        for (c, action) in class_actions().iter().enumerate() {
            let set = self.set(account, c);
            if set.is_empty() {
                continue;
            }
            yes.clear();
            maybe.clear();
            authz.authorize_set(principal, action, set, &mut yes, &mut maybe);
            let every = &self.every[c];
            if !every.is_empty() {
                // The layer in full, by reference: a group of an account that may read
                // what the organization shares holds no copy of it.
                if yes.is_superset(every) {
                    yes -= every;
                    layers[0] |= 1 << c;
                } else if maybe.is_superset(every) {
                    maybe -= every;
                    layers[1] |= 1 << c;
                }
            }
            yes_pairs.extend(yes.iter().map(|m| pair(set.id(m), c)));
            maybe_pairs.extend(maybe.iter().map(|m| pair(set.id(m), c)));
        }
        for (mut pairs, into) in [(yes_pairs, allowed), (maybe_pairs, conditional)] {
            pairs.sort_unstable();
            pairs.dedup();
            match RoaringBitmap::from_sorted_iter(pairs.iter().copied()) {
                Ok(sorted) => *into |= sorted,
                Err(_) => into.extend(pairs),
            }
        }
        layers
    }
}

/// A principal's full (allowed, conditional) sets when its `answer` on the ids of `mask`
/// differs from its access group's sets there: the group's sets with `mask` answered
/// its way. `None` when the group's sets answer for it.
pub(crate) fn answer_of_its_own(
    (allowed, conditional): (&RoaringBitmap, &RoaringBitmap),
    mask: &RoaringBitmap,
    (own_allowed, own_conditional): (RoaringBitmap, RoaringBitmap),
) -> Option<(RoaringBitmap, RoaringBitmap)> {
    let same = (allowed & mask) == own_allowed && (conditional & mask) == own_conditional;
    (!same).then(|| {
        (
            (allowed - mask) | own_allowed,
            (conditional - mask) | own_conditional,
        )
    })
}

/// The accounts (model indexes) whose principals may reach a resource.
pub(crate) enum Callers {
    /// Every account (the policy names everyone): no list of a thousand accounts per
    /// organization-readable resource.
    Every,
    /// These accounts.
    These(Vec<u32>),
}

impl Callers {
    fn none() -> Callers {
        Callers::These(Vec::new())
    }

    /// Calls `f` on each account, in ascending order.
    pub(crate) fn each(&self, accounts: u32, mut f: impl FnMut(u32)) {
        match self {
            Callers::Every => (0..accounts).for_each(f),
            Callers::These(these) => these.iter().for_each(|&a| f(a)),
        }
    }
}

/// The accounts (model indexes) whose principals may reach a resource: its own, and those
/// its policy names (an account, a principal of it, everyone).
pub(crate) fn callers_of(
    resource: &IndexedResource,
    owner: u32,
    model: &Model,
    authz: &dyn Authorizer,
) -> Callers {
    let mut callers = vec![owner];
    if let Some(policy) = resource.policy {
        let named = authz.resource_policy_principals(policy);
        if named.any {
            return Callers::Every;
        } else {
            let accounts = named.accounts.iter().map(String::as_str).chain(
                named
                    .arns
                    .iter()
                    .filter_map(|arn| super::model::arn_account(arn)),
            );
            callers.extend(accounts.filter_map(|a| model.account_by_id.get(a).copied()));
            callers.sort_unstable();
            callers.dedup();
        }
    }
    Callers::These(callers)
}

/// Candidate resources evaluated one by one: abstract resources (the sets hold the
/// collected ones), and the resources whose policy names a principal or depends on who
/// asks (re-evaluated per principal after the groups).
pub(crate) struct CandidateIndex {
    /// Resources whose policy names this principal ARN.
    naming_arn: FxHashMap<String, Vec<u32>>,
    /// Resources whose policy depends on who asks.
    specific: Vec<u32>,
    /// Abstract resources.
    abstracts: Vec<u32>,
}

impl CandidateIndex {
    fn new(index: &AccessIndex, authz: &dyn Authorizer) -> CandidateIndex {
        CandidateIndex::over(index, 0..index.resources.len() as u32, authz)
    }

    /// The candidates among some resources of an index (ascending ids).
    pub(crate) fn over(
        index: &AccessIndex,
        ids: impl Iterator<Item = u32>,
        authz: &dyn Authorizer,
    ) -> CandidateIndex {
        let mut c = CandidateIndex {
            naming_arn: FxHashMap::default(),
            specific: Vec::new(),
            abstracts: Vec::new(),
        };
        for i in ids {
            let r = &index.resources[i as usize];
            if r.is_abstract {
                c.abstracts.push(i);
                continue;
            }
            if let Some(policy) = r.policy {
                let principals = authz.resource_policy_principals(policy);
                if principals.principal_specific {
                    c.specific.push(i);
                }
                for arn in principals.arns {
                    c.naming_arn.entry(arn).or_default().push(i);
                }
            }
        }
        c
    }

    /// The resources whose policy names this principal ARN.
    pub(crate) fn named(&self, arn: &str) -> impl Iterator<Item = u32> + '_ {
        self.naming_arn.get(arn).into_iter().flatten().copied()
    }

    /// The resources a principal is asked again on, apart from its access group
    /// (evaluated through `representative`): those whose policy depends on who asks,
    /// names the principal, or names the representative. Ascending, without repeats.
    pub(crate) fn asked_again(
        &self,
        model: &Model,
        principal: PrincipalIdx,
        representative: PrincipalIdx,
    ) -> Vec<u32> {
        let mut own: Vec<u32> = self.specific.clone();
        own.extend(self.named(&model.principal(principal).arn));
        if representative != principal {
            own.extend(self.named(&model.principal(representative).arn));
        }
        own.sort_unstable();
        own.dedup();
        own
    }

    /// The (resource, class) pairs worth evaluating one by one for `principal`: the
    /// abstract resources of the classes its policies may allow.
    fn pairs_of(
        &self,
        index: &AccessIndex,
        authz: &dyn Authorizer,
        principal: PrincipalIdx,
    ) -> Vec<(u32, usize)> {
        let mut pairs: Vec<(u32, usize)> = Vec::new();
        for (c, (class, action)) in CLASSES.iter().zip(class_actions()).enumerate() {
            if !authz.may_allow(principal, action) {
                continue;
            }
            pairs.extend(
                self.abstracts
                    .iter()
                    .filter(|&&r| index.resources[r as usize].resource_type == class.resource_type)
                    .map(|&r| (r, c)),
            );
        }
        pairs.sort_unstable();
        pairs.dedup();
        pairs
    }
}
