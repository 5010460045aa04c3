//! What every service collector shares: the per-service concurrency limits, the API call
//! counter, error descriptions, and the tag and time conversions.

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use blastgraph_engine::snapshot::Tags;
use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Counts HTTP requests (retries included) sent by every client it is installed in.
#[derive(Debug, Clone, Default)]
pub struct ApiCounter(Arc<AtomicU64>);

impl ApiCounter {
    /// How many requests were sent so far.
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

impl Intercept for ApiCounter {
    fn name(&self) -> &'static str {
        "blastgraph-api-counter"
    }

    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.0.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

/// One semaphore per service: at most `max` requests in flight to a service, across all
/// accounts and regions (AWS throttles per service and account; staying under it is
/// cheaper than retrying).
#[derive(Debug, Clone)]
pub struct Limits {
    max: usize,
    semaphores: Arc<std::sync::Mutex<HashMap<&'static str, Arc<Semaphore>>>>,
}

impl Limits {
    /// Limits allowing `max` concurrent requests per service (at least one).
    pub fn new(max: usize) -> Self {
        Limits {
            max: max.max(1),
            semaphores: Arc::default(),
        }
    }

    /// Waits for a free slot of `service`.
    pub async fn acquire(&self, service: &'static str) -> OwnedSemaphorePermit {
        let semaphore = {
            let mut map = self.semaphores.lock().unwrap_or_else(|e| e.into_inner());
            map.entry(service)
                .or_insert_with(|| Arc::new(Semaphore::new(self.max)))
                .clone()
        };
        semaphore
            .acquire_owned()
            .await
            .expect("collector semaphores are never closed")
    }

    /// Runs one request of `service` within its limit.
    pub async fn call<T>(&self, service: &'static str, request: impl Future<Output = T>) -> T {
        let _permit = self.acquire(service).await;
        request.await
    }
}

/// Describes an SDK error for a coverage gap: operation, error code and message for
/// service errors; the kind of failure otherwise. Never includes credentials (the SDK's
/// errors do not carry them).
pub fn describe<E>(operation: &str, error: &SdkError<E, HttpResponse>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match error {
        SdkError::ServiceError(context) => match error.code() {
            Some(code) => format!(
                "{operation}: {code}: {}",
                error.message().unwrap_or("(no message)")
            ),
            // Not an error document of the service's protocol (a proxy's page, an
            // emulator's XML for a JSON service, garbage).
            None => malformed(operation, context.raw(), error),
        },
        SdkError::ResponseError(context) => malformed(operation, context.raw(), error),
        SdkError::TimeoutError(_) => format!("{operation}: timed out"),
        _ => format!("{operation}: {}", DisplayErrorContext(error)),
    }
}

/// How much of an unparseable answer a gap quotes.
const BODY_QUOTED: usize = 300;

fn malformed(operation: &str, raw: &HttpResponse, error: &dyn std::error::Error) -> String {
    let mut cause = error.to_string();
    let mut source = error.source();
    while let Some(inner) = source {
        cause = inner.to_string();
        source = inner.source();
    }
    let body = raw
        .body()
        .bytes()
        .map(|b| String::from_utf8_lossy(&b[..b.len().min(BODY_QUOTED)]).replace('\n', " "))
        .unwrap_or_default();
    format!(
        "{operation}: malformed response (HTTP {}): {cause}; body: {body}",
        raw.status().as_u16()
    )
}

/// Whether the error is a service error with one of these codes (used for the
/// "nothing there" answers, such as `NoSuchBucketPolicy`, that are not failures).
pub fn has_code<E, R>(error: &SdkError<E, R>, codes: &[&str]) -> bool
where
    E: ProvideErrorMetadata,
{
    matches!(error, SdkError::ServiceError(_))
        && error.code().is_some_and(|code| codes.contains(&code))
}

/// An RFC 3339 text for an SDK timestamp.
pub fn rfc3339(time: &aws_smithy_types::DateTime) -> Option<String> {
    time.fmt(aws_smithy_types::date_time::Format::DateTime).ok()
}

/// Tags from `(key, value)` pairs, skipping pairs without a key.
pub fn tags<'a>(pairs: impl IntoIterator<Item = (Option<&'a str>, Option<&'a str>)>) -> Tags {
    pairs
        .into_iter()
        .filter_map(|(k, v)| Some((k?.to_string(), v.unwrap_or_default().to_string())))
        .collect()
}

