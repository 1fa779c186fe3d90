//! Who can reach the cluster through IAM: access entries with their access policies, and Pod
//! Identity associations.

use sek_core::inventory::{
    AccessEntry, AccessPolicyAssociation, CollectError, PodIdentityAssociation,
};

use super::eks::eks_list;
use super::{Aws, complete, each, timestamp};

/// ListAccessEntries, then DescribeAccessEntry and ListAssociatedAccessPolicies for each. A
/// failed policy list leaves that entry's `policies` empty (`None`) rather than dropping it.
pub async fn access_entries(aws: &Aws, cluster: &str) -> Result<Vec<AccessEntry>, CollectError> {
    let principals = eks_list!(
        aws,
        "eks:ListAccessEntries",
        cluster,
        list_access_entries,
        access_entries
    )?;
    // Without every entry, an administrator could be missed.
    complete(
        each(&principals, |principal| async move {
            let resources = [principal.clone()];
            let (described, policies) = tokio::join!(
                aws.call(
                    "eks:DescribeAccessEntry",
                    &resources,
                    aws.eks
                        .describe_access_entry()
                        .cluster_name(cluster)
                        .principal_arn(principal)
                        .send(),
                ),
                associated_policies(aws, cluster, principal),
            );
            let entry = described?.access_entry;
            Ok(entry.map(|entry| AccessEntry {
                principal_arn: entry.principal_arn.unwrap_or_else(|| principal.clone()),
                kind: entry.r#type,
                username: entry.username,
                kubernetes_groups: entry.kubernetes_groups.unwrap_or_default(),
                policies: policies.into(),
                created_at: timestamp(entry.created_at.as_ref()),
            }))
        })
        .await,
    )
}

async fn associated_policies(
    aws: &Aws,
    cluster: &str,
    principal: &str,
) -> Result<Vec<AccessPolicyAssociation>, CollectError> {
    let resources = [principal.to_string()];
    let pages = aws
        .paginate(
            "eks:ListAssociatedAccessPolicies",
            &resources,
            |token| {
                aws.eks
                    .list_associated_access_policies()
                    .cluster_name(cluster)
                    .principal_arn(principal)
                    .set_next_token(token)
                    .send()
            },
            |page| page.next_token(),
        )
        .await?;
    Ok(pages
        .into_iter()
        .flat_map(|p| p.associated_access_policies.unwrap_or_default())
        .filter_map(|policy| {
            let scope = policy.access_scope;
            Some(AccessPolicyAssociation {
                policy_arn: policy.policy_arn?,
                scope: scope
                    .as_ref()
                    .and_then(|s| s.r#type.as_ref())
                    .map(|t| t.as_str().to_string()),
                namespaces: scope.and_then(|s| s.namespaces).unwrap_or_default(),
            })
        })
        .collect())
}

/// ListPodIdentityAssociations (the summaries name the namespace and service account).
pub async fn pod_identity_associations(
    aws: &Aws,
    cluster: &str,
) -> Result<Vec<PodIdentityAssociation>, CollectError> {
    let listed = eks_list!(
        aws,
        "eks:ListPodIdentityAssociations",
        cluster,
        list_pod_identity_associations,
        associations
    )?;
    if !aws.wants("eks:DescribePodIdentityAssociation") {
        return Ok(listed
            .into_iter()
            .map(|a| PodIdentityAssociation {
                namespace: a.namespace.unwrap_or_default(),
                service_account: a.service_account.unwrap_or_default(),
                association_arn: a.association_arn,
                ..PodIdentityAssociation::default()
            })
            .collect());
    }
    // The role, its cross-account target and session policy are only in the description. One
    // that cannot be described leaves the list unread: its role could be any.
    complete(
        each(&listed, |summary| async move {
            let id = summary.association_id.clone().unwrap_or_default();
            let resources = [id.clone()];
            let output = aws
                .call(
                    "eks:DescribePodIdentityAssociation",
                    &resources,
                    aws.eks
                        .describe_pod_identity_association()
                        .cluster_name(cluster)
                        .association_id(&id)
                        .send(),
                )
                .await?;
            Ok(output.association.map(|a| PodIdentityAssociation {
                namespace: a.namespace.unwrap_or_default(),
                service_account: a.service_account.unwrap_or_default(),
                role_arn: a.role_arn,
                association_arn: a.association_arn,
                target_role_arn: a.target_role_arn.filter(|arn| !arn.is_empty()),
                session_policy: a
                    .policy
                    .as_deref()
                    .filter(|p| !p.trim().is_empty())
                    .and_then(super::iam::parse_document),
            }))
        })
        .await,
    )
}
