//! What the clusters of one region reference by id — their nodes' and launch templates' security
//! groups, subnets, VPCs (route tables, flow logs), volumes and images, their nodes' instance
//! profiles, roles and managed policies — read once for all of them (EC2's in batches by id)
//! and handed back to each cluster that references it. A region of 200 clusters is then a few
//! dozen EC2 reads instead of six per cluster, and a managed policy that many node roles attach
//! is read once. (IAM is global: a fleet in several regions reads it once per region.)

use std::collections::BTreeSet;

use sek_core::inventory::{
    ClusterInventory, CollectError, Collection, FlowLog, Image, Read, RouteTable, SecurityGroup,
    Subnet, Volume, VpcEndpoint,
};

use sek_core::inventory::k8s::{node_class_profile_arn, node_class_role_arn};
use sek_core::inventory::last_segment;

use super::aws::iam::{self, NodeIam};
use super::aws::{Aws, ec2};

/// The ids one cluster (or, merged, a region's clusters) references.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct References {
    groups: BTreeSet<String>,
    subnets: BTreeSet<String>,
    /// The nodes' VPCs: their route tables are read.
    node_vpcs: BTreeSet<String>,
    /// The control plane's VPC: its flow logs are read.
    cluster_vpc: BTreeSet<String>,
    volumes: BTreeSet<String>,
    images: BTreeSet<String>,
    /// The nodes' instance profiles (ARNs).
    profiles: BTreeSet<String>,
    /// The node groups' node roles (ARNs).
    node_roles: BTreeSet<String>,
}

impl References {
    /// What `inv`'s control plane, nodes and launch templates reference.
    pub fn of(inv: &ClusterInventory) -> Self {
        let mut refs = References::default();
        if let Some(cluster) = inv.cluster.got() {
            refs.groups
                .extend(cluster.vpc.cluster_security_group_id.iter().cloned());
            refs.groups
                .extend(cluster.vpc.security_group_ids.iter().cloned());
            refs.cluster_vpc.extend(cluster.vpc.vpc_id.iter().cloned());
            // The role of Auto Mode's built-in NodePools' nodes.
            let auto_mode_role = cluster
                .auto_mode
                .as_ref()
                .and_then(|a| a.node_role_arn.clone());
            refs.node_roles.extend(auto_mode_role);
        }
        for node in inv.instances.got().into_iter().flatten() {
            refs.groups.extend(node.security_group_ids.iter().cloned());
            refs.subnets.extend(node.subnet_id.iter().cloned());
            refs.node_vpcs.extend(node.vpc_id.iter().cloned());
            refs.volumes
                .extend(node.volumes.iter().map(|v| v.volume_id.clone()));
            refs.images.extend(node.image_id.iter().cloned());
            refs.profiles
                .extend(node.iam_instance_profile_arn.iter().cloned());
        }
        for nodegroup in inv.nodegroups.got().into_iter().flatten() {
            refs.node_roles.extend(nodegroup.node_role.iter().cloned());
        }
        for template in inv.launch_templates.got().into_iter().flatten() {
            refs.groups
                .extend(template.security_group_ids.iter().cloned());
            refs.images.extend(template.image_id.iter().cloned());
        }
        refs
    }

