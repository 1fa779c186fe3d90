//! What a fleet scan was asked to read but could not: an account whose role could not be
//! assumed, a region that refused to list its clusters, a cluster that vanished. Kept as data so
//! every report says which parts of the estate it does not cover, instead of silently covering less.

use serde::{Deserialize, Serialize};

use super::{CollectError, ErrorKind};

/// One part of the estate that was not scanned, and why.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq, schemars::JsonSchema)]
pub struct NotScanned {
    /// The account (its id, or the role ARN when the role could not be assumed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// The region, when the failure is limited to one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The cluster, when the failure is limited to one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<String>,
    /// The request that failed, in IAM action form (`sts:AssumeRole`, `eks:ListClusters`).
    pub api: String,
    /// Why, in the terms a user acts on.
    pub kind: ErrorKind,
    /// The service's own message.
    pub message: String,
    /// What to do about it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

impl NotScanned {
    /// The failed read `error`, about no target yet (set `account`, `region`, `cluster`).
    pub fn from_error(error: CollectError, help: impl Into<String>) -> NotScanned {
        NotScanned {
            account: None,
            region: None,
            cluster: None,
            api: error.api,
            kind: error.kind,
            message: error.message,
            help: Some(help.into()),
        }
    }

    /// The part of the estate, e.g. `account 111122223333, eu-west-1, cluster prod`.
    pub fn target(&self) -> String {
        let parts: Vec<String> = [
            self.account.as_ref().map(|a| format!("account {a}")),
            self.region.clone(),
            self.cluster.as_ref().map(|c| format!("cluster {c}")),
        ]
        .into_iter()
        .flatten()
        .collect();
        if parts.is_empty() {
            "the scan".into()
        } else {
            parts.join(", ")
        }
    }

    /// One line: the target, the failed request and the reason.
    pub fn line(&self) -> String {
        format!(
            "{}: {} failed ({}): {}",
            self.target(),
            self.api,
            self.kind.label(),
            self.message
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_names_the_target_the_request_and_the_reason() {
        let gap = NotScanned {
            account: Some("111122223333".into()),
            region: Some("eu-west-1".into()),
            cluster: None,
            api: "eks:ListClusters".into(),
            kind: ErrorKind::AccessDenied,
            message: "AccessDeniedException: no".into(),
            help: None,
        };
        assert_eq!(
            gap.line(),
            "account 111122223333, eu-west-1: eks:ListClusters failed (access denied): AccessDeniedException: no"
        );
    }
}
