//! Checks of the ECR repositories in the cluster's account and region: scanning, tag
//! immutability, lifecycle, encryption, access. Each is evaluated once per region.

pub mod immutable_tags;
pub mod kms;
pub mod lifecycle;
pub mod policy;
pub mod scan;

use crate::checks::{Ctx, Finding, setting_arn};
use crate::inventory::{EcrRepository, RegionInventory};

/// One finding per repository from `judge`; `error` when the repositories could not be listed,
/// `not-applicable` when there are none.
pub(crate) fn per_repository(
    ctx: &Ctx<'_>,
    judge: impl Fn(&RegionInventory, &EcrRepository, String) -> Finding,
) -> Vec<Finding> {
    let (region, repositories, resource) = match ctx.region_setting(
        ("ecr", "repositories"),
        "ECR repositories",
        &["ecr:DescribeRepositories"],
        |r| r.ecr_repositories.as_ref(),
    ) {
        Ok(setting) => setting,
        Err(findings) => return findings,
    };
    if repositories.is_empty() {
        return vec![Finding::not_applicable(
            resource,
            format!("no ECR repository in {}", region.region),
        )];
    }
    repositories
        .iter()
        .map(|repository| {
            let arn = repository.arn.clone().unwrap_or_else(|| {
                setting_arn(region, "ecr", &format!("repository/{}", repository.name))
            });
            judge(region, repository, arn)
        })
        .collect()
}
