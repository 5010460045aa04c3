//! From a snapshot to an evaluable request: given a principal ARN, an action and a
//! resource ARN, assemble the policy layers (identity policies including groups' and
//! managed ones, permissions boundary, SCP levels along the OU path, RCP levels, the
//! resource's policy or the role's trust policy) and the request-context keys the
//! snapshot knows (`aws:PrincipalArn`, `aws:PrincipalAccount`, `aws:PrincipalOrgID`,
//! `aws:PrincipalOrgPaths`, `aws:PrincipalTag/*`, `aws:PrincipalType`, `aws:username`,
//! `aws:userid`, `aws:ResourceAccount`, `aws:ResourceOrgID`, `aws:ResourceOrgPaths`,
//! `aws:ResourceTag/*`).
//!
//! Used by `blastgraph can`. Each document is compiled once per resolution.

use rustc_hash::FxHashMap;

use super::compile::CompiledPolicy;
use super::context::{Action, Context, Mode, Principal, PrincipalKind, Request};
use super::eval::{evaluate, Decision, Layers};
use super::explain::{explain, Explanation};
use super::parse::PolicyKind;
use crate::snapshot::{Account, DocId, OrgPolicyKind, ResourceKind, Snapshot};

/// Why a request cannot be resolved against a snapshot.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    /// The principal is not in the snapshot.
    #[error("principal {0} is not in the snapshot (expected a user, role or assumed-role ARN)")]
    UnknownPrincipal(String),
    /// A document of a layer does not parse.
    #[error("policy {name}: {error}")]
    BadPolicy {
        /// Policy name or ARN.
        name: String,
        /// The parse error.
        error: String,
    },
}

/// A request assembled from a snapshot, ready to evaluate.
#[derive(Debug)]
pub struct Resolved {
    /// The caller (a role is evaluated as a session of that role).
    pub principal: Principal,
    /// The action.
    pub action: Action,
    /// The resource.
    pub resource: String,
    /// The resource's account, when known.
    pub resource_account: Option<String>,
    /// The context: keys from the snapshot, then the caller's overrides.
    pub context: Context,
    identity: Vec<CompiledPolicy>,
    boundary: Vec<CompiledPolicy>,
    scps: Vec<Vec<CompiledPolicy>>,
    rcps: Vec<Vec<CompiledPolicy>>,
    resource_policy: Option<CompiledPolicy>,
    caller_is_management: bool,
    resource_in_management: bool,
    /// Remarks on what the snapshot did not know (resource not collected, ...).
    pub notes: Vec<String>,
    /// For `secretsmanager:GetSecretValue` on a secret encrypted with a customer managed
    /// key: the key, whose policy must also allow `kms:Decrypt`.
    pub secret_key: Option<String>,
}

impl Resolved {
    /// The layers, borrowing the compiled policies.
    pub fn layers(&self) -> Layers<'_> {
        Layers {
            identity: self.identity.iter().collect(),
            boundary: self.boundary.iter().collect(),
            session: Vec::new(),
            scp_levels: self.scps.iter().map(|l| l.iter().collect()).collect(),
            rcp_levels: self.rcps.iter().map(|l| l.iter().collect()).collect(),
            resource: self.resource_policy.as_ref(),
            caller_is_management_account: self.caller_is_management,
            resource_in_management_account: self.resource_in_management,
        }
    }

    /// The request.
    pub fn request(&self) -> Request<'_> {
        Request {
            principal: &self.principal,
            action: &self.action,
            resource: &self.resource,
            resource_account: self.resource_account.as_deref(),
            context: &self.context,
        }
    }

    /// The decision.
    pub fn evaluate(&self) -> Decision {
        evaluate(&self.layers(), &self.request())
    }

    /// The decision with its explanation.
    pub fn explain(&self) -> Explanation {
        explain(&self.layers(), &self.request())
    }
}

/// Policy documents compiled on demand, once per (document, kind).
struct Compiler<'s> {
    snapshot: &'s Snapshot,
    cache: FxHashMap<(DocId, PolicyKind), CompiledPolicy>,
}

