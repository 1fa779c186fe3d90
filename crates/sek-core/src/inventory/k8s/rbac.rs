//! RBAC: service accounts, roles and their rules, bindings and their subjects.

use serde::{Deserialize, Serialize};

use super::*;

/// A service account.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ServiceAccount {
    /// Metadata (annotations carry `eks.amazonaws.com/role-arn`).
    pub metadata: ObjectMeta,
    /// Whether pods using it mount its token by default (unset: they do).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub automount_service_account_token: Option<bool>,
}

/// A Role or ClusterRole.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct Role {
    /// `Role` or `ClusterRole`.
    #[serde(default)]
    pub kind: String,
    /// Metadata.
    pub metadata: ObjectMeta,
    /// Rules (for an aggregated ClusterRole, the aggregated result).
    #[serde(default)]
    pub rules: Vec<PolicyRule>,
}

/// One RBAC rule.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PolicyRule {
    /// API groups (`""` is the core group).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub api_groups: Vec<String>,
    /// Resources, with subresources as `pods/exec`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<String>,
    /// Verbs.
    #[serde(default)]
    pub verbs: Vec<String>,
    /// Restricts the rule to these object names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resource_names: Vec<String>,
    /// Non-resource URLs.
    #[serde(
        default,
        rename = "nonResourceURLs",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub non_resource_urls: Vec<String>,
}

/// A RoleBinding or ClusterRoleBinding.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct RoleBinding {
    /// `RoleBinding` or `ClusterRoleBinding`.
    #[serde(default)]
    pub kind: String,
    /// Metadata.
    pub metadata: ObjectMeta,
    /// The role granted.
    pub role_ref: RoleRef,
    /// Who gets it.
    #[serde(default)]
    pub subjects: Vec<Subject>,
}

/// The role a binding grants.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct RoleRef {
    /// `Role` or `ClusterRole`.
    pub kind: String,
    /// Its name.
    pub name: String,
}

/// A binding's subject.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Subject {
    /// `User`, `Group` or `ServiceAccount`.
    pub kind: String,
    /// Name.
    pub name: String,
    /// Namespace (service accounts).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub namespace: String,
}
