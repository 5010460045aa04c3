//! EKS: clusters (OIDC issuer, authentication mode), managed node groups, Pod Identity
//! associations and access entries with their access policies. Node group instances are matched from EC2 tags afterwards;
//! pods and service accounts come from `--k8s-pods` files.

use super::support::{describe, list_all, Errors, Limits};
use aws_sdk_eks::types::{AccessScopeType, AssociatedAccessPolicy};
use aws_sdk_eks::Client;
use blastgraph_engine::snapshot::{
    AccessEntry, AccessPolicyAssociation, AccessScope, EksCluster, NodeGroup,
    PodIdentityAssociation,
};

const SERVICE: &str = "eks";

/// Reads the EKS clusters of one region.
pub async fn fetch(
    client: &Client,
    limits: &Limits,
    region: &str,
    errors: &mut Errors,
) -> Vec<EksCluster> {
    let listed = list_all!(
        limits,
        SERVICE,
        "eks:ListClusters",
        client.list_clusters(),
        |page| page.clusters().iter().cloned()
    );
    let mut clusters = Vec::new();
    for name in errors.ok(listed).unwrap_or_default() {
        let described = limits
            .call(SERVICE, client.describe_cluster().name(&name).send())
            .await;
        let cluster = match described {
            Ok(out) => out.cluster().cloned(),
            Err(e) => {
                errors.push(describe(&format!("eks:DescribeCluster {name}"), &e));
                continue;
            }
        };
        let Some(cluster) = cluster else { continue };
        let mut out = EksCluster {
            arn: cluster.arn().unwrap_or_default().to_string(),
            name: name.clone(),
            region: region.to_string(),
            oidc_issuer: cluster
                .identity()
                .and_then(|i| i.oidc())
                .and_then(|o| o.issuer())
                .map(|issuer| issuer.trim_start_matches("https://").to_string()),
            authentication_mode: cluster
                .access_config()
                .and_then(|c| c.authentication_mode())
                .map(|m| m.as_str().to_string()),
            ..EksCluster::default()
        };
        out.node_groups = node_groups(client, limits, &name, errors).await;
        out.pod_identity_associations = pod_identities(client, limits, &name, errors).await;
        // Access entries do not exist in CONFIG_MAP mode (the API refuses the call).
        if out.authentication_mode.as_deref() != Some("CONFIG_MAP") {
            out.access_entries = access_entries(client, limits, &name, errors).await;
        }
        clusters.push(out);
    }
    clusters
}

async fn node_groups(
    client: &Client,
    limits: &Limits,
    cluster: &str,
    errors: &mut Errors,
) -> Vec<NodeGroup> {
    let listed = list_all!(
        limits,
        SERVICE,
        format!("eks:ListNodegroups {cluster}"),
        client.list_nodegroups().cluster_name(cluster),
        |page| page.nodegroups().iter().cloned()
    );
    let mut groups = Vec::new();
    for name in errors.ok(listed).unwrap_or_default() {
        let described = limits
            .call(
                SERVICE,
                client
                    .describe_nodegroup()
                    .cluster_name(cluster)
                    .nodegroup_name(&name)
                    .send(),
            )
            .await;
        match described {
            Ok(out) => {
                if let Some(group) = out.nodegroup() {
                    groups.push(NodeGroup {
                        arn: group.nodegroup_arn().unwrap_or_default().to_string(),
                        name: name.clone(),
                        node_role_arn: group.node_role().unwrap_or_default().to_string(),
                        instance_ids: Vec::new(),
                    });
                }
            }
            Err(e) => errors.push(describe(
                &format!("eks:DescribeNodegroup {cluster}/{name}"),
                &e,
            )),
        }
    }
    groups
}

async fn pod_identities(
    client: &Client,
    limits: &Limits,
    cluster: &str,
    errors: &mut Errors,
) -> Vec<PodIdentityAssociation> {
    let listed = list_all!(
        limits,
        SERVICE,
        format!("eks:ListPodIdentityAssociations {cluster}"),
        client
            .list_pod_identity_associations()
            .cluster_name(cluster),
        |page| page.associations().to_vec()
    );
    let mut associations = Vec::new();
    for summary in errors.ok(listed).unwrap_or_default() {
        let Some(id) = summary.association_id() else {
            continue;
        };
        let described = limits
            .call(
                SERVICE,
                client
                    .describe_pod_identity_association()
                    .cluster_name(cluster)
                    .association_id(id)
                    .send(),
            )
            .await;
        match described {
            Ok(out) => {
                if let Some(a) = out.association() {
                    associations.push(PodIdentityAssociation {
                        arn: a.association_arn().unwrap_or_default().to_string(),
                        namespace: a.namespace().unwrap_or_default().to_string(),
                        service_account: a.service_account().unwrap_or_default().to_string(),
                        role_arn: a.role_arn().unwrap_or_default().to_string(),
                    });
                }
            }
            Err(e) => errors.push(describe(
                &format!("eks:DescribePodIdentityAssociation {cluster}/{id}"),
                &e,
            )),
        }
    }
    associations
}

