//! The EKS control plane and managed node groups, as DescribeCluster / DescribeNodegroup report them.

use std::collections::BTreeMap;

use super::read::{failures_in, no_failures};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::{Lookup, Need, Read, aws};

/// One EKS cluster (DescribeCluster).
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct EksCluster {
    /// Cluster name.
    pub name: String,
    /// Cluster ARN.
    pub arn: String,
    /// Kubernetes minor version, e.g. `1.31`.
    #[serde(default)]
    pub version: Option<String>,
    /// `ACTIVE`, `CREATING`, `UPDATING`, `FAILED`...
    #[serde(default)]
    pub status: Option<String>,
    /// EKS platform version, e.g. `eks.12`.
    #[serde(default)]
    pub platform_version: Option<String>,
    /// The API server URL.
    #[serde(default)]
    pub endpoint: Option<String>,
    /// `certificateAuthority.data`: the cluster CA certificate (base64 of PEM), which sek trusts
    /// when it reaches the API server itself. A public certificate, not a secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_authority: Option<String>,
    /// The cluster (control plane) IAM role.
    #[serde(default)]
    pub role_arn: Option<String>,
    /// Creation time.
    #[serde(default)]
    pub created_at: Option<Timestamp>,
    /// Networking: subnets, security groups, endpoint access.
    #[serde(default)]
    pub vpc: ClusterVpcConfig,
    /// `logging.clusterLogging` as returned: AWS returns one entry for the enabled types and
    /// one for the disabled types, so only entries with `enabled: true` count.
    #[serde(default)]
    pub logging: Vec<LogSetup>,
    /// `encryptionConfig`: envelope encryption of Kubernetes resources with KMS.
    #[serde(default)]
    pub encryption: Vec<EncryptionConfig>,
    /// The cluster's OIDC issuer URL (for IRSA).
    #[serde(default)]
    pub oidc_issuer: Option<String>,
    /// Cluster tags.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// `accessConfig`: how IAM principals are authenticated to Kubernetes.
    #[serde(default)]
    pub access_config: Option<AccessConfig>,
    /// `health.issues`: problems EKS reports with the cluster.
    #[serde(default)]
    pub health_issues: Vec<HealthIssue>,
    /// `upgradePolicy.supportType`: `STANDARD` or `EXTENDED`.
    #[serde(default)]
    pub support_type: Option<String>,
    /// `deletionProtection`; `None` when EKS did not report it (or an older snapshot).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deletion_protection: Option<bool>,
    /// EKS Auto Mode: `computeConfig`, `storageConfig.blockStorage` and
    /// `kubernetesNetworkConfig.elasticLoadBalancing`; `None` when EKS reported none of them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_mode: Option<AutoMode>,
    /// EKS Hybrid Nodes: `remoteNetworkConfig`, when set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote_network: Option<RemoteNetwork>,
}

impl EksCluster {
    /// Whether EKS Auto Mode manages the cluster's compute (`computeConfig.enabled`).
    pub fn auto_mode_compute(&self) -> bool {
        self.auto_mode.as_ref().is_some_and(|a| a.compute)
    }
}

/// EKS Auto Mode, as DescribeCluster reports it. Auto Mode is on when all three capabilities
/// are; EKS then runs the VPC CNI, kube-proxy, CoreDNS, the EBS CSI driver and the load
/// balancer controller itself, on instances it manages.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct AutoMode {
    /// `computeConfig.enabled`: EKS launches and manages the nodes.
    #[serde(default)]
    pub compute: bool,
    /// `computeConfig.nodePools`: the built-in NodePools (`system`, `general-purpose`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub node_pools: Vec<String>,
    /// `computeConfig.nodeRoleArn`: the IAM role of the built-in NodePools' nodes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_role_arn: Option<String>,
    /// `storageConfig.blockStorage.enabled`.
    #[serde(default)]
    pub block_storage: bool,
    /// `kubernetesNetworkConfig.elasticLoadBalancing.enabled`.
    #[serde(default)]
    pub load_balancing: bool,
}

/// `remoteNetworkConfig`: the on-premises networks of EKS Hybrid Nodes.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct RemoteNetwork {
    /// CIDRs of the hybrid nodes.
    #[serde(default)]
    pub node_cidrs: Vec<String>,
    /// CIDRs of the pods on hybrid nodes.
    #[serde(default)]
    pub pod_cidrs: Vec<String>,
}

