//! `node-volumes`: every EBS volume attached to a node is encrypted, and node group launch
//! templates ask for encryption.
//!
//! The attached volume is the truth: a template that asks for encryption does not make an
//! unencrypted volume pass, and a template without EBS mappings (root volume from the AMI)
//! yields no template finding, because its volumes are judged directly.

use std::collections::BTreeSet;

use serde_json::json;

use super::{conclude, node_needs, nodegroup_templates};
use crate::checks::frameworks::{bp, nist};
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Finding, Remediation, Severity};

/// The check.
pub static CHECK: Check = Check {
    id: "node-volumes",
    aliases: &[],
    area: Area::Node,
    title: "Node EBS volumes are encrypted",
    severity: Severity::Medium,
    refs: &[
        nist("PR.DS-1"),
        bp("data-encryption-and-secrets-management"),
    ],
    needs: node_needs!["ec2:DescribeLaunchTemplateVersions", "ec2:DescribeVolumes"],
    rationale: "Node volumes hold container images, logs, emptyDir data and sometimes secrets written to disk. \
Encryption at rest protects them in snapshots, in a detached volume, and in the storage layer.",
    remediation: Remediation {
        text: "Turn on EBS encryption by default in the region, set Encrypted=true on the launch template's block \
device mappings, then replace the nodes (volumes cannot be encrypted in place).",
        cli: Some("aws ec2 enable-ebs-encryption-by-default --region <region>"),
        terraform: Some(
            "block_device_mappings { device_name = \"/dev/xvda\"  ebs { encrypted = true } }",
        ),
    },
    links: &["https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption.html"],
    eval: Eval::Cluster(eval),
};

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    let inv = ctx.inventory;
    let nodes = inv.instances()?;
    let mut findings = Vec::new();
    let mut seen = BTreeSet::new();

    for node in nodes.iter() {
        for attached in &node.volumes {
            if !seen.insert(attached.volume_id.as_str()) {
                continue;
            }
            let resource = inv.ec2_arn("volume", &attached.volume_id);
            let volume = match inv.volume(&attached.volume_id) {
                Ok(volume) => volume,
                Err(missing) => {
                    findings.push(Finding::missing(resource, &missing));
                    continue;
                }
            };
            let device = attached.device_name.as_deref().unwrap_or("?");
            let evidence = json!({
                "instance": node.id,
                "device": device,
                "encrypted": volume.encrypted,
                "kms_key_id": volume.kms_key_id,
            });
            let finding = match volume.encrypted {
                Some(true) => {
                    Finding::pass(resource, format!("{device} of {} is encrypted", node.id))
                }
                Some(false) => Finding::fail(
                    resource,
                    format!(
                        "{device} of {} is not encrypted; replace the node with an encrypted volume",
                        node.id
                    ),
                ),
                None => Finding::error(
                    resource,
                    "DescribeVolumes did not report whether the volume is encrypted",
                ),
            };
            findings.push(finding.with_evidence(evidence));
        }
    }

    let (templates, errors) = nodegroup_templates(inv)?;
    findings.extend(errors);
    for used in templates {
        let ebs: Vec<_> = used
            .template
            .block_devices
            .iter()
            .filter(|d| d.ebs)
            .collect();
        if ebs.is_empty() {
            continue;
        }
        let unencrypted: Vec<&str> = ebs
            .iter()
            .filter(|d| d.encrypted != Some(true))
            .map(|d| d.device_name.as_deref().unwrap_or("?"))
            .collect();
        let version = used.template.version;
        let evidence = json!({ "block_devices": ebs, "nodegroups": used.nodegroups });
        let finding = if unencrypted.is_empty() {
            Finding::pass(
                used.arn,
                format!("version {version}: every EBS mapping sets Encrypted=true"),
            )
        } else {
            Finding::fail(
                used.arn,
                format!(
                    "version {version}: EBS mappings without Encrypted=true: {}",
                    unencrypted.join(", ")
                ),
            )
        };
        findings.push(finding.with_evidence(evidence));
    }

    Ok(conclude(
        inv,
        nodes,
        findings,
        "no node volumes or node group launch templates were found",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Status;
    use crate::checks::testkit::*;

    #[test]
    fn encrypted_volumes_pass_one_finding_per_volume() {
        let findings = run(&CHECK, &cluster_with_nodes(&["i-1", "i-2"]));
        assert_eq!(statuses(&findings), [Status::Pass, Status::Pass]);
        assert!(findings[0].resource.ends_with(":volume/vol-i-1"));
    }

    #[test]
    fn unencrypted_volume_fails_even_if_the_template_asks_for_encryption() {
        let mut inv = cluster_with_nodes(&["i-1"]);
        inv.volumes.data_mut()[0].encrypted = Some(false);
        add_launch_template(&mut inv, launch_template("lt-1"));
        let findings = run(&CHECK, &inv);
        assert_eq!(about(&findings, "volume/vol-i-1").status, Status::Fail);
        assert_eq!(
            about(&findings, "launch-template/lt-1").status,
            Status::Pass
        );
    }

    #[test]
    fn template_mapping_without_encryption_fails() {
        let mut inv = cluster_with_nodes(&["i-1"]);
        let mut template = launch_template("lt-1");
        template.block_devices[0].encrypted = None;
        add_launch_template(&mut inv, template);
        let finding = about(&run(&CHECK, &inv), "launch-template/lt-1").clone();
        assert_eq!(finding.status, Status::Fail);
        assert!(finding.message.contains("/dev/xvda"));
    }

    #[test]
    fn template_without_ebs_mappings_gives_no_template_finding() {
        let mut inv = cluster_with_nodes(&["i-1"]);
        let mut template = launch_template("lt-1");
        template.block_devices.clear();
        add_launch_template(&mut inv, template);
        assert_eq!(statuses(&run(&CHECK, &inv)), [Status::Pass]);
    }

    #[test]
    fn volume_that_could_not_be_described_is_an_error() {
        let mut inv = cluster_with_nodes(&["i-1"]);
        inv.volumes.data_mut().items.clear();
        fail_part(
            &mut inv.volumes,
            denied("ec2:DescribeVolumes", &["vol-i-1"]),
        );
        let finding = only(run(&CHECK, &inv));
        assert_eq!(finding.status, Status::Error);
        assert!(
            finding
                .message
                .contains("ec2:DescribeVolumes (access denied)")
        );
    }

    #[test]
    fn unknown_encryption_state_is_an_error() {
        let mut inv = cluster_with_nodes(&["i-1"]);
        inv.volumes.data_mut()[0].encrypted = None;
        assert_eq!(only(run(&CHECK, &inv)).status, Status::Error);
    }

    #[test]
    fn no_nodes_is_not_applicable() {
        assert_eq!(statuses(&run(&CHECK, &cluster())), [Status::NotApplicable]);
    }
}
