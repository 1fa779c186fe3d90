//! Cluster-wide components that the CIS benchmark and the checklist recommend installing.

pub mod policy_engine;
pub mod secrets_store;
