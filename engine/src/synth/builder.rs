//! The per-account builder: the account under construction, its local document table,
//! its random stream, and the IAM helpers every part of the generator uses.

use super::catalog::catalog;
use super::org::{OrgPlan, Placement};
use super::rng::Rng;
use super::{Misconfiguration, Planted, SynthConfig};
use crate::snapshot::{
    Account, DocId, Documents, InlinePolicy, InstanceProfile, ManagedPolicy, PolicyVersion, Role,
    Tags,
};
use serde_json::Value;
use std::collections::{HashMap, HashSet};

/// Builds one account. Documents go to a table local to the account (so accounts can be
/// built in parallel); they are re-interned into the snapshot's table, in account order,
/// when the accounts are assembled.
pub struct AccountBuilder<'a> {
    /// The generator settings.
    pub config: &'a SynthConfig,
    /// The organization.
    pub org: &'a OrgPlan,
    /// This account's place in it.
    pub placement: &'a Placement,
    /// This account's random stream.
    pub rng: Rng,
    /// The account being built.
    pub account: Account,
    /// This account's documents (local ids).
    pub documents: Documents,
    /// Misconfigurations planted so far.
    pub planted: Vec<Planted>,
    managed_index: HashMap<String, usize>,
    role_names: HashSet<String>,
    names: HashSet<String>,
}

impl<'a> AccountBuilder<'a> {
    /// A builder for account number `index` of the plan.
    pub fn new(config: &'a SynthConfig, org: &'a OrgPlan, index: usize) -> Self {
        let placement = &org.placements[index];
        AccountBuilder {
            config,
            org,
            placement,
            rng: Rng::derive(config.seed, index as u64 + 1),
            account: Account {
                id: placement.id.clone(),
                name: Some(placement.name.clone()),
                parent_id: Some(placement.parent_id.clone()),
                ..Account::default()
            },
            documents: Documents::default(),
            planted: Vec::new(),
            managed_index: HashMap::new(),
            role_names: HashSet::new(),
            names: HashSet::new(),
        }
    }

