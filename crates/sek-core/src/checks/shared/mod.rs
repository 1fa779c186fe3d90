//! Helpers shared by several checks, so no two checks decide the same question differently.

pub mod iam_policy;
pub mod k8s;
pub mod net;
pub mod security_groups;

use serde_json::json;

use crate::checks::Finding;
use crate::inventory::{Addon, ClusterInventory, CollectError};

/// An `error` finding: `what` could not be read. It quotes the recorded failure of the first of
/// `apis` (the permission to grant), or says the data is absent from the snapshot.
pub(crate) fn unread(
    resource: impl Into<String>,
    what: &str,
    gaps: &[CollectError],
    apis: &[&str],
) -> Finding {
    unread_cause(
        resource,
        what,
        gaps.iter().find(|g| apis.contains(&g.api.as_str())),
        apis,
    )
}

/// Like [`unread`], for data about one `subject` (a repository, a key): only failures that
/// concern it count.
pub(crate) fn unread_about(
    resource: impl Into<String>,
    what: &str,
    gaps: &[CollectError],
    apis: &[&str],
    subject: &str,
) -> Finding {
    unread_cause(
        resource,
        what,
        gaps.iter()
            .find(|g| apis.contains(&g.api.as_str()) && g.covers(subject)),
        apis,
    )
}

fn unread_cause(
    resource: impl Into<String>,
    what: &str,
    cause: Option<&CollectError>,
    apis: &[&str],
) -> Finding {
    match cause {
        Some(gap) => Finding::error(
            resource,
            format!("{what} could not be read: {}", gap.summary()),
        )
        .with_evidence(json!({ "api": gap.api, "error": gap.kind })),
        None => Finding::error(
            resource,
            format!(
                "{what} could not be read: the snapshot does not hold it (rescan with {} allowed)",
                apis.join(", ")
            ),
        )
        .with_evidence(json!({ "api": apis.first() })),
    }
}

/// The cluster's EKS add-ons, or the findings to report instead: one `error` naming the failed
/// call.
pub(crate) fn addons(inv: &ClusterInventory) -> Result<&[Addon], Vec<Finding>> {
    inv.addons.as_deref().ok_or_else(|| {
        vec![unread(
            inv.arn(),
            "the cluster's add-ons",
            &inv.gaps,
            &["eks:ListAddons", "eks:DescribeAddon"],
        )]
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Status;
    use crate::checks::testkit::*;

    #[test]
    fn unread_quotes_the_failure_of_the_named_api() {
        let gaps = vec![
            denied("ecr:GetLifecyclePolicy", &["other"]),
            denied("ecr:GetLifecyclePolicy", &["web"]),
        ];
        let finding = unread_about(
            "arn",
            "the lifecycle policy",
            &gaps,
            &["ecr:GetLifecyclePolicy"],
            "web",
        );
        assert_eq!(finding.status, Status::Error);
        assert!(
            finding.message.contains("access denied"),
            "{}",
            finding.message
        );
        assert_eq!(finding.evidence["api"], "ecr:GetLifecyclePolicy");
    }

    #[test]
    fn unread_without_a_recorded_failure_says_the_snapshot_lacks_it() {
        let finding = unread("arn", "the add-ons", &[], &["eks:ListAddons"]);
        assert!(
            finding.message.contains("snapshot does not hold it"),
            "{}",
            finding.message
        );
        assert!(finding.message.contains("eks:ListAddons"));
    }
}
