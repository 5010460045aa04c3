//! The demo organization of `datasets/demo-org/`, compiled in, so `blastgraph demo` needs
//! no AWS account and no files. It is built at run time by the same GAAD importer and
//! overlay as `blastgraph import gaad --overlay`, so the demo exercises the real path.

use crate::error::ImportError;
use crate::gaad::{GaadImport, GaadImporter};
use crate::overlay::apply_overlay;
use blastgraph_engine::snapshot::Origin;

/// The GAAD files, one per account: (file name, contents).
pub const GAAD_FILES: [(&str, &str); 3] = [
    (
        "management.gaad.json",
        include_str!("../../datasets/demo-org/management.gaad.json"),
    ),
    (
        "prod.gaad.json",
        include_str!("../../datasets/demo-org/prod.gaad.json"),
    ),
    (
        "shared-services.gaad.json",
        include_str!("../../datasets/demo-org/shared-services.gaad.json"),
    ),
];

/// The overlay: organization, resources, compute.
pub const OVERLAY: (&str, &str) = ("org.json", include_str!("../../datasets/demo-org/org.json"));

/// The demo's README, whose numbered list says what an analyst should find.
pub const README: &str = include_str!("../../datasets/demo-org/README.md");

/// The heading of the README section that lists the expected findings.
const FINDINGS_HEADING: &str = "## What an analyst should find";

/// The time recorded in the demo snapshot: fixed, so the demo is reproducible.
const CREATED_AT: &str = "2026-01-15T00:00:00Z";

/// Builds the demo snapshot.
pub fn build() -> Result<GaadImport, ImportError> {
    let mut importer = GaadImporter::new();
    for (name, text) in GAAD_FILES {
        importer.read_bytes(&demo_path(name), text.as_bytes(), None)?;
    }
    let mut import = importer.finish(Some(CREATED_AT.into()))?;
    apply_overlay(&mut import.snapshot, &demo_path(OVERLAY.0), OVERLAY.1)?;
    import.snapshot.meta.origin = Origin::Handwritten;
    Ok(import)
}

fn demo_path(name: &str) -> String {
    format!("datasets/demo-org/{name}")
}

/// The README's numbered list of expected findings, one string per item, without its
/// number.
pub fn expected_findings() -> Vec<&'static str> {
    let Some(start) = README.find(FINDINGS_HEADING) else {
        return Vec::new();
    };
    README[start + FINDINGS_HEADING.len()..]
        .lines()
        .take_while(|line| !line.starts_with("## "))
        .filter_map(|line| {
            let (number, text) = line.split_once(". ")?;
            number
                .bytes()
                .all(|b| b.is_ascii_digit())
                .then_some(text)
                .filter(|_| !number.is_empty())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use blastgraph_engine::snapshot::{LaunchType, NetworkMode};

    #[test]
    fn the_demo_builds_valid_and_complete() {
        let import = build().unwrap();
        assert!(import.warnings.is_empty(), "{:?}", import.warnings);
        let snapshot = import.snapshot;
        assert!(snapshot.validate().is_empty());
        assert!(snapshot.meta.gaps().next().is_none());
        let ids: Vec<&str> = snapshot.accounts.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, ["111111111111", "222222222222", "333333333333"]);
        let org = snapshot.organization.as_ref().unwrap();
        assert_eq!(org.management_account_id, "111111111111");
        assert_eq!(org.policies.iter().filter(|p| !p.aws_managed).count(), 1);
    }

    #[test]
    fn frontend_and_payments_share_one_container_instance_and_reporting_is_on_fargate() {
        let snapshot = build().unwrap().snapshot;
        let prod = snapshot.account("222222222222").unwrap();
        let ec2_cluster = &prod.compute.ecs_clusters[0];
        let hosts: Vec<_> = ec2_cluster
            .tasks
            .iter()
            .map(|t| t.container_instance_arn.clone())
            .collect();
        assert_eq!(hosts.len(), 2);
        assert!(hosts[0].is_some() && hosts[0] == hosts[1]);
        let fargate = &prod.compute.ecs_clusters[1];
        assert_eq!(fargate.tasks[0].launch_type, LaunchType::Fargate);
        let reporting = prod
            .compute
            .task_definitions
            .iter()
            .find(|t| t.family == "reporting")
            .unwrap();
        assert_eq!(reporting.network_mode, NetworkMode::Awsvpc);
        let payments = prod
            .iam
            .roles
            .iter()
            .find(|r| r.name == "payments-task")
            .unwrap();
        assert_eq!(payments.tags["trust"], "high");
    }

    #[test]
    fn the_irsa_trust_policies_differ_in_their_sub_condition() {
        let snapshot = build().unwrap().snapshot;
        let prod = snapshot.account("222222222222").unwrap();
        let trust = |name: &str| {
            let role = prod.iam.roles.iter().find(|r| r.name == name).unwrap();
            snapshot.document(role.trust_policy).to_string()
        };
        assert!(trust("orders-api-irsa").contains("system:serviceaccount:orders:orders-api"));
        assert!(trust("analytics-etl-irsa").contains(r#""StringLike""#));
        assert!(trust("analytics-etl-irsa").contains("system:serviceaccount:*:*"));
    }

    #[test]
    fn the_readme_lists_numbered_findings() {
        let findings = expected_findings();
        assert!(findings.len() >= 15, "{}", findings.len());
        assert!(findings[1].contains("ECScape"));
        assert!(findings.iter().any(|f| f.starts_with("Must NOT exist")));
    }
}
