//! The nodes: instances found by cluster tag, by Auto Scaling group or by id.

use super::*;
use super::{Aws, timestamp};
use futures::future::join_all;
use sek_core::inventory::{AttachedVolume, CollectError, Instance, MetadataOptions};
use std::collections::BTreeMap;

/// Instance states that are (or can again be) nodes.
pub(super) const LIVE_STATES: [&str; 4] = ["pending", "running", "stopping", "stopped"];

pub(super) fn reservations_instances(
    output: aws_sdk_ec2::operation::describe_instances::DescribeInstancesOutput,
) -> Vec<aws_sdk_ec2::types::Instance> {
    output
        .reservations
        .unwrap_or_default()
        .into_iter()
        .flat_map(|r| r.instances.unwrap_or_default())
        .collect()
}

/// The tag EKS puts on managed nodes: its value is the cluster's name.
pub(super) const EKS_CLUSTER_TAG: &str = "eks:cluster-name";
/// The prefix of the Kubernetes cluster tag, `kubernetes.io/cluster/<name>`.
pub(super) const KUBERNETES_CLUSTER_TAG: &str = "kubernetes.io/cluster/";
/// The values of the Kubernetes cluster tag that make an instance one of the cluster's nodes.
pub(super) const NODE_OWNERSHIP: [&str; 2] = ["owned", "shared"];

/// How a node was found by one of the cluster tags, as listed in its `discovered_by`.
pub(super) fn found_by_tag(key: &str) -> String {
    format!("tag:{key}")
}

/// Self-managed (and managed) nodes found by the cluster tags: `kubernetes.io/cluster/<name>`
/// set to `owned` or `shared`, and `eks:cluster-name`. Each is a separate query because EC2
/// ANDs filters.
pub async fn instances_by_cluster_tags(
    aws: &Aws,
    cluster: &str,
) -> (Vec<Instance>, Vec<CollectError>) {
    let scope = [cluster.to_string()];
    let cluster_tag = format!("{KUBERNETES_CLUSTER_TAG}{cluster}");
    let queries = [
        (cluster_tag.as_str(), NODE_OWNERSHIP.to_vec()),
        (EKS_CLUSTER_TAG, vec![cluster]),
    ];
    let results = join_all(queries.iter().map(|(key, values)| {
        let scope = &scope;
        async move {
            let how = found_by_tag(key);
            let pages = aws
                .paginate(
                    "ec2:DescribeInstances",
                    scope,
                    |token| {
                        aws.ec2
                            .describe_instances()
                            .filters(filter(&how, values.iter().copied()))
                            .filters(filter("instance-state-name", LIVE_STATES))
                            .set_next_token(token)
                            .send()
                    },
                    |page| page.next_token(),
                )
                .await?;
            let instances: Vec<Instance> = pages
                .into_iter()
                .flat_map(reservations_instances)
                .map(|i| convert_instance(i, &how))
                .collect();
            Ok::<_, CollectError>(instances)
        }
    }))
    .await;
    let mut merged = Vec::new();
    let mut errors = Vec::new();
    for result in results {
        match result {
            Ok(instances) => merge_instances(&mut merged, instances),
            Err(err) => errors.push(err),
        }
    }
    (merged, errors)
}

/// The nodes of every cluster in a region, by cluster, for a scan of every cluster there: one
/// query for the instances that carry either cluster tag (EC2 ORs the values of one filter, and
/// `*` matches any cluster name), a few pages in all instead of two queries per cluster. Each
/// cluster's share is what [`instances_by_cluster_tags`] would have found.
pub async fn nodes_in_region(aws: &Aws) -> Result<BTreeMap<String, Vec<Instance>>, CollectError> {
    let scope = [format!("every cluster's nodes in {}", aws.region)];
    let tag_keys = [
        EKS_CLUSTER_TAG.to_string(),
        format!("{KUBERNETES_CLUSTER_TAG}*"),
    ];
    let pages = aws
        .paginate(
            "ec2:DescribeInstances",
            &scope,
            |token| {
                aws.ec2
                    .describe_instances()
                    .filters(filter("tag-key", tag_keys.clone()))
                    .filters(filter("instance-state-name", LIVE_STATES))
                    .max_results(1000)
                    .set_next_token(token)
                    .send()
            },
            |page| page.next_token(),
        )
        .await?;
    Ok(nodes_by_cluster(
        pages
            .into_iter()
            .flat_map(reservations_instances)
            .map(|i| convert_instance(i, "")),
    ))
}

