//! The accepted blast radius, and the reach that grew past it.
//!
//! A baseline records, per source, the identities it reaches, the accounts it
//! administers, its crown-jewel exposures (per action, the resources) and how many
//! resources it reaches: the facts a nightly check compares, without the paths (which
//! change for reasons that do not matter, such as a new shorter route to the same role).
//!
//! On a large organization most sources reach thousands of identities and crown jewels,
//! so names are written once: the file holds a sorted table of identity ARNs and one of
//! resource ARNs (only those some source reaches), and each source lists index ranges
//! into them (`[first, last]`, inclusive). Identities are sorted by ARN, resources by
//! account then ARN: an account's identities and resources stay together, so ranges
//! stay few. It is JSON with one table entry
//! and one source per line, sorted everywhere, so the same snapshot always gives the same
//! bytes and a reviewer can read a baseline update in a pull request:
//!
//! ```json
//! {
//!   "format": "blastgraph-baseline",
//!   "version": 2,
//!   "identities": [
//!     "arn:aws:iam::222222222222:role/web"
//!   ],
//!   "resources": [
//!     "arn:aws:secretsmanager:eu-west-1:222222222222:secret:web/db"
//!   ],
//!   "sources": [
//!     {"source":"arn:aws:ecs:eu-west-1:222222222222:task-definition/web:1","kind":"task-definition","identities":[[0,0]],"administers":[],"crown_jewels":{"secretsmanager:GetSecretValue":[[0,0]]},"resources":12}
//!   ]
//! }
//! ```
//!
//! Version 1 (one ARN per (source, target), unusable past a few hundred roles) is
//! refused with a request to write the baseline again.
//!
//! Reach grows when a source reaches an identity, an account (as administrator) or a
//! crown-jewel action it did not reach in the baseline, or more resources than the
//! baseline's count; a source missing from the baseline counts as reaching nothing.
//! Reach that shrank never fails a check.

use super::targets::{Names, Translation};
use super::{OrgReach, SourceReach};
use crate::report::{Level, ReportItem, RuleInfo};
use roaring::RoaringBitmap;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};
use std::fmt::Write;
use std::sync::Arc;

/// The value of the `format` field.
pub const FORMAT: &str = "blastgraph-baseline";
/// The version this code writes and reads.
pub const VERSION: u32 = 2;

/// Inclusive ranges of table indexes, ascending: `[[0, 3], [7, 7]]`.
pub type Ranges = Vec<[u32; 2]>;

/// A baseline file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    /// Always [`FORMAT`].
    pub format: String,
    /// Always [`VERSION`].
    pub version: u32,
    /// Identity ARNs, sorted, each once.
    pub identities: Vec<String>,
    /// Resource ARNs, by account then ARN, each once.
    pub resources: Vec<String>,
    /// One entry per source, by source id.
    pub sources: Vec<BaselineSource>,
}

/// The accepted reach of one source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaselineSource {
    /// The source id.
    pub source: String,
    /// Its kind.
    pub kind: String,
    /// Identities it reaches: ranges into [`Baseline::identities`].
    pub identities: Ranges,
    /// Account ids it administers, sorted.
    pub administers: Vec<String>,
    /// Per crown-jewel action, the resources reached: ranges into
    /// [`Baseline::resources`].
    pub crown_jewels: BTreeMap<String, Ranges>,
    /// How many resources it reaches.
    pub resources: usize,
}

/// The `format` and `version` of a file, read before the rest.
#[derive(Deserialize)]
struct Header {
    format: String,
    version: u32,
}

/// The rule ids of growth past a baseline, with what they mean.
pub const RULES: [(&str, &str); 4] = [
    (
        "baseline/new-identity",
        "a source reaches an identity it did not reach in the baseline",
    ),
    (
        "baseline/new-admin",
        "a source administers an account it did not administer in the baseline",
    ),
    (
        "baseline/new-crown-jewel",
        "a source reaches a crown-jewel action it did not reach in the baseline",
    ),
    (
        "baseline/more-resources",
        "a source reaches more resources than in the baseline",
    ),
];

