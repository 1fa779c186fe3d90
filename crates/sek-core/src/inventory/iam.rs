//! IAM: the nodes' instance profiles, roles and the policy documents attached to them.

use serde::{Deserialize, Serialize};
use serde_json::Value;

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
    /// Attached managed policies. `None` when they could not be listed.
    #[serde(default)]
    pub attached_policies: Option<Vec<AttachedPolicy>>,
    /// Inline policies. `None` when they could not be listed.
    #[serde(default)]
    pub inline_policies: Option<Vec<InlinePolicy>>,
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
    /// The policy document (decoded JSON). `None` when it could not be read.
    #[serde(default)]
    pub document: Option<Value>,
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
    /// The default version's document (decoded JSON). `None` when it could not be read.
    #[serde(default)]
    pub document: Option<Value>,
}
