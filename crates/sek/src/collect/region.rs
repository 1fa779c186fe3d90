//! Collection of what the clusters of one account and region share: detection services,
//! registries, defaults, supported versions, and the account's IAM identity providers and roles.
//! It runs once per scan, beside the clusters.

use sek_core::inventory::{AccountInventory, RegionInventory};

use super::aws::{Aws, cloudtrail, ec2, ecr, eks, events, guardduty, iam, inspector};
use super::cluster::keep;

/// The account's settings in the scanned region. Failed reads are recorded in `gaps`.
pub async fn collect_region(aws: &Aws) -> RegionInventory {
    let mut region = RegionInventory {
        region: aws.region.clone(),
        ..RegionInventory::default()
    };
    let (
        ebs_default,
        versions,
        (trails, trail_errors),
        detectors,
        inspector,
        scanning,
        (repositories, repository_errors),
        (rules, rule_errors),
    ) = tokio::join!(
        ec2::ebs_encryption_by_default(aws),
        eks::cluster_versions(aws),
        cloudtrail::trails(aws),
        guardduty::detectors(aws),
        inspector::status(aws),
        ecr::registry_scanning(aws),
        ecr::repositories(aws),
        events::rules(aws),
    );
    let gaps = &mut region.gaps;
    region.ebs_encryption_by_default = keep(ebs_default, gaps);
    region.cluster_versions = keep(versions, gaps);
    region.trails = trails;
    region.guardduty = keep(detectors, gaps);
    region.inspector = keep(inspector, gaps);
    region.ecr_scanning = keep(scanning, gaps);
    region.ecr_repositories = repositories;
    region.event_rules = rules;
    for errors in [trail_errors, repository_errors, rule_errors] {
        region.gaps.extend(errors);
    }
    region
}

/// The account's IAM OIDC providers and the roles that trust one.
pub async fn collect_account(aws: &Aws) -> AccountInventory {
    let mut account = AccountInventory::default();
    let (providers, roles) = tokio::join!(iam::oidc_providers(aws), iam::web_identity_roles(aws));
    account.oidc_providers = keep(providers, &mut account.gaps);
    account.roles = keep(roles, &mut account.gaps);
    account
}
