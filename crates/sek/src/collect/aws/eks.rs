//! EKS reads: the cluster, its managed node groups, updates, add-ons and Fargate profiles, the
//! region's Kubernetes versions, and the cluster list (for "did you mean").

use sek_core::inventory::{
    AccessConfig, Addon, AddonVersions, AutoMode, ClusterUpdate, ClusterVersion, ClusterVpcConfig,
    CollectError, EksCluster, EncryptionConfig, FargateProfile, HealthIssue, Insight,
    LaunchTemplateRef, LogSetup, Nodegroup, RemoteAccess, RemoteNetwork,
};

use super::{Aws, complete, each, timestamp};

/// Every item (the output's `$field`) of the EKS list operation `$op` about cluster `$cluster`,
/// page by page: `Result<Vec<_>, CollectError>`.
macro_rules! eks_list {
    ($aws:expr, $action:literal, $cluster:expr, $op:ident, $field:ident) => {{
        let cluster: &str = $cluster;
        let scope = [cluster.to_string()];
        $aws.paginate(
            $action,
            &scope,
            |token| {
                $aws.eks
                    .$op()
                    .cluster_name(cluster)
                    .set_next_token(token)
                    .send()
            },
            |page| page.next_token(),
        )
        .await
        .map(|pages| {
            pages
                .into_iter()
                .flat_map(|page| page.$field.unwrap_or_default())
                .collect::<Vec<_>>()
        })
    }};
}
pub(super) use eks_list;

/// DescribeCluster.
pub async fn describe_cluster(aws: &Aws, name: &str) -> Result<EksCluster, CollectError> {
    let resources = [name.to_string()];
    let output = aws
        .call(
            "eks:DescribeCluster",
            &resources,
            aws.eks.describe_cluster().name(name).send(),
        )
        .await?;
    let Some(cluster) = output.cluster else {
        return Err(CollectError::new(
            "eks:DescribeCluster",
            resources.to_vec(),
            sek_core::inventory::ErrorKind::Other,
            "the response held no cluster",
        ));
    };
    Ok(convert_cluster(cluster, name))
}

fn convert_cluster(cluster: aws_sdk_eks::types::Cluster, name: &str) -> EksCluster {
    // NOTE: the SDK models endpointPublicAccess/endpointPrivateAccess as plain booleans, so an
    // absent field reads as false. EKS always returns both; an emulator may not.
    let vpc = cluster.resources_vpc_config.map(|vpc| ClusterVpcConfig {
        vpc_id: vpc.vpc_id,
        subnet_ids: vpc.subnet_ids.unwrap_or_default(),
        security_group_ids: vpc.security_group_ids.unwrap_or_default(),
        cluster_security_group_id: vpc.cluster_security_group_id.filter(|id| !id.is_empty()),
        endpoint_public_access: Some(vpc.endpoint_public_access),
        endpoint_private_access: Some(vpc.endpoint_private_access),
        public_access_cidrs: vpc.public_access_cidrs.unwrap_or_default(),
    });
    let logging = cluster
        .logging
        .and_then(|l| l.cluster_logging)
        .unwrap_or_default()
        .into_iter()
        .map(|setup| LogSetup {
            types: setup
                .types
                .unwrap_or_default()
                .iter()
                .map(|t| t.as_str().to_string())
                .collect(),
            enabled: setup.enabled,
        })
        .collect();
    // NOTE: `resources` is deprecated since EKS encrypts all Kubernetes API data (1.28+); it is
    // kept as evidence of what older clusters were configured with.
    #[allow(deprecated)]
    let encryption = cluster
        .encryption_config
        .unwrap_or_default()
        .into_iter()
        .map(|config| EncryptionConfig {
            resources: config.resources.unwrap_or_default(),
            key_arn: config.provider.and_then(|p| p.key_arn),
        })
        .collect();
    let load_balancing = cluster
        .kubernetes_network_config
        .and_then(|k| k.elastic_load_balancing)
        .and_then(|e| e.enabled);
    let block_storage = cluster
        .storage_config
        .and_then(|s| s.block_storage)
        .and_then(|b| b.enabled);
    let auto_mode = match (cluster.compute_config, block_storage, load_balancing) {
        (None, None, None) => None,
        (compute, block_storage, load_balancing) => {
            let (enabled, node_pools, node_role_arn) = match compute {
                Some(c) => (c.enabled, c.node_pools, c.node_role_arn),
                None => (None, None, None),
            };
            Some(AutoMode {
                compute: enabled.unwrap_or(false),
                node_pools: node_pools.unwrap_or_default(),
                node_role_arn: node_role_arn.filter(|arn| !arn.is_empty()),
                block_storage: block_storage.unwrap_or(false),
                load_balancing: load_balancing.unwrap_or(false),
            })
        }
    };
    let remote_network = cluster.remote_network_config.map(|remote| RemoteNetwork {
        node_cidrs: remote
            .remote_node_networks
            .unwrap_or_default()
            .into_iter()
            .flat_map(|n| n.cidrs.unwrap_or_default())
            .collect(),
        pod_cidrs: remote
            .remote_pod_networks
            .unwrap_or_default()
            .into_iter()
            .flat_map(|n| n.cidrs.unwrap_or_default())
            .collect(),
    });
    EksCluster {
        auto_mode,
        remote_network,
        name: cluster.name.unwrap_or_else(|| name.to_string()),
        arn: cluster.arn.unwrap_or_default(),
        version: cluster.version,
        status: cluster.status.map(|s| s.as_str().to_string()),
        platform_version: cluster.platform_version,
        endpoint: cluster.endpoint,
        certificate_authority: cluster.certificate_authority.and_then(|ca| ca.data),
        deletion_protection: cluster.deletion_protection,
        role_arn: cluster.role_arn,
        created_at: timestamp(cluster.created_at.as_ref()),
        vpc: vpc.unwrap_or_default(),
        logging,
        encryption,
        oidc_issuer: cluster.identity.and_then(|i| i.oidc).and_then(|o| o.issuer),
        tags: cluster.tags.unwrap_or_default().into_iter().collect(),
        access_config: cluster.access_config.map(|access| AccessConfig {
            authentication_mode: access.authentication_mode.map(|m| m.as_str().to_string()),
            bootstrap_cluster_creator_admin_permissions: access
                .bootstrap_cluster_creator_admin_permissions,
        }),
        health_issues: cluster
            .health
            .and_then(|h| h.issues)
            .unwrap_or_default()
            .into_iter()
            .map(|issue| HealthIssue {
                code: issue.code.map(|c| c.as_str().to_string()),
                message: issue.message,
                resources: issue.resource_ids.unwrap_or_default(),
            })
            .collect(),
        support_type: cluster
            .upgrade_policy
            .and_then(|p| p.support_type)
            .map(|t| t.as_str().to_string()),
    }
}

