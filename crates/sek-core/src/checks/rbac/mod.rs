//! Kubernetes RBAC: which bindings grant dangerous permissions (CIS EKS section 4.1).

pub mod anonymous;
pub mod aws_auth_edit;
pub mod broad_groups;
pub mod cluster_admin;
pub mod create_pods;
pub mod csr_approve;
pub mod escalation;
pub mod exec;
pub mod node_proxy;
pub mod pv_create;
pub mod secrets;
pub mod system_masters;
pub mod token_create;
pub mod webhooks;
pub mod wildcards;
