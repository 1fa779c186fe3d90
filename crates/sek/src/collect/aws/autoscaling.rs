//! Auto Scaling reads: the instances of the managed node groups' Auto Scaling groups.

use std::collections::BTreeMap;

use futures::future::join_all;
use sek_core::inventory::CollectError;

use super::Aws;

/// Names per DescribeAutoScalingGroups request.
const NAMES_PER_CALL: usize = 50;

/// Instance id -> `asg:<group>` for every instance of `groups`.
pub async fn group_instances(
    aws: &Aws,
    groups: &[String],
) -> (BTreeMap<String, String>, Vec<CollectError>) {
    let results = join_all(groups.chunks(NAMES_PER_CALL).map(|batch| async move {
        let batch = batch.to_vec();
        aws.paginate(
            "autoscaling:DescribeAutoScalingGroups",
            &batch,
            |token| {
                aws.autoscaling
                    .describe_auto_scaling_groups()
                    .set_auto_scaling_group_names(Some(batch.clone()))
                    .set_next_token(token)
                    .send()
            },
            |page| page.next_token(),
        )
        .await
    }))
    .await;
    let mut instances = BTreeMap::new();
    let mut errors = Vec::new();
    for result in results {
        match result {
            Ok(pages) => {
                for group in pages
                    .into_iter()
                    .flat_map(|p| p.auto_scaling_groups.unwrap_or_default())
                {
                    let origin =
                        format!("asg:{}", group.auto_scaling_group_name.unwrap_or_default());
                    for id in group
                        .instances
                        .unwrap_or_default()
                        .into_iter()
                        .filter_map(|i| i.instance_id)
                    {
                        instances.insert(id, origin.clone());
                    }
                }
            }
            Err(err) => errors.push(err),
        }
    }
    (instances, errors)
}
