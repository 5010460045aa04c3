//! Changes to compute: IMDS options of instances, ECS clusters moved to Fargate.

use super::{lookup, ImdsSetting};
use crate::snapshot::{HttpTokens, LaunchType, MetadataOptions, NetworkMode, Snapshot};
use std::collections::BTreeSet;

/// The metadata options a setting gives an instance that had `current`.
fn metadata_for(setting: ImdsSetting, current: MetadataOptions) -> MetadataOptions {
    match setting {
        ImdsSetting::Block => MetadataOptions {
            endpoint_enabled: false,
            ..current
        },
        ImdsSetting::V2Hop1 => MetadataOptions {
            endpoint_enabled: true,
            tokens: HttpTokens::Required,
            hop_limit: 1,
        },
        ImdsSetting::V2Hop2 => MetadataOptions {
            endpoint_enabled: true,
            tokens: HttpTokens::Required,
            hop_limit: 2,
        },
        // IMDSv1 ignores the hop limit; keep what was there.
        ImdsSetting::V1 => MetadataOptions {
            endpoint_enabled: true,
            tokens: HttpTokens::Optional,
            hop_limit: current.hop_limit,
        },
    }
}

/// Where an EC2 instance sits: (account index, instance index).
type InstanceAt = (usize, usize);

/// The instances a `--instances` entry names: an instance id or ARN, an ECS container
/// instance ARN, or an EKS node group name or ARN.
fn resolve_instances(snapshot: &Snapshot, wanted: &str) -> Result<Vec<InstanceAt>, String> {
    if let Some(at) = instance_by_id(snapshot, wanted) {
        return Ok(vec![at]);
    }
    let container_instance = snapshot
        .accounts
        .iter()
        .flat_map(|a| &a.compute.ecs_clusters)
        .flat_map(|c| &c.container_instances)
        .find(|ci| ci.arn == wanted);
    if let Some(container_instance) = container_instance {
        let id = &container_instance.ec2_instance_id;
        return instance_by_id(snapshot, id)
            .map(|at| vec![at])
            .ok_or_else(|| {
                format!("container instance {wanted} runs on {id}, which is not in the snapshot")
            });
    }
    let groups: Vec<_> = snapshot
        .accounts
        .iter()
        .flat_map(|a| &a.compute.eks_clusters)
        .flat_map(|c| &c.node_groups)
        .filter(|g| g.arn == wanted || g.name == wanted)
        .collect();
    match groups.as_slice() {
        [] => Err(format!(
            "{wanted:?} is neither an EC2 instance, an ECS container instance nor an EKS node group of the snapshot"
        )),
        [group] if group.instance_ids.is_empty() => Err(format!(
            "node group {} lists no instances, so its IMDS options cannot be changed",
            group.arn
        )),
        [group] => group
            .instance_ids
            .iter()
            .map(|id| {
                instance_by_id(snapshot, id).ok_or_else(|| {
                    format!("instance {id} of node group {} is not in the snapshot", group.arn)
                })
            })
            .collect(),
        _ => Err(format!(
            "node group name {wanted:?} is ambiguous, give one of: {}",
            groups.iter().map(|g| g.arn.as_str()).collect::<Vec<_>>().join(", ")
        )),
    }
}

fn instance_by_id(snapshot: &Snapshot, wanted: &str) -> Option<InstanceAt> {
    snapshot
        .accounts
        .iter()
        .enumerate()
        .find_map(|(a, account)| {
            account
                .compute
                .ec2_instances
                .iter()
                .position(|i| i.id == wanted || i.arn == wanted)
                .map(|i| (a, i))
        })
}

/// Sets the IMDS options of the named instances (every instance when none is named).
pub fn set_imds(
    snapshot: &mut Snapshot,
    setting: ImdsSetting,
    instances: &[String],
) -> Result<Vec<String>, String> {
    let mut targets = BTreeSet::new();
    if instances.is_empty() {
        for (a, account) in snapshot.accounts.iter().enumerate() {
            targets.extend((0..account.compute.ec2_instances.len()).map(|i| (a, i)));
        }
        if targets.is_empty() {
            return Err("the snapshot has no EC2 instance".into());
        }
    }
    for wanted in instances {
        targets.extend(resolve_instances(snapshot, wanted)?);
    }
    let mut effects = Vec::new();
    for (a, i) in targets {
        let instance = &mut snapshot.accounts[a].compute.ec2_instances[i];
        let new = metadata_for(setting, instance.metadata);
        if new != instance.metadata {
            instance.metadata = new;
            effects.push(format!("IMDS of {} set to {}", instance.id, setting.name()));
        }
    }
    Ok(effects)
}

