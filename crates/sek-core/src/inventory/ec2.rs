//! EC2 resources around the cluster: instances (nodes), launch templates, security groups,
//! subnets, route tables and volumes.

use std::collections::BTreeMap;

use super::read::{failures_in, no_failures};
use super::{Read, UserDataScan};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// A worker node's EC2 instance (DescribeInstances).
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct Instance {
    /// Instance id.
    pub id: String,
    /// `pending`, `running`, `stopping`, `stopped`.
    #[serde(default)]
    pub state: Option<String>,
    /// Launch time.
    #[serde(default)]
    pub launch_time: Option<Timestamp>,
    /// AMI id.
    #[serde(default)]
    pub image_id: Option<String>,
    /// Instance type.
    #[serde(default)]
    pub instance_type: Option<String>,
    /// Private IPv4 address.
    #[serde(default)]
    pub private_ip: Option<String>,
    /// Public IPv4 address, if any.
    #[serde(default)]
    pub public_ip: Option<String>,
    /// Public DNS name, if any (EC2 returns an empty string for none; stored as `None`).
    #[serde(default)]
    pub public_dns: Option<String>,
    /// Subnet.
    #[serde(default)]
    pub subnet_id: Option<String>,
    /// VPC.
    #[serde(default)]
    pub vpc_id: Option<String>,
    /// Security groups of the instance (all network interfaces).
    #[serde(default)]
    pub security_group_ids: Vec<String>,
    /// The instance profile ARN, if any.
    #[serde(default)]
    pub iam_instance_profile_arn: Option<String>,
    /// Instance metadata service options. `None` when the API did not return them.
    #[serde(default)]
    pub metadata_options: Option<MetadataOptions>,
    /// EBS volumes attached to the instance.
    #[serde(default)]
    pub volumes: Vec<AttachedVolume>,
    /// The EC2 key pair, if any.
    #[serde(default)]
    pub key_name: Option<String>,
    /// The managed node group, from the `eks:nodegroup-name` tag.
    #[serde(default)]
    pub nodegroup: Option<String>,
    /// How sek found this node: `asg:<name>`, `tag:kubernetes.io/cluster/<cluster>`,
    /// `tag:eks:cluster-name`. A node found several ways lists each.
    #[serde(default)]
    pub discovered_by: Vec<String>,
    /// Instance tags.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// The service that manages the instance (`operator.principal` of a managed instance):
    /// `eks.amazonaws.com` for EKS Auto Mode nodes, whose AMI, IMDS, volumes and SSH access
    /// the cluster's owner cannot change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub managed_by: Option<String>,
}

/// `operator.principal` of the instances EKS Auto Mode launches.
pub const AUTO_MODE_OPERATOR: &str = "eks.amazonaws.com";

impl Instance {
    /// Whether EKS Auto Mode manages this instance.
    pub fn is_auto_mode(&self) -> bool {
        self.managed_by.as_deref() == Some(AUTO_MODE_OPERATOR)
    }

    /// The Karpenter NodePool that launched it (`karpenter.sh/nodepool` tag), if any.
    pub fn karpenter_node_pool(&self) -> Option<&str> {
        self.tags.get("karpenter.sh/nodepool").map(String::as_str)
    }
}

/// Instance metadata service options (`MetadataOptions`).
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq, Eq)]
pub struct MetadataOptions {
    /// `required` (IMDSv2 only) or `optional` (IMDSv1 allowed).
    #[serde(default)]
    pub http_tokens: Option<String>,
    /// PUT response hop limit: 1 keeps containers (one hop away) from the node's credentials.
    #[serde(default)]
    pub http_put_response_hop_limit: Option<i32>,
    /// `enabled` or `disabled`.
    #[serde(default)]
    pub http_endpoint: Option<String>,
}

/// An EBS volume attached to an instance.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq, Eq)]
pub struct AttachedVolume {
    /// Device name, e.g. `/dev/xvda`.
    #[serde(default)]
    pub device_name: Option<String>,
    /// Volume id.
    pub volume_id: String,
}

/// One launch template version (DescribeLaunchTemplateVersions).
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct LaunchTemplateVersion {
    /// Launch template id.
    pub id: String,
    /// Launch template name.
    #[serde(default)]
    pub name: Option<String>,
    /// Version number.
    pub version: i64,
    /// Metadata options the template asks for. `None` when the template leaves them unset.
    #[serde(default)]
    pub metadata_options: Option<MetadataOptions>,
    /// Block device mappings.
    #[serde(default)]
    pub block_devices: Vec<TemplateBlockDevice>,
    /// AMI id, when the template sets one.
    #[serde(default)]
    pub image_id: Option<String>,
    /// Key pair, when the template sets one.
    #[serde(default)]
    pub key_name: Option<String>,
    /// Security groups the template sets (top level and on network interfaces).
    #[serde(default)]
    pub security_group_ids: Vec<String>,
    /// Whether a network interface asks for a public IP.
    #[serde(default)]
    pub associate_public_ip: Option<bool>,
    /// What the user data was found to hold (secrets by kind and line, never their values).
    #[serde(default, skip_serializing_if = "Read::is_not_collected")]
    pub user_data: Read<UserDataScan>,
}

/// One block device mapping of a launch template.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq, Eq)]
pub struct TemplateBlockDevice {
    /// Device name.
    #[serde(default)]
    pub device_name: Option<String>,
    /// Whether this maps an EBS volume (not an instance store or a `NoDevice`).
    #[serde(default)]
    pub ebs: bool,
    /// `Encrypted` as the template sets it; `None` leaves it to the snapshot or the account default.
    #[serde(default)]
    pub encrypted: Option<bool>,
    /// KMS key, when set.
    #[serde(default)]
    pub kms_key_id: Option<String>,
}

