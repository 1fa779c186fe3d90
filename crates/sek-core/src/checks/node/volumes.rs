//! `node-volumes`: every EBS volume attached to a node is encrypted, and node group launch
//! templates ask for encryption.
//!
//! The attached volume is the truth: a template that asks for encryption does not make an
//! unencrypted volume pass, and a template without EBS mappings (root volume from the AMI)
//! yields no template finding, because its volumes are judged directly.
//!
//! A Karpenter EC2NodeClass is judged on its block device mappings (none: Karpenter's default, an
//! encrypted gp3 root volume); an EKS Auto Mode NodeClass always gets encrypted ephemeral storage,
//! with its own KMS key or an AWS managed one.

use std::collections::BTreeSet;

use serde_json::json;

use super::provisioners::{class_resource, node_classes, unless_auto_mode};
use super::{conclude, node_needs, nodegroup_templates};
use crate::checks::frameworks::{bp, nist};
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Finding, Remediation, Severity};
use crate::inventory::k8s::resources::{AUTO_NODE_CLASSES, EC2_NODE_CLASSES};

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
    needs: node_needs![
        "ec2:DescribeLaunchTemplateVersions",
        "ec2:DescribeVolumes";
        EC2_NODE_CLASSES, AUTO_NODE_CLASSES
    ],
    rationale: "Node volumes hold container images, logs, emptyDir data and sometimes secrets written to disk. \
Encryption at rest protects them in snapshots, in a detached volume, and in the storage layer.",
    remediation: Remediation {
        text: "Turn on EBS encryption by default in the region, set Encrypted=true on the launch template's block \
device mappings (in a Karpenter EC2NodeClass: `ebs.encrypted: true` on every mapping), then replace the \
nodes (volumes cannot be encrypted in place).",
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
            findings.push(unless_auto_mode(
                node,
                "volume encryption",
                finding.with_evidence(evidence),
            ));
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

    let (classes, errors) = node_classes(ctx, nodes);
    findings.extend(errors);
    for class in classes.karpenter {
        let resource = class_resource("EC2NodeClass", &class.metadata.name);
        let mappings = &class.spec.block_device_mappings;
        let evidence = json!({ "block_device_mappings": mappings });
        let unencrypted: Vec<&str> = mappings
            .iter()
            .filter(|m| {
                m.ebs
                    .as_ref()
                    .is_some_and(|ebs| ebs.encrypted != Some(true))
            })
            .map(|m| m.device_name.as_deref().unwrap_or("?"))
            .collect();
        let finding = if mappings.is_empty() {
            Finding::pass(
                resource,
                "no blockDeviceMappings: Karpenter's default root volume is encrypted",
            )
        } else if unencrypted.is_empty() {
            Finding::pass(resource, "every EBS block device sets encrypted: true")
        } else {
            Finding::fail(
                resource,
                format!(
                    "block devices without encrypted: true: {}",
                    unencrypted.join(", ")
                ),
            )
        };
        findings.push(finding.with_evidence(evidence));
    }
    for class in classes.auto_mode {
        let key = class
            .spec
            .ephemeral_storage
            .as_ref()
            .and_then(|s| s.kms_key_id.as_deref());
        let message = match key {
            Some(key) => format!("Auto Mode encrypts its ephemeral storage with KMS key {key}"),
            None => "Auto Mode encrypts its ephemeral storage (with an AWS managed key)".into(),
        };
        findings.push(
            Finding::pass(class_resource("NodeClass", &class.metadata.name), message)
                .with_evidence(json!({ "kms_key_id": key })),
        );
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

    #[test]
    fn node_classes_are_judged_on_their_block_devices_and_auto_mode_storage_is_encrypted() {
        use crate::checks::testkit::k8s::{k8s, kube_cluster};
        let mut inv = kube_cluster();
        fn parse<T: serde::de::DeserializeOwned>(v: serde_json::Value) -> T {
            serde_json::from_value(v).unwrap()
        }
        k8s(&mut inv).ec2_node_classes = read(vec![
            parse(json!({"metadata": {"name": "default"}, "spec": {}})),
            parse(
                json!({"metadata": {"name": "data"}, "spec": {"blockDeviceMappings": [
                {"deviceName": "/dev/xvda", "rootVolume": true, "ebs": {"volumeSize": "50Gi", "encrypted": true}},
                {"deviceName": "/dev/xvdb", "ebs": {"volumeSize": "200Gi"}}]}}),
            ),
        ]);
        k8s(&mut inv).auto_node_classes = read(vec![parse(json!({
            "metadata": {"name": "secure"},
            "spec": {"ephemeralStorage": {"kmsKeyID": "arn:aws:kms:eu-west-1:111122223333:key/k"}}
        }))]);
        let findings = run(&CHECK, &inv);
        assert_eq!(
            about(&findings, "EC2NodeClass//default").status,
            Status::Pass
        );
        let data = about(&findings, "EC2NodeClass//data");
        assert_eq!(data.status, Status::Fail);
        assert!(data.message.ends_with("/dev/xvdb"), "{}", data.message);
        let auto = about(&findings, "NodeClass//secure");
        assert_eq!(auto.status, Status::Pass);
        assert!(auto.message.contains("key/k"), "{}", auto.message);
    }
}
