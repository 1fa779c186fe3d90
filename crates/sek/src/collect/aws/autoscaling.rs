//! Auto Scaling reads: the instances of the managed node groups' Auto Scaling groups.

use std::collections::BTreeMap;

use aws_sdk_autoscaling::types::{AutoScalingGroup, Filter};
use futures::future::join_all;
use sek_core::inventory::CollectError;

use super::Aws;

/// Names per DescribeAutoScalingGroups request.
const NAMES_PER_CALL: usize = 50;

/// The tag EKS puts on a managed node group's Auto Scaling group (and on its instances).
const EKS_CLUSTER_TAG: &str = "eks:cluster-name";

/// Instance id -> `asg:<group>` for every instance of `groups`.
pub async fn group_instances(
    aws: &Aws,
    groups: &[String],
) -> (BTreeMap<String, String>, Vec<CollectError>) {
    let results = join_all(
        groups
            .chunks(NAMES_PER_CALL)
            .map(|batch| describe_groups(aws, batch, Some(batch.to_vec()), None)),
    )
    .await;
    let mut instances = BTreeMap::new();
    let mut errors = Vec::new();
    for result in results {
        match result {
            Ok(found) => {
                for (name, ids) in found {
                    mark_found_through(&mut instances, &name, ids);
                }
            }
            Err(err) => errors.push(err),
        }
    }
    (instances, errors)
}

/// Every Auto Scaling group of the region that EKS tagged as a node group's, by name, with its
/// instance ids: a few pages of 100 for all the region's clusters instead of a request per
/// cluster.
pub async fn eks_groups_in_region(
    aws: &Aws,
) -> Result<BTreeMap<String, Vec<String>>, CollectError> {
    let scope = [format!("every EKS Auto Scaling group in {}", aws.region)];
    let tagged = Filter::builder()
        .name("tag-key")
        .values(EKS_CLUSTER_TAG)
        .build();
    let found = describe_groups(aws, &scope, None, Some(tagged)).await?;
    Ok(found.into_iter().collect())
}

/// DescribeAutoScalingGroups by `names` or `filter`, every page: each group's name and
/// instance ids. `resources` name what the read is about in a failure.
async fn describe_groups(
    aws: &Aws,
    resources: &[String],
    names: Option<Vec<String>>,
    filter: Option<Filter>,
) -> Result<Vec<(String, Vec<String>)>, CollectError> {
    let pages = aws
        .paginate(
            "autoscaling:DescribeAutoScalingGroups",
            resources,
            |token| {
                aws.autoscaling
                    .describe_auto_scaling_groups()
                    .set_auto_scaling_group_names(names.clone())
                    .set_filters(filter.clone().map(|f| vec![f]))
                    .max_records(100)
                    .set_next_token(token)
                    .send()
            },
            |page| page.next_token(),
        )
        .await?;
    Ok(pages
        .into_iter()
        .flat_map(|p| p.auto_scaling_groups.unwrap_or_default())
        .map(name_and_instances)
        .collect())
}

/// Add the instances `ids` of the Auto Scaling group `group` to `instances` (id ->
/// `asg:<group>`, how each was found).
pub fn mark_found_through(instances: &mut BTreeMap<String, String>, group: &str, ids: Vec<String>) {
    let origin = format!("asg:{group}");
    instances.extend(ids.into_iter().map(|id| (id, origin.clone())));
}

fn name_and_instances(group: AutoScalingGroup) -> (String, Vec<String>) {
    let ids = group
        .instances
        .unwrap_or_default()
        .into_iter()
        .filter_map(|i| i.instance_id)
        .collect();
    (group.auto_scaling_group_name.unwrap_or_default(), ids)
}
