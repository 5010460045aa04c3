//! Incremental what-if analysis: the analysis of a simulation's "after" snapshot built
//! from the "before" analysis, recomputing only what the changes touch.
//!
//! Most of an analysis is spent on three kinds of unit, each a function of inputs that
//! can be compared between the two snapshots (the `inputs` module):
//!
//! * **access sets**, per evaluation group: the representative's policies, boundary,
//!   account and its SCP levels, tags and names, and every resource with its policy;
//! * **assume-role edges**, per (caller, role) pair: both principals' data (the
//!   caller's policies and SCPs, the role's trust policy and tags);
//! * **privilege-escalation edges**, per actor: the actor and its group's
//!   representative, and everything of the actor's account (its principals, compute,
//!   instance profiles, managed policy versions).
//!
//! A unit whose inputs are all equal keeps its result; the others are recomputed by the
//! unchanged builders of [`crate::graph`] under an evaluator restricted to them
//! (`restricted`), so there is no second implementation of any analysis to keep in
//! step. Organization-wide inputs (resource control policies, the organization,
//! coverage, the set and order of principals and accounts, a rewritten document table)
//! cannot be keyed per unit: a difference there recomputes everything, as does a
//! difference in resources for the access sets and in source nodes for the graph.
//! Workload edges, reachability and administrators are always recomputed (cheap).
//!
//! The result is the analysis a full build of the after snapshot gives, field for
//! field and in the same order ([`first_difference`] checks it in tests).

mod access;
mod compare;
mod graph;
mod inputs;
mod restricted;

pub use compare::first_difference;

use crate::graph::authz::interim::InterimAuthorizer;
use crate::graph::authz::Authorizer;
use crate::graph::reach::Reachability;
use crate::graph::{Analysis, BlastGraph, GraphOptions, Model};
use crate::snapshot::Snapshot;

/// How much of an incremental analysis was recomputed: (recomputed, total) per kind of
/// unit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reuse {
    /// Whether the snapshots could be compared unit by unit (otherwise everything was
    /// recomputed and the counts are zero).
    pub incremental: bool,
    /// Evaluation groups whose access sets were recomputed, of all groups.
    pub access_groups: (usize, usize),
    /// Principals whose assume-role pairs (as caller or role) were recomputed.
    pub assume_principals: (usize, usize),
    /// Actors whose escalations were recomputed.
    pub privesc_actors: (usize, usize),
    /// Whether the graph was built incrementally (its source nodes were unchanged).
    pub graph_incremental: bool,
}

/// [`crate::graph::analyse_with`] for the after side of a simulation: analyses
/// `snapshot` (the changed copy of `before.snapshot`) with the default evaluator,
/// reusing every unit of `before` whose inputs are unchanged, and hands the analysis and
/// what was reused to `f`.
pub fn analyse_after<R>(
    before: &Analysis<'_>,
    snapshot: &Snapshot,
    options: &GraphOptions,
    f: impl FnOnce(&Analysis<'_>, &Reuse) -> R,
) -> R {
    let model = Model::new(snapshot);
    let authz = InterimAuthorizer::new(snapshot, &model);
    let (mut analysis, reuse) = analysis_after(before, snapshot, &model, &authz, options);
    // As `analyse_with` reports them.
    for (document, error) in &authz.errors {
        analysis.graph.warnings.push(format!(
            "policy document {} cannot be parsed ({error}); it is ignored",
            document.0
        ));
    }
    f(&analysis, &reuse)
}

/// The analysis of `snapshot` with `model` and `authz`, reusing `before`'s units whose
/// inputs are unchanged (see the module documentation).
pub fn analysis_after<'s>(
    before: &Analysis<'_>,
    snapshot: &'s Snapshot,
    model: &'s Model,
    authz: &'s dyn Authorizer,
    options: &GraphOptions,
) -> (Analysis<'s>, Reuse) {
    let Some(inputs) = inputs::compare((before.snapshot, before.model), (snapshot, model)) else {
        return (
            Analysis::new(snapshot, model, authz, options),
            Reuse::default(),
        );
    };
    let n = model.principals.len();
    let (groups_before, groups) = rayon::join(
        || access::Groups::of(before.authz, n),
        || access::Groups::of(authz, n),
    );
    // A principal whose data and whose group's representative are unchanged.
    let stable: Vec<bool> = (0..n as u32)
        .map(|p| {
            let rep = groups.representative(p);
            !inputs.principal_changed[p as usize]
                && groups_before.representative(p) == rep
                && !inputs.principal_changed[rep as usize]
        })
        .collect();
    let privesc = privesc_active(model, &inputs, &groups, &stable);
    let assume = &inputs.principal_changed;
    let mut reuse = Reuse {
        incremental: true,
        access_groups: (groups.first.len(), groups.first.len()),
        assume_principals: (assume.iter().filter(|&&a| a).count(), n),
        privesc_actors: (privesc.iter().filter(|&&a| a).count(), n),
        graph_incremental: false,
    };
    let active = graph::Active {
        assume,
        privesc: &privesc,
    };
    let ((graph, reach, graph_incremental), access) = rayon::join(
        || {
            let built = graph::build(&before.graph, snapshot, model, authz, options, &active);
            let incremental = built.is_some();
            let graph = built.unwrap_or_else(|| BlastGraph::build(snapshot, model, authz, options));
            let reach = Reachability::compute(&graph);
            (graph, reach, incremental)
        },
        || {
            if !inputs.resources_same {
                let access = crate::graph::access::AccessIndex::build(snapshot, model, authz);
                return (access, groups.first.len());
            }
            access::build(
                &before.access,
                &groups_before,
                snapshot,
                model,
                authz,
                &groups,
                &stable,
            )
        },
    );
    let (access, recomputed_groups) = access;
    reuse.access_groups.0 = recomputed_groups;
    reuse.graph_incremental = graph_incremental;
    if !graph_incremental {
        reuse.assume_principals.0 = n;
        reuse.privesc_actors.0 = n;
    }
    let analysis = Analysis::assemble(snapshot, model, authz, graph, reach, access);
    (analysis, reuse)
}

/// Actors whose escalations are recomputed: those not stable or in a changed account,
/// and the representatives of their groups (shared techniques are evaluated on the
/// representative and copied to the group).
fn privesc_active(
    model: &Model,
    inputs: &inputs::Inputs,
    groups: &access::Groups,
    stable: &[bool],
) -> Vec<bool> {
    let n = model.principals.len();
    let mut active = vec![false; n];
    for p in 0..n {
        let account = model.principals[p].account as usize;
        if !stable[p] || inputs.account_changed[account] {
            active[p] = true;
            active[groups.representative(p as u32) as usize] = true;
        }
    }
    active
}

#[cfg(test)]
mod tests;