impl Baseline {
    /// Records the reach of every source.
    pub fn from_reach(reach: &OrgReach) -> Baseline {
        let mut used_identities = RoaringBitmap::new();
        let mut used_resources = RoaringBitmap::new();
        for source in &reach.sources {
            used_identities |= &source.identities.ids;
            used_resources |= source.crown_jewels.resources();
        }
        let table = |used: &RoaringBitmap, names: &Names| -> Vec<String> {
            used.iter().map(|i| names[i as usize].clone()).collect()
        };
        // Ids are renumbered into the used entries: the order (and so runs) is kept.
        let renumber = |used: &RoaringBitmap, len: usize| -> Vec<u32> {
            let mut new_id = vec![0; len];
            for (i, id) in used.iter().enumerate() {
                new_id[id as usize] = i as u32;
            }
            new_id
        };
        let identity_id = renumber(&used_identities, reach.identity_names.len());
        let resource_id = renumber(&used_resources, reach.resource_names.len());
        let ranges_of = |ids: &RoaringBitmap, new_id: &[u32]| -> Ranges {
            ranges(ids.iter().map(|i| new_id[i as usize]))
        };
        let mut sources: Vec<BaselineSource> = reach
            .sources
            .iter()
            .map(|s| BaselineSource {
                source: s.source.clone(),
                kind: s.kind.clone(),
                identities: ranges_of(&s.identities.ids, &identity_id),
                administers: administered(s),
                crown_jewels: s
                    .crown_jewels
                    .by_action
                    .iter()
                    .filter(|(_, ids)| !ids.is_empty())
                    .map(|(action, ids)| (action.clone(), ranges_of(ids, &resource_id)))
                    .collect(),
                resources: s.resources,
            })
            .collect();
        sources.sort_by(|a, b| a.source.cmp(&b.source));
        Baseline {
            format: FORMAT.into(),
            version: VERSION,
            identities: table(&used_identities, &reach.identity_names),
            resources: table(&used_resources, &reach.resource_names),
            sources,
        }
    }

    /// Reads a baseline, refusing other formats and versions and indexes outside the
    /// tables.
    pub fn parse(text: &str) -> Result<Baseline, String> {
        let header: Header = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if header.format != FORMAT {
            return Err(format!(
                "format is {:?}, expected {FORMAT:?}",
                header.format
            ));
        }
        if header.version != VERSION {
            return Err(format!(
                "baseline version {} cannot be read by this blastgraph (it reads version {VERSION}); write it again with `blastgraph baseline`",
                header.version
            ));
        }
        let mut deserializer = serde_json::Deserializer::from_str(text);
        let baseline: Baseline = serde_path_to_error::deserialize(&mut deserializer)
            .map_err(|e| format!("{} at {}", e.inner(), e.path()))?;
        baseline.validate()?;
        Ok(baseline)
    }

    fn validate(&self) -> Result<(), String> {
        for (name, table) in [
            ("identities", &self.identities),
            ("resources", &self.resources),
        ] {
            let mut seen = HashSet::new();
            if let Some(twice) = table.iter().find(|n| !seen.insert(n.as_str())) {
                return Err(format!("{name}: {twice:?} is listed twice"));
            }
        }
        let check = |ranges: &Ranges, len: usize, at: String| -> Result<(), String> {
            for [first, last] in ranges {
                if first > last || *last as usize >= len {
                    return Err(format!(
                        "{at}: range [{first}, {last}] is not within the table of {len} entries"
                    ));
                }
            }
            Ok(())
        };
        for (i, s) in self.sources.iter().enumerate() {
            check(
                &s.identities,
                self.identities.len(),
                format!("sources[{i}].identities"),
            )?;
            for (action, ranges) in &s.crown_jewels {
                let at = format!("sources[{i}].crown_jewels.{action}");
                check(ranges, self.resources.len(), at)?;
            }
        }
        Ok(())
    }

