//! Every source's findings in order, a bounded batch of sources at a time: the batch is
//! explained in parallel, handed on in source order, then dropped, so memory holds one
//! batch of findings, never the whole answer.

use super::explain::{source_findings, SourceFindings};
use super::hits::Hits;
use super::summary::{propagate, Summary};
use super::{FindingRef, WhatCanReach, WhatCanReachQuery};
use crate::coverage::gaps;
use crate::QueryError;
use blastgraph_engine::graph::{Analysis, NodeId};
use rayon::prelude::*;
use roaring::RoaringBitmap;
use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{self, Write};
use std::sync::Arc;

/// How many sources are explained at once: enough to keep every core busy, few enough
/// that a batch of administrators' findings stays small (an administrator of 50
/// accounts has about 20 MB of JSON findings on the medium synthetic org).
const BATCH: usize = 16;

/// A `what-can-reach` question evaluated down to bitmaps: findings are explained only
/// when walked ([`Answer::for_each_source`], [`Answer::write_json`]), counts come from
/// [`Answer::summary`].
pub struct Answer<'a, 's> {
    analysis: &'a Analysis<'s>,
    hits: Hits,
    sources: Vec<NodeId>,
}

impl<'a, 's> Answer<'a, 's> {
    /// Evaluates which identities hold a matching permission; an error for a malformed
    /// action pattern.
    pub fn new(
        analysis: &'a Analysis<'s>,
        query: &WhatCanReachQuery,
    ) -> Result<Answer<'a, 's>, QueryError> {
        Ok(Answer {
            analysis,
            hits: Hits::compute(analysis, query)?,
            sources: analysis.graph.sources(&query.from).collect(),
        })
    }

    /// The analysis the answer is about.
    pub fn analysis(&self) -> &'a Analysis<'s> {
        self.analysis
    }

    /// The sources asked about, in output order.
    pub fn sources(&self) -> &[NodeId] {
        &self.sources
    }

    /// Per-source counts, without paths (see [`Summary`]).
    pub fn summary(&self) -> Summary {
        Summary::compute(self.analysis, &self.hits, &self.sources)
    }

    /// Calls `f` with the findings of each source that has any (by target), in source
    /// order; stops at the first error.
    pub fn for_each_source<E>(
        &self,
        mut f: impl FnMut(&[FindingRef<'_>]) -> Result<(), E>,
    ) -> Result<(), E> {
        self.for_each_explained(&self.sources, |explained| {
            f(&explained.refs(self.analysis, &self.hits))
        })
    }

    /// [`Answer::for_each_source`] over some sources only (in the given order), each
    /// handed with its node.
    pub fn for_each_of<E>(
        &self,
        sources: &[NodeId],
        mut f: impl FnMut(NodeId, &[FindingRef<'_>]) -> Result<(), E>,
    ) -> Result<(), E> {
        self.for_each_explained(sources, |explained| {
            f(explained.source, &explained.refs(self.analysis, &self.hits))
        })
    }

    /// The indexed resources the question is about.
    pub fn matching(&self) -> &RoaringBitmap {
        &self.hits.matching
    }

    /// Per component of the reachability over every edge, the matching (resource,
    /// action) pairs it reaches, as hit ids ([`Answer::action_names`]): a source's findings are
    /// its component's resources, each with the actions of its hits there, so this is
    /// every finding's key without explaining any.
    pub fn reached_hits(&self) -> Vec<Arc<RoaringBitmap>> {
        let layers = &self.hits.layer_hits;
        let reached = propagate(
            self.analysis,
            &self.hits,
            &self.analysis.reach.any,
            layers,
            |sets| &sets.any,
        );
        // Components sharing a set share its layers' union too.
        let mut full: HashMap<(*const RoaringBitmap, u32), Arc<RoaringBitmap>> = HashMap::new();
        reached
            .iter()
            .map(|set| {
                let made = full.entry(set.key()).or_insert_with(|| {
                    match (layers.full(set), set.shared_own()) {
                        (Cow::Borrowed(_), Some(own)) => Arc::clone(own),
                        (all, _) => Arc::new(all.into_owned()),
                    }
                });
                Arc::clone(made)
            })
            .collect()
    }

    /// The action names, by action index. A hit id is `rank * width + action`, where
    /// `rank` is the resource's position in [`Answer::matching`] and `width` is the
    /// number of names (at least 1).
    pub fn action_names(&self) -> &[String] {
        &self.hits.names
    }

    fn for_each_explained<E>(
        &self,
        sources: &[NodeId],
        mut f: impl FnMut(&SourceFindings) -> Result<(), E>,
    ) -> Result<(), E> {
        for batch in sources.chunks(BATCH) {
            let explained: Vec<SourceFindings> = batch
                .par_iter()
                .filter_map(|&s| source_findings(self.analysis, &self.hits, s))
                .collect();
            for source in &explained {
                f(source)?;
            }
        }
        Ok(())
    }

    /// Writes the JSON contract (`{"findings": [...], "coverage_gaps": [...]}`, pretty,
    /// with a final newline) source by source: byte for byte what serializing the
    /// collected [`WhatCanReach`] gives.
    pub fn write_json(&self, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(b"{\n  \"findings\": [")?;
        let mut first = true;
        for batch in self.sources.chunks(BATCH) {
            // Explained and serialized in parallel; written in order.
            let texts: Vec<String> = batch
                .par_iter()
                .filter_map(|&s| source_findings(self.analysis, &self.hits, s))
                .map(|explained| {
                    let mut text = String::new();
                    for finding in explained.refs(self.analysis, &self.hits) {
                        text.push_str(if text.is_empty() { "\n" } else { ",\n" });
                        indented(&mut text, &finding, "    ");
                    }
                    text
                })
                .collect();
            for text in texts {
                if !first {
                    out.write_all(b",")?;
                }
                first = false;
                out.write_all(text.as_bytes())?;
            }
        }
        out.write_all(if first { b"],\n" } else { b"\n  ],\n" })?;
        let mut gaps_text = String::from("  \"coverage_gaps\": ");
        let gaps = gaps(self.analysis);
        if gaps.is_empty() {
            gaps_text.push_str("[]");
        } else {
            let pretty = serde_json::to_string_pretty(&gaps).map_err(io::Error::other)?;
            for (i, line) in pretty.lines().enumerate() {
                if i > 0 {
                    gaps_text.push_str("\n  ");
                }
                gaps_text.push_str(line);
            }
        }
        gaps_text.push_str("\n}\n");
        out.write_all(gaps_text.as_bytes())
    }
}

/// Appends `value` as pretty JSON, every line indented by `indent` (a JSON string never
/// holds a raw line break, so lines are the pretty printer's own).
fn indented(out: &mut String, value: &impl serde::Serialize, indent: &str) {
    let pretty = serde_json::to_string_pretty(value).unwrap_or_default();
    for (i, line) in pretty.lines().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(indent);
        out.push_str(line);
    }
}

/// Answers the question with every finding in memory: for small organizations, tests
/// and callers that need the list (rules of `check`); the CLI streams instead.
pub fn what_can_reach(
    analysis: &Analysis<'_>,
    query: &WhatCanReachQuery,
) -> Result<WhatCanReach, QueryError> {
    let answer = Answer::new(analysis, query)?;
    let mut findings = Vec::new();
    answer.for_each_source(|source| {
        findings.extend(source.iter().map(FindingRef::to_owned));
        Ok::<_, QueryError>(())
    })?;
    Ok(WhatCanReach {
        findings,
        coverage_gaps: gaps(analysis),
    })
}
