//! EC2 reads: node instances (by cluster tag or by id), launch template versions, security
//! groups, subnets, route tables, volumes, the nodes' AMIs, the VPC's flow logs, and the
//! region's EBS encryption default.
//!
//! Lookups by id use filters rather than id parameters: an id that no longer exists is then
//! simply absent (and reported by the check as not collected) instead of failing the whole batch.

use std::collections::BTreeMap;
use std::future::Future;

use aws_sdk_ec2::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_ec2::operation::describe_route_tables::DescribeRouteTablesOutput;
use aws_sdk_ec2::types::Filter;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use futures::future::join_all;
use sek_core::inventory::{
    AttachedVolume, CollectError, FlowLog, Image, Instance, IpPermission, LaunchTemplateVersion,
    MetadataOptions, Route, RouteTable, SecurityGroup, Subnet, TemplateBlockDevice, Volume,
};

use super::{Aws, batches, timestamp};

fn filter(name: &str, values: impl IntoIterator<Item = impl Into<String>>) -> Filter {
    Filter::builder()
        .name(name)
        .set_values(Some(values.into_iter().map(Into::into).collect()))
        .build()
}

/// Instance states that are (or can again be) nodes.
const LIVE_STATES: [&str; 4] = ["pending", "running", "stopping", "stopped"];

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

