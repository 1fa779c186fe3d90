//! Reads made once for all the clusters of a region when a scan covers every cluster there: the
//! region's tagged nodes, the Auto Scaling groups EKS tagged, and the log groups under
//! `/aws/eks/`. Each is a few pages instead of one or two requests per cluster; the first cluster
//! to ask reads, the others wait for that read and take their share.
//!
//! A region-wide read that fails is not each cluster's failure: the clusters fall back to their own
//! reads, so one throttled page does not blank every cluster, and a failure they meet is
//! reported with the cluster it concerns.

use std::collections::BTreeMap;
use std::future::Future;

use sek_core::inventory::{CollectError, Instance, LogGroup};
use tokio::sync::OnceCell;

use super::aws::{Aws, autoscaling, ec2, logs};

/// What a region's clusters share, read at most once per scan; or, for clusters named one by
/// one, nothing shared: each cluster makes its own reads, the same path a failed shared read
/// falls back to.
pub struct RegionWide {
    nodes: Once<BTreeMap<String, Vec<Instance>>>,
    autoscaling_groups: Once<BTreeMap<String, Vec<String>>>,
    log_groups: Once<Vec<LogGroup>>,
}

impl RegionWide {
    /// Shared reads, for a scan of every cluster of the region.
    pub fn shared() -> Self {
        RegionWide {
            nodes: Once::shared(),
            autoscaling_groups: Once::shared(),
            log_groups: Once::shared(),
        }
    }

    /// No shared reads: named clusters read nothing of the others'.
    pub fn per_cluster() -> Self {
        RegionWide {
            nodes: Once::off(),
            autoscaling_groups: Once::off(),
            log_groups: Once::off(),
        }
    }

    /// The nodes `cluster`'s tags name.
    pub async fn nodes_of(&self, aws: &Aws, cluster: &str) -> (Vec<Instance>, Vec<CollectError>) {
        match self.nodes.get(|| ec2::nodes_in_region(aws)).await {
            Some(by_cluster) => (by_cluster.get(cluster).cloned().unwrap_or_default(), vec![]),
            None => ec2::instances_by_cluster_tags(aws, cluster).await,
        }
    }

    /// Instance id -> `asg:<group>` for every instance of the Auto Scaling groups `groups`.
    /// Groups that are not in the region's read (their EKS tag removed, or not EKS's) are read
    /// by name.
    pub async fn group_instances(
        &self,
        aws: &Aws,
        groups: &[String],
    ) -> (BTreeMap<String, String>, Vec<CollectError>) {
        let region = self
            .autoscaling_groups
            .get(|| autoscaling::eks_groups_in_region(aws))
            .await;
        let mut instances = BTreeMap::new();
        let mut unread = Vec::new();
        for group in groups {
            match region.and_then(|r| r.get(group)) {
                Some(ids) => autoscaling::mark_found_through(&mut instances, group, ids.clone()),
                None => unread.push(group.clone()),
            }
        }
        if unread.is_empty() {
            return (instances, vec![]);
        }
        let (more, errors) = autoscaling::group_instances(aws, &unread).await;
        instances.extend(more);
        (instances, errors)
    }

    /// The log groups whose names start with `cluster`'s control plane prefix, as
    /// [`logs::control_plane_log_groups`] reads them.
    pub async fn log_groups_of(
        &self,
        aws: &Aws,
        cluster: &str,
    ) -> Result<Vec<LogGroup>, CollectError> {
        match self
            .log_groups
            .get(|| logs::eks_log_groups_in_region(aws))
            .await
        {
            Some(groups) => {
                let prefix = logs::control_plane_prefix(cluster);
                Ok(groups
                    .iter()
                    .filter(|g| g.name.starts_with(&prefix))
                    .cloned()
                    .collect())
            }
            None => logs::control_plane_log_groups(aws, cluster).await,
        }
    }
}

/// One region-wide read: made by the first caller, shared with the others; `None` when it is
/// off or failed (logged; the request still counts in the scan's API calls).
struct Once<T>(Option<OnceCell<Option<T>>>);

impl<T> Once<T> {
    fn shared() -> Self {
        Once(Some(OnceCell::new()))
    }

    fn off() -> Self {
        Once(None)
    }

    async fn get<F, Fut>(&self, read: F) -> Option<&T>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, CollectError>>,
    {
        self.0
            .as_ref()?
            .get_or_init(|| async {
                match read().await {
                    Ok(value) => Some(value),
                    Err(err) => {
                        tracing::warn!(
                            api = err.api,
                            error = %err.message,
                            "a region-wide read failed; each cluster reads its own"
                        );
                        None
                    }
                }
            })
            .await
            .as_ref()
    }
}
