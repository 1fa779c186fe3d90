//! EC2 reads: node instances (by cluster tag or by id), launch template versions, security
//! groups, subnets, route tables, volumes, the nodes' AMIs, the VPC's flow logs, and the
//! region's EBS encryption default.
//!
//! Lookups by id use filters rather than id parameters: an id that no longer exists is then
//! simply absent (and reported by the check as not collected) instead of failing the whole batch.

mod instances;
mod network;
mod storage;
mod templates;

pub use self::instances::*;
pub use self::network::*;
pub use self::storage::*;
pub use self::templates::*;

use std::future::Future;

use aws_sdk_ec2::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_ec2::types::Filter;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use futures::future::join_all;
use sek_core::inventory::CollectError;

use super::{Aws, batches, timestamp};

fn filter(name: &str, values: impl IntoIterator<Item = impl Into<String>>) -> Filter {
    Filter::builder()
        .name(name)
        .set_values(Some(values.into_iter().map(Into::into).collect()))
        .build()
}

/// Run a paginated, filtered Describe call per batch of `ids`, concurrently. Items of every
/// batch that succeeded come back with one error per batch that failed.
async fn batched<O, T, E, F, Fut>(
    aws: &Aws,
    api: &'static str,
    ids: &[String],
    request: F,
    next: fn(&O) -> Option<&str>,
    items: fn(O) -> Vec<T>,
) -> (Vec<T>, Vec<CollectError>)
where
    F: Fn(Vec<String>, Option<String>) -> Fut,
    Fut: Future<Output = Result<O, SdkError<E, HttpResponse>>>,
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let request = &request;
    let results = join_all(batches(ids).map(|batch| async move {
        aws.paginate(api, &batch, |token| request(batch.clone(), token), next)
            .await
    }))
    .await;
    let mut found = Vec::new();
    let mut errors = Vec::new();
    for result in results {
        match result {
            Ok(pages) => found.extend(pages.into_iter().flat_map(items)),
            Err(err) => errors.push(err),
        }
    }
    (found, errors)
}

/// The regions enabled for the account (DescribeRegions without AllRegions: opted-in and
/// default regions, not the ones the account has not opted into), sorted.
pub async fn enabled_regions(aws: &Aws) -> Result<Vec<String>, CollectError> {
    let output = aws
        .call(
            "ec2:DescribeRegions",
            &[],
            aws.ec2.describe_regions().send(),
        )
        .await?;
    let mut regions: Vec<String> = output
        .regions()
        .iter()
        .filter(|r| r.opt_in_status() != Some("not-opted-in"))
        .filter_map(|r| r.region_name().map(String::from))
        .collect();
    regions.sort();
    Ok(regions)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use sek_core::inventory::Instance;

    use super::*;

    fn node(id: &str, tags: &[(&str, &str)]) -> Instance {
        Instance {
            id: id.into(),
            tags: tags
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ..Instance::default()
        }
    }

    fn found(
        by_cluster: &BTreeMap<String, Vec<Instance>>,
        cluster: &str,
    ) -> Vec<(String, Vec<String>)> {
        by_cluster
            .get(cluster)
            .into_iter()
            .flatten()
            .map(|n| (n.id.clone(), n.discovered_by.clone()))
            .collect()
    }

    #[test]
    fn a_region_read_gives_each_cluster_the_nodes_its_tag_queries_would_find() {
        let by_cluster = nodes_by_cluster([
            node(
                "i-managed",
                &[
                    ("eks:cluster-name", "prod"),
                    ("kubernetes.io/cluster/prod", "owned"),
                ],
            ),
            node(
                "i-self-managed",
                &[("kubernetes.io/cluster/prod", "shared")],
            ),
            node(
                "i-two-clusters",
                &[
                    ("kubernetes.io/cluster/prod", "shared"),
                    ("kubernetes.io/cluster/edge", "shared"),
                ],
            ),
            // Neither owned nor shared: not a node of `gone` (nor found by its tag query).
            node("i-released", &[("kubernetes.io/cluster/gone", "released")]),
            node("i-managed-edge", &[("eks:cluster-name", "edge")]),
        ]);
        let k8s = |c: &str| format!("tag:kubernetes.io/cluster/{c}");
        assert_eq!(
            found(&by_cluster, "prod"),
            vec![
                (
                    "i-managed".into(),
                    vec![k8s("prod"), "tag:eks:cluster-name".into()]
                ),
                ("i-self-managed".into(), vec![k8s("prod")]),
                ("i-two-clusters".into(), vec![k8s("prod")]),
            ]
        );
        assert_eq!(
            found(&by_cluster, "edge"),
            vec![
                ("i-two-clusters".into(), vec![k8s("edge")]),
                ("i-managed-edge".into(), vec!["tag:eks:cluster-name".into()]),
            ]
        );
        assert!(!by_cluster.contains_key("gone"));
        assert_eq!(by_cluster.len(), 2);
    }
}
