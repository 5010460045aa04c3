//! The delta of two organization-wide reaches from their sets alone, without a path.
//!
//! A finding of the delta is identified by its key: source, target and actions. On the
//! per-source sets of an [`OrgReach`] the keys are ids: an identity id, an administered
//! account, a crown-jewel resource id with the set of actions reached on it. Comparing two
//! reaches is then bitmap arithmetic per source, with the other side's ids mapped into
//! this side's tables by [`Translation`] (as `blastgraph diff` does), and the result is a
//! [`Selection`] per source and side: which findings to explain on that side. Explaining
//! them needs the analysis (`from_graph`'s explanations); the reaches can be computed with
//! paths omitted, which is what makes a simulation on a large organization affordable.

use super::delta::{changed_rows_and_gaps, Delta};
use super::targets::{Jewels, Translation};
use super::{OrgReach, SourceReach};
use crate::report::Finding;
use rayon::prelude::*;
use roaring::RoaringBitmap;
use std::collections::{BTreeMap, BTreeSet};

/// Which findings of one source were selected, by id in its side's tables.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    /// Identity ids (into the side's identity table).
    pub identities: RoaringBitmap,
    /// Administered account ids.
    pub accounts: Vec<String>,
    /// Crown-jewel resource ids (into the side's resource table): each stands for the
    /// finding of that resource with every action reached on it.
    pub jewels: RoaringBitmap,
}

impl Selection {
    /// Whether nothing is selected.
    pub fn is_empty(&self) -> bool {
        self.identities.is_empty() && self.accounts.is_empty() && self.jewels.is_empty()
    }

    /// How many findings are selected.
    pub fn len(&self) -> u64 {
        self.identities.len() + self.accounts.len() as u64 + self.jewels.len()
    }

    /// The selected findings as `reach` records them (with the paths it holds, none when
    /// its paths were omitted).
    pub fn findings_in(&self, reach: &SourceReach) -> Vec<Finding> {
        let source = &reach.source;
        let identities = self
            .identities
            .iter()
            .map(|id| reach.identities.finding(source, id));
        let accounts = reach
            .administers
            .iter()
            .filter(|f| self.accounts.contains(&f.target))
            .cloned();
        let jewels = &reach.crown_jewels;
        let jewels = self
            .jewels
            .iter()
            .map(|id| jewels.finding(source, id, jewels.actions_of(id)));
        identities.chain(accounts).chain(jewels).collect()
    }
}

/// Selections by source id.
pub type Selections = BTreeMap<String, Selection>;

/// What two reaches differ by, before any finding is explained.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyDelta {
    /// The changed rows and the coverage gaps; `added` and `removed` are left empty.
    pub delta: Delta,
    /// Findings only after the change, selected on the after side.
    pub added: Selections,
    /// Findings only before the change, selected on the before side.
    pub removed: Selections,
}

impl KeyDelta {
    /// The delta with the selected findings as the reaches record them (their paths
    /// when they were computed with paths), sorted.
    pub fn with_recorded_findings(self, before: &OrgReach, after: &OrgReach) -> Delta {
        let recorded = |reach: &OrgReach, selections: &Selections| -> Vec<Finding> {
            selections
                .iter()
                .filter_map(|(id, selection)| Some(selection.findings_in(reach.source(id)?)))
                .flatten()
                .collect()
        };
        let mut delta = self.delta;
        delta.added = recorded(after, &self.added);
        delta.removed = recorded(before, &self.removed);
        super::delta::sort_findings(&mut delta.added);
        super::delta::sort_findings(&mut delta.removed);
        delta
    }
}

/// Maps of one side's table ids to the other's.
struct Tables {
    identities: Translation,
    resources: Translation,
}

impl Tables {
    fn new(from: &OrgReach, to: &OrgReach) -> Tables {
        Tables {
            identities: Translation::new(&from.identity_names, &to.identity_names),
            resources: Translation::new(&from.resource_names, &to.resource_names),
        }
    }
}

/// The keys only in `after` (added) and only in `before` (removed), per source,
/// restricted to the sources of `only` when given; with the rows that changed. The same
/// delta as [`super::delta::compare_reach`] once the selections are explained.
pub fn compare_keys(
    before: &OrgReach,
    after: &OrgReach,
    only: Option<&BTreeSet<String>>,
) -> KeyDelta {
    let to_after = Tables::new(before, after);
    let to_before = Tables::new(after, before);
    let mut ids: Vec<&str> = before
        .sources
        .iter()
        .chain(&after.sources)
        .map(|s| s.source.as_str())
        .filter(|id| only.is_none_or(|o| o.contains(*id)))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let changes: Vec<(&str, Selection, Selection)> = ids
        .par_iter()
        .map(|&id| {
            let nothing = SourceReach::new(id, "");
            let old = before.source(id).unwrap_or(&nothing);
            let new = after.source(id).unwrap_or(&nothing);
            let added = missing(new, old, &to_after);
            let removed = missing(old, new, &to_before);
            (id, added, removed)
        })
        .collect();
    let mut keys = KeyDelta {
        delta: changed_rows_and_gaps(before, after, only),
        ..KeyDelta::default()
    };
    for (id, added, removed) in changes {
        if !added.is_empty() {
            keys.added.insert(id.to_string(), added);
        }
        if !removed.is_empty() {
            keys.removed.insert(id.to_string(), removed);
        }
    }
    keys
}

