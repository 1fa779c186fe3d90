//! The AWS side of collection: one guarded client per service, a bound on requests in flight,
//! per-API call accounting, and the translation of SDK errors into [`CollectError`](sek_core::inventory::CollectError)s.

pub mod autoscaling;
mod budget;
mod clients;
pub mod cloudtrail;
mod credentials;
pub mod ec2;
pub mod ecr;
pub mod eks;
pub mod eks_access;
mod errors;
pub mod events;
pub mod guardduty;
pub mod iam;
pub mod inspector;
pub mod kms;
pub mod logs;
pub mod organizations;
pub mod readonly;
mod retries;
#[cfg(test)]
mod tests;
mod values;

use std::time::Duration;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_smithy_types::retry::RetryConfig;
use aws_smithy_types::timeout::TimeoutConfig;

use super::{Progress, ScanError};

pub use self::budget::Budget;
pub use self::clients::*;
use self::credentials::*;
pub use self::errors::*;
pub use self::values::*;

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
