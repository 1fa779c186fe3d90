//! Checks of the IAM roles pods use: IRSA's OIDC provider and the trust policies that rely on it.

pub mod irsa_trust;
pub mod oidc_provider;
pub mod pod_roles;

use crate::checks::{Evaluation, Finding};
use crate::inventory::{ClusterView, EksCluster, PodIdentityAssociation};

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

/// The end of an evaluation about the roles pods assume: one finding per Pod Identity
/// association (`judge` decides it from the association and its resource), an `error` when they
/// could not be listed, and `not-applicable` when neither IRSA roles nor associations exist.
pub(crate) fn with_pod_identity(
    inv: &ClusterView<'_>,
    mut findings: Vec<Finding>,
    judge: impl Fn(&PodIdentityAssociation, String) -> Finding,
) -> Evaluation {
    match inv.pod_identity_associations() {
        Ok(associations) => findings.extend(associations.iter().map(|association| {
            let resource = association
                .association_arn
                .clone()
                .unwrap_or_else(|| inv.arn());
            judge(association, resource)
        })),
        Err(missing) => findings.push(Finding::missing(inv.arn(), &missing)),
    }
    if findings.is_empty() {
        findings.push(Finding::not_applicable(
            inv.arn(),
            "no IAM role trusts the cluster's OIDC provider and no Pod Identity association exists",
        ));
    }
    Ok(findings)
}
