//! Kubernetes storage: whether the StorageClasses persistent volumes are made from encrypt them.

pub mod encrypted;
