//! AWS Organizations: the OU tree and the SCPs and RCPs attached to it.

use super::DocId;
use serde::{Deserialize, Serialize};

/// An AWS organization.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Organization {
    /// The organization id (`o-...`), the value of `aws:PrincipalOrgID`.
    pub id: String,
    /// The management account id. SCPs and RCPs never apply to it.
    pub management_account_id: String,
    /// The root (`r-...`) and every organizational unit (`ou-...`).
    pub units: Vec<OrgUnit>,
    /// Every SCP and RCP, with the targets it is attached to.
    pub policies: Vec<OrgPolicy>,
}

/// The root or an organizational unit.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgUnit {
    /// `r-...` for the root, `ou-...` otherwise.
    pub id: String,
    /// The display name.
    pub name: String,
    /// The parent unit, `None` for the root.
    pub parent_id: Option<String>,
}

/// Which kind of authorization policy an organization policy is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgPolicyKind {
    /// A service control policy: limits principals of member accounts.
    #[default]
    Scp,
    /// A resource control policy: limits resources of member accounts.
    Rcp,
}

/// An SCP or RCP.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgPolicy {
    /// The policy id (`p-...`).
    pub id: String,
    /// The policy name (`FullAWSAccess`, ...).
    pub name: String,
    /// SCP or RCP.
    pub kind: OrgPolicyKind,
    /// Whether AWS manages it (FullAWSAccess, RCPFullAWSAccess).
    pub aws_managed: bool,
    /// The document.
    pub document: DocId,
    /// Where it is attached: root, OU or account ids.
    pub targets: Vec<String>,
}

impl Organization {
    /// The unit with this id.
    pub fn unit(&self, id: &str) -> Option<&OrgUnit> {
        self.units.iter().find(|u| u.id == id)
    }

    /// The chain of unit ids from the root down to `parent_id` (inclusive), or `None` if
    /// the chain is broken or cyclic.
    pub fn path_from_root(&self, parent_id: &str) -> Option<Vec<&str>> {
        let mut path = Vec::new();
        let mut current = Some(parent_id);
        while let Some(id) = current {
            if path.len() > self.units.len() {
                return None;
            }
            let unit = self.unit(id)?;
            path.push(unit.id.as_str());
            current = unit.parent_id.as_deref();
        }
        path.reverse();
        Some(path)
    }

    /// The policies of `kind` attached directly to `target` (a root, OU or account id).
    pub fn attached<'a>(
        &'a self,
        kind: OrgPolicyKind,
        target: &'a str,
    ) -> impl Iterator<Item = &'a OrgPolicy> + 'a {
        self.policies
            .iter()
            .filter(move |p| p.kind == kind && p.targets.iter().any(|t| t == target))
    }
}