impl Compiler<'_> {
    fn get(
        &mut self,
        doc: DocId,
        kind: PolicyKind,
        name: &str,
    ) -> Result<CompiledPolicy, ResolveError> {
        if let Some(p) = self.cache.get(&(doc, kind)) {
            let mut p = p.clone();
            p.name = name.to_owned();
            return Ok(p);
        }
        let text = self.snapshot.documents.get(doc).as_str();
        let p =
            CompiledPolicy::from_text(name, text, kind).map_err(|e| ResolveError::BadPolicy {
                name: name.to_owned(),
                error: e.to_string(),
            })?;
        self.cache.insert((doc, kind), p.clone());
        Ok(p)
    }

    fn managed(
        &mut self,
        arn: &str,
        kind: PolicyKind,
    ) -> Result<Option<CompiledPolicy>, ResolveError> {
        let found = self
            .snapshot
            .accounts
            .iter()
            .flat_map(|a| a.iam.managed_policies.iter())
            .find(|m| m.arn == arn)
            .map(|m| (m.document, m.name.clone()));
        match found {
            Some((doc, name)) => Ok(Some(self.get(doc, kind, &name)?)),
            None => Ok(None),
        }
    }
}

/// What the snapshot says about the caller.
struct Caller {
    principal: Principal,
    account: String,
    identity: Vec<CompiledPolicy>,
    boundary: Vec<CompiledPolicy>,
}

/// Resolves `principal_arn` calling `action` on `resource_arn`. `overrides` are
/// `(key, value)` pairs set after the snapshot's keys; `mode` decides whether keys
/// neither the snapshot nor the overrides give are absent or unknown.
pub fn resolve(
    snapshot: &Snapshot,
    principal_arn: &str,
    action: &str,
    resource_arn: &str,
    overrides: &[(String, String)],
    mode: Mode,
) -> Result<Resolved, ResolveError> {
    let mut compiler = Compiler {
        snapshot,
        cache: FxHashMap::default(),
    };
    let mut context = Context::new(mode);
    let mut notes = Vec::new();
    let caller = resolve_caller(snapshot, principal_arn, &mut compiler, &mut context)?;
    let org = snapshot.organization.as_ref();

    let scps = match org {
        Some(o) if o.management_account_id != caller.account => org_levels(
            snapshot,
            &caller.account,
            OrgPolicyKind::Scp,
            PolicyKind::Scp,
            &mut compiler,
        )?,
        _ => Vec::new(),
    };

    // The resource: a collected resource, a role (trust policy) or an uncollected ARN.
    // An S3 object is governed by its bucket's policy and owned by its bucket's account.
    let lookup_arn = match resource_arn
        .strip_prefix("arn:aws:s3:::")
        .and_then(|r| r.split_once('/'))
    {
        Some((bucket, _)) => format!("arn:aws:s3:::{bucket}"),
        None => resource_arn.to_owned(),
    };
    let resource_account = arn_account(resource_arn)
        .or_else(|| owner_of_resource(snapshot, &lookup_arn).map(|a| a.id.clone()));
    let mut resource_policy = None;
    let mut secret_key = None;
    let is_assume = action.to_ascii_lowercase().starts_with("sts:assumerole")
        || action.eq_ignore_ascii_case("sts:TagSession");
    if let Some(role) = snapshot
        .accounts
        .iter()
        .flat_map(|a| a.iam.roles.iter())
        .find(|r| r.arn == resource_arn)
    {
        if is_assume {
            resource_policy = Some(compiler.get(
                role.trust_policy,
                PolicyKind::Trust,
                &format!("trust policy of {}", role.name),
            )?);
        }
        for (k, v) in &role.tags {
            context.set(&format!("aws:ResourceTag/{k}"), v.clone());
        }
        context.set_absent_prefix("aws:ResourceTag/");
    } else if let Some(res) = snapshot
        .accounts
        .iter()
        .flat_map(|a| a.resources.iter())
        .find(|r| r.arn == lookup_arn)
    {
        if let Some(doc) = res.policy {
            let kind = PolicyKind::Resource;
            resource_policy = Some(compiler.get(doc, kind, &format!("policy of {}", res.arn))?);
        }
        for (k, v) in &res.tags {
            context.set(&format!("aws:ResourceTag/{k}"), v.clone());
        }
        context.set_absent_prefix("aws:ResourceTag/");
        if let ResourceKind::Secret {
            kms_key_id: Some(key),
        } = &res.kind
        {
            if action.eq_ignore_ascii_case("secretsmanager:GetSecretValue") {
                secret_key = Some(key.clone());
            }
        }
    } else if resource_arn != "*" {
        notes.push(format!(
            "{resource_arn} is not in the snapshot: its resource policy and tags are unknown"
        ));
    }

    let mut resource_in_management = false;
    let mut rcps = Vec::new();
    if let Some(acct) = &resource_account {
        context.set("aws:ResourceAccount", acct.clone());
        if let Some(o) = org {
            if snapshot.account(acct).is_some() {
                context.set("aws:ResourceOrgID", o.id.clone());
                if let Some(path) = org_path(snapshot, acct) {
                    context.set_many("aws:ResourceOrgPaths", vec![path]);
                }
                resource_in_management = o.management_account_id == *acct;
                if !resource_in_management {
                    rcps = org_levels(
                        snapshot,
                        acct,
                        OrgPolicyKind::Rcp,
                        PolicyKind::Rcp,
                        &mut compiler,
                    )?;
                }
            }
        }
    }
    for (k, v) in overrides {
        context.set(k, v.clone());
    }
    let caller_is_management = org.is_some_and(|o| o.management_account_id == caller.account);
    Ok(Resolved {
        principal: caller.principal,
        action: Action::new(action),
        resource: resource_arn.to_owned(),
        resource_account,
        context,
        identity: caller.identity,
        boundary: caller.boundary,
        scps,
        rcps,
        resource_policy,
        caller_is_management,
        resource_in_management,
        notes,
        secret_key,
    })
}

