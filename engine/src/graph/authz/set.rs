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
//!
//! A resource other accounts may reach (an organization-readable bucket) is in the set of
//! each of them: the targets of a class are stored once, in a [`ClassTargets`] table
//! sorted by ARN, and a set holds only the table positions of its members (4 bytes
//! each). The organization-readable targets (a policy naming everyone) are in every
//! account's set of the class: their positions are one list per class, shared by the
//! sets ([`TargetSet::layered`]), not copied a thousand times. A set's members are
//! ranked shared ones first, then its own, each part in table (so ARN) order.

use super::{ResourcePolicyRule, Target};
use crate::graph::access::IndexedResource;
use crate::graph::model::AccountIdx;
use roaring::RoaringBitmap;
use rustc_hash::FxHashMap;
use std::any::Any;
use std::ops::Range;
use std::sync::{Arc, OnceLock};

/// One target of an action class: target ARN, whether it is a pattern, the resource,
/// the caller's id for it, and the account (model index) it belongs to. The ARN is
/// shared between the classes using the same form of a resource.
pub type SetEntry<'a> = (Arc<str>, bool, &'a IndexedResource, u32, AccountIdx);

/// Every target of one action class, sorted by target ARN: the table the sets of all
/// caller accounts index into.
pub struct ClassTargets<'a> {
    /// Target ARNs, sorted: the resource's ARN, or the pattern an action names within it
    /// (`BUCKET/*` for object actions, `...:dbuser:ID/*` for `rds-db:connect`).
    arns: Vec<Arc<str>>,
    /// Whether each target is such a pattern.
    patterns: Vec<bool>,
    /// The indexed resource behind each target.
    resources: Vec<&'a IndexedResource>,
    /// The caller's id of each target's resource (the access index's resource id).
    ids: Vec<u32>,
    /// The account (model index) of each target's resource.
    accounts: Vec<AccountIdx>,
    /// The service of each target's resource, as an index into `services`.
    service_of: Vec<u32>,
    /// The distinct services of the targets.
    services: Vec<&'a str>,
    /// The resource policy of each target's resource (a column of its own: the shared
    /// layers read it for every member, and the resource itself is a cache miss away).
    policies: Vec<Option<crate::snapshot::DocId>>,
    /// Per target, the answers of a resource policy naming only everyone, for callers
    /// outside and inside the organization.
    pub(super) everyone: EveryoneEffects,
    /// Pattern targets of the regular shape `PREFIX/*` (no other wildcard), by the hash
    /// of `PREFIX/` (no string per target; a hit is checked against the target's ARN,
    /// and a prefix whose hash is taken goes to `irregular`).
    by_pattern_prefix: FxHashMap<u64, u32>,
    /// Pattern targets of any other shape (sorted): candidates for every statement.
    irregular: Vec<u32>,
}

