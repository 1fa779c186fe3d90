//! Checks of EKS access entries: which IAM principals are Kubernetes administrators.

pub mod entries_admin;
