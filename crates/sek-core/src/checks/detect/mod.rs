//! Detection and response: the account's audit trail, threat detection and vulnerability scanning
//! in the region, the cluster VPC's flow logs, and alerts on EKS changes.

pub mod cloudtrail;
pub mod eks_events;
pub mod flow_logs;
pub mod guardduty;
pub mod inspector;
