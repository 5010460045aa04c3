//! RDS: DB instances and clusters with whether IAM database authentication is on.

use super::support::{list_all, tags, Errors, Limits, RawResource};
use aws_sdk_rds::Client;
use blastgraph_engine::snapshot::{RdsDatabase, ResourceKind};

const SERVICE: &str = "rds";

/// Reads the DB instances and clusters of one region.
pub async fn fetch(
    client: &Client,
    limits: &Limits,
    region: &str,
    errors: &mut Errors,
) -> Vec<RawResource> {
    let mut resources = Vec::new();
    let instances = list_all!(
        limits,
        SERVICE,
        "rds:DescribeDBInstances",
        client.describe_db_instances(),
        |page| page
            .db_instances()
            .iter()
            .filter_map(|db| {
                Some(RawResource {
                    arn: db.db_instance_arn()?.to_string(),
                    region: Some(region.to_string()),
                    kind: ResourceKind::RdsInstance(RdsDatabase {
                        identifier: db.db_instance_identifier().unwrap_or_default().to_string(),
                        resource_id: db.dbi_resource_id().unwrap_or_default().to_string(),
                        engine: db.engine().unwrap_or_default().to_string(),
                        iam_auth: db.iam_database_authentication_enabled().unwrap_or(false),
                    }),
                    policy: None,
                    tags: tags(db.tag_list().iter().map(|t| (t.key(), t.value()))),
                })
            })
            .collect::<Vec<_>>()
    );
    resources.extend(errors.ok(instances).unwrap_or_default());
    let clusters = list_all!(
        limits,
        SERVICE,
        "rds:DescribeDBClusters",
        client.describe_db_clusters(),
        |page| page
            .db_clusters()
            .iter()
            .filter_map(|db| {
                Some(RawResource {
                    arn: db.db_cluster_arn()?.to_string(),
                    region: Some(region.to_string()),
                    kind: ResourceKind::RdsCluster(RdsDatabase {
                        identifier: db.db_cluster_identifier().unwrap_or_default().to_string(),
                        resource_id: db.db_cluster_resource_id().unwrap_or_default().to_string(),
                        engine: db.engine().unwrap_or_default().to_string(),
                        iam_auth: db.iam_database_authentication_enabled().unwrap_or(false),
                    }),
                    policy: None,
                    tags: tags(db.tag_list().iter().map(|t| (t.key(), t.value()))),
                })
            })
            .collect::<Vec<_>>()
    );
    resources.extend(errors.ok(clusters).unwrap_or_default());
    resources
}