impl<'a> ClassTargets<'a> {
    /// The table of these targets, in any order.
    pub fn new(mut entries: Vec<SetEntry<'a>>) -> ClassTargets<'a> {
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let mut table = ClassTargets {
            arns: Vec::with_capacity(entries.len()),
            patterns: Vec::with_capacity(entries.len()),
            resources: Vec::with_capacity(entries.len()),
            ids: Vec::with_capacity(entries.len()),
            accounts: Vec::with_capacity(entries.len()),
            service_of: Vec::with_capacity(entries.len()),
            services: Vec::new(),
            policies: Vec::with_capacity(entries.len()),
            everyone: EveryoneEffects::new(entries.len()),
            by_pattern_prefix: FxHashMap::default(),
            irregular: Vec::new(),
        };
        for (index, (arn, is_pattern, resource, id, account)) in entries.into_iter().enumerate() {
            let index = index as u32;
            if is_pattern {
                table.index_pattern(&arn, index);
            }
            table.arns.push(arn);
            table.patterns.push(is_pattern);
            table.resources.push(resource);
            table.ids.push(id);
            table.accounts.push(account);
            table.policies.push(resource.policy);
            let service = resource.service.as_str();
            let known = table.services.iter().position(|&s| s == service);
            let index = known.unwrap_or_else(|| {
                table.services.push(service);
                table.services.len() - 1
            });
            table.service_of.push(index as u32);
        }
        table
    }

    fn index_pattern(&mut self, arn: &str, index: u32) {
        match arn.strip_suffix('*') {
            Some(prefix) if prefix.ends_with('/') && !prefix.contains(['*', '?']) => {
                use std::collections::hash_map::Entry;
                match self.by_pattern_prefix.entry(prefix_hash(prefix)) {
                    Entry::Vacant(slot) => {
                        slot.insert(index);
                    }
                    Entry::Occupied(_) => self.irregular.push(index),
                }
            }
            _ => self.irregular.push(index),
        }
    }

    /// How many targets.
    pub fn len(&self) -> u32 {
        self.arns.len() as u32
    }

    /// Whether it has none.
    pub fn is_empty(&self) -> bool {
        self.arns.is_empty()
    }

    /// The caller's resource id of each target, in table order.
    pub fn ids(&self) -> &[u32] {
        &self.ids
    }

    /// The table positions whose ARN starts with `literal`: in a sorted table they
    /// follow the first ARN not below it, and both ends are found by binary search (a
    /// statement naming `arn:aws:s3:::*` must not walk every bucket of the
    /// organization to count them).
    fn starting_with(&self, literal: &str) -> Range<u32> {
        let start = self.arns.partition_point(|arn| &**arn < literal);
        let end = start + self.arns[start..].partition_point(|arn| arn.starts_with(literal));
        start as u32..end as u32
    }

    /// The table positions whose ARN equals `arn`.
    fn equal_to(&self, arn: &str) -> Range<u32> {
        let start = self.arns.partition_point(|a| &**a < arn);
        let equal = self.arns[start..].partition_point(|a| **a == *arn);
        start as u32..(start + equal) as u32
    }
}

/// The targets of one (caller account, action class): some positions of the class's
/// [`ClassTargets`]. Members are named by their rank (`u32`): the shared positions
/// first (ranks `0..shared_len()`), then the set's own, each part in ARN order.
pub struct TargetSet<'a> {
    /// The account (model index) of every principal asked about the set.
    pub account: AccountIdx,
    /// Whether the resource policies must allow (KMS key policies) even within the
    /// account.
    pub rule: ResourcePolicyRule,
    /// The class's targets.
    table: Arc<ClassTargets<'a>>,
    /// The table positions every set of the class holds (its organization-readable
    /// targets), ascending: members `0..layer.len()`. Shared, not copied per account.
    layer: Arc<[u32]>,
    /// The table positions of the set's other members, ascending: members
    /// `layer.len()..`. Disjoint from `layer`.
    members: Vec<u32>,
    /// Members whose resource is in another account than [`TargetSet::account`].
    pub foreign: RoaringBitmap,
    /// Members that are pattern targets of an irregular shape: candidates for every
    /// statement.
    pub irregular: RoaringBitmap,
    /// Scratch space for an evaluator's caller-independent layers, computed on first use
    /// by whichever principal asks first (the set's account is fixed, so they hold for
    /// every principal of it).
    pub shared: OnceLock<Box<dyn Any + Send + Sync>>,
}

