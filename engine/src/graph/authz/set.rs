//! [`TargetSet`]: the concrete resources one action class applies to that the principals
//! of one account may reach (their own account's, and other accounts' whose resource
//! policy names that account, one of its principals, or everyone), asked about all at
//! once ([`super::Authorizer::authorize_set`]).
//!
//! Access sets need "what may this principal do on each of these resources": asked
//! one resource at a time, every request walks every layer (identity policies, boundary,
//! SCP levels, resource policy, RCP levels) again, and the cost is principals x
//! resources x layers. Asked for the whole set, an evaluator can match each statement
//! once against an ARN-sorted index, and share the layers that do not depend on who asks
//! (resource policies, SCPs, RCPs) between every principal of the account.

use super::{ResourcePolicyRule, Target};
use crate::graph::access::IndexedResource;
use crate::graph::model::AccountIdx;
use roaring::RoaringBitmap;
use rustc_hash::FxHashMap;
use std::any::Any;
use std::sync::{Arc, OnceLock};

/// One member of a [`TargetSet`] being built: target ARN, whether it is a pattern, the
/// resource, the caller's id for it, and the account (model index) it belongs to. The ARN
/// is shared: a resource other accounts may reach is in each of their sets.
pub type SetEntry<'a> = (Arc<str>, bool, &'a IndexedResource, u32, AccountIdx);

/// The targets of one (caller account, action class), sorted by target ARN. Members are
/// named by their position (`u32`) in that order.
pub struct TargetSet<'a> {
    /// The account (model index) of every principal asked about the set.
    pub account: AccountIdx,
    /// The account (model index) of each member's resource.
    pub resource_accounts: Vec<AccountIdx>,
    /// Members whose resource is in another account than [`TargetSet::account`].
    pub foreign: RoaringBitmap,
    /// Target ARNs, sorted: the resource's ARN, or the pattern an action names within it
    /// (`BUCKET/*` for object actions, `...:dbuser:ID/*` for `rds-db:connect`).
    pub arns: Vec<Arc<str>>,
    /// Whether each target is such a pattern.
    pub patterns: Vec<bool>,
    /// The indexed resource behind each target.
    pub resources: Vec<&'a IndexedResource>,
    /// The caller's id of each target's resource (the access index's resource id).
    pub ids: Vec<u32>,
    /// Each target's resource policy (side by side: evaluators scan them per set).
    pub policies: Vec<Option<crate::snapshot::DocId>>,
    /// Whether the resource policies must allow (KMS key policies) even within the
    /// account.
    pub rule: ResourcePolicyRule,
    /// Pattern targets of the regular shape `PREFIX/*` (no other wildcard), by the hash
    /// of `PREFIX/` (no string per member; a hit is checked against the member's ARN, and
    /// a prefix whose hash is taken goes to `irregular`).
    pub by_pattern_prefix: FxHashMap<u64, u32>,
    /// Pattern targets of any other shape: candidates for every statement.
    pub irregular: RoaringBitmap,
    /// Scratch space for an evaluator's caller-independent layers, computed on first use
    /// by whichever principal asks first (the set's account is fixed, so they hold for
    /// every principal of it).
    pub shared: OnceLock<Box<dyn Any + Send + Sync>>,
}

