//! EC2: the enabled regions, and instances with their instance profile and IMDS options.

use super::support::{describe, tags, Errors, Limits};
use aws_sdk_ec2::types::{HttpTokensState, Instance, InstanceMetadataEndpointState};
use aws_sdk_ec2::Client;
use blastgraph_engine::snapshot::{Ec2Instance, HttpTokens, MetadataOptions};

const SERVICE: &str = "ec2";

/// The regions enabled for the account (`DescribeRegions` without `AllRegions` lists
/// only those) in the caller's `partition`, sorted. AWS only lists the partition's own
/// regions; emulators list every partition's, where the credentials would not work.
pub async fn enabled_regions(
    client: &Client,
    limits: &Limits,
    partition: &str,
) -> Result<Vec<String>, String> {
    let out = limits
        .call(SERVICE, client.describe_regions().send())
        .await
        .map_err(|e| describe("ec2:DescribeRegions", &e))?;
    let mut regions: Vec<String> = out
        .regions()
        .iter()
        .filter(|r| r.opt_in_status() != Some("not-opted-in"))
        .filter_map(|r| r.region_name().map(str::to_string))
        .filter(|name| region_partition(name) == partition)
        .collect();
    regions.sort();
    Ok(regions)
}

/// The partition a region belongs to, from its name's prefix.
fn region_partition(region: &str) -> &'static str {
    const PREFIXES: [(&str, &str); 6] = [
        ("cn-", "aws-cn"),
        ("us-gov-", "aws-us-gov"),
        ("us-isob-", "aws-iso-b"),
        ("us-isof-", "aws-iso-f"),
        ("us-iso-", "aws-iso"),
        ("eu-isoe-", "aws-iso-e"),
    ];
    PREFIXES
        .iter()
        .find(|(prefix, _)| region.starts_with(prefix))
        .map_or("aws", |(_, partition)| partition)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::support::mock_client;
    use aws_sdk_ec2::operation::describe_regions::DescribeRegionsOutput;
    use aws_sdk_ec2::types::Region;
    use aws_smithy_mocks::mock;

    fn region(name: &str, status: &str) -> Region {
        Region::builder()
            .region_name(name)
            .opt_in_status(status)
            .build()
    }

    #[tokio::test]
    async fn enabled_regions_of_the_callers_partition_only() {
        let regions = mock!(Client::describe_regions).then_output(|| {
            DescribeRegionsOutput::builder()
                .regions(region("us-west-2", "opt-in-not-required"))
                .regions(region("af-south-1", "not-opted-in"))
                .regions(region("ap-east-1", "opted-in"))
                .regions(region("cn-north-1", "opt-in-not-required"))
                .regions(region("us-gov-west-1", "opt-in-not-required"))
                .regions(region("eu-west-1", "opt-in-not-required"))
                .build()
        });
        let client = mock_client!(aws_sdk_ec2, [&regions]);
        let limits = Limits::new(1);
        assert_eq!(
            enabled_regions(&client, &limits, "aws").await.unwrap(),
            ["ap-east-1", "eu-west-1", "us-west-2"]
        );
        assert_eq!(
            enabled_regions(&client, &limits, "aws-cn").await.unwrap(),
            ["cn-north-1"]
        );
    }

    #[test]
    fn partitions_of_region_names() {
        assert_eq!(region_partition("eu-central-2"), "aws");
        assert_eq!(region_partition("us-east-1"), "aws");
        assert_eq!(region_partition("cn-northwest-1"), "aws-cn");
        assert_eq!(region_partition("us-gov-east-1"), "aws-us-gov");
        assert_eq!(region_partition("us-iso-east-1"), "aws-iso");
        assert_eq!(region_partition("us-isob-east-1"), "aws-iso-b");
    }
}
