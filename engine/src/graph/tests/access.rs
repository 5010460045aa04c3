//! The access index's set-at-once evaluation agrees with asking one request at a time.
//!
//! `Authorizer::authorize_set` is the fast path of access sets; `authorize_each` (one
//! `authorize` per target) is its definition. On synthetic organizations (SCPs and RCPs,
//! resource policies naming principals, accounts and everyone, tag and organization
//! conditions, boundaries, KMS key policies) every principal must get the same answer
//! both ways on every action class, and the finished access index must hold exactly what
//! evaluating every (resource, class) pair one by one gives.

use crate::graph::access::{
    callers_of, layer_classes, pair, AccessIndex, AccountSets, Callers, CLASSES,
};
use crate::graph::authz::interim::InterimAuthorizer;
use crate::graph::authz::{authorize_each, Authorizer, Decision};
use crate::graph::model::Model;
use crate::synth::{generate, SynthConfig};
use roaring::RoaringBitmap;

fn organization(seed: u64) -> crate::snapshot::Snapshot {
    let config = SynthConfig::custom(3, 40, seed).expect("a valid size");
    generate(&config).expect("generated").snapshot
}

#[test]
fn sets_agree_with_one_request_at_a_time() {
    for seed in [7, 1, 2, 3] {
        let snapshot = organization(seed);
        let model = Model::new(&snapshot);
        let authz = InterimAuthorizer::new(&snapshot, &model);
        let index = AccessIndex::build(&snapshot, &model, &authz);
        let sets = AccountSets::new(&index.resources, &model, &authz);
        let mut compared = 0usize;
        let mut foreign = 0usize;
        let mut non_empty = 0usize;
        let mut shared = 0usize;
        for (c, class) in CLASSES.iter().enumerate() {
            let action = class.action.to_ascii_lowercase();
            for account in 0..model.accounts.len() as u32 {
                let set = sets.set(account, c);
                shared += set.shared_len() as usize;
                assert_eq!(
                    members_by_kind(set),
                    expected_members(&index, &model, &authz, account, c),
                    "seed {seed}: the members of account {account}'s {action} set"
                );
                for (p, principal) in model.principals.iter().enumerate() {
                    if principal.account != account {
                        continue;
                    }
                    let p = p as u32;
                    let (mut fast_yes, mut fast_maybe) =
                        (RoaringBitmap::new(), RoaringBitmap::new());
                    authz.authorize_set(p, &action, set, &mut fast_yes, &mut fast_maybe);
                    let (mut each_yes, mut each_maybe) =
                        (RoaringBitmap::new(), RoaringBitmap::new());
                    authorize_each(&authz, p, &action, set, &mut each_yes, &mut each_maybe);
                    assert_eq!(
                        (&fast_yes, &fast_maybe),
                        (&each_yes, &each_maybe),
                        "seed {seed}: {} {action} on the {} targets of account {account}",
                        principal.arn,
                        set.len()
                    );
                    compared += set.len() as usize;
                    foreign += set.foreign.len() as usize;
                    non_empty += usize::from(!each_yes.is_empty() || !each_maybe.is_empty());
                }
            }
        }
        assert!(
            compared > 100_000,
            "seed {seed}: only {compared} requests compared"
        );
        assert!(
            non_empty > 100,
            "seed {seed}: only {non_empty} non-empty answers"
        );
        assert!(
            foreign > 1_000,
            "seed {seed}: only {foreign} cross-account requests"
        );
        assert!(shared > 100, "seed {seed}: only {shared} shared members");
    }
}

/// A set's members as resource ids: (shared with every account, its own), each sorted.
fn members_by_kind(set: &crate::graph::authz::TargetSet<'_>) -> (Vec<u32>, Vec<u32>) {
    let mut shared: Vec<u32> = (0..set.shared_len()).map(|m| set.id(m)).collect();
    let mut own: Vec<u32> = (set.shared_len()..set.len()).map(|m| set.id(m)).collect();
    shared.sort_unstable();
    own.sort_unstable();
    (shared, own)
}

/// The definition of a set's members, resource by resource: the collected resources of
/// the class's type that the account's principals may reach, split into those every
/// account reaches (a policy naming everyone) and the others (the account's own, or
/// named in their policy).
fn expected_members(
    index: &AccessIndex,
    model: &Model,
    authz: &InterimAuthorizer,
    account: u32,
    class: usize,
) -> (Vec<u32>, Vec<u32>) {
    let (mut shared, mut own) = (Vec::new(), Vec::new());
    for (id, resource) in index.resources.iter().enumerate() {
        if resource.is_abstract || resource.resource_type != CLASSES[class].resource_type {
            continue;
        }
        let owner = model.account_by_id[&resource.account];
        match callers_of(resource, owner, model, authz) {
            Callers::Every => shared.push(id as u32),
            Callers::These(these) if these.contains(&account) => own.push(id as u32),
            Callers::These(_) => {}
        }
    }
    (shared, own)
}

