//! The real AWS managed policies, embedded from `datasets/aws-managed-policies/`.
//!
//! The whole dataset (1,594 policies, 3.5 MB) is embedded rather than a hand-picked
//! subset, so the generator can draw the long tail too and the dataset stays the single
//! source of truth. It is parsed once, on first use (about 20 ms).

use crate::snapshot::PolicyText;
use std::collections::HashMap;
use std::sync::OnceLock;

const DATASET: &str =
    include_str!("../../../datasets/aws-managed-policies/aws-managed-policies.json");

/// One AWS managed policy: its identity and its default version's document.
#[derive(Debug)]
pub struct CatalogPolicy {
    /// The policy name (`AdministratorAccess`).
    pub name: String,
    /// `arn:aws:iam::aws:policy/PATH/NAME`.
    pub arn: String,
    /// The path (`/`, `/service-role/`, `/job-function/`, ...).
    pub path: String,
    /// The default version id.
    pub version_id: String,
    /// The default version's document, canonical.
    pub document: PolicyText,
}

/// Every AWS managed policy of the dataset.
#[derive(Debug)]
pub struct Catalog {
    policies: Vec<CatalogPolicy>,
    by_name: HashMap<String, usize>,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DatasetPolicy {
    policy_name: String,
    arn: String,
    default_version_id: String,
    document: serde_json::Value,
}

#[derive(serde::Deserialize)]
struct Dataset {
    policies: Vec<DatasetPolicy>,
}

/// The catalogue, parsed on first use.
pub fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| {
        let dataset: Dataset =
            serde_json::from_str(DATASET).expect("the embedded managed-policy dataset is valid");
        let policies: Vec<CatalogPolicy> = dataset
            .policies
            .into_iter()
            .map(|p| CatalogPolicy {
                path: policy_path(&p.arn),
                document: PolicyText::from_value(&p.document)
                    .expect("managed policy documents are JSON objects"),
                name: p.policy_name,
                arn: p.arn,
                version_id: p.default_version_id,
            })
            .collect();
        let by_name = policies
            .iter()
            .enumerate()
            .map(|(i, p)| (p.name.clone(), i))
            .collect();
        Catalog { policies, by_name }
    })
}

/// `arn:aws:iam::aws:policy/service-role/X` has path `/service-role/`.
fn policy_path(arn: &str) -> String {
    let after = arn.split_once(":policy").map_or("/", |(_, rest)| rest);
    match after.rfind('/') {
        Some(end) => after[..=end].to_string(),
        None => "/".to_string(),
    }
}

impl Catalog {
    /// The policy with this name.
    ///
    /// # Panics
    /// If the dataset has no such policy: the generator only names policies that exist
    /// (a test checks every name it uses).
    pub fn get(&self, name: &str) -> &CatalogPolicy {
        self.find(name)
            .unwrap_or_else(|| panic!("AWS managed policy {name} is not in the dataset"))
    }

    /// The policy with this name, if the dataset has it.
    pub fn find(&self, name: &str) -> Option<&CatalogPolicy> {
        self.by_name.get(name).map(|&i| &self.policies[i])
    }

    /// Every policy, in dataset order.
    pub fn all(&self) -> &[CatalogPolicy] {
        &self.policies
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dataset_is_complete_and_paths_are_derived() {
        let catalog = catalog();
        assert_eq!(catalog.all().len(), 1594);
        let admin = catalog.get("AdministratorAccess");
        assert_eq!(admin.arn, "arn:aws:iam::aws:policy/AdministratorAccess");
        assert_eq!(admin.path, "/");
        assert!(admin.document.as_str().contains(r#""Action":"*""#));
        let exec = catalog.get("AmazonECSTaskExecutionRolePolicy");
        assert_eq!(exec.path, "/service-role/");
    }
}
