//! Changes to IAM: removing and detaching policies, adding statements, removing trust.

use super::documents::{as_policy, empty_policy, remove_trusted_principal};
use super::lookup::{self, PrincipalKind, PrincipalRef};
use crate::snapshot::{DocId, InlinePolicy, Snapshot};
use serde_json::Value;

/// Detaches a managed policy from every principal (as an attached policy and as a
/// permissions boundary) and drops it from every account that lists it.
pub fn remove_policy(snapshot: &mut Snapshot, arn: &str) -> Result<Vec<String>, String> {
    let listed = snapshot
        .accounts
        .iter()
        .any(|a| a.iam.managed_policies.iter().any(|p| p.arn == arn));
    if !listed {
        return Err(format!("managed policy {arn} is not in the snapshot"));
    }
    let mut effects = Vec::new();
    for account in &mut snapshot.accounts {
        let iam = &mut account.iam;
        let holders = iam
            .users
            .iter_mut()
            .map(|u| {
                (
                    &u.arn,
                    &mut u.attached_policies,
                    Some(&mut u.permissions_boundary),
                )
            })
            .chain(
                iam.groups
                    .iter_mut()
                    .map(|g| (&g.arn, &mut g.attached_policies, None)),
            )
            .chain(iam.roles.iter_mut().map(|r| {
                (
                    &r.arn,
                    &mut r.attached_policies,
                    Some(&mut r.permissions_boundary),
                )
            }));
        for (holder, attached, boundary) in holders {
            if attached.iter().any(|p| p == arn) {
                attached.retain(|p| p != arn);
                effects.push(format!("detached {arn} from {holder}"));
            }
            if let Some(boundary) = boundary {
                if boundary.as_deref() == Some(arn) {
                    *boundary = None;
                    effects.push(format!(
                        "removed the permissions boundary {arn} of {holder} (it now has none)"
                    ));
                }
            }
        }
        let before = iam.managed_policies.len();
        iam.managed_policies.retain(|p| p.arn != arn);
        if iam.managed_policies.len() != before {
            effects.push(format!("dropped {arn} from account {}", account.id));
        }
    }
    Ok(effects)
}

/// The attached managed policies and inline policies of a principal.
fn policies_of<'a>(
    snapshot: &'a mut Snapshot,
    principal: &PrincipalRef,
) -> (&'a mut Vec<String>, &'a mut Vec<InlinePolicy>) {
    let iam = &mut snapshot.accounts[principal.account].iam;
    match principal.kind {
        PrincipalKind::User => {
            let user = &mut iam.users[principal.index];
            (&mut user.attached_policies, &mut user.inline_policies)
        }
        PrincipalKind::Group => {
            let group = &mut iam.groups[principal.index];
            (&mut group.attached_policies, &mut group.inline_policies)
        }
        PrincipalKind::Role => {
            let role = &mut iam.roles[principal.index];
            (&mut role.attached_policies, &mut role.inline_policies)
        }
    }
}

/// Detaches a managed policy (by ARN) or deletes an inline policy (by name) of one
/// principal.
pub fn detach(snapshot: &mut Snapshot, policy: &str, from: &str) -> Result<Vec<String>, String> {
    let principal = lookup::principal(snapshot, from)?;
    let (attached, inline) = policies_of(snapshot, &principal);
    if let Some(position) = attached.iter().position(|p| p == policy) {
        attached.remove(position);
        return Ok(vec![format!("detached {policy} from {}", principal.arn)]);
    }
    if let Some(position) = inline.iter().position(|p| p.name == policy) {
        inline.remove(position);
        return Ok(vec![format!(
            "deleted inline policy {policy} of {}",
            principal.arn
        )]);
    }
    let mut known: Vec<&str> = attached.iter().map(String::as_str).collect();
    known.extend(inline.iter().map(|p| p.name.as_str()));
    Err(format!(
        "{policy} is neither attached to nor an inline policy of {} (it has: {})",
        principal.arn,
        if known.is_empty() {
            "none".to_string()
        } else {
            known.join(", ")
        }
    ))
}