    /// The account id.
    pub fn id(&self) -> &'a str {
        &self.placement.id
    }

    /// The home region.
    pub fn home_region(&self) -> &'static str {
        self.placement.regions[0]
    }

    /// One of the account's regions, mostly the home region.
    pub fn region(&mut self) -> &'static str {
        if self.placement.regions.len() == 1 || self.rng.chance(600) {
            self.placement.regions[0]
        } else {
            self.placement.regions[self.rng.below(self.placement.regions.len())]
        }
    }

    /// Whether to plant a misconfiguration now: the configured rate, scaled by how
    /// careless this kind of account is.
    pub fn misconfigure(&mut self) -> bool {
        let per_mille =
            self.config.misconfiguration_per_mille * self.placement.kind.carelessness() / 10;
        self.rng.chance(per_mille)
    }

    /// Records a planted misconfiguration.
    pub fn plant(&mut self, kind: Misconfiguration, arn: &str) {
        self.planted.push(Planted {
            kind,
            arn: arn.to_string(),
        });
    }

    /// Stores a document in the account's table.
    pub fn doc(&mut self, document: &Value) -> DocId {
        self.documents
            .intern_value(document)
            .expect("generated documents are JSON objects")
    }

    /// `base`, or `base-2`, `base-3`... so that names stay unique in the account (one
    /// namespace for every generated resource name, which is stricter than AWS).
    pub fn unique_name(&mut self, base: String) -> String {
        unique_in(&mut self.names, base)
    }

    /// Creates a role and returns its index. The name is made unique if needed.
    pub fn role(&mut self, name: &str, path: &str, trust: &Value) -> usize {
        let name = unique_in(&mut self.role_names, name.to_string());
        let trust_policy = self.doc(trust);
        let arn = format!("arn:aws:iam::{}:role{path}{name}", self.id());
        let last_used = if self.rng.chance(800) {
            Some(self.rng.timestamp())
        } else {
            None
        };
        self.account.iam.roles.push(Role {
            arn,
            name,
            id: format!("AROA{}", self.rng.upper_alnum(17)),
            path: path.into(),
            trust_policy,
            last_used,
            ..Role::default()
        });
        self.account.iam.roles.len() - 1
    }

    /// The ARN of role `index`.
    pub fn role_arn(&self, index: usize) -> &str {
        &self.account.iam.roles[index].arn
    }

    /// Attaches an AWS managed policy to a role.
    pub fn attach_aws(&mut self, role: usize, policy_name: &str) {
        let arn = self.aws_managed(policy_name);
        self.account.iam.roles[role].attached_policies.push(arn);
    }

    /// Makes an AWS managed policy known in the account (as GAAD lists those attached)
    /// and counts one attachment; returns its ARN.
    pub fn aws_managed(&mut self, policy_name: &str) -> String {
        let policy = catalog().get(policy_name);
        if let Some(&i) = self.managed_index.get(&policy.arn) {
            let entry = &mut self.account.iam.managed_policies[i];
            entry.attachment_count = entry.attachment_count.map(|c| c + 1);
            return entry.arn.clone();
        }
        let document = self.documents.intern(policy.document.clone());
        self.push_managed(ManagedPolicy {
            arn: policy.arn.clone(),
            name: policy.name.clone(),
            path: policy.path.clone(),
            default_version_id: Some(policy.version_id.clone()),
            document,
            other_versions: Vec::new(),
            attachment_count: Some(1),
        })
    }

    /// Creates a customer managed policy (with an older, different version when given)
    /// and returns its ARN. Attach it with [`AccountBuilder::attach_customer`].
    pub fn customer_policy(
        &mut self,
        name: &str,
        document: &Value,
        older: Option<&Value>,
    ) -> String {
        let name = self.unique_name(name.to_string());
        let document = self.doc(document);
        let other_versions = match older {
            Some(older) => vec![PolicyVersion {
                version_id: "v1".into(),
                document: self.doc(older),
            }],
            None => Vec::new(),
        };
        let default_version_id = Some(
            if other_versions.is_empty() {
                "v1"
            } else {
                "v2"
            }
            .to_string(),
        );
        self.push_managed(ManagedPolicy {
            arn: format!("arn:aws:iam::{}:policy/{name}", self.id()),
            name,
            path: "/".into(),
            default_version_id,
            document,
            other_versions,
            attachment_count: Some(0),
        })
    }

    fn push_managed(&mut self, policy: ManagedPolicy) -> String {
        let arn = policy.arn.clone();
        self.managed_index
            .insert(arn.clone(), self.account.iam.managed_policies.len());
        self.account.iam.managed_policies.push(policy);
        arn
    }

    /// Attaches a customer managed policy (by ARN) to a role.
    pub fn attach_customer(&mut self, role: usize, arn: &str) {
        self.count_attachment(arn);
        self.account.iam.roles[role]
            .attached_policies
            .push(arn.to_string());
    }

    /// Counts one more attachment of a policy of this account.
    pub fn count_attachment(&mut self, arn: &str) {
        if let Some(&i) = self.managed_index.get(arn) {
            let entry = &mut self.account.iam.managed_policies[i];
            entry.attachment_count = entry.attachment_count.map(|c| c + 1);
        }
    }

    /// Adds an inline policy to a role.
    pub fn inline(&mut self, role: usize, name: &str, document: &Value) {
        let document = self.doc(document);
        let policies = &mut self.account.iam.roles[role].inline_policies;
        let name = if policies.iter().any(|p| p.name == name) {
            format!("{name}-{}", policies.len() + 1)
        } else {
            name.to_string()
        };
        policies.push(InlinePolicy { name, document });
    }

    /// Tags a role.
    pub fn tag_role(&mut self, role: usize, tags: Tags) {
        self.account.iam.roles[role].tags = tags;
    }

    /// Creates an instance profile holding a role; returns its ARN.
    pub fn instance_profile(&mut self, role: usize, name: &str) -> String {
        let name = self.unique_name(name.to_string());
        let arn = format!("arn:aws:iam::{}:instance-profile/{name}", self.id());
        let role_arn = self.role_arn(role).to_string();
        self.account.iam.instance_profiles.push(InstanceProfile {
            arn: arn.clone(),
            name,
            path: "/".into(),
            roles: vec![role_arn],
        });
        arn
    }

    /// The standard tags of a workload.
    pub fn tags(&mut self, app: &str, team: &str) -> Tags {
        let mut tags = Tags::new();
        tags.insert("app".into(), app.into());
        tags.insert("env".into(), self.placement.kind.env().into());
        tags.insert("team".into(), team.into());
        if self.rng.chance(100) {
            tags.insert(
                "data-classification".into(),
                (*self.rng.pick(&["internal", "confidential", "restricted"])).into(),
            );
        }
        tags
    }
}

/// `base`, or `base-N` for the first free N.
fn unique_in(seen: &mut HashSet<String>, base: String) -> String {
    if seen.insert(base.clone()) {
        return base;
    }
    let mut n = 2;
    loop {
        let candidate = format!("{base}-{n}");
        if seen.insert(candidate.clone()) {
            return candidate;
        }
        n += 1;
    }
}
