//! `blastgraph simulate --snapshot S [CHANGES...] [--scenario FILE] [--query QUERY]`:
//! the blast radius before and after hypothetical changes (docs/simulate.md).

use crate::cmd::ci_common::{read_json, read_text};
use crate::cmd::simulate_args::ChangeArgs;
use crate::error::{CliError, CliResult};
use crate::output;
use crate::snapshot_file;
use blastgraph_engine::graph::{analyse_with, Analysis, NodeId, NodeKind};
use blastgraph_engine::simulate::incremental::analyse_after;
use blastgraph_engine::simulate::{apply, Change, Scenario, SimulationOptions};
use blastgraph_query::ci::delta::Delta;
use blastgraph_query::ci::explain::explained_delta;
use blastgraph_query::ci::from_graph::{
    affected_sources, coverage_gaps, org_reach_of, resolve_source, Paths,
};
use blastgraph_query::ci::query_delta::what_can_reach_delta;
use blastgraph_query::what_can_reach::{Answer, WhatCanReachQuery};
use clap::{Args, ValueEnum};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Output formats of `simulate`.
#[derive(Clone, Copy, Debug, Default, ValueEnum)]
pub enum SimulateFormat {
    /// Changes, then `+`/`-` findings with their paths.
    #[default]
    Table,
    /// `{"changes", "added", "removed", "sources", "coverage_gaps"}`.
    Json,
}

/// Arguments of `simulate`.
#[derive(Args)]
pub struct SimulateArgs {
    /// The snapshot file.
    #[arg(long, env = "BLASTGRAPH_SNAPSHOT")]
    snapshot: PathBuf,
    /// A scenario file (JSON) of changes, applied before the command-line ones.
    #[arg(long)]
    scenario: Option<PathBuf>,
    /// The query to compare, e.g. "what-can-reach secretsmanager:* --on arn:...";
    /// without it, every source's blast radius.
    #[arg(long)]
    query: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = SimulateFormat::Table)]
    format: SimulateFormat,
    /// List (and explain) at most this many added and this many removed findings, the
    /// first in the output's order; the rest are counted (`unlisted`). 0: every one.
    #[arg(long, default_value_t = 20_000)]
    limit: usize,
    /// Analyse the after side in full instead of from the before side (same output;
    /// for measurements and checks).
    #[arg(long, hide = true)]
    full_after: bool,
    #[command(flatten)]
    changes: ChangeArgs,
}

/// A `--query`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Query {
    /// `what-can-reach ACTION [--on RESOURCE] [--from KIND...]`.
    WhatCanReach {
        action: String,
        on: Option<String>,
        from: Vec<NodeKind>,
    },
    /// `blast-radius --all` (the default).
    BlastRadiusAll,
}

/// Runs `simulate`.
pub fn run(args: SimulateArgs) -> CliResult {
    let snapshot = snapshot_file::load(&args.snapshot)?;
    let query = match &args.query {
        Some(text) => parse_query(text).map_err(|e| CliError::BadInput(format!("--query: {e}")))?,
        None => Query::BlastRadiusAll,
    };
    let mut changes = match &args.scenario {
        Some(path) => scenario_changes(path)?,
        None => Vec::new(),
    };
    changes.extend(
        args.changes
            .changes(|path| read_json(path).map_err(|e| e.to_string()))
            .map_err(CliError::BadInput)?,
    );
    if changes.is_empty() {
        return Err(CliError::BadInput(
            "simulate needs at least one change (or --scenario FILE); see --help".into(),
        ));
    }
    let simulation = apply(&snapshot, &changes).map_err(|e| CliError::BadInput(e.to_string()))?;
    // Changes local to IAM principals only change the reach of the sources that reach
    // them: found on the "before" side, and only those are recomputed on both sides.
    let mut scope = Scope::Every;
    if query == Query::BlastRadiusAll {
        if let Some(touched) = &simulation.touched {
            scope = Scope::ReachingTouched(touched.clone());
        }
    }
    let compromised = &simulation.compromised;
    let limit = Some(args.limit).filter(|&l| l > 0);
    // The after side is built from the before one: only what the changes touch is
    // recomputed (`engine::simulate::incremental`). Both analyses are alive in the inner
    // closure, where the delta is compared and explained.
    let mut delta = analyse_with(
        &snapshot,
        &SimulationOptions::default().graph_options(),
        |before| -> Result<Delta, CliError> {
            let before_side = side(before, &query, compromised, &mut scope)?;
            let compare = |after: &Analysis<'_>| -> Result<Delta, CliError> {
                let after_side = side(after, &query, compromised, &mut scope)?;
                Ok(compare_sides(before, before_side, after, after_side, limit))
            };
            let after_options = simulation.options.graph_options();
            if args.full_after {
                analyse_with(&simulation.snapshot, &after_options, compare)
            } else {
                analyse_after(before, &simulation.snapshot, &after_options, |after, _| {
                    compare(after)
                })
            }
        },
    )?;
    delta.changes = simulation
        .effects
        .iter()
        .map(|e| e.description.clone())
        .collect();
    let text = match args.format {
        SimulateFormat::Table => delta.to_table(),
        SimulateFormat::Json => delta.to_json(),
    };
    output::print(&text)?;
    Ok(ExitCode::SUCCESS)
}