async fn access_entries(
    client: &Client,
    limits: &Limits,
    cluster: &str,
    errors: &mut Errors,
) -> Vec<AccessEntry> {
    let listed = list_all!(
        limits,
        SERVICE,
        format!("eks:ListAccessEntries {cluster}"),
        client.list_access_entries().cluster_name(cluster),
        |page| page.access_entries().iter().cloned()
    );
    let mut entries = Vec::new();
    for principal in errors.ok(listed).unwrap_or_default() {
        let described = limits
            .call(
                SERVICE,
                client
                    .describe_access_entry()
                    .cluster_name(cluster)
                    .principal_arn(&principal)
                    .send(),
            )
            .await;
        let entry = match described {
            Ok(out) => out.access_entry().cloned(),
            Err(e) => {
                errors.push(describe(
                    &format!("eks:DescribeAccessEntry {cluster} {principal}"),
                    &e,
                ));
                None
            }
        };
        let kind = entry
            .as_ref()
            .and_then(|e| e.r#type())
            .unwrap_or("STANDARD")
            .to_string();
        // Only STANDARD entries can have access policies (node types get node rights).
        let access_policies = if kind == "STANDARD" {
            let listed = list_all!(
                limits,
                SERVICE,
                format!("eks:ListAssociatedAccessPolicies {cluster} {principal}"),
                client
                    .list_associated_access_policies()
                    .cluster_name(cluster)
                    .principal_arn(&principal),
                |page| page.associated_access_policies().to_vec()
            );
            let listed = errors.ok(listed).unwrap_or_default();
            listed.iter().filter_map(access_policy).collect()
        } else {
            Vec::new()
        };
        // An entry whose description failed is still kept: its principal is admitted,
        // and the recorded gap says what is unknown about it.
        entries.push(AccessEntry {
            principal_arn: principal,
            kind,
            username: entry
                .as_ref()
                .and_then(|e| e.username())
                .map(str::to_string),
            kubernetes_groups: entry
                .as_ref()
                .map(|e| e.kubernetes_groups().to_vec())
                .unwrap_or_default(),
            access_policies,
        });
    }
    entries
}

/// An associated access policy; a scope EKS did not describe counts as the cluster (the
/// wider of the two).
fn access_policy(policy: &AssociatedAccessPolicy) -> Option<AccessPolicyAssociation> {
    let scope = match policy.access_scope() {
        Some(scope) if scope.r#type() == Some(&AccessScopeType::Namespace) => {
            AccessScope::Namespaces(scope.namespaces().to_vec())
        }
        _ => AccessScope::Cluster,
    };
    Some(AccessPolicyAssociation {
        policy_arn: policy.policy_arn()?.to_string(),
        scope,
    })
}

#[cfg(test)]
mod tests {
    //! moto 5.2.5 has neither the Pod Identity nor the access entry API: their mapping is
    //! checked against mocked answers.
    use super::*;
    use crate::aws::support::mock_client;
    use aws_sdk_eks::operation::describe_access_entry::{
        DescribeAccessEntryError, DescribeAccessEntryOutput,
    };
    use aws_sdk_eks::operation::describe_cluster::DescribeClusterOutput;
    use aws_sdk_eks::operation::describe_pod_identity_association::DescribePodIdentityAssociationOutput;
    use aws_sdk_eks::operation::list_access_entries::ListAccessEntriesOutput;
    use aws_sdk_eks::operation::list_associated_access_policies::{
        ListAssociatedAccessPoliciesError, ListAssociatedAccessPoliciesOutput,
    };
    use aws_sdk_eks::operation::list_clusters::ListClustersOutput;
    use aws_sdk_eks::operation::list_nodegroups::ListNodegroupsOutput;
    use aws_sdk_eks::operation::list_pod_identity_associations::ListPodIdentityAssociationsOutput;
    use aws_sdk_eks::types::error::ResourceNotFoundException;
    use aws_sdk_eks::types::{
        AccessConfigResponse, AuthenticationMode, Cluster, Identity, Oidc,
        PodIdentityAssociation as Sdk, PodIdentityAssociationSummary,
    };
    use aws_sdk_eks::types::{AccessEntry as SdkEntry, AccessScope as SdkScope};
    use aws_smithy_mocks::mock;

    const ROLE: &str = "arn:aws:iam::111122223333:role/payments";

