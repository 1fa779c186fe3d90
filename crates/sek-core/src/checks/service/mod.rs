//! Checks of the EKS control plane: version and health, logging, secrets encryption, endpoint
//! access, authentication mode, security groups, add-ons.

pub mod addon_versions;
pub mod auth_mode;
pub mod creator_admin;
pub mod deletion_protection;
pub mod endpoint;
pub mod endpoint_firewall;
pub mod fargate;
pub mod health;
pub mod insights;
pub mod log_retention;
pub mod logging;
pub mod network_policy;
pub mod role;
pub mod secrets;
pub mod secrets_key;
pub mod sg_baseline;
pub mod sgs;
pub mod version;
