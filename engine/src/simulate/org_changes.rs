//! Changes to AWS Organizations: new SCPs.

use super::documents::as_policy;
use super::iam_changes::intern;
use super::lookup;
use crate::snapshot::{OrgPolicy, OrgPolicyKind, Snapshot};
use serde_json::Value;

/// Attaches a new SCP (`blastgraph-simulated-scp-N`, id `p-blastgraphsimN`) to the root,
/// an OU or an account.
pub fn add_scp(snapshot: &mut Snapshot, document: &Value, to: &str) -> Result<Vec<String>, String> {
    let policy = as_policy(document)?;
    let target = lookup::org_target(snapshot, to)?;
    let id = intern(snapshot, &policy)?;
    let Some(org) = snapshot.organization.as_mut() else {
        return Err("the snapshot has no organization".into());
    };
    if org.management_account_id == target {
        return Err(format!(
            "{target} is the management account: SCPs never apply to it"
        ));
    }
    let n = (1..)
        .find(|n| {
            org.policies
                .iter()
                .all(|p| p.id != format!("p-blastgraphsim{n}"))
        })
        .unwrap_or_default();
    let name = format!("blastgraph-simulated-scp-{n}");
    org.policies.push(OrgPolicy {
        id: format!("p-blastgraphsim{n}"),
        name: name.clone(),
        kind: OrgPolicyKind::Scp,
        aws_managed: false,
        document: id,
        targets: vec![target.clone()],
    });
    Ok(vec![format!("attached SCP {name} to {target}")])
}

#[cfg(test)]
mod tests {
    use crate::simulate::fixture::demo;
    use crate::simulate::{apply, Change};
    use crate::snapshot::OrgPolicyKind;
    use serde_json::json;

    fn deny_all() -> serde_json::Value {
        json!({"Effect": "Deny", "Action": "*", "Resource": "*"})
    }

    #[test]
    fn an_scp_is_attached_to_the_named_unit_or_account() {
        let simulation = apply(
            &demo(),
            &[
                Change::AddScp {
                    document: deny_all(),
                    to: "Workloads".into(),
                },
                Change::AddScp {
                    document: deny_all(),
                    to: "prod".into(),
                },
            ],
        )
        .unwrap();
        let org = simulation.snapshot.organization.as_ref().unwrap();
        let on_ou: Vec<_> = org.attached(OrgPolicyKind::Scp, "ou-work-1").collect();
        assert_eq!(on_ou.len(), 1);
        assert_eq!(on_ou[0].name, "blastgraph-simulated-scp-1");
        let on_account: Vec<_> = org.attached(OrgPolicyKind::Scp, "222222222222").collect();
        assert_eq!(on_account.len(), 1);
        assert_eq!(on_account[0].id, "p-blastgraphsim2");
        let text = simulation.snapshot.document(on_account[0].document);
        assert!(text.contains("\"Deny\""), "{text}");
    }

    #[test]
    fn the_management_account_and_unknown_targets_are_refused() {
        for target in ["999999999999", "ou-missing"] {
            let error = apply(
                &demo(),
                &[Change::AddScp {
                    document: deny_all(),
                    to: target.into(),
                }],
            )
            .unwrap_err();
            assert!(!error.problem.is_empty());
        }
        let mut snapshot = demo();
        snapshot.organization = None;
        let error = apply(
            &snapshot,
            &[Change::AddScp {
                document: deny_all(),
                to: "prod".into(),
            }],
        )
        .unwrap_err();
        assert!(error.problem.contains("no organization"), "{error}");
    }
}