/// ListNodegroups, then DescribeNodegroup for each, concurrently. Failures are returned beside
/// the node groups that could be read.
pub async fn nodegroups(aws: &Aws, cluster: &str) -> (Vec<Nodegroup>, Vec<CollectError>) {
    let names = match eks_list!(
        aws,
        "eks:ListNodegroups",
        cluster,
        list_nodegroups,
        nodegroups
    ) {
        Ok(names) => names,
        Err(err) => return (Vec::new(), vec![err]),
    };
    each(&names, |name| async move {
        let resources = [name.clone()];
        aws.call(
            "eks:DescribeNodegroup",
            &resources,
            aws.eks
                .describe_nodegroup()
                .cluster_name(cluster)
                .nodegroup_name(name)
                .send(),
        )
        .await
        .map(|out| out.nodegroup.map(|ng| convert_nodegroup(ng, name)))
    })
    .await
}

fn convert_nodegroup(ng: aws_sdk_eks::types::Nodegroup, name: &str) -> Nodegroup {
    let (groups, remote_access_security_group) = match ng.resources {
        Some(resources) => (
            resources.auto_scaling_groups.unwrap_or_default(),
            resources.remote_access_security_group,
        ),
        None => (Vec::new(), None),
    };
    Nodegroup {
        name: ng.nodegroup_name.unwrap_or_else(|| name.to_string()),
        arn: ng.nodegroup_arn,
        status: ng.status.map(|s| s.as_str().to_string()),
        version: ng.version,
        release_version: ng.release_version,
        ami_type: ng.ami_type.map(|t| t.as_str().to_string()),
        capacity_type: ng.capacity_type.map(|t| t.as_str().to_string()),
        node_role: ng.node_role,
        subnets: ng.subnets.unwrap_or_default(),
        instance_types: ng.instance_types.unwrap_or_default(),
        remote_access: ng.remote_access.map(|ra| RemoteAccess {
            ec2_ssh_key: ra.ec2_ssh_key,
            source_security_groups: ra.source_security_groups.unwrap_or_default(),
        }),
        launch_template: ng.launch_template.map(|lt| LaunchTemplateRef {
            id: lt.id,
            name: lt.name,
            version: lt.version,
        }),
        autoscaling_groups: groups.into_iter().filter_map(|g| g.name).collect(),
        remote_access_security_group,
        created_at: timestamp(ng.created_at.as_ref()),
        tags: ng.tags.unwrap_or_default().into_iter().collect(),
    }
}