fn reservations_instances(
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
const EKS_CLUSTER_TAG: &str = "eks:cluster-name";
/// The prefix of the Kubernetes cluster tag, `kubernetes.io/cluster/<name>`.
const KUBERNETES_CLUSTER_TAG: &str = "kubernetes.io/cluster/";
/// The values of the Kubernetes cluster tag that make an instance one of the cluster's nodes.
const NODE_OWNERSHIP: [&str; 2] = ["owned", "shared"];

/// How a node was found by one of the cluster tags, as listed in its `discovered_by`.
fn found_by_tag(key: &str) -> String {
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
fn nodes_by_cluster(
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

fn convert_instance(i: aws_sdk_ec2::types::Instance, discovered_by: &str) -> Instance {
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
    Instance {
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

/// A launch template version to read: template id (or name) and version.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct TemplateKey {
    /// `lt-...` id, or a name when only the name is known.
    pub template: String,
    /// Whether `template` is an id.
    pub by_id: bool,
    /// Version number, `$Latest` or `$Default`.
    pub version: String,
}

/// DescribeLaunchTemplateVersions, one call per template with all its wanted versions.
pub async fn launch_template_versions(
    aws: &Aws,
    keys: &[TemplateKey],
) -> (Vec<LaunchTemplateVersion>, Vec<CollectError>) {
    let mut by_template: BTreeMap<(&str, bool), Vec<String>> = BTreeMap::new();
    for key in keys {
        let versions = by_template.entry((&key.template, key.by_id)).or_default();
        if !versions.contains(&key.version) {
            versions.push(key.version.clone());
        }
    }
    let results = join_all(by_template.into_iter().map(
        |((template, by_id), versions)| async move {
            let resources = [template.to_string()];
            let request = aws
                .ec2
                .describe_launch_template_versions()
                .set_versions(Some(versions));
            let request = if by_id {
                request.launch_template_id(template)
            } else {
                request.launch_template_name(template)
            };
            aws.call(
                "ec2:DescribeLaunchTemplateVersions",
                &resources,
                request.send(),
            )
            .await
        },
    ))
    .await;
    let mut versions = Vec::new();
    let mut errors = Vec::new();
    for result in results {
        match result {
            Ok(output) => versions.extend(
                output
                    .launch_template_versions
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(convert_template),
            ),
            Err(err) => errors.push(err),
        }
    }
    (versions, errors)
}

fn convert_template(v: aws_sdk_ec2::types::LaunchTemplateVersion) -> Option<LaunchTemplateVersion> {
    let data = v.launch_template_data?;
    let interfaces = data.network_interfaces.unwrap_or_default();
    let mut security_group_ids = data.security_group_ids.unwrap_or_default();
    for group in interfaces
        .iter()
        .flat_map(|i| i.groups.clone().unwrap_or_default())
    {
        if !security_group_ids.contains(&group) {
            security_group_ids.push(group);
        }
    }
    Some(LaunchTemplateVersion {
        id: v.launch_template_id?,
        name: v.launch_template_name,
        version: v.version_number?,
        metadata_options: data.metadata_options.map(|m| MetadataOptions {
            http_tokens: m.http_tokens.map(|t| t.as_str().to_string()),
            http_put_response_hop_limit: m.http_put_response_hop_limit,
            http_endpoint: m.http_endpoint.map(|e| e.as_str().to_string()),
        }),
        block_devices: data
            .block_device_mappings
            .unwrap_or_default()
            .into_iter()
            .map(|m| TemplateBlockDevice {
                device_name: m.device_name,
                ebs: m.ebs.is_some() && m.no_device.is_none(),
                encrypted: m.ebs.as_ref().and_then(|e| e.encrypted),
                kms_key_id: m.ebs.and_then(|e| e.kms_key_id),
            })
            .collect(),
        image_id: data.image_id,
        key_name: data.key_name,
        security_group_ids,
        associate_public_ip: interfaces
            .iter()
            .filter_map(|i| i.associate_public_ip_address)
            .reduce(|a, b| a || b),
    })
}

/// DescribeSecurityGroups by id.
pub async fn security_groups(aws: &Aws, ids: &[String]) -> (Vec<SecurityGroup>, Vec<CollectError>) {
    let (found, errors) = batched(
        aws,
        "ec2:DescribeSecurityGroups",
        ids,
        |batch, token| {
            aws.ec2
                .describe_security_groups()
                .filters(filter("group-id", batch))
                .set_next_token(token)
                .send()
        },
        |page| page.next_token(),
        |page| page.security_groups.unwrap_or_default(),
    )
    .await;
    let groups = found
        .into_iter()
        .map(|g| SecurityGroup {
            id: g.group_id.unwrap_or_default(),
            name: g.group_name,
            vpc_id: g.vpc_id,
            owner_id: g.owner_id,
            ingress: g
                .ip_permissions
                .unwrap_or_default()
                .into_iter()
                .map(convert_permission)
                .collect(),
            egress: g
                .ip_permissions_egress
                .unwrap_or_default()
                .into_iter()
                .map(convert_permission)
                .collect(),
        })
        .collect();
    (groups, errors)
}

fn convert_permission(p: aws_sdk_ec2::types::IpPermission) -> IpPermission {
    IpPermission {
        protocol: p.ip_protocol.unwrap_or_else(|| "-1".to_string()),
        from_port: p.from_port,
        to_port: p.to_port,
        ipv4_ranges: p
            .ip_ranges
            .unwrap_or_default()
            .into_iter()
            .filter_map(|r| r.cidr_ip)
            .collect(),
        ipv6_ranges: p
            .ipv6_ranges
            .unwrap_or_default()
            .into_iter()
            .filter_map(|r| r.cidr_ipv6)
            .collect(),
        prefix_list_ids: p
            .prefix_list_ids
            .unwrap_or_default()
            .into_iter()
            .filter_map(|r| r.prefix_list_id)
            .collect(),
        source_groups: p
            .user_id_group_pairs
            .unwrap_or_default()
            .into_iter()
            .filter_map(|g| g.group_id)
            .collect(),
    }
}

/// DescribeSubnets by id.
pub async fn subnets(aws: &Aws, ids: &[String]) -> (Vec<Subnet>, Vec<CollectError>) {
    let (found, errors) = batched(
        aws,
        "ec2:DescribeSubnets",
        ids,
        |batch, token| {
            aws.ec2
                .describe_subnets()
                .filters(filter("subnet-id", batch))
                .set_next_token(token)
                .send()
        },
        |page| page.next_token(),
        |page| page.subnets.unwrap_or_default(),
    )
    .await;
    let subnets = found
        .into_iter()
        .map(|s| Subnet {
            id: s.subnet_id.unwrap_or_default(),
            vpc_id: s.vpc_id,
            cidr_block: s.cidr_block,
            availability_zone: s.availability_zone,
            map_public_ip_on_launch: s.map_public_ip_on_launch,
        })
        .collect();
    (subnets, errors)
}

/// Every route table of `vpc_ids`: the explicitly associated tables and the main tables, which
/// route the subnets without an explicit association. One query per VPC batch.
pub async fn route_tables(aws: &Aws, vpc_ids: &[String]) -> (Vec<RouteTable>, Vec<CollectError>) {
    let (tables, errors) = batched(
        aws,
        "ec2:DescribeRouteTables",
        vpc_ids,
        |batch, token| {
            aws.ec2
                .describe_route_tables()
                .filters(filter("vpc-id", batch))
                .set_next_token(token)
                .send()
        },
        route_tables_next,
        route_tables_items,
    )
    .await;
    (
        tables.into_iter().map(convert_route_table).collect(),
        errors,
    )
}

fn route_tables_next(page: &DescribeRouteTablesOutput) -> Option<&str> {
    page.next_token()
}

fn route_tables_items(page: DescribeRouteTablesOutput) -> Vec<aws_sdk_ec2::types::RouteTable> {
    page.route_tables.unwrap_or_default()
}

fn convert_route_table(t: aws_sdk_ec2::types::RouteTable) -> RouteTable {
    let associations = t.associations.unwrap_or_default();
    RouteTable {
        id: t.route_table_id.unwrap_or_default(),
        vpc_id: t.vpc_id,
        main: associations.iter().any(|a| a.main == Some(true)),
        subnet_ids: associations
            .into_iter()
            .filter_map(|a| a.subnet_id)
            .collect(),
        routes: t
            .routes
            .unwrap_or_default()
            .into_iter()
            .map(|r| Route {
                destination: r
                    .destination_cidr_block
                    .or(r.destination_ipv6_cidr_block)
                    .or(r.destination_prefix_list_id),
                target: r
                    .gateway_id
                    .or(r.nat_gateway_id)
                    .or(r.egress_only_internet_gateway_id)
                    .or(r.transit_gateway_id)
                    .or(r.vpc_peering_connection_id)
                    .or(r.network_interface_id)
                    .or(r.instance_id)
                    .or(r.local_gateway_id)
                    .or(r.carrier_gateway_id)
                    .or(r.core_network_arn),
                state: r.state.map(|s| s.as_str().to_string()),
            })
            .collect(),
    }
}

/// DescribeVolumes by id.
pub async fn volumes(aws: &Aws, ids: &[String]) -> (Vec<Volume>, Vec<CollectError>) {
    let (found, errors) = batched(
        aws,
        "ec2:DescribeVolumes",
        ids,
        |batch, token| {
            aws.ec2
                .describe_volumes()
                .filters(filter("volume-id", batch))
                .set_next_token(token)
                .send()
        },
        |page| page.next_token(),
        |page| page.volumes.unwrap_or_default(),
    )
    .await;
    let volumes = found
        .into_iter()
        .map(|v| Volume {
            id: v.volume_id.unwrap_or_default(),
            encrypted: v.encrypted,
            kms_key_id: v.kms_key_id,
            size_gib: v.size,
            volume_type: v.volume_type.map(|t| t.as_str().to_string()),
            attached_to: v
                .attachments
                .unwrap_or_default()
                .into_iter()
                .filter_map(|a| a.instance_id)
                .collect(),
        })
        .collect();
    (volumes, errors)
}

/// DescribeImages by id (deprecated images included: old nodes run them).
pub async fn images(aws: &Aws, ids: &[String]) -> (Vec<Image>, Vec<CollectError>) {
    let (found, errors) = batched(
        aws,
        "ec2:DescribeImages",
        ids,
        |batch, token| {
            aws.ec2
                .describe_images()
                .filters(filter("image-id", batch))
                .include_deprecated(true)
                .set_next_token(token)
                .send()
        },
        |page| page.next_token(),
        |page| page.images.unwrap_or_default(),
    )
    .await;
    let images = found
        .into_iter()
        .map(|image| Image {
            id: image.image_id.unwrap_or_default(),
            name: image.name,
            owner_id: image.owner_id,
            owner_alias: image.image_owner_alias,
            description: image.description,
        })
        .collect();
    (images, errors)
}

/// DescribeFlowLogs of `vpc_ids`.
pub async fn flow_logs(aws: &Aws, vpc_ids: &[String]) -> Result<Vec<FlowLog>, CollectError> {
    let (found, mut errors) = batched(
        aws,
        "ec2:DescribeFlowLogs",
        vpc_ids,
        |batch, token| {
            aws.ec2
                .describe_flow_logs()
                .filter(filter("resource-id", batch))
                .set_next_token(token)
                .send()
        },
        |page| page.next_token(),
        |page| page.flow_logs.unwrap_or_default(),
    )
    .await;
    if let Some(err) = errors.pop() {
        return Err(err);
    }
    Ok(found
        .into_iter()
        .map(|log| FlowLog {
            id: log.flow_log_id.unwrap_or_default(),
            resource_id: log.resource_id,
            status: log.flow_log_status,
            traffic_type: log.traffic_type.map(|t| t.as_str().to_string()),
            deliver_logs_status: log.deliver_logs_status,
            deliver_logs_error: log.deliver_logs_error_message,
        })
        .collect())
}

/// GetEbsEncryptionByDefault: whether new volumes in the region are encrypted.
pub async fn ebs_encryption_by_default(aws: &Aws) -> Result<bool, CollectError> {
    let output = aws
        .call(
            "ec2:GetEbsEncryptionByDefault",
            &[],
            aws.ec2.get_ebs_encryption_by_default().send(),
        )
        .await?;
    Ok(output.ebs_encryption_by_default.unwrap_or(false))
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
