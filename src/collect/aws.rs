//! AWS client setup shared by the collectors: the standard credential chain, endpoints,
//! retries, timeouts, a request counter, and the classification of failed calls.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_sdk_iam::config::http::HttpResponse;
use aws_sdk_iam::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_iam::config::retry::{RetryPartition, TokenBucket};
use aws_sdk_iam::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_iam::error::{BoxError, ProvideErrorMetadata, SdkError};

use crate::snapshot::{ErrorKind, Timestamp};

/// How keyward reaches AWS. Everything else (credentials, SSO, web identity, endpoints from
/// `AWS_ENDPOINT_URL`/`AWS_ENDPOINT_URL_<SERVICE>`) comes from the standard aws-config chain.
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    /// A named profile from the shared config files.
    pub profile: Option<String>,
    /// The region for global calls (IAM, STS); default from the chain, else us-east-1.
    pub home_region: Option<String>,
    /// An endpoint for every service (an emulator, a VPC endpoint); overrides the environment.
    pub endpoint_url: Option<String>,
    /// Attempts per call, the first included (throttling and 5xx are retried with backoff).
    pub max_attempts: u32,
    pub connect_timeout: Duration,
    pub read_timeout: Duration,
    /// Bound on one call, its retries included.
    pub operation_timeout: Duration,
}

/// A method building a service's client for one region, counted under `service`. (Each SDK
/// crate has its own builder type, hence a macro rather than a generic function.)
macro_rules! regional_client {
    ($method:ident, $sdk:ident, $service:literal) => {
        pub fn $method(&self, region: &str) -> $sdk::Client {
            let config = $sdk::config::Builder::from(&self.config)
                .region($sdk::config::Region::new(region.to_owned()))
                .retry_partition(retry_partition($service))
                .interceptor(self.counter.interceptor($service))
                .build();
            $sdk::Client::from_conf(config)
        }
    };
}

/// The shared configuration every service client is built from.
#[derive(Clone)]
pub struct AwsContext {
    pub config: aws_config::SdkConfig,
    pub counter: RequestCounter,
}

/// Regions where global IAM and STS calls go when nothing else sets one.
const FALLBACK_HOME_REGION: &str = "us-east-1";

/// The first retry waits up to this long (full jitter: a random time between zero and the
/// bound), and each further one up to twice as long as the one before, up to `MAX_BACKOFF`.
const INITIAL_BACKOFF: Duration = Duration::from_millis(100);
const MAX_BACKOFF: Duration = Duration::from_secs(20);

/// How failed calls are retried: the SDK's *standard* mode, exponential backoff with full
/// jitter (`INITIAL_BACKOFF` doubling up to `MAX_BACKOFF`), at most `--max-attempts` attempts.
///
/// Not the *adaptive* mode keyward used before: its client-side rate limiter cuts the send
/// rate at every throttle and raises it again only slowly, so with 5% of the requests throttled
/// a scan of 500 users and 500 secrets took 69 s instead of 1.7 s. Real accounts do throttle (a
/// request quota is shared with every other tool in the account), but keyward sends few
/// requests at once (account-wide calls, at most `--call-concurrency` per-secret calls per
/// account), so backing off the one call that was throttled is enough; each call draws its own
/// jitter, so retries do not come back in step.
fn retry_config(max_attempts: u32) -> RetryConfig {
    RetryConfig::standard()
        .with_max_attempts(max_attempts)
        .with_initial_backoff(INITIAL_BACKOFF)
        .with_max_backoff(MAX_BACKOFF)
}

/// The retry partition every client gets: its own, without the SDK's retry quota (a token
/// bucket shared by the clients of a service that stops retrying once throttled retries have
/// drained it). A scan must finish with every call answered if it can, and it is bounded
/// anyway, by `--max-attempts` per call and by the operation timeout; with the quota, a storm
/// across the accounts of an organization would empty it and leave the checks of unrelated
/// accounts *not evaluated*.
fn retry_partition(service: &'static str) -> RetryPartition {
    RetryPartition::custom(service)
        .token_bucket(TokenBucket::unlimited())
        .build()
}

