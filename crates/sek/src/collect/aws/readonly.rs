//! The read-only guard: an SDK interceptor, registered on every AWS client sek builds, that
//! refuses any operation that does not only read, before it is serialised or sent.

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeSerializationInterceptorContextRef;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

/// Operation name prefixes that only read.
const READ_PREFIXES: &[&str] = &["Describe", "List", "Get", "BatchGet"];

/// Non-prefixed operations sek needs: identity and role assumption (STS writes nothing).
const ALSO_ALLOWED: &[&str] = &["GetCallerIdentity", "AssumeRole"];

/// Whether an operation name is allowed through the guard.
pub fn is_read_only(operation: &str) -> bool {
    READ_PREFIXES
        .iter()
        .any(|prefix| operation.starts_with(prefix))
        || ALSO_ALLOWED.contains(&operation)
}

/// Refuses non-read operations.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReadOnlyGuard;

/// The error returned for a refused operation.
#[derive(Debug, thiserror::Error)]
#[error("sek is read-only: refused {service}:{operation} before sending it")]
pub struct WriteRefused {
    /// The service, e.g. `EC2`.
    pub service: String,
    /// The operation, e.g. `TerminateInstances`.
    pub operation: String,
}

impl Intercept for ReadOnlyGuard {
    fn name(&self) -> &'static str {
        "sek::ReadOnlyGuard"
    }

    // NOTE: not `read_before_execution`: for client-level interceptors that hook runs before the
    // operation's configuration (and its Metadata) is applied. This one runs after, and still
    // before anything is serialised or sent.
    fn read_before_serialization(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        // Every generated operation stores its Metadata; refuse if it is somehow absent.
        let Some(metadata) = cfg.load::<Metadata>() else {
            return Err(Box::new(WriteRefused {
                service: "?".into(),
                operation: "unknown operation".into(),
            }));
        };
        if is_read_only(metadata.name()) {
            Ok(())
        } else {
            Err(Box::new(WriteRefused {
                service: metadata.service().to_string(),
                operation: metadata.name().to_string(),
            }))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_reads_pass() {
        for op in [
            "DescribeInstances",
            "ListNodegroups",
            "GetPolicyVersion",
            "BatchGetImage",
            "GetCallerIdentity",
            "AssumeRole",
        ] {
            assert!(is_read_only(op), "{op}");
        }
        for op in [
            "TerminateInstances",
            "DeleteCluster",
            "PutImage",
            "CreateRole",
            "UpdateClusterConfig",
            "AssumeRoleWithWebIdentity2",
            "BatchDeleteImage",
        ] {
            assert!(!is_read_only(op), "{op}");
        }
    }
}