    /// The security groups and subnets `inv`'s Karpenter and Auto Mode NodeClasses select (from
    /// their status) that were not read with the nodes: a NodeClass is judged before it has
    /// launched a node. Their route tables are the cluster VPC's.
    pub fn of_node_classes(inv: &ClusterInventory) -> Self {
        let mut refs = References::default();
        let Some(k8s) = inv.kubernetes.got() else {
            return refs;
        };
        for class in k8s.read_node_classes() {
            refs.groups
                .extend(class.status.security_groups.iter().map(|g| g.id.clone()));
            refs.subnets
                .extend(class.status.subnets.iter().map(|s| s.id.clone()));
        }
        if let Some(cluster) = inv.cluster.got() {
            // Their node roles, named by name: the role's ARN is in the cluster's account.
            let roles = k8s.read_node_classes().filter_map(|class| class.role);
            refs.node_roles
                .extend(roles.map(|role| node_class_role_arn(&cluster.arn, role)));
            let profiles = k8s
                .ec2_node_classes
                .got()
                .into_iter()
                .flatten()
                .filter_map(|c| c.spec.instance_profile.as_deref());
            refs.profiles
                .extend(profiles.map(|p| node_class_profile_arn(&cluster.arn, p)));
        }
        let read_profiles = inv.instance_profiles.got();
        refs.profiles.retain(|arn| {
            !read_profiles.is_some_and(|read| {
                read.iter()
                    .any(|p| last_segment(&p.arn) == last_segment(arn))
            })
        });
        let read_roles = inv.roles.got();
        refs.node_roles
            .retain(|arn| !read_roles.is_some_and(|read| read.iter().any(|r| &r.arn == arn)));
        let groups = inv.security_groups.got();
        refs.groups
            .retain(|id| !groups.is_some_and(|read| read.iter().any(|g| &g.id == id)));
        let subnets = inv.subnets.got();
        refs.subnets
            .retain(|id| !subnets.is_some_and(|read| read.iter().any(|s| &s.id == id)));
        let tables = inv.route_tables.got();
        if let Some(vpc) = inv.cluster.got().and_then(|c| c.vpc.vpc_id.clone())
            && !refs.subnets.is_empty()
            && !tables.is_some_and(|t| t.iter().any(|r| r.vpc_id.as_ref() == Some(&vpc)))
        {
            refs.node_vpcs.insert(vpc);
        }
        refs
    }

    /// Whether nothing is referenced.
    pub fn is_empty(&self) -> bool {
        *self == References::default()
    }

    fn extend(&mut self, other: &References) {
        self.groups.extend(other.groups.iter().cloned());
        self.subnets.extend(other.subnets.iter().cloned());
        self.node_vpcs.extend(other.node_vpcs.iter().cloned());
        self.cluster_vpc.extend(other.cluster_vpc.iter().cloned());
        self.volumes.extend(other.volumes.iter().cloned());
        self.images.extend(other.images.iter().cloned());
        self.profiles.extend(other.profiles.iter().cloned());
        self.node_roles.extend(other.node_roles.iter().cloned());
    }
}

/// What a set of [`References`] named, as read: each kind with the reads of it that failed;
/// `None` for a kind no selected check needs (not read).
#[derive(Debug)]
pub struct Referenced {
    security_groups: Option<Collection<SecurityGroup>>,
    subnets: Option<Collection<Subnet>>,
    route_tables: Option<Collection<RouteTable>>,
    vpc_endpoints: Option<Collection<VpcEndpoint>>,
    volumes: Option<Collection<Volume>>,
    images: Option<Collection<Image>>,
    flow_logs: Option<Result<Vec<FlowLog>, CollectError>>,
    node_iam: Option<NodeIam>,
}

/// Read what any of `wanted` references, each id once, of the kinds the scan's checks need.
pub async fn read(aws: &Aws, wanted: &[&References]) -> Referenced {
    let mut all = References::default();
    for refs in wanted {
        all.extend(refs);
    }
    let list = |set: &BTreeSet<String>| set.iter().cloned().collect::<Vec<_>>();
    let (groups, subnets, node_vpcs, cluster_vpcs, volumes, images) = (
        list(&all.groups),
        list(&all.subnets),
        list(&all.node_vpcs),
        list(&all.cluster_vpc),
        list(&all.volumes),
        list(&all.images),
    );
    let (
        security_groups,
        subnets,
        route_tables,
        vpc_endpoints,
        volumes,
        images,
        flow_logs,
        node_iam,
    ) = tokio::join!(
        aws.when(
            "ec2:DescribeSecurityGroups",
            ec2::security_groups(aws, &groups)
        ),
        aws.when("ec2:DescribeSubnets", ec2::subnets(aws, &subnets)),
        aws.when(
            "ec2:DescribeRouteTables",
            ec2::route_tables(aws, &node_vpcs)
        ),
        aws.when(
            "ec2:DescribeVpcEndpoints",
            ec2::vpc_endpoints(aws, &node_vpcs)
        ),
        aws.when("ec2:DescribeVolumes", ec2::volumes(aws, &volumes)),
        aws.when("ec2:DescribeImages", ec2::images(aws, &images)),
        aws.when("ec2:DescribeFlowLogs", async {
            if cluster_vpcs.is_empty() {
                Ok(Vec::new())
            } else {
                ec2::flow_logs(aws, &cluster_vpcs).await
            }
        }),
        aws.when(
            "iam:GetInstanceProfile",
            iam::node_iam(aws, &all.profiles, &all.node_roles)
        ),
    );
    Referenced {
        security_groups: security_groups.map(collection),
        subnets: subnets.map(collection),
        route_tables: route_tables.map(collection),
        vpc_endpoints: vpc_endpoints.map(collection),
        volumes: volumes.map(collection),
        images: images.map(collection),
        flow_logs,
        node_iam,
    }
}

