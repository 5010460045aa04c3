//! The overlay: what GAAD files cannot hold (the organization with its SCPs and RCPs,
//! account names and OUs, OIDC providers, resources, compute), written by hand in JSON
//! and laid over an imported snapshot. The demo organization is written this way, and
//! `blastgraph import gaad --overlay FILE` applies one to any import.
//!
//! ```json
//! {
//!   "description": "free text for humans, ignored",
//!   "collected_services": ["organizations", "s3", "ecs", ...],
//!   "organization": {
//!     "id": "o-...", "management_account_id": "111111111111",
//!     "units": [{"id": "r-...", "name": "Root", "parent_id": null}, ...],
//!     "policies": [{"id": "p-...", "name": "...", "kind": "scp", "aws_managed": false,
//!                   "document": { ...policy... }, "targets": ["r-..."]}]
//!   },
//!   "accounts": [{
//!     "id": "222222222222", "name": "prod", "parent_id": "ou-...",
//!     "oidc_providers": [{"arn": "...", "url": "...", "client_ids": ["sts.amazonaws.com"]}],
//!     "resources": [{"arn": "...", "region": "eu-west-1",
//!                    "kind": {"secret": {"kms_key_id": "..."}},
//!                    "policy": { ...policy... }, "tags": {}}],
//!     "compute": { ...the snapshot's JSON form of Compute... }
//!   }]
//! }
//! ```
//!
//! Everything but policy documents uses the snapshot's JSON form (`blastgraph snapshot
//! show` prints it); documents are written as JSON objects where the snapshot has
//! document ids. `collected_services` marks those services `Collected` for every
//! account of the overlay, replacing the GAAD import's "not collected" entries. Being
//! hand-written, an overlay is read strictly: an unknown field anywhere is an error.

use crate::error::ImportError;
use crate::gaad::document::{OrgPolicyDocument, ResourceDocument};
use blastgraph_engine::policy::parse::parse_policy;
use blastgraph_engine::policy::PolicyKind;
use blastgraph_engine::snapshot::{
    Compute, Coverage, CoverageStatus, OidcProvider, OrgPolicy, OrgPolicyKind, OrgUnit,
    Organization, Resource, ResourceKind, Snapshot, Tags,
};
use serde::de::Deserialize;
use serde::Deserialize as DeriveDeserialize;

#[derive(DeriveDeserialize)]
struct OverlayFile {
    #[serde(default)]
    #[allow(dead_code)]
    description: Option<String>,
    #[serde(default)]
    collected_services: Vec<String>,
    #[serde(default)]
    organization: Option<OrganizationOverlay>,
    #[serde(default)]
    accounts: Vec<AccountOverlay>,
}

#[derive(DeriveDeserialize)]
struct OrganizationOverlay {
    id: String,
    management_account_id: String,
    units: Vec<OrgUnit>,
    policies: Vec<OrgPolicyOverlay>,
}

#[derive(DeriveDeserialize)]
struct OrgPolicyOverlay {
    id: String,
    name: String,
    kind: OrgPolicyKind,
    #[serde(default)]
    aws_managed: bool,
    document: OrgPolicyDocument,
    targets: Vec<String>,
}

#[derive(DeriveDeserialize)]
struct AccountOverlay {
    id: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    parent_id: Option<String>,
    #[serde(default)]
    oidc_providers: Vec<OidcProvider>,
    #[serde(default)]
    resources: Vec<ResourceOverlay>,
    #[serde(default)]
    compute: Option<Compute>,
}

#[derive(DeriveDeserialize)]
struct ResourceOverlay {
    arn: String,
    #[serde(default)]
    region: Option<String>,
    kind: ResourceKind,
    #[serde(default)]
    policy: Option<ResourceDocument>,
    #[serde(default)]
    tags: Tags,
}

