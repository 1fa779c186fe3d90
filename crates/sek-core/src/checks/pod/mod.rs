//! How workloads' pods run (CIS EKS section 4.2 and the EKS pod security best practices). Each
//! check judges every workload once, init and ephemeral containers included.

pub mod capabilities;
pub mod host_ipc;
pub mod host_network;
pub mod host_path;
pub mod host_pid;
pub mod host_port;
pub mod image_registry;
pub mod image_tag;
pub mod imds_access;
pub mod privilege_escalation;
pub mod privileged;
pub mod readonly_rootfs;
pub mod resources;
pub mod root;
pub mod runtime_socket;
pub mod seccomp;
pub mod secrets_env;