impl Referenced {
    /// Give `inv` what `refs` (its own references) name, and the failed reads about them.
    pub fn give(&self, refs: &References, inv: &mut ClusterInventory) {
        if let Some(groups) = &self.security_groups {
            inv.security_groups = pick(groups, &refs.groups, |g| &g.id);
        }
        if let Some(subnets) = &self.subnets {
            inv.subnets = pick(subnets, &refs.subnets, |s| &s.id);
        }
        // Route tables are read by VPC.
        if let Some(tables) = &self.route_tables {
            inv.route_tables = Read::Got(Collection {
                items: tables
                    .iter()
                    .filter(|t| {
                        t.vpc_id
                            .as_ref()
                            .is_some_and(|v| refs.node_vpcs.contains(v))
                    })
                    .cloned()
                    .collect(),
                failed: failures_about(&tables.failed, &refs.node_vpcs),
            });
        }
        // VPC endpoints are read by VPC.
        if let Some(endpoints) = &self.vpc_endpoints {
            inv.vpc_endpoints = Read::Got(Collection {
                items: endpoints
                    .iter()
                    .filter(|e| {
                        e.vpc_id
                            .as_ref()
                            .is_some_and(|v| refs.node_vpcs.contains(v))
                    })
                    .cloned()
                    .collect(),
                failed: failures_about(&endpoints.failed, &refs.node_vpcs),
            });
        }
        if let Some(volumes) = &self.volumes {
            inv.volumes = pick(volumes, &refs.volumes, |v| &v.id);
        }
        if let Some(images) = &self.images {
            inv.images = pick(images, &refs.images, |i| &i.id);
        }
        // No control plane VPC known: no flow logs to read (the check says why).
        if let Some(flow_logs) = &self.flow_logs
            && !refs.cluster_vpc.is_empty()
        {
            inv.flow_logs = match flow_logs {
                Ok(logs) => Read::Got(
                    logs.iter()
                        .filter(|l| {
                            l.resource_id
                                .as_ref()
                                .is_some_and(|r| refs.cluster_vpc.contains(r))
                        })
                        .cloned()
                        .collect(),
                ),
                Err(err) => Read::Failed(err.clone()),
            };
        }
        if let Some(node_iam) = &self.node_iam {
            let node_iam = node_iam.of_cluster(&refs.profiles, &refs.node_roles);
            inv.instance_profiles = Read::Got(Collection {
                items: node_iam.profiles,
                failed: node_iam.errors,
            });
            inv.roles = Read::Got(Collection::complete(node_iam.roles));
            inv.policies = Read::Got(Collection::complete(node_iam.policies));
        }
    }
}

impl Referenced {
    /// Add what `refs` named to what `inv` already holds (the security groups, subnets, route
    /// tables and node roles of a second pass, [`References::of_node_classes`]).
    pub fn add_to(&self, refs: &References, inv: &mut ClusterInventory) {
        if let Some(node_iam) = &self.node_iam {
            let node_iam = node_iam.of_cluster(&refs.profiles, &refs.node_roles);
            merge(
                &mut inv.instance_profiles,
                Read::Got(Collection {
                    items: node_iam.profiles,
                    failed: node_iam.errors,
                }),
            );
            merge(
                &mut inv.roles,
                Read::Got(Collection::complete(node_iam.roles)),
            );
            let known = |arn: &String| {
                inv.policies
                    .got()
                    .is_some_and(|read| read.iter().any(|p| &p.arn == arn))
            };
            let policies: Vec<_> = node_iam
                .policies
                .into_iter()
                .filter(|p| !known(&p.arn))
                .collect();
            merge(&mut inv.policies, Read::Got(Collection::complete(policies)));
        }
        if let Some(groups) = &self.security_groups {
            merge(
                &mut inv.security_groups,
                pick(groups, &refs.groups, |g| &g.id),
            );
        }
        if let Some(subnets) = &self.subnets {
            merge(&mut inv.subnets, pick(subnets, &refs.subnets, |s| &s.id));
        }
        if let Some(tables) = &self.route_tables
            && !refs.node_vpcs.is_empty()
        {
            let read = Read::Got(Collection {
                items: tables.iter().cloned().collect(),
                failed: failures_about(&tables.failed, &refs.node_vpcs),
            });
            merge(&mut inv.route_tables, read);
        }
    }
}

