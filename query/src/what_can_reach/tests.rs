//! The streamed, bitmap-based answer checked against the direct one: every reached
//! identity's permissions enumerated per source and ranked per target (the
//! implementation before the answer was streamed). Action and resource matching are
//! the production ones: what is compared is how hits are gathered and ranked.

use super::hits::{actions_of, on_matches};
use super::*;
use crate::coverage::gaps;
use crate::paths::path_to;
use crate::QueryError;
use blastgraph_engine::graph::access::{pair, unpair, AccessIndex, CLASSES};
use blastgraph_engine::graph::authz::Decision;
use blastgraph_engine::graph::reach::shortest_paths;
use blastgraph_engine::graph::{analyse, Analysis, NodeId};
use blastgraph_engine::synth::{generate, SynthConfig};
use rayon::prelude::*;
use roaring::RoaringBitmap;
use std::collections::BTreeMap;

type Hit = (u32, usize, bool);
type Hits = BTreeMap<NodeId, Vec<Hit>>;
type Rank = (bool, (u32, u32), NodeId);

fn hits(
    analysis: &Analysis<'_>,
    query: &WhatCanReachQuery,
) -> Result<(Hits, Vec<String>), QueryError> {
    let (classes, concrete) = actions_of(&query.action_pattern)?;
    let access = &analysis.access;
    let mut names: Vec<String> = classes
        .iter()
        .map(|&c| CLASSES[c].action.to_string())
        .collect();
    let mut wanted = RoaringBitmap::new();
    for (r, resource) in access.resources.iter().enumerate() {
        if !on_matches(query.on.as_deref(), access, r as u32) {
            continue;
        }
        for &c in &classes {
            if CLASSES[c].resource_type == resource.resource_type {
                wanted.insert(pair(r as u32, c));
            }
        }
    }
    // Per access group, then per principal.
    let group_hits: Vec<Vec<Hit>> = (0..access.groups())
        .map(|g| {
            let mut out = Vec::new();
            for p in &*access.allowed(g) & &wanted {
                let (r, c) = unpair(p);
                out.push((r, classes.iter().position(|&x| x == c).unwrap_or(0), true));
            }
            for p in &*access.conditional(g) & &wanted {
                let (r, c) = unpair(p);
                out.push((r, classes.iter().position(|&x| x == c).unwrap_or(0), false));
            }
            out
        })
        .collect();
    let mut result: BTreeMap<NodeId, Vec<Hit>> = BTreeMap::new();
    for (p, &g) in access.group_of.iter().enumerate() {
        if !group_hits[g as usize].is_empty() {
            result.insert(
                analysis.graph.principal_node(p as u32),
                group_hits[g as usize].clone(),
            );
        }
    }
    if let Some(action) = concrete {
        let index = names.len();
        names.push(action.clone());
        let service = action.split(':').next().unwrap_or("").to_ascii_lowercase();
        let resources: Vec<u32> = access
            .by_service
            .get(&service)
            .map(|rs| {
                rs.iter()
                    .copied()
                    .filter(|&r| on_matches(query.on.as_deref(), access, r))
                    .collect()
            })
            .unwrap_or_default();
        let lower = action.to_ascii_lowercase();
        let extra: Vec<(NodeId, Vec<Hit>)> = (0..analysis.model.principals.len() as u32)
            .into_par_iter()
            .filter_map(|p| {
                let may = analysis.authz.may_allow(p, &lower);
                let found: Vec<Hit> = resources
                    .iter()
                    .filter(|&&r| may || access.resources[r as usize].policy.is_some())
                    .filter_map(|&r| {
                        let form = AccessIndex::form_for(&action, &access.resources[r as usize]);
                        match access.evaluate(analysis.authz, p, &action, r, form) {
                            Decision::Allow(_) => Some((r, index, true)),
                            Decision::Conditional(..) => Some((r, index, false)),
                            Decision::Deny(_) => None,
                        }
                    })
                    .collect();
                (!found.is_empty()).then(|| (analysis.graph.principal_node(p), found))
            })
            .collect();
        for (node, found) in extra {
            result.entry(node).or_default().extend(found);
        }
    }
    Ok((result, names))
}

