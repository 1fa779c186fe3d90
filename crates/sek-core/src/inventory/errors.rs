//! Collection errors stored as data.
//!
//! A read that failed (denied, throttled past retries, timed out, not found) is kept in the
//! inventory so that every check needing that data reports `error` and names the permission,
//! instead of silently evaluating an empty list.

use serde::{Deserialize, Serialize};

/// Why a read failed, in the terms a user acts on.
#[derive(
    Serialize,
    Deserialize,
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorKind {
    /// The caller lacks the IAM (or RBAC) permission for this read.
    AccessDenied,
    /// The API kept throttling after the SDK's retries.
    Throttled,
    /// The resource disappeared between listing and describing it, or never existed.
    NotFound,
    /// The call did not answer in time.
    Timeout,
    /// The endpoint could not be reached (DNS, TCP, TLS).
    Network,
    /// Anything else: the message says what.
    Other,
}

impl ErrorKind {
    /// Short human label.
    pub fn label(self) -> &'static str {
        match self {
            ErrorKind::AccessDenied => "access denied",
            ErrorKind::Throttled => "throttled",
            ErrorKind::NotFound => "not found",
            ErrorKind::Timeout => "timed out",
            ErrorKind::Network => "network error",
            ErrorKind::Other => "error",
        }
    }
}

/// One failed read.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq, Hash, schemars::JsonSchema)]
pub struct CollectError {
    /// The API in IAM action form, e.g. `ec2:DescribeVolumes`; this is also the permission to grant.
    pub api: String,
    /// The resource ids the call was about (volume ids, a role name...). Empty means the call was
    /// about the whole cluster (a listing or a discovery query).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<String>,
    /// The category of failure.
    pub kind: ErrorKind,
    /// The error as the service or the transport reported it (never contains credentials).
    pub message: String,
    /// What to do about it, when sek knows (commands to grant access, where to run sek).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

impl CollectError {
    /// A failure of `api` about `resources`.
    pub fn new(
        api: impl Into<String>,
        resources: Vec<String>,
        kind: ErrorKind,
        message: impl Into<String>,
    ) -> Self {
        CollectError {
            api: api.into(),
            resources,
            kind,
            message: message.into(),
            help: None,
        }
    }

    /// The same failure, with what to do about it.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Whether this failure concerns `resource` (a cluster-wide failure concerns every resource).
    pub fn covers(&self, resource: &str) -> bool {
        self.resources.is_empty() || self.resources.iter().any(|r| r == resource)
    }

    /// One line: `ec2:DescribeVolumes (access denied): <message>`.
    pub fn summary(&self) -> String {
        format!("{} ({}): {}", self.api, self.kind.label(), self.message)
    }
}