fn resolve_caller(
    snapshot: &Snapshot,
    arn: &str,
    compiler: &mut Compiler<'_>,
    context: &mut Context,
) -> Result<Caller, ResolveError> {
    let parsed = Principal::parse(arn);
    let account_id = parsed
        .account
        .clone()
        .ok_or_else(|| ResolveError::UnknownPrincipal(arn.to_owned()))?;
    let account = snapshot
        .account(&account_id)
        .ok_or_else(|| ResolveError::UnknownPrincipal(arn.to_owned()))?;
    let mut identity = Vec::new();
    let mut boundary = Vec::new();
    context
        .set("aws:PrincipalAccount", account_id.clone())
        .set("aws:PrincipalIsAWSService", "false");
    if let Some(o) = &snapshot.organization {
        context.set("aws:PrincipalOrgID", o.id.clone());
        if let Some(path) = org_path(snapshot, &account_id) {
            context.set_many("aws:PrincipalOrgPaths", vec![path]);
        }
    }
    let principal = match &parsed.kind {
        PrincipalKind::User => {
            let user = account
                .iam
                .users
                .iter()
                .find(|u| u.arn == arn)
                .ok_or_else(|| ResolveError::UnknownPrincipal(arn.to_owned()))?;
            for p in &user.inline_policies {
                identity.push(compiler.get(p.document, PolicyKind::Identity, &p.name)?);
            }
            for m in &user.attached_policies {
                identity.extend(compiler.managed(m, PolicyKind::Identity)?);
            }
            for g in account
                .iam
                .groups
                .iter()
                .filter(|g| user.groups.contains(&g.name))
            {
                for p in &g.inline_policies {
                    identity.push(compiler.get(
                        p.document,
                        PolicyKind::Identity,
                        &format!("{}/{}", g.name, p.name),
                    )?);
                }
                for m in &g.attached_policies {
                    identity.extend(compiler.managed(m, PolicyKind::Identity)?);
                }
            }
            if let Some(b) = &user.permissions_boundary {
                boundary.extend(compiler.managed(b, PolicyKind::Boundary)?);
            }
            for (k, v) in &user.tags {
                context.set(&format!("aws:PrincipalTag/{k}"), v.clone());
            }
            context
                .set("aws:PrincipalArn", arn)
                .set("aws:PrincipalType", "User")
                .set("aws:username", user.name.clone())
                .set("aws:userid", user.id.clone());
            parsed
        }
        PrincipalKind::Role | PrincipalKind::AssumedRole { .. } => {
            let name = match &parsed.kind {
                PrincipalKind::AssumedRole { role_name } => role_name.clone(),
                _ => arn.rsplit('/').next().unwrap_or("").to_owned(),
            };
            let role = account
                .iam
                .roles
                .iter()
                .find(|r| r.name == name)
                .ok_or_else(|| ResolveError::UnknownPrincipal(arn.to_owned()))?;
            for p in &role.inline_policies {
                identity.push(compiler.get(p.document, PolicyKind::Identity, &p.name)?);
            }
            for m in &role.attached_policies {
                identity.extend(compiler.managed(m, PolicyKind::Identity)?);
            }
            if let Some(b) = &role.permissions_boundary {
                boundary.extend(compiler.managed(b, PolicyKind::Boundary)?);
            }
            for (k, v) in &role.tags {
                context.set(&format!("aws:PrincipalTag/{k}"), v.clone());
            }
            context
                .set("aws:PrincipalArn", role.arn.clone())
                .set("aws:PrincipalType", "AssumedRole");
            // A role acts through sessions: evaluate as one (session name unknown).
            let session = match parsed.kind {
                PrincipalKind::AssumedRole { .. } => arn.to_owned(),
                _ => format!(
                    "arn:aws:sts::{account_id}:assumed-role/{}/blastgraph",
                    role.name
                ),
            };
            let mut p = Principal::parse(&session);
            p.service_linked = role.is_service_linked();
            p
        }
        _ => return Err(ResolveError::UnknownPrincipal(arn.to_owned())),
    };
    context.set_absent_prefix("aws:PrincipalTag/");
    Ok(Caller {
        principal,
        account: account_id,
        identity,
        boundary,
    })
}

