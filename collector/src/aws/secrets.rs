//! Secrets Manager: secrets with their resource policy and KMS key. Never reads a
//! secret's value.

use super::support::{
    describe, for_each_concurrently, list_all, tags, Errors, Limits, RawResource,
};
use aws_sdk_secretsmanager::Client;
use blastgraph_engine::snapshot::ResourceKind;

const SERVICE: &str = "secretsmanager";

/// Reads the secrets of one region.
pub async fn fetch(
    client: &Client,
    limits: &Limits,
    region: &str,
    errors: &mut Errors,
) -> Vec<RawResource> {
    let listed = list_all!(
        limits,
        SERVICE,
        "secretsmanager:ListSecrets",
        client.list_secrets(),
        |page| page.secret_list().to_vec()
    );
    let Some(secrets) = errors.ok(listed) else {
        return Vec::new();
    };
    let results = for_each_concurrently(secrets, |secret| {
        let client = client.clone();
        let limits = limits.clone();
        let region = region.to_string();
        async move {
            let arn = secret.arn()?.to_string();
            let policy = limits
                .call(SERVICE, client.get_resource_policy().secret_id(&arn).send())
                .await
                .map(|out| out.resource_policy().map(str::to_string))
                .map_err(|e| describe(&format!("secretsmanager:GetResourcePolicy {arn}"), &e));
            let kms_key_id = secret
                .kms_key_id()
                .filter(|k| !k.is_empty() && *k != "alias/aws/secretsmanager")
                .map(str::to_string);
            Some((
                RawResource {
                    arn,
                    region: Some(region),
                    kind: ResourceKind::Secret { kms_key_id },
                    policy: policy.clone().unwrap_or(None),
                    tags: tags(secret.tags().iter().map(|t| (t.key(), t.value()))),
                },
                policy.err(),
            ))
        }
    })
    .await;
    let mut resources = Vec::new();
    for (resource, error) in results.into_iter().flatten() {
        resources.push(resource);
        errors.0.extend(error);
    }
    resources
}
