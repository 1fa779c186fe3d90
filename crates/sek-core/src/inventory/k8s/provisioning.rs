//! How nodes are provisioned from inside the cluster: Karpenter's EC2NodeClasses and NodePools,
//! and EKS Auto Mode's NodeClasses (whose NodePools are Karpenter's kind). A NodeClass is the
//! launch template of every node its NodePools will launch, so it is judged even before it has
//! launched one.
//!
//! Only the v1 APIs are read (Karpenter 1.0 and later, Auto Mode). A list answered with 404 reads
//! as "none" when the CRD list shows the CRD is not installed, and stays a failed read when it is
//! (an older release serving another version).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::ObjectMeta;

/// A Karpenter EC2NodeClass (`karpenter.k8s.aws/v1`).
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct Ec2NodeClass {
    /// Metadata.
    pub metadata: ObjectMeta,
    /// What the nodes are launched with.
    #[serde(default)]
    pub spec: Ec2NodeClassSpec,
    /// What Karpenter resolved the selector terms to.
    #[serde(default)]
    pub status: NodeClassStatus,
}

/// The parts of an EC2NodeClass spec the checks read.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Ec2NodeClassSpec {
    /// `AL2023`, `Bottlerocket`, `Custom`...; optional when an alias names the AMI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ami_family: Option<String>,
    /// Which AMIs: an `alias` (`al2023@latest`), ids, names or tags.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ami_selector_terms: Vec<AmiSelectorTerm>,
    /// Instance metadata options; Karpenter's defaults apply to what is unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata_options: Option<NodeClassMetadataOptions>,
    /// Block devices; the AMI family's defaults when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub block_device_mappings: Vec<BlockDeviceMapping>,
    /// The node IAM role (Karpenter makes the instance profile).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// An instance profile managed outside Karpenter, instead of `role`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_profile: Option<String>,
    /// Security group selector terms (ids, names, tags).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub security_group_selector_terms: Vec<Value>,
    /// Subnet selector terms (ids, tags).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subnet_selector_terms: Vec<Value>,
}

/// One `amiSelectorTerms` entry.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct AmiSelectorTerm {
    /// `<family>@<version>`: `al2023@latest`, `bottlerocket@v1.26.2`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
    /// An AMI id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// An AMI name (pattern).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The AMI owner (account id or alias).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// AMI tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Value>,
}

/// An EC2NodeClass's `metadataOptions` (EC2's names, camelCase).
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct NodeClassMetadataOptions {
    /// `enabled` or `disabled`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_endpoint: Option<String>,
    /// `required` or `optional`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_tokens: Option<String>,
    /// The PUT response hop limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_put_response_hop_limit: Option<i32>,
}

impl Ec2NodeClass {
    /// The metadata options nodes get: Karpenter v1's defaults (endpoint enabled, IMDSv2
    /// required, hop limit 1) for what the spec leaves unset.
    pub fn effective_metadata_options(&self) -> crate::inventory::MetadataOptions {
        let set = self.spec.metadata_options.clone().unwrap_or_default();
        crate::inventory::MetadataOptions {
            http_endpoint: Some(set.http_endpoint.unwrap_or_else(|| "enabled".into())),
            http_tokens: Some(set.http_tokens.unwrap_or_else(|| "required".into())),
            http_put_response_hop_limit: Some(set.http_put_response_hop_limit.unwrap_or(1)),
        }
    }
}

/// One `blockDeviceMappings` entry.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct BlockDeviceMapping {
    /// The device, e.g. `/dev/xvda`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_name: Option<String>,
    /// Whether it is the root volume.
    #[serde(default)]
    pub root_volume: bool,
    /// The EBS volume.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ebs: Option<BlockDevice>,
}

/// An EBS block device of a NodeClass.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct BlockDevice {
    /// Whether EC2 encrypts it; unset leaves it to the region's EBS encryption by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encrypted: Option<bool>,
    /// The KMS key.
    #[serde(default, rename = "kmsKeyID", skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
    /// Size, e.g. `20Gi`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_size: Option<String>,
}

/// What a NodeClass's selector terms resolved to, from its status.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct NodeClassStatus {
    /// Selected subnets.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subnets: Vec<IdRef>,
    /// Selected security groups.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub security_groups: Vec<IdRef>,
    /// Selected AMIs (Karpenter).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub amis: Vec<IdRef>,
}

