//! SOURCE and TARGET names: ARNs, `eks:CLUSTER/NAMESPACE/SERVICEACCOUNT`, or the short
//! forms `ecs:CLUSTER/FAMILY[:REVISION]`, `ecs:FAMILY[:REVISION]` (or just
//! `FAMILY[:REVISION]`), `ec2:INSTANCE_ID`,
//! `lambda:NAME`, `role/NAME`, `user/NAME`, `group/NAME`.

use crate::QueryError;
use blastgraph_engine::graph::{Analysis, NodeId, NodeKind};

/// Resolves a name to a node.
pub fn resolve(analysis: &Analysis<'_>, name: &str) -> Result<NodeId, QueryError> {
    let graph = &analysis.graph;
    if let Some(node) = graph.node_by_id(name) {
        return Ok(node);
    }
    let mut matches: Vec<NodeId> = if let Some(rest) = name.strip_prefix("ecs:") {
        ecs_task_definitions(analysis, rest)
    } else {
        (0..graph.nodes.len() as NodeId)
            .filter(|&n| graph.node(n).label == name)
            .collect()
    };
    if matches.is_empty() && !name.contains(['/', ' ']) && !name.starts_with("arn:") {
        // A bare `FAMILY[:REVISION]`.
        matches = ecs_task_definitions(analysis, name);
    }
    match matches.as_slice() {
        [one] => Ok(*one),
        [] => Err(QueryError::NotFound(format!(
            "{name:?} is not in the snapshot; give an ARN or a short name: ecs:CLUSTER/FAMILY[:REVISION], eks:CLUSTER/NAMESPACE/SERVICEACCOUNT, ec2:INSTANCE_ID, lambda:NAME, role/NAME, user/NAME"
        ))),
        many => Err(QueryError::Ambiguous(format!(
            "{name:?} matches several nodes; give one of these ids: {}",
            many.iter()
                .map(|&n| graph.node(n).id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// `CLUSTER/FAMILY[:REVISION]` or `FAMILY[:REVISION]`: the task definitions it names; the
/// latest revision when none is given.
fn ecs_task_definitions(analysis: &Analysis<'_>, rest: &str) -> Vec<NodeId> {
    let (cluster, family) = match rest.split_once('/') {
        Some((cluster, family)) => (Some(cluster), family),
        None => (None, rest),
    };
    let (family, revision) = match family.split_once(':') {
        Some((f, r)) => (f, r.parse::<u32>().ok()),
        None => (family, None),
    };
    let mut found: Vec<(u32, NodeId)> = Vec::new();
    for account in &analysis.snapshot.accounts {
        for td in &account.compute.task_definitions {
            if td.family != family || revision.is_some_and(|r| r != td.revision) {
                continue;
            }
            let in_cluster = cluster.is_none_or(|c| {
                account.compute.ecs_clusters.iter().any(|cl| {
                    cl.name == c
                        && (cl.tasks.iter().any(|t| t.task_definition_arn == td.arn)
                            || cl.services.iter().any(|s| s.task_definition_arn == td.arn))
                })
            });
            if in_cluster {
                if let Some(node) = analysis.graph.node_by_id(&td.arn) {
                    found.push((td.revision, node));
                }
            }
        }
    }
    if revision.is_none() {
        if let Some(latest) = found.iter().map(|(r, _)| *r).max() {
            found.retain(|(r, _)| *r == latest);
        }
    }
    found.into_iter().map(|(_, n)| n).collect()
}

/// Parses `--from` kinds.
pub fn parse_kinds(names: &[String]) -> Result<Vec<NodeKind>, QueryError> {
    names
        .iter()
        .flat_map(|n| n.split(','))
        .map(|n| {
            NodeKind::parse(n.trim()).ok_or_else(|| {
                QueryError::BadArgument(format!(
                    "unknown source kind {n:?}; kinds: user, role, ec2-instance (ec2), task-definition (ecs), service-account (eks), lambda-function (lambda)"
                ))
            })
        })
        .collect()
}
