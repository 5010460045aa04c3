//! Lambda: functions with their execution role, resource policy and tags.

use super::support::{
    describe, for_each_concurrently, has_code, list_all, Errors, Limits, RawResource,
};
use aws_sdk_lambda::Client;
use blastgraph_engine::snapshot::ResourceKind;

const SERVICE: &str = "lambda";

/// Reads the functions of one region.
pub async fn fetch(
    client: &Client,
    limits: &Limits,
    region: &str,
    errors: &mut Errors,
) -> Vec<RawResource> {
    let listed = list_all!(
        limits,
        SERVICE,
        "lambda:ListFunctions",
        client.list_functions(),
        |page| page
            .functions()
            .iter()
            .filter_map(|f| Some((f.function_arn()?.to_string(), f.role().map(str::to_string))))
            .collect::<Vec<_>>()
    );
    let Some(functions) = errors.ok(listed) else {
        return Vec::new();
    };
    let results = for_each_concurrently(functions, |(arn, role)| {
        let client = client.clone();
        let limits = limits.clone();
        let region = region.to_string();
        async move {
            let mut errors = Vec::new();
            let policy = match limits
                .call(SERVICE, client.get_policy().function_name(&arn).send())
                .await
            {
                Ok(out) => out.policy().map(str::to_string),
                // No resource policy.
                Err(e) if has_code(&e, &["ResourceNotFoundException"]) => None,
                Err(e) => {
                    errors.push(describe(&format!("lambda:GetPolicy {arn}"), &e));
                    None
                }
            };
            let tags = match limits
                .call(SERVICE, client.list_tags().resource(&arn).send())
                .await
            {
                Ok(out) => out
                    .tags()
                    .map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                    .unwrap_or_default(),
                Err(e) => {
                    errors.push(describe(&format!("lambda:ListTags {arn}"), &e));
                    Default::default()
                }
            };
            let resource = RawResource {
                arn,
                region: Some(region),
                kind: ResourceKind::LambdaFunction {
                    execution_role_arn: role,
                },
                policy,
                tags,
            };
            (resource, errors)
        }
    })
    .await;
    let mut resources = Vec::new();
    for (resource, function_errors) in results {
        resources.push(resource);
        errors.0.extend(function_errors);
    }
    resources
}