/// `accessConfig`.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct AccessConfig {
    /// `CONFIG_MAP`, `API_AND_CONFIG_MAP` or `API`.
    #[serde(default)]
    pub authentication_mode: Option<String>,
    /// Whether the creator was given cluster-admin at creation.
    #[serde(default)]
    pub bootstrap_cluster_creator_admin_permissions: Option<bool>,
}

/// One `health.issues` entry.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct HealthIssue {
    /// Issue code, e.g. `Ec2SubnetNotFound`.
    #[serde(default)]
    pub code: Option<String>,
    /// What EKS says.
    #[serde(default)]
    pub message: Option<String>,
    /// The resources concerned.
    #[serde(default)]
    pub resources: Vec<String>,
}

/// A cluster or node group update (ListUpdates, DescribeUpdate).
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct ClusterUpdate {
    /// Update id.
    pub id: String,
    /// The node group it concerns, if not the control plane.
    #[serde(default)]
    pub nodegroup: Option<String>,
    /// The add-on it concerns, if not the control plane.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub addon: Option<String>,
    /// `VersionUpdate`, `ConfigUpdate`, `EndpointAccessUpdate`...
    #[serde(default)]
    pub kind: Option<String>,
    /// `InProgress`, `Failed`, `Cancelled`, `Successful`.
    #[serde(default)]
    pub status: Option<String>,
    /// When it started.
    #[serde(default)]
    pub created_at: Option<Timestamp>,
    /// The errors EKS recorded (`code: message`).
    #[serde(default)]
    pub errors: Vec<String>,
}

/// An EKS add-on (ListAddons, DescribeAddon).
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct Addon {
    /// Add-on name, e.g. `vpc-cni`, `eks-pod-identity-agent`.
    pub name: String,
    /// Version.
    #[serde(default)]
    pub version: Option<String>,
    /// `ACTIVE`, `DEGRADED`...
    #[serde(default)]
    pub status: Option<String>,
    /// The add-on's configuration values (JSON or YAML text), when set.
    #[serde(default)]
    pub configuration_values: Option<String>,
    /// The IAM role of its service account (IRSA), when set.
    #[serde(default)]
    pub service_account_role_arn: Option<String>,
}

/// An EKS access entry with its access policies (DescribeAccessEntry, ListAssociatedAccessPolicies).
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct AccessEntry {
    /// The IAM principal.
    pub principal_arn: String,
    /// `STANDARD`, `EC2_LINUX`, `FARGATE_LINUX`...
    #[serde(default)]
    pub kind: Option<String>,
    /// The Kubernetes user name.
    #[serde(default)]
    pub username: Option<String>,
    /// Kubernetes groups the principal is mapped to.
    #[serde(default)]
    pub kubernetes_groups: Vec<String>,
    /// Associated access policies (ListAssociatedAccessPolicies).
    #[serde(default, skip_serializing_if = "Read::is_not_collected")]
    pub policies: Read<Vec<AccessPolicyAssociation>>,
    /// When the entry was created.
    #[serde(default)]
    pub created_at: Option<Timestamp>,
}

/// An access policy associated with an access entry.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct AccessPolicyAssociation {
    /// e.g. `arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy`.
    pub policy_arn: String,
    /// `cluster` or `namespace`.
    #[serde(default)]
    pub scope: Option<String>,
    /// Namespaces, for a namespace scope.
    #[serde(default)]
    pub namespaces: Vec<String>,
}

/// An EKS Pod Identity association (ListPodIdentityAssociations).
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct PodIdentityAssociation {
    /// Namespace.
    pub namespace: String,
    /// Service account.
    pub service_account: String,
    /// The IAM role pods of that service account get (DescribePodIdentityAssociation; absent
    /// from the list sek reads).
    #[serde(default)]
    pub role_arn: Option<String>,
    /// The association's ARN.
    #[serde(default)]
    pub association_arn: Option<String>,
    /// The role in another account that pods chain to from `role_arn`, when set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_role_arn: Option<String>,
    /// The session policy that narrows the role's permissions for these pods, when set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_policy: Option<serde_json::Value>,
}

