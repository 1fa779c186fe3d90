//! Amazon Inspector reads: whether EC2 and ECR scanning are on for the account.

use sek_core::inventory::{CollectError, ErrorKind, InspectorStatus};

use super::Aws;

/// BatchGetAccountStatus for the caller's account.
pub async fn status(aws: &Aws) -> Result<InspectorStatus, CollectError> {
    const API: &str = "inspector2:BatchGetAccountStatus";
    let output = aws
        .call(API, &[], aws.inspector.batch_get_account_status().send())
        .await?;
    if let Some(account) = output.accounts.into_iter().next() {
        let resources = account.resource_state;
        let status = |state: Option<aws_sdk_inspector2::types::State>| {
            state.map(|s| s.status.as_str().to_string())
        };
        return Ok(InspectorStatus {
            ec2: status(resources.as_ref().and_then(|r| r.ec2.clone())),
            ecr: status(resources.and_then(|r| r.ecr)),
        });
    }
    let reason = output
        .failed_accounts
        .unwrap_or_default()
        .into_iter()
        .next()
        .map(|f| format!("{}: {}", f.error_code.as_str(), f.error_message))
        .unwrap_or_else(|| "the response named no account".into());
    Err(CollectError::new(API, Vec::new(), ErrorKind::Other, reason))
}
