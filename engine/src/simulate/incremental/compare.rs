//! Comparing two analyses field by field: how tests hold an incrementally built
//! analysis equal to a full one.

use crate::graph::{Analysis, NodeId};

/// The first difference between two analyses, in words, or `None` when they are equal:
/// nodes; edges in order with kind, status and explanation; escalations; warnings;
/// both reachability relations of every node; access sets (resources, groups and their
/// pairs); administrators.
pub fn first_difference(a: &Analysis<'_>, b: &Analysis<'_>) -> Option<String> {
    let (ga, gb) = (&a.graph, &b.graph);
    if ga.nodes != gb.nodes {
        return Some("nodes differ".into());
    }
    if ga.graph.edge_count() != gb.graph.edge_count() {
        return Some(format!(
            "{} edges against {}",
            ga.graph.edge_count(),
            gb.graph.edge_count()
        ));
    }
    for (i, (x, y)) in ga.edges().zip(gb.edges()).enumerate() {
        let same = x.0 == y.0
            && x.1 == y.1
            && x.2.kind == y.2.kind
            && x.2.status == y.2.status
            && x.2.explanation == y.2.explanation;
        if !same {
            return Some(format!("edge {i} differs: {x:?} against {y:?}"));
        }
    }
    if ga.escalations.len() != gb.escalations.len() {
        return Some("escalation counts differ".into());
    }
    for (i, (x, y)) in ga.escalations.iter().zip(&gb.escalations).enumerate() {
        let same = (x.principal, x.technique, x.subject) == (y.principal, y.technique, y.subject)
            && x.status == y.status
            && x.explanation == y.explanation;
        if !same {
            return Some(format!("escalation {i} differs: {x:?} against {y:?}"));
        }
    }
    if ga.warnings != gb.warnings {
        return Some(format!(
            "warnings differ: {:?} against {:?}",
            ga.warnings, gb.warnings
        ));
    }
    for node in 0..ga.nodes.len() as NodeId {
        if a.reach.any.of(node) != b.reach.any.of(node)
            || a.reach.certain.of(node) != b.reach.certain.of(node)
        {
            return Some(format!("reach of node {node} differs"));
        }
    }
    let (xa, xb) = (&a.access, &b.access);
    let resources = |x: &crate::graph::access::AccessIndex| -> Vec<String> {
        x.resources.iter().map(|r| format!("{r:?}")).collect()
    };
    if resources(xa) != resources(xb) {
        return Some("indexed resources differ".into());
    }
    if xa.group_of != xb.group_of {
        return Some("access groups differ".into());
    }
    if xa.groups() != xb.groups()
        || (0..xa.groups())
            .any(|g| xa.allowed(g) != xb.allowed(g) || xa.conditional(g) != xb.conditional(g))
    {
        return Some("access sets differ".into());
    }
    let admin = |x: &Option<crate::graph::admin::AdminGrant>| {
        x.as_ref()
            .map(|g| (g.status.clone(), g.explanation.clone()))
    };
    for (p, (x, y)) in a.admins.iter().zip(&b.admins).enumerate() {
        if admin(x) != admin(y) {
            return Some(format!("administrator grant of principal {p} differs"));
        }
    }
    if a.admins.len() != b.admins.len() {
        return Some("administrator counts differ".into());
    }
    None
}