/// ListClusters: every cluster name in the region.
pub async fn list_clusters(aws: &Aws) -> Result<Vec<String>, CollectError> {
    let pages = aws
        .paginate(
            "eks:ListClusters",
            &[],
            |token| aws.eks.list_clusters().set_next_token(token).send(),
            |page| page.next_token(),
        )
        .await?;
    Ok(pages
        .into_iter()
        .flat_map(|p| p.clusters.unwrap_or_default())
        .collect())
}

/// What an update concerns: the control plane, a node group or an add-on (ListUpdates and
/// DescribeUpdate take the node group's or the add-on's name).
#[derive(Debug, Clone, Default)]
pub struct UpdateOwner {
    /// The node group, if it is one.
    pub nodegroup: Option<String>,
    /// The add-on, if it is one.
    pub addon: Option<String>,
}

/// ListUpdates for the cluster, each node group and each add-on, then DescribeUpdate for each
/// update.
pub async fn updates(
    aws: &Aws,
    cluster: &str,
    nodegroups: &[String],
    addons: &[String],
) -> Result<Vec<ClusterUpdate>, CollectError> {
    let owners: Vec<UpdateOwner> = std::iter::once(UpdateOwner::default())
        .chain(nodegroups.iter().map(|ng| UpdateOwner {
            nodegroup: Some(ng.clone()),
            addon: None,
        }))
        .chain(addons.iter().map(|addon| UpdateOwner {
            nodegroup: None,
            addon: Some(addon.clone()),
        }))
        .collect();
    let (lists, mut errors) = each(&owners, |owner| async move {
        let scope = [cluster.to_string()];
        let pages = aws
            .paginate(
                "eks:ListUpdates",
                &scope,
                |token| {
                    aws.eks
                        .list_updates()
                        .name(cluster)
                        .set_nodegroup_name(owner.nodegroup.clone())
                        .set_addon_name(owner.addon.clone())
                        .set_next_token(token)
                        .send()
                },
                |page| page.next_token(),
            )
            .await?;
        let ids: Vec<(UpdateOwner, String)> = pages
            .into_iter()
            .flat_map(|p| p.update_ids.unwrap_or_default())
            .map(|id| (owner.clone(), id))
            .collect();
        Ok(Some(ids))
    })
    .await;
    if let Some(err) = errors.pop() {
        // Without every list, a failed update could be missed: report the list as unread.
        return Err(err);
    }
    let ids: Vec<(UpdateOwner, String)> = lists.into_iter().flatten().collect();
    complete(
        each(&ids, |(owner, id)| async move {
            let resources = [id.clone()];
            let output = aws
                .call(
                    "eks:DescribeUpdate",
                    &resources,
                    aws.eks
                        .describe_update()
                        .name(cluster)
                        .update_id(id)
                        .set_nodegroup_name(owner.nodegroup.clone())
                        .set_addon_name(owner.addon.clone())
                        .send(),
                )
                .await?;
            Ok(output.update.map(|update| ClusterUpdate {
                id: update.id.unwrap_or_else(|| id.clone()),
                nodegroup: owner.nodegroup.clone(),
                addon: owner.addon.clone(),
                kind: update.r#type.map(|t| t.as_str().to_string()),
                status: update.status.map(|s| s.as_str().to_string()),
                created_at: timestamp(update.created_at.as_ref()),
                errors: update
                    .errors
                    .unwrap_or_default()
                    .into_iter()
                    .map(|e| {
                        format!(
                            "{}: {}",
                            e.error_code
                                .map(|c| c.as_str().to_string())
                                .unwrap_or_default(),
                            e.error_message.unwrap_or_default()
                        )
                    })
                    .collect(),
            }))
        })
        .await,
    )
}

/// ListAddons, then DescribeAddon for each.
pub async fn addons(aws: &Aws, cluster: &str) -> Result<Vec<Addon>, CollectError> {
    let names = eks_list!(aws, "eks:ListAddons", cluster, list_addons, addons)?;
    // A missing add-on could be the one a check looks for: the list is unread without it.
    complete(
        each(&names, |name| async move {
            let resources = [name.clone()];
            let output = aws
                .call(
                    "eks:DescribeAddon",
                    &resources,
                    aws.eks
                        .describe_addon()
                        .cluster_name(cluster)
                        .addon_name(name)
                        .send(),
                )
                .await?;
            Ok(output.addon.map(|addon| Addon {
                name: addon.addon_name.unwrap_or_else(|| name.clone()),
                version: addon.addon_version,
                status: addon.status.map(|s| s.as_str().to_string()),
                configuration_values: addon.configuration_values,
                service_account_role_arn: addon.service_account_role_arn,
            }))
        })
        .await,
    )
}