/// Lays the overlay in `text` (named `source` in errors) over `snapshot`.
///
/// On error the snapshot may be partly changed and must be dropped.
pub fn apply_overlay(snapshot: &mut Snapshot, source: &str, text: &str) -> Result<(), ImportError> {
    let overlay = parse(source, text)?;
    if let Some(org) = overlay.organization {
        snapshot.organization = Some(organization(snapshot, source, org)?);
    }
    for account in overlay.accounts {
        apply_account(snapshot, source, account, &overlay.collected_services)?;
    }
    if let Some(first) = snapshot.validate().first() {
        return Err(ImportError::file(
            source,
            format!("the overlay makes the snapshot inconsistent: {first}"),
        ));
    }
    Ok(())
}

fn parse(source: &str, text: &str) -> Result<OverlayFile, ImportError> {
    let mut unknown = Vec::new();
    let mut track = serde_path_to_error::Track::new();
    let json = &mut serde_json::Deserializer::from_str(text);
    let mut on_unknown = |path: serde_ignored::Path| unknown.push(crate::gaad::json_path(&path));
    let ignoring = serde_ignored::Deserializer::new(&mut *json, &mut on_unknown);
    let result =
        OverlayFile::deserialize(serde_path_to_error::Deserializer::new(ignoring, &mut track))
            .and_then(|overlay| json.end().map(|()| overlay));
    let overlay = result.map_err(|e| ImportError {
        source: source.to_string(),
        document: 0,
        path: Some(track.path().to_string()).filter(|p| p != "."),
        message: e.to_string(),
    })?;
    if let Some(path) = unknown.first() {
        return Err(ImportError {
            source: source.to_string(),
            document: 0,
            path: Some(path.clone()),
            message: "unknown field (an overlay is read strictly: check the spelling against `blastgraph snapshot show`)".into(),
        });
    }
    Ok(overlay)
}

fn organization(
    snapshot: &mut Snapshot,
    source: &str,
    org: OrganizationOverlay,
) -> Result<Organization, ImportError> {
    let mut policies = Vec::with_capacity(org.policies.len());
    for (i, p) in org.policies.into_iter().enumerate() {
        check_org_policy(&p).map_err(|message| ImportError {
            source: source.to_string(),
            document: 0,
            path: Some(format!("organization.policies[{i}].document")),
            message,
        })?;
        policies.push(OrgPolicy {
            id: p.id,
            name: p.name,
            kind: p.kind,
            aws_managed: p.aws_managed,
            document: snapshot.documents.intern(p.document.0),
            targets: p.targets,
        });
    }
    Ok(Organization {
        id: org.id,
        management_account_id: org.management_account_id,
        units: org.units,
        policies,
    })
}

/// An SCP must parse as an SCP (no principal), an RCP as an RCP (with one); reading the
/// document could only check that it is one of the two.
fn check_org_policy(policy: &OrgPolicyOverlay) -> Result<(), String> {
    let kind = match policy.kind {
        OrgPolicyKind::Scp => PolicyKind::Scp,
        OrgPolicyKind::Rcp => PolicyKind::Rcp,
    };
    parse_policy(policy.document.0.as_str(), kind)
        .map(|_| ())
        .map_err(|e| format!("invalid {kind:?} document: {e}"))
}

fn apply_account(
    snapshot: &mut Snapshot,
    source: &str,
    overlay: AccountOverlay,
    collected_services: &[String],
) -> Result<(), ImportError> {
    if overlay.id.len() != 12 || !overlay.id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ImportError::file(
            source,
            format!("account id {:?}: expected 12 digits", overlay.id),
        ));
    }
    let resources: Vec<Resource> = overlay
        .resources
        .into_iter()
        .map(|r| Resource {
            arn: r.arn,
            region: r.region,
            kind: r.kind,
            policy: r.policy.map(|p| snapshot.documents.intern(p.0)),
            tags: r.tags,
        })
        .collect();
    let account = snapshot.account_mut(&overlay.id);
    if overlay.name.is_some() {
        account.name = overlay.name;
    }
    if overlay.parent_id.is_some() {
        account.parent_id = overlay.parent_id;
    }
    account.iam.oidc_providers.extend(overlay.oidc_providers);
    account.resources.extend(resources);
    if let Some(compute) = overlay.compute {
        let target = &mut account.compute;
        target.ec2_instances.extend(compute.ec2_instances);
        target.ecs_clusters.extend(compute.ecs_clusters);
        target.task_definitions.extend(compute.task_definitions);
        target.eks_clusters.extend(compute.eks_clusters);
    }
    for service in collected_services {
        mark_collected(snapshot, &overlay.id, service);
    }
    Ok(())
}