/// Moves every service and task of an ECS cluster to Fargate: launch type Fargate, no
/// container instance, task definitions in `awsvpc` mode. The cluster's container
/// instances are deregistered (the EC2 instances stay, as plain instances).
///
/// A task definition also run on EC2 by another cluster keeps its network mode (a real
/// migration registers a new revision), and the effect says so.
pub fn move_to_fargate(snapshot: &mut Snapshot, cluster: &str) -> Result<Vec<String>, String> {
    let ((account, index), cluster_arn) = lookup::ecs_cluster(snapshot, cluster)?;
    let mut effects = Vec::new();
    let cluster = &mut snapshot.accounts[account].compute.ecs_clusters[index];
    let mut moved_definitions = BTreeSet::new();
    for service in &mut cluster.services {
        moved_definitions.insert(service.task_definition_arn.clone());
        if service.launch_type != LaunchType::Fargate {
            service.launch_type = LaunchType::Fargate;
            effects.push(format!("service {} now runs on Fargate", service.arn));
        }
    }
    for task in &mut cluster.tasks {
        moved_definitions.insert(task.task_definition_arn.clone());
        if task.launch_type != LaunchType::Fargate || task.container_instance_arn.is_some() {
            task.launch_type = LaunchType::Fargate;
            task.container_instance_arn = None;
            effects.push(format!("task {} now runs on Fargate", task.arn));
        }
    }
    for container_instance in cluster.container_instances.drain(..) {
        effects.push(format!(
            "container instance {} ({}) deregistered from {cluster_arn}",
            container_instance.arn, container_instance.ec2_instance_id
        ));
    }
    let still_on_ec2 = definitions_on_ec2(snapshot);
    for definition in snapshot
        .accounts
        .iter_mut()
        .flat_map(|a| &mut a.compute.task_definitions)
        .filter(|d| moved_definitions.contains(&d.arn))
    {
        if definition.network_mode == NetworkMode::Awsvpc {
            continue;
        }
        if still_on_ec2.contains(&definition.arn) {
            effects.push(format!(
                "task definition {} keeps network mode {:?}: other clusters still run it on EC2",
                definition.arn, definition.network_mode
            ));
        } else {
            definition.network_mode = NetworkMode::Awsvpc;
            effects.push(format!(
                "task definition {} now uses network mode awsvpc",
                definition.arn
            ));
        }
    }
    Ok(effects)
}

/// Task definitions that some service or task still runs with a non-Fargate launch type.
fn definitions_on_ec2(snapshot: &Snapshot) -> BTreeSet<String> {
    let clusters = snapshot
        .accounts
        .iter()
        .flat_map(|a| &a.compute.ecs_clusters);
    let mut on_ec2 = BTreeSet::new();
    for cluster in clusters {
        for service in &cluster.services {
            if service.launch_type != LaunchType::Fargate {
                on_ec2.insert(service.task_definition_arn.clone());
            }
        }
        for task in &cluster.tasks {
            if task.launch_type != LaunchType::Fargate {
                on_ec2.insert(task.task_definition_arn.clone());
            }
        }
    }
    on_ec2
}

#[cfg(test)]
mod tests {
    use crate::simulate::fixture::{demo, BATCH_TASKDEF, EC2_CLUSTER, WEB_TASKDEF};
    use crate::simulate::{apply, Change, ImdsSetting};
    use crate::snapshot::{HttpTokens, LaunchType, NetworkMode, Snapshot};

    fn instance(snapshot: &Snapshot, id: &str) -> crate::snapshot::MetadataOptions {
        snapshot
            .accounts
            .iter()
            .flat_map(|a| &a.compute.ec2_instances)
            .find(|i| i.id == id)
            .unwrap()
            .metadata
    }