    /// The baseline as JSON, one table entry and one source per line, with a final
    /// newline (deterministic).
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        let _ = write!(
            out,
            "{{\n  \"format\": {},\n  \"version\": {}",
            json(&self.format),
            self.version
        );
        for (name, table) in [
            ("identities", &self.identities),
            ("resources", &self.resources),
        ] {
            let _ = write!(out, ",\n  \"{name}\": [");
            lines(&mut out, table.iter().map(json));
        }
        out.push_str(",\n  \"sources\": [");
        lines(&mut out, self.sources.iter().map(json));
        out.push_str("\n}\n");
        out
    }

    /// Every way `current` reaches further than this baseline, one item per new
    /// identity, administered account or crown-jewel exposure (paths are filled in by
    /// the caller, for what is reported), and per source whose resource count grew.
    pub fn growth(&self, current: &OrgReach) -> Vec<ReportItem> {
        let accepted = self.accepted(current);
        let mut items = Vec::new();
        for source in &current.sources {
            let before = accepted.get(source.source.as_str());
            items.extend(grown(before, source));
        }
        items
    }

    /// The sources whose recorded reach is larger than now (or which are gone).
    pub fn shrunk(&self, current: &OrgReach) -> usize {
        self.sources
            .iter()
            .filter(|before| match current.source(&before.source) {
                None => true,
                Some(now) => {
                    let count = |ranges: &Ranges| {
                        ranges
                            .iter()
                            .map(|[a, b]| (b - a + 1) as usize)
                            .sum::<usize>()
                    };
                    let mut jewels = RoaringBitmap::new();
                    for ranges in before.crown_jewels.values() {
                        jewels |= bitmap(ranges);
                    }
                    now.resources < before.resources
                        || now.identities.len() < count(&before.identities)
                        || now.administers.len() < before.administers.len()
                        || now.crown_jewels.len() < jewels.len() as usize
                }
            })
            .count()
    }

    /// Every source's accepted sets, as ids of `current`'s tables (names `current` does
    /// not know are dropped: nothing reaches them now).
    fn accepted<'a>(&'a self, current: &OrgReach) -> BTreeMap<&'a str, Accepted<'a>> {
        let identities =
            Translation::new(&Arc::new(self.identities.clone()), &current.identity_names);
        let resources =
            Translation::new(&Arc::new(self.resources.clone()), &current.resource_names);
        self.sources
            .iter()
            .map(|s| {
                let accepted = Accepted {
                    identities: identities.set(&bitmap(&s.identities)),
                    administers: &s.administers,
                    crown_jewels: s
                        .crown_jewels
                        .iter()
                        .map(|(action, ranges)| (action.as_str(), resources.set(&bitmap(ranges))))
                        .collect(),
                    resources: s.resources,
                };
                (s.source.as_str(), accepted)
            })
            .collect()
    }
}

/// A source's accepted reach in the current tables' ids.
struct Accepted<'a> {
    identities: RoaringBitmap,
    administers: &'a [String],
    crown_jewels: BTreeMap<&'a str, RoaringBitmap>,
    resources: usize,
}

/// JSON of one value on one line.
fn json(value: &impl Serialize) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// Appends `items` as the lines of a JSON array (the opening bracket is written).
fn lines(out: &mut String, items: impl Iterator<Item = String>) {
    let mut empty = true;
    for item in items {
        out.push_str(if empty { "\n    " } else { ",\n    " });
        out.push_str(&item);
        empty = false;
    }
    out.push_str(if empty { "]" } else { "\n  ]" });
}

/// Ascending ids as inclusive ranges.
fn ranges(ids: impl Iterator<Item = u32>) -> Ranges {
    let mut out: Ranges = Vec::new();
    for id in ids {
        match out.last_mut() {
            Some(last) if last[1] + 1 == id => last[1] = id,
            _ => out.push([id, id]),
        }
    }
    out
}

/// Ranges as a set.
fn bitmap(ranges: &Ranges) -> RoaringBitmap {
    let mut set = RoaringBitmap::new();
    for &[first, last] in ranges {
        set.insert_range(first..=last);
    }
    set
}

