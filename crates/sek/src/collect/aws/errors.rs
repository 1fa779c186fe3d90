//! SDK errors as [`CollectError`]s: access denied, throttled, not found, network, other.

use std::error::Error as StdError;

use aws_sdk_eks::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use sek_core::inventory::{CollectError, ErrorKind};

pub(super) fn looks_like_missing_credentials(message: &str) -> bool {
    let message = message.to_ascii_lowercase();
    message.contains("credential") || message.contains("no identity")
}

/// Error codes that mean "not allowed".
pub(super) const DENIED_CODES: &[&str] = &[
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "UnauthorizedException",
    "AuthorizationError",
    "AuthFailure",
    "InvalidClientTokenId",
    "ExpiredToken",
    "ExpiredTokenException",
    "UnrecognizedClientException",
    "SignatureDoesNotMatch",
];

/// Error codes that mean "slow down" (after the SDK's own retries gave up).
pub(super) const THROTTLING_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestLimitExceeded",
    "RequestThrottled",
    "RequestThrottledException",
    "TooManyRequestsException",
    "SlowDown",
];

/// Translate an SDK error. Only the service's code and message, or the transport error chain,
/// are kept: neither carries credentials.
pub fn classify<E>(api: &str, resources: &[String], err: &SdkError<E, HttpResponse>) -> CollectError
where
    E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
{
    let (kind, message) = match err {
        SdkError::ServiceError(service) => {
            let code = service.err().code().unwrap_or("Unknown");
            let status = service.raw().status().as_u16();
            let kind = if DENIED_CODES.contains(&code) || (status == 403 && code == "Unknown") {
                ErrorKind::AccessDenied
            } else if THROTTLING_CODES.contains(&code) || (status == 429 && code == "Unknown") {
                ErrorKind::Throttled
            } else if code.ends_with("NotFound")
                || code.ends_with("NotFoundException")
                || code == "NoSuchEntity"
            {
                ErrorKind::NotFound
            } else {
                ErrorKind::Other
            };
            let message = match (service.err().code(), service.err().message()) {
                (Some(code), Some(message)) => format!("{code}: {message}"),
                (Some(code), None) => code.to_string(),
                // AWS always names its errors: a bare 404 comes from an endpoint (an emulator,
                // a proxy) that does not implement the operation.
                (None, None) if status == 404 => {
                    "HTTP 404 with no error code: the endpoint does not implement this API".into()
                }
                // An error body the SDK could not read: the HTTP status is all there is.
                (None, message) => format!(
                    "HTTP {status}{}",
                    message.map(|m| format!(": {m}")).unwrap_or_default()
                ),
            };
            (kind, message)
        }
        SdkError::TimeoutError(_) => (ErrorKind::Timeout, error_chain(err)),
        SdkError::DispatchFailure(failure) if failure.is_timeout() => {
            (ErrorKind::Timeout, error_chain(err))
        }
        SdkError::DispatchFailure(failure) if failure.is_io() => {
            (ErrorKind::Network, error_chain(err))
        }
        _ => (ErrorKind::Other, error_chain(err)),
    };
    CollectError::new(api, resources.to_vec(), kind, message)
}

/// An error and its sources as one line (`a: b: c`), without repeats and without Debug dumps.
pub fn error_chain(err: &(dyn StdError + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut current = Some(err);
    while let Some(e) = current {
        let text = e.to_string();
        if !text.is_empty() && !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        current = e.source();
    }
    // Some providers format multi-line reports; an error is one line here.
    parts
        .join(": ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}