/// `o-id/r-root/ou-1/.../` for an account, as `aws:PrincipalOrgPaths` spells it.
fn org_path(snapshot: &Snapshot, account_id: &str) -> Option<String> {
    let org = snapshot.organization.as_ref()?;
    let parent = snapshot.account(account_id)?.parent_id.as_deref()?;
    let path = org.path_from_root(parent)?;
    Some(format!("{}/{}/", org.id, path.join("/")))
}

/// SCP or RCP levels from the root to the account.
fn org_levels(
    snapshot: &Snapshot,
    account_id: &str,
    kind: OrgPolicyKind,
    policy_kind: PolicyKind,
    compiler: &mut Compiler<'_>,
) -> Result<Vec<Vec<CompiledPolicy>>, ResolveError> {
    let Some(org) = snapshot.organization.as_ref() else {
        return Ok(Vec::new());
    };
    let Some(account) = snapshot.account(account_id) else {
        return Ok(Vec::new());
    };
    let mut targets: Vec<String> = match account
        .parent_id
        .as_deref()
        .and_then(|p| org.path_from_root(p))
    {
        Some(path) => path.into_iter().map(str::to_owned).collect(),
        None => Vec::new(),
    };
    targets.push(account_id.to_owned());
    targets
        .iter()
        .map(|t| {
            org.attached(kind, t)
                .map(|p| compiler.get(p.document, policy_kind, &p.name))
                .collect()
        })
        .collect()
}

fn arn_account(arn: &str) -> Option<String> {
    let acct = arn.split(':').nth(4)?;
    (acct.len() == 12 && acct.bytes().all(|b| b.is_ascii_digit())).then(|| acct.to_owned())
}