    fn client() -> Client {
        let clusters = mock!(Client::list_clusters)
            .then_output(|| ListClustersOutput::builder().clusters("prod").build());
        let cluster = mock!(Client::describe_cluster).then_output(|| {
            DescribeClusterOutput::builder()
                .cluster(
                    Cluster::builder()
                        .name("prod")
                        .arn("arn:aws:eks:us-east-1:111122223333:cluster/prod")
                        .identity(
                            Identity::builder()
                                .oidc(
                                    Oidc::builder()
                                        .issuer("https://oidc.eks.us-east-1.amazonaws.com/id/ABC")
                                        .build(),
                                )
                                .build(),
                        )
                        .access_config(
                            AccessConfigResponse::builder()
                                .authentication_mode(AuthenticationMode::Api)
                                .build(),
                        )
                        .build(),
                )
                .build()
        });
        let groups =
            mock!(Client::list_nodegroups).then_output(|| ListNodegroupsOutput::builder().build());
        let listed = mock!(Client::list_pod_identity_associations).then_output(|| {
            ListPodIdentityAssociationsOutput::builder()
                .associations(
                    PodIdentityAssociationSummary::builder()
                        .association_id("a-1")
                        .namespace("shop")
                        .service_account("payments")
                        .build(),
                )
                // An entry without an id cannot be described: skipped.
                .associations(
                    PodIdentityAssociationSummary::builder()
                        .namespace("x")
                        .build(),
                )
                .build()
        });
        let described = mock!(Client::describe_pod_identity_association)
            .match_requests(|r| r.association_id() == Some("a-1"))
            .then_output(|| {
                DescribePodIdentityAssociationOutput::builder()
                    .association(
                        Sdk::builder()
                            .association_arn("arn:aws:eks:us-east-1:111122223333:podidentityassociation/prod/a-1")
                            .namespace("shop")
                            .service_account("payments")
                            .role_arn(ROLE)
                            .build(),
                    )
                    .build()
            });
        let no_entries = mock!(Client::list_access_entries)
            .then_output(|| ListAccessEntriesOutput::builder().build());
        mock_client!(
            aws_sdk_eks,
            [
                &clusters,
                &cluster,
                &groups,
                &listed,
                &described,
                &no_entries
            ]
        )
    }

    const ADMIN: &str = "arn:aws:iam::111122223333:role/platform-admin";
    const DEV: &str = "arn:aws:iam::111122223333:role/developers";
    const NODE: &str = "arn:aws:iam::111122223333:role/eks-node";
    const GONE: &str = "arn:aws:iam::111122223333:role/deleted-meanwhile";
    const POLICY: &str = "arn:aws:eks::aws:cluster-access-policy/";

    fn policy(name: &str, namespaces: &[&str]) -> AssociatedAccessPolicy {
        let scope = if namespaces.is_empty() {
            SdkScope::builder().r#type(AccessScopeType::Cluster).build()
        } else {
            namespaces
                .iter()
                .fold(
                    SdkScope::builder().r#type(AccessScopeType::Namespace),
                    |b, n| b.namespaces(*n),
                )
                .build()
        };
        AssociatedAccessPolicy::builder()
            .policy_arn(format!("{POLICY}{name}"))
            .access_scope(scope)
            .build()
    }

