//! The AWS side of collection: one guarded client per service, a bound on requests in flight,
//! per-API call accounting, and the translation of SDK errors into [`CollectError`]s.

pub mod autoscaling;
pub mod cloudtrail;
pub mod ec2;
pub mod ecr;
pub mod eks;
pub mod eks_access;
pub mod events;
pub mod guardduty;
pub mod iam;
pub mod inspector;
pub mod kms;
pub mod logs;
pub mod organizations;
pub mod readonly;

use std::collections::BTreeMap;
use std::error::Error as StdError;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;
use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider, future};
use aws_sdk_eks::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_sts::operation::get_caller_identity::GetCallerIdentityOutput;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_types::retry::RetryConfig;
use aws_smithy_types::timeout::TimeoutConfig;
use sek_core::inventory::{CollectError, ErrorKind};
use tokio::sync::{OnceCell, Semaphore};

use self::readonly::ReadOnlyGuard;
use super::{Progress, ScanError};

/// How to reach AWS.
#[derive(Debug, Clone)]
pub struct AwsOptions {
    /// Named profile (`--profile`); the SDK's default chain otherwise.
    pub profile: Option<String>,
    /// Region (`--region`, the first one); the profile's or `AWS_REGION` otherwise. Also where
    /// account-wide requests (regions, Organizations) are sent.
    pub region: Option<String>,
    /// Most requests in flight at once, over every account, region and cluster of the scan.
    pub concurrency: usize,
    /// Attempts per request, retries included (throttling, 5xx, connection errors).
    pub max_attempts: u32,
    /// The SDK's adaptive retry mode (client-side rate limiting) instead of the standard one.
    pub adaptive_retry: bool,
}

impl Default for AwsOptions {
    fn default() -> Self {
        AwsOptions {
            profile: None,
            region: None,
            concurrency: 32,
            max_attempts: 8,
            adaptive_retry: false,
        }
    }
}

/// What every AWS client of one scan shares: the bound on requests in flight (over all accounts,
/// regions and clusters), the tally of requests by API, and the progress display.
pub struct Budget {
    limiter: Semaphore,
    calls: Mutex<BTreeMap<String, u64>>,
    progress: Progress,
}

impl Budget {
    /// A budget of `concurrency` requests in flight.
    pub fn new(concurrency: usize, progress: Progress) -> Arc<Budget> {
        Arc::new(Budget {
            limiter: Semaphore::new(concurrency.max(1)),
            calls: Mutex::new(BTreeMap::new()),
            progress,
        })
    }

    /// The progress display.
    pub fn progress(&self) -> &Progress {
        &self.progress
    }

    /// Run one request made outside the AWS clients (the Kubernetes side) within the bound,
    /// counted as `read`.
    pub async fn within<T>(&self, read: &'static str, request: impl Future<Output = T>) -> T {
        // The semaphore is never closed, so acquiring cannot fail.
        let _permit = self.limiter.acquire().await.expect("limiter open");
        self.count(read);
        request.await
    }

    /// Requests made so far, by API.
    pub fn calls(&self) -> BTreeMap<String, u64> {
        self.calls.lock().expect("call counter").clone()
    }

    fn count(&self, api: &'static str) {
        let mut tally = self.calls.lock().expect("call counter");
        // The name is copied once per API, not once per request.
        match tally.get_mut(api) {
            Some(n) => *n += 1,
            None => {
                tally.insert(api.to_string(), 1);
            }
        }
        drop(tally);
        self.progress.tick();
    }
}

/// Credentials of an assumed role, from the scan's guarded STS client (so the request is
/// counted and bounded like every other), renewed five minutes before they expire.
struct AssumedRole {
    sts: aws_sdk_sts::Client,
    role_arn: String,
    external_id: Option<String>,
    budget: Arc<Budget>,
    current: tokio::sync::Mutex<Option<Credentials>>,
}

impl std::fmt::Debug for AssumedRole {
    // Never the credentials themselves.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AssumedRole")
            .field("role_arn", &self.role_arn)
            .finish()
    }
}

/// Renew assumed credentials this long before they expire.
const RENEW_BEFORE: Duration = Duration::from_secs(300);