impl<'a> TargetSet<'a> {
    /// A set over `(target ARN, is pattern, resource, resource id, resource account)`
    /// entries, in any order, with a table of its own.
    pub fn new(
        account: AccountIdx,
        rule: ResourcePolicyRule,
        entries: Vec<SetEntry<'a>>,
    ) -> TargetSet<'a> {
        let table = Arc::new(ClassTargets::new(entries));
        let members = (0..table.len()).collect();
        TargetSet::over(account, rule, table, members)
    }

    /// The set of these table positions (ascending) of a class's targets.
    pub fn over(
        account: AccountIdx,
        rule: ResourcePolicyRule,
        table: Arc<ClassTargets<'a>>,
        members: Vec<u32>,
    ) -> TargetSet<'a> {
        TargetSet::layered(account, rule, table, Arc::from([]), members)
    }

    /// The set of a class's shared positions `layer` and its own positions `members`
    /// (both ascending, disjoint).
    pub fn layered(
        account: AccountIdx,
        rule: ResourcePolicyRule,
        table: Arc<ClassTargets<'a>>,
        layer: Arc<[u32]>,
        members: Vec<u32>,
    ) -> TargetSet<'a> {
        debug_assert!(layer.windows(2).all(|w| w[0] < w[1]));
        debug_assert!(members.windows(2).all(|w| w[0] < w[1]));
        debug_assert!(members.iter().all(|m| layer.binary_search(m).is_err()));
        let positions = layer.iter().chain(&members);
        let foreign = RoaringBitmap::from_sorted_iter(
            (0u32..)
                .zip(positions)
                .filter(|&(_, &t)| table.accounts[t as usize] != account)
                .map(|(m, _)| m),
        )
        .expect("ascending members");
        let mut set = TargetSet {
            account,
            rule,
            table,
            layer,
            members,
            foreign,
            irregular: RoaringBitmap::new(),
            shared: OnceLock::new(),
        };
        let mut irregular: Vec<u32> = set
            .table
            .irregular
            .iter()
            .filter_map(|&t| set.member_at(t))
            .collect();
        irregular.sort_unstable();
        set.irregular = irregular.into_iter().collect();
        set
    }

    /// The member at a table position, if the set holds it.
    fn member_at(&self, position: u32) -> Option<u32> {
        match self.layer.binary_search(&position) {
            Ok(m) => Some(m as u32),
            Err(_) => self
                .members
                .binary_search(&position)
                .ok()
                .map(|m| (self.layer.len() + m) as u32),
        }
    }

    /// How many members are the class's shared positions: members `0..shared_len()`,
    /// the same targets in every set of the class built with them.
    pub fn shared_len(&self) -> u32 {
        self.layer.len() as u32
    }

    /// How many targets.
    pub fn len(&self) -> u32 {
        (self.layer.len() + self.members.len()) as u32
    }

    /// Whether it has none.
    pub fn is_empty(&self) -> bool {
        self.layer.is_empty() && self.members.is_empty()
    }

    fn at(&self, member: u32) -> usize {
        let member = member as usize;
        match self.layer.get(member) {
            Some(&position) => position as usize,
            None => self.members[member - self.layer.len()] as usize,
        }
    }

    /// The target ARN (or pattern) of a member.
    pub fn arn(&self, member: u32) -> &str {
        &self.table.arns[self.at(member)]
    }

    /// Whether a member's target is a pattern.
    pub fn is_pattern(&self, member: u32) -> bool {
        self.table.patterns[self.at(member)]
    }

    /// The indexed resource of a member.
    pub fn resource(&self, member: u32) -> &'a IndexedResource {
        self.table.resources[self.at(member)]
    }

    /// The caller's id of a member's resource (the access index's resource id).
    pub fn id(&self, member: u32) -> u32 {
        self.table.ids[self.at(member)]
    }

    /// The distinct services of the class's targets.
    pub fn services(&self) -> &[&'a str] {
        &self.table.services
    }

    /// The service of a member's resource, as an index into [`TargetSet::services`].
    pub fn service_index(&self, member: u32) -> usize {
        self.table.service_of[self.at(member)] as usize
    }

    /// The resource policy of a member's resource.
    pub fn policy(&self, member: u32) -> Option<crate::snapshot::DocId> {
        self.table.policies[self.at(member)]
    }

    /// The cell caching a member's answer of a resource policy naming only everyone,
    /// for callers inside the organization or not, when the table's cache is for
    /// `action` (an action's key: the first action asked about a table takes its
    /// cache; a table holds the targets of one class, so that is the only one in
    /// practice).
    pub(super) fn everyone_cell(
        &self,
        member: u32,
        action: u64,
        in_organization: bool,
    ) -> Option<&std::sync::atomic::AtomicU8> {
        let cache = &self.table.everyone;
        (*cache.action.get_or_init(|| action) == action)
            .then(|| &cache.cells[usize::from(in_organization)][self.at(member)])
    }

    /// The account (model index) of a member's resource.
    pub fn resource_account(&self, member: u32) -> AccountIdx {
        self.table.accounts[self.at(member)]
    }

    /// How a statement's resource patterns meet a member: its target ARN, or the
    /// pattern it stands for (the same as for [`TargetSet::target`], without looking at
    /// the resource).
    pub(super) fn resource_match(&self, member: u32) -> super::compiled::ResourceMatch<'_> {
        let i = self.at(member);
        if self.table.patterns[i] {
            super::compiled::ResourceMatch::Abstract(&self.table.arns[i])
        } else {
            super::compiled::ResourceMatch::Arn(&self.table.arns[i])
        }
    }

    /// The request target of member `index`.
    pub fn target(&self, index: u32) -> Target<'_> {
        let i = self.at(index);
        let resource = self.table.resources[i];
        Target {
            arn: &self.table.arns[i],
            account: Some(&resource.account),
            service: &resource.service,
            policy: resource.policy,
            rule: self.rule,
            tags: resource.tags.as_ref(),
            is_abstract: self.table.patterns[i],
            policy_known: true,
            extra: &[],
        }
    }

    /// The members at these table positions: a range of the shared members and one
    /// of the set's own.
    fn members_in(&self, positions: Range<u32>) -> [Range<u32>; 2] {
        let within = |part: &[u32], offset: usize| {
            let start = part.partition_point(|&t| t < positions.start);
            let end = part.partition_point(|&t| t < positions.end);
            (offset + start) as u32..(offset + end) as u32
        };
        [
            within(&self.layer, 0),
            within(&self.members, self.layer.len()),
        ]
    }

    /// The members a resource pattern (without policy variables) may match or
    /// intersect: every target whose ARN starts with the pattern's literal prefix, the
    /// `PREFIX/*` targets whose prefix is a prefix of it, and the irregular ones. A
    /// superset: callers still match each candidate exactly.
    pub fn candidates(&self, pattern: &str, into: &mut RoaringBitmap) {
        let literal = super::glob::literal_prefix(pattern);
        for range in self.members_in(self.table.starting_with(literal)) {
            into.insert_range(range);
        }
        if !self.table.by_pattern_prefix.is_empty() {
            for (cut, _) in literal.match_indices('/') {
                let prefix = &literal[..=cut];
                if let Some(&index) = self.table.by_pattern_prefix.get(&prefix_hash(prefix)) {
                    if self.table.arns[index as usize].strip_suffix('*') == Some(prefix) {
                        if let Some(member) = self.member_at(index) {
                            into.insert(member);
                        }
                    }
                }
            }
        }
        *into |= &self.irregular;
    }

    /// The members a resource pattern (without policy variables) certainly matches: for
    /// `LITERAL*` (one trailing star, no other wildcard) every target starting with
    /// LITERAL, for a pattern without wildcards the targets equal to it; `None` for
    /// other shapes. A pattern target starting with LITERAL (`LITERAL.../*`) only
    /// stands for ARNs starting with LITERAL, so `LITERAL*` covers it whole: an allow
    /// may reach it and a deny removes it, as
    /// `Statement::matches_resource` (in `compiled.rs`) decides member by member.
    /// Statements insert such ranges at once instead of matching each member.
    pub fn certain(&self, pattern: &str) -> Option<[Range<u32>; 2]> {
        let literal = super::glob::literal_prefix(pattern);
        if literal.len() == pattern.len() {
            return Some(self.members_in(self.table.equal_to(literal)));
        }
        (pattern.len() == literal.len() + 1 && pattern.ends_with('*'))
            .then(|| self.members_in(self.table.starting_with(literal)))
    }
}

