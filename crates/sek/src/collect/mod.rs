//! Collection: all of sek's I/O. It reads each resource once, with independent reads in flight
//! together (bounded), and stores failures as data in the inventory. Only a scan that cannot
//! start (no region, no credentials, unreachable endpoint, unknown cluster) is an error here.

pub mod aws;
mod cluster;
pub mod fleet;
pub mod k8s_files;
pub mod kube;
mod references;
mod region;
mod region_wide;
mod what_runs;

use std::sync::{Arc, Mutex};
use std::time::Instant;

use futures::future::join_all;
use indicatif::ProgressBar;
use sek_core::checks::ReadPlan;
use sek_core::inventory::{ErrorKind, Inventory, Meta, NotScanned};

use self::aws::{Aws, AwsOptions, Budget};
use self::fleet::{AccountHarvest, harvest_account, read_clusters};
pub use self::fleet::{Accounts, Clusters, Estate, Level, Regions};
use self::kube::KubeOptions;
use self::region_wide::RegionWide;

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
    /// The organization's accounts could not be listed (`--org-role`).
    #[error("cannot list the organization's accounts: {0}")]
    Organization(String),
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
            ScanError::Organization(_) => "run sek as the organization's management account or a delegated \
administrator (organizations:ListAccounts), or name each account's role with --account-role-arn"
                .into(),
            ScanError::Aws(_) => "pass -v for request details".into(),
        }
    }
}

/// A progress display on stderr (absent when stderr is not a terminal): accounts, regions and
/// clusters done of those known so far, and requests made with their rate.
#[derive(Clone, Default)]
pub struct Progress(Option<Arc<Display>>);

struct Display {
    bar: ProgressBar,
    // done, total per level
    levels: Mutex<[(usize, usize); 3]>,
}

impl Progress {
    /// Show the display.
    pub fn new(prefix: &str) -> Progress {
        let bar = ProgressBar::new_spinner();
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} {prefix} {msg} · {pos} API calls ({per_sec}) · {elapsed}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        bar.set_prefix(prefix.to_string());
        bar.enable_steady_tick(std::time::Duration::from_millis(100));
        Progress(Some(Arc::new(Display {
            bar,
            levels: Mutex::new([(0, 0); 3]),
        })))
    }

    /// Count one request.
    pub fn tick(&self) {
        if let Some(display) = &self.0 {
            display.bar.inc(1);
        }
    }

    /// `n` more of `level` to do.
    pub fn plan(&self, level: Level, n: usize) {
        self.update(level, |(_, total)| *total += n);
    }

    /// One more of `level` done.
    pub fn finish_one(&self, level: Level) {
        self.update(level, |(done, _)| *done += 1);
    }

    fn update(&self, level: Level, change: impl FnOnce(&mut (usize, usize))) {
        let Some(display) = &self.0 else { return };
        let mut levels = display.levels.lock().expect("progress levels");
        change(&mut levels[level as usize]);
        let [(a, at), (r, rt), (c, ct)] = *levels;
        display.bar.set_message(format!(
            "accounts {a}/{at} · regions {r}/{rt} · clusters {c}/{ct}"
        ));
    }

    /// Remove the display.
    pub fn finish(&self) {
        if let Some(display) = &self.0 {
            display.bar.finish_and_clear();
        }
    }
}

