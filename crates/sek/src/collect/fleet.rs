//! A fleet scan: every account (the caller's, listed roles, or an organization's), every region
//! asked for, every cluster there. Accounts, regions and clusters overlap under one bound on
//! requests in flight; account data is read once per account and region data once per
//! account-region, and only where there are clusters to judge. A part that cannot be read is
//! recorded as [`NotScanned`] and the rest goes on.

use futures::future::join_all;
use sek_core::inventory::{
    AccountInventory, ClusterInventory, CollectError, ErrorKind, NotScanned, RegionInventory,
};

use super::ScanError;
use super::aws::{Aws, ec2, eks, organizations};
use super::cluster::collect_clusters;
use super::kube::{KubeOptions, collect_kubernetes};
use super::references::{self, References};
use super::region::{collect_account, collect_region};
use super::region_wide::RegionWide;
use super::what_runs;

/// Which accounts to scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Accounts {
    /// The caller's own account.
    Caller,
    /// Each of these roles, assumed with the caller's credentials (`--account-role-arn`).
    Roles(Vec<String>),
    /// The role of this name in every ACTIVE account of the caller's organization (`--org-role`).
    Organization(String),
}

/// Which regions to scan in each account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Regions {
    /// The configured region (`AWS_REGION`, the profile's, or the one `--region`).
    Default,
    /// These regions (`--region`, repeated).
    Listed(Vec<String>),
    /// The regions enabled for each account (`--all-regions`).
    AllEnabled,
}

/// Which clusters to scan in each region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Clusters {
    /// These names (`--cluster`).
    Named(Vec<String>),
    /// Every cluster (`--all-clusters`).
    All,
}

/// What a scan covers: which accounts, in which regions, which clusters (the estate).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Estate {
    /// Accounts.
    pub accounts: Accounts,
    /// Regions in each account.
    pub regions: Regions,
    /// Clusters in each region.
    pub clusters: Clusters,
    /// The external id the roles require (`--external-id`).
    pub external_id: Option<String>,
}

impl Estate {
    /// Named clusters of one cluster set in the caller's account and one region: the classic
    /// scan. There a name that does not exist stops the scan (exit 3, with the names that do);
    /// in a wider scan it is reported as not scanned and the rest goes on.
    pub fn is_single_target(&self) -> bool {
        let one_region = match &self.regions {
            Regions::Default => true,
            Regions::Listed(regions) => regions.len() == 1,
            Regions::AllEnabled => false,
        };
        self.accounts == Accounts::Caller
            && one_region
            && matches!(self.clusters, Clusters::Named(_))
    }
}

/// One account to scan: its clients, and its id when known before any request.
pub struct AccountTarget {
    /// Clients with the account's credentials, in the base region.
    pub aws: Aws,
    /// The account id (from the role ARN; `None` for the caller, known from its identity).
    pub account_id: Option<String>,
}

/// What the scan read of one account.
#[derive(Default)]
pub struct AccountHarvest {
    /// Its clusters.
    pub clusters: Vec<ClusterInventory>,
    /// Its regions' shared data (regions with clusters only).
    pub regions: Vec<RegionInventory>,
    /// Its IAM data (when it has clusters).
    pub account: Option<AccountInventory>,
    /// What could not be read.
    pub not_scanned: Vec<NotScanned>,
}

/// The accounts of `estate`: assumed roles are assumed here (a refusal is that account's
/// [`NotScanned`]); an organization is listed first.
pub async fn accounts(
    base: Aws,
    estate: &Estate,
    partition: &str,
) -> Result<(Vec<AccountTarget>, Vec<NotScanned>), ScanError> {
    let roles: Vec<String> = match &estate.accounts {
        Accounts::Caller => {
            return Ok((
                vec![AccountTarget {
                    aws: base,
                    account_id: None,
                }],
                Vec::new(),
            ));
        }
        Accounts::Roles(roles) => roles.clone(),
        Accounts::Organization(name) => organizations::active_accounts(&base)
            .await
            .map_err(|err| ScanError::Organization(err.summary()))?
            .into_iter()
            .map(|account| format!("arn:{partition}:iam::{}:role/{name}", account.id))
            .collect(),
    };
    base.budget().progress().plan(Level::Account, roles.len());
    let assumed = join_all(
        roles
            .iter()
            .map(|role| base.assume(role, estate.external_id.as_deref())),
    )
    .await;
    let mut targets = Vec::new();
    let mut refused = Vec::new();
    for (role, result) in roles.iter().zip(assumed) {
        match result {
            Ok(aws) => targets.push(AccountTarget {
                aws,
                account_id: account_of_role(role),
            }),
            Err(err) => {
                base.budget().progress().finish_one(Level::Account);
                let help = assume_help(&err, estate.external_id.is_some());
                refused.push(NotScanned {
                    account: Some(role.clone()),
                    ..NotScanned::from_error(err, help)
                });
            }
        }
    }
    Ok((targets, refused))
}

