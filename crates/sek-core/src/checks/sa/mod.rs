//! Kubernetes service accounts and their tokens.

pub mod aws_node_irsa;
pub mod default_used;
pub mod token_automount;
