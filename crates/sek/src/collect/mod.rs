//! Collection: all of sek's I/O. It reads each resource once, with independent reads in flight
//! together (bounded), and stores failures as data in the inventory. Only a scan that cannot
//! start (no region, no credentials, unreachable endpoint, unknown cluster) is an error here.

pub mod aws;
mod cluster;
pub mod k8s_files;
pub mod kube;
mod region;

use std::time::Instant;

use futures::future::join_all;
use indicatif::ProgressBar;
use sek_core::inventory::{CollectError, ErrorKind, Inventory, Meta};

use self::aws::{Aws, AwsOptions};
pub use self::cluster::collect_cluster;
use self::kube::{KubeOptions, collect_kubernetes};

/// Why a scan could not run at all.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    /// No region configured.
    #[error("no AWS region is configured")]
    NoRegion,
    /// No usable credentials.
    #[error("no usable AWS credentials: {0}")]
    Credentials(String),
    /// The AWS endpoint did not answer.
    #[error("cannot reach AWS{}: {message}", endpoint.as_deref().map(|e| format!(" at {e}")).unwrap_or_default())]
    Unreachable {
        /// `AWS_ENDPOINT_URL`, when set.
        endpoint: Option<String>,
        /// The transport error.
        message: String,
    },
    /// The cluster does not exist in this account and region.
    #[error("cluster `{name}` was not found in {region}{}", account.as_deref().map(|a| format!(" (account {a})")).unwrap_or_default())]
    ClusterNotFound {
        /// The name asked for.
        name: String,
        /// The region searched.
        region: String,
        /// The account searched.
        account: Option<String>,
        /// The clusters that do exist there.
        known: Vec<String>,
    },
    /// Any other AWS failure before collection could start.
    #[error("AWS error: {0}")]
    Aws(String),
}

impl ScanError {
    /// What the user can do about it.
    pub fn help(&self) -> String {
        match self {
            ScanError::NoRegion => "pass --region, or set AWS_REGION or a region in your AWS profile".into(),
            ScanError::Credentials(_) => "configure credentials: AWS_PROFILE or --profile, `aws sso login`, \
AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or an instance or pod role"
                .into(),
            ScanError::Unreachable { .. } => {
                "check network access to the AWS endpoint (and AWS_ENDPOINT_URL if you set it); pass -v for details".into()
            }
            ScanError::ClusterNotFound { known, region, .. } if known.is_empty() => {
                format!("no clusters are visible in {region}; pass --region or --profile for the right account and region")
            }
            ScanError::ClusterNotFound { known, name, .. } => {
                let close = known
                    .iter()
                    .map(|k| (strsim::levenshtein(k, name), k))
                    .filter(|(distance, k)| *distance <= k.len().max(name.len()) / 3 + 1)
                    .min()
                    .map(|(_, k)| k);
                format!(
                    "clusters in this region: {}{}",
                    known.join(", "),
                    close.map(|c| format!(" (did you mean `{c}`?)")).unwrap_or_default()
                )
            }
            ScanError::Aws(_) => "pass -v for request details".into(),
        }
    }
}

/// A progress display on stderr (absent when stderr is not a terminal).
#[derive(Clone, Default)]
pub struct Progress(Option<ProgressBar>);

impl Progress {
    /// Show a spinner counting API calls.
    pub fn spinner(message: &str) -> Progress {
        let bar = ProgressBar::new_spinner();
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {prefix} {pos} API calls · {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        bar.set_prefix(message.to_string());
        bar.enable_steady_tick(std::time::Duration::from_millis(100));
        Progress(Some(bar))
    }

    /// Count one request.
    pub fn tick(&self, api: &str) {
        if let Some(bar) = &self.0 {
            bar.inc(1);
            bar.set_message(api.to_string());
        }
    }

    /// Remove the display.
    pub fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

/// Collect `clusters` (duplicates once) in one account and region, with the account's and
/// region's shared settings read once.
pub async fn collect(
    options: &AwsOptions,
    clusters: &[String],
    kube: &KubeOptions,
    progress: Progress,
) -> Result<Inventory, ScanError> {
    let started = Instant::now();
    let mut unique: Vec<&String> = Vec::new();
    for name in clusters {
        if !unique.contains(&name) {
            unique.push(name);
        }
    }
    let aws = Aws::connect(options, progress.clone()).await?;
    // The identity check and collection start together, saving a round trip; if the identity
    // check fails (no credentials, unreachable endpoint), collection is cancelled and that one
    // error is reported.
    // The account's and region's settings are read once, beside the clusters that share them.
    let scans = async {
        Ok(tokio::join!(
            join_all(unique.iter().map(|name| collect_cluster(&aws, name))),
            region::collect_region(&aws),
            region::collect_account(&aws),
        ))
    };
    let outcome = tokio::try_join!(aws.identify(), scans);
    progress.finish();
    let (identity, (results, mut region, mut account)) = outcome?;
    let mut calls = aws.calls();
    let mut collected = Vec::new();
    for result in results {
        let mut cluster = result.map_err(|err| match err {
            ScanError::ClusterNotFound {
                name,
                region,
                known,
                ..
            } => ScanError::ClusterNotFound {
                name,
                region,
                known,
                account: identity.account_id.clone(),
            },
            other => other,
        })?;
        cluster.account_id = identity.account_id.clone();
        cluster.partition = identity.partition.clone();
        collected.push(cluster);
    }
    if kube.enabled {
        // The Kubernetes side needs each cluster's endpoint, so it follows the AWS side; the
        // clusters' API servers are read concurrently.
        let sides = join_all(collected.iter().map(|c| collect_kubernetes(kube, c))).await;
        for (cluster, side) in collected.iter_mut().zip(sides) {
            match side {
                Ok((k8s, k8s_calls)) => {
                    for (read, n) in k8s_calls {
                        *calls.entry(read).or_default() += n;
                    }
                    cluster.kubernetes = Some(k8s);
                }
                Err(reason) => cluster.gaps.push(CollectError::new(
                    "k8s:connect",
                    vec![],
                    ErrorKind::Network,
                    reason,
                )),
            }
        }
    }
    let mut inventory = Inventory::new(Meta {
        sek_version: Some(sek_core::VERSION.to_string()),
        collected_at: Some(jiff::Timestamp::now()),
        caller_arn: identity.arn.clone(),
        api_calls: Some(calls.values().sum()),
        api_calls_by_action: calls,
        duration_ms: Some(started.elapsed().as_millis() as u64),
    });
    inventory.clusters = collected;
    region.account_id = identity.account_id.clone();
    region.partition = identity.partition.clone();
    account.account_id = identity.account_id.clone();
    inventory.regions.push(region);
    inventory.accounts.push(account);
    Ok(inventory)
}