/// The account id in a role ARN (`arn:aws:iam::111122223333:role/name`).
pub fn account_of_role(role_arn: &str) -> Option<String> {
    let account = role_arn.split(':').nth(4)?;
    (account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()))
        .then(|| account.to_string())
}

fn assume_help(err: &CollectError, external_id: bool) -> String {
    match err.kind {
        ErrorKind::AccessDenied if external_id => {
            "the role's trust policy must allow the scanning identity \
and this external id; check the role ARN and --external-id"
                .into()
        }
        ErrorKind::AccessDenied => {
            "the role's trust policy must allow the scanning identity to assume it \
(and name the external id it requires: pass --external-id); check the role ARN"
                .into()
        }
        _ => "pass -v for request details".into(),
    }
}

/// Read one account: list its regions' clusters, then read the clusters, their regions' shared
/// data and the account's IAM data together.
pub async fn harvest_account(
    target: AccountTarget,
    estate: &Estate,
    kube: &KubeOptions,
) -> AccountHarvest {
    let aws = target.aws;
    let account = target.account_id.clone();
    let progress = aws.budget().progress().clone();
    let mut harvest = AccountHarvest::default();
    let gap = |region: Option<&str>, err: CollectError, help: &str| NotScanned {
        account: account.clone(),
        region: region.map(String::from),
        ..NotScanned::from_error(err, help)
    };

    let regions = match &estate.regions {
        Regions::Default => vec![aws.region.clone()],
        Regions::Listed(regions) => regions.clone(),
        Regions::AllEnabled => match ec2::enabled_regions(&aws).await {
            Ok(regions) => regions,
            Err(err) => {
                harvest.not_scanned.push(gap(
                    None,
                    err,
                    "allow ec2:DescribeRegions, or name the regions with --region",
                ));
                progress.finish_one(Level::Account);
                return harvest;
            }
        },
    };
    progress.plan(Level::Region, regions.len());

    // Phase 1: which clusters each region has.
    let regional: Vec<Aws> = regions.iter().map(|r| aws.in_region(r)).collect();
    let listings = join_all(
        regional
            .iter()
            .map(|aws| clusters_in(aws, &estate.clusters)),
    )
    .await;
    let mut work: Vec<(Aws, Vec<String>)> = Vec::new();
    for (aws, listing) in regional.into_iter().zip(listings) {
        match listing {
            Ok(names) if names.is_empty() => progress.finish_one(Level::Region),
            Ok(names) => {
                progress.plan(Level::Cluster, names.len());
                work.push((aws, names));
            }
            Err(err) => {
                progress.finish_one(Level::Region);
                let region = aws.region.clone();
                harvest.not_scanned.push(gap(
                    Some(&region),
                    err,
                    "allow eks:ListClusters in this region, or leave the region out",
                ));
            }
        }
    }

    // Phase 2: the clusters, their regions' data and the account's data, together.
    let account_data = async {
        if work.is_empty() {
            None
        } else {
            Some(collect_account(&aws).await)
        }
    };
    let regions_data = join_all(work.iter().map(|(aws, names)| {
        let progress = progress.clone();
        // Every cluster of the region is scanned: its nodes, Auto Scaling groups and log groups
        // are read at once, in a few pages, rather than by queries per cluster. Named clusters
        // keep their own queries, which read nothing of the other clusters'.
        let region_wide = if estate.clusters == Clusters::All && names.len() > 1 {
            RegionWide::shared()
        } else {
            RegionWide::per_cluster()
        };
        async move {
            let (region, clusters) = tokio::join!(
                collect_region(aws),
                read_clusters(aws, names, kube, &region_wide),
            );
            progress.finish_one(Level::Region);
            (region, clusters)
        }
    }));
    let (account_data, regions_data) = tokio::join!(account_data, regions_data);
    harvest.account = account_data;
    for ((aws, names), (region, clusters)) in work.iter().zip(regions_data) {
        harvest.regions.push(region);
        for (name, cluster) in names.iter().zip(clusters) {
            match cluster {
                Ok(cluster) => harvest.clusters.push(cluster),
                Err(err) => harvest.not_scanned.push(NotScanned {
                    account: account.clone(),
                    region: Some(aws.region.clone()),
                    cluster: Some(name.clone()),
                    api: "eks:DescribeCluster".into(),
                    kind: ErrorKind::NotFound,
                    message: err.to_string(),
                    help: Some(
                        "the cluster was listed but could not be described (deleted meanwhile?); \
scan it again by name"
                            .into(),
                    ),
                }),
            }
        }
    }
    progress.finish_one(Level::Account);
    harvest
}