/// Answers the question.
fn direct(analysis: &Analysis<'_>, query: &WhatCanReachQuery) -> Result<WhatCanReach, QueryError> {
    let (hits, names) = hits(analysis, query)?;
    let holders: RoaringBitmap = hits.keys().copied().collect();
    let sources: Vec<NodeId> = analysis.graph.sources(&query.from).collect();
    let findings: Vec<Vec<Finding>> = sources
        .par_iter()
        .map(|&source| {
            let reached = analysis.reach.any.of(source) & &holders;
            if reached.is_empty() {
                return Vec::new();
            }
            findings_of(analysis, source, &reached, &hits, &names)
        })
        .collect();
    Ok(WhatCanReach {
        findings: findings.into_iter().flatten().collect(),
        coverage_gaps: gaps(analysis),
    })
}

fn findings_of(
    analysis: &Analysis<'_>,
    source: NodeId,
    reached: &RoaringBitmap,
    hits: &BTreeMap<NodeId, Vec<Hit>>,
    names: &[String],
) -> Vec<Finding> {
    let tree = shortest_paths(&analysis.graph, source);
    let certain = analysis.reach.certain.of(source);
    // resource -> (actions, best (uncertain, cost, node))
    let mut per_target: BTreeMap<u32, (Vec<usize>, Rank)> = BTreeMap::new();
    for identity in reached {
        let Some(identity_hits) = hits.get(&identity) else {
            continue;
        };
        let cost = tree.cost(identity).unwrap_or((u32::MAX, u32::MAX));
        for &(resource, action, allowed) in identity_hits {
            let sure = allowed && certain.contains(identity);
            let rank = (!sure, cost, identity);
            let entry = per_target
                .entry(resource)
                .or_insert_with(|| (Vec::new(), rank));
            entry.0.push(action);
            if rank < entry.1 {
                entry.1 = rank;
            }
        }
    }
    let graph = &analysis.graph;
    per_target
        .into_iter()
        .map(|(resource, (mut actions, (uncertain, _, via)))| {
            actions.sort_unstable();
            actions.dedup();
            let target = &analysis.access.resources[resource as usize];
            Finding {
                source: graph.node(source).id.clone(),
                target: target.arn.clone(),
                actions: actions.iter().map(|&a| names[a].clone()).collect(),
                conditional: uncertain,
                path: path_to(analysis, &tree, via),
                source_kind: graph.node(source).kind.as_str(),
                via: graph.node(via).id.clone(),
                account: target.account.clone(),
                not_collected: target.is_abstract,
            }
        })
        .collect()
}

fn queries() -> Vec<WhatCanReachQuery> {
    [
        ("secretsmanager:GetSecretValue", None),
        ("s3:*", None),
        ("*:*", None),
        ("kms:Decrypt", Some("arn:aws:kms:*")),
        // Concrete actions outside the classes, evaluated per access group.
        ("secretsmanager:DescribeSecret", None),
        ("sqs:SendMessage", None),
        ("sqs:SendMessage", Some("arn:aws:sqs:*:*:*-*")),
        ("s3:GetObjectAcl", None),
        ("kms:GenerateDataKey", None),
    ]
    .into_iter()
    .map(|(action, on)| WhatCanReachQuery {
        action_pattern: action.into(),
        on: on.map(String::from),
        from: Vec::new(),
    })
    .collect()
}

fn json_of(findings: &[Finding]) -> String {
    serde_json::to_string(findings).unwrap()
}

#[test]
fn streamed_answers_equal_the_direct_ones_on_a_synthetic_org() {
    let config = SynthConfig::custom(3, 40, 5).expect("a valid size");
    let snapshot = generate(&config).expect("generated").snapshot;
    analyse(&snapshot, |analysis| {
        for query in queries() {
            let expected = direct(analysis, &query).unwrap();
            let streamed = what_can_reach(analysis, &query).unwrap();
            assert!(
                !expected.findings.is_empty(),
                "{}: nothing found, the comparison would prove nothing",
                query.action_pattern
            );
            assert_eq!(
                json_of(&streamed.findings),
                json_of(&expected.findings),
                "{}",
                query.action_pattern
            );
            // The streamed JSON is the collected answer's, byte for byte.
            let answer = Answer::new(analysis, &query).unwrap();
            let mut written = Vec::new();
            answer.write_json(&mut written).unwrap();
            let collected = serde_json::to_string_pretty(&streamed).unwrap() + "\n";
            assert_eq!(String::from_utf8(written).unwrap(), collected);
        }
    });
}