/// DescribeAddonVersions for each add-on `names`, on Kubernetes `kubernetes_version`: the
/// versions compatible with it and its default.
pub async fn addon_versions(
    aws: &Aws,
    kubernetes_version: &str,
    names: &[String],
) -> Result<Vec<AddonVersions>, CollectError> {
    complete(
        each(names, |name| async move {
            aws.addon_versions_once(kubernetes_version, name, || {
                describe_addon_versions(aws, kubernetes_version, name)
            })
            .await
            .map(Some)
        })
        .await,
    )
}

/// DescribeAddonVersions for add-on `name` on Kubernetes `kubernetes_version`.
async fn describe_addon_versions(
    aws: &Aws,
    kubernetes_version: &str,
    name: &str,
) -> Result<AddonVersions, CollectError> {
    let resources = [name.to_string()];
    let pages = aws
        .paginate(
            "eks:DescribeAddonVersions",
            &resources,
            |token| {
                aws.eks
                    .describe_addon_versions()
                    .addon_name(name)
                    .kubernetes_version(kubernetes_version)
                    .set_next_token(token)
                    .send()
            },
            |page| page.next_token(),
        )
        .await?;
    let mut versions = AddonVersions {
        name: name.to_string(),
        ..AddonVersions::default()
    };
    let offered = pages
        .into_iter()
        .flat_map(|page| page.addons.unwrap_or_default())
        .flat_map(|addon| addon.addon_versions.unwrap_or_default());
    for offer in offered {
        let Some(version) = offer.addon_version else {
            continue;
        };
        let on_this_version = offer
            .compatibilities
            .unwrap_or_default()
            .into_iter()
            .filter(|c| c.cluster_version.as_deref() == Some(kubernetes_version))
            .collect::<Vec<_>>();
        if on_this_version.iter().any(|c| c.default_version) {
            versions.default_version = Some(version.clone());
        }
        versions.compatible.push(version);
    }
    Ok(versions)
}

/// ListInsights, then DescribeInsight for each insight that is not passing (its recommendation
/// and the deprecated APIs in use).
pub async fn insights(aws: &Aws, cluster: &str) -> Result<Vec<Insight>, CollectError> {
    let summaries = eks_list!(aws, "eks:ListInsights", cluster, list_insights, insights)?;
    // A missing recommendation could hide which APIs are deprecated: the list is unread without it.
    complete(
        each(&summaries, |summary| async move {
            let status = summary
                .insight_status
                .as_ref()
                .and_then(|s| s.status.as_ref())
                .map(|s| s.as_str().to_string());
            let mut insight = Insight {
                id: summary.id.clone().unwrap_or_default(),
                name: summary.name.clone().unwrap_or_default(),
                category: summary.category.as_ref().map(|c| c.as_str().to_string()),
                reason: summary
                    .insight_status
                    .as_ref()
                    .and_then(|s| s.reason.clone()),
                kubernetes_version: summary.kubernetes_version.clone(),
                status,
                ..Insight::default()
            };
            if insight.status.as_deref() == Some("PASSING") {
                return Ok(Some(insight));
            }
            let resources = [insight.id.clone()];
            let output = aws
                .call(
                    "eks:DescribeInsight",
                    &resources,
                    aws.eks
                        .describe_insight()
                        .cluster_name(cluster)
                        .id(&insight.id)
                        .send(),
                )
                .await?;
            if let Some(detail) = output.insight {
                insight.recommendation = detail.recommendation.clone();
                insight.affected_resources = detail.resources().len();
                insight.deprecations = detail
                    .category_specific_summary
                    .iter()
                    .flat_map(|s| s.deprecation_details())
                    .map(|d| {
                        format!(
                            "{} -> {} (removed in {})",
                            d.usage().unwrap_or("?"),
                            d.replaced_with().unwrap_or("nothing"),
                            d.stop_serving_version.as_deref().unwrap_or("?")
                        )
                    })
                    .collect();
            }
            Ok(Some(insight))
        })
        .await,
    )
}