fn mark_collected(snapshot: &mut Snapshot, account_id: &str, service: &str) {
    let coverage = &mut snapshot.meta.coverage;
    coverage.retain(|c| !(c.account_id == account_id && c.service == service));
    coverage.push(Coverage {
        account_id: account_id.to_string(),
        region: None,
        service: service.to_string(),
        status: CoverageStatus::Collected,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Snapshot {
        let text = r#"{"RoleDetailList":[{"Arn":"arn:aws:iam::222222222222:role/r","RoleName":"r",
            "AssumeRolePolicyDocument":{"Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}}]}"#;
        crate::gaad::import_str("gaad.json", text).unwrap().snapshot
    }

    const OVERLAY: &str = r#"{
      "collected_services": ["s3"],
      "organization": {"id": "o-x", "management_account_id": "111111111111",
        "units": [{"id": "r-x", "name": "Root", "parent_id": null}],
        "policies": [{"id": "p-1", "name": "deny", "kind": "scp",
          "document": {"Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]},
          "targets": ["r-x"]}]},
      "accounts": [{"id": "222222222222", "name": "prod", "parent_id": "r-x",
        "resources": [{"arn": "arn:aws:s3:::b", "kind": {"s3_bucket": {"block_public_access": null}},
          "policy": {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}}]}]
    }"#;

    #[test]
    fn an_overlay_adds_organization_resources_and_coverage() {
        let mut snapshot = base();
        apply_overlay(&mut snapshot, "org.json", OVERLAY).unwrap();
        let org = snapshot.organization.as_ref().unwrap();
        assert!(snapshot.document(org.policies[0].document).contains("Deny"));
        let account = snapshot.account("222222222222").unwrap();
        assert_eq!(account.name.as_deref(), Some("prod"));
        assert_eq!(account.iam.roles.len(), 1);
        let bucket = &account.resources[0];
        assert!(snapshot
            .document(bucket.policy.unwrap())
            .contains("s3:GetObject"));
        let s3 = snapshot
            .meta
            .coverage
            .iter()
            .filter(|c| c.service == "s3")
            .collect::<Vec<_>>();
        assert_eq!(s3.len(), 1);
        assert_eq!(s3[0].status, CoverageStatus::Collected);
    }

    #[test]
    fn unknown_fields_and_bad_documents_are_errors_with_their_path() {
        let typo = OVERLAY.replace(
            r#""block_public_access": null"#,
            r#""block_public_acess": null"#,
        );
        let error = apply_overlay(&mut base(), "org.json", &typo).unwrap_err();
        assert_eq!(
            error.path.as_deref(),
            Some("accounts[0].resources[0].kind.block_public_acess")
        );
        let bad = OVERLAY.replace(
            r#""Statement": [{"Effect": "Deny""#,
            r#""Statements": [{"Effect": "Deny""#,
        );
        let error = apply_overlay(&mut base(), "org.json", &bad).unwrap_err();
        assert_eq!(
            error.path.as_deref(),
            Some("organization.policies[0].document")
        );
        assert!(error.message.contains("Statement"));
        let unknown_unit =
            OVERLAY.replace(r#""parent_id": "r-x","#, r#""parent_id": "ou-nowhere","#);
        let error = apply_overlay(&mut base(), "org.json", &unknown_unit).unwrap_err();
        assert!(error.message.contains("ou-nowhere"), "{error}");
    }
}