/// Per target of a table, a resource policy's cached (direct allow, allow via account,
/// deny) for one action, as written by [`EveryoneEffects::encode`]: 0 while unknown.
pub(super) struct EveryoneEffects {
    /// The key of the action the cells are for.
    action: OnceLock<u64>,
    /// Per caller outside (0) or inside (1) the organization, per target.
    cells: [Vec<std::sync::atomic::AtomicU8>; 2],
}

impl EveryoneEffects {
    fn new(len: usize) -> EveryoneEffects {
        let cells = || (0..len).map(|_| Default::default()).collect();
        EveryoneEffects {
            action: OnceLock::new(),
            cells: [cells(), cells()],
        }
    }

    /// Three values of 0, 1 or 2 in one non-zero byte.
    pub(super) fn encode(values: [u8; 3]) -> u8 {
        0x80 | values[0] | values[1] << 2 | values[2] << 4
    }

    /// The values of a cell, `None` while unknown.
    pub(super) fn decode(cell: u8) -> Option<[u8; 3]> {
        (cell & 0x80 != 0).then_some([cell & 3, cell >> 2 & 3, cell >> 4 & 3])
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
                .map(|i| set.arn(i).to_string())
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

    #[test]
    fn prefix_and_equality_ranges_are_those_a_scan_finds() {
        let names = [
            "arn:aws:s3:::a",
            "arn:aws:s3:::a",
            "arn:aws:s3:::a/*",
            "arn:aws:s3:::ab",
            "arn:aws:s3:::ab-c",
            "arn:aws:s3:::b",
            "arn:aws:s3:::b/*",
            "arn:aws:s3:::ba",
            "arn:aws:s3:::c",
        ];
        let resources: Vec<IndexedResource> = names.iter().map(|n| resource(n)).collect();
        let table = ClassTargets::new(
            resources
                .iter()
                .enumerate()
                .map(|(i, r)| (Arc::from(names[i]), names[i].ends_with('*'), r, i as u32, 0))
                .collect(),
        );
        let scan = |keep: &dyn Fn(&str) -> bool| -> Vec<u32> {
            (0..table.len())
                .filter(|&i| keep(&table.arns[i as usize]))
                .collect()
        };
        let mut literals: Vec<&str> = vec!["", "arn:aws:s3:::", "arn:aws:s3:::z", "arn"];
        for name in names {
            literals.extend((0..=name.len()).map(|cut| &name[..cut]));
        }
        for literal in literals {
            assert_eq!(
                table.starting_with(literal).collect::<Vec<_>>(),
                scan(&|arn| arn.starts_with(literal)),
                "{literal:?}"
            );
            assert_eq!(
                table.equal_to(literal).collect::<Vec<_>>(),
                scan(&|arn| arn == literal),
                "{literal:?}"
            );
        }
    }

    #[test]
    fn certain_members_are_the_ranges_every_member_of_which_matches() {
        let a = resource("arn:aws:s3:::app");
        let b = resource("arn:aws:s3:::app-data");
        let c = resource("arn:aws:s3:::apps");
        let set = TargetSet::new(
            0,
            ResourcePolicyRule::Optional,
            vec![
                ("arn:aws:s3:::app".into(), false, &a, 0, 0),
                ("arn:aws:s3:::app-data".into(), false, &b, 1, 0),
                ("arn:aws:s3:::app-data/*".into(), true, &b, 2, 0),
                ("arn:aws:s3:::apps".into(), false, &c, 3, 0),
            ],
        );
        let names = |pattern: &str| {
            set.certain(pattern).map(|ranges| {
                ranges
                    .into_iter()
                    .flatten()
                    .map(|i| set.arn(i).to_string())
                    .collect::<Vec<_>>()
            })
        };
        // A trailing star: the whole prefix range, pattern targets included.
        assert_eq!(
            names("arn:aws:s3:::app-*").unwrap(),
            ["arn:aws:s3:::app-data", "arn:aws:s3:::app-data/*"]
        );
        // No wildcard: the equal targets only, not those it is a prefix of.
        assert_eq!(names("arn:aws:s3:::app").unwrap(), ["arn:aws:s3:::app"]);
        assert!(names("arn:aws:s3:::ap").unwrap().is_empty());
        // Any other wildcard: members must be matched one by one.
        assert_eq!(names("arn:aws:s3:::app*/*"), None);
        assert_eq!(names("arn:aws:s3:::app?"), None);
        // Whatever `certain` holds, the matcher agrees.
        for pattern in ["arn:aws:s3:::app-*", "arn:aws:s3:::app", "arn:aws:s3:::a*"] {
            for i in set.certain(pattern).unwrap().into_iter().flatten() {
                let arn = set.arn(i);
                assert!(
                    super::super::glob::glob_match(pattern, arn, false),
                    "{pattern} {arn}"
                );
            }
        }
    }

    /// A set whose members are partly a class's shared positions answers every lookup
    /// with the same targets as the set of the same positions held on its own: no
    /// shared member is lost or added, and ranks name the same targets throughout.
    #[test]
    fn layered_sets_hold_the_same_targets_as_plain_ones() {
        let names = [
            "arn:aws:s3:::a",
            "arn:aws:s3:::a/*",
            "arn:aws:s3:::ab",
            "arn:aws:s3:::ab/*",
            "arn:aws:s3:::abc",
            "arn:aws:s3:::b",
            "arn:aws:s3:::b/x*",
            "arn:aws:s3:::ba",
            "arn:aws:s3:::c/*",
        ];
        let resources: Vec<IndexedResource> = names.iter().map(|n| resource(n)).collect();
        let table = Arc::new(ClassTargets::new(
            resources
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    (
                        Arc::from(names[i]),
                        names[i].ends_with('*'),
                        r,
                        i as u32,
                        i as u32 % 3,
                    )
                })
                .collect(),
        ));
        let patterns = [
            "*",
            "arn:aws:s3:::a*",
            "arn:aws:s3:::ab",
            "arn:aws:s3:::ab/*",
            "arn:aws:s3:::ab/k/*",
            "arn:aws:s3:::b*",
            "arn:aws:s3:::c/d",
            "arn:aws:s3:::?b*",
            "arn:aws:s3:::z*",
        ];
        // Every split of a set of positions into shared ones and own ones.
        for held in 0u32..1 << names.len() {
            let positions: Vec<u32> = (0..names.len() as u32)
                .filter(|p| held & 1 << p != 0)
                .collect();
            let plain = TargetSet::over(
                1,
                ResourcePolicyRule::Optional,
                table.clone(),
                positions.clone(),
            );
            for shared_bits in [held, held & 0b1_0101_0101, held & 0b0_1100_1010, 0] {
                let (layer, own): (Vec<u32>, Vec<u32>) =
                    positions.iter().partition(|&&p| shared_bits & 1 << p != 0);
                let layered = TargetSet::layered(
                    1,
                    ResourcePolicyRule::Optional,
                    table.clone(),
                    layer.into(),
                    own,
                );
                assert_eq!(layered.len(), plain.len());
                let arns = |set: &TargetSet<'_>, members: &RoaringBitmap| {
                    let mut arns: Vec<String> =
                        members.iter().map(|m| set.arn(m).to_string()).collect();
                    arns.sort();
                    arns
                };
                let all = |set: &TargetSet<'_>| -> RoaringBitmap { (0..set.len()).collect() };
                assert_eq!(arns(&layered, &all(&layered)), arns(&plain, &all(&plain)));
                assert_eq!(
                    arns(&layered, &layered.foreign),
                    arns(&plain, &plain.foreign),
                    "{held:b} {shared_bits:b}"
                );
                assert_eq!(
                    arns(&layered, &layered.irregular),
                    arns(&plain, &plain.irregular)
                );
                for pattern in patterns {
                    let (mut a, mut b) = (RoaringBitmap::new(), RoaringBitmap::new());
                    layered.candidates(pattern, &mut a);
                    plain.candidates(pattern, &mut b);
                    assert_eq!(arns(&layered, &a), arns(&plain, &b), "{pattern}");
                    let certain = |set: &TargetSet<'_>| -> Option<RoaringBitmap> {
                        set.certain(pattern)
                            .map(|ranges| ranges.into_iter().flatten().collect())
                    };
                    assert_eq!(
                        certain(&layered).map(|c| arns(&layered, &c)),
                        certain(&plain).map(|c| arns(&plain, &c)),
                        "{pattern}"
                    );
                }
                for m in 0..layered.len() {
                    assert_eq!(
                        layered.id(m) as usize,
                        names.iter().position(|n| *n == layered.arn(m)).unwrap()
                    );
                }
            }
        }
    }
}
