//! Cluster-wide components that the CIS benchmark recommends installing.

pub mod secrets_store;
