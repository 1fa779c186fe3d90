//! Checks of the IAM roles pods use: IRSA's OIDC provider and the trust policies that rely on it.

pub mod irsa_trust;
pub mod oidc_provider;
pub mod pod_roles;

use crate::checks::shared::iam_policy::{OidcTrust, oidc_trusts};
use crate::checks::{Evaluation, Finding};
use crate::inventory::{ClusterView, EksCluster, PodIdentityAssociation, TrustedRole};

/// The OIDC issuer of `inv`'s control plane `cluster` without `https://`, and the IAM provider
/// ARN that matches it in the cluster's account and partition.
pub(crate) fn oidc_provider(
    inv: &ClusterView<'_>,
    cluster: &EksCluster,
) -> Option<(String, String)> {
    let issuer = cluster
        .oidc_issuer
        .as_deref()?
        .trim_start_matches("https://")
        .to_string();
    let partition = &inv.partition;
    let account = inv.account_id.as_deref().unwrap_or("");
    let arn = format!("arn:{partition}:iam::{account}:oidc-provider/{issuer}");
    Some((issuer, arn))
}

/// The roles among `roles` that the cluster's service accounts can assume through its OIDC
/// provider (`issuer`, `provider_arn`), each with how its trust policy lets them.
pub(crate) fn trusting_roles<'a>(
    roles: &'a [TrustedRole],
    issuer: &str,
    provider_arn: &str,
) -> Vec<(&'a TrustedRole, Vec<OidcTrust>)> {
    roles
        .iter()
        .filter_map(|role| {
            let trusts = oidc_trusts(role.trust_policy.as_ref()?, provider_arn, issuer);
            (!trusts.is_empty()).then_some((role, trusts))
        })
        .collect()
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
