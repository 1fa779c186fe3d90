//! Collection of what the clusters of one account and region share: detection services,
//! registries, defaults, supported versions, and the account's IAM identity providers and roles.
//! It runs once per scan, beside the clusters.

use sek_core::inventory::{AccountInventory, RegionInventory};

use super::aws::{Aws, cloudtrail, ec2, ecr, eks, events, guardduty, iam, inspector};

/// The account's settings in the scanned region, each read recorded with its outcome.
pub async fn collect_region(aws: &Aws) -> RegionInventory {
    let mut region = RegionInventory {
        region: aws.region.clone(),
        ..RegionInventory::default()
    };
    let (ebs_default, versions, trails, detectors, inspector, scanning, repositories, rules) = tokio::join!(
        ec2::ebs_encryption_by_default(aws),
        eks::cluster_versions(aws),
        cloudtrail::trails(aws),
        guardduty::detectors(aws),
        inspector::status(aws),
        ecr::registry_scanning(aws),
        ecr::repositories(aws),
        events::rules(aws),
    );
    region.ebs_encryption_by_default = ebs_default.into();
    region.cluster_versions = versions.into();
    region.trails = trails.into();
    region.guardduty = detectors.into();
    region.inspector = inspector.into();
    region.ecr_scanning = scanning.into();
    region.ecr_repositories = repositories.into();
    region.event_rules = rules.into();
    region
}

/// The account's IAM OIDC providers and the roles that trust one.
pub async fn collect_account(aws: &Aws) -> AccountInventory {
    let (providers, roles) = tokio::join!(iam::oidc_providers(aws), iam::web_identity_roles(aws));
    AccountInventory {
        oidc_providers: providers.into(),
        roles: roles.into(),
        ..AccountInventory::default()
    }
}