impl AssumedRole {
    async fn credentials(&self) -> Result<Credentials, CollectError> {
        let mut current = self.current.lock().await;
        if let Some(credentials) = current.as_ref() {
            let fresh = credentials.expiry().is_none_or(|expiry| {
                expiry
                    .duration_since(std::time::SystemTime::now())
                    .is_ok_and(|left| left > RENEW_BEFORE)
            });
            if fresh {
                return Ok(credentials.clone());
            }
        }
        let api = "sts:AssumeRole";
        let _permit = self.budget.limiter.acquire().await.expect("limiter open");
        self.budget.count(api);
        let output = self
            .sts
            .assume_role()
            .role_arn(&self.role_arn)
            .role_session_name("sek")
            .set_external_id(self.external_id.clone())
            .send()
            .await
            .map_err(|err| classify(api, std::slice::from_ref(&self.role_arn), &err))?;
        let Some(issued) = output.credentials() else {
            return Err(CollectError::new(
                api,
                vec![self.role_arn.clone()],
                ErrorKind::Other,
                "the response carried no credentials",
            ));
        };
        let expiry = std::time::SystemTime::try_from(*issued.expiration()).ok();
        let credentials = Credentials::new(
            issued.access_key_id(),
            issued.secret_access_key(),
            Some(issued.session_token().to_string()),
            expiry,
            "sek-assume-role",
        );
        *current = Some(credentials.clone());
        Ok(credentials)
    }
}

impl ProvideCredentials for AssumedRole {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::new(async move {
            self.credentials()
                .await
                .map_err(|err| CredentialsError::provider_error(err.summary()))
        })
    }
}

/// Connected, read-only AWS clients for one account and region.
pub struct Aws {
    /// Region the clients call.
    pub region: String,
    /// EKS.
    pub eks: aws_sdk_eks::Client,
    /// EC2.
    pub ec2: aws_sdk_ec2::Client,
    /// IAM.
    pub iam: aws_sdk_iam::Client,
    /// Auto Scaling.
    pub autoscaling: aws_sdk_autoscaling::Client,
    /// STS.
    pub sts: aws_sdk_sts::Client,
    /// KMS.
    pub kms: aws_sdk_kms::Client,
    /// CloudWatch Logs.
    pub logs: aws_sdk_cloudwatchlogs::Client,
    /// ECR.
    pub ecr: aws_sdk_ecr::Client,
    /// CloudTrail.
    pub cloudtrail: aws_sdk_cloudtrail::Client,
    /// GuardDuty.
    pub guardduty: aws_sdk_guardduty::Client,
    /// Amazon Inspector.
    pub inspector: aws_sdk_inspector2::Client,
    /// EventBridge.
    pub events: aws_sdk_eventbridge::Client,
    /// AWS Organizations (account discovery for `--org-role`).
    pub organizations: aws_sdk_organizations::Client,
    config: SdkConfig,
    budget: Arc<Budget>,
    /// Who these credentials are (STS GetCallerIdentity, asked once, by whichever needs it
    /// first: the scan's preflight or the Kubernetes side's messages; an assumed role's is known
    /// without asking).
    caller: Arc<OnceCell<Result<GetCallerIdentityOutput, CollectError>>>,
}

/// Build a client of `$service` from the shared config with the read-only guard.
macro_rules! guarded_client {
    ($service:ident, $config:expr) => {
        $service::Client::from_conf(
            $service::config::Builder::from($config)
                .interceptor(ReadOnlyGuard)
                .build(),
        )
    };
}

/// Who the scan runs as (STS GetCallerIdentity).
#[derive(Debug, Clone)]
pub struct Identity {
    /// Account of the caller.
    pub account_id: Option<String>,
    /// ARN of the caller.
    pub arn: Option<String>,
    /// Partition of the caller (`aws`, `aws-cn`, `aws-us-gov`).
    pub partition: String,
}

/// Load the SDK configuration: credential chain, region, retries (standard: exponential
/// backoff with jitter; adaptive: also a client-side rate limit), timeouts. No request is made.
pub async fn load_config(options: &AwsOptions) -> SdkConfig {
    // Standard by default: measured on this repository's throttling test, a burst of 24
    // throttled requests made the adaptive limiter stretch a one-cluster scan from ~2 s to ~90 s.
    let retry = if options.adaptive_retry {
        RetryConfig::adaptive()
    } else {
        RetryConfig::standard()
    };
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(retry.with_max_attempts(options.max_attempts.max(1)))
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(5))
                .operation_attempt_timeout(Duration::from_secs(30))
                .build(),
        );
    if let Some(profile) = &options.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(region) = &options.region {
        loader = loader.region(Region::new(region.clone()));
    }
    loader.load().await
}

