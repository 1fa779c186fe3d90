//! Checks of the ECR repositories in the cluster's account and region: scanning, tag
//! immutability, lifecycle, encryption, access. Each is evaluated once per region.

pub mod immutable_tags;
pub mod kms;
pub mod lifecycle;
pub mod policy;
pub mod scan;

use crate::checks::shared::iam_policy::action_matches;
use crate::checks::{Evaluation, Finding, RegionCtx, setting_arn};
use crate::inventory::{EcrRepository, Missing, RegionInventory};

/// One finding per repository from `judge` (an `error` for a repository whose data `judge`
/// missed); the repositories' failure when they could not be listed, `not-applicable` when
/// there are none.
pub(crate) fn per_repository(
    ctx: &RegionCtx<'_>,
    judge: impl Fn(&RegionInventory, &EcrRepository, &str) -> Result<Finding, Missing>,
) -> Evaluation {
    let (region, repositories, resource) =
        ctx.region_setting(("ecr", "repositories"), |r| r.ecr_repositories())?;
    if repositories.is_empty() {
        return Ok(vec![Finding::not_applicable(
            resource,
            format!("no ECR repository in {}", region.region),
        )]);
    }
    Ok(repositories
        .iter()
        .map(|repository| {
            let arn = repository.arn.clone().unwrap_or_else(|| {
                setting_arn(region, "ecr", &format!("repository/{}", repository.name))
            });
            judge(region, repository, &arn)
                .unwrap_or_else(|missing| Finding::missing(arn, &missing))
        })
        .collect())
}

/// Whether a registry scanning filter selects `repository`. ECR: "Filters with no wildcard will
/// match all repository names that contain the filter. Filters with wildcards (*) match on a
/// repository name where the wildcard replaces zero or more characters"
/// (<https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-scanning-enhanced-enabling.html>).
pub(crate) fn scan_filter_matches(filter: &str, repository: &str) -> bool {
    if filter.contains('*') {
        action_matches(filter, repository)
    } else {
        repository.contains(filter)
    }
}

/// Whether a wildcard filter matches every name (`*`, `**`...).
pub(crate) fn matches_everything(filter: &str) -> bool {
    !filter.is_empty() && filter.chars().all(|c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scan_filters_without_a_wildcard_match_names_that_contain_them() {
        assert!(scan_filter_matches("prod", "prod"));
        assert!(scan_filter_matches("prod", "team/prod-api"));
        assert!(!scan_filter_matches("prod", "staging"));
        assert!(scan_filter_matches("prod*", "prod-api"));
        assert!(!scan_filter_matches("prod*", "team/prod-api"));
        assert!(scan_filter_matches("*", "anything"));
        assert!(matches_everything("*") && matches_everything("**"));
        assert!(!matches_everything("dev-*"));
    }
}