/// The core components EKS ships as add-ons: their versions are read even when a cluster runs
/// them self-managed, to judge their image tags.
pub const CORE_ADDONS: &[&str] = &["vpc-cni", "kube-proxy", "coredns"];

/// The versions of one add-on EKS offers for the cluster's Kubernetes version
/// (DescribeAddonVersions with `kubernetesVersion`).
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct AddonVersions {
    /// Add-on name, e.g. `vpc-cni`.
    pub name: String,
    /// The version EKS installs by default on this Kubernetes version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_version: Option<String>,
    /// Every version compatible with this Kubernetes version.
    #[serde(default)]
    pub compatible: Vec<String>,
}

/// An EKS cluster insight (ListInsights; DescribeInsight for those not passing).
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct Insight {
    /// Insight id.
    pub id: String,
    /// What it checks, e.g. `Deprecated APIs removed in Kubernetes v1.32`.
    #[serde(default)]
    pub name: String,
    /// `UPGRADE_READINESS` or `MISCONFIGURATION`.
    #[serde(default)]
    pub category: Option<String>,
    /// `PASSING`, `WARNING`, `ERROR` or `UNKNOWN`.
    #[serde(default)]
    pub status: Option<String>,
    /// Why it has that status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The Kubernetes version it is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kubernetes_version: Option<String>,
    /// What EKS recommends (DescribeInsight).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recommendation: Option<String>,
    /// Deprecated APIs in use: `usage -> replacement (removed in version)`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deprecations: Vec<String>,
    /// How many resources it names.
    #[serde(default)]
    pub affected_resources: usize,
}

/// A Fargate profile (ListFargateProfiles, DescribeFargateProfile).
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct FargateProfile {
    /// Profile name.
    pub name: String,
    /// The namespaces (and labels) whose pods run on Fargate.
    #[serde(default)]
    pub selectors: Vec<String>,
}

/// A Kubernetes version as EKS supports it (DescribeClusterVersions).
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct ClusterVersion {
    /// Minor version, e.g. `1.31`.
    pub version: String,
    /// `STANDARD_SUPPORT`, `EXTENDED_SUPPORT` or `UNSUPPORTED`.
    #[serde(default)]
    pub status: Option<String>,
    /// End of standard support.
    #[serde(default)]
    pub end_of_standard_support: Option<Timestamp>,
    /// End of extended support.
    #[serde(default)]
    pub end_of_extended_support: Option<Timestamp>,
}

/// `resourcesVpcConfig`.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct ClusterVpcConfig {
    /// The cluster VPC.
    #[serde(default)]
    pub vpc_id: Option<String>,
    /// Subnets given at creation.
    #[serde(default)]
    pub subnet_ids: Vec<String>,
    /// Additional security groups attached to the control plane ENIs.
    #[serde(default)]
    pub security_group_ids: Vec<String>,
    /// The security group EKS creates for the cluster.
    #[serde(default)]
    pub cluster_security_group_id: Option<String>,
    /// Whether the public API endpoint is on. `None` when the API did not say.
    #[serde(default)]
    pub endpoint_public_access: Option<bool>,
    /// Whether the private (in-VPC) API endpoint is on. `None` when the API did not say.
    #[serde(default)]
    pub endpoint_private_access: Option<bool>,
    /// CIDR blocks allowed to reach the public endpoint (EKS defaults to `0.0.0.0/0`).
    #[serde(default)]
    pub public_access_cidrs: Vec<String>,
}

/// One `clusterLogging` entry.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct LogSetup {
    /// Log types: `api`, `audit`, `authenticator`, `controllerManager`, `scheduler`.
    #[serde(default)]
    pub types: Vec<String>,
    /// Whether these types are enabled.
    #[serde(default)]
    pub enabled: Option<bool>,
}

/// One `encryptionConfig` entry.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct EncryptionConfig {
    /// Kubernetes resources encrypted, e.g. `secrets`.
    #[serde(default)]
    pub resources: Vec<String>,
    /// The KMS key.
    #[serde(default)]
    pub key_arn: Option<String>,
}