/// Adds a statement (or statements, or a policy) to a principal as a new inline policy
/// named `blastgraph-simulated-N`.
pub fn add_statement(
    snapshot: &mut Snapshot,
    document: &Value,
    to: &str,
) -> Result<Vec<String>, String> {
    let policy = as_policy(document)?;
    let principal = lookup::principal(snapshot, to)?;
    let id = intern(snapshot, &policy)?;
    let (_, inline) = policies_of(snapshot, &principal);
    let name = (1..)
        .map(|n| format!("blastgraph-simulated-{n}"))
        .find(|name| inline.iter().all(|p| &p.name != name))
        .unwrap_or_default();
    inline.push(InlinePolicy {
        name: name.clone(),
        document: id,
    });
    Ok(vec![format!(
        "added inline policy {name} to {}",
        principal.arn
    )])
}

/// Removes every trust statement of a role, or one principal from them.
pub fn remove_trust(
    snapshot: &mut Snapshot,
    role: &str,
    principal: Option<&str>,
) -> Result<Vec<String>, String> {
    let (account, index) = lookup::role(snapshot, role)?;
    let role = &snapshot.accounts[account].iam.roles[index];
    let role_arn = role.arn.clone();
    let (new_policy, effect) = match principal {
        None => (
            empty_policy(),
            format!("removed every trust statement of {role_arn}"),
        ),
        Some(wanted) => {
            let current: Value = serde_json::from_str(snapshot.document(role.trust_policy))
                .map_err(|e| format!("the trust policy of {role_arn} is not JSON: {e}"))?;
            let (new_policy, removed) = remove_trusted_principal(&current, wanted);
            if removed == 0 {
                return Err(format!(
                    "the trust policy of {role_arn} does not name {wanted}"
                ));
            }
            (
                new_policy,
                format!("removed {wanted} from the trust policy of {role_arn}"),
            )
        }
    };
    let id = intern(snapshot, &new_policy)?;
    snapshot.accounts[account].iam.roles[index].trust_policy = id;
    Ok(vec![effect])
}

