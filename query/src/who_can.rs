//! `who-can ACTION RESOURCE`: the identities directly allowed (one hop), each with the
//! policy statement that allows it.

use crate::coverage::{gaps, CoverageGap};
use crate::QueryError;
use blastgraph_engine::graph::access::AccessIndex;
use blastgraph_engine::graph::authz::{Decision, Target};
use blastgraph_engine::graph::model::arn_account;
use blastgraph_engine::graph::Analysis;
use rayon::prelude::*;
use serde::Serialize;

/// One allowed identity.
#[derive(Debug, Clone, Serialize)]
pub struct Allowed {
    /// Its ARN.
    pub id: String,
    /// `user`, `role` or `group`.
    pub kind: &'static str,
    /// Its account.
    pub account: String,
    /// Allowed only depending on condition keys.
    pub conditional: bool,
    /// Those keys.
    pub condition_keys: Vec<String>,
    /// The statement that allows it.
    pub explanation: String,
}

/// The answer.
#[derive(Debug, Clone, Serialize)]
pub struct WhoCan {
    /// The action asked about.
    pub action: String,
    /// The resource asked about.
    pub resource: String,
    /// The identities allowed, by ARN.
    pub principals: Vec<Allowed>,
    /// What the snapshot does not know.
    pub coverage_gaps: Vec<CoverageGap>,
}

/// Answers the question.
pub fn who_can(
    analysis: &Analysis<'_>,
    action: &str,
    resource: &str,
) -> Result<WhoCan, QueryError> {
    if !action.contains(':') || action.contains(['*', '?']) {
        return Err(QueryError::BadArgument(format!(
            "{action:?} is not a concrete action; expected service:Action, e.g. s3:GetObject"
        )));
    }
    let indexed = analysis
        .access
        .resources
        .iter()
        .position(|r| r.arn == resource && !r.is_abstract);
    let lower = action.to_ascii_lowercase();
    let n = analysis.model.principals.len() as u32;
    let mut principals: Vec<Allowed> = (0..n)
        .into_par_iter()
        .filter_map(|p| {
            let decision = match indexed {
                Some(r) => {
                    let form = AccessIndex::form_for(action, &analysis.access.resources[r]);
                    analysis
                        .access
                        .evaluate(analysis.authz, p, action, r as u32, form)
                }
                None => {
                    let target = Target::plain(resource, arn_account(resource));
                    if !analysis.authz.may_allow(p, &lower) {
                        return None;
                    }
                    analysis.authz.authorize(p, &lower, &target)
                }
            };
            if let Decision::Deny(_) = decision {
                return None;
            }
            let principal = analysis.model.principal(p);
            Some(Allowed {
                id: principal.arn.clone(),
                kind: analysis.graph.node(p).kind.as_str(),
                account: analysis.model.account_id(p).to_string(),
                conditional: matches!(decision, Decision::Conditional(..)),
                condition_keys: decision.keys().to_vec(),
                explanation: analysis.authz.explain(Some(p), decision.why()),
            })
        })
        .collect();
    principals.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(WhoCan {
        action: action.to_string(),
        resource: resource.to_string(),
        principals,
        coverage_gaps: gaps(analysis),
    })
}