/// The clusters to scan in one region: every cluster, or the named ones that exist there.
async fn clusters_in(aws: &Aws, clusters: &Clusters) -> Result<Vec<String>, CollectError> {
    let listed = eks::list_clusters(aws).await?;
    Ok(match clusters {
        Clusters::All => listed,
        Clusters::Named(names) => listed.into_iter().filter(|c| names.contains(c)).collect(),
    })
}

/// Read the clusters `names` of one region: their AWS side together (`region_wide`: what is
/// read once for every cluster scanned there), then, when enabled, each one's
/// Kubernetes side through its endpoint, then the ECR images their workloads run, once for all.
/// Each cluster done counts in the progress display.
pub async fn read_clusters(
    aws: &Aws,
    names: &[String],
    kube: &KubeOptions,
    region_wide: &RegionWide,
) -> Vec<Result<ClusterInventory, ScanError>> {
    let progress = aws.budget().progress();
    let clusters = collect_clusters(aws, names, region_wide).await;
    let mut clusters = join_all(clusters.into_iter().map(|cluster| async move {
        let cluster = with_kubernetes(aws, cluster, kube).await;
        // The Kubernetes side is the long part; the images that follow are a few reads.
        progress.finish_one(Level::Cluster);
        cluster
    }))
    .await;
    // The images the workloads run: known only now, and read once for the region's clusters.
    what_runs::ecr_images(aws, clusters.iter_mut().flatten()).await;
    clusters
}

async fn with_kubernetes(
    aws: &Aws,
    cluster: Result<ClusterInventory, ScanError>,
    kube: &KubeOptions,
) -> Result<ClusterInventory, ScanError> {
    let mut cluster = cluster?;
    if kube.enabled {
        let k8s = collect_kubernetes(kube, &cluster, aws).await;
        if let Err(failure) = &k8s {
            tracing::info!(
                cluster = cluster.name,
                "Kubernetes side not read: {}",
                failure.message
            );
        }
        cluster.kubernetes = k8s.into();
    } else if let Some(export) = &kube.export {
        cluster.kubernetes = sek_core::inventory::Read::Got(export.as_ref().clone());
    } else {
        return Ok(cluster);
    }
    // What the NodeClasses select and the nodes did not reference: a second, small pass.
    let extra = References::of_node_classes(&cluster);
    if !extra.is_empty() {
        references::read(aws, &[&extra])
            .await
            .add_to(&extra, &mut cluster);
    }
    Ok(cluster)
}

/// The levels of a fleet the progress display counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Accounts.
    Account,
    /// Account-regions.
    Region,
    /// Clusters.
    Cluster,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_account_comes_from_the_role_arn() {
        assert_eq!(
            account_of_role("arn:aws:iam::111122223333:role/sek-audit").as_deref(),
            Some("111122223333")
        );
        assert_eq!(
            account_of_role("arn:aws-cn:iam::444455556666:role/path/sek").as_deref(),
            Some("444455556666")
        );
        assert_eq!(account_of_role("sek-audit"), None);
        assert_eq!(account_of_role("arn:aws:iam::alias:role/x"), None);
    }

    #[test]
    fn only_named_clusters_in_one_region_of_the_callers_account_are_a_single_target() {
        let estate = |accounts, regions, clusters| Estate {
            accounts,
            regions,
            clusters,
            external_id: None,
        };
        let named = || Clusters::Named(vec!["prod".into()]);
        assert!(estate(Accounts::Caller, Regions::Default, named()).is_single_target());
        assert!(
            estate(
                Accounts::Caller,
                Regions::Listed(vec!["eu-west-1".into()]),
                named()
            )
            .is_single_target()
        );
        assert!(
            !estate(
                Accounts::Caller,
                Regions::Listed(vec!["eu-west-1".into(), "us-east-1".into()]),
                named()
            )
            .is_single_target()
        );
        assert!(!estate(Accounts::Caller, Regions::Default, Clusters::All).is_single_target());
        assert!(!estate(Accounts::Caller, Regions::AllEnabled, named()).is_single_target());
        assert!(
            !estate(
                Accounts::Roles(vec!["arn".into()]),
                Regions::Default,
                named()
            )
            .is_single_target()
        );
    }
}