pub async fn connect(options: &ConnectOptions) -> AwsContext {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(retry_config(options.max_attempts))
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(options.connect_timeout)
                .read_timeout(options.read_timeout)
                .operation_timeout(options.operation_timeout)
                .build(),
        );
    if let Some(profile) = &options.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(url) = &options.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    let mut config = loader.load().await;
    if let Some(region) = options.home_region.clone() {
        config = config
            .into_builder()
            .region(aws_config::Region::new(region))
            .build();
    } else if config.region().is_none() {
        config = config
            .into_builder()
            .region(aws_config::Region::from_static(FALLBACK_HOME_REGION))
            .build();
    }
    AwsContext {
        config,
        counter: RequestCounter::default(),
    }
}

impl AwsContext {
    /// The same configuration with a request counter of its own (one account's requests).
    pub fn fresh(&self) -> AwsContext {
        AwsContext {
            config: self.config.clone(),
            counter: RequestCounter::default(),
        }
    }

    /// The same configuration with other credentials (an assumed role), counted apart.
    pub fn with_credentials(&self, credentials: aws_sdk_sts::config::Credentials) -> AwsContext {
        let config = self
            .config
            .clone()
            .into_builder()
            .credentials_provider(aws_sdk_sts::config::SharedCredentialsProvider::new(
                credentials,
            ))
            .build();
        AwsContext {
            config,
            counter: RequestCounter::default(),
        }
    }

    pub fn organizations(&self) -> aws_sdk_organizations::Client {
        let config = aws_sdk_organizations::config::Builder::from(&self.config)
            .retry_partition(retry_partition("organizations"))
            .interceptor(self.counter.interceptor("organizations"))
            .build();
        aws_sdk_organizations::Client::from_conf(config)
    }

    pub fn iam(&self) -> aws_sdk_iam::Client {
        let config = aws_sdk_iam::config::Builder::from(&self.config)
            .retry_partition(retry_partition("iam"))
            .interceptor(self.counter.interceptor("iam"))
            .build();
        aws_sdk_iam::Client::from_conf(config)
    }

    pub fn sts(&self) -> aws_sdk_sts::Client {
        let config = aws_sdk_sts::config::Builder::from(&self.config)
            .retry_partition(retry_partition("sts"))
            .interceptor(self.counter.interceptor("sts"))
            .build();
        aws_sdk_sts::Client::from_conf(config)
    }

    pub fn account(&self) -> aws_sdk_account::Client {
        let config = aws_sdk_account::config::Builder::from(&self.config)
            .retry_partition(retry_partition("account"))
            .interceptor(self.counter.interceptor("account"))
            .build();
        aws_sdk_account::Client::from_conf(config)
    }

    regional_client!(secrets, aws_sdk_secretsmanager, "secretsmanager");
    regional_client!(cloudtrail, aws_sdk_cloudtrail, "cloudtrail");
    regional_client!(guardduty, aws_sdk_guardduty, "guardduty");
    regional_client!(access_analyzer, aws_sdk_accessanalyzer, "access-analyzer");
    regional_client!(logs, aws_sdk_cloudwatchlogs, "logs");
    regional_client!(cloudwatch, aws_sdk_cloudwatch, "cloudwatch");

    /// The Cost Explorer endpoint's region: Cost Explorer is global, served from one region
    /// per partition.
    pub fn cost_explorer(&self, partition: &str) -> aws_sdk_costexplorer::Client {
        let region = match partition {
            "aws-cn" => "cn-northwest-1",
            "aws-us-gov" => "us-gov-west-1",
            _ => "us-east-1",
        };
        let config = aws_sdk_costexplorer::config::Builder::from(&self.config)
            .region(aws_sdk_costexplorer::config::Region::new(region))
            .retry_partition(retry_partition("ce"))
            .interceptor(self.counter.interceptor("ce"))
            .build();
        aws_sdk_costexplorer::Client::from_conf(config)
    }

    /// S3 in a region. Path-style addressing when an endpoint is set (an emulator, a VPC
    /// endpoint): a bucket name cannot become a host name there.
    pub fn s3(&self, region: &str) -> aws_sdk_s3::Client {
        let endpoint_set = self.config.endpoint_url().is_some()
            || std::env::var_os("AWS_ENDPOINT_URL_S3").is_some();
        let config = aws_sdk_s3::config::Builder::from(&self.config)
            .region(aws_sdk_s3::config::Region::new(region.to_owned()))
            .force_path_style(endpoint_set)
            .retry_partition(retry_partition("s3"))
            .interceptor(self.counter.interceptor("s3"))
            .build();
        aws_sdk_s3::Client::from_conf(config)
    }