/// Stores a document in the snapshot's table.
pub(super) fn intern(snapshot: &mut Snapshot, document: &Value) -> Result<DocId, String> {
    snapshot
        .documents
        .intern_value(document)
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simulate::fixture::{demo, ADMIN_POLICY, APP_ROLE, DEPLOY_PROD};
    use crate::simulate::{apply, Change};
    use serde_json::json;

    fn role<'a>(snapshot: &'a Snapshot, arn: &str) -> &'a crate::snapshot::Role {
        snapshot
            .accounts
            .iter()
            .flat_map(|a| &a.iam.roles)
            .find(|r| r.arn == arn)
            .unwrap()
    }

    #[test]
    fn remove_policy_detaches_everywhere_and_drops_it() {
        let snapshot = demo();
        let changes = [Change::RemovePolicy {
            arn: ADMIN_POLICY.into(),
        }];
        let simulation = apply(&snapshot, &changes).unwrap();
        let after = &simulation.snapshot;
        let still_attached = after
            .accounts
            .iter()
            .flat_map(|a| a.iam.roles.iter().map(|r| &r.attached_policies))
            .any(|p| p.iter().any(|p| p == ADMIN_POLICY));
        assert!(!still_attached);
        assert!(after.accounts.iter().all(|a| a
            .iam
            .managed_policies
            .iter()
            .all(|p| p.arn != ADMIN_POLICY)));
        // Attached to two roles, listed in one account: three effects.
        assert_eq!(simulation.effects.len(), 3, "{:?}", simulation.effects);
        // Both holders are touched, and nothing else.
        let touched: Vec<&str> = simulation
            .touched
            .as_ref()
            .unwrap()
            .iter()
            .map(String::as_str)
            .collect();
        assert_eq!(touched, [DEPLOY_PROD, "arn:aws:iam::222222222222:role/ops"]);
        // The input is untouched.
        assert!(role(&snapshot, DEPLOY_PROD)
            .attached_policies
            .contains(&ADMIN_POLICY.to_string()));
    }

    #[test]
    fn remove_policy_of_an_unknown_arn_fails() {
        let error = apply(
            &demo(),
            &[Change::RemovePolicy {
                arn: "arn:aws:iam::aws:policy/Nope".into(),
            }],
        )
        .unwrap_err();
        assert!(error.problem.contains("not in the snapshot"), "{error}");
        assert_eq!(error.change, 0);
    }

    #[test]
    fn detach_removes_a_managed_or_an_inline_policy() {
        let simulation = apply(
            &demo(),
            &[
                Change::Detach {
                    policy: ADMIN_POLICY.into(),
                    from: DEPLOY_PROD.into(),
                },
                Change::Detach {
                    policy: "read-secrets".into(),
                    from: "app".into(),
                },
            ],
        )
        .unwrap();
        assert!(role(&simulation.snapshot, DEPLOY_PROD)
            .attached_policies
            .is_empty());
        assert!(role(&simulation.snapshot, APP_ROLE)
            .inline_policies
            .is_empty());
    }

    #[test]
    fn detach_of_a_policy_not_attached_lists_what_is() {
        let error = apply(
            &demo(),
            &[Change::Detach {
                policy: "other".into(),
                from: APP_ROLE.into(),
            }],
        )
        .unwrap_err();
        assert!(error.problem.contains("read-secrets"), "{error}");
    }

    #[test]
    fn add_statement_adds_a_named_inline_policy() {
        let statement = json!({"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"});
        let simulation = apply(
            &demo(),
            &[
                Change::AddStatement {
                    document: statement.clone(),
                    to: APP_ROLE.into(),
                },
                Change::AddStatement {
                    document: statement,
                    to: APP_ROLE.into(),
                },
            ],
        )
        .unwrap();
        let snapshot = &simulation.snapshot;
        let inline = &role(snapshot, APP_ROLE).inline_policies;
        let names: Vec<&str> = inline.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "read-secrets",
                "blastgraph-simulated-1",
                "blastgraph-simulated-2"
            ]
        );
        let document: Value = serde_json::from_str(snapshot.document(inline[1].document)).unwrap();
        assert_eq!(document["Statement"][0]["Action"], "iam:PassRole");
    }

    #[test]
    fn add_statement_refuses_a_malformed_statement() {
        let error = apply(
            &demo(),
            &[Change::AddStatement {
                document: json!({"Action": "s3:*"}),
                to: APP_ROLE.into(),
            }],
        )
        .unwrap_err();
        assert!(error.problem.contains("Effect"), "{error}");
    }

    #[test]
    fn remove_trust_drops_a_principal_or_everything() {
        let snapshot = demo();
        let simulation = apply(
            &snapshot,
            &[Change::RemoveTrust {
                role: DEPLOY_PROD.into(),
                principal: Some("111111111111".into()),
            }],
        )
        .unwrap();
        let after = &simulation.snapshot;
        let trust: Value =
            serde_json::from_str(after.document(role(after, DEPLOY_PROD).trust_policy)).unwrap();
        assert_eq!(trust["Statement"], json!([]));

        let simulation = apply(
            &snapshot,
            &[Change::RemoveTrust {
                role: APP_ROLE.into(),
                principal: None,
            }],
        )
        .unwrap();
        let after = &simulation.snapshot;
        let trust: Value =
            serde_json::from_str(after.document(role(after, APP_ROLE).trust_policy)).unwrap();
        assert_eq!(trust["Statement"], json!([]));
    }

    #[test]
    fn remove_trust_of_an_untrusted_principal_fails() {
        let error = apply(
            &demo(),
            &[Change::RemoveTrust {
                role: APP_ROLE.into(),
                principal: Some("lambda.amazonaws.com".into()),
            }],
        )
        .unwrap_err();
        assert!(error.problem.contains("does not name"), "{error}");
        let error = apply(
            &demo(),
            &[Change::RemoveTrust {
                role: "user/alice".into(),
                principal: None,
            }],
        )
        .unwrap_err();
        assert!(error.problem.contains("not a role"), "{error}");
    }
}
