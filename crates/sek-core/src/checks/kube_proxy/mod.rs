//! kube-proxy, judged from its configuration (`kube-system/kube-proxy-config`, where EKS keeps
//! it).

pub mod metrics;