impl Aws {
    /// Guarded clients for the region and credentials of `config`. No request is made. This is
    /// the only place clients are built.
    pub fn new(config: SdkConfig, budget: Arc<Budget>) -> Result<Aws, ScanError> {
        let region = config
            .region()
            .map(|r| r.to_string())
            .ok_or(ScanError::NoRegion)?;
        Ok(Aws::build(config, region, budget, Arc::default()))
    }

    fn build(
        config: SdkConfig,
        region: String,
        budget: Arc<Budget>,
        caller: Arc<OnceCell<Result<GetCallerIdentityOutput, CollectError>>>,
    ) -> Aws {
        Aws {
            region,
            eks: guarded_client!(aws_sdk_eks, &config),
            ec2: guarded_client!(aws_sdk_ec2, &config),
            iam: guarded_client!(aws_sdk_iam, &config),
            autoscaling: guarded_client!(aws_sdk_autoscaling, &config),
            sts: guarded_client!(aws_sdk_sts, &config),
            kms: guarded_client!(aws_sdk_kms, &config),
            logs: guarded_client!(aws_sdk_cloudwatchlogs, &config),
            ecr: guarded_client!(aws_sdk_ecr, &config),
            cloudtrail: guarded_client!(aws_sdk_cloudtrail, &config),
            guardduty: guarded_client!(aws_sdk_guardduty, &config),
            inspector: guarded_client!(aws_sdk_inspector2, &config),
            events: guarded_client!(aws_sdk_eventbridge, &config),
            organizations: guarded_client!(aws_sdk_organizations, &config),
            config,
            budget,
            caller,
        }
    }

    /// The same credentials in another region.
    pub fn in_region(&self, region: &str) -> Aws {
        let config = self
            .config
            .to_builder()
            .region(Region::new(region.to_string()))
            .build();
        Aws::build(
            config,
            region.to_string(),
            self.budget.clone(),
            self.caller.clone(),
        )
    }

    /// Clients acting as `role_arn`, assumed with these clients' credentials (and
    /// `external_id`). The role is assumed once here, so a refusal is reported against the
    /// account; the credentials are renewed before they expire.
    pub async fn assume(
        &self,
        role_arn: &str,
        external_id: Option<&str>,
    ) -> Result<Aws, CollectError> {
        let role = AssumedRole {
            sts: self.sts.clone(),
            role_arn: role_arn.to_string(),
            external_id: external_id.map(String::from),
            budget: self.budget.clone(),
            current: tokio::sync::Mutex::new(None),
        };
        role.credentials().await?;
        let config = self
            .config
            .to_builder()
            .credentials_provider(SharedCredentialsProvider::new(role))
            .build();
        let caller = GetCallerIdentityOutput::builder().arn(role_arn).build();
        Ok(Aws::build(
            config,
            self.region.clone(),
            self.budget.clone(),
            Arc::new(OnceCell::new_with(Some(Ok(caller)))),
        ))
    }

    /// The shared budget (bound, tally, progress).
    pub fn budget(&self) -> &Arc<Budget> {
        &self.budget
    }

    /// The SDK configuration (credentials, endpoint override, FIPS...).
    pub fn sdk_config(&self) -> &SdkConfig {
        &self.config
    }

    /// Who these credentials are: GetCallerIdentity, asked at most once.
    async fn caller(&self) -> &Result<GetCallerIdentityOutput, CollectError> {
        self.caller
            .get_or_init(|| {
                self.call(
                    "sts:GetCallerIdentity",
                    &[],
                    self.sts.get_caller_identity().send(),
                )
            })
            .await
    }

    /// The IAM principal these clients act as, as EKS access entries name it (a role's ARN for
    /// an assumed-role session), when known.
    pub async fn principal(&self) -> Option<String> {
        let caller = self.caller().await.as_ref().ok()?;
        caller.arn().map(principal_of)
    }

