//! The accepted blast radius, and the reach that grew past it.
//!
//! A baseline records, per source, the identities it reaches, the accounts it
//! administers, its crown-jewel exposures (target and actions) and how many resources
//! it reaches: the facts a nightly check compares, without the paths (which change for
//! reasons that do not matter, such as a new shorter route to the same role). It is
//! JSON, sorted everywhere, so the same snapshot always gives the same bytes and a
//! reviewer can read a baseline update in a pull request:
//!
//! ```json
//! {
//!   "format": "blastgraph-baseline",
//!   "version": 1,
//!   "sources": [
//!     {
//!       "source": "arn:aws:ecs:eu-west-1:222222222222:task-definition/web:1",
//!       "kind": "task-definition",
//!       "identities": ["arn:aws:iam::222222222222:role/web"],
//!       "administers": [],
//!       "crown_jewels": [{"target": "arn:aws:secretsmanager:...:secret:web/db", "actions": ["secretsmanager:GetSecretValue"]}],
//!       "resources": 12
//!     }
//!   ]
//! }
//! ```
//!
//! Reach grows when a source reaches an identity, an account (as administrator) or a
//! crown-jewel action it did not reach in the baseline, or more resources than the
//! baseline's count; a source missing from the baseline counts as reaching nothing.
//! Reach that shrank never fails a check.

use super::{OrgReach, SourceReach};
use crate::report::{Finding, Level, ReportItem, RuleInfo};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The value of the `format` field.
pub const FORMAT: &str = "blastgraph-baseline";
/// The version this code writes and reads.
pub const VERSION: u32 = 1;

/// A baseline file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    /// Always [`FORMAT`].
    pub format: String,
    /// Always [`VERSION`].
    pub version: u32,
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
    /// Identity ARNs it reaches, sorted.
    pub identities: Vec<String>,
    /// Account ids it administers, sorted.
    pub administers: Vec<String>,
    /// Crown jewels it reaches, by target.
    pub crown_jewels: Vec<Exposure>,
    /// How many resources it reaches.
    pub resources: usize,
}

/// A crown jewel and the actions reached on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exposure {
    /// The resource ARN.
    pub target: String,
    /// The actions, sorted.
    pub actions: Vec<String>,
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
        let mut sources: Vec<BaselineSource> = reach.sources.iter().map(record).collect();
        sources.sort_by(|a, b| a.source.cmp(&b.source));
        Baseline {
            format: FORMAT.into(),
            version: VERSION,
            sources,
        }
    }

    /// Reads a baseline, refusing other formats and versions.
    pub fn parse(text: &str) -> Result<Baseline, String> {
        let mut deserializer = serde_json::Deserializer::from_str(text);
        let baseline: Baseline = serde_path_to_error::deserialize(&mut deserializer)
            .map_err(|e| format!("{} at {}", e.inner(), e.path()))?;
        if baseline.format != FORMAT {
            return Err(format!(
                "format is {:?}, expected {FORMAT:?}",
                baseline.format
            ));
        }
        if baseline.version != VERSION {
            return Err(format!(
                "baseline version {} cannot be read by this blastgraph (it reads version {VERSION})",
                baseline.version
            ));
        }
        Ok(baseline)
    }

    /// The baseline as pretty JSON with a final newline (deterministic).
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Every way `current` reaches further than this baseline, one item per new
    /// identity, administered account or crown-jewel exposure (with its path), and per
    /// source whose resource count grew.
    pub fn growth(&self, current: &OrgReach) -> Vec<ReportItem> {
        let accepted: BTreeMap<&str, &BaselineSource> = self
            .sources
            .iter()
            .map(|s| (s.source.as_str(), s))
            .collect();
        let mut items = Vec::new();
        for source in &current.sources {
            let before = accepted.get(source.source.as_str()).copied();
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
                    let now = record(now);
                    now.resources < before.resources
                        || now.identities.len() < before.identities.len()
                        || now.administers.len() < before.administers.len()
                        || now.crown_jewels.len() < before.crown_jewels.len()
                }
            })
            .count()
    }
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

fn record(source: &SourceReach) -> BaselineSource {
    let targets = |findings: &[Finding]| -> Vec<String> {
        let set: BTreeSet<&str> = findings.iter().map(|f| f.target.as_str()).collect();
        set.into_iter().map(String::from).collect()
    };
    let mut jewels: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for finding in &source.crown_jewels {
        jewels
            .entry(&finding.target)
            .or_default()
            .extend(finding.actions.iter().map(String::as_str));
    }
    BaselineSource {
        source: source.source.clone(),
        kind: source.kind.clone(),
        identities: targets(&source.identities),
        administers: targets(&source.administers),
        crown_jewels: jewels
            .into_iter()
            .map(|(target, actions)| Exposure {
                target: target.into(),
                actions: actions.into_iter().map(String::from).collect(),
            })
            .collect(),
        resources: source.resources,
    }
}

fn item(rule: &str, source: &SourceReach, finding: &Finding, message: String) -> ReportItem {
    ReportItem {
        rule_id: rule.into(),
        level: Level::Error,
        source: source.source.clone(),
        target: finding.target.clone(),
        actions: finding.actions.clone(),
        conditional: finding.conditional,
        message,
        path: finding.path.clone(),
    }
}

/// The growth of one source over its baseline entry (none: it reached nothing).
fn grown(before: Option<&BaselineSource>, now: &SourceReach) -> Vec<ReportItem> {
    let empty = BaselineSource {
        source: now.source.clone(),
        kind: now.kind.clone(),
        identities: vec![],
        administers: vec![],
        crown_jewels: vec![],
        resources: 0,
    };
    let before = before.unwrap_or(&empty);
    let mut items = Vec::new();
    for finding in &now.identities {
        if before.identities.binary_search(&finding.target).is_err() {
            let message = format!("{} now reaches identity {}", now.source, finding.target);
            items.push(item(RULES[0].0, now, finding, message));
        }
    }
    for finding in &now.administers {
        if before.administers.binary_search(&finding.target).is_err() {
            let message = format!("{} now administers account {}", now.source, finding.target);
            items.push(item(RULES[1].0, now, finding, message));
        }
    }
    for finding in &now.crown_jewels {
        let accepted = before
            .crown_jewels
            .iter()
            .find(|e| e.target == finding.target)
            .map_or(&[][..], |e| e.actions.as_slice());
        let new: Vec<String> = finding
            .actions
            .iter()
            .filter(|a| !accepted.contains(a))
            .cloned()
            .collect();
        if !new.is_empty() {
            let message = format!(
                "{} now reaches {} on {}",
                now.source,
                new.join(", "),
                finding.target
            );
            let mut grown_item = item(RULES[2].0, now, finding, message);
            grown_item.actions = new;
            items.push(grown_item);
        }
    }
    if now.resources > before.resources {
        items.push(ReportItem {
            rule_id: RULES[3].0.into(),
            level: Level::Error,
            source: now.source.clone(),
            target: format!("{} resources", now.resources),
            actions: vec![],
            conditional: false,
            message: format!(
                "{} reaches {} resources, {} in the baseline",
                now.source, now.resources, before.resources
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
        let other = text.replace("\"version\": 1", "\"version\": 9");
        assert!(Baseline::parse(&other).unwrap_err().contains("version 9"));
        let wrong = text.replace("blastgraph-baseline", "something");
        assert!(Baseline::parse(&wrong).is_err());
        let error = Baseline::parse(
            r#"{"format": "blastgraph-baseline", "version": 1, "sources": [{"source": 3}]}"#,
        )
        .unwrap_err();
        assert!(error.contains("sources[0].source"), "{error}");
    }
}
