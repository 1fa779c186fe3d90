//! Namespaces: network policies, Pod Security Admission, the default namespace.

pub mod default_used;
pub mod network_policy;
pub mod pod_security;
