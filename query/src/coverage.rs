//! Coverage gaps: what the snapshot does not know, which could hide paths.

use blastgraph_engine::graph::Analysis;
use blastgraph_engine::snapshot::CoverageStatus;
use serde::Serialize;

/// One gap.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct CoverageGap {
    /// The account, when the gap is about one.
    pub account: Option<String>,
    /// The region, when regional.
    pub region: Option<String>,
    /// The service, when about one.
    pub service: Option<String>,
    /// What is missing and why.
    pub problem: String,
}

/// Every gap of an analysed snapshot, sorted and deduplicated.
pub fn gaps(analysis: &Analysis<'_>) -> Vec<CoverageGap> {
    let mut gaps: Vec<CoverageGap> = analysis
        .snapshot
        .meta
        .gaps()
        .map(|c| CoverageGap {
            account: Some(c.account_id.clone()),
            region: c.region.clone(),
            service: Some(c.service.clone()),
            problem: match &c.status {
                CoverageStatus::Failed { error } => format!("collection failed: {error}"),
                CoverageStatus::NotCollected { reason } => format!("not collected: {reason}"),
                CoverageStatus::Collected => String::new(),
            },
        })
        .chain(analysis.graph.warnings.iter().map(|w| CoverageGap {
            account: None,
            region: None,
            service: None,
            problem: w.clone(),
        }))
        .collect();
    if analysis.access.resources.iter().any(|r| r.is_abstract) {
        gaps.push(CoverageGap {
            account: None,
            region: None,
            service: None,
            problem: "some services' resources were not collected: they appear as `any <service> resource in <account>`, and resource policies there are unknown".into(),
        });
    }
    gaps.sort();
    gaps.dedup();
    gaps
}
