//! A tiny builder of snapshots for scenario tests.

use crate::graph::{analyse, Analysis, Edge, EdgeKind, NodeId};
use crate::snapshot::*;
use serde_json::{json, Value};

pub const A: &str = "111111111111";
pub const B: &str = "222222222222";

pub struct Fixture {
    pub snapshot: Snapshot,
}

pub fn allow(actions: Value, resources: Value) -> Value {
    json!({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":actions,"Resource":resources}]})
}

pub fn deny(actions: Value, resources: Value) -> Value {
    json!({"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":actions,"Resource":resources}]})
}

pub fn trust_service(service: &str) -> Value {
    json!({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":service},"Action":"sts:AssumeRole"}]})
}

pub fn trust_aws(principal: &str) -> Value {
    json!({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":principal},"Action":"sts:AssumeRole"}]})
}

pub fn role_arn(account: &str, name: &str) -> String {
    format!("arn:aws:iam::{account}:role/{name}")
}

pub fn user_arn(account: &str, name: &str) -> String {
    format!("arn:aws:iam::{account}:user/{name}")
}

impl Fixture {
    pub fn new() -> Fixture {
        let mut snapshot = Snapshot::default();
        snapshot.account_mut(A);
        Fixture { snapshot }
    }

    pub fn doc(&mut self, value: &Value) -> DocId {
        self.snapshot.documents.intern_value(value).unwrap()
    }

    fn inline(&mut self, policies: &[Value]) -> Vec<InlinePolicy> {
        policies
            .iter()
            .enumerate()
            .map(|(i, p)| InlinePolicy {
                name: format!("p{i}"),
                document: self.doc(p),
            })
            .collect()
    }

    pub fn role(&mut self, account: &str, name: &str, trust: Value, policies: &[Value]) -> String {
        let trust_policy = self.doc(&trust);
        let inline_policies = self.inline(policies);
        let arn = role_arn(account, name);
        self.snapshot.account_mut(account).iam.roles.push(Role {
            arn: arn.clone(),
            name: name.into(),
            id: format!("AROA{name}"),
            path: "/".into(),
            trust_policy,
            inline_policies,
            ..Role::default()
        });
        arn
    }

    pub fn user(&mut self, account: &str, name: &str, policies: &[Value]) -> String {
        let inline_policies = self.inline(policies);
        let arn = user_arn(account, name);
        self.snapshot.account_mut(account).iam.users.push(User {
            arn: arn.clone(),
            name: name.into(),
            id: format!("AIDA{name}"),
            path: "/".into(),
            inline_policies,
            ..User::default()
        });
        arn
    }

    pub fn group(&mut self, account: &str, name: &str, policies: &[Value]) -> String {
        let inline_policies = self.inline(policies);
        let arn = format!("arn:aws:iam::{account}:group/{name}");
        self.snapshot.account_mut(account).iam.groups.push(Group {
            arn: arn.clone(),
            name: name.into(),
            id: format!("AGPA{name}"),
            path: "/".into(),
            inline_policies,
            ..Group::default()
        });
        arn
    }

    /// A customer managed policy, attached to `principal` (user or role ARN).
    pub fn managed(&mut self, account: &str, name: &str, doc: Value, principal: &str) -> String {
        let arn = format!("arn:aws:iam::{account}:policy/{name}");
        let document = self.doc(&doc);
        let acct = self.snapshot.account_mut(account);
        acct.iam.managed_policies.push(ManagedPolicy {
            arn: arn.clone(),
            name: name.into(),
            path: "/".into(),
            document,
            ..ManagedPolicy::default()
        });
        if let Some(r) = acct.iam.roles.iter_mut().find(|r| r.arn == principal) {
            r.attached_policies.push(arn.clone());
        }
        if let Some(u) = acct.iam.users.iter_mut().find(|u| u.arn == principal) {
            u.attached_policies.push(arn.clone());
        }
        arn
    }

    pub fn boundary(&mut self, account: &str, principal: &str, doc: Value) {
        let arn = format!("arn:aws:iam::{account}:policy/boundary");
        let document = self.doc(&doc);
        let acct = self.snapshot.account_mut(account);
        if !acct.iam.managed_policies.iter().any(|p| p.arn == arn) {
            acct.iam.managed_policies.push(ManagedPolicy {
                arn: arn.clone(),
                name: "boundary".into(),
                path: "/".into(),
                document,
                ..ManagedPolicy::default()
            });
        }
        if let Some(r) = acct.iam.roles.iter_mut().find(|r| r.arn == principal) {
            r.permissions_boundary = Some(arn.clone());
        }
        if let Some(u) = acct.iam.users.iter_mut().find(|u| u.arn == principal) {
            u.permissions_boundary = Some(arn.clone());
        }
    }

    /// Puts every account in an organization (management account 999999999999) with
    /// FullAWSAccess at the root and `scp` attached to the root as well.
    pub fn scp(&mut self, scp: Value) {
        let full = self.doc(&allow(json!("*"), json!("*")));
        let extra = self.doc(&scp);
        self.snapshot.organization = Some(Organization {
            id: "o-test".into(),
            management_account_id: "999999999999".into(),
            units: vec![OrgUnit {
                id: "r-root".into(),
                name: "Root".into(),
                parent_id: None,
            }],
            policies: vec![
                OrgPolicy {
                    id: "p-full".into(),
                    name: "FullAWSAccess".into(),
                    kind: OrgPolicyKind::Scp,
                    aws_managed: true,
                    document: full,
                    targets: vec!["r-root".into()],
                },
                OrgPolicy {
                    id: "p-extra".into(),
                    name: "Guardrail".into(),
                    kind: OrgPolicyKind::Scp,
                    aws_managed: false,
                    document: extra,
                    targets: vec!["r-root".into()],
                },
            ],
        });
        for account in &mut self.snapshot.accounts {
            account.parent_id = Some("r-root".into());
        }
    }

    /// Attaches AWS's `RCPFullAWSAccess` (which names `"Principal": "*"`) and `rcp` to
    /// the root of the organization [`Fixture::scp`] created.
    pub fn rcp(&mut self, rcp: Value) {
        let full = self.doc(&json!({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}));
        let extra = self.doc(&rcp);
        let organization = self
            .snapshot
            .organization
            .as_mut()
            .expect("call scp() first");
        for (id, name, document) in [
            ("p-rcp-full", "RCPFullAWSAccess", full),
            ("p-rcp", "Perimeter", extra),
        ] {
            organization.policies.push(OrgPolicy {
                id: id.into(),
                name: name.into(),
                kind: OrgPolicyKind::Rcp,
                aws_managed: id == "p-rcp-full",
                document,
                targets: vec!["r-root".into()],
            });
        }
    }

    pub fn instance(
        &mut self,
        account: &str,
        id: &str,
        role: Option<&str>,
        metadata: MetadataOptions,
    ) -> String {
        let arn = format!("arn:aws:ec2:us-east-1:{account}:instance/{id}");
        let acct = self.snapshot.account_mut(account);
        let profile = role.map(|role| {
            let name = role.rsplit('/').next().unwrap().to_string();
            let profile_arn = format!("arn:aws:iam::{account}:instance-profile/{name}");
            acct.iam.instance_profiles.push(InstanceProfile {
                arn: profile_arn.clone(),
                name: name.clone(),
                path: "/".into(),
                roles: vec![role.to_string()],
            });
            profile_arn
        });
        acct.compute.ec2_instances.push(Ec2Instance {
            id: id.into(),
            arn: arn.clone(),
            region: "us-east-1".into(),
            instance_profile_arn: profile,
            metadata,
            state: "running".into(),
            tags: Tags::new(),
        });
        arn
    }

    pub fn lambda(&mut self, account: &str, name: &str, role: &str) -> String {
        let arn = format!("arn:aws:lambda:us-east-1:{account}:function:{name}");
        self.snapshot.account_mut(account).resources.push(Resource {
            arn: arn.clone(),
            region: Some("us-east-1".into()),
            kind: ResourceKind::LambdaFunction {
                execution_role_arn: Some(role.into()),
            },
            policy: None,
            tags: Tags::new(),
        });
        arn
    }

    pub fn resource(
        &mut self,
        account: &str,
        arn: &str,
        kind: ResourceKind,
        policy: Option<Value>,
    ) {
        let policy = policy.map(|p| self.doc(&p));
        self.snapshot.account_mut(account).resources.push(Resource {
            arn: arn.into(),
            region: None,
            kind,
            policy,
            tags: Tags::new(),
        });
    }

    pub fn check<R>(&self, f: impl FnOnce(&Analysis<'_>) -> R) -> R {
        assert!(
            self.snapshot.validate().is_empty(),
            "{:?}",
            self.snapshot.validate()
        );
        analyse(&self.snapshot, f)
    }
}

pub fn node(a: &Analysis<'_>, id: &str) -> NodeId {
    a.graph
        .node_by_id(id)
        .unwrap_or_else(|| panic!("no node {id}"))
}

/// The edges from `from` to `to`.
pub fn edges<'a>(a: &'a Analysis<'_>, from: &str, to: &str) -> Vec<&'a Edge> {
    let (f, t) = (node(a, from), node(a, to));
    a.graph
        .out_edges(f)
        .filter(|&(_, target)| target == t)
        .map(|(e, _)| a.graph.edge(e))
        .collect()
}

pub fn has_edge(a: &Analysis<'_>, from: &str, to: &str, kind: &str) -> bool {
    edges(a, from, to).iter().any(|e| e.kind.name() == kind)
}

pub fn edge_kind<'a>(a: &'a Analysis<'_>, from: &str, to: &str, kind: &str) -> Option<&'a Edge> {
    edges(a, from, to)
        .into_iter()
        .find(|e| e.kind.name() == kind)
}

pub fn reaches(a: &Analysis<'_>, from: &str, to: &str) -> bool {
    a.reach.any.of(node(a, from)).contains(node(a, to))
}

pub fn is_admin(a: &Analysis<'_>, principal: &str) -> bool {
    let p = a.model.principal_by_arn(principal).unwrap();
    a.admins[p as usize].is_some()
}

#[allow(dead_code)]
pub fn kind_name(kind: EdgeKind) -> String {
    kind.name()
}

impl Fixture {
    /// Marks the snapshot a GAAD import: IAM only, every other service uncollected.
    pub fn gaad_import(&mut self) {
        self.snapshot.meta.origin = Origin::GaadImport {
            files: vec!["gaad.json".into()],
        };
    }

    /// Records `service` of `account` as collected (what an overlay does).
    pub fn collected(&mut self, account: &str, service: &str) {
        self.snapshot.meta.coverage.push(Coverage {
            account_id: account.into(),
            region: None,
            service: service.into(),
            status: CoverageStatus::Collected,
        });
    }

    /// Puts `role` in an instance profile of `account` without any instance.
    pub fn instance_profile(&mut self, account: &str, role: &str) {
        let name = role.rsplit('/').next().unwrap_or(role).to_string();
        self.snapshot
            .account_mut(account)
            .iam
            .instance_profiles
            .push(InstanceProfile {
                arn: format!("arn:aws:iam::{account}:instance-profile/{name}"),
                name,
                path: "/".into(),
                roles: vec![role.to_string()],
            });
    }
}