/// `{"id": ...}` in a status list.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct IdRef {
    /// The resource id.
    #[serde(default)]
    pub id: String,
    /// Its name, when reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// A NodeClass of either kind, as the checks (and the collector) that read its selections and
/// role see it: Karpenter's and Auto Mode's are alike there.
#[derive(Debug, Clone, Copy)]
pub struct AnyNodeClass<'a> {
    /// `EC2NodeClass` or `NodeClass`.
    pub kind: &'static str,
    /// Its name.
    pub name: &'a str,
    /// The node IAM role it names, if any.
    pub role: Option<&'a str>,
    /// What its selector terms resolved to.
    pub status: &'a NodeClassStatus,
}

impl Ec2NodeClass {
    /// This class as [`AnyNodeClass`].
    pub fn as_any(&self) -> AnyNodeClass<'_> {
        AnyNodeClass {
            kind: "EC2NodeClass",
            name: &self.metadata.name,
            role: self.spec.role.as_deref(),
            status: &self.status,
        }
    }
}

impl AutoNodeClass {
    /// This class as [`AnyNodeClass`].
    pub fn as_any(&self) -> AnyNodeClass<'_> {
        AnyNodeClass {
            kind: "NodeClass",
            name: &self.metadata.name,
            role: self.spec.role.as_deref(),
            status: &self.status,
        }
    }
}

/// An EKS Auto Mode NodeClass (`eks.amazonaws.com/v1`). EKS manages the instances (AMI, IMDS,
/// SSH, OS); the user chooses these settings.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct AutoNodeClass {
    /// Metadata.
    pub metadata: ObjectMeta,
    /// The settings.
    #[serde(default)]
    pub spec: AutoNodeClassSpec,
    /// What the selector terms resolved to.
    #[serde(default)]
    pub status: NodeClassStatus,
}

/// The parts of an Auto Mode NodeClass spec the checks read.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct AutoNodeClassSpec {
    /// The node IAM role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// Ephemeral (root and data) storage; always encrypted, with `kmsKeyID` or an AWS key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ephemeral_storage: Option<EphemeralStorage>,
    /// `DefaultAllow` or `DefaultDeny`: the network policy default of its nodes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_policy: Option<String>,
    /// `Random` or `Disabled`: source NAT of pod traffic leaving the VPC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snat_policy: Option<String>,
    /// Security group selector terms.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub security_group_selector_terms: Vec<Value>,
    /// Subnet selector terms.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subnet_selector_terms: Vec<Value>,
}

/// An Auto Mode NodeClass's `ephemeralStorage`.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct EphemeralStorage {
    /// The KMS key of its volumes (an AWS managed key when unset).
    #[serde(default, rename = "kmsKeyID", skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
    /// Size, e.g. `80Gi`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<String>,
}

/// A Karpenter NodePool (`karpenter.sh/v1`), Auto Mode's included.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct NodePool {
    /// Metadata.
    pub metadata: ObjectMeta,
    /// The spec.
    #[serde(default)]
    pub spec: NodePoolSpec,
}

/// `spec` of a NodePool.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct NodePoolSpec {
    /// The template of its NodeClaims.
    #[serde(default)]
    pub template: NodeClaimTemplate,
}

/// `spec.template` of a NodePool.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct NodeClaimTemplate {
    /// `spec.template.spec`.
    #[serde(default)]
    pub spec: NodeClaimSpec,
}

/// `spec.template.spec` of a NodePool.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct NodeClaimSpec {
    /// The NodeClass its nodes are launched with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_class_ref: Option<NodeClassRef>,
    /// How long a node lives before it is replaced (`720h`, `Never`); unset: Karpenter's
    /// default, 720h.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expire_after: Option<String>,
}

/// `nodeClassRef`.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct NodeClassRef {
    /// `karpenter.k8s.aws` or `eks.amazonaws.com`.
    #[serde(default)]
    pub group: String,
    /// `EC2NodeClass` or `NodeClass`.
    #[serde(default)]
    pub kind: String,
    /// The NodeClass's name.
    #[serde(default)]
    pub name: String,
}

