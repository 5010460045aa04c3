//! SDK clients for one account and region, each counting its requests.

use super::support::ApiCounter;
use aws_config::{Region, SdkConfig};

/// Defines `fn NAME(config, region, counter) -> Client`.
macro_rules! client {
    ($name:ident, $krate:ident) => {
        /// A client for `region`, counting its requests.
        pub fn $name(config: &SdkConfig, region: &str, counter: &ApiCounter) -> $krate::Client {
            $krate::Client::from_conf(
                $krate::config::Builder::from(config)
                    .region(Region::new(region.to_string()))
                    .interceptor(counter.clone())
                    .build(),
            )
        }
    };
}

client!(sts, aws_sdk_sts);
client!(organizations, aws_sdk_organizations);
client!(iam, aws_sdk_iam);
client!(ec2, aws_sdk_ec2);
client!(ecs, aws_sdk_ecs);
client!(eks, aws_sdk_eks);
client!(secretsmanager, aws_sdk_secretsmanager);
client!(kms, aws_sdk_kms);
client!(rds, aws_sdk_rds);
client!(lambda, aws_sdk_lambda);

/// An S3 client for `region`; path-style addressing when an endpoint URL is set (S3
/// emulators do not resolve `BUCKET.host` names).
pub fn s3(
    config: &SdkConfig,
    region: &str,
    counter: &ApiCounter,
    path_style: bool,
) -> aws_sdk_s3::Client {
    aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(config)
            .region(Region::new(region.to_string()))
            .force_path_style(path_style)
            .interceptor(counter.clone())
            .build(),
    )
}
