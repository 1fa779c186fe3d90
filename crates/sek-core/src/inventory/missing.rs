//! What a check needs, and what it gets when the data is not there.
//!
//! A [`Need`] is one read: an AWS API call (which is also the IAM permission) or a Kubernetes
//! read (which is also the RBAC rule). A [`Missing`] is data a check asked for and did not get;
//! the check returns it (`?`) and the report shows one `error` finding that names the read and,
//! when it was tried, why it failed.

use std::fmt;

use serde_json::{Value, json};

use super::CollectError;
use super::k8s::resources::{NODE_CONFIGZ, Resource};

/// One read sek makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Need {
    /// An AWS API call, in IAM action form (`ec2:DescribeVolumes`).
    Aws(&'static str),
    /// A Kubernetes list (or, for the aws-auth ConfigMap, a get).
    Kubernetes(&'static Resource),
    /// Each kubelet's configuration, through the API server's node proxy (or read on the node
    /// by `sek node`).
    KubeletConfig,
    /// The kubelet's files on the node (modes and owners), which only `sek node` reads.
    NodeFiles,
    /// Reaching the cluster's Kubernetes API at all (`k8s:connect`).
    KubernetesApi,
}

impl Need {
    /// The read as sek names it everywhere: the IAM action, or `k8s:<verb>:<resource>`.
    pub fn as_str(self) -> &'static str {
        match self {
            Need::Aws(action) => action,
            Need::Kubernetes(resource) => resource.need,
            Need::KubeletConfig => NODE_CONFIGZ,
            Need::NodeFiles => "node:files",
            Need::KubernetesApi => "k8s:connect",
        }
    }

    /// Whether this is a Kubernetes read rather than an AWS call.
    pub fn is_kubernetes(self) -> bool {
        !matches!(self, Need::Aws(_))
    }

    /// Whether `sek node` can make this read on the node itself.
    pub fn is_on_node(self) -> bool {
        matches!(self, Need::KubeletConfig | Need::NodeFiles)
    }

    /// The AWS action, for AWS calls.
    pub fn aws_action(self) -> Option<&'static str> {
        match self {
            Need::Aws(action) => Some(action),
            _ => None,
        }
    }
}

impl serde::Serialize for Need {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl fmt::Display for Need {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An AWS call, for `const` tables: `aws("ec2:DescribeVolumes")`.
pub const fn aws(action: &'static str) -> Need {
    Need::Aws(action)
}

/// Why data a check asked for is not there.
#[derive(Debug, Clone, PartialEq)]
pub enum Why {
    /// The read was tried and failed.
    Failed(Box<CollectError>),
    /// The read was not made: a snapshot from before sek read it, or a scan that did not need it.
    NotCollected,
    /// The read succeeded but did not return this resource (deleted meanwhile, or never existed).
    NotFound,
}

/// Data a check needed and did not get.
#[derive(Debug, Clone, PartialEq)]
pub struct Missing {
    /// What was looked for: `the cluster's add-ons`, `volume vol-123`.
    pub what: String,
    /// The reads that give it; the first is named when no failure was recorded.
    pub needs: &'static [Need],
    /// Why it is missing.
    pub why: Why,
    /// The resource the `error` finding is about, when it is not the one the check reports on
    /// by default (the cluster, or the account setting of a region check).
    pub resource: Option<String>,
    /// What to say, after `what`, when the data was not collected and "rescan with the read
    /// allowed" is not the answer (`was not read (--no-kubernetes...): scan the cluster live`).
    pub fix: Option<&'static str>,
}

/// The result of asking the inventory for something.
pub type Lookup<'a, T> = Result<&'a T, Missing>;

impl Missing {
    /// `what`, read with `needs`, is missing because of `why`.
    pub fn new(what: impl Into<String>, needs: &'static [Need], why: Why) -> Self {
        Missing {
            what: what.into(),
            needs,
            why,
            resource: None,
            fix: None,
        }
    }

    /// The same, with how to get the data when it was not collected.
    pub fn with_fix(mut self, fix: &'static str) -> Self {
        self.fix = Some(fix);
        self
    }

    /// The same, reported on `resource`.
    pub fn on(mut self, resource: impl Into<String>) -> Self {
        self.resource = Some(resource.into());
        self
    }

    /// The recorded failure, when the read was tried.
    pub fn cause(&self) -> Option<&CollectError> {
        match &self.why {
            Why::Failed(err) => Some(err),
            _ => None,
        }
    }

    /// The read that gives it (the first of `needs`), as named in messages and evidence.
    pub fn api(&self) -> &'static str {
        self.needs.first().map_or("", |need| need.as_str())
    }

    /// A sentence for an `error` finding.
    pub fn reason(&self) -> String {
        let what = &self.what;
        match (&self.why, self.fix) {
            (Why::Failed(err), _) => {
                let what_to_do = if err.help.is_some() {
                    " (what to do is under the cluster's collection errors)"
                } else {
                    ""
                };
                format!("{what} could not be read: {}{what_to_do}", err.summary())
            }
            (Why::NotCollected, Some(fix)) => format!("{what} {fix}"),
            (Why::NotCollected, None) => {
                let needs: Vec<&str> = self.needs.iter().map(|n| n.as_str()).collect();
                format!(
                    "{what} could not be read: the snapshot does not hold it (rescan with {} allowed)",
                    needs.join(", ")
                )
            }
            (Why::NotFound, _) => format!(
                "{what} is not in the inventory (read with {}); rescan, or check that it still exists",
                self.api()
            ),
        }
    }

    /// The evidence of the `error` finding: the API, and how it failed.
    pub fn evidence(&self) -> Value {
        match &self.why {
            Why::Failed(err) => json!({ "api": err.api, "error": err.kind }),
            _ if self.needs.is_empty() => Value::Null,
            _ => json!({ "api": self.api() }),
        }
    }
}

impl fmt::Display for Missing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::ErrorKind;

    const NEEDS: &[Need] = &[
        aws("ecr:GetLifecyclePolicy"),
        aws("ecr:DescribeRepositories"),
    ];

    #[test]
    fn a_failure_is_quoted_with_its_api_and_kind() {
        let err = CollectError::new(
            "ecr:GetLifecyclePolicy",
            vec![],
            ErrorKind::AccessDenied,
            "no",
        );
        let missing = Missing::new("the lifecycle policy", NEEDS, Why::Failed(Box::new(err)));
        assert!(
            missing.reason().contains("access denied"),
            "{}",
            missing.reason()
        );
        assert_eq!(
            missing.evidence(),
            json!({"api": "ecr:GetLifecyclePolicy", "error": "access-denied"})
        );
    }

    #[test]
    fn data_not_collected_names_every_read_to_allow() {
        let missing = Missing::new("the add-ons", NEEDS, Why::NotCollected);
        assert!(
            missing.reason().contains("snapshot does not hold it"),
            "{}",
            missing.reason()
        );
        assert!(
            missing
                .reason()
                .contains("ecr:GetLifecyclePolicy, ecr:DescribeRepositories")
        );
        assert_eq!(missing.evidence(), json!({"api": "ecr:GetLifecyclePolicy"}));
        let fixed = missing.with_fix("were not read: scan live");
        assert_eq!(fixed.reason(), "the add-ons were not read: scan live");
    }
}
