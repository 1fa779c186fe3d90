//! Collection of what the clusters of one account and region share: detection services,
//! registries, defaults, supported versions, and the account's IAM identity providers and roles.
//! It runs once per scan, beside the clusters.

use sek_core::inventory::{AccountInventory, Read, RegionInventory};

use super::aws::{Aws, cloudtrail, ec2, ecr, eks, events, guardduty, iam, inspector, read_or_not};

/// The account's settings in the scanned region, each read recorded with its outcome.
pub async fn collect_region(aws: &Aws) -> RegionInventory {
    let mut region = RegionInventory {
        region: aws.region.clone(),
        ..RegionInventory::default()
    };
    let (
        ebs_default,
        versions,
        trails,
        detectors,
        inspector,
        scanning,
        signing,
        repositories,
        rules,
    ) = tokio::join!(
        aws.when(
            "ec2:GetEbsEncryptionByDefault",
            ec2::ebs_encryption_by_default(aws)
        ),
        aws.when("eks:DescribeClusterVersions", eks::cluster_versions(aws)),
        aws.when("cloudtrail:DescribeTrails", cloudtrail::trails(aws)),
        aws.when("guardduty:ListDetectors", guardduty::detectors(aws)),
        aws.when("inspector2:BatchGetAccountStatus", inspector::status(aws)),
        aws.when(
            "ecr:GetRegistryScanningConfiguration",
            ecr::registry_scanning(aws)
        ),
        aws.when("ecr:GetSigningConfiguration", ecr::signing_rules(aws)),
        aws.when("ecr:DescribeRepositories", ecr::repositories(aws)),
        aws.when("events:ListRules", events::rules(aws)),
    );
    region.ebs_encryption_by_default = read_or_not(ebs_default);
    region.cluster_versions = read_or_not(versions);
    region.trails = read_or_not(trails);
    region.guardduty = read_or_not(detectors);
    region.inspector = read_or_not(inspector);
    region.ecr_scanning = read_or_not(scanning);
    region.ecr_signing = read_or_not(signing);
    region.ecr_repositories = read_or_not(repositories);
    region.event_rules = read_or_not(rules);
    region
}

/// The account's IAM OIDC providers and the roles that trust one.
pub async fn collect_account(aws: &Aws) -> AccountInventory {
    let (providers, roles) = tokio::join!(
        aws.when("iam:ListOpenIDConnectProviders", iam::oidc_providers(aws)),
        aws.when("iam:ListRoles", iam::pod_roles(aws)),
    );
    let roles = read_or_not(roles);
    // What the IRSA roles may do: read only for the check that judges it (iam-pod-roles).
    let (role_permissions, role_policies) = match roles.got() {
        Some(trusted) if aws.wants("iam:ListAttachedRolePolicies") => {
            let (permissions, policies) = iam::role_permissions(aws, trusted).await;
            (Read::Got(permissions), Read::Got(policies))
        }
        _ => (Read::NotCollected, Read::NotCollected),
    };
    AccountInventory {
        oidc_providers: read_or_not(providers),
        roles,
        role_permissions,
        role_policies,
        ..AccountInventory::default()
    }
}