/// ListFargateProfiles, then DescribeFargateProfile for each.
pub async fn fargate_profiles(
    aws: &Aws,
    cluster: &str,
) -> Result<Vec<FargateProfile>, CollectError> {
    let names = eks_list!(
        aws,
        "eks:ListFargateProfiles",
        cluster,
        list_fargate_profiles,
        fargate_profile_names
    )?;
    complete(
        each(&names, |name| async move {
            let resources = [name.clone()];
            let output = aws
                .call(
                    "eks:DescribeFargateProfile",
                    &resources,
                    aws.eks
                        .describe_fargate_profile()
                        .cluster_name(cluster)
                        .fargate_profile_name(name)
                        .send(),
                )
                .await?;
            Ok(output.fargate_profile.map(|profile| FargateProfile {
                name: profile.fargate_profile_name.unwrap_or_else(|| name.clone()),
                selectors: profile
                    .selectors
                    .unwrap_or_default()
                    .into_iter()
                    .map(|selector| {
                        let mut text =
                            format!("namespace={}", selector.namespace.unwrap_or_default());
                        let mut labels: Vec<(String, String)> =
                            selector.labels.unwrap_or_default().into_iter().collect();
                        labels.sort();
                        for (key, value) in labels {
                            text.push_str(&format!(",{key}={value}"));
                        }
                        text
                    })
                    .collect(),
            }))
        })
        .await,
    )
}

/// DescribeClusterVersions: every Kubernetes version EKS knows, with its support status.
pub async fn cluster_versions(aws: &Aws) -> Result<Vec<ClusterVersion>, CollectError> {
    let pages = aws
        .paginate(
            "eks:DescribeClusterVersions",
            &[],
            |token| {
                aws.eks
                    .describe_cluster_versions()
                    .include_all(true)
                    .set_next_token(token)
                    .send()
            },
            |page| page.next_token(),
        )
        .await?;
    Ok(pages
        .into_iter()
        .flat_map(|p| p.cluster_versions.unwrap_or_default())
        .filter_map(|v| {
            Some(ClusterVersion {
                version: v.cluster_version?,
                status: v.version_status.map(|s| s.as_str().to_string()),
                end_of_standard_support: timestamp(v.end_of_standard_support_date.as_ref()),
                end_of_extended_support: timestamp(v.end_of_extended_support_date.as_ref()),
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use aws_sdk_eks::types::{
        BlockStorage, Cluster, ComputeConfigResponse, ElasticLoadBalancing,
        KubernetesNetworkConfigResponse, RemoteNetworkConfigResponse, RemoteNodeNetwork,
        RemotePodNetwork, StorageConfigResponse,
    };

    use super::*;

    #[test]
    fn an_auto_mode_cluster_with_hybrid_nodes_is_recognised() {
        // DescribeCluster's shape for Auto Mode (all three capabilities) and hybrid nodes.
        let cluster = Cluster::builder()
            .name("auto")
            .version("1.31")
            .compute_config(
                ComputeConfigResponse::builder()
                    .enabled(true)
                    .node_pools("system")
                    .node_pools("general-purpose")
                    .node_role_arn("arn:aws:iam::111122223333:role/auto-node")
                    .build(),
            )
            .storage_config(
                StorageConfigResponse::builder()
                    .block_storage(BlockStorage::builder().enabled(true).build())
                    .build(),
            )
            .kubernetes_network_config(
                KubernetesNetworkConfigResponse::builder()
                    .elastic_load_balancing(ElasticLoadBalancing::builder().enabled(true).build())
                    .build(),
            )
            .remote_network_config(
                RemoteNetworkConfigResponse::builder()
                    .remote_node_networks(
                        RemoteNodeNetwork::builder().cidrs("10.80.0.0/16").build(),
                    )
                    .remote_pod_networks(RemotePodNetwork::builder().cidrs("10.85.0.0/16").build())
                    .build(),
            )
            .build();
        let converted = convert_cluster(cluster, "auto");
        assert!(converted.auto_mode_compute());
        let auto = converted.auto_mode.unwrap();
        assert_eq!(auto.node_pools, ["system", "general-purpose"]);
        assert_eq!(
            auto.node_role_arn.as_deref(),
            Some("arn:aws:iam::111122223333:role/auto-node")
        );
        assert!(auto.block_storage && auto.load_balancing);
        let remote = converted.remote_network.unwrap();
        assert_eq!(remote.node_cidrs, ["10.80.0.0/16"]);
        assert_eq!(remote.pod_cidrs, ["10.85.0.0/16"]);
    }

    #[test]
    fn a_cluster_without_auto_mode_or_hybrid_nodes_records_neither() {
        let converted = convert_cluster(Cluster::builder().name("plain").build(), "plain");
        assert_eq!(converted.auto_mode, None);
        assert_eq!(converted.remote_network, None);
        assert!(!converted.auto_mode_compute());
    }
}
