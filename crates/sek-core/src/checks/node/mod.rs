//! Checks of the worker nodes: their EC2 instances, launch templates, network and IAM role.
//!
//! Nodes are found through the managed node groups' Auto Scaling groups and through the cluster
//! tags on instances (self-managed nodes). If any discovery call failed, the node list may be
//! incomplete, so every node check adds an `error` finding for it: a check never passes on a
//! list it knows to be partial.

pub mod age;
pub mod ami;
pub mod ebs_default;
pub mod imds;
pub mod private;
mod provisioners;
pub mod role;
pub mod sgs;
pub mod ssh;
pub mod user_data_secrets;
pub mod volumes;

use super::shared::incomplete;
use super::{Finding, Status};
use crate::inventory::{
    ClusterInventory, Collection, Instance, LaunchTemplateVersion, Missing, Need, Why, aws,
};

/// The permissions of a node check: the node discovery reads, then the AWS actions `$extra`,
/// then (after `;`) the Kubernetes kinds `$kind` (Karpenter's and Auto Mode's classes and pools).
macro_rules! node_needs {
    ($($extra:literal),* $(; $($kind:expr),+)? $(,)?) => {
        &[
            $crate::inventory::aws("ec2:DescribeInstances"),
            $crate::inventory::aws("eks:ListNodegroups"),
            $crate::inventory::aws("eks:DescribeNodegroup"),
            $crate::inventory::aws("autoscaling:DescribeAutoScalingGroups"),
            $($crate::inventory::aws($extra),)*
            $($($crate::inventory::Need::Kubernetes(&$kind),)+)?
        ]
    };
}
pub(crate) use node_needs;

/// The `not-applicable` message of checks that look at nodes and launch templates.
pub(crate) const NO_NODES_OR_TEMPLATES: &str = "no nodes or node group launch templates were found";

/// Completes a node check's findings: adds an `error` for each failed discovery read (the
/// node list may be incomplete), a `manual` finding when the cluster accepts EKS Hybrid Nodes
/// (they are not EC2 instances: no node check sees them), and says `not-applicable` with
/// `nothing_found` when there was nothing to evaluate and nothing failed to collect.
pub(crate) fn conclude(
    inv: &ClusterInventory,
    nodes: &Collection<Instance>,
    mut findings: Vec<Finding>,
    nothing_found: &str,
) -> Vec<Finding> {
    let arn = inv.arn();
    findings.extend(incomplete(
        &arn,
        "node discovery is incomplete, nodes may be missing",
        nodes,
    ));
    let hybrid = inv.cluster.got().and_then(|c| c.remote_network.as_ref());
    if let Some(remote) = hybrid.filter(|r| !r.node_cidrs.is_empty()) {
        findings.push(
            Finding::new(
                Status::Manual,
                arn.clone(),
                format!(
                    "the cluster accepts EKS Hybrid Nodes from {}: they are not EC2 instances, so this check \
cannot see them; review them where they run",
                    remote.node_cidrs.join(", ")
                ),
            )
            .with_evidence(serde_json::json!({ "remote_node_cidrs": remote.node_cidrs })),
        );
    }
    if findings.is_empty() {
        findings.push(Finding::not_applicable(arn, nothing_found));
    }
    findings
}

/// A launch template version used by node groups.
pub(crate) struct UsedTemplate<'a> {
    /// The version.
    pub template: &'a LaunchTemplateVersion,
    /// The node groups that use it.
    pub nodegroups: Vec<&'a str>,
    /// Its ARN.
    pub arn: String,
}

/// The launch template versions the node groups use, and an `error` finding for each one that
/// was not collected.
pub(crate) fn nodegroup_templates(
    inv: &ClusterInventory,
) -> Result<(Vec<UsedTemplate<'_>>, Vec<Finding>), Missing> {
    const NEEDS: &[Need] = &[aws("ec2:DescribeLaunchTemplateVersions")];
    let nodegroups = inv.nodegroups()?;
    let templates = inv.launch_templates()?;
    let mut used: Vec<UsedTemplate<'_>> = Vec::new();
    let mut errors = Vec::new();
    for nodegroup in nodegroups.iter() {
        let Some(reference) = &nodegroup.launch_template else {
            continue;
        };
        let found = templates.iter().find(|t| {
            let same_template = reference.id.as_deref() == Some(t.id.as_str())
                || (reference.name.is_some() && reference.name == t.name);
            same_template && reference.version.as_deref() == Some(t.version.to_string().as_str())
        });
        match found {
            Some(template) => match used.iter_mut().find(|u| std::ptr::eq(u.template, template)) {
                Some(entry) => entry.nodegroups.push(&nodegroup.name),
                None => used.push(UsedTemplate {
                    template,
                    nodegroups: vec![&nodegroup.name],
                    arn: inv.ec2_arn("launch-template", &template.id),
                }),
            },
            None => {
                let key = reference
                    .id
                    .as_deref()
                    .or(reference.name.as_deref())
                    .unwrap_or("?");
                let version = reference.version.as_deref().unwrap_or("?");
                let why = templates
                    .failure_about(key)
                    .map_or(Why::NotFound, |err| Why::Failed(Box::new(err.clone())));
                let missing = Missing::new(
                    format!(
                        "launch template {key} version {version} of node group {}",
                        nodegroup.name
                    ),
                    NEEDS,
                    why,
                );
                errors.push(Finding::missing(
                    inv.ec2_arn("launch-template", key),
                    &missing,
                ));
            }
        }
    }
    Ok((used, errors))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::*;

    #[test]
    fn nothing_found_is_not_applicable() {
        let findings = conclude(&cluster(), &Collection::default(), vec![], "no nodes");
        assert_eq!(statuses(&findings), [Status::NotApplicable]);
    }

    #[test]
    fn hybrid_nodes_are_said_to_be_out_of_sight() {
        let mut inv = cluster();
        inv.cluster.got_mut().unwrap().remote_network = Some(crate::inventory::RemoteNetwork {
            node_cidrs: vec!["10.80.0.0/16".into()],
            pod_cidrs: vec![],
        });
        let findings = conclude(&inv, &Collection::default(), vec![], "no nodes");
        assert_eq!(statuses(&findings), [Status::Manual]);
        assert!(
            findings[0]
                .message
                .contains("EKS Hybrid Nodes from 10.80.0.0/16")
        );
    }

    #[test]
    fn a_failed_discovery_call_is_an_error_even_with_no_nodes() {
        let nodes = Collection::<Instance> {
            items: vec![],
            failed: vec![denied("ec2:DescribeInstances", &[])],
        };
        let findings = conclude(&cluster(), &nodes, vec![], "no nodes");
        assert_eq!(statuses(&findings), [Status::Error]);
        assert!(findings[0].message.contains("ec2:DescribeInstances"));
    }

    #[test]
    fn templates_are_matched_by_id_and_version() {
        let mut inv = cluster();
        add_launch_template(&mut inv, launch_template("lt-1"));
        inv.nodegroups.data_mut()[0]
            .launch_template
            .as_mut()
            .unwrap()
            .version = Some("4".into());
        fail_part(
            &mut inv.launch_templates,
            denied("ec2:DescribeLaunchTemplateVersions", &["lt-1"]),
        );
        let (used, errors) = nodegroup_templates(&inv).unwrap();
        assert!(used.is_empty());
        assert_eq!(statuses(&errors), [Status::Error]);
        assert!(
            errors[0].message.contains("version 4"),
            "{}",
            errors[0].message
        );
        assert!(errors[0].message.contains("access denied"));
    }
}
