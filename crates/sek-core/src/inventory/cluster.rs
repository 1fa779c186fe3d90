//! What sek saw of one cluster, and the indexed view checks read it through.
//!
//! Every field that comes from a read is a [`Read`]; the accessors below are the one place that
//! says which API gives each one, so a check asks for `inv.addons()?` and gets the add-ons or a
//! [`Missing`] that names the read to allow.

use std::collections::HashMap;
use std::ops::Deref;

use serde::{Deserialize, Serialize};

use super::k8s;
use super::read::{accessors, failures_in};
use super::{
    AccessEntry, Addon, AddonVersions, ClusterUpdate, Collection, EcrImage, EksCluster,
    FargateProfile, FlowLog, IamRole, Image, Insight, Instance, InstanceProfile, KmsKey,
    LaunchTemplateVersion, LogGroup, Lookup, ManagedPolicy, Missing, Need, NodeScan, Nodegroup,
    PodIdentityAssociation, Read, RouteTable, SecurityGroup, Subnet, Volume, VpcEndpoint, Why, aws,
};

/// The reads through which a cluster's nodes are found: its node groups' Auto Scaling groups,
/// and the instances tagged with the cluster.
pub const NODE_DISCOVERY: &[Need] = &[
    aws("ec2:DescribeInstances"),
    aws("eks:ListNodegroups"),
    aws("eks:DescribeNodegroup"),
    aws("autoscaling:DescribeAutoScalingGroups"),
];

