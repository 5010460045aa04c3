//! Scenario files: a list of planned changes a review can check in.
//!
//! ```json
//! {
//!   "description": "Move the shared cluster to Fargate, drop the legacy admin policy",
//!   "compromise": ["arn:aws:ecs:eu-west-1:222222222222:task-definition/web:1"],
//!   "changes": [
//!     {"remove_policy": {"arn": "arn:aws:iam::222222222222:policy/legacy-admin"}},
//!     {"detach": {"policy": "read-secrets", "from": "arn:aws:iam::111111111111:role/app"}},
//!     {"add_statement": {"to": "role/app", "document": {"Effect": "Deny", "Action": "iam:*", "Resource": "*"}}},
//!     {"add_scp": {"to": "Workloads", "document": "policies/deny-leave-org.json"}},
//!     {"remove_trust": {"role": "role/deploy", "principal": "111111111111"}},
//!     {"imds": {"setting": "v2-hop1", "instances": ["workers"]}},
//!     {"fargate": {"cluster": "shared"}},
//!     {"ecscape": {"enabled": false, "cluster": "batch"}}
//!   ]
//! }
//! ```
//!
//! A `document` is either inline JSON (a statement, an array of statements or a policy)
//! or a string: the path of a JSON file, relative to the scenario file, which the caller
//! loads through [`Scenario::into_changes`]. Unknown fields are errors, so a typo does
//! not silently simulate nothing.

use super::{Change, ImdsSetting};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A scenario file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// What the plan is, for the report.
    #[serde(default)]
    pub description: Option<String>,
    /// Sources to start from; empty for every source.
    #[serde(default)]
    pub compromise: Vec<String>,
    /// The changes, applied in order.
    #[serde(default)]
    pub changes: Vec<ScenarioChange>,
}

/// A policy document in a scenario: a file path or the JSON itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum DocumentRef {
    /// A path to a JSON file, relative to the scenario file.
    Path(String),
    /// The document (statement, statements or policy) inline.
    Inline(Value),
}

/// One change of a scenario; see [`Change`] for what each does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum ScenarioChange {
    /// [`Change::RemovePolicy`].
    RemovePolicy {
        /// The managed policy ARN.
        arn: String,
    },
    /// [`Change::Detach`].
    Detach {
        /// Managed policy ARN or inline policy name.
        policy: String,
        /// The principal.
        from: String,
    },
    /// [`Change::AddStatement`].
    AddStatement {
        /// The statement(s) or policy.
        document: DocumentRef,
        /// The principal.
        to: String,
    },
    /// [`Change::AddScp`].
    AddScp {
        /// The statement(s) or policy.
        document: DocumentRef,
        /// The root, OU or account.
        to: String,
    },
    /// [`Change::RemoveTrust`].
    RemoveTrust {
        /// The role.
        role: String,
        /// The principal to remove; absent for every statement.
        #[serde(default)]
        principal: Option<String>,
    },
    /// [`Change::Imds`].
    Imds {
        /// `block`, `v2-hop1`, `v2-hop2` or `v1`.
        setting: ImdsSetting,
        /// Instances or node groups; absent or empty for all.
        #[serde(default)]
        instances: Vec<String>,
    },
    /// [`Change::Fargate`].
    Fargate {
        /// The ECS cluster.
        cluster: String,
    },
    /// [`Change::Ecscape`].
    Ecscape {
        /// On or off.
        enabled: bool,
        /// One cluster; absent for all.
        #[serde(default)]
        cluster: Option<String>,
    },
}

impl Scenario {
    /// Turns the scenario into changes, loading every document given by path with
    /// `load` (which gets the path as written and returns the JSON or a message). The
    /// sources to compromise come last, as a [`Change::Compromise`].
    pub fn into_changes(
        self,
        mut load: impl FnMut(&str) -> Result<Value, String>,
    ) -> Result<Vec<Change>, String> {
        let mut resolve = |document: DocumentRef, at: usize| match document {
            DocumentRef::Inline(value) => Ok(value),
            DocumentRef::Path(path) => {
                load(&path).map_err(|e| format!("changes[{at}].document: {path}: {e}"))
            }
        };
        let mut changes = Vec::with_capacity(self.changes.len() + 1);
        for (at, change) in self.changes.into_iter().enumerate() {
            changes.push(match change {
                ScenarioChange::RemovePolicy { arn } => Change::RemovePolicy { arn },
                ScenarioChange::Detach { policy, from } => Change::Detach { policy, from },
                ScenarioChange::AddStatement { document, to } => Change::AddStatement {
                    document: resolve(document, at)?,
                    to,
                },
                ScenarioChange::AddScp { document, to } => Change::AddScp {
                    document: resolve(document, at)?,
                    to,
                },
                ScenarioChange::RemoveTrust { role, principal } => {
                    Change::RemoveTrust { role, principal }
                }
                ScenarioChange::Imds { setting, instances } => Change::Imds { setting, instances },
                ScenarioChange::Fargate { cluster } => Change::Fargate { cluster },
                ScenarioChange::Ecscape { enabled, cluster } => {
                    Change::Ecscape { enabled, cluster }
                }
            });
        }
        if !self.compromise.is_empty() {
            changes.push(Change::Compromise {
                sources: self.compromise,
            });
        }
        Ok(changes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simulate::apply;
    use crate::simulate::fixture::demo;
    use serde_json::json;

    const EXAMPLE: &str = r#"{
      "description": "harden the shared cluster",
      "compromise": ["arn:aws:iam::111111111111:role/app"],
      "changes": [
        {"detach": {"policy": "read-secrets", "from": "role/app"}},
        {"add_scp": {"to": "Workloads", "document": "deny.json"}},
        {"imds": {"setting": "v2-hop1", "instances": ["workers"]}},
        {"fargate": {"cluster": "shared"}},
        {"ecscape": {"enabled": false}}
      ]
    }"#;

    #[test]
    fn a_scenario_becomes_changes_with_documents_loaded() {
        let scenario: Scenario = serde_json::from_str(EXAMPLE).unwrap();
        let mut asked = Vec::new();
        let changes = scenario
            .into_changes(|path| {
                asked.push(path.to_string());
                Ok(json!({"Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"}))
            })
            .unwrap();
        assert_eq!(asked, ["deny.json"]);
        assert_eq!(changes.len(), 6);
        assert!(matches!(&changes[5], Change::Compromise { sources } if sources.len() == 1));
        let simulation = apply(&demo(), &changes).unwrap();
        assert!(!simulation.options.ecscape_default);
        assert_eq!(
            simulation.compromised,
            ["arn:aws:iam::111111111111:role/app"]
        );
    }

    #[test]
    fn typos_and_unknown_settings_are_errors() {
        let typo = r#"{"changes": [{"detach": {"policy": "p", "form": "x"}}]}"#;
        assert!(serde_json::from_str::<Scenario>(typo).is_err());
        let bad_setting = r#"{"changes": [{"imds": {"setting": "v3"}}]}"#;
        assert!(serde_json::from_str::<Scenario>(bad_setting).is_err());
        let unknown_change = r#"{"changes": [{"explode": {}}]}"#;
        assert!(serde_json::from_str::<Scenario>(unknown_change).is_err());
    }

    #[test]
    fn a_document_that_cannot_be_loaded_names_the_change() {
        let scenario: Scenario = serde_json::from_str(EXAMPLE).unwrap();
        let error = scenario
            .into_changes(|_| Err("no such file".into()))
            .unwrap_err();
        assert_eq!(error, "changes[1].document: deny.json: no such file");
    }
}