fn owner_of_resource<'s>(snapshot: &'s Snapshot, arn: &str) -> Option<&'s Account> {
    snapshot
        .accounts
        .iter()
        .find(|a| a.resources.iter().any(|r| r.arn == arn))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::context::Lookup;
    use crate::snapshot::{InlinePolicy, OrgPolicy, OrgUnit, Organization, Resource, Role, User};
    use serde_json::json;

    const SECRET: &str = "arn:aws:secretsmanager:eu-west-1:222222222222:secret:prod/api-a1B2c3";
    const KEY: &str = "arn:aws:kms:eu-west-1:222222222222:key/k1";

    /// Management account 111 (user alice), member 222 under ou-1 (role app, role
    /// deploy trusting account 333, a secret under a customer managed key, a bucket),
    /// member 333 (role ci). FullAWSAccess at the root, a deny at ou-1.
    fn org() -> Snapshot {
        let mut s = Snapshot::default();
        let mut doc = |v: serde_json::Value| s.documents.intern_value(&v).unwrap();
        let full = doc(
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}),
        );
        let guard = doc(
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "iam:CreateUser", "Resource": "*"}]}),
        );
        let app_policy = doc(json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue", "kms:Decrypt", "iam:CreateUser"], "Resource": "*"},
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::assets/*", "Condition": {"StringEquals": {"aws:PrincipalTag/team": "web"}}}]}));
        let key_policy = doc(
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::222222222222:root"}, "Action": "kms:*", "Resource": "*"}]}),
        );
        let deploy_trust = doc(
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "333333333333"}, "Action": "sts:AssumeRole"}]}),
        );
        let ci_policy = doc(
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::*:role/deploy"}]}),
        );
        let any_trust = doc(
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}]}),
        );
        s.organization = Some(Organization {
            id: "o-test".into(),
            management_account_id: "111111111111".into(),
            units: vec![
                OrgUnit {
                    id: "r-1".into(),
                    name: "Root".into(),
                    parent_id: None,
                },
                OrgUnit {
                    id: "ou-1".into(),
                    name: "prod".into(),
                    parent_id: Some("r-1".into()),
                },
            ],
            policies: vec![
                OrgPolicy {
                    id: "p-full".into(),
                    name: "FullAWSAccess".into(),
                    kind: OrgPolicyKind::Scp,
                    aws_managed: true,
                    document: full,
                    targets: vec![
                        "r-1".into(),
                        "ou-1".into(),
                        "222222222222".into(),
                        "333333333333".into(),
                    ],
                },
                OrgPolicy {
                    id: "p-guard".into(),
                    name: "guard".into(),
                    kind: OrgPolicyKind::Scp,
                    aws_managed: false,
                    document: guard,
                    targets: vec!["ou-1".into()],
                },
            ],
        });
        let mgmt = s.account_mut("111111111111");
        mgmt.parent_id = Some("r-1".into());
        mgmt.iam.users.push(User {
            arn: "arn:aws:iam::111111111111:user/alice".into(),
            name: "alice".into(),
            id: "AIDA1".into(),
            path: "/".into(),
            ..User::default()
        });
        let prod = s.account_mut("222222222222");
        prod.parent_id = Some("ou-1".into());
        let mut app = Role {
            arn: "arn:aws:iam::222222222222:role/app".into(),
            name: "app".into(),
            path: "/".into(),
            trust_policy: any_trust,
            ..Role::default()
        };
        app.inline_policies.push(InlinePolicy {
            name: "app".into(),
            document: app_policy,
        });
        app.tags.insert("team".into(), "web".into());
        prod.iam.roles.push(app);
        prod.iam.roles.push(Role {
            arn: "arn:aws:iam::222222222222:role/deploy".into(),
            name: "deploy".into(),
            path: "/".into(),
            trust_policy: deploy_trust,
            ..Role::default()
        });
        prod.resources.push(Resource {
            arn: SECRET.into(),
            kind: ResourceKind::Secret {
                kms_key_id: Some("k1".into()),
            },
            ..Resource::default()
        });
        prod.resources.push(Resource {
            arn: KEY.into(),
            kind: ResourceKind::KmsKey {
                customer_managed: true,
                aliases: vec![],
                grants: vec![],
            },
            policy: Some(key_policy),
            ..Resource::default()
        });
        prod.resources.push(Resource {
            arn: "arn:aws:s3:::assets".into(),
            kind: ResourceKind::S3Bucket {
                block_public_access: None,
            },
            ..Resource::default()
        });
        let ci_account = s.account_mut("333333333333");
        ci_account.parent_id = Some("r-1".into());
        let mut ci = Role {
            arn: "arn:aws:iam::333333333333:role/ci".into(),
            name: "ci".into(),
            path: "/".into(),
            trust_policy: any_trust,
            ..Role::default()
        };
        ci.inline_policies.push(InlinePolicy {
            name: "ci".into(),
            document: ci_policy,
        });
        ci_account.iam.roles.push(ci);
        s
    }

    // "Policy evaluation logic" / "Service control policies": layers assembled from the
    // snapshot (identity policies, SCPs along the OU path), with the keys it knows.
    #[test]
    fn resolves_layers_and_keys() {
        let s = org();
        let r = resolve(
            &s,
            "arn:aws:iam::222222222222:role/app",
            "secretsmanager:GetSecretValue",
            SECRET,
            &[],
            Mode::Discovery,
        )
        .unwrap();
        assert_eq!(r.evaluate(), Decision::Allow);
        assert_eq!(
            r.secret_key.as_deref(),
            Some("k1"),
            "the secret's customer managed key must be checked too"
        );
        assert_eq!(r.layers().scp_levels.len(), 3, "root, OU, account");
        assert_eq!(
            r.context.get("aws:PrincipalArn"),
            Lookup::Values(&["arn:aws:iam::222222222222:role/app".to_string()])
        );
        assert_eq!(
            r.context.get("aws:PrincipalOrgID"),
            Lookup::Values(&["o-test".to_string()])
        );
        assert_eq!(
            r.context.get("aws:PrincipalOrgPaths"),
            Lookup::Values(&["o-test/r-1/ou-1/".to_string()])
        );
        assert_eq!(r.context.get("aws:PrincipalTag/other"), Lookup::Absent);
        assert_eq!(r.context.get("aws:SourceIp"), Lookup::Unknown);
        let denied = resolve(
            &s,
            "arn:aws:iam::222222222222:role/app",
            "iam:CreateUser",
            "arn:aws:iam::222222222222:user/x",
            &[],
            Mode::Discovery,
        )
        .unwrap();
        assert_eq!(
            denied.evaluate(),
            Decision::ExplicitDeny,
            "the OU's SCP denies it"
        );
        let key = resolve(
            &s,
            "arn:aws:iam::222222222222:role/app",
            "kms:Decrypt",
            KEY,
            &[],
            Mode::Discovery,
        )
        .unwrap();
        assert_eq!(
            key.evaluate(),
            Decision::Allow,
            "key policy delegates to the account"
        );
    }

    #[test]
    fn s3_objects_tags_and_cross_account_trust() {
        let s = org();
        let r = resolve(
            &s,
            "arn:aws:iam::222222222222:role/app",
            "s3:GetObject",
            "arn:aws:s3:::assets/a.css",
            &[],
            Mode::Discovery,
        )
        .unwrap();
        assert_eq!(r.resource_account.as_deref(), Some("222222222222"));
        assert!(r.notes.is_empty(), "{:?}", r.notes);
        assert_eq!(
            r.evaluate(),
            Decision::Allow,
            "the principal tag is known from the snapshot"
        );
        let t = resolve(
            &s,
            "arn:aws:iam::333333333333:role/ci",
            "sts:AssumeRole",
            "arn:aws:iam::222222222222:role/deploy",
            &[],
            Mode::Discovery,
        )
        .unwrap();
        assert!(
            t.layers().resource.is_some(),
            "the role's trust policy is the resource policy"
        );
        assert_eq!(t.evaluate(), Decision::Allow);
        let e = resolve(
            &s,
            "arn:aws:iam::999999999999:user/nobody",
            "s3:GetObject",
            "*",
            &[],
            Mode::Strict,
        );
        assert!(matches!(e, Err(ResolveError::UnknownPrincipal(_))));
    }

    #[test]
    fn management_account_is_not_restricted_by_scps() {
        let s = org();
        let r = resolve(
            &s,
            "arn:aws:iam::111111111111:user/alice",
            "s3:ListAllMyBuckets",
            "*",
            &[],
            Mode::Discovery,
        )
        .unwrap();
        assert!(r.layers().scp_levels.is_empty());
        assert!(r.layers().caller_is_management_account);
        assert_eq!(
            r.context.get("aws:username"),
            Lookup::Values(&["alice".to_string()])
        );
    }
}