/// What sek saw of one cluster.
#[derive(Serialize, Deserialize, Debug, Clone, Default)]
pub struct ClusterInventory {
    /// Cluster name.
    pub name: String,
    /// AWS region.
    pub region: String,
    /// AWS account id.
    #[serde(default)]
    pub account_id: Option<String>,
    /// AWS partition (`aws`, `aws-cn`, `aws-us-gov`).
    #[serde(default = "super::default_partition")]
    pub partition: String,
    /// The control plane (DescribeCluster).
    #[serde(default, skip_serializing_if = "Read::is_not_collected")]
    pub cluster: Read<EksCluster>,
    /// Managed node groups.
    #[serde(default, skip_serializing_if = "Read::is_not_collected")]
    pub nodegroups: Read<Collection<Nodegroup>>,
    /// Launch template versions used by node groups.
    #[serde(default, skip_serializing_if = "Read::is_not_collected")]
    pub launch_templates: Read<Collection<LaunchTemplateVersion>>,
    /// Worker node instances (managed and self-managed). A failure of any discovery read
    /// (node groups included) is recorded here: the list may be incomplete.
    #[serde(default, skip_serializing_if = "Read::is_not_collected")]
    pub instances: Read<Collection<Instance>>,
    /// Security groups of the control plane and the nodes.
    #[serde(default, skip_serializing_if = "Read::is_not_collected")]
    pub security_groups: Read<Collection<SecurityGroup>>,
    /// The nodes' subnets.
    #[serde(default, skip_serializing_if = "Read::is_not_collected")]
    pub subnets: Read<Collection<Subnet>>,
    /// Route tables of the nodes' subnets (explicitly associated, and the VPCs' main tables).
    #[serde(default, skip_serializing_if = "Read::is_not_collected")]
    pub route_tables: Read<Collection<RouteTable>>,
    /// VPC endpoints of the nodes' VPCs.
    #[serde(default, skip_serializing_if = "Read::is_not_collected")]
    pub vpc_endpoints: Read<Collection<VpcEndpoint>>,
    /// EBS volumes attached to the nodes.
    #[serde(default, skip_serializing_if = "Read::is_not_collected")]
    pub volumes: Read<Collection<Volume>>,
    /// The nodes' instance profiles.
    #[serde(default, skip_serializing_if = "Read::is_not_collected")]
    pub instance_profiles: Read<Collection<InstanceProfile>>,
    /// Node roles (from instance profiles and node groups).
    #[serde(default, skip_serializing_if = "Read::is_not_collected")]
    pub roles: Read<Collection<IamRole>>,
    /// Managed policies attached to those roles.
    #[serde(default, skip_serializing_if = "Read::is_not_collected")]
    pub policies: Read<Collection<ManagedPolicy>>,
    /// The AMIs of the nodes and launch templates.
    #[serde(default, skip_serializing_if = "Read::is_not_collected")]
    pub images: Read<Collection<Image>>,
    /// Recent control plane, node group and add-on updates. Node groups or add-ons that were
    /// not read leave a failure here: their updates were not listed.
    #[serde(default, skip_serializing_if = "Read::is_not_collected")]
    pub updates: Read<Collection<ClusterUpdate>>,
    /// EKS add-ons.
    #[serde(default, skip_serializing_if = "Read::is_not_collected")]
    pub addons: Read<Vec<Addon>>,
    /// The add-on versions EKS offers for the cluster's Kubernetes version: of every add-on
    /// installed, and of the core components (VPC CNI, kube-proxy, CoreDNS) either way.
    #[serde(default, skip_serializing_if = "Read::is_not_collected")]
    pub addon_versions: Read<Vec<AddonVersions>>,
    /// Access entries.
    #[serde(default, skip_serializing_if = "Read::is_not_collected")]
    pub access_entries: Read<Vec<AccessEntry>>,
    /// Pod Identity associations.
    #[serde(default, skip_serializing_if = "Read::is_not_collected")]
    pub pod_identity_associations: Read<Vec<PodIdentityAssociation>>,
    /// Fargate profiles.
    #[serde(default, skip_serializing_if = "Read::is_not_collected")]
    pub fargate_profiles: Read<Vec<FargateProfile>>,
    /// The Secrets encryption key, read when the control plane names one.
    #[serde(default, skip_serializing_if = "Read::is_not_collected")]
    pub secrets_key: Read<KmsKey>,
    /// The cluster (control plane) IAM role with its trust policy (GetRole) and policies, read
    /// when the control plane names one.
    #[serde(default, skip_serializing_if = "Read::is_not_collected")]
    pub cluster_role: Read<IamRole>,
    /// EKS's own cluster insights (upgrade readiness, misconfiguration).
    #[serde(default, skip_serializing_if = "Read::is_not_collected")]
    pub insights: Read<Vec<Insight>>,
    /// Log groups named `/aws/eks/<cluster>/cluster` or below.
    #[serde(default, skip_serializing_if = "Read::is_not_collected")]
    pub log_groups: Read<Vec<LogGroup>>,
    /// Flow logs of the cluster VPC.
    #[serde(default, skip_serializing_if = "Read::is_not_collected")]
    pub flow_logs: Read<Vec<FlowLog>>,
    /// The images the workloads run that live in ECR (DescribeImages), each with its scan
    /// findings and signatures; a repository that could not be read is a failure naming it
    /// (`<registry>/<repository>`), an image no longer in its repository a `NotFound` one.
    #[serde(default, skip_serializing_if = "Read::is_not_collected")]
    pub ecr_images: Read<Collection<EcrImage>>,
    /// What Amazon Inspector holds about each node (coverage and findings).
    #[serde(default, skip_serializing_if = "Read::is_not_collected")]
    pub node_scans: Read<Collection<NodeScan>>,
    /// The Kubernetes side (RBAC, workloads, namespaces...). Not collected with
    /// `--no-kubernetes`; failed when the API could not be reached.
    #[serde(default, skip_serializing_if = "Read::is_not_collected")]
    pub kubernetes: Read<k8s::KubernetesInventory>,
}

impl ClusterInventory {
    /// An empty inventory for `name` in `region`.
    pub fn new(name: impl Into<String>, region: impl Into<String>) -> Self {
        ClusterInventory {
            name: name.into(),
            region: region.into(),
            partition: super::default_partition(),
            ..Default::default()
        }
    }

    /// The cluster ARN: from DescribeCluster, else built from name, region and account.
    pub fn arn(&self) -> String {
        match self.cluster.got() {
            Some(cluster) if !cluster.arn.is_empty() => cluster.arn.clone(),
            _ => self.resource_arn("eks", &format!("cluster/{}", self.name)),
        }
    }

    /// `arn:<partition>:<service>:<region>:<account>:<resource>`.
    pub fn resource_arn(&self, service: &str, resource: &str) -> String {
        format!(
            "arn:{}:{}:{}:{}:{}",
            self.partition,
            service,
            self.region,
            self.account_id.as_deref().unwrap_or(""),
            resource
        )
    }