    /// Check the identity: missing credentials or an unreachable endpoint become one clear
    /// error that stops the scan.
    pub async fn identify(&self) -> Result<Identity, ScanError> {
        let endpoint = std::env::var("AWS_ENDPOINT_URL").ok();
        match self.caller().await.clone() {
            Ok(identity) => Ok(Identity {
                account_id: identity.account().map(String::from),
                arn: identity.arn().map(String::from),
                partition: identity
                    .arn()
                    .and_then(|arn| arn.split(':').nth(1))
                    .unwrap_or("aws")
                    .to_string(),
            }),
            Err(err) => Err(match err.kind {
                ErrorKind::Network | ErrorKind::Timeout => ScanError::Unreachable {
                    endpoint,
                    message: err.message,
                },
                ErrorKind::Other if err.message.contains("no credentials found in chain") => {
                    ScanError::Credentials(
                        "none found in the environment, the AWS config files, SSO, web identity, \
the container or instance metadata"
                            .into(),
                    )
                }
                ErrorKind::Other if looks_like_missing_credentials(&err.message) => {
                    ScanError::Credentials(err.message)
                }
                ErrorKind::AccessDenied => ScanError::Credentials(err.message),
                _ => ScanError::Aws(err.summary()),
            }),
        }
    }

    /// Send one request within the concurrency bound, count it, and turn a failure into a
    /// [`CollectError`] about `resources`.
    pub async fn call<T, E>(
        &self,
        api: &'static str,
        resources: &[String],
        request: impl Future<Output = Result<T, SdkError<E, HttpResponse>>>,
    ) -> Result<T, CollectError>
    where
        E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
    {
        // The semaphore is never closed, so acquiring cannot fail.
        let _permit = self.budget.limiter.acquire().await.expect("limiter open");
        self.budget.count(api);
        tracing::debug!(api, resources = resources.len(), "request");
        let started = std::time::Instant::now();
        let result = request.await;
        tracing::debug!(
            api,
            ms = started.elapsed().as_millis() as u64,
            ok = result.is_ok(),
            "response"
        );
        result.map_err(|err| {
            let err = classify(api, resources, &err);
            tracing::info!(api, kind = ?err.kind, "read failed: {}", err.message);
            err
        })
    }

    /// Fetch every page of a paginated API: `page(token)` builds a request, `next(&output)`
    /// reads the next token from a response.
    pub async fn paginate<O, E, F, Fut>(
        &self,
        api: &'static str,
        resources: &[String],
        mut page: F,
        next: fn(&O) -> Option<&str>,
    ) -> Result<Vec<O>, CollectError>
    where
        F: FnMut(Option<String>) -> Fut,
        Fut: Future<Output = Result<O, SdkError<E, HttpResponse>>>,
        E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
    {
        let mut pages = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let output = self.call(api, resources, page(token.take())).await?;
            let next_token = next(&output).filter(|t| !t.is_empty()).map(String::from);
            pages.push(output);
            match next_token {
                Some(t) if pages.len() < MAX_PAGES => token = Some(t),
                Some(_) => {
                    return Err(CollectError::new(
                        api,
                        resources.to_vec(),
                        ErrorKind::Other,
                        format!("more than {MAX_PAGES} pages; stopped"),
                    ));
                }
                None => return Ok(pages),
            }
        }
    }
}

/// Read each of `keys` with `read`, concurrently (within the client's bound): the items read and
/// the failures, in `keys` order. `read` returns `Ok(None)` for an item that no longer exists.
pub async fn each<'k, K, T, F, Fut>(keys: &'k [K], read: F) -> (Vec<T>, Vec<CollectError>)
where
    F: Fn(&'k K) -> Fut,
    Fut: Future<Output = Result<Option<T>, CollectError>>,
{
    let mut items = Vec::new();
    let mut errors = Vec::new();
    for result in futures::future::join_all(keys.iter().map(read)).await {
        match result {
            Ok(Some(item)) => items.push(item),
            Ok(None) => {}
            Err(err) => errors.push(err),
        }
    }
    (items, errors)
}

/// All the items of [`each`], or its first failure: for lists a check reads as a whole (the
/// add-ons, the access entries), where a missing item could be the one that matters.
pub fn complete<T>(
    (items, mut errors): (Vec<T>, Vec<CollectError>),
) -> Result<Vec<T>, CollectError> {
    match errors.pop() {
        Some(err) => Err(err),
        None => Ok(items),
    }
}

/// A guard against a service that keeps returning a next token.
const MAX_PAGES: usize = 10_000;

fn looks_like_missing_credentials(message: &str) -> bool {
    let message = message.to_ascii_lowercase();
    message.contains("credential") || message.contains("no identity")
}

/// Error codes that mean "not allowed".
const DENIED_CODES: &[&str] = &[
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "UnauthorizedException",
    "AuthorizationError",
    "AuthFailure",
    "InvalidClientTokenId",
    "ExpiredToken",
    "ExpiredTokenException",
    "UnrecognizedClientException",
    "SignatureDoesNotMatch",
];

/// Error codes that mean "slow down" (after the SDK's own retries gave up).
const THROTTLING_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestLimitExceeded",
    "RequestThrottled",
    "RequestThrottledException",
    "TooManyRequestsException",
    "SlowDown",
];

