//! A small retry budget for server errors. Throttling deserves many patient retries
//! (`--max-attempts`); an API that keeps answering HTTP 500 does not, or one failing read holds
//! a scan for half a minute before it is reported. HTTP 500, 502 and 504 get
//! [`SERVER_ERROR_ATTEMPTS`] attempts; 503 keeps the full budget, because EC2
//! (`RequestLimitExceeded`) and S3 (`SlowDown`) throttle with it.
//!
//! The SDK's retry classifiers do not see the attempt number, so two parts work together: an
//! interceptor, which does, marks a server error that has used its budget, and a classifier
//! forbids retrying a marked response.

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeDeserializationInterceptorContextMut, InterceptorContext,
};
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::retries::RequestAttempts;
use aws_smithy_runtime_api::client::retries::classifiers::{ClassifyRetry, RetryAction};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

/// Attempts of one request that keeps failing with a server error.
pub const SERVER_ERROR_ATTEMPTS: u32 = 3;

/// The header the interceptor adds to a response whose server error used the budget.
const SPENT: &str = "x-sek-server-error-budget-spent";

/// Whether `status` is a server error that is not how AWS throttles.
fn is_server_error(status: u16) -> bool {
    matches!(status, 500 | 502 | 504)
}

/// Marks a server error on the last attempt of its budget.
#[derive(Debug, Clone, Copy, Default)]
pub struct ServerErrorBudget;

impl Intercept for ServerErrorBudget {
    fn name(&self) -> &'static str {
        "sek::ServerErrorBudget"
    }

    fn modify_before_deserialization(
        &self,
        context: &mut BeforeDeserializationInterceptorContextMut<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let status = context.response().status().as_u16();
        let attempts = cfg.load::<RequestAttempts>().map_or(1, |a| a.attempts());
        if is_server_error(status) && attempts >= SERVER_ERROR_ATTEMPTS {
            let operation = cfg.load::<Metadata>().map_or("?", |m| m.name());
            tracing::info!(
                "{operation}: HTTP {status} after {attempts} attempts; server errors are retried \
{SERVER_ERROR_ATTEMPTS} times at most (throttling: --max-attempts), reporting it"
            );
            context.response_mut().headers_mut().insert(SPENT, "1");
        }
        Ok(())
    }
}

/// Forbids retrying a response the interceptor marked.
#[derive(Debug, Clone, Copy, Default)]
pub struct ServerErrorBudgetClassifier;

impl ClassifyRetry for ServerErrorBudgetClassifier {
    fn classify_retry(&self, ctx: &InterceptorContext) -> RetryAction {
        let spent = ctx
            .response()
            .is_some_and(|response| response.headers().contains_key(SPENT));
        if spent {
            RetryAction::RetryForbidden
        } else {
            RetryAction::NoActionIndicated
        }
    }

    fn name(&self) -> &'static str {
        "sek::ServerErrorBudgetClassifier"
    }
}