    /// ARN of an EC2 resource, e.g. `ec2_arn("instance", "i-0abc")`.
    pub fn ec2_arn(&self, kind: &str, id: &str) -> String {
        self.resource_arn("ec2", &format!("{kind}/{id}"))
    }

    /// The control plane, or why it is missing.
    pub fn control_plane(&self) -> Lookup<'_, EksCluster> {
        const NEEDS: &[Need] = &[aws("eks:DescribeCluster")];
        self.cluster.get(&format!("cluster {}", self.name), NEEDS)
    }

    accessors! {
        /// The managed node groups.
        nodegroups: Collection<Nodegroup> = "the node groups",
            [aws("eks:ListNodegroups"), aws("eks:DescribeNodegroup")];
        /// The launch template versions node groups use.
        launch_templates: Collection<LaunchTemplateVersion> = "the node groups' launch templates",
            [aws("ec2:DescribeLaunchTemplateVersions")];
        /// The nodes' and launch templates' AMIs.
        images: Collection<Image> = "the nodes' AMIs", [aws("ec2:DescribeImages")];
        /// The VPC endpoints of the nodes' VPCs.
        vpc_endpoints: Collection<VpcEndpoint> = "the VPC endpoints", [aws("ec2:DescribeVpcEndpoints")];
        /// Recent updates of the control plane, node groups and add-ons.
        updates: Collection<ClusterUpdate> = "the cluster's updates",
            [aws("eks:ListUpdates"), aws("eks:DescribeUpdate")];
        /// The EKS add-ons.
        addons: Vec<Addon> = "the cluster's add-ons",
            [aws("eks:ListAddons"), aws("eks:DescribeAddon")];
        /// The add-on versions offered for the cluster's Kubernetes version.
        addon_versions: Vec<AddonVersions> = "the add-on versions EKS offers",
            [aws("eks:DescribeAddonVersions")];
        /// The access entries.
        access_entries: Vec<AccessEntry> = "the cluster's access entries",
            [aws("eks:ListAccessEntries"), aws("eks:DescribeAccessEntry"),
             aws("eks:ListAssociatedAccessPolicies")];
        /// The Pod Identity associations.
        pod_identity_associations: Vec<PodIdentityAssociation> = "the Pod Identity associations",
            [aws("eks:ListPodIdentityAssociations"), aws("eks:DescribePodIdentityAssociation")];
        /// The Fargate profiles.
        fargate_profiles: Vec<FargateProfile> = "the Fargate profiles",
            [aws("eks:ListFargateProfiles"), aws("eks:DescribeFargateProfile")];
        /// The key that encrypts Secrets.
        secrets_key: KmsKey = "the Secrets encryption key", [aws("kms:DescribeKey")];
        /// The cluster IAM role.
        cluster_role: IamRole = "the cluster IAM role", [aws("iam:GetRole")];
        /// EKS's cluster insights.
        insights: Vec<Insight> = "the EKS cluster insights",
            [aws("eks:ListInsights"), aws("eks:DescribeInsight")];
        /// The control plane's log groups.
        log_groups: Vec<LogGroup> = "the control plane log groups", [aws("logs:DescribeLogGroups")];
        /// The flow logs of the cluster VPC.
        flow_logs: Vec<FlowLog> = "the VPC flow logs", [aws("ec2:DescribeFlowLogs")];
        /// The ECR images the workloads run.
        ecr_images: Collection<EcrImage> = "the ECR images the workloads run",
            [aws("ecr:DescribeImages")];
        /// Amazon Inspector's coverage and findings of the nodes.
        node_scans: Collection<NodeScan> = "Amazon Inspector's scans of the nodes",
            [aws("inspector2:ListCoverage"), aws("inspector2:ListFindings")];
    }

    /// The worker nodes found (see [`NODE_DISCOVERY`]), with the discovery reads that failed.
    pub fn instances(&self) -> Lookup<'_, Collection<Instance>> {
        self.instances.get("the nodes", NODE_DISCOVERY)
    }

    /// The Kubernetes side, or why it is missing: the connection failure, or not read.
    pub fn kubernetes_side(&self) -> Lookup<'_, k8s::KubernetesInventory> {
        const NEEDS: &[Need] = &[Need::KubernetesApi];
        self.kubernetes
            .get("the Kubernetes side", NEEDS)
            .map_err(|missing| {
                missing.with_fix(
                    "was not read (--no-kubernetes, or a snapshot without it): scan the cluster \
live, or with --k8s-dir",
                )
            })
    }
}

