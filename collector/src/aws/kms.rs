//! KMS: keys with their key policy, grants, aliases and tags.

use super::support::{
    describe, for_each_concurrently, list_all, tags, Errors, Limits, RawResource,
};
use aws_sdk_kms::types::KeyManagerType;
use aws_sdk_kms::Client;
use blastgraph_engine::snapshot::{KmsGrant, ResourceKind};
use std::collections::BTreeMap;

const SERVICE: &str = "kms";

/// Reads the keys of one region.
pub async fn fetch(
    client: &Client,
    limits: &Limits,
    region: &str,
    errors: &mut Errors,
) -> Vec<RawResource> {
    let listed = list_all!(
        limits,
        SERVICE,
        "kms:ListKeys",
        client.list_keys(),
        |page| page
            .keys()
            .iter()
            .filter_map(|k| k.key_id().map(str::to_string))
            .collect::<Vec<_>>()
    );
    let Some(keys) = errors.ok(listed) else {
        return Vec::new();
    };
    let aliases = list_all!(
        limits,
        SERVICE,
        "kms:ListAliases",
        client.list_aliases(),
        |page| page
            .aliases()
            .iter()
            .filter_map(|a| Some((a.target_key_id()?.to_string(), a.alias_name()?.to_string())))
            .collect::<Vec<_>>()
    );
    let mut aliases_by_key: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (key, alias) in errors.ok(aliases).unwrap_or_default() {
        aliases_by_key.entry(key).or_default().push(alias);
    }
    let results = for_each_concurrently(keys, |key_id| {
        let client = client.clone();
        let limits = limits.clone();
        let region = region.to_string();
        let aliases = aliases_by_key.get(&key_id).cloned().unwrap_or_default();
        async move { key(&client, &limits, region, key_id, aliases).await }
    })
    .await;
    let mut resources = Vec::new();
    for (resource, key_errors) in results {
        resources.extend(resource);
        errors.0.extend(key_errors);
    }
    resources
}

async fn key(
    client: &Client,
    limits: &Limits,
    region: String,
    key_id: String,
    aliases: Vec<String>,
) -> (Option<RawResource>, Vec<String>) {
    let mut errors = Vec::new();
    let metadata = match limits
        .call(SERVICE, client.describe_key().key_id(&key_id).send())
        .await
    {
        Ok(out) => out.key_metadata().cloned(),
        Err(e) => {
            errors.push(describe(&format!("kms:DescribeKey {key_id}"), &e));
            None
        }
    };
    let Some(metadata) = metadata else {
        return (None, errors);
    };
    let customer_managed = metadata.key_manager() != Some(&KeyManagerType::Aws);
    let policy = match limits
        .call(
            SERVICE,
            client
                .get_key_policy()
                .key_id(&key_id)
                .policy_name("default")
                .send(),
        )
        .await
    {
        Ok(out) => out.policy().map(str::to_string),
        Err(e) => {
            errors.push(describe(&format!("kms:GetKeyPolicy {key_id}"), &e));
            None
        }
    };
    let grants = list_all!(
        limits,
        SERVICE,
        format!("kms:ListGrants {key_id}"),
        client.list_grants().key_id(&key_id),
        |page| page
            .grants()
            .iter()
            .map(|g| KmsGrant {
                grantee_principal: g.grantee_principal().unwrap_or_default().to_string(),
                operations: g
                    .operations()
                    .iter()
                    .map(|o| o.as_str().to_string())
                    .collect(),
            })
            .collect::<Vec<_>>()
    );
    let grants = grants.unwrap_or_else(|e| {
        errors.push(e);
        Vec::new()
    });
    // AWS managed keys refuse ListResourceTags and carry no tags.
    let key_tags = if customer_managed {
        match limits
            .call(SERVICE, client.list_resource_tags().key_id(&key_id).send())
            .await
        {
            Ok(out) => tags(
                out.tags()
                    .iter()
                    .map(|t| (Some(t.tag_key()), Some(t.tag_value()))),
            ),
            Err(e) => {
                errors.push(describe(&format!("kms:ListResourceTags {key_id}"), &e));
                Default::default()
            }
        }
    } else {
        Default::default()
    };
    let arn = metadata.arn().unwrap_or_default().to_string();
    let resource = RawResource {
        arn,
        region: Some(region),
        kind: ResourceKind::KmsKey {
            customer_managed,
            aliases,
            grants,
        },
        policy,
        tags: key_tags,
    };
    (Some(resource), errors)
}