/// Instances grouped by the clusters their tags name, each with the tag queries that would have
/// found it for that cluster (the Kubernetes tag first, as [`instances_by_cluster_tags`] lists
/// them). An instance can be a node of several clusters (`shared`).
pub(super) fn nodes_by_cluster(
    instances: impl IntoIterator<Item = Instance>,
) -> BTreeMap<String, Vec<Instance>> {
    let mut by_cluster: BTreeMap<String, Vec<Instance>> = BTreeMap::new();
    for instance in instances {
        let mut found: Vec<(String, String)> = instance
            .tags
            .iter()
            .filter_map(|(key, value)| {
                let cluster = key.strip_prefix(KUBERNETES_CLUSTER_TAG)?;
                NODE_OWNERSHIP
                    .contains(&value.as_str())
                    .then(|| (cluster.to_string(), found_by_tag(key)))
            })
            .collect();
        if let Some(cluster) = instance.tags.get(EKS_CLUSTER_TAG) {
            found.push((cluster.clone(), found_by_tag(EKS_CLUSTER_TAG)));
        }
        let mut hows_by_cluster: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (cluster, how) in found {
            hows_by_cluster.entry(cluster).or_default().push(how);
        }
        for (cluster, hows) in hows_by_cluster {
            let mut node = instance.clone();
            node.discovered_by = hows;
            by_cluster.entry(cluster).or_default().push(node);
        }
    }
    by_cluster
}

/// Instances by id (those found through Auto Scaling groups), each tagged with how it was found.
pub async fn instances_by_id(
    aws: &Aws,
    ids: &BTreeMap<String, String>,
) -> (Vec<Instance>, Vec<CollectError>) {
    let id_list: Vec<String> = ids.keys().cloned().collect();
    let (found, errors) = batched(
        aws,
        "ec2:DescribeInstances",
        &id_list,
        |batch, token| {
            aws.ec2
                .describe_instances()
                .filters(filter("instance-id", batch))
                .filters(filter("instance-state-name", LIVE_STATES))
                .set_next_token(token)
                .send()
        },
        |page| page.next_token(),
        reservations_instances,
    )
    .await;
    let instances = found
        .into_iter()
        .map(|instance| {
            let how = instance
                .instance_id
                .as_ref()
                .and_then(|id| ids.get(id))
                .cloned()
                .unwrap_or_default();
            convert_instance(instance, &how)
        })
        .collect();
    (instances, errors)
}

/// Add `more` to `into`, merging the `discovered_by` of instances found twice.
pub fn merge_instances(into: &mut Vec<Instance>, more: Vec<Instance>) {
    for instance in more {
        match into.iter_mut().find(|known| known.id == instance.id) {
            Some(known) => {
                for how in instance.discovered_by {
                    if !known.discovered_by.contains(&how) {
                        known.discovered_by.push(how);
                    }
                }
            }
            None => into.push(instance),
        }
    }
}

pub(super) fn convert_instance(i: aws_sdk_ec2::types::Instance, discovered_by: &str) -> Instance {
    let tags: BTreeMap<String, String> = i
        .tags
        .unwrap_or_default()
        .into_iter()
        .filter_map(|t| Some((t.key?, t.value.unwrap_or_default())))
        .collect();
    let mut security_group_ids: Vec<String> = i
        .security_groups
        .unwrap_or_default()
        .into_iter()
        .filter_map(|g| g.group_id)
        .collect();
    for interface in i.network_interfaces.unwrap_or_default() {
        for group in interface
            .groups
            .unwrap_or_default()
            .into_iter()
            .filter_map(|g| g.group_id)
        {
            if !security_group_ids.contains(&group) {
                security_group_ids.push(group);
            }
        }
    }
    let managed_by = i
        .operator
        .filter(|o| o.managed == Some(true))
        .and_then(|o| o.principal);
    Instance {
        managed_by,
        id: i.instance_id.unwrap_or_default(),
        state: i.state.and_then(|s| s.name).map(|n| n.as_str().to_string()),
        launch_time: timestamp(i.launch_time.as_ref()),
        image_id: i.image_id,
        instance_type: i.instance_type.map(|t| t.as_str().to_string()),
        private_ip: i.private_ip_address,
        public_ip: i.public_ip_address.filter(|ip| !ip.is_empty()),
        public_dns: i.public_dns_name.filter(|dns| !dns.is_empty()),
        subnet_id: i.subnet_id,
        vpc_id: i.vpc_id,
        security_group_ids,
        iam_instance_profile_arn: i.iam_instance_profile.and_then(|p| p.arn),
        metadata_options: i.metadata_options.map(|m| MetadataOptions {
            http_tokens: m.http_tokens.map(|t| t.as_str().to_string()),
            http_put_response_hop_limit: m.http_put_response_hop_limit,
            http_endpoint: m.http_endpoint.map(|e| e.as_str().to_string()),
        }),
        volumes: i
            .block_device_mappings
            .unwrap_or_default()
            .into_iter()
            .filter_map(|m| {
                let volume_id = m.ebs?.volume_id?;
                Some(AttachedVolume {
                    device_name: m.device_name,
                    volume_id,
                })
            })
            .collect(),
        key_name: i.key_name,
        nodegroup: tags.get("eks:nodegroup-name").cloned(),
        discovered_by: if discovered_by.is_empty() {
            Vec::new()
        } else {
            vec![discovered_by.to_string()]
        },
        tags,
    }
}
