//! Checks of the EKS control plane: logging, secrets encryption, endpoint access, security groups.

pub mod endpoint;
pub mod endpoint_firewall;
pub mod logging;
pub mod secrets;
pub mod sgs;