/// Collect what `estate` covers into one inventory, reading only what `plan` needs: one account
/// and region with named clusters
/// (a name that does not exist stops the scan), or a fleet (what cannot be read is recorded and
/// the rest goes on). Account data is read once per account, region data once per account-region.
pub async fn collect(
    options: &AwsOptions,
    estate: &Estate,
    kube: &KubeOptions,
    plan: &ReadPlan,
    progress: Progress,
) -> Result<Inventory, ScanError> {
    let started = Instant::now();
    let budget = Budget::new(options.concurrency, progress.clone());
    let base = Aws::new(aws::load_config(options).await, budget.clone())?.reading(plan);
    let (identity, harvests, refused) = match &estate.clusters {
        Clusters::Named(names) if estate.is_single_target() => {
            let mut unique: Vec<String> = Vec::new();
            for name in names {
                if !unique.contains(name) {
                    unique.push(name.clone());
                }
            }
            progress.plan(Level::Account, 1);
            progress.plan(Level::Region, 1);
            progress.plan(Level::Cluster, unique.len());
            // The identity check and collection start together, saving a round trip; if the
            // identity check fails (no credentials, unreachable endpoint), collection is
            // cancelled and that one error is reported.
            let scans = async { Ok(single_target(&base, &unique, kube).await) };
            let (identity, harvest) = tokio::try_join!(base.identify(), scans)?;
            let harvest = harvest.map_err(|err| match err {
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
            (identity, vec![(None, harvest)], Vec::new())
        }
        _ => {
            let identity = base.identify().await?;
            let (targets, refused) = fleet::accounts(base, estate, &identity.partition).await?;
            let harvests = join_all(targets.into_iter().map(|target| {
                let account = target.account_id.clone();
                async move { (account, harvest_account(target, estate, kube).await) }
            }))
            .await;
            (identity, harvests, refused)
        }
    };
    progress.finish();
    let calls = budget.calls();
    let mut inventory = Inventory::new(Meta {
        sek_version: Some(sek_core::VERSION.to_string()),
        collected_at: Some(jiff::Timestamp::now()),
        caller_arn: identity.arn.clone(),
        api_calls: Some(calls.values().sum()),
        api_calls_by_action: calls,
        duration_ms: Some(started.elapsed().as_millis() as u64),
        collected_for: plan
            .checks()
            .map(|checks| checks.iter().map(|c| c.id.to_string()).collect()),
    });
    inventory.not_scanned = refused;
    for (account, harvest) in harvests {
        let account_id = account.or_else(|| identity.account_id.clone());
        for mut cluster in harvest.clusters {
            cluster.account_id = account_id.clone();
            cluster.partition = identity.partition.clone();
            inventory.clusters.push(cluster);
        }
        for mut region in harvest.regions {
            region.account_id = account_id.clone();
            region.partition = identity.partition.clone();
            inventory.regions.push(region);
        }
        if let Some(mut data) = harvest.account {
            data.account_id = account_id.clone();
            inventory.accounts.push(data);
        }
        inventory
            .not_scanned
            .extend(harvest.not_scanned.into_iter().map(|mut gap| {
                gap.account = gap.account.or_else(|| account_id.clone());
                gap
            }));
    }
    if let Clusters::Named(names) = &estate.clusters {
        // In a fleet, a name is looked for in every account and region; one found nowhere is
        // said, not silently dropped.
        for name in names {
            let found = inventory.clusters.iter().any(|c| &c.name == name)
                || inventory
                    .not_scanned
                    .iter()
                    .any(|g| g.cluster.as_ref() == Some(name));
            if !found && !inventory.not_scanned.iter().any(|g| g.cluster.is_none()) {
                inventory.not_scanned.push(NotScanned {
                    account: None,
                    region: None,
                    cluster: Some(name.clone()),
                    api: "eks:ListClusters".into(),
                    kind: ErrorKind::NotFound,
                    message: "no cluster of this name in the scanned accounts and regions".into(),
                    help: Some(
                        "check the name (`aws eks list-clusters`), --region and the accounts"
                            .into(),
                    ),
                });
            }
        }
    }
    Ok(inventory)
}

/// Named clusters in one account and region, with the account's and region's data.
async fn single_target(
    aws: &Aws,
    names: &[String],
    kube: &KubeOptions,
) -> Result<AccountHarvest, ScanError> {
    let progress = aws.budget().progress().clone();
    // Named clusters: each reads its own nodes, groups and logs, nothing of the others'.
    let per_cluster = RegionWide::per_cluster();
    let (clusters, region, account) = tokio::join!(
        read_clusters(aws, names, kube, &per_cluster),
        region::collect_region(aws),
        region::collect_account(aws),
    );
    progress.finish_one(Level::Region);
    progress.finish_one(Level::Account);
    Ok(AccountHarvest {
        clusters: clusters.into_iter().collect::<Result<_, _>>()?,
        regions: vec![region],
        account: Some(account),
        not_scanned: Vec::new(),
    })
}
