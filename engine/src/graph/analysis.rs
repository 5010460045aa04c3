//! Everything computed about one snapshot, in one place: the graph, reachability,
//! access sets and administrators.

use super::access::AccessIndex;
use super::admin::{administrators, AdminGrant};
use super::authz::interim::InterimAuthorizer;
use super::authz::Authorizer;
use super::model::Model;
use super::reach::Reachability;
use super::{BlastGraph, GraphOptions};
use crate::snapshot::Snapshot;

/// The analysed snapshot.
pub struct Analysis<'s> {
    /// The snapshot.
    pub snapshot: &'s Snapshot,
    /// Its IAM model.
    pub model: &'s Model,
    /// The evaluator.
    pub authz: &'s dyn Authorizer,
    /// The graph.
    pub graph: BlastGraph,
    /// Reachability of every node.
    pub reach: Reachability,
    /// Every identity's access.
    pub access: AccessIndex,
    /// Per principal, whether it administers its account.
    pub admins: Vec<Option<AdminGrant>>,
}

impl<'s> Analysis<'s> {
    /// Builds the graph, reachability, access sets and administrators.
    pub fn new(
        snapshot: &'s Snapshot,
        model: &'s Model,
        authz: &'s dyn Authorizer,
        options: &GraphOptions,
    ) -> Analysis<'s> {
        // The graph and the access sets do not depend on each other, but they are built
        // one after the other: each is parallel inside, and side by side the graph's
        // transient edge records and the access sets' peak coincided (on the `xl`
        // profile, tens of millions of edges, more than 14 GB).
        let graph = BlastGraph::build(snapshot, model, authz, options);
        let reach = Reachability::compute(&graph);
        let access = AccessIndex::build(snapshot, model, authz);
        Analysis::assemble(snapshot, model, authz, graph, reach, access)
    }

    /// The analysis of a graph, its reachability and access sets built elsewhere (a full
    /// build, or the incremental one of a simulation): adds the administrators.
    pub(crate) fn assemble(
        snapshot: &'s Snapshot,
        model: &'s Model,
        authz: &'s dyn Authorizer,
        graph: BlastGraph,
        reach: Reachability,
        access: AccessIndex,
    ) -> Analysis<'s> {
        let admins = administrators(model, authz, &graph, &reach);
        Analysis {
            snapshot,
            model,
            authz,
            graph,
            reach,
            access,
            admins,
        }
    }
}

/// Analyses a snapshot with the default evaluator and options, and hands the result to
/// `f` (the analysis borrows the model and the evaluator it creates).
pub fn analyse<R>(snapshot: &Snapshot, f: impl FnOnce(&Analysis<'_>) -> R) -> R {
    analyse_with(snapshot, &GraphOptions::default(), f)
}

/// [`analyse`] with graph options (what-if simulations switch edges on and off).
pub fn analyse_with<R>(
    snapshot: &Snapshot,
    options: &GraphOptions,
    f: impl FnOnce(&Analysis<'_>) -> R,
) -> R {
    let model = Model::new(snapshot);
    let authz = InterimAuthorizer::new(snapshot, &model);
    let mut analysis = Analysis::new(snapshot, &model, &authz, options);
    for (document, error) in &authz.errors {
        analysis.graph.warnings.push(format!(
            "policy document {} cannot be parsed ({error}); it is ignored",
            document.0
        ));
    }
    f(&analysis)
}