#[test]
fn summary_counts_equal_the_findings() {
    let config = SynthConfig::custom(3, 40, 5).expect("a valid size");
    let snapshot = generate(&config).expect("generated").snapshot;
    analyse(&snapshot, |analysis| {
        // Holders with hits of their own on top of shared layers, at hit and at resource
        // level: what the layered sets and their counts must get right.
        let mut layered = [false; 2];
        for query in queries() {
            let hits = super::hits::Hits::compute(analysis, &query).unwrap();
            for sets in &hits.groups {
                let mixed =
                    |set: &super::layered::Layered| set.layers != 0 && !set.own().is_empty();
                layered[0] |= mixed(&sets.any);
                layered[1] |= hits.names.len() > 1 && mixed(&sets.any_resources);
            }
            let findings = direct(analysis, &query).unwrap().findings;
            let summary = Answer::new(analysis, &query).unwrap().summary();
            let mut per_source: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
            for f in &findings {
                let entry = per_source.entry(&f.source).or_default();
                entry.0 += 1;
                entry.1 += u64::from(f.conditional);
            }
            let counted: BTreeMap<&str, (u64, u64)> = summary
                .sources
                .iter()
                .map(|c| {
                    (
                        analysis.graph.node(c.source).id.as_str(),
                        (c.targets, c.conditional),
                    )
                })
                .collect();
            assert_eq!(counted, per_source, "{}", query.action_pattern);
            assert_eq!(summary.findings, findings.len() as u64);
            let targets: std::collections::BTreeSet<&str> =
                findings.iter().map(|f| f.target.as_str()).collect();
            assert_eq!(summary.targets_reached, targets.len() as u64);
            assert!(summary.matching >= summary.targets_reached);
            // Widest first.
            assert!(summary
                .sources
                .windows(2)
                .all(|w| w[0].targets >= w[1].targets));
        }
        assert_eq!(layered, [true, true], "no holder mixes own hits and layers");
    });
}

#[test]
fn a_malformed_pattern_is_refused() {
    let config = SynthConfig::custom(1, 40, 1).expect("a valid size");
    let snapshot = generate(&config).expect("generated").snapshot;
    analyse(&snapshot, |analysis| {
        let query = WhatCanReachQuery {
            action_pattern: "nocolon".into(),
            ..WhatCanReachQuery::default()
        };
        assert!(matches!(
            Answer::new(analysis, &query),
            Err(QueryError::BadArgument(_))
        ));
    });
}

#[test]
fn the_table_collapses_administered_accounts_and_says_what_it_leaves_out() {
    let config = SynthConfig::custom(3, 40, 5).expect("a valid size");
    let snapshot = generate(&config).expect("generated").snapshot;
    analyse(&snapshot, |analysis| {
        let query = WhatCanReachQuery {
            action_pattern: "secretsmanager:GetSecretValue".into(),
            ..WhatCanReachQuery::default()
        };
        let answer = Answer::new(analysis, &query).unwrap();
        let summary = answer.summary();
        let style = crate::table::Style { color: false };
        let short = crate::table::what_can_reach_summary(&answer, 2, style);
        assert!(
            short.starts_with(&format!(
                "{} of {} sources reach",
                summary.sources.len(),
                summary.sources_asked
            )),
            "{short}"
        );
        assert!(
            short.contains(&format!(
                "Showing the 2 widest sources of {}",
                summary.sources.len()
            )),
            "{short}"
        );
        assert!(
            short.contains("--format json lists every finding"),
            "{short}"
        );
        // The widest sources administer accounts: their secrets are one line, not one
        // finding each.
        assert!(
            short
                .lines()
                .any(|l| l.contains("administers") && l.contains("all ")),
            "{short}"
        );
        let full = crate::table::what_can_reach_summary(&answer, 0, style);
        assert!(
            !full.contains("Showing the"),
            "nothing is left out with --limit 0"
        );
        let sections = full.lines().filter(|l| l.contains(" targets (")).count();
        assert_eq!(sections, summary.sources.len());
    });
}
