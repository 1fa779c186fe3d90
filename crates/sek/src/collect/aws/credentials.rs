//! Credentials of a role assumed for a fleet scan, renewed before they expire.

use std::sync::Arc;
use std::time::Duration;

use aws_credential_types::Credentials;
use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{ProvideCredentials, future};
use sek_core::inventory::{CollectError, ErrorKind};

use super::*;

/// Credentials of an assumed role, from the scan's guarded STS client (so the request is
/// counted and bounded like every other), renewed five minutes before they expire.
pub(super) struct AssumedRole {
    sts: aws_sdk_sts::Client,
    role_arn: String,
    external_id: Option<String>,
    budget: Arc<Budget>,
    current: tokio::sync::Mutex<Option<Credentials>>,
}

impl std::fmt::Debug for AssumedRole {
    // Never the credentials themselves.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AssumedRole")
            .field("role_arn", &self.role_arn)
            .finish()
    }
}

/// Renew assumed credentials this long before they expire.
pub(super) const RENEW_BEFORE: Duration = Duration::from_secs(300);

impl AssumedRole {
    /// `role_arn` (with `external_id`), assumed through `sts` when first asked for credentials.
    pub(super) fn new(
        sts: aws_sdk_sts::Client,
        role_arn: &str,
        external_id: Option<&str>,
        budget: Arc<Budget>,
    ) -> Self {
        AssumedRole {
            sts,
            role_arn: role_arn.to_string(),
            external_id: external_id.map(String::from),
            budget,
            current: tokio::sync::Mutex::new(None),
        }
    }

    pub(super) async fn credentials(&self) -> Result<Credentials, CollectError> {
        let mut current = self.current.lock().await;
        if let Some(credentials) = current.as_ref() {
            let fresh = credentials.expiry().is_none_or(|expiry| {
                expiry
                    .duration_since(std::time::SystemTime::now())
                    .is_ok_and(|left| left > RENEW_BEFORE)
            });
            if fresh {
                return Ok(credentials.clone());
            }
        }
        let api = "sts:AssumeRole";
        let _permit = self.budget.limiter.acquire().await.expect("limiter open");
        self.budget.count(api);
        let output = self
            .sts
            .assume_role()
            .role_arn(&self.role_arn)
            .role_session_name("sek")
            .set_external_id(self.external_id.clone())
            .send()
            .await
            .map_err(|err| classify(api, std::slice::from_ref(&self.role_arn), &err))?;
        let Some(issued) = output.credentials() else {
            return Err(CollectError::new(
                api,
                vec![self.role_arn.clone()],
                ErrorKind::Other,
                "the response carried no credentials",
            ));
        };
        let expiry = std::time::SystemTime::try_from(*issued.expiration()).ok();
        let credentials = Credentials::new(
            issued.access_key_id(),
            issued.secret_access_key(),
            Some(issued.session_token().to_string()),
            expiry,
            "sek-assume-role",
        );
        *current = Some(credentials.clone());
        Ok(credentials)
    }
}

impl ProvideCredentials for AssumedRole {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::new(async move {
            self.credentials()
                .await
                .map_err(|err| CredentialsError::provider_error(err.summary()))
        })
    }
}
