//! Credentials and SDK configuration: the default provider chain (environment, profiles,
//! SSO, container and instance credentials), `--profile`, `--region`, `--endpoint-url`,
//! retries with backoff, timeouts, and roles assumed in member accounts.

use super::support::{describe, ApiCounter};
use super::{CollectError, CollectOptions};
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use std::time::Duration;

/// The region used when neither `--region` nor the profile names one (IAM,
/// Organizations and STS are global; this only picks their endpoint).
const FALLBACK_REGION: &str = "us-east-1";

/// The collector's identity and base configuration.
#[derive(Debug, Clone)]
pub struct Session {
    /// The SDK configuration of the caller's own credentials.
    pub config: SdkConfig,
    /// The region for global services and for listing enabled regions.
    pub home_region: String,
    /// The caller's ARN (`sts:GetCallerIdentity`).
    pub caller_arn: String,
    /// The caller's account.
    pub caller_account: String,
    /// The partition (`aws`, `aws-cn`, `aws-us-gov`), from the caller's ARN.
    pub partition: String,
}

/// Loads the SDK configuration the way the AWS CLI does and checks that the credentials
/// work.
pub async fn connect(
    options: &CollectOptions,
    counter: &ApiCounter,
) -> Result<Session, CollectError> {
    let retry = RetryConfig::standard()
        .with_max_attempts(options.max_attempts.max(1))
        .with_initial_backoff(Duration::from_millis(200))
        .with_max_backoff(Duration::from_secs(20));
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(10))
        .operation_attempt_timeout(options.attempt_timeout)
        .build();
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .http_client(shared_http_client())
        .retry_config(retry)
        .timeout_config(timeouts);
    if let Some(profile) = &options.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(region) = &options.region {
        loader = loader.region(Region::new(region.clone()));
    }
    if let Some(url) = &options.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    let mut config = loader.load().await;
    let home_region = match config.region() {
        Some(region) => region.to_string(),
        None => {
            config = config
                .into_builder()
                .region(Region::new(FALLBACK_REGION))
                .build();
            FALLBACK_REGION.to_string()
        }
    };
    let (caller_arn, caller_account) = whoami(&config, counter)
        .await
        .map_err(CollectError::Credentials)?;
    let partition = caller_arn
        .split(':')
        .nth(1)
        .filter(|p| !p.is_empty())
        .unwrap_or("aws")
        .to_string();
    Ok(Session {
        config,
        home_region,
        caller_arn,
        caller_account,
        partition,
    })
}

/// `sts:GetCallerIdentity`: the ARN and account of these credentials.
async fn whoami(config: &SdkConfig, counter: &ApiCounter) -> Result<(String, String), String> {
    let region = config
        .region()
        .map_or(FALLBACK_REGION.to_string(), |r| r.to_string());
    let sts = super::clients::sts(config, &region, counter);
    let identity = sts
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| describe("sts:GetCallerIdentity", &e))?;
    match (identity.arn(), identity.account()) {
        (Some(arn), Some(account)) => Ok((arn.to_string(), account.to_string())),
        _ => Err("sts:GetCallerIdentity: answer without Arn or Account".to_string()),
    }
}

/// The configuration for `account_id`: the caller's own when it is the caller's account,
/// else a role assumed in it (checked at once, so a refused role is one clear gap rather
/// than one per service).
pub async fn for_account(
    session: &Session,
    options: &CollectOptions,
    account_id: &str,
    counter: &ApiCounter,
) -> Result<SdkConfig, String> {
    if account_id == session.caller_account {
        return Ok(session.config.clone());
    }
    let role_arn = format!(
        "arn:{}:iam::{account_id}:role/{}",
        session.partition,
        options.member_role.trim_start_matches('/')
    );
    let mut provider = aws_config::sts::AssumeRoleProvider::builder(role_arn.clone())
        .session_name("blastgraph-collect")
        .configure(&session.config);
    if let Some(external_id) = &options.external_id {
        provider = provider.external_id(external_id);
    }
    let provider = provider.build().await;
    let config = session
        .config
        .clone()
        .into_builder()
        .credentials_provider(
            aws_credential_types::provider::SharedCredentialsProvider::new(provider),
        )
        .build();
    whoami(&config, counter)
        .await
        .map_err(|e| format!("cannot assume {role_arn}: {e}"))?;
    Ok(config)
}

/// One HTTP client for every SDK client of the collection, so that all of them share one
/// TLS configuration and one connection pool per endpoint. Without it each (account,
/// region, service) client builds its own (the SDK's default when the shared config has
/// none): trusted root certificates parsed again and a new connection for every unit;
/// that was about half the collector's own CPU time against a local emulator. The
/// connector is the one the SDK would build: rustls with aws-lc, proxy settings from the
/// environment.
fn shared_http_client() -> aws_smithy_runtime_api::client::http::SharedHttpClient {
    use aws_smithy_http_client::proxy::ProxyConfig;
    use aws_smithy_http_client::tls::{rustls_provider::CryptoMode, Provider};
    use aws_smithy_http_client::{Builder, Connector};
    Builder::new().build_with_connector_fn(|settings, runtime_components| {
        let mut connector = Connector::builder().tls_provider(Provider::Rustls(CryptoMode::AwsLc));
        connector.set_connector_settings(settings.cloned());
        if let Some(components) = runtime_components {
            connector.set_sleep_impl(components.sleep_impl());
        }
        connector.proxy_config(ProxyConfig::from_env()).build()
    })
}
