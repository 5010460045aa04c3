//! What every source reaches, in the form the continuous checks compare.

use super::targets::{Identities, Jewels, Names};
use crate::report::Finding;

/// What one source reaches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceReach {
    /// The source id (an ARN, or `eks:CLUSTER/NAMESPACE/SERVICEACCOUNT`).
    pub source: String,
    /// Its kind (`task-definition`, `service-account`, `ec2-instance`,
    /// `lambda-function`, `user`, `role`).
    pub kind: String,
    /// The account it lives in.
    pub account: Option<String>,
    /// The Kubernetes namespace of an EKS service account.
    pub namespace: Option<String>,
    /// Identities it can obtain credentials of (outside the accounts it administers).
    pub identities: Identities,
    /// Accounts it can administer (target = account id).
    pub administers: Vec<Finding>,
    /// Crown jewels it reaches outside the accounts it administers (per crown-jewel
    /// action: secret reads, KMS decrypt, S3 data reads, RDS connect, ...).
    pub crown_jewels: Jewels,
    /// How many resources it can act on in any way.
    pub resources: usize,
}

impl SourceReach {
    /// A source that reaches nothing yet.
    pub fn new(source: impl Into<String>, kind: impl Into<String>) -> Self {
        SourceReach {
            source: source.into(),
            kind: kind.into(),
            account: None,
            namespace: None,
            identities: Identities::default(),
            administers: Vec::new(),
            crown_jewels: Jewels::default(),
            resources: 0,
        }
    }

    /// Whether it administers an account other than its own.
    pub fn is_cross_account_admin(&self, finding: &Finding) -> bool {
        self.account.as_deref() != Some(finding.target.as_str())
    }

    /// Sorts the administered accounts by target, so comparisons and outputs are
    /// deterministic (the sets are ordered by construction).
    pub fn sort(&mut self) {
        let list = &mut self.administers;
        for finding in list.iter_mut() {
            finding.actions.sort();
            finding.actions.dedup();
        }
        list.sort_by(|a, b| (&a.target, &a.actions).cmp(&(&b.target, &b.actions)));
    }
}

/// What every source of an organization reaches.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrgReach {
    /// The identity table the sources' identity sets index.
    pub identity_names: Names,
    /// The resource table the sources' crown-jewel sets index.
    pub resource_names: Names,
    /// One entry per source, by source id.
    pub sources: Vec<SourceReach>,
    /// Coverage gaps of the snapshot that could hide paths.
    pub coverage_gaps: Vec<String>,
    /// Account id to name, for rules that name accounts.
    pub account_names: Vec<(String, String)>,
}

impl OrgReach {
    /// Sorts sources and their lists (see [`SourceReach::sort`]).
    pub fn sorted(mut self) -> Self {
        for source in &mut self.sources {
            source.sort();
        }
        self.sources.sort_by(|a, b| a.source.cmp(&b.source));
        self.coverage_gaps.sort();
        self.account_names.sort();
        self
    }

    /// The source with this id.
    pub fn source(&self, id: &str) -> Option<&SourceReach> {
        self.sources
            .binary_search_by(|s| s.source.as_str().cmp(id))
            .ok()
            .map(|i| &self.sources[i])
    }

    /// The account id an account id or name stands for.
    pub fn account_id<'a>(&'a self, id_or_name: &'a str) -> &'a str {
        self.account_names
            .iter()
            .find(|(_, name)| name == id_or_name)
            .map_or(id_or_name, |(id, _)| id.as_str())
    }
}

/// `what-can-reach` over one analysed snapshot.
pub trait ReachQuery {
    /// Every source that `keep_source` accepts (by id) and that can reach an action
    /// matching `action` on a resource matching `resource` (every resource when
    /// `None`), one finding per (source, target), with its shortest explained path; an
    /// error for a pattern the query cannot take. Sources left out are not explained.
    fn what_can_reach(
        &self,
        action: &str,
        resource: Option<&str>,
        keep_source: &dyn Fn(&str) -> bool,
    ) -> Result<Vec<Finding>, String>;
}