    #[test]
    fn imds_settings_change_only_the_named_instances() {
        let simulation = apply(
            &demo(),
            &[Change::Imds {
                setting: ImdsSetting::V2Hop1,
                instances: vec!["i-ecs1".into()],
            }],
        )
        .unwrap();
        let changed = instance(&simulation.snapshot, "i-ecs1");
        assert_eq!(changed.tokens, HttpTokens::Required);
        assert_eq!(changed.hop_limit, 1);
        assert_eq!(
            instance(&simulation.snapshot, "i-node1").tokens,
            HttpTokens::Optional
        );
    }

    #[test]
    fn a_node_group_names_its_instances_and_none_means_all() {
        let simulation = apply(
            &demo(),
            &[Change::Imds {
                setting: ImdsSetting::Block,
                instances: vec!["workers".into()],
            }],
        )
        .unwrap();
        assert!(!instance(&simulation.snapshot, "i-node1").endpoint_enabled);
        assert!(instance(&simulation.snapshot, "i-ecs1").endpoint_enabled);

        let simulation = apply(
            &demo(),
            &[Change::Imds {
                setting: ImdsSetting::Block,
                instances: vec![],
            }],
        )
        .unwrap();
        assert!(!instance(&simulation.snapshot, "i-node1").endpoint_enabled);
        assert!(!instance(&simulation.snapshot, "i-ecs1").endpoint_enabled);
        assert_eq!(simulation.effects.len(), 3);
    }

    #[test]
    fn a_container_instance_arn_names_its_ec2_instance() {
        let simulation = apply(
            &demo(),
            &[Change::Imds {
                setting: ImdsSetting::V2Hop2,
                instances: vec![
                    "arn:aws:ecs:eu-west-1:222222222222:container-instance/shared/ci1".into(),
                ],
            }],
        )
        .unwrap();
        assert_eq!(instance(&simulation.snapshot, "i-ecs1").hop_limit, 2);
    }

    #[test]
    fn unknown_instances_are_refused() {
        let error = apply(
            &demo(),
            &[Change::Imds {
                setting: ImdsSetting::V1,
                instances: vec!["i-nope".into()],
            }],
        )
        .unwrap_err();
        assert!(error.problem.contains("i-nope"), "{error}");
    }

    #[test]
    fn fargate_moves_services_tasks_and_network_modes() {
        let simulation = apply(
            &demo(),
            &[Change::Fargate {
                cluster: "shared".into(),
            }],
        )
        .unwrap();
        let compute = &simulation.snapshot.accounts[1].compute;
        let cluster = compute
            .ecs_clusters
            .iter()
            .find(|c| c.arn == EC2_CLUSTER)
            .unwrap();
        assert!(cluster.container_instances.is_empty());
        assert!(cluster
            .services
            .iter()
            .all(|s| s.launch_type == LaunchType::Fargate));
        assert!(cluster
            .tasks
            .iter()
            .all(|t| t.launch_type == LaunchType::Fargate && t.container_instance_arn.is_none()));
        let mode = |arn: &str| {
            compute
                .task_definitions
                .iter()
                .find(|d| d.arn == arn)
                .unwrap()
                .network_mode
        };
        assert_eq!(mode(WEB_TASKDEF), NetworkMode::Awsvpc);
        // The batch definition also runs on EC2 in the other cluster.
        assert_eq!(mode(BATCH_TASKDEF), NetworkMode::Host);
        assert!(simulation
            .effects
            .iter()
            .any(|e| e.description.contains("keeps network mode")));
    }

    #[test]
    fn fargate_of_an_unknown_cluster_fails() {
        assert!(apply(
            &demo(),
            &[Change::Fargate {
                cluster: "nope".into()
            }]
        )
        .is_err());
    }

    #[test]
    fn ecscape_is_an_option_not_a_snapshot_change() {
        let snapshot = demo();
        let simulation = apply(
            &snapshot,
            &[Change::Ecscape {
                enabled: false,
                cluster: Some("shared".into()),
            }],
        )
        .unwrap();
        assert_eq!(simulation.snapshot, snapshot);
        assert!(
            simulation.touched.is_none(),
            "a graph option reaches beyond principals"
        );
        assert!(!simulation.options.ecscape_enabled(EC2_CLUSTER));
        assert!(simulation.options.ecscape_enabled("arn:other"));
    }
}