/// `extra` added to `field`: items and failures appended when both were read, `extra` when
/// `field` was not.
fn merge<T>(field: &mut Read<Collection<T>>, extra: Read<Collection<T>>) {
    match (field.got_mut(), extra) {
        (Some(have), Read::Got(more)) => {
            have.items.extend(more.items);
            have.failed.extend(more.failed);
        }
        (None, extra) => *field = extra,
        (Some(_), _) => {}
    }
}

fn collection<T>((items, failed): (Vec<T>, Vec<CollectError>)) -> Collection<T> {
    Collection::of(items, failed)
}

/// The items of `read` whose key is in `wanted`, with the failures about them.
fn pick<T: Clone>(
    read: &Collection<T>,
    wanted: &BTreeSet<String>,
    key: impl Fn(&T) -> &String,
) -> Read<Collection<T>> {
    Read::Got(Collection {
        items: read
            .iter()
            .filter(|item| wanted.contains(key(item)))
            .cloned()
            .collect(),
        failed: failures_about(&read.failed, wanted),
    })
}

/// The failures about any of `ids` (a failure about no particular id concerns all).
fn failures_about(failures: &[CollectError], ids: &BTreeSet<String>) -> Vec<CollectError> {
    failures
        .iter()
        .filter(|err| err.resources.is_empty() || err.resources.iter().any(|id| ids.contains(id)))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use sek_core::inventory::k8s::{Ec2NodeClass, KubernetesInventory};
    use sek_core::inventory::{EksCluster, Read};

    use super::*;

    #[test]
    fn node_classes_reference_only_what_the_nodes_did_not() {
        let mut inv = ClusterInventory::new("c", "eu-west-1");
        inv.cluster = Read::Got(EksCluster {
            vpc: sek_core::inventory::ClusterVpcConfig {
                vpc_id: Some("vpc-1".into()),
                ..Default::default()
            },
            ..Default::default()
        });
        inv.security_groups = Read::Got(Collection::complete(vec![SecurityGroup {
            id: "sg-known".into(),
            ..Default::default()
        }]));
        let class: Ec2NodeClass = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "default"},
            "status": {"securityGroups": [{"id": "sg-known"}, {"id": "sg-new"}],
                       "subnets": [{"id": "subnet-new"}]}
        }))
        .unwrap();
        inv.kubernetes = Read::Got(KubernetesInventory {
            ec2_node_classes: Read::Got(vec![class]),
            ..Default::default()
        });
        let refs = References::of_node_classes(&inv);
        assert_eq!(refs.groups, BTreeSet::from(["sg-new".to_string()]));
        assert_eq!(refs.subnets, BTreeSet::from(["subnet-new".to_string()]));
        // The subnets' route tables are the cluster VPC's.
        assert_eq!(refs.node_vpcs, BTreeSet::from(["vpc-1".to_string()]));
        assert!(References::of_node_classes(&ClusterInventory::new("c", "r")).is_empty());
    }

    #[test]
    fn a_second_pass_adds_to_what_was_read() {
        let mut field = Read::Got(Collection::complete(vec![1, 2]));
        merge(&mut field, Read::Got(Collection::complete(vec![3])));
        assert_eq!(field.got().unwrap().items, [1, 2, 3]);
        let mut unread: Read<Collection<i32>> = Read::NotCollected;
        merge(&mut unread, Read::Got(Collection::complete(vec![3])));
        assert_eq!(unread.got().unwrap().items, [3]);
    }
}