/// Translate an SDK error. Only the service's code and message, or the transport error chain,
/// are kept: neither carries credentials.
pub fn classify<E>(api: &str, resources: &[String], err: &SdkError<E, HttpResponse>) -> CollectError
where
    E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
{
    let (kind, message) = match err {
        SdkError::ServiceError(service) => {
            let code = service.err().code().unwrap_or("Unknown");
            let status = service.raw().status().as_u16();
            let kind = if DENIED_CODES.contains(&code) || (status == 403 && code == "Unknown") {
                ErrorKind::AccessDenied
            } else if THROTTLING_CODES.contains(&code) || (status == 429 && code == "Unknown") {
                ErrorKind::Throttled
            } else if code.ends_with("NotFound")
                || code.ends_with("NotFoundException")
                || code == "NoSuchEntity"
            {
                ErrorKind::NotFound
            } else {
                ErrorKind::Other
            };
            let message = match (service.err().code(), service.err().message()) {
                (Some(code), Some(message)) => format!("{code}: {message}"),
                (Some(code), None) => code.to_string(),
                // AWS always names its errors: a bare 404 comes from an endpoint (an emulator,
                // a proxy) that does not implement the operation.
                (None, None) if status == 404 => {
                    "HTTP 404 with no error code: the endpoint does not implement this API".into()
                }
                // An error body the SDK could not read: the HTTP status is all there is.
                (None, message) => format!(
                    "HTTP {status}{}",
                    message.map(|m| format!(": {m}")).unwrap_or_default()
                ),
            };
            (kind, message)
        }
        SdkError::TimeoutError(_) => (ErrorKind::Timeout, error_chain(err)),
        SdkError::DispatchFailure(failure) if failure.is_timeout() => {
            (ErrorKind::Timeout, error_chain(err))
        }
        SdkError::DispatchFailure(failure) if failure.is_io() => {
            (ErrorKind::Network, error_chain(err))
        }
        _ => (ErrorKind::Other, error_chain(err)),
    };
    CollectError::new(api, resources.to_vec(), kind, message)
}

