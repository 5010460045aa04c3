//! Everything computed about one snapshot, in one place: the graph, reachability,
//! access sets and administrators.

use super::access::AccessIndex;
use super::admin::{administrators, AdminGrant};
use super::authz::interim::InterimAuthorizer;
use super::authz::Authorizer;
use super::model::Model;
use super::reach::Reachability;
use super::reach::Step;
use super::{BlastGraph, Edge, GraphOptions};
use crate::snapshot::Snapshot;
use std::borrow::Cow;

/// Orgs with fewer principals than this build the graph and the access sets side by
/// side (faster); larger ones one after the other (a lower peak). Measured: the `large`
/// synthetic profile (52,600 principals) peaks at 3.0 GB either way and is 15 % faster
/// side by side; `xl` (211,000) does not fit side by side in 14 GB.
const SIDE_BY_SIDE_PRINCIPALS: usize = 100_000;

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
        // The graph and the access sets do not depend on each other. Built side by side,
        // the sequential stretches of one overlap the other (a third of the wall time on
        // a 20,000-principal org); but their peaks then coincide, which on the largest
        // orgs (the `xl` profile: 85 M edges) is more memory than the machine has. So
        // large orgs build them one after the other, each still parallel inside.
        let build_graph = || {
            let graph = BlastGraph::build(snapshot, model, authz, options);
            let reach = Reachability::compute(&graph);
            (graph, reach)
        };
        let build_access = || AccessIndex::build(snapshot, model, authz);
        let ((graph, reach), access) = if model.principals.len() < SIDE_BY_SIDE_PRINCIPALS {
            rayon::join(build_graph, build_access)
        } else {
            (build_graph(), build_access())
        };
        Analysis::assemble(snapshot, model, authz, graph, reach, access)
    }

    /// The edge of a step as users see it: the graph's edge, or for a step through a hub
    /// the assume-role edge the caller would have had to the role: the hub's status, and
    /// the caller's statement asked again (see [`super::hubs`]).
    pub fn step_edge(&self, step: &Step) -> Cow<'_, Edge> {
        let edge = self.graph.edge(step.edge);
        let Some((from, _)) = self.graph.graph.edge_endpoints(step.edge) else {
            return Cow::Borrowed(edge);
        };
        let hub = from.index() as u32;
        if !self.graph.is_hub(hub) {
            return Cow::Borrowed(edge);
        }
        // The statement is not kept through a hub: the evaluator answers for the
        // caller as it did for its evaluation group when the hub was built.
        let why = self.authz.assume_role(step.from, step.to).why();
        Cow::Owned(Edge {
            kind: edge.kind,
            status: edge.status.clone(),
            explanation: super::assume::explanation(
                self.model,
                self.authz,
                step.from,
                step.to,
                super::assume::PackedWhy::pack(why),
            ),
        })
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