/// The delta of two sides of the same query.
fn compare_sides(
    before: &Analysis<'_>,
    old: Side<'_, '_>,
    after: &Analysis<'_>,
    new: Side<'_, '_>,
    limit: Option<usize>,
) -> Delta {
    match (old, new) {
        (Side::Reach(old, only), Side::Reach(new, _)) => {
            let only = Some(&only).filter(|o| !o.is_empty());
            explained_delta(before, old, after, new, only, limit)
        }
        (Side::Question(old, only, kinds), Side::Question(new, ..)) => {
            let keep = |answer: &Answer<'_, '_>, source: NodeId| {
                let node = answer.analysis().graph.node(source);
                (only.is_empty() || only.contains(&node.id))
                    && (kinds.is_empty() || kinds.contains(&node.kind))
            };
            let mut delta = what_can_reach_delta(&old, &new, &keep, limit);
            let mut gaps = coverage_gaps(before);
            gaps.extend(coverage_gaps(after));
            gaps.sort();
            gaps.dedup();
            delta.coverage_gaps = gaps;
            delta
        }
        _ => unreachable!("both sides answer the same query"),
    }
}

/// Which sources a side computes.
enum Scope {
    /// Every source.
    Every,
    /// The sources that reach one of these principals (decided on the first side).
    ReachingTouched(BTreeSet<String>),
    /// These source ids (as decided on the first side).
    Sources(Vec<String>),
}

/// One side of the comparison.
enum Side<'a, 's> {
    /// The reach (without paths) of the sources compared, with the compromised source
    /// ids (empty for all).
    Reach(blastgraph_query::ci::OrgReach, BTreeSet<String>),
    /// A `what-can-reach` answer (bitmaps, nothing explained yet), with the compromised
    /// source ids (empty for all) and the source kinds asked for (empty for all).
    Question(Answer<'a, 's>, BTreeSet<String>, Vec<NodeKind>),
}

fn side<'a, 's>(
    analysis: &'a Analysis<'s>,
    query: &Query,
    compromised: &[String],
    scope: &mut Scope,
) -> Result<Side<'a, 's>, CliError> {
    let only = compromised
        .iter()
        .map(|name| resolve_source(analysis, name))
        .collect::<Result<BTreeSet<String>, String>>()
        .map_err(|e| CliError::BadInput(format!("--compromise: {e}")))?;
    match query {
        Query::BlastRadiusAll => {
            // Sets only: the findings that changed are explained after the comparison.
            let mut sources = scope_sources(analysis, scope)
                .unwrap_or_else(|| analysis.graph.sources(&[]).collect());
            if !only.is_empty() {
                sources.retain(|&s| only.contains(&analysis.graph.node(s).id));
            }
            let reach = org_reach_of(analysis, &sources, Paths::Omitted);
            Ok(Side::Reach(reach, only))
        }
        Query::WhatCanReach { action, on, from } => {
            let question = WhatCanReachQuery {
                action_pattern: action.clone(),
                on: on.clone(),
                from: Vec::new(),
            };
            let answer = Answer::new(analysis, &question)
                .map_err(|e| CliError::BadInput(format!("--query: {e}")))?;
            Ok(Side::Question(answer, only, from.clone()))
        }
    }
}