    /// Four entries: a cluster admin, a namespace-scoped admin in a custom group, a node
    /// role (whose policies must not be asked for), and one deleted between the list and
    /// the describe (kept, with a gap).
    fn access_entry_client() -> Client {
        let listed = mock!(Client::list_access_entries).then_output(|| {
            ListAccessEntriesOutput::builder()
                .access_entries(ADMIN)
                .access_entries(DEV)
                .access_entries(NODE)
                .access_entries(GONE)
                .build()
        });
        let describe = |arn: &'static str, kind: &'static str, groups: &'static [&'static str]| {
            mock!(Client::describe_access_entry)
                .match_requests(move |r| r.principal_arn() == Some(arn))
                .then_output(move || {
                    let entry = groups.iter().fold(
                        SdkEntry::builder()
                            .principal_arn(arn)
                            .r#type(kind)
                            .username(format!("user-of-{kind}")),
                        |b, g| b.kubernetes_groups(*g),
                    );
                    DescribeAccessEntryOutput::builder()
                        .access_entry(entry.build())
                        .build()
                })
        };
        let admin = describe(ADMIN, "STANDARD", &[]);
        let dev = describe(DEV, "STANDARD", &["dev-team"]);
        let node = describe(NODE, "EC2_LINUX", &["system:nodes"]);
        let gone = mock!(Client::describe_access_entry)
            .match_requests(|r| r.principal_arn() == Some(GONE))
            .then_error(|| {
                DescribeAccessEntryError::ResourceNotFoundException(
                    ResourceNotFoundException::builder()
                        .message("no such entry")
                        .build(),
                )
            });
        let admin_policies = mock!(Client::list_associated_access_policies)
            .match_requests(|r| r.principal_arn() == Some(ADMIN))
            .then_output(|| {
                ListAssociatedAccessPoliciesOutput::builder()
                    .associated_access_policies(policy("AmazonEKSClusterAdminPolicy", &[]))
                    .build()
            });
        let dev_policies = mock!(Client::list_associated_access_policies)
            .match_requests(|r| r.principal_arn() == Some(DEV))
            .then_output(|| {
                ListAssociatedAccessPoliciesOutput::builder()
                    .associated_access_policies(policy("AmazonEKSAdminPolicy", &["shop", "dev-*"]))
                    .associated_access_policies(policy("AmazonEKSViewPolicy", &[]))
                    .build()
            });
        let gone_policies = mock!(Client::list_associated_access_policies)
            .match_requests(|r| r.principal_arn() == Some(GONE))
            .then_output(|| ListAssociatedAccessPoliciesOutput::builder().build());
        let node_policies = mock!(Client::list_associated_access_policies)
            .match_requests(|r| r.principal_arn() == Some(NODE))
            .then_error(|| {
                ListAssociatedAccessPoliciesError::ResourceNotFoundException(
                    ResourceNotFoundException::builder()
                        .message("must not be asked")
                        .build(),
                )
            });
        mock_client!(
            aws_sdk_eks,
            [
                &listed,
                &admin,
                &dev,
                &node,
                &gone,
                &admin_policies,
                &dev_policies,
                &gone_policies,
                &node_policies
            ]
        )
    }

    #[tokio::test]
    async fn access_entries_with_groups_policies_and_scopes() {
        let mut errors = Errors::default();
        let entries =
            access_entries(&access_entry_client(), &Limits::new(2), "prod", &mut errors).await;
        assert_eq!(errors.0.len(), 1, "{:?}", errors.0);
        assert!(
            errors.0[0].contains("eks:DescribeAccessEntry prod")
                && errors.0[0].contains(GONE)
                && errors.0[0].contains("no such entry"),
            "{}",
            errors.0[0]
        );
        let policy = |name: &str, scope: AccessScope| AccessPolicyAssociation {
            policy_arn: format!("{POLICY}{name}"),
            scope,
        };
        assert_eq!(
            entries,
            vec![
                AccessEntry {
                    principal_arn: ADMIN.into(),
                    kind: "STANDARD".into(),
                    username: Some("user-of-STANDARD".into()),
                    kubernetes_groups: vec![],
                    access_policies: vec![policy(
                        "AmazonEKSClusterAdminPolicy",
                        AccessScope::Cluster
                    )],
                },
                AccessEntry {
                    principal_arn: DEV.into(),
                    kind: "STANDARD".into(),
                    username: Some("user-of-STANDARD".into()),
                    kubernetes_groups: vec!["dev-team".into()],
                    access_policies: vec![
                        policy(
                            "AmazonEKSAdminPolicy",
                            AccessScope::Namespaces(vec!["shop".into(), "dev-*".into()])
                        ),
                        policy("AmazonEKSViewPolicy", AccessScope::Cluster),
                    ],
                },
                AccessEntry {
                    principal_arn: NODE.into(),
                    kind: "EC2_LINUX".into(),
                    username: Some("user-of-EC2_LINUX".into()),
                    kubernetes_groups: vec!["system:nodes".into()],
                    access_policies: vec![],
                },
                // Described as nothing: kept as a STANDARD entry, its policies listed.
                AccessEntry {
                    principal_arn: GONE.into(),
                    kind: "STANDARD".into(),
                    username: None,
                    kubernetes_groups: vec![],
                    access_policies: vec![],
                },
            ]
        );
    }

    #[tokio::test]
    async fn pod_identity_associations_issuer_and_access_mode() {
        let mut errors = Errors::default();
        let clusters = fetch(&client(), &Limits::new(2), "us-east-1", &mut errors).await;
        assert_eq!(errors.0, Vec::<String>::new());
        assert_eq!(clusters.len(), 1);
        let cluster = &clusters[0];
        assert_eq!(
            cluster.oidc_issuer.as_deref(),
            Some("oidc.eks.us-east-1.amazonaws.com/id/ABC")
        );
        assert_eq!(cluster.authentication_mode.as_deref(), Some("API"));
        assert_eq!(
            cluster.pod_identity_associations,
            vec![PodIdentityAssociation {
                arn: "arn:aws:eks:us-east-1:111122223333:podidentityassociation/prod/a-1".into(),
                namespace: "shop".into(),
                service_account: "payments".into(),
                role_arn: ROLE.into(),
            }]
        );
    }
}
