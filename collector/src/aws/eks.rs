//! EKS: clusters (OIDC issuer, authentication mode), managed node groups and Pod
//! Identity associations. Node group instances are matched from EC2 tags afterwards;
//! pods and service accounts come from `--k8s-pods` files.

use super::support::{describe, list_all, Errors, Limits};
use aws_sdk_eks::Client;
use blastgraph_engine::snapshot::{EksCluster, NodeGroup, PodIdentityAssociation};

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

#[cfg(test)]
mod tests {
    //! moto 5.2.5 has no Pod Identity API: the mapping is checked against mocked answers.
    use super::*;
    use crate::aws::support::mock_client;
    use aws_sdk_eks::operation::describe_cluster::DescribeClusterOutput;
    use aws_sdk_eks::operation::describe_pod_identity_association::DescribePodIdentityAssociationOutput;
    use aws_sdk_eks::operation::list_clusters::ListClustersOutput;
    use aws_sdk_eks::operation::list_nodegroups::ListNodegroupsOutput;
    use aws_sdk_eks::operation::list_pod_identity_associations::ListPodIdentityAssociationsOutput;
    use aws_sdk_eks::types::{
        AccessConfigResponse, AuthenticationMode, Cluster, Identity, Oidc,
        PodIdentityAssociation as Sdk, PodIdentityAssociationSummary,
    };
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
        mock_client!(
            aws_sdk_eks,
            [&clusters, &cluster, &groups, &listed, &described]
        )
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
