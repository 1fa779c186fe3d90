//! Checks of the IAM roles pods use: IRSA's OIDC provider and the trust policies that rely on it.

pub mod irsa_trust;
pub mod oidc_provider;
pub mod pod_roles;

use crate::inventory::EksCluster;

/// The cluster's OIDC issuer without `https://`, and the IAM provider ARN that matches it.
pub(crate) fn oidc_provider(
    cluster: &EksCluster,
    partition: &str,
    account: &str,
) -> Option<(String, String)> {
    let issuer = cluster
        .oidc_issuer
        .as_deref()?
        .trim_start_matches("https://")
        .to_string();
    let arn = format!("arn:{partition}:iam::{account}:oidc-provider/{issuer}");
    Some((issuer, arn))
}