/// A managed node group (DescribeNodegroup).
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct Nodegroup {
    /// Node group name.
    pub name: String,
    /// Node group ARN.
    #[serde(default)]
    pub arn: Option<String>,
    /// `ACTIVE`, `DEGRADED`...
    #[serde(default)]
    pub status: Option<String>,
    /// Kubernetes version of the nodes.
    #[serde(default)]
    pub version: Option<String>,
    /// AMI release version.
    #[serde(default)]
    pub release_version: Option<String>,
    /// `AL2_x86_64`, `AL2023_x86_64_STANDARD`, `BOTTLEROCKET_ARM_64`, `CUSTOM`...
    #[serde(default)]
    pub ami_type: Option<String>,
    /// `ON_DEMAND` or `SPOT`.
    #[serde(default)]
    pub capacity_type: Option<String>,
    /// The node IAM role ARN.
    #[serde(default)]
    pub node_role: Option<String>,
    /// Subnets the nodes launch in.
    #[serde(default)]
    pub subnets: Vec<String>,
    /// Instance types.
    #[serde(default)]
    pub instance_types: Vec<String>,
    /// SSH access configured on the node group, if any.
    #[serde(default)]
    pub remote_access: Option<RemoteAccess>,
    /// The launch template the node group uses, if any (the version is resolved to a number).
    #[serde(default)]
    pub launch_template: Option<LaunchTemplateRef>,
    /// The Auto Scaling groups behind the node group.
    #[serde(default)]
    pub autoscaling_groups: Vec<String>,
    /// The security group EKS created for remote access, if any.
    #[serde(default)]
    pub remote_access_security_group: Option<String>,
    /// Creation time.
    #[serde(default)]
    pub created_at: Option<Timestamp>,
    /// Node group tags.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
}

/// `remoteAccess` of a node group.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct RemoteAccess {
    /// The EC2 key pair name.
    #[serde(default)]
    pub ec2_ssh_key: Option<String>,
    /// Security groups allowed to reach port 22 (none means 0.0.0.0/0).
    #[serde(default)]
    pub source_security_groups: Vec<String>,
}

/// A reference to one launch template version.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct LaunchTemplateRef {
    /// Launch template id.
    #[serde(default)]
    pub id: Option<String>,
    /// Launch template name.
    #[serde(default)]
    pub name: Option<String>,
    /// Version number, or `$Latest` / `$Default` when it could not be resolved.
    #[serde(default)]
    pub version: Option<String>,
}

/// The KMS key that envelope-encrypts the cluster's Secrets (DescribeKey, GetKeyRotationStatus).
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct KmsKey {
    /// Key ARN.
    pub arn: String,
    /// `CUSTOMER` or `AWS`.
    #[serde(default)]
    pub manager: Option<String>,
    /// `Enabled`, `Disabled`, `PendingDeletion`...
    #[serde(default)]
    pub state: Option<String>,
    /// Whether automatic rotation is on (GetKeyRotationStatus).
    #[serde(default, skip_serializing_if = "Read::is_not_collected")]
    pub rotation_enabled: Read<bool>,
}

/// A CloudWatch Logs log group (DescribeLogGroups).
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct LogGroup {
    /// Log group name.
    pub name: String,
    /// Retention in days; `None` keeps logs forever.
    #[serde(default)]
    pub retention_days: Option<i32>,
    /// KMS key encrypting the group, if any.
    #[serde(default)]
    pub kms_key_id: Option<String>,
}

no_failures!(
    EksCluster,
    Nodegroup,
    ClusterUpdate,
    Addon,
    AddonVersions,
    AutoMode,
    RemoteNetwork,
    PodIdentityAssociation,
    FargateProfile,
    Insight,
    LogGroup,
    ClusterVersion,
    AccessPolicyAssociation,
);
failures_in!(AccessEntry: policies);
failures_in!(KmsKey: rotation_enabled);

impl AccessEntry {
    /// Its associated access policies, or why they are unknown.
    pub fn access_policies(&self) -> Lookup<'_, Vec<AccessPolicyAssociation>> {
        const NEEDS: &[Need] = &[aws("eks:ListAssociatedAccessPolicies")];
        self.policies.get(
            &format!("the access policies of {}", self.principal_arn),
            NEEDS,
        )
    }
}

impl KmsKey {
    /// Whether automatic rotation is on, or why that is unknown.
    pub fn rotation(&self) -> Lookup<'_, bool> {
        const NEEDS: &[Need] = &[aws("kms:GetKeyRotationStatus")];
        self.rotation_enabled
            .get(&format!("the rotation status of key {}", self.arn), NEEDS)
    }
}
