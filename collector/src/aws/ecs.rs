//! ECS: clusters, container instances (with their EC2 instance), services, running tasks
//! and the task definitions they use.

use super::support::{describe, list_all, Errors, Limits};
use aws_sdk_ecs::types::{DesiredStatus, LaunchType as SdkLaunchType, NetworkMode as SdkMode};
use aws_sdk_ecs::Client;
use blastgraph_engine::snapshot::{
    ContainerInstance, EcsCluster, EcsService, EcsTask, LaunchType, NetworkMode, TaskDefinition,
};
use std::collections::BTreeSet;

const SERVICE: &str = "ecs";

/// The ECS contents of one region.
#[derive(Debug, Default)]
pub struct EcsRegion {
    /// Clusters with their instances, services and tasks.
    pub clusters: Vec<EcsCluster>,
    /// Task definitions used by a service or a running task.
    pub task_definitions: Vec<TaskDefinition>,
}

/// Reads the ECS of one region; an error in one cluster leaves the others complete.
pub async fn fetch(
    client: &Client,
    limits: &Limits,
    region: &str,
    errors: &mut Errors,
) -> EcsRegion {
    let mut result = EcsRegion::default();
    let Some(arns) = errors.ok(list_clusters(client, limits).await) else {
        return result;
    };
    for chunk in arns.chunks(100) {
        let described = limits
            .call(
                SERVICE,
                client
                    .describe_clusters()
                    .set_clusters(Some(chunk.to_vec()))
                    .send(),
            )
            .await;
        let described = match described {
            Ok(out) => out,
            Err(e) => {
                errors.push(describe("ecs:DescribeClusters", &e));
                continue;
            }
        };
        for cluster in described.clusters() {
            let (Some(arn), Some(name)) = (cluster.cluster_arn(), cluster.cluster_name()) else {
                continue;
            };
            let mut out = EcsCluster {
                arn: arn.to_string(),
                name: name.to_string(),
                region: region.to_string(),
                ..EcsCluster::default()
            };
            fill_cluster(client, limits, &mut out, errors).await;
            result.clusters.push(out);
        }
    }
    let in_use: BTreeSet<String> = result
        .clusters
        .iter()
        .flat_map(|c| {
            c.services
                .iter()
                .map(|s| s.task_definition_arn.clone())
                .chain(c.tasks.iter().map(|t| t.task_definition_arn.clone()))
        })
        .filter(|arn| !arn.is_empty())
        .collect();
    for arn in in_use {
        let described = limits
            .call(
                SERVICE,
                client
                    .describe_task_definition()
                    .task_definition(&arn)
                    .send(),
            )
            .await;
        match described {
            Ok(out) => {
                if let Some(definition) = out.task_definition() {
                    result
                        .task_definitions
                        .push(map_task_definition(definition, &arn, region));
                }
            }
            Err(e) => errors.push(describe(&format!("ecs:DescribeTaskDefinition {arn}"), &e)),
        }
    }
    result
}

async fn list_clusters(client: &Client, limits: &Limits) -> Result<Vec<String>, String> {
    list_all!(
        limits,
        SERVICE,
        "ecs:ListClusters",
        client.list_clusters(),
        |page| page.cluster_arns().iter().cloned()
    )
}