#[test]
fn access_index_holds_every_pair_evaluated_one_by_one() {
    let snapshot = organization(7);
    let model = Model::new(&snapshot);
    let authz = InterimAuthorizer::new(&snapshot, &model);
    let index = AccessIndex::build(&snapshot, &model, &authz);
    let mut granted = 0usize;
    for p in 0..model.principals.len() as u32 {
        let mut yes = RoaringBitmap::new();
        let mut maybe = RoaringBitmap::new();
        for r in 0..index.resources.len() as u32 {
            let resource_type = index.resources[r as usize].resource_type;
            for (c, class) in CLASSES.iter().enumerate() {
                if class.resource_type != resource_type {
                    continue;
                }
                match index.evaluate(&authz, p, class.action, r, class.form) {
                    Decision::Allow(_) => {
                        yes.insert(pair(r, c));
                    }
                    Decision::Conditional(..) => {
                        maybe.insert(pair(r, c));
                    }
                    Decision::Deny(_) => {}
                }
            }
        }
        let (allowed, conditional) = index.of(p);
        assert_eq!(
            (&*allowed, &*conditional),
            (&yes, &maybe),
            "{}",
            model.principal(p).arn
        );
        granted += yes.len() as usize + maybe.len() as usize;
    }
    assert!(granted > 1_000, "only {granted} pairs granted");
    // The layers are in use, and a group's own pairs never repeat a layer it holds.
    let mut references = 0;
    for g in 0..index.groups() {
        let (allowed, conditional) = (index.allowed_layers[g], index.conditional_layers[g]);
        assert_eq!(allowed & conditional, 0, "group {g}");
        for c in layer_classes(allowed | conditional) {
            assert!(
                !index.layers[c].is_empty(),
                "group {g} holds an empty layer"
            );
            assert!(index.own_allowed[g].is_disjoint(&index.layers[c]));
            assert!(index.own_conditional[g].is_disjoint(&index.layers[c]));
            references += 1;
        }
    }
    assert!(references > 10, "only {references} layer references");
}

/// Privilege escalation asks one decision per (actor, requirement) when
/// `ignores_resource_arn` says the candidate's ARN cannot matter: then every candidate
/// must get exactly the decision (reason included) the first one got.
#[test]
fn decisions_said_to_ignore_the_arn_are_equal_on_every_target() {
    use crate::graph::authz::Target;
    use crate::graph::model::PrincipalKind;
    use crate::graph::privesc::{On, CATALOGUE};
    let mut actions: Vec<&str> = CATALOGUE
        .iter()
        .flat_map(|t| t.requires)
        .filter(|r| r.on == On::Target)
        .map(|r| r.action)
        .collect();
    actions.sort_unstable();
    actions.dedup();
    let extra = [(
        "iam:passedtoservice".to_string(),
        "ec2.amazonaws.com".to_string(),
    )];
    let (mut free, mut bound) = (0usize, 0usize);
    for seed in [7, 1] {
        let snapshot = organization(seed);
        let model = Model::new(&snapshot);
        let authz = InterimAuthorizer::new(&snapshot, &model);
        for (p, principal) in model.principals.iter().enumerate() {
            let p = p as u32;
            let account = model.account_id(p);
            let roles: Vec<&str> = model
                .principals
                .iter()
                .filter(|r| r.kind == PrincipalKind::Role && r.account == principal.account)
                .map(|r| r.arn.as_str())
                .collect();
            for action in &actions {
                for extra in [&extra[..], &[]] {
                    let target = |arn| {
                        let mut target = Target::plain(arn, Some(account));
                        target.extra = extra;
                        target
                    };
                    if !authz.ignores_resource_arn(p, action, &target(roles[0])) {
                        bound += 1;
                        continue;
                    }
                    free += 1;
                    let first = authz.authorize(p, action, &target(roles[0]));
                    for role in &roles[1..] {
                        assert_eq!(
                            authz.authorize(p, action, &target(role)),
                            first,
                            "seed {seed}: {} {action} on {role}",
                            principal.arn
                        );
                    }
                }
            }
        }
    }
    assert!(free > 100 && bound > 100, "{free} free, {bound} bound");
}
