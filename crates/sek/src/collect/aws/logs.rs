//! CloudWatch Logs reads: the control plane's log group.

use sek_core::inventory::{CollectError, LogGroup};

use super::Aws;

/// Where EKS writes control plane logs: `/aws/eks/<cluster>/cluster`.
const EKS_LOG_GROUPS: &str = "/aws/eks/";

/// The prefix of `cluster`'s control plane log group name.
pub fn control_plane_prefix(cluster: &str) -> String {
    format!("{EKS_LOG_GROUPS}{cluster}/cluster")
}

/// DescribeLogGroups for the names starting with `/aws/eks/<cluster>/cluster`.
pub async fn control_plane_log_groups(
    aws: &Aws,
    cluster: &str,
) -> Result<Vec<LogGroup>, CollectError> {
    log_groups_named(aws, &control_plane_prefix(cluster)).await
}

/// Every log group under `/aws/eks/` in the region: the control plane log groups of all its
/// clusters, 50 per page, for a scan of every cluster there.
pub async fn eks_log_groups_in_region(aws: &Aws) -> Result<Vec<LogGroup>, CollectError> {
    log_groups_named(aws, EKS_LOG_GROUPS).await
}

async fn log_groups_named(aws: &Aws, prefix: &str) -> Result<Vec<LogGroup>, CollectError> {
    let resources = [prefix.to_string()];
    let pages = aws
        .paginate(
            "logs:DescribeLogGroups",
            &resources,
            |token| {
                aws.logs
                    .describe_log_groups()
                    .log_group_name_prefix(prefix)
                    .set_next_token(token)
                    .send()
            },
            |page| page.next_token(),
        )
        .await?;
    Ok(pages
        .into_iter()
        .flat_map(|p| p.log_groups.unwrap_or_default())
        .filter_map(|group| {
            Some(LogGroup {
                name: group.log_group_name?,
                retention_days: group.retention_in_days,
                kms_key_id: group.kms_key_id,
            })
        })
        .collect())
}