/// The accounts a source administers, sorted.
fn administered(source: &SourceReach) -> Vec<String> {
    let mut accounts: Vec<String> = source
        .administers
        .iter()
        .map(|f| f.target.clone())
        .collect();
    accounts.sort();
    accounts.dedup();
    accounts
}

/// The [`RuleInfo`]s of growth items.
pub fn rule_infos() -> Vec<RuleInfo> {
    RULES
        .iter()
        .map(|(id, description)| RuleInfo {
            id: (*id).into(),
            description: (*description).into(),
            level: Level::Error,
        })
        .collect()
}

fn item(rule: &str, finding: crate::report::Finding, message: String) -> ReportItem {
    ReportItem {
        rule_id: rule.into(),
        level: Level::Error,
        source: finding.source,
        target: finding.target,
        actions: finding.actions,
        conditional: finding.conditional,
        message,
        path: finding.path,
    }
}

/// The growth of one source over its baseline entry (none: it reached nothing).
fn grown(before: Option<&Accepted<'_>>, now: &SourceReach) -> Vec<ReportItem> {
    let mut items = Vec::new();
    let empty = RoaringBitmap::new();
    let source = now.source.as_str();
    let new_identities = match before {
        Some(b) => &now.identities.ids - &b.identities,
        None => now.identities.ids.clone(),
    };
    for id in &new_identities {
        let finding = now.identities.finding(source, id);
        let message = format!("{source} now reaches identity {}", finding.target);
        items.push(item(RULES[0].0, finding, message));
    }
    for finding in &now.administers {
        let accepted = before.is_some_and(|b| b.administers.contains(&finding.target));
        if !accepted {
            let message = format!("{source} now administers account {}", finding.target);
            items.push(item(RULES[1].0, finding.clone(), message));
        }
    }
    // Per resource, the crown-jewel actions not reached in the baseline.
    let mut new_actions: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    for (action, ids) in &now.crown_jewels.by_action {
        let accepted = before
            .and_then(|b| b.crown_jewels.get(action.as_str()))
            .unwrap_or(&empty);
        for id in ids - accepted {
            new_actions.entry(id).or_default().push(action.clone());
        }
    }
    for (id, actions) in new_actions {
        let finding = now.crown_jewels.finding(source, id, actions);
        let message = format!(
            "{source} now reaches {} on {}",
            finding.actions.join(", "),
            finding.target
        );
        items.push(item(RULES[2].0, finding, message));
    }
    let accepted_resources = before.map_or(0, |b| b.resources);
    if now.resources > accepted_resources {
        items.push(ReportItem {
            rule_id: RULES[3].0.into(),
            level: Level::Error,
            source: source.into(),
            target: format!("{} resources", now.resources),
            actions: vec![],
            conditional: false,
            message: format!(
                "{source} reaches {} resources, {accepted_resources} in the baseline",
                now.resources
            ),
            path: vec![],
        });
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ci::sample;

    #[test]
    fn a_baseline_round_trips_and_is_deterministic() {
        let reach = sample::org();
        let text = Baseline::from_reach(&reach).to_json();
        assert_eq!(text, Baseline::from_reach(&reach.clone()).to_json());
        let back = Baseline::parse(&text).unwrap();
        assert_eq!(back, Baseline::from_reach(&reach));
        assert!(
            text.contains("\"format\": \"blastgraph-baseline\""),
            "{text}"
        );
    }

    #[test]
    fn identical_reach_does_not_grow() {
        let reach = sample::org();
        let baseline = Baseline::from_reach(&reach);
        assert!(baseline.growth(&reach).is_empty());
        assert_eq!(baseline.shrunk(&reach), 0);
    }

    #[test]
    fn new_identities_admin_jewels_and_resources_are_growth_with_paths() {
        let baseline = Baseline::from_reach(&sample::org());
        let grown = sample::grown_org();
        let items = baseline.growth(&grown);
        let rules: Vec<&str> = items.iter().map(|i| i.rule_id.as_str()).collect();
        assert_eq!(
            rules,
            [
                "baseline/new-identity",
                "baseline/new-admin",
                "baseline/new-crown-jewel",
                "baseline/new-crown-jewel",
                "baseline/more-resources"
            ],
            "{items:#?}"
        );
        assert!(items[0].path.len() == 2, "{:?}", items[0].path);
        assert_eq!(items[2].target, sample::PAYMENTS_SECRET);
        assert_eq!(items[3].actions, ["kms:Decrypt"]);
    }

    #[test]
    fn shrunk_reach_passes_and_is_counted() {
        let baseline = Baseline::from_reach(&sample::grown_org());
        let smaller = sample::org();
        assert!(baseline.growth(&smaller).is_empty());
        assert_eq!(baseline.shrunk(&smaller), 1);
    }

    #[test]
    fn a_new_source_grows_from_nothing() {
        let mut reach = sample::org();
        let baseline = Baseline::from_reach(&reach);
        let mut new = reach.sources[0].clone();
        new.source = "arn:aws:lambda:eu-west-1:222222222222:function:new".into();
        reach.sources.push(new);
        let reach = reach.sorted();
        let items = baseline.growth(&reach);
        assert!(!items.is_empty());
        assert!(items
            .iter()
            .all(|i| i.source == "arn:aws:lambda:eu-west-1:222222222222:function:new"));
    }

    #[test]
    fn other_formats_and_versions_are_refused() {
        let text = Baseline::from_reach(&sample::org()).to_json();
        let other = text.replace("\"version\": 2", "\"version\": 9");
        assert!(Baseline::parse(&other).unwrap_err().contains("version 9"));
        let wrong = text.replace("blastgraph-baseline", "something");
        assert!(Baseline::parse(&wrong).is_err());
        let error = Baseline::parse(
            r#"{"format": "blastgraph-baseline", "version": 2, "identities": [], "resources": [], "sources": [{"source": 3}]}"#,
        )
        .unwrap_err();
        assert!(error.contains("sources[0].source"), "{error}");
    }

    #[test]
    fn a_version_1_baseline_is_refused_with_what_to_do() {
        let v1 = r#"{"format": "blastgraph-baseline", "version": 1, "sources": [{"source": "a", "kind": "user", "identities": ["arn:aws:iam::111111111111:role/x"], "administers": [], "crown_jewels": [], "resources": 1}]}"#;
        let error = Baseline::parse(v1).unwrap_err();
        assert!(
            error.contains("version 1") && error.contains("blastgraph baseline"),
            "{error}"
        );
    }

    #[test]
    fn ranges_outside_the_tables_are_refused() {
        let text = Baseline::from_reach(&sample::org()).to_json();
        let broken = text.replace("\"identities\":[[1,1]]", "\"identities\":[[1,7]]");
        assert_ne!(broken, text);
        let error = Baseline::parse(&broken).unwrap_err();
        assert!(error.contains("sources[0].identities"), "{error}");
    }

    #[test]
    fn the_file_has_one_table_and_ranges_per_source() {
        let text = Baseline::from_reach(&sample::grown_org()).to_json();
        // Each name once, however many sources reach it.
        assert_eq!(text.matches(sample::PAYMENTS_ROLE).count(), 1, "{text}");
        assert_eq!(text.matches(sample::PAYMENTS_SECRET).count(), 1, "{text}");
        assert!(text.contains("\"identities\":[[0,1]]"), "{text}");
        // One source per line.
        let web = text.lines().find(|l| l.contains(sample::WEB)).unwrap();
        assert!(web.contains("\"kms:Decrypt\":[[1,1]]"), "{web}");
    }

    #[test]
    fn a_name_listed_twice_is_refused() {
        let text = Baseline::from_reach(&sample::org()).to_json();
        let twice = text.replacen(sample::WEB_ROLE, sample::PAYMENTS_ROLE, 1);
        let error = Baseline::parse(&twice).unwrap_err();
        assert!(error.contains("listed twice"), "{error}");
    }
}