/// Runs `job` on every item concurrently (each job takes its own service permits) and
/// returns the results in the items' order.
pub async fn for_each_concurrently<T, R, F, Fut>(items: Vec<T>, job: F) -> Vec<R>
where
    T: Send + 'static,
    R: Send + 'static,
    F: Fn(T) -> Fut,
    Fut: Future<Output = R> + Send + 'static,
{
    let mut set = tokio::task::JoinSet::new();
    let count = items.len();
    for (index, item) in items.into_iter().enumerate() {
        let future = job(item);
        set.spawn(async move { (index, future.await) });
    }
    let mut results: Vec<Option<R>> = (0..count).map(|_| None).collect();
    while let Some(joined) = set.join_next().await {
        match joined {
            Ok((index, result)) => results[index] = Some(result),
            Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
            Err(_) => {}
        }
    }
    results.into_iter().flatten().collect()
}

/// The errors met while collecting one (account, region, service) unit. Collection goes
/// on after an error: what was read is kept, the unit is recorded as a gap.
#[derive(Debug, Default)]
pub struct Errors(pub Vec<String>);

impl Errors {
    /// Records an error.
    pub fn push(&mut self, error: String) {
        self.0.push(error);
    }

    /// Keeps the value of `result`, recording its error.
    pub fn ok<T>(&mut self, result: Result<T, String>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(error) => {
                self.push(error);
                None
            }
        }
    }
}

/// Reads every page of a paginated request within the service's limit, gathering the
/// items `|page| expr` yields; `Err` describes the first failed page.
macro_rules! list_all {
    ($limits:expr, $service:expr, $operation:expr, $request:expr, |$page:ident| $items:expr) => {{
        let _permit = $limits.acquire($service).await;
        let mut pages = $request.into_paginator().send();
        let mut items = Vec::new();
        let mut failure = None;
        while let Some(page) = pages.next().await {
            match page {
                Ok($page) => items.extend($items),
                Err(error) => {
                    failure = Some($crate::aws::support::describe(&$operation, &error));
                    break;
                }
            }
        }
        match failure {
            None => Ok(items),
            Some(error) => Err::<Vec<_>, String>(error),
        }
    }};
}
pub(crate) use list_all;

/// A resource as read, its policy not yet interned.
#[derive(Debug, Clone)]
pub struct RawResource {
    /// The resource ARN.
    pub arn: String,
    /// The region, `None` for S3 buckets.
    pub region: Option<String>,
    /// The kind with its attributes.
    pub kind: blastgraph_engine::snapshot::ResourceKind,
    /// The resource policy text (JSON or URL-encoded JSON), when it has one.
    pub policy: Option<String>,
    /// Its tags.
    pub tags: Tags,
}

/// A client of `$krate` answering from aws-smithy-mocks rules (any matching rule
/// answers); built by hand so the SDK crates need no `test-util` feature (which would
/// build them twice).
#[cfg(test)]
macro_rules! mock_client {
    ($krate:ident, $rules:expr) => {{
        let mut interceptor = aws_smithy_mocks::MockResponseInterceptor::new()
            .rule_mode(aws_smithy_mocks::RuleMode::MatchAny);
        for rule in $rules {
            interceptor = interceptor.with_rule(rule);
        }
        $krate::Client::from_conf(
            $krate::Config::builder()
                .behavior_version(aws_config::BehaviorVersion::latest())
                .region(aws_config::Region::new("us-east-1"))
                .credentials_provider(aws_credential_types::Credentials::new(
                    "AKIDTEST", "test", None, None, "test",
                ))
                .http_client(aws_smithy_mocks::create_mock_http_client())
                .interceptor(interceptor)
                .build(),
        )
    }};
}
#[cfg(test)]
pub(crate) use mock_client;