async fn fill_cluster(
    client: &Client,
    limits: &Limits,
    cluster: &mut EcsCluster,
    errors: &mut Errors,
) {
    let name = cluster.arn.clone();
    // Container instances.
    let listed = list_all!(
        limits,
        SERVICE,
        format!("ecs:ListContainerInstances {name}"),
        client.list_container_instances().cluster(&name),
        |page| page.container_instance_arns().iter().cloned()
    );
    for chunk in errors.ok(listed).unwrap_or_default().chunks(100) {
        match limits
            .call(
                SERVICE,
                client
                    .describe_container_instances()
                    .cluster(&name)
                    .set_container_instances(Some(chunk.to_vec()))
                    .send(),
            )
            .await
        {
            Ok(out) => {
                cluster
                    .container_instances
                    .extend(out.container_instances().iter().filter_map(|ci| {
                        Some(ContainerInstance {
                            arn: ci.container_instance_arn()?.to_string(),
                            ec2_instance_id: ci.ec2_instance_id().unwrap_or_default().to_string(),
                            awsvpc_block_imds: None,
                            bridge_imds_blocked: None,
                        })
                    }))
            }
            Err(e) => errors.push(describe(
                &format!("ecs:DescribeContainerInstances {name}"),
                &e,
            )),
        }
    }
    // Services.
    let listed = list_all!(
        limits,
        SERVICE,
        format!("ecs:ListServices {name}"),
        client.list_services().cluster(&name),
        |page| page.service_arns().iter().cloned()
    );
    for chunk in errors.ok(listed).unwrap_or_default().chunks(10) {
        match limits
            .call(
                SERVICE,
                client
                    .describe_services()
                    .cluster(&name)
                    .set_services(Some(chunk.to_vec()))
                    .send(),
            )
            .await
        {
            Ok(out) => cluster
                .services
                .extend(out.services().iter().filter_map(|s| {
                    let strategy: Vec<&str> = s
                        .capacity_provider_strategy()
                        .iter()
                        .map(|c| c.capacity_provider())
                        .collect();
                    Some(EcsService {
                        arn: s.service_arn()?.to_string(),
                        name: s.service_name().unwrap_or_default().to_string(),
                        task_definition_arn: s.task_definition().unwrap_or_default().to_string(),
                        launch_type: launch_type(s.launch_type(), &strategy),
                        desired_count: u32::try_from(s.desired_count()).unwrap_or(0),
                    })
                })),
            Err(e) => errors.push(describe(&format!("ecs:DescribeServices {name}"), &e)),
        }
    }
    // Running tasks.
    let listed = list_all!(
        limits,
        SERVICE,
        format!("ecs:ListTasks {name}"),
        client
            .list_tasks()
            .cluster(&name)
            .desired_status(DesiredStatus::Running),
        |page| page.task_arns().iter().cloned()
    );
    for chunk in errors.ok(listed).unwrap_or_default().chunks(100) {
        match limits
            .call(
                SERVICE,
                client
                    .describe_tasks()
                    .cluster(&name)
                    .set_tasks(Some(chunk.to_vec()))
                    .send(),
            )
            .await
        {
            Ok(out) => cluster.tasks.extend(out.tasks().iter().filter_map(|t| {
                let provider: Vec<&str> = t.capacity_provider_name().into_iter().collect();
                Some(EcsTask {
                    arn: t.task_arn()?.to_string(),
                    task_definition_arn: t.task_definition_arn().unwrap_or_default().to_string(),
                    launch_type: launch_type(t.launch_type(), &provider),
                    container_instance_arn: t.container_instance_arn().map(str::to_string),
                    group: t.group().map(str::to_string),
                })
            })),
            Err(e) => errors.push(describe(&format!("ecs:DescribeTasks {name}"), &e)),
        }
    }
}

/// The launch type, from the field or from the capacity providers (`FARGATE`,
/// `FARGATE_SPOT`; any other provider is backed by EC2 Auto Scaling).
fn launch_type(reported: Option<&SdkLaunchType>, capacity_providers: &[&str]) -> LaunchType {
    match reported {
        Some(SdkLaunchType::Fargate) => LaunchType::Fargate,
        Some(SdkLaunchType::External) => LaunchType::External,
        Some(SdkLaunchType::Ec2) => LaunchType::Ec2,
        _ if !capacity_providers.is_empty()
            && capacity_providers.iter().all(|p| p.starts_with("FARGATE")) =>
        {
            LaunchType::Fargate
        }
        _ => LaunchType::Ec2,
    }
}

fn map_task_definition(
    definition: &aws_sdk_ecs::types::TaskDefinition,
    requested_arn: &str,
    region: &str,
) -> TaskDefinition {
    let fargate_only = !definition.requires_compatibilities().is_empty()
        && definition
            .requires_compatibilities()
            .iter()
            .all(|c| c.as_str() == "FARGATE");
    TaskDefinition {
        arn: definition
            .task_definition_arn()
            .unwrap_or(requested_arn)
            .to_string(),
        family: definition.family().unwrap_or_default().to_string(),
        revision: u32::try_from(definition.revision()).unwrap_or(0),
        region: region.to_string(),
        task_role_arn: definition.task_role_arn().map(str::to_string),
        execution_role_arn: definition.execution_role_arn().map(str::to_string),
        network_mode: match definition.network_mode() {
            Some(SdkMode::Awsvpc) => NetworkMode::Awsvpc,
            Some(SdkMode::Host) => NetworkMode::Host,
            Some(SdkMode::None) => NetworkMode::None,
            Some(SdkMode::Bridge) => NetworkMode::Bridge,
            // Unset: Fargate only knows awsvpc; EC2's default is bridge.
            _ if fargate_only => NetworkMode::Awsvpc,
            _ => NetworkMode::Bridge,
        },
    }
}