/// The keys of `a` that `b` (whose ids `to_a` maps into `a`'s tables) does not have.
fn missing(a: &SourceReach, b: &SourceReach, to_a: &Tables) -> Selection {
    let known: BTreeSet<&str> = b.administers.iter().map(|f| f.target.as_str()).collect();
    Selection {
        identities: &a.identities.ids - &to_a.identities.set(&b.identities.ids),
        accounts: a
            .administers
            .iter()
            .map(|f| f.target.clone())
            .filter(|target| !known.contains(target.as_str()))
            .collect(),
        jewels: changed_jewels(&a.crown_jewels, &b.crown_jewels, &to_a.resources),
    }
}

/// The resources of `a` whose set of actions differs in `b` (absent counting as no
/// action): a finding's actions are part of its key.
fn changed_jewels(a: &Jewels, b: &Jewels, to_a: &Translation) -> RoaringBitmap {
    let actions: BTreeSet<&String> = a.by_action.keys().chain(b.by_action.keys()).collect();
    let empty = RoaringBitmap::new();
    let mut changed = RoaringBitmap::new();
    for action in actions {
        let mine = a.by_action.get(action).unwrap_or(&empty);
        let theirs = b
            .by_action
            .get(action)
            .map(|ids| to_a.set(ids))
            .unwrap_or_default();
        changed |= mine ^ theirs;
    }
    changed & a.resources()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ci::delta::compare_reach;
    use crate::ci::sample;
    use crate::ci::targets::names;

    /// `reach` with its tables rebuilt from `extra` names plus its own, so its ids differ
    /// from the other side's (the same findings, other numbers).
    fn renumbered(reach: &OrgReach, extra: &[&str]) -> OrgReach {
        let grow = |table: &[String]| {
            let mut list: Vec<String> = table.to_vec();
            list.extend(extra.iter().map(|e| e.to_string()));
            names(list)
        };
        let identity_names = grow(&reach.identity_names);
        let resource_names = grow(&reach.resource_names);
        let to_identities = Translation::new(&reach.identity_names, &identity_names);
        let to_resources = Translation::new(&reach.resource_names, &resource_names);
        let single = |t: &Translation, id: u32| -> u32 {
            let set: RoaringBitmap = [id].into_iter().collect();
            t.set(&set).min().expect("every name is kept")
        };
        let mut out = reach.clone();
        out.identity_names = identity_names.clone();
        out.resource_names = resource_names.clone();
        for source in &mut out.sources {
            let i = &mut source.identities;
            i.names = identity_names.clone();
            i.ids = to_identities.set(&i.ids);
            i.conditional = to_identities.set(&i.conditional);
            i.paths = i
                .paths
                .iter()
                .map(|(&id, p)| (single(&to_identities, id), p.clone()))
                .collect();
            let j = &mut source.crown_jewels;
            j.names = resource_names.clone();
            for ids in j.by_action.values_mut() {
                *ids = to_resources.set(ids);
            }
            j.certain = to_resources.set(&j.certain);
            j.paths = j
                .paths
                .iter()
                .map(|(&id, p)| (single(&to_resources, id), p.clone()))
                .collect();
        }
        out
    }

    /// The set comparison, with the recorded findings filled in, is the flattening
    /// comparison: on the sample's growth both ways, restricted or not, and with the two
    /// sides numbered differently.
    #[test]
    fn the_set_comparison_gives_the_flattened_delta() {
        let (org, grown) = (sample::org(), sample::grown_org());
        let only: BTreeSet<String> = [sample::WEB.to_string()].into();
        let alice: BTreeSet<String> = [sample::ALICE.to_string()].into();
        // Names that sort first and in between shift every id of the renumbered side.
        let shifted = renumbered(&grown, &["arn:aws:a", "arn:aws:iam::2", "arn:aws:s"]);
        let cases = [
            (&org, &grown, None),
            (&grown, &org, None),
            (&org, &grown, Some(&only)),
            (&org, &grown, Some(&alice)),
            (&org, &shifted, None),
            (&shifted, &org, None),
            (&org, &org, None),
        ];
        let mut nonempty = 0;
        for (i, (before, after, only)) in cases.into_iter().enumerate() {
            let expected = compare_reach(before, after, only);
            let got = compare_keys(before, after, only).with_recorded_findings(before, after);
            assert_eq!(got, expected, "case {i}");
            nonempty += usize::from(!expected.added.is_empty() && !expected.removed.is_empty());
        }
        assert!(nonempty >= 4, "{nonempty} cases add and remove findings");
    }

    #[test]
    fn changed_actions_select_the_resource_on_both_sides() {
        let keys = compare_keys(&sample::org(), &sample::grown_org(), None);
        let web = &keys.added[sample::WEB];
        let removed = &keys.removed[sample::WEB];
        // The web secret gained kms:Decrypt: its finding is removed and added again.
        let secret = |reach: &OrgReach| {
            reach
                .resource_names
                .binary_search(&sample::WEB_SECRET.to_string())
                .expect("a known secret") as u32
        };
        assert!(web.jewels.contains(secret(&sample::grown_org())));
        assert_eq!(
            removed.jewels.iter().collect::<Vec<_>>(),
            [secret(&sample::org())]
        );
        assert_eq!(web.accounts, ["222222222222"]);
        assert_eq!(web.len(), 4);
        assert!(removed.identities.is_empty() && removed.accounts.is_empty());
    }
}