/// An error and its sources as one line (`a: b: c`), without repeats and without Debug dumps.
pub fn error_chain(err: &(dyn StdError + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut current = Some(err);
    while let Some(e) = current {
        let text = e.to_string();
        if !text.is_empty() && !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        current = e.source();
    }
    // Some providers format multi-line reports; an error is one line here.
    parts
        .join(": ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The principal an EKS access entry names for a caller ARN: an assumed-role session
/// (`arn:aws:sts::1:assumed-role/Role/session`) is its role (`arn:aws:iam::1:role/Role`); users
/// and roles are themselves.
pub fn principal_of(caller_arn: &str) -> String {
    let parts: Vec<&str> = caller_arn.splitn(6, ':').collect();
    if let [_, partition, "sts", _, account, resource] = parts.as_slice()
        && let Some(rest) = resource.strip_prefix("assumed-role/")
    {
        let role = rest.split('/').next().unwrap_or(rest);
        return format!("arn:{partition}:iam::{account}:role/{role}");
    }
    caller_arn.to_string()
}

/// An AWS timestamp as a [`jiff::Timestamp`].
pub fn timestamp(time: Option<&aws_smithy_types::DateTime>) -> Option<jiff::Timestamp> {
    time.and_then(|t| jiff::Timestamp::new(t.secs(), t.subsec_nanos() as i32).ok())
}

/// Split `ids` into request-sized batches (EC2 filters take at most 200 values).
pub fn batches(ids: &[String]) -> impl Iterator<Item = Vec<String>> + '_ {
    ids.chunks(BATCH).map(<[String]>::to_vec)
}

/// Values per EC2 filter.
pub const BATCH: usize = 200;

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use aws_config::{BehaviorVersion, Region, SdkConfig};
    use aws_sdk_sts::config::{Credentials, SharedCredentialsProvider};
    use tokio::net::TcpListener;

    use super::readonly::WriteRefused;
    use super::*;

    fn config(endpoint: &str) -> SdkConfig {
        SdkConfig::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("eu-west-1"))
            .endpoint_url(endpoint)
            .credentials_provider(SharedCredentialsProvider::new(Credentials::for_tests()))
            .retry_config(RetryConfig::disabled())
            .build()
    }

    fn refused<E: StdError + 'static>(err: &SdkError<E, HttpResponse>) -> bool {
        let mut source: Option<&(dyn StdError + 'static)> = Some(err);
        while let Some(e) = source {
            if e.downcast_ref::<WriteRefused>().is_some() {
                return true;
            }
            source = e.source();
        }
        false
    }

    /// Whether anything connects to `listener` within a short wait.
    async fn connected(listener: &TcpListener) -> bool {
        tokio::time::timeout(Duration::from_millis(300), listener.accept())
            .await
            .is_ok()
    }

    #[tokio::test]
    async fn every_client_refuses_writes_before_sending_and_lets_reads_through() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let clients = Aws::new(config(&endpoint), Budget::new(4, Progress::default())).unwrap();

        let err = clients
            .ec2
            .terminate_instances()
            .instance_ids("i-1")
            .send()
            .await
            .unwrap_err();
        assert!(refused(&err), "{err:?}");
        let err = clients
            .eks
            .delete_cluster()
            .name("prod")
            .send()
            .await
            .unwrap_err();
        assert!(refused(&err), "{err:?}");
        let err = clients
            .iam
            .delete_role()
            .role_name("node")
            .send()
            .await
            .unwrap_err();
        assert!(refused(&err), "{err:?}");
        let err = clients
            .autoscaling
            .delete_auto_scaling_group()
            .auto_scaling_group_name("asg")
            .send()
            .await
            .unwrap_err();
        assert!(refused(&err), "{err:?}");
        let err = clients
            .sts
            .decode_authorization_message()
            .encoded_message("x")
            .send()
            .await
            .unwrap_err();
        assert!(refused(&err), "{err:?}");
        let err = clients
            .kms
            .schedule_key_deletion()
            .key_id("k")
            .send()
            .await
            .unwrap_err();
        assert!(refused(&err), "{err:?}");
        let err = clients
            .logs
            .delete_log_group()
            .log_group_name("g")
            .send()
            .await
            .unwrap_err();
        assert!(refused(&err), "{err:?}");
        let err = clients
            .ecr
            .delete_repository()
            .repository_name("r")
            .send()
            .await
            .unwrap_err();
        assert!(refused(&err), "{err:?}");
        let err = clients
            .cloudtrail
            .stop_logging()
            .name("t")
            .send()
            .await
            .unwrap_err();
        assert!(refused(&err), "{err:?}");
        let err = clients
            .guardduty
            .delete_detector()
            .detector_id("d")
            .send()
            .await
            .unwrap_err();
        assert!(refused(&err), "{err:?}");
        let err = clients.inspector.disable().send().await.unwrap_err();
        assert!(refused(&err), "{err:?}");
        let err = clients
            .events
            .delete_rule()
            .name("r")
            .send()
            .await
            .unwrap_err();
        assert!(refused(&err), "{err:?}");
        let err = clients
            .organizations
            .create_account()
            .account_name("a")
            .email("a@example.com")
            .send()
            .await
            .unwrap_err();
        assert!(refused(&err), "{err:?}");
        assert!(
            !connected(&listener).await,
            "a refused write reached the network"
        );

        // The same clients do send reads (the endpoint is not an AWS service, so they then fail).
        let read = tokio::spawn(async move { clients.ec2.describe_instances().send().await });
        assert!(connected(&listener).await, "a read was not sent");
        read.abort();
    }

    #[test]
    fn an_assumed_role_session_is_named_by_its_role() {
        assert_eq!(
            principal_of("arn:aws:sts::111122223333:assumed-role/SekAudit/sek"),
            "arn:aws:iam::111122223333:role/SekAudit"
        );
        assert_eq!(
            principal_of("arn:aws-cn:sts::111122223333:assumed-role/r/s"),
            "arn:aws-cn:iam::111122223333:role/r"
        );
        assert_eq!(
            principal_of("arn:aws:iam::111122223333:user/alice"),
            "arn:aws:iam::111122223333:user/alice"
        );
    }

    #[test]
    fn error_chains_are_one_line_without_repeats() {
        let err = std::io::Error::other("tcp connect error:\n  Connection refused");
        assert_eq!(error_chain(&err), "tcp connect error: Connection refused");
    }
}
