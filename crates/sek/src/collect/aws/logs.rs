//! CloudWatch Logs reads: the control plane's log group.

use sek_core::inventory::{CollectError, LogGroup};

use super::Aws;

/// DescribeLogGroups for the names starting with `/aws/eks/<cluster>/cluster`.
pub async fn control_plane_log_groups(
    aws: &Aws,
    cluster: &str,
) -> Result<Vec<LogGroup>, CollectError> {
    let prefix = format!("/aws/eks/{cluster}/cluster");
    let resources = [prefix.clone()];
    let pages = aws
        .paginate(
            "logs:DescribeLogGroups",
            &resources,
            |token| {
                aws.logs
                    .describe_log_groups()
                    .log_group_name_prefix(&prefix)
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
