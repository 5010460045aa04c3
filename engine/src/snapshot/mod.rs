//! The snapshot: everything blastgraph knows about one AWS organization at one moment.
//!
//! A [`Snapshot`] is plain data. The collector (or the GAAD importer, or the synthetic
//! generator) fills it in; the engine reads it, never changes it, and builds its own
//! interned, indexed structures from it. It is stored on disk in the compact binary form
//! of [`format`](mod@format) and can be shown losslessly as JSON (serde, same types).
//!
//! Invariants (checked by [`Snapshot::validate`]):
//! * every [`DocId`] points into [`Snapshot::documents`];
//! * policy documents are stored once per distinct content (most roles share policies);
//! * ARNs are unique within their kind, account ids are 12 digits;
//! * everything is kept in a deterministic order (vectors in collection order, maps are
//!   `BTreeMap`s or sorted like [`Tags`]), so encoding the same snapshot twice gives the
//!   same bytes.
//!
//! The types avoid serde features that a non-self-describing format cannot read back
//! (`skip_serializing_if`, `flatten`, untagged or internally tagged enums): postcard
//! and JSON must both round-trip every value.

mod compute;
mod documents;
pub mod format;
mod iam;
mod meta;
mod org;
mod resources;
mod tags;
mod validate;

pub use compute::*;
pub use documents::{DocId, DocumentError, Documents, PolicyText};
pub use iam::*;
pub use meta::*;
pub use org::*;
pub use resources::*;
pub use tags::Tags;
pub use validate::ValidationIssue;

use serde::{Deserialize, Serialize};

/// One collected AWS organization (or a single account, or an imported GAAD file set).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// When, how and by whom this was collected, and what could not be.
    pub meta: Meta,
    /// The AWS Organizations structure, when known. `None` for single-account snapshots
    /// (then no SCP or RCP applies, which is what AWS does for standalone accounts).
    pub organization: Option<Organization>,
    /// Every account in the snapshot, in a stable order.
    pub accounts: Vec<Account>,
    /// Every distinct policy document, referenced by [`DocId`] from everywhere else.
    pub documents: Documents,
}

/// One AWS account with its IAM, its resources and its compute.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Account {
    /// The 12-digit account id.
    pub id: String,
    /// The account name from Organizations (or an alias), when known.
    pub name: Option<String>,
    /// The organizational unit (or root) the account sits in, by id (`ou-...`, `r-...`).
    pub parent_id: Option<String>,
    /// Users, groups, roles, managed policies, instance profiles, identity providers.
    pub iam: Iam,
    /// Resources that carry resource policies or matter as targets.
    pub resources: Vec<Resource>,
    /// Compute that holds credentials: EC2, ECS, EKS (Lambda functions are resources).
    pub compute: Compute,
}

impl Snapshot {
    /// The account with this id, if present.
    pub fn account(&self, id: &str) -> Option<&Account> {
        self.accounts.iter().find(|a| a.id == id)
    }

    /// The account with this id, created empty (in order of first mention) when absent.
    pub fn account_mut(&mut self, id: &str) -> &mut Account {
        let index = match self.accounts.iter().position(|a| a.id == id) {
            Some(index) => index,
            None => {
                self.accounts.push(Account {
                    id: id.to_string(),
                    ..Account::default()
                });
                self.accounts.len() - 1
            }
        };
        &mut self.accounts[index]
    }

    /// The text of a policy document.
    ///
    /// # Panics
    /// If `id` does not belong to this snapshot; [`Snapshot::validate`] rules that out for
    /// snapshots read from disk.
    pub fn document(&self, id: DocId) -> &str {
        self.documents.get(id).as_str()
    }
}
