//! `what-can-reach ACTION_PATTERN [--on RESOURCE_PATTERN] [--from KIND...]`: every
//! source that can reach a matching (action, resource), grouped by source and target,
//! with the best explained path for each.
//!
//! Action patterns are matched against the action classes of the access sets
//! (`secretsmanager:*` → `GetSecretValue`, `PutSecretValue` ...); a concrete action
//! outside the classes is evaluated now against the indexed resources of its service,
//! per access group as the classes are
//! ([`blastgraph_engine::graph::action_sets::ActionAccess`]).
//!
//! The answer grows as sources × targets (an administrator reaches every secret of its
//! accounts), so nothing here holds it whole unless asked to:
//!
//! * `hits`: which access groups hold which matching (resource, action), as bitmaps;
//! * [`summary`]: per source, how many targets it reaches (certainly or not), from the
//!   hits propagated once over the reachability condensation; no path, no string;
//! * `explain`: one source's explained findings, one shortest-path tree per source and
//!   one path per explaining identity;
//! * [`Answer`]: every source's findings, in order, a bounded batch of sources at a time
//!   ([`Answer::write_json`] writes the JSON contract that way; [`what_can_reach`] collects
//!   them, for small organizations and tests).

mod explain;
mod hits;
mod layered;
mod stream;
pub mod summary;

use crate::coverage::CoverageGap;
use crate::paths::PathStep;
use blastgraph_engine::graph::NodeKind;
use serde::Serialize;

pub use stream::{what_can_reach, Answer};

/// The question.
#[derive(Debug, Clone, Default)]
pub struct WhatCanReachQuery {
    /// `service:Action` with wildcards.
    pub action_pattern: String,
    /// Only resources matching this ARN pattern.
    pub on: Option<String>,
    /// Only sources of these kinds (all when empty).
    pub from: Vec<NodeKind>,
}

/// One (source, target) finding.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// The source id.
    pub source: String,
    /// The target resource ARN (or pattern, when not collected).
    pub target: String,
    /// The actions it can perform there.
    pub actions: Vec<String>,
    /// Whether it rests on a conditional or inferred edge or permission.
    pub conditional: bool,
    /// The best path from the source to the identity holding the permission.
    pub path: Vec<PathStep>,
    /// The source kind.
    pub source_kind: &'static str,
    /// The identity holding the permission at the end of the path.
    pub via: String,
    /// The target's account.
    pub account: String,
    /// The target stands for resources that were not collected.
    pub not_collected: bool,
}

/// The answer.
#[derive(Debug, Clone, Serialize)]
pub struct WhatCanReach {
    /// Findings, by source then target.
    pub findings: Vec<Finding>,
    /// What the snapshot does not know.
    pub coverage_gaps: Vec<CoverageGap>,
}

/// A finding borrowing its strings from the analysis: serializes exactly as
/// [`Finding`] does.
#[derive(Debug, Clone, Serialize)]
pub struct FindingRef<'a> {
    /// The source id.
    pub source: &'a str,
    /// The target resource ARN (or pattern, when not collected).
    pub target: &'a str,
    /// The actions it can perform there.
    pub actions: Vec<&'a str>,
    /// Whether it rests on a conditional or inferred edge or permission.
    pub conditional: bool,
    /// The best path from the source to the identity holding the permission.
    pub path: &'a [PathStep],
    /// The source kind.
    pub source_kind: &'static str,
    /// The identity holding the permission at the end of the path.
    pub via: &'a str,
    /// The target's account.
    pub account: &'a str,
    /// The target stands for resources that were not collected.
    pub not_collected: bool,
}

impl FindingRef<'_> {
    /// An owned copy.
    pub fn to_owned(&self) -> Finding {
        Finding {
            source: self.source.to_string(),
            target: self.target.to_string(),
            actions: self.actions.iter().map(|a| a.to_string()).collect(),
            conditional: self.conditional,
            path: self.path.to_vec(),
            source_kind: self.source_kind,
            via: self.via.to_string(),
            account: self.account.to_string(),
            not_collected: self.not_collected,
        }
    }
}

#[cfg(test)]
mod tests;
