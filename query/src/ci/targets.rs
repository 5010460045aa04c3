//! What a source reaches, as sets of interned ids: identities and crown jewels are
//! bitmaps over one sorted name table per organization (shared by every source through
//! an [`Arc`]), so the reach of an organization costs bits per (source, target), not an
//! explained finding each. Findings are made only for what a report shows.
//!
//! Two organizations (a baseline and today, two snapshots) have different tables:
//! [`Translation`] maps one table's ids to another's once, so comparing a source's sets
//! is bitmap arithmetic.

use crate::report::{Finding, PathStep};
use roaring::RoaringBitmap;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

/// A table of distinct names (identity ARNs, or resource ARNs), in the order its maker
/// chose: an id is a position in it.
pub type Names = Arc<Vec<String>>;

/// A table of names sorted and deduplicated.
pub fn names(mut list: Vec<String>) -> Names {
    list.sort_unstable();
    list.dedup();
    Arc::new(list)
}

/// A table of names sorted by (group, name), each name once (its first group): resource
/// ARNs grouped by account keep an account's resources together even where the ARN does
/// not start with the account (S3 buckets), so a source's sets are runs of ids.
pub fn grouped_names(mut list: Vec<(String, String)>) -> Names {
    list.sort_unstable();
    let mut seen = HashSet::new();
    Arc::new(
        list.into_iter()
            .filter_map(|(_, name)| seen.insert(name.clone()).then_some(name))
            .collect(),
    )
}

/// Each name's id in a table.
pub fn positions(names: &Names) -> HashMap<&str, u32> {
    names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i as u32))
        .collect()
}

/// The identities a source reaches.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Identities {
    /// The organization's identity table.
    pub names: Names,
    /// Ids (into `names`) reached.
    pub ids: RoaringBitmap,
    /// Ids reached only through conditional or inferred edges.
    pub conditional: RoaringBitmap,
    /// Explained paths, when computed, by id.
    pub paths: BTreeMap<u32, Vec<PathStep>>,
}

impl Identities {
    /// How many identities.
    pub fn len(&self) -> usize {
        self.ids.len() as usize
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The ARNs, sorted.
    pub fn arns(&self) -> impl Iterator<Item = &str> + '_ {
        self.ids.iter().map(|i| self.names[i as usize].as_str())
    }

    /// The finding of id `id` from `source`.
    pub fn finding(&self, source: &str, id: u32) -> Finding {
        Finding {
            source: source.to_string(),
            target: self.names[id as usize].clone(),
            actions: Vec::new(),
            conditional: self.conditional.contains(id),
            path: self.paths.get(&id).cloned().unwrap_or_default(),
        }
    }

    /// Every finding, by target.
    pub fn findings<'a>(&'a self, source: &'a str) -> impl Iterator<Item = Finding> + 'a {
        self.ids.iter().map(move |id| self.finding(source, id))
    }
}

/// The crown jewels a source reaches: per crown-jewel action, the resources.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Jewels {
    /// The organization's resource table.
    pub names: Names,
    /// Per action, the resource ids (into `names`).
    pub by_action: BTreeMap<String, RoaringBitmap>,
    /// Resources on which some action is certainly allowed over certain edges.
    pub certain: RoaringBitmap,
    /// Explained paths, when computed, by resource id.
    pub paths: BTreeMap<u32, Vec<PathStep>>,
}

impl Jewels {
    /// Every resource reached with some crown-jewel action.
    pub fn resources(&self) -> RoaringBitmap {
        let mut all = RoaringBitmap::new();
        for ids in self.by_action.values() {
            all |= ids;
        }
        all
    }

    /// How many resources.
    pub fn len(&self) -> usize {
        self.resources().len() as usize
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.by_action.values().all(RoaringBitmap::is_empty)
    }

    /// The actions reached on resource `id`, sorted.
    pub fn actions_of(&self, id: u32) -> Vec<String> {
        self.by_action
            .iter()
            .filter(|(_, ids)| ids.contains(id))
            .map(|(action, _)| action.clone())
            .collect()
    }

    /// The finding of resource `id` from `source`, with the given actions.
    pub fn finding(&self, source: &str, id: u32, actions: Vec<String>) -> Finding {
        Finding {
            source: source.to_string(),
            target: self.names[id as usize].clone(),
            actions,
            conditional: !self.certain.contains(id),
            path: self.paths.get(&id).cloned().unwrap_or_default(),
        }
    }

    /// Every finding, by target, with all its actions.
    pub fn findings<'a>(&'a self, source: &'a str) -> impl Iterator<Item = Finding> + 'a {
        self.resources()
            .into_iter()
            .map(move |id| self.finding(source, id, self.actions_of(id)))
    }
}

/// Ids of one table mapped to another's (`None`: the name is not in the other table).
pub struct Translation {
    /// `None` when both tables are the same: ids map to themselves.
    map: Option<Vec<Option<u32>>>,
}

impl Translation {
    /// The map from `from`'s ids to `to`'s.
    pub fn new(from: &Names, to: &Names) -> Translation {
        if Arc::ptr_eq(from, to) || from == to {
            return Translation { map: None };
        }
        let to = positions(to);
        let map = from
            .iter()
            .map(|name| to.get(name.as_str()).copied())
            .collect();
        Translation { map: Some(map) }
    }

    /// A set of `from` ids as `to` ids (ids without a counterpart are dropped).
    pub fn set(&self, ids: &RoaringBitmap) -> RoaringBitmap {
        match &self.map {
            None => ids.clone(),
            Some(map) => ids.iter().filter_map(|i| map[i as usize]).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn translation_maps_by_name_and_drops_the_unknown() {
        let old = names(vec!["b".into(), "a".into(), "c".into()]);
        let new = names(vec!["c".into(), "d".into(), "a".into()]);
        // old: a=0 b=1 c=2; new: a=0 c=1 d=2
        let t = Translation::new(&old, &new);
        let set: RoaringBitmap = [0, 1, 2].into_iter().collect();
        assert_eq!(t.set(&set).iter().collect::<Vec<_>>(), [0, 1]);
        let same = Translation::new(&old, &old.clone());
        assert_eq!(same.set(&set), set);
    }
}