/// The ARN of a NodeClass's `role` (a role name, or already an ARN) in the account and partition
/// of `cluster_arn`. A role with a path has another ARN; it is then found by name.
pub fn node_class_role_arn(cluster_arn: &str, role: &str) -> String {
    iam_arn(cluster_arn, "role", role)
}

/// The ARN of an EC2NodeClass's `instanceProfile` (a name), as [`node_class_role_arn`].
pub fn node_class_profile_arn(cluster_arn: &str, profile: &str) -> String {
    iam_arn(cluster_arn, "instance-profile", profile)
}

fn iam_arn(cluster_arn: &str, kind: &str, name: &str) -> String {
    if name.starts_with("arn:") {
        return name.to_string();
    }
    let parts: Vec<&str> = cluster_arn.split(':').collect();
    let (partition, account) = match parts.as_slice() {
        [_, partition, _, _, account, ..] => (*partition, *account),
        _ => ("aws", ""),
    };
    format!("arn:{partition}:iam::{account}:{kind}/{name}")
}

/// Karpenter v1's `expireAfter` when a NodePool sets none.
pub const KARPENTER_DEFAULT_EXPIRE_AFTER: &str = "720h";

impl NodePool {
    /// Whether its nodes come from an Auto Mode NodeClass (EKS's group).
    pub fn is_auto_mode(&self) -> bool {
        self.spec
            .template
            .spec
            .node_class_ref
            .as_ref()
            .is_some_and(|r| r.group == "eks.amazonaws.com")
    }

    /// `expireAfter` as nodes get it, and whether it is Karpenter's default.
    pub fn expire_after(&self) -> (&str, bool) {
        match self.spec.template.spec.expire_after.as_deref() {
            Some(value) => (value, false),
            None => (KARPENTER_DEFAULT_EXPIRE_AFTER, true),
        }
    }
}

/// A Kubernetes duration (`720h`, `1h30m`, `90s`) in seconds; `None` for `Never` or garbage.
pub fn duration_seconds(text: &str) -> Option<u64> {
    let mut total = 0u64;
    let mut number = String::new();
    let mut any = false;
    for c in text.trim().chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let unit = match c {
            'h' => 3600,
            'm' => 60,
            's' => 1,
            _ => return None,
        };
        total += number.parse::<u64>().ok()? * unit;
        number.clear();
        any = true;
    }
    (any && number.is_empty()).then_some(total)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn an_ec2nodeclass_without_metadata_options_gets_karpenters_defaults() {
        let class: Ec2NodeClass = serde_json::from_value(json!({
            "metadata": {"name": "default"},
            "spec": {"amiSelectorTerms": [{"alias": "al2023@latest"}], "role": "KarpenterNodeRole"}
        }))
        .unwrap();
        let options = class.effective_metadata_options();
        assert_eq!(options.http_tokens.as_deref(), Some("required"));
        assert_eq!(options.http_put_response_hop_limit, Some(1));
        let loose: Ec2NodeClass = serde_json::from_value(json!({
            "metadata": {"name": "loose"},
            "spec": {"metadataOptions": {"httpTokens": "optional", "httpPutResponseHopLimit": 2}}
        }))
        .unwrap();
        let options = loose.effective_metadata_options();
        assert_eq!(options.http_tokens.as_deref(), Some("optional"));
        assert_eq!(options.http_put_response_hop_limit, Some(2));
        assert_eq!(options.http_endpoint.as_deref(), Some("enabled"));
    }

    #[test]
    fn node_pools_know_their_class_and_expiry() {
        let pool: NodePool = serde_json::from_value(json!({
            "metadata": {"name": "general-purpose"},
            "spec": {"template": {"spec": {"nodeClassRef": {"group": "eks.amazonaws.com", "kind": "NodeClass", "name": "default"},
                "expireAfter": "336h"}}}
        }))
        .unwrap();
        assert!(pool.is_auto_mode());
        assert_eq!(pool.expire_after(), ("336h", false));
        assert_eq!(NodePool::default().expire_after(), ("720h", true));
    }

    #[test]
    fn durations_read_as_kubernetes_writes_them() {
        assert_eq!(duration_seconds("720h"), Some(720 * 3600));
        assert_eq!(duration_seconds("1h30m"), Some(5400));
        assert_eq!(duration_seconds("Never"), None);
        assert_eq!(duration_seconds("12"), None);
    }
}
