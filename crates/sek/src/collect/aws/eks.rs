//! EKS reads: the cluster, its managed node groups, and the cluster list (for "did you mean").

use futures::future::join_all;
use sek_core::inventory::{
    ClusterVpcConfig, CollectError, EksCluster, EncryptionConfig, LaunchTemplateRef, LogSetup,
    Nodegroup, RemoteAccess,
};

use super::{Aws, timestamp};

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
    EksCluster {
        name: cluster.name.unwrap_or_else(|| name.to_string()),
        arn: cluster.arn.unwrap_or_default(),
        version: cluster.version,
        status: cluster.status.map(|s| s.as_str().to_string()),
        platform_version: cluster.platform_version,
        endpoint: cluster.endpoint,
        role_arn: cluster.role_arn,
        created_at: timestamp(cluster.created_at.as_ref()),
        vpc: vpc.unwrap_or_default(),
        logging,
        encryption,
        oidc_issuer: cluster.identity.and_then(|i| i.oidc).and_then(|o| o.issuer),
        tags: cluster.tags.unwrap_or_default().into_iter().collect(),
    }
}

/// ListNodegroups, then DescribeNodegroup for each, concurrently. Failures are returned beside
/// the node groups that could be read.
pub async fn nodegroups(aws: &Aws, cluster: &str) -> (Vec<Nodegroup>, Vec<CollectError>) {
    let scope = [cluster.to_string()];
    let pages = aws
        .paginate(
            "eks:ListNodegroups",
            &scope,
            |token| {
                aws.eks
                    .list_nodegroups()
                    .cluster_name(cluster)
                    .set_next_token(token)
                    .send()
            },
            |page| page.next_token(),
        )
        .await;
    let names: Vec<String> = match pages {
        Ok(pages) => pages
            .into_iter()
            .flat_map(|p| p.nodegroups.unwrap_or_default())
            .collect(),
        Err(err) => return (Vec::new(), vec![err]),
    };
    let described = join_all(names.iter().map(|name| async move {
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
    }))
    .await;
    let mut nodegroups = Vec::new();
    let mut errors = Vec::new();
    for result in described {
        match result {
            Ok(Some(nodegroup)) => nodegroups.push(nodegroup),
            Ok(None) => {}
            Err(err) => errors.push(err),
        }
    }
    (nodegroups, errors)
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