/// Positions of resources by id.
#[derive(Debug, Default)]
struct Index {
    security_groups: HashMap<String, usize>,
    subnets: HashMap<String, usize>,
    volumes: HashMap<String, usize>,
    instance_profiles: HashMap<String, usize>,
    roles: HashMap<String, usize>,
    policies: HashMap<String, usize>,
    route_table_by_subnet: HashMap<String, usize>,
    main_route_table_by_vpc: HashMap<String, usize>,
}

fn positions<T>(items: &Read<Collection<T>>, key: impl Fn(&T) -> &str) -> HashMap<String, usize> {
    let items = items.got().map_or(&[][..], |c| &c.items[..]);
    items
        .iter()
        .enumerate()
        .map(|(i, item)| (key(item).to_string(), i))
        .collect()
}

impl Index {
    fn build(inv: &ClusterInventory) -> Index {
        let mut route_table_by_subnet = HashMap::new();
        let mut main_route_table_by_vpc = HashMap::new();
        let tables = inv.route_tables.got().map_or(&[][..], |c| &c.items[..]);
        for (i, table) in tables.iter().enumerate() {
            for subnet in &table.subnet_ids {
                route_table_by_subnet.insert(subnet.clone(), i);
            }
            if let (true, Some(vpc)) = (table.main, &table.vpc_id) {
                main_route_table_by_vpc.insert(vpc.clone(), i);
            }
        }
        Index {
            security_groups: positions(&inv.security_groups, |g| &g.id),
            subnets: positions(&inv.subnets, |s| &s.id),
            volumes: positions(&inv.volumes, |v| &v.id),
            instance_profiles: positions(&inv.instance_profiles, |p| &p.arn),
            roles: positions(&inv.roles, |r| &r.arn),
            policies: positions(&inv.policies, |p| &p.arn),
            route_table_by_subnet,
            main_route_table_by_vpc,
        }
    }
}

/// A cluster inventory with its resources indexed by id, built once per evaluation. Checks
/// read the inventory through this view; it dereferences to [`ClusterInventory`].
#[derive(Debug)]
pub struct ClusterView<'a> {
    inventory: &'a ClusterInventory,
    index: Index,
    kubernetes: Result<k8s::KubernetesView<'a>, Missing>,
}

impl Deref for ClusterView<'_> {
    type Target = ClusterInventory;

    fn deref(&self) -> &ClusterInventory {
        self.inventory
    }
}

/// One resource of a collection read by id, or why it is missing: the read of the whole
/// collection failed, the part about `id` failed, or the read did not return it.
fn by_id<'a, T>(
    read: &'a Read<Collection<T>>,
    position: Option<usize>,
    what: String,
    needs: &'static [Need],
    failure_keys: &[&str],
) -> Lookup<'a, T> {
    let collection = read.get(&what, needs)?;
    if let Some(item) = position.and_then(|i| collection.items.get(i)) {
        return Ok(item);
    }
    let why = failure_keys
        .iter()
        .find_map(|key| collection.failure_about(key))
        .map_or(Why::NotFound, |err| Why::Failed(Box::new(err.clone())));
    Err(Missing::new(what, needs, why))
}

impl<'v> ClusterView<'v> {
    /// Index `inventory`.
    pub fn new(inventory: &'v ClusterInventory) -> Self {
        ClusterView::excluding_namespaces(inventory, &[])
    }

    /// Index `inventory`, leaving the Kubernetes objects of namespaces matching
    /// `excluded_namespaces` (globs) out of evaluation.
    pub fn excluding_namespaces(
        inventory: &'v ClusterInventory,
        excluded_namespaces: &[String],
    ) -> Self {
        ClusterView {
            inventory,
            index: Index::build(inventory),
            kubernetes: inventory
                .kubernetes_side()
                .map(|k8s| k8s::KubernetesView::new(k8s, excluded_namespaces)),
        }
    }

