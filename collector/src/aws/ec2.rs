//! EC2: the enabled regions, and instances with their instance profile and IMDS options.

use super::support::{describe, tags, Errors, Limits};
use aws_sdk_ec2::types::{HttpTokensState, Instance, InstanceMetadataEndpointState};
use aws_sdk_ec2::Client;
use blastgraph_engine::snapshot::{Ec2Instance, HttpTokens, MetadataOptions};

const SERVICE: &str = "ec2";

/// The regions enabled for the account (`DescribeRegions` without `AllRegions` lists
/// only those), sorted.
pub async fn enabled_regions(client: &Client, limits: &Limits) -> Result<Vec<String>, String> {
    let out = limits
        .call(SERVICE, client.describe_regions().send())
        .await
        .map_err(|e| describe("ec2:DescribeRegions", &e))?;
    let mut regions: Vec<String> = out
        .regions()
        .iter()
        .filter(|r| r.opt_in_status() != Some("not-opted-in"))
        .filter_map(|r| r.region_name().map(str::to_string))
        .collect();
    regions.sort();
    Ok(regions)
}

/// Every instance of the region that is not terminated.
pub async fn fetch(
    client: &Client,
    limits: &Limits,
    partition: &str,
    account_id: &str,
    region: &str,
    errors: &mut Errors,
) -> Vec<Ec2Instance> {
    let _permit = limits.acquire(SERVICE).await;
    let mut instances = Vec::new();
    let mut pages = client.describe_instances().into_paginator().send();
    while let Some(page) = pages.next().await {
        match page {
            Ok(page) => {
                for reservation in page.reservations() {
                    instances.extend(
                        reservation
                            .instances()
                            .iter()
                            .filter_map(|i| map_instance(i, partition, account_id, region)),
                    );
                }
            }
            Err(e) => {
                errors.push(describe("ec2:DescribeInstances", &e));
                break;
            }
        }
    }
    instances
}

fn map_instance(
    instance: &Instance,
    partition: &str,
    account_id: &str,
    region: &str,
) -> Option<Ec2Instance> {
    let id = instance.instance_id()?;
    let state = instance
        .state()
        .and_then(|s| s.name())
        .map(|n| n.as_str().to_string())
        .unwrap_or_default();
    if state == "terminated" {
        return None;
    }
    Some(Ec2Instance {
        id: id.to_string(),
        arn: format!("arn:{partition}:ec2:{region}:{account_id}:instance/{id}"),
        region: region.to_string(),
        instance_profile_arn: instance
            .iam_instance_profile()
            .and_then(|p| p.arn())
            .map(str::to_string),
        metadata: metadata_options(instance),
        state,
        tags: tags(instance.tags().iter().map(|t| (t.key(), t.value()))),
    })
}

/// IMDS options; whatever is not reported takes the permissive value (IMDSv1 allowed),
/// so an unknown never hides a path.
fn metadata_options(instance: &Instance) -> MetadataOptions {
    let mut options = MetadataOptions::default();
    if let Some(reported) = instance.metadata_options() {
        options.endpoint_enabled =
            reported.http_endpoint() != Some(&InstanceMetadataEndpointState::Disabled);
        options.tokens = match reported.http_tokens() {
            Some(HttpTokensState::Required) => HttpTokens::Required,
            _ => HttpTokens::Optional,
        };
        if let Some(limit) = reported.http_put_response_hop_limit() {
            options.hop_limit = u8::try_from(limit.clamp(1, 64)).unwrap_or(1);
        }
    }
    options
}
