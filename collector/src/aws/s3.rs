//! S3: buckets with their bucket policy, Block Public Access settings and tags. Never
//! lists or reads objects.

use super::clients;
use super::support::{
    describe, for_each_concurrently, has_code, list_all, Errors, Limits, RawResource,
};
use super::support::{tags, ApiCounter};
use aws_config::SdkConfig;
use blastgraph_engine::snapshot::{BlockPublicAccess, ResourceKind};

const SERVICE: &str = "s3";

/// Where the S3 calls go.
#[derive(Clone)]
pub struct S3Context {
    /// The account's SDK configuration.
    pub config: SdkConfig,
    /// The region for `ListBuckets`.
    pub home_region: String,
    /// Counts requests.
    pub counter: ApiCounter,
    /// Path-style addressing (emulators).
    pub path_style: bool,
    /// The partition for bucket ARNs.
    pub partition: String,
}

/// Reads every bucket of the account, each from its own region.
pub async fn fetch(context: &S3Context, limits: &Limits, errors: &mut Errors) -> Vec<RawResource> {
    let home = clients::s3(
        &context.config,
        &context.home_region,
        &context.counter,
        context.path_style,
    );
    let listed = list_all!(
        limits,
        SERVICE,
        "s3:ListBuckets",
        home.list_buckets(),
        |page| page
            .buckets()
            .iter()
            .filter_map(|b| Some((b.name()?.to_string(), b.bucket_region().map(str::to_string))))
            .collect::<Vec<_>>()
    );
    let Some(buckets) = errors.ok(listed) else {
        return Vec::new();
    };
    let results = for_each_concurrently(buckets, |(name, region)| {
        let context = context.clone();
        let limits = limits.clone();
        let home = home.clone();
        async move { bucket(&context, &limits, &home, name, region).await }
    })
    .await;
    let mut resources = Vec::new();
    for (resource, bucket_errors) in results {
        resources.push(resource);
        errors.0.extend(bucket_errors);
    }
    resources
}

async fn bucket(
    context: &S3Context,
    limits: &Limits,
    home: &aws_sdk_s3::Client,
    name: String,
    region: Option<String>,
) -> (RawResource, Vec<String>) {
    let mut errors = Vec::new();
    let region = match region {
        Some(region) => region,
        None => match limits
            .call(SERVICE, home.get_bucket_location().bucket(&name).send())
            .await
        {
            Ok(out) => match out.location_constraint().map(|c| c.as_str()) {
                None | Some("") => "us-east-1".to_string(),
                Some("EU") => "eu-west-1".to_string(),
                Some(other) => other.to_string(),
            },
            Err(e) => {
                errors.push(describe(&format!("s3:GetBucketLocation {name}"), &e));
                context.home_region.clone()
            }
        },
    };
    let client = clients::s3(
        &context.config,
        &region,
        &context.counter,
        context.path_style,
    );
    let policy = match limits
        .call(SERVICE, client.get_bucket_policy().bucket(&name).send())
        .await
    {
        Ok(out) => out.policy().map(str::to_string),
        Err(e) if has_code(&e, &["NoSuchBucketPolicy"]) => None,
        Err(e) => {
            errors.push(describe(&format!("s3:GetBucketPolicy {name}"), &e));
            None
        }
    };
    let block_public_access = match limits
        .call(
            SERVICE,
            client.get_public_access_block().bucket(&name).send(),
        )
        .await
    {
        Ok(out) => out
            .public_access_block_configuration()
            .map(|c| BlockPublicAccess {
                block_public_acls: c.block_public_acls().unwrap_or(false),
                ignore_public_acls: c.ignore_public_acls().unwrap_or(false),
                block_public_policy: c.block_public_policy().unwrap_or(false),
                restrict_public_buckets: c.restrict_public_buckets().unwrap_or(false),
            }),
        // No configuration: nothing is blocked at the bucket level.
        Err(e) if has_code(&e, &["NoSuchPublicAccessBlockConfiguration"]) => {
            Some(BlockPublicAccess::default())
        }
        Err(e) => {
            errors.push(describe(&format!("s3:GetPublicAccessBlock {name}"), &e));
            None
        }
    };
    let bucket_tags = match limits
        .call(SERVICE, client.get_bucket_tagging().bucket(&name).send())
        .await
    {
        Ok(out) => tags(
            out.tag_set()
                .iter()
                .map(|t| (Some(t.key()), Some(t.value()))),
        ),
        Err(e) if has_code(&e, &["NoSuchTagSet"]) => Default::default(),
        Err(e) => {
            errors.push(describe(&format!("s3:GetBucketTagging {name}"), &e));
            Default::default()
        }
    };
    let resource = RawResource {
        arn: format!("arn:{}:s3:::{name}", context.partition),
        region: None,
        kind: ResourceKind::S3Bucket {
            block_public_access,
        },
        policy,
        tags: bucket_tags,
    };
    (resource, errors)
}