    pub fn home_region(&self) -> String {
        self.config
            .region()
            .map_or(FALLBACK_HOME_REGION.to_owned(), |r| r.to_string())
    }
}

/// Counts the HTTP requests a collection sends (every attempt, retries included), per service.
#[derive(Debug, Clone, Default)]
pub struct RequestCounter {
    counts: Arc<Mutex<BTreeMap<&'static str, u64>>>,
}

impl RequestCounter {
    fn interceptor(&self, service: &'static str) -> CountingInterceptor {
        CountingInterceptor {
            service,
            counts: self.counts.clone(),
        }
    }

    pub fn total(&self) -> u64 {
        self.by_service().values().sum()
    }

    pub fn by_service(&self) -> BTreeMap<&'static str, u64> {
        self.counts.lock().expect("counter lock").clone()
    }
}

#[derive(Debug)]
struct CountingInterceptor {
    service: &'static str,
    counts: Arc<Mutex<BTreeMap<&'static str, u64>>>,
}

impl Intercept for CountingInterceptor {
    fn name(&self) -> &'static str {
        "keyward-request-counter"
    }

    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        *self
            .counts
            .lock()
            .expect("counter lock")
            .entry(self.service)
            .or_default() += 1;
        Ok(())
    }
}

/// A failed AWS call, classified: what the snapshot records as a collection error.
#[derive(Debug, Clone)]
pub struct CallError {
    pub kind: ErrorKind,
    pub message: String,
    /// The AWS error code, when the service sent one.
    pub code: Option<String>,
}

/// Error codes AWS services use for a missing permission.
const ACCESS_DENIED_CODES: &[&str] = &[
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "AuthFailure",
    "UnauthorizedException",
];

/// Classifies by error code and by HTTP status: an emulator (or a proxy) may answer 403 with a
/// body the SDK cannot parse into a typed error.
pub fn classify<E>(error: &SdkError<E, HttpResponse>) -> CallError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let code = error.code().map(str::to_owned);
    let status = error.raw_response().map(|r| r.status().as_u16());
    let kind = match error {
        SdkError::TimeoutError(_) => ErrorKind::Timeout,
        SdkError::DispatchFailure(failure) if failure.is_timeout() => ErrorKind::Timeout,
        _ if code
            .as_deref()
            .is_some_and(|c| ACCESS_DENIED_CODES.contains(&c)) =>
        {
            ErrorKind::AccessDenied
        }
        _ if status == Some(403) => ErrorKind::AccessDenied,
        _ if status.is_some_and(|s| s == 429 || s >= 500) => ErrorKind::RetriesExhausted,
        _ if code.as_deref().is_some_and(is_throttling_code) => ErrorKind::RetriesExhausted,
        _ => ErrorKind::Other,
    };
    CallError {
        kind,
        message: describe(error, code.as_deref(), status),
        code,
    }
}

fn is_throttling_code(code: &str) -> bool {
    code.contains("Throttl") || code == "RequestLimitExceeded" || code == "TooManyRequestsException"
}

/// A transport failure's causes, outermost first ("dispatch failure: io error: connection refused").
fn source_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text = format!("{text}: {cause}");
        source = cause.source();
    }
    text
}

/// The most specific text the error carries: the service's own message, else the source chain.
fn describe<E>(error: &SdkError<E, HttpResponse>, code: Option<&str>, status: Option<u16>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    match (code, error.message(), status) {
        (Some(code), Some(message), _) => format!("{code}: {message}"),
        (Some(code), None, _) => code.to_owned(),
        // An answer without an AWS error in its body (an emulator, a proxy): its status says
        // enough, the SDK's parse error would only add noise.
        (None, _, Some(status)) => format!("HTTP {status} without an AWS error code"),
        (None, _, None) => source_chain(error),
    }
}

/// AWS timestamps to the snapshot's.
/// (Every SDK crate re-exports the same smithy `DateTime`.)
pub(crate) fn to_timestamp(time: &aws_sdk_iam::primitives::DateTime) -> Option<Timestamp> {
    chrono::DateTime::from_timestamp(time.secs(), time.subsec_nanos())
}
