//! Graph-build options that a simulation can change without touching the snapshot.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Switches the graph builder honours, beyond what the snapshot says.
///
/// The default is the sound baseline: every edge the model knows is built. Only a
/// what-if simulation (or a user who accepts the risk) turns one off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimulationOptions {
    /// Whether ECScape (a task on an EC2 container instance stealing the credentials of
    /// every other task placed on that instance) is modelled, for clusters without an
    /// override. On by default, as in `workloads.md`.
    pub ecscape_default: bool,
    /// Per-cluster overrides of [`SimulationOptions::ecscape_default`], by cluster ARN.
    pub ecscape_clusters: BTreeMap<String, bool>,
}

impl Default for SimulationOptions {
    fn default() -> Self {
        SimulationOptions {
            ecscape_default: true,
            ecscape_clusters: BTreeMap::new(),
        }
    }
}

impl SimulationOptions {
    /// Whether ECScape edges are built for the ECS cluster with this ARN.
    pub fn ecscape_enabled(&self, cluster_arn: &str) -> bool {
        self.ecscape_clusters
            .get(cluster_arn)
            .copied()
            .unwrap_or(self.ecscape_default)
    }

    /// The clusters for which ECScape is off while it is on by default (or every
    /// cluster named off), in ARN order: what a graph builder that only knows a
    /// "disabled clusters" list needs.
    pub fn ecscape_disabled_clusters(&self) -> impl Iterator<Item = &str> {
        self.ecscape_clusters
            .iter()
            .filter(|(_, enabled)| !**enabled)
            .map(|(arn, _)| arn.as_str())
    }

    /// The graph options these switches stand for (every other option at its default).
    pub fn graph_options(&self) -> crate::graph::GraphOptions {
        crate::graph::GraphOptions {
            ecscape: self.ecscape_default,
            ecscape_clusters: self.ecscape_clusters.clone(),
            ..crate::graph::GraphOptions::default()
        }
    }

    /// Sets ECScape for one cluster, or for every cluster (which clears the overrides);
    /// returns the effect in words.
    pub(crate) fn set_ecscape(&mut self, enabled: bool, cluster_arn: Option<&str>) -> String {
        let state = if enabled { "on" } else { "off" };
        match cluster_arn {
            Some(arn) => {
                self.ecscape_clusters.insert(arn.to_string(), enabled);
                format!("ECScape {state} for cluster {arn}")
            }
            None => {
                self.ecscape_default = enabled;
                self.ecscape_clusters.clear();
                format!("ECScape {state} for every cluster")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecscape_is_on_by_default_and_overridable_per_cluster() {
        let mut options = SimulationOptions::default();
        assert!(options.ecscape_enabled("arn:c1"));
        options.set_ecscape(false, Some("arn:c1"));
        assert!(!options.ecscape_enabled("arn:c1"));
        assert!(options.ecscape_enabled("arn:c2"));
        assert_eq!(
            options.ecscape_disabled_clusters().collect::<Vec<_>>(),
            ["arn:c1"]
        );
    }

    #[test]
    fn a_global_switch_clears_overrides() {
        let mut options = SimulationOptions::default();
        options.set_ecscape(false, Some("arn:c1"));
        options.set_ecscape(false, None);
        options.set_ecscape(true, Some("arn:c2"));
        assert!(!options.ecscape_enabled("arn:c1"));
        assert!(options.ecscape_enabled("arn:c2"));
        options.set_ecscape(true, None);
        assert!(options.ecscape_enabled("arn:c1"));
        assert!(options.ecscape_clusters.is_empty());
    }
}