/// The source nodes of a scope (`None`: every source); the first side fixes the ids.
fn scope_sources(analysis: &Analysis<'_>, scope: &mut Scope) -> Option<Vec<NodeId>> {
    match scope {
        Scope::Every => None,
        Scope::ReachingTouched(touched) => match affected_sources(analysis, touched) {
            Some(sources) => {
                let ids = sources
                    .iter()
                    .map(|&n| analysis.graph.node(n).id.clone())
                    .collect();
                *scope = Scope::Sources(ids);
                Some(sources)
            }
            None => {
                *scope = Scope::Every;
                None
            }
        },
        Scope::Sources(ids) => Some(
            ids.iter()
                .filter_map(|id| analysis.graph.node_by_id(id))
                .collect(),
        ),
    }
}

/// Reads a scenario file; documents given by path are read relative to it.
fn scenario_changes(path: &Path) -> Result<Vec<Change>, CliError> {
    let text = read_text(path)?;
    let mut deserializer = serde_json::Deserializer::from_str(&text);
    let scenario: Scenario = serde_path_to_error::deserialize(&mut deserializer)
        .map_err(|e| CliError::bad_file(path, format!("{} at {}", e.inner(), e.path())))?;
    let base = path.parent().unwrap_or(Path::new("."));
    scenario
        .into_changes(|relative| read_json(&base.join(relative)).map_err(|e| e.to_string()))
        .map_err(|e| CliError::bad_file(path, e))
}

/// Parses `what-can-reach ACTION [--on RESOURCE] [--from KIND...]` or
/// `blast-radius --all`.
fn parse_query(text: &str) -> Result<Query, String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    match words.as_slice() {
        ["blast-radius", "--all"] => Ok(Query::BlastRadiusAll),
        ["what-can-reach", action, rest @ ..] if !action.starts_with('-') => {
            let mut on = None;
            let mut from = Vec::new();
            let mut rest = rest.iter();
            let mut in_from = false;
            while let Some(&word) = rest.next() {
                match word {
                    "--on" => {
                        in_from = false;
                        let value = rest.next().ok_or("--on needs a resource pattern")?;
                        on = Some(value.to_string());
                    }
                    "--from" => in_from = true,
                    kind if in_from => {
                        from.push(NodeKind::parse(kind).ok_or_else(|| format!("unknown source kind {kind:?}"))?)
                    }
                    other => return Err(format!("unexpected {other:?}")),
                }
            }
            if in_from && from.is_empty() {
                return Err("--from needs at least one kind".into());
            }
            Ok(Query::WhatCanReach { action: action.to_string(), on, from })
        }
        _ => Err(format!(
            "{text:?}: expected \"what-can-reach ACTION [--on RESOURCE] [--from KIND...]\" or \"blast-radius --all\""
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_parse_or_explain_what_is_expected() {
        assert_eq!(
            parse_query("blast-radius --all").unwrap(),
            Query::BlastRadiusAll
        );
        assert_eq!(
            parse_query("what-can-reach s3:GetObject --on arn:aws:s3:::prod-* --from ecs eks")
                .unwrap(),
            Query::WhatCanReach {
                action: "s3:GetObject".into(),
                on: Some("arn:aws:s3:::prod-*".into()),
                from: vec![NodeKind::TaskDefinition, NodeKind::ServiceAccount],
            }
        );
        assert!(parse_query("what-can-reach").is_err());
        assert!(parse_query("what-can-reach x --on").is_err());
        assert!(parse_query("what-can-reach x --from pods")
            .unwrap_err()
            .contains("pods"));
        assert!(parse_query("who-can x y").is_err());
    }
}