impl<'a> TargetSet<'a> {
    /// A set over `(target ARN, is pattern, resource, resource id, resource account)`
    /// entries, in any order.
    pub fn new(
        account: AccountIdx,
        rule: ResourcePolicyRule,
        mut entries: Vec<SetEntry<'a>>,
    ) -> TargetSet<'a> {
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let mut set = TargetSet {
            account,
            resource_accounts: Vec::with_capacity(entries.len()),
            foreign: RoaringBitmap::new(),
            arns: Vec::with_capacity(entries.len()),
            patterns: Vec::with_capacity(entries.len()),
            resources: Vec::with_capacity(entries.len()),
            ids: Vec::with_capacity(entries.len()),
            policies: Vec::with_capacity(entries.len()),
            rule,
            by_pattern_prefix: FxHashMap::default(),
            irregular: RoaringBitmap::new(),
            shared: OnceLock::new(),
        };
        for (index, (arn, is_pattern, resource, id, resource_account)) in
            entries.into_iter().enumerate()
        {
            let index = index as u32;
            if resource_account != account {
                set.foreign.insert(index);
            }
            set.resource_accounts.push(resource_account);
            if is_pattern {
                match arn.strip_suffix('*') {
                    Some(prefix) if prefix.ends_with('/') && !prefix.contains(['*', '?']) => {
                        use std::collections::hash_map::Entry;
                        match set.by_pattern_prefix.entry(prefix_hash(prefix)) {
                            Entry::Vacant(slot) => {
                                slot.insert(index);
                            }
                            Entry::Occupied(_) => {
                                set.irregular.insert(index);
                            }
                        }
                    }
                    _ => {
                        set.irregular.insert(index);
                    }
                }
            }
            set.arns.push(arn);
            set.patterns.push(is_pattern);
            set.resources.push(resource);
            set.ids.push(id);
            set.policies.push(resource.policy);
        }
        set
    }

    /// How many targets.
    pub fn len(&self) -> u32 {
        self.arns.len() as u32
    }

    /// Whether it has none.
    pub fn is_empty(&self) -> bool {
        self.arns.is_empty()
    }

    /// The request target of member `index`.
    pub fn target(&self, index: u32) -> Target<'_> {
        let i = index as usize;
        let resource = self.resources[i];
        Target {
            arn: &self.arns[i],
            account: Some(&resource.account),
            service: &resource.service,
            policy: resource.policy,
            rule: self.rule,
            tags: resource.tags.as_ref(),
            is_abstract: self.patterns[i],
            policy_known: true,
            extra: &[],
        }
    }

    /// The members a resource pattern (without policy variables) may match or
    /// intersect: every target whose ARN starts with the pattern's literal prefix, the
    /// `PREFIX/*` targets whose prefix is a prefix of it, and the irregular ones. A
    /// superset: callers still match each candidate exactly.
    pub fn candidates(&self, pattern: &str, into: &mut RoaringBitmap) {
        let literal = super::glob::literal_prefix(pattern);
        let start = self.arns.partition_point(|arn| &**arn < literal);
        let end = start
            + self.arns[start..]
                .iter()
                .take_while(|arn| arn.starts_with(literal))
                .count();
        into.insert_range(start as u32..end as u32);
        if !self.by_pattern_prefix.is_empty() {
            for (cut, _) in literal.match_indices('/') {
                let prefix = &literal[..=cut];
                if let Some(&index) = self.by_pattern_prefix.get(&prefix_hash(prefix)) {
                    if self.arns[index as usize].strip_suffix('*') == Some(prefix) {
                        into.insert(index);
                    }
                }
            }
        }
        *into |= &self.irregular;
    }
}

fn prefix_hash(prefix: &str) -> u64 {
    use std::hash::BuildHasher;
    rustc_hash::FxBuildHasher.hash_one(prefix)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resource(arn: &str) -> IndexedResource {
        IndexedResource {
            arn: arn.to_string(),
            account: "111111111111".into(),
            service: "s3".into(),
            resource_type: crate::graph::access::ResourceType::S3Bucket,
            policy: None,
            tags: None,
            rds_resource_id: None,
            region: None,
            is_abstract: false,
        }
    }

    #[test]
    fn candidates_cover_prefix_ranges_and_enclosing_patterns() {
        let a = resource("arn:aws:s3:::app-logs");
        let b = resource("arn:aws:s3:::app-data");
        let c = resource("arn:aws:s3:::other");
        let set = TargetSet::new(
            0,
            ResourcePolicyRule::Optional,
            vec![
                ("arn:aws:s3:::other/*".into(), true, &c, 0, 0),
                ("arn:aws:s3:::app-logs/*".into(), true, &a, 1, 0),
                ("arn:aws:s3:::app-data/*".into(), true, &b, 2, 0),
            ],
        );
        let names = |pattern: &str| {
            let mut found = RoaringBitmap::new();
            set.candidates(pattern, &mut found);
            found
                .iter()
                .map(|i| set.arns[i as usize].to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            names("arn:aws:s3:::app-*"),
            ["arn:aws:s3:::app-data/*", "arn:aws:s3:::app-logs/*"]
        );
        // An object pattern inside one bucket meets that bucket's "every object" target.
        assert_eq!(
            names("arn:aws:s3:::app-logs/2024/*"),
            ["arn:aws:s3:::app-logs/*"]
        );
        assert!(names("arn:aws:s3:::nothing*").is_empty());
        assert_eq!(names("*").len(), 3);
    }
}
