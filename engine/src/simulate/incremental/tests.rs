//! The invariant: the incrementally built after analysis equals a full analysis of the
//! changed snapshot, for every kind of change, on several synthetic organizations.

use super::{analyse_after, first_difference, Reuse};
use crate::graph::analyse_with;
use crate::simulate::{apply, Change, ImdsSetting};
use crate::snapshot::Snapshot;
use crate::synth::{generate, SynthConfig};
use serde_json::json;

fn organization(seed: u64) -> Snapshot {
    let config = SynthConfig::custom(3, 40, seed).expect("a valid size");
    generate(&config).expect("generates").snapshot
}

/// Runs `changes` both ways and asserts equality; returns what was reused.
fn check(snapshot: &Snapshot, changes: &[Change]) -> Reuse {
    let simulation = apply(snapshot, changes).expect("the changes apply");
    let options = simulation.options.graph_options();
    analyse_with(snapshot, &Default::default(), |before| {
        analyse_after(before, &simulation.snapshot, &options, |after, reuse| {
            analyse_with(&simulation.snapshot, &options, |full| {
                if let Some(difference) = first_difference(after, full) {
                    panic!("{changes:?}: the incremental analysis differs: {difference}");
                }
            });
            *reuse
        })
    })
}

/// The n-th role (cycling) with a customer managed policy attached, and that policy.
fn customer_policy(snapshot: &Snapshot, n: usize) -> (String, String) {
    let found: Vec<(String, String)> = snapshot
        .accounts
        .iter()
        .flat_map(|a| &a.iam.roles)
        .flat_map(|role| {
            role.attached_policies
                .iter()
                .filter(|p| !p.starts_with("arn:aws:iam::aws:"))
                .map(|p| (p.clone(), role.arn.clone()))
        })
        .collect();
    found[n % found.len()].clone()
}

/// The n-th role (cycling) that is not service-linked.
fn role(snapshot: &Snapshot, n: usize) -> String {
    let roles: Vec<&str> = snapshot
        .accounts
        .iter()
        .flat_map(|a| &a.iam.roles)
        .filter(|r| !r.is_service_linked())
        .map(|r| r.arn.as_str())
        .collect();
    roles[n % roles.len()].to_string()
}

/// One change of every kind the simulator offers, targets picked by `n`.
fn changes(snapshot: &Snapshot, n: usize) -> Vec<Vec<Change>> {
    let (policy, holder) = customer_policy(snapshot, n);
    let (other_policy, _) = customer_policy(snapshot, n * 7 + 3);
    let account = snapshot.accounts[1 + n % (snapshot.accounts.len() - 1)]
        .id
        .clone();
    let cluster = snapshot
        .accounts
        .iter()
        .flat_map(|a| &a.compute.ecs_clusters)
        .nth(n % 2)
        .map(|c| c.arn.clone())
        .expect("the synthetic org has ECS clusters");
    let instance = snapshot
        .accounts
        .iter()
        .flat_map(|a| &a.compute.ec2_instances)
        .nth(n)
        .map(|i| i.arn.clone())
        .expect("the synthetic org has instances");
    vec![
        vec![Change::Detach {
            policy,
            from: holder,
        }],
        vec![Change::RemovePolicy { arn: other_policy }],
        vec![Change::AddStatement {
            document: json!({"Effect": "Allow", "Action": ["iam:PassRole", "ec2:RunInstances", "sts:AssumeRole"], "Resource": "*"}),
            to: role(snapshot, n * 5 + 1),
        }],
        vec![Change::AddStatement {
            document: json!({"Effect": "Deny", "Action": "s3:*", "Resource": "*"}),
            to: role(snapshot, n * 11 + 2),
        }],
        vec![Change::AddScp {
            document: json!({"Effect": "Deny", "Action": "secretsmanager:GetSecretValue", "Resource": "*"}),
            to: account,
        }],
        vec![Change::RemoveTrust {
            role: role(snapshot, n * 3 + 4),
            principal: None,
        }],
        vec![Change::Ecscape {
            enabled: false,
            cluster: None,
        }],
        vec![Change::Fargate { cluster }],
        vec![Change::Imds {
            setting: ImdsSetting::V2Hop1,
            instances: Vec::new(),
        }],
        vec![Change::Imds {
            setting: ImdsSetting::Block,
            instances: vec![instance],
        }],
    ]
}

#[test]
fn every_kind_of_change_gives_the_full_analysis() {
    for seed in [1, 2, 3] {
        let snapshot = organization(seed);
        for (n, list) in changes(&snapshot, seed as usize).into_iter().enumerate() {
            let reuse = check(&snapshot, &list);
            assert!(reuse.incremental, "{list:?} was compared unit by unit");
            assert!(reuse.graph_incremental, "{list:?}: nodes unchanged");
            let _ = n;
        }
    }
}

#[test]
fn several_changes_at_once_give_the_full_analysis() {
    for seed in [4, 5] {
        let snapshot = organization(seed);
        let all = changes(&snapshot, seed as usize);
        // Policy, trust and compute changes together, then every change at once.
        let some: Vec<Change> = [0, 5, 6, 8].iter().flat_map(|&i| all[i].clone()).collect();
        check(&snapshot, &some);
        let every: Vec<Change> = all.into_iter().flatten().collect();
        check(&snapshot, &every);
    }
}

#[test]
fn a_one_policy_change_recomputes_little() {
    let snapshot = organization(1);
    let (policy, holder) = customer_policy(&snapshot, 0);
    let reuse = check(
        &snapshot,
        &[Change::Detach {
            policy,
            from: holder,
        }],
    );
    let (groups, all_groups) = reuse.access_groups;
    assert!(groups <= 3 && all_groups > 20, "{reuse:?}");
    assert_eq!(reuse.assume_principals.0, 1, "{reuse:?}");
    // The holder's account (a third of the organization) is recomputed for privesc.
    assert!(
        reuse.privesc_actors.0 * 2 < reuse.privesc_actors.1,
        "{reuse:?}"
    );
}

#[test]
fn compute_changes_reuse_every_access_set_and_assume_edge() {
    let snapshot = organization(2);
    for change in [
        Change::Ecscape {
            enabled: false,
            cluster: None,
        },
        Change::Imds {
            setting: ImdsSetting::V1,
            instances: Vec::new(),
        },
    ] {
        let reuse = check(&snapshot, std::slice::from_ref(&change));
        assert_eq!(reuse.access_groups.0, 0, "{change:?}: {reuse:?}");
        assert_eq!(reuse.assume_principals.0, 0, "{change:?}: {reuse:?}");
    }
    let reuse = check(
        &snapshot,
        &[Change::Ecscape {
            enabled: false,
            cluster: None,
        }],
    );
    assert_eq!(reuse.privesc_actors.0, 0, "{reuse:?}");
}

#[test]
fn a_changed_document_table_falls_back_to_a_full_analysis() {
    let snapshot = organization(3);
    let mut changed = snapshot.clone();
    // Dropping the last document rewrites the table: nothing can be keyed by id.
    let mut documents = crate::snapshot::Documents::default();
    for (_, text) in snapshot.documents.iter().skip(1) {
        documents.intern(text.clone());
    }
    changed.documents = documents;
    analyse_with(&snapshot, &Default::default(), |before| {
        analyse_after(before, &changed, &Default::default(), |_, reuse| {
            assert!(!reuse.incremental);
        })
    });
}
