//! The guarded clients of one account and region, and how every request goes through them:
//! bounded, counted, paged, its errors classified.

use std::error::Error as StdError;
use std::future::Future;
use std::sync::Arc;

use aws_config::{Region, SdkConfig};
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_sdk_eks::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_sts::operation::get_caller_identity::GetCallerIdentityOutput;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use sek_core::checks::ReadPlan;
use sek_core::inventory::{CollectError, ErrorKind, ManagedPolicy, Read};
use tokio::sync::OnceCell;

use super::ScanError;
use super::readonly::ReadOnlyGuard;
use super::retries::{ServerErrorBudget, ServerErrorBudgetClassifier};
use super::*;

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
    /// What the scan reads: a call outside it is refused before it is sent.
    plan: Arc<ReadPlan>,
    /// Managed policy documents of this account, each read once for every role that attaches it
    /// (node roles, IRSA roles, the cluster role).
    policies: Arc<PolicyCache>,
    /// The add-on versions EKS offers, by region, Kubernetes version and add-on: the same for
    /// every cluster (and account) that asks, so read once.
    addon_versions: Arc<AddonVersionCache>,
}

/// DescribeAddonVersions outcomes by (region, Kubernetes version, add-on).
pub type AddonVersionCache = tokio::sync::Mutex<
    std::collections::HashMap<
        (String, String, String),
        Arc<OnceCell<Result<sek_core::inventory::AddonVersions, CollectError>>>,
    >,
>;

/// Managed policies by ARN, read at most once per account.
pub type PolicyCache =
    tokio::sync::Mutex<std::collections::HashMap<String, Arc<OnceCell<ManagedPolicy>>>>;

/// Build a client of `$service` from the shared config with the read-only guard and the server
/// error retry budget.
macro_rules! guarded_client {
    ($service:ident, $config:expr) => {
        $service::Client::from_conf(
            $service::config::Builder::from($config)
                .interceptor(ReadOnlyGuard)
                .interceptor(ServerErrorBudget)
                .retry_classifier(ServerErrorBudgetClassifier)
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

impl Aws {
    /// Guarded clients for the region and credentials of `config`. No request is made. This is
    /// the only place clients are built.
    pub fn new(config: SdkConfig, budget: Arc<Budget>) -> Result<Aws, ScanError> {
        let region = config
            .region()
            .map(|r| r.to_string())
            .ok_or(ScanError::NoRegion)?;
        Ok(Aws::build(
            config,
            region,
            budget,
            Arc::default(),
            Arc::default(),
            Arc::default(),
            Arc::default(),
        ))
    }

    /// The same clients, reading only what `plan` needs.
    pub fn reading(mut self, plan: &ReadPlan) -> Aws {
        self.plan = Arc::new(plan.clone());
        self
    }

    /// Whether the scan reads the AWS call `action` for one of its checks.
    pub fn wants(&self, action: &str) -> bool {
        self.plan.wants_action(action)
    }

    /// The lowest vulnerability severity the scan reads (`[thresholds] vuln_min_severity`).
    pub fn vulnerability_floor(&self) -> sek_core::checks::Severity {
        self.plan.vulnerability_floor()
    }

    /// The account these credentials act in, when known (from the caller's ARN).
    pub async fn account_id(&self) -> Option<String> {
        let caller = self.caller().await.as_ref().ok()?;
        caller
            .account()
            .map(String::from)
            .or_else(|| caller.arn()?.split(':').nth(4).map(String::from))
            .filter(|a| !a.is_empty())
    }

    /// The managed policy `arn`, read by `read` the first time any role of this account asks.
    pub async fn policy_once<F, Fut>(&self, arn: &str, read: F) -> ManagedPolicy
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = ManagedPolicy>,
    {
        let cell = self
            .policies
            .lock()
            .await
            .entry(arn.to_string())
            .or_default()
            .clone();
        cell.get_or_init(read).await.clone()
    }

    /// The versions of add-on `name` for Kubernetes `version` in this region, read by `read` the
    /// first time any cluster asks.
    pub async fn addon_versions_once<F, Fut>(
        &self,
        version: &str,
        name: &str,
        read: F,
    ) -> Result<sek_core::inventory::AddonVersions, CollectError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<sek_core::inventory::AddonVersions, CollectError>>,
    {
        let key = (self.region.clone(), version.to_string(), name.to_string());
        let cell = self
            .addon_versions
            .lock()
            .await
            .entry(key)
            .or_default()
            .clone();
        cell.get_or_init(read).await.clone()
    }

    /// `read`'s outcome when the scan reads `action` for one of its checks, else `None` (and no
    /// request is made).
    pub async fn when<T>(&self, action: &str, read: impl Future<Output = T>) -> Option<T> {
        if self.wants(action) {
            Some(read.await)
        } else {
            None
        }
    }

    fn build(
        config: SdkConfig,
        region: String,
        budget: Arc<Budget>,
        caller: Arc<OnceCell<Result<GetCallerIdentityOutput, CollectError>>>,
        plan: Arc<ReadPlan>,
        policies: Arc<PolicyCache>,
        addon_versions: Arc<AddonVersionCache>,
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
            plan,
            policies,
            addon_versions,
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
            self.plan.clone(),
            self.policies.clone(),
            self.addon_versions.clone(),
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
        let role = AssumedRole::new(self.sts.clone(), role_arn, external_id, self.budget.clone());
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
            self.plan.clone(),
            Arc::default(),
            // EKS's add-on catalogue is the same in every account.
            self.addon_versions.clone(),
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
        if !self.plan.allows_call(api) {
            // A read no selected check declared: refused, so a selection's requests are exactly
            // its checks' needs. Reaching this is a bug in a collector's gating (the tests of
            // each check alone look for this message).
            return Err(CollectError::new(
                api,
                resources.to_vec(),
                ErrorKind::Other,
                format!(
                    "internal error: sek was about to call {api}, which no selected check needs; please report this"
                ),
            ));
        }
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

/// A read made for this scan's checks (its outcome), or not made ([`Aws::when`] said `None`).
pub fn read_or_not<T, R: Into<Read<T>>>(read: Option<R>) -> Read<T> {
    read.map_or(Read::NotCollected, Into::into)
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
pub(super) const MAX_PAGES: usize = 10_000;