/// A security group (DescribeSecurityGroups).
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct SecurityGroup {
    /// Group id.
    pub id: String,
    /// Group name.
    #[serde(default)]
    pub name: Option<String>,
    /// VPC.
    #[serde(default)]
    pub vpc_id: Option<String>,
    /// Owning account.
    #[serde(default)]
    pub owner_id: Option<String>,
    /// Inbound rules.
    #[serde(default)]
    pub ingress: Vec<IpPermission>,
    /// Outbound rules.
    #[serde(default)]
    pub egress: Vec<IpPermission>,
}

/// One security group rule (`IpPermission`).
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq, Eq)]
pub struct IpPermission {
    /// `-1` (all), `tcp`, `udp`, `icmp`, `icmpv6` or a protocol number.
    pub protocol: String,
    /// First port (or ICMP type). Absent for all-protocol rules.
    #[serde(default)]
    pub from_port: Option<i32>,
    /// Last port (or ICMP code). Absent for all-protocol rules.
    #[serde(default)]
    pub to_port: Option<i32>,
    /// IPv4 source/destination ranges.
    #[serde(default)]
    pub ipv4_ranges: Vec<String>,
    /// IPv6 source/destination ranges.
    #[serde(default)]
    pub ipv6_ranges: Vec<String>,
    /// Managed prefix lists.
    #[serde(default)]
    pub prefix_list_ids: Vec<String>,
    /// Referenced security groups.
    #[serde(default)]
    pub source_groups: Vec<String>,
}

/// A subnet (DescribeSubnets).
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct Subnet {
    /// Subnet id.
    pub id: String,
    /// VPC.
    #[serde(default)]
    pub vpc_id: Option<String>,
    /// IPv4 CIDR.
    #[serde(default)]
    pub cidr_block: Option<String>,
    /// Availability zone.
    #[serde(default)]
    pub availability_zone: Option<String>,
    /// Whether instances launched here get a public IPv4 address by default.
    #[serde(default)]
    pub map_public_ip_on_launch: Option<bool>,
}

/// A route table (DescribeRouteTables).
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct RouteTable {
    /// Route table id.
    pub id: String,
    /// VPC.
    #[serde(default)]
    pub vpc_id: Option<String>,
    /// Whether this is the VPC's main route table (used by subnets without an explicit association).
    #[serde(default)]
    pub main: bool,
    /// Subnets explicitly associated with this table.
    #[serde(default)]
    pub subnet_ids: Vec<String>,
    /// Routes.
    #[serde(default)]
    pub routes: Vec<Route>,
}

/// A VPC endpoint (DescribeVpcEndpoints).
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq, Eq)]
pub struct VpcEndpoint {
    /// Endpoint id.
    pub id: String,
    /// VPC.
    #[serde(default)]
    pub vpc_id: Option<String>,
    /// The service, e.g. `com.amazonaws.eu-west-1.ecr.dkr`.
    #[serde(default)]
    pub service_name: String,
    /// `Interface`, `Gateway` or `GatewayLoadBalancer`.
    #[serde(default)]
    pub endpoint_type: Option<String>,
    /// `available`, `pending`...
    #[serde(default)]
    pub state: Option<String>,
}

/// One route.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq, Eq)]
pub struct Route {
    /// Destination: an IPv4 or IPv6 CIDR, or a prefix list id.
    #[serde(default)]
    pub destination: Option<String>,
    /// Target: `igw-...`, `nat-...`, `eigw-...`, `tgw-...`, `pcx-...`, `eni-...`, `local`...
    #[serde(default)]
    pub target: Option<String>,
    /// `active` or `blackhole`.
    #[serde(default)]
    pub state: Option<String>,
}

/// An EBS volume (DescribeVolumes).
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct Volume {
    /// Volume id.
    pub id: String,
    /// Whether the volume is encrypted. `None` when the API did not say.
    #[serde(default)]
    pub encrypted: Option<bool>,
    /// KMS key, when encrypted.
    #[serde(default)]
    pub kms_key_id: Option<String>,
    /// Size in GiB.
    #[serde(default)]
    pub size_gib: Option<i32>,
    /// `gp3`, `gp2`, `io2`...
    #[serde(default)]
    pub volume_type: Option<String>,
    /// Instances the volume is attached to.
    #[serde(default)]
    pub attached_to: Vec<String>,
}

/// A VPC flow log (DescribeFlowLogs).
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct FlowLog {
    /// Flow log id.
    pub id: String,
    /// The VPC, subnet or interface it records.
    #[serde(default)]
    pub resource_id: Option<String>,
    /// `ACTIVE` when delivering.
    #[serde(default)]
    pub status: Option<String>,
    /// `ACCEPT`, `REJECT` or `ALL`.
    #[serde(default)]
    pub traffic_type: Option<String>,
    /// `SUCCESS` or `FAILED`: whether logs reach their destination.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deliver_logs_status: Option<String>,
    /// Why delivery fails (`Access error`, `Rate limited`...), when it does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deliver_logs_error: Option<String>,
}

/// An AMI (DescribeImages).
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct Image {
    /// Image id.
    pub id: String,
    /// Image name, e.g. `amazon-eks-node-al2023-x86_64-standard-1.31-v20241115`.
    #[serde(default)]
    pub name: Option<String>,
    /// Owning account.
    #[serde(default)]
    pub owner_id: Option<String>,
    /// `amazon` for AWS-owned images.
    #[serde(default)]
    pub owner_alias: Option<String>,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
}

failures_in!(LaunchTemplateVersion: user_data);
no_failures!(
    Instance,
    SecurityGroup,
    Subnet,
    RouteTable,
    VpcEndpoint,
    Volume,
    Image,
    FlowLog,
);