    /// The Kubernetes side, indexed; or why it was not read.
    pub fn kubernetes(&self) -> Result<&k8s::KubernetesView<'v>, Missing> {
        self.kubernetes.as_ref().map_err(Clone::clone)
    }

    /// A security group by id.
    pub fn security_group(&self, id: &str) -> Lookup<'_, SecurityGroup> {
        const NEEDS: &[Need] = &[aws("ec2:DescribeSecurityGroups")];
        let position = self.index.security_groups.get(id).copied();
        by_id(
            &self.security_groups,
            position,
            format!("security group {id}"),
            NEEDS,
            &[id],
        )
    }

    /// A subnet by id.
    pub fn subnet(&self, id: &str) -> Lookup<'_, Subnet> {
        const NEEDS: &[Need] = &[aws("ec2:DescribeSubnets")];
        let position = self.index.subnets.get(id).copied();
        by_id(
            &self.subnets,
            position,
            format!("subnet {id}"),
            NEEDS,
            &[id],
        )
    }

    /// A volume by id.
    pub fn volume(&self, id: &str) -> Lookup<'_, Volume> {
        const NEEDS: &[Need] = &[aws("ec2:DescribeVolumes")];
        let position = self.index.volumes.get(id).copied();
        by_id(
            &self.volumes,
            position,
            format!("volume {id}"),
            NEEDS,
            &[id],
        )
    }

    /// An instance profile by ARN.
    pub fn instance_profile(&self, arn: &str) -> Lookup<'_, InstanceProfile> {
        const NEEDS: &[Need] = &[aws("iam:GetInstanceProfile")];
        let position = self.index.instance_profiles.get(arn).copied();
        // Failures are recorded by profile name (the API's parameter), lookups are by ARN.
        let keys = [arn, last_segment(arn)];
        let what = format!("instance profile {arn}");
        by_id(&self.instance_profiles, position, what, NEEDS, &keys)
    }

    /// A role by ARN.
    pub fn role(&self, arn: &str) -> Lookup<'_, IamRole> {
        const NEEDS: &[Need] = &[aws("iam:ListAttachedRolePolicies")];
        let position = self.index.roles.get(arn).copied();
        // Failures are recorded by role name (the API's parameter), lookups are by ARN.
        let keys = [arn, last_segment(arn)];
        by_id(&self.roles, position, format!("role {arn}"), NEEDS, &keys)
    }

    /// A managed policy by ARN.
    pub fn managed_policy(&self, arn: &str) -> Lookup<'_, ManagedPolicy> {
        const NEEDS: &[Need] = &[aws("iam:GetPolicy")];
        let position = self.index.policies.get(arn).copied();
        by_id(
            &self.policies,
            position,
            format!("policy {arn}"),
            NEEDS,
            &[arn],
        )
    }

    /// An AMI by id.
    pub fn image(&self, id: &str) -> Lookup<'_, Image> {
        const NEEDS: &[Need] = &[aws("ec2:DescribeImages")];
        let position = self
            .images
            .got()
            .and_then(|images| images.items.iter().position(|i| i.id == id));
        by_id(&self.images, position, format!("image {id}"), NEEDS, &[id])
    }

    /// The route table that routes `subnet`: its explicit association, else the VPC's main table.
    pub fn route_table_for(&self, subnet: &Subnet) -> Lookup<'_, RouteTable> {
        const NEEDS: &[Need] = &[aws("ec2:DescribeRouteTables")];
        let index = &self.index;
        let position = index.route_table_by_subnet.get(&subnet.id).or_else(|| {
            subnet
                .vpc_id
                .as_ref()
                .and_then(|vpc| index.main_route_table_by_vpc.get(vpc))
        });
        let what = format!("route table of subnet {}", subnet.id);
        let mut keys = vec![subnet.id.as_str()];
        keys.extend(subnet.vpc_id.as_deref());
        by_id(&self.route_tables, position.copied(), what, NEEDS, &keys)
    }
}

/// The part after the last `/`: the name in a role or instance profile ARN.
pub fn last_segment(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

failures_in!(
    ClusterInventory: ecr_images,
    node_scans,
    cluster,
    nodegroups,
    launch_templates,
    instances,
    security_groups,
    subnets,
    route_tables,
    vpc_endpoints,
    volumes,
    instance_profiles,
    roles,
    policies,
    images,
    updates,
    addons,
    addon_versions,
    access_entries,
    pod_identity_associations,
    fargate_profiles,
    secrets_key,
    cluster_role,
    insights,
    log_groups,
    flow_logs,
    kubernetes,
);
