//! How workloads are exposed: load balancers in front of Kubernetes Services and Ingresses.

pub mod external_ips;
pub mod lb_tls;
