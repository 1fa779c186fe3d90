//! Helpers shared by several checks, so no two checks decide the same question differently.

pub mod exposure;
pub mod iam_policy;
pub mod images;
pub(crate) mod imds;
pub mod k8s;
pub mod net;
pub(crate) mod network_policy;
pub mod security_groups;

use serde_json::json;

use crate::checks::Finding;
use crate::inventory::{CollectError, Collection, Missing};

/// One `error` finding on `resource` naming every read that is missing among `lookups` (a check
/// that needs several reads says all that stand in its way, not only the first), or `None`
/// when nothing is missing. The evidence is the first one's, with all of them under `unread`.
pub(crate) fn all_read<const N: usize>(
    resource: &str,
    lookups: [Option<Missing>; N],
) -> Option<Finding> {
    let missing: Vec<Missing> = lookups.into_iter().flatten().collect();
    if missing.is_empty() {
        return None;
    }
    let reasons: Vec<String> = missing.iter().map(Missing::reason).collect();
    // The first read's evidence at the top (as for one missing read), every one under `unread`.
    let mut evidence = missing[0].evidence();
    if let Some(fields) = evidence.as_object_mut() {
        let unread: Vec<_> = missing.iter().map(Missing::evidence).collect();
        fields.insert("unread".into(), json!(unread));
    }
    Some(Finding::error(resource, reasons.join("; ")).with_evidence(evidence))
}

/// An `error` finding on `resource` per part of `collection` that could not be read, saying
/// `problem` (`node discovery is incomplete, nodes may be missing`) and the failure.
pub(crate) fn incomplete<'a, T>(
    resource: &'a str,
    problem: &'a str,
    collection: &'a Collection<T>,
) -> impl Iterator<Item = Finding> + 'a {
    collection
        .failed
        .iter()
        .map(move |err| partial_failure(resource, problem, err))
}

/// The `error` finding of [`incomplete`] for one failure.
pub(crate) fn partial_failure(resource: &str, problem: &str, err: &CollectError) -> Finding {
    Finding::error(resource, format!("{problem}: {}", err.summary()))
        .with_evidence(json!({ "api": err.api, "error": err.kind, "resources": err.resources }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Status;
    use crate::checks::testkit::*;

    #[test]
    fn each_failed_part_is_an_error_naming_its_api() {
        let collection = Collection {
            items: vec![1],
            failed: vec![denied("ec2:DescribeVolumes", &["vol-2"])],
        };
        let findings: Vec<Finding> =
            incomplete("arn", "the volumes are incomplete", &collection).collect();
        assert_eq!(statuses(&findings), [Status::Error]);
        assert!(
            findings[0].message.contains("ec2:DescribeVolumes"),
            "{}",
            findings[0].message
        );
        assert_eq!(findings[0].evidence["resources"][0], "vol-2");
    }
}
