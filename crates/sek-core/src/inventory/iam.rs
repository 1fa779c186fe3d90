//! IAM: the nodes' instance profiles, roles and the policy documents attached to them.

use super::read::{failures_in, no_failures};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Lookup, Need, Read, aws};

/// The AWS managed policies a node role may carry.
pub const MINIMAL_NODE_POLICIES: &[&str] = &[
    "AmazonEKSWorkerNodePolicy",
    // The narrower policy AWS introduced for EKS Auto Mode and Pod Identity nodes.
    "AmazonEKSWorkerNodeMinimalPolicy",
    "AmazonEC2ContainerRegistryReadOnly",
    "AmazonEC2ContainerRegistryPullOnly",
    "AmazonEKS_CNI_Policy",
    "AmazonSSMManagedInstanceCore",
];

/// Whether `arn` is one of [`MINIMAL_NODE_POLICIES`], in any partition.
pub fn is_minimal_node_policy(arn: &str) -> bool {
    aws_managed_policy_name(arn).is_some_and(|name| MINIMAL_NODE_POLICIES.contains(&name))
}

/// The name of an AWS managed policy (`arn:<partition>:iam::aws:policy/<name>`), from its full
/// ARN: a customer policy named like an AWS one is not one.
pub fn aws_managed_policy_name(arn: &str) -> Option<&str> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    match parts.as_slice() {
        ["arn", _, "iam", "", "aws", resource] => resource.strip_prefix("policy/"),
        _ => None,
    }
}

/// The node roles (ARN -> who uses them) and error findings for profiles that could not be read.
/// An instance profile (GetInstanceProfile).
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct InstanceProfile {
    /// Instance profile ARN.
    pub arn: String,
    /// Instance profile name.
    #[serde(default)]
    pub name: Option<String>,
    /// The roles in the profile (ARNs).
    #[serde(default)]
    pub roles: Vec<String>,
}

/// An IAM role with its policies (ListAttachedRolePolicies, ListRolePolicies, GetRolePolicy); the
/// trust policy comes from GetInstanceProfile when the role was found through one.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct IamRole {
    /// Role name.
    pub name: String,
    /// Role ARN.
    pub arn: String,
    /// The trust policy (decoded JSON), when read.
    #[serde(default)]
    pub trust_policy: Option<Value>,
    /// Attached managed policies (ListAttachedRolePolicies).
    #[serde(default, skip_serializing_if = "Read::is_not_collected")]
    pub attached_policies: Read<Vec<AttachedPolicy>>,
    /// Inline policies (ListRolePolicies).
    #[serde(default, skip_serializing_if = "Read::is_not_collected")]
    pub inline_policies: Read<Vec<InlinePolicy>>,
}

/// A managed policy attached to a role.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq, Eq)]
pub struct AttachedPolicy {
    /// Policy ARN (`arn:aws:iam::aws:policy/...` for AWS managed policies).
    pub arn: String,
    /// Policy name.
    #[serde(default)]
    pub name: Option<String>,
}

/// An inline role policy.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct InlinePolicy {
    /// Policy name.
    pub name: String,
    /// The policy document (GetRolePolicy, decoded JSON).
    #[serde(default, skip_serializing_if = "Read::is_not_collected")]
    pub document: Read<Value>,
}

/// A managed policy's default version (GetPolicy, GetPolicyVersion).
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct ManagedPolicy {
    /// Policy ARN.
    pub arn: String,
    /// Policy name.
    #[serde(default)]
    pub name: Option<String>,
    /// The default version id.
    #[serde(default)]
    pub default_version: Option<String>,
    /// The default version's document (GetPolicyVersion, decoded JSON).
    #[serde(default, skip_serializing_if = "Read::is_not_collected")]
    pub document: Read<Value>,
}

no_failures!(InstanceProfile, AttachedPolicy);
failures_in!(IamRole: attached_policies, inline_policies);
failures_in!(InlinePolicy: document);
failures_in!(ManagedPolicy: document);

impl IamRole {
    /// Its attached managed policies, or why they are unknown.
    pub fn attached(&self) -> Lookup<'_, Vec<AttachedPolicy>> {
        const NEEDS: &[Need] = &[aws("iam:ListAttachedRolePolicies")];
        self.attached_policies
            .get(&format!("the policies of role {}", self.name), NEEDS)
    }

    /// Its inline policies, or why they are unknown.
    pub fn inline(&self) -> Lookup<'_, Vec<InlinePolicy>> {
        const NEEDS: &[Need] = &[aws("iam:ListRolePolicies")];
        self.inline_policies
            .get(&format!("the policies of role {}", self.name), NEEDS)
    }
}
