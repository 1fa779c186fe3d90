//! `node-ami`: nodes run an EKS-optimized or Bottlerocket AMI, and only approved AMIs when the
//! configuration lists them.
//!
//! Each node is judged by the image it runs, which must be published by AWS (owned by the EKS
//! AMI account, 602401143452 in most regions, or by Amazon) and be an EKS-optimized image: named
//! `amazon-eks-*` (AL2, AL2023), `bottlerocket-*`, or `Windows_Server-*-EKS_Optimized-*`
//! (<https://docs.aws.amazon.com/eks/latest/userguide/eks-optimized-amis.html>), or launched by a
//! managed node group whose AMI type is one of AWS's (`AL2023_*`, `BOTTLEROCKET_*`, `WINDOWS_*`...,
//! anything but `CUSTOM`), which names its image however AWS names it. The node group's word
//! never stands in for the image: an image that cannot be described is an error, not a pass.
//!
//! A Karpenter EC2NodeClass that selects its AMIs by alias (`al2023@latest`) gets EKS-optimized
//! images; one that selects by id, name or tags is for review (its nodes are judged by the image
//! they run). EKS Auto Mode chooses its instances' images itself: they are never failed.

use serde_json::json;

use super::provisioners::{class_resource, provisioning_list, unless_auto_mode};
use super::{conclude, node_needs};
use crate::checks::frameworks::{bp, cis13, nist};
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Finding, Remediation, Severity, Status};
use crate::inventory::k8s::resources::EC2_NODE_CLASSES;
use crate::inventory::{Image, Why};

/// The account that publishes EKS-optimized AMIs in commercial regions.
pub const EKS_AMI_ACCOUNT: &str = "602401143452";

/// The check.
pub static CHECK: Check = Check {
    id: "node-ami",
    aliases: &[],
    area: Area::Node,
    title: "Nodes run an EKS-optimized or Bottlerocket AMI",
    severity: Severity::Medium,
    refs: &[
        cis13("3.3.1"),
        nist("PR.IP-1"),
        nist("DE.CM-7"),
        bp("protecting-the-infrastructure"),
    ],
    needs: node_needs!["ec2:DescribeImages"; EC2_NODE_CLASSES],
    rationale: "EKS-optimized and Bottlerocket AMIs are minimal, hardened for containers, and patched by AWS on \
a known cadence with the CIS kubelet settings applied. A custom or unknown AMI may carry unneeded packages, \
miss security patches, or come from an untrusted source: the playbook's \"worker node running an unauthorized AMI\". \
An image counts as EKS-optimized when AWS published it (the EKS AMI account or Amazon) and it is named \
amazon-eks-*, bottlerocket-* or Windows_Server-*-EKS_Optimized-*, or a managed node group of an AWS AMI type \
(AL2023_*, BOTTLEROCKET_*, WINDOWS_*..., not CUSTOM) launched it; an image that cannot be described is an error.",
    remediation: Remediation {
        text: "Use an AWS AMI type for managed node groups (AL2023 or Bottlerocket), or build custom images \
from the EKS-optimized ones and list their ids or owners in sek.toml ([allow] ami_ids / ami_owners).",
        cli: Some(
            "aws eks update-nodegroup-version --cluster-name <cluster> --nodegroup-name <ng>",
        ),
        terraform: Some("ami_type = \"AL2023_x86_64_STANDARD\""),
    },
    links: &[
        "https://docs.aws.amazon.com/eks/latest/userguide/eks-optimized-amis.html",
        "https://aws.amazon.com/bottlerocket/",
    ],
    eval: Eval::Cluster(eval),
};

/// Whether `image` is an AWS-published EKS-optimized image, by its name or by the AWS AMI type
/// of the managed node group that launched it.
fn is_eks_optimized(image: &Image, managed_type: Option<&str>) -> bool {
    let name = image.name.as_deref().unwrap_or("").to_ascii_lowercase();
    let eks_named = name.starts_with("amazon-eks")
        || name.starts_with("bottlerocket")
        || (name.starts_with("windows_server") && name.contains("eks_optimized"));
    let aws_owned = image.owner_id.as_deref() == Some(EKS_AMI_ACCOUNT)
        || image.owner_alias.as_deref() == Some("amazon");
    aws_owned && (eks_named || managed_type.is_some())
}

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    let inv = ctx.inventory;
    let nodes = inv.instances()?;
    let settings = ctx.settings;
    let restricted = !settings.ami_ids.is_empty() || !settings.ami_owners.is_empty();
    let approved = |image_id: &str, owner: Option<&str>| {
        settings.ami_ids.iter().any(|a| a == image_id)
            || owner.is_some_and(|o| settings.ami_owners.iter().any(|a| a == o))
    };
    let mut findings = Vec::new();
    for node in nodes.iter() {
        let resource = inv.ec2_arn("instance", &node.id);
        let managed_type = node
            .nodegroup
            .as_deref()
            .and_then(|name| {
                let nodegroups = inv.nodegroups.got()?;
                nodegroups.iter().find(|ng| ng.name == name)
            })
            .and_then(|ng| ng.ami_type.as_deref())
            .filter(|t| *t != "CUSTOM");
        let Some(image_id) = node.image_id.as_deref() else {
            findings.push(Finding::error(
                resource,
                "DescribeInstances reported no image id",
            ));
            continue;
        };
        let lookup = inv.image(image_id);
        let image = lookup.as_ref().ok().copied();
        let evidence = json!({ "image_id": image_id, "ami_type": managed_type, "image": image });
        let owner = image.and_then(|i| i.owner_id.as_deref());
        if restricted && !approved(image_id, owner) {
            findings.push(
                Finding::fail(
                    resource,
                    format!(
                        "{image_id} is not in the approved AMI ids or owners ([allow] in sek.toml)"
                    ),
                )
                .with_evidence(evidence),
            );
            continue;
        }
        // The image the node runs decides; the node group's AMI type is evidence only.
        let finding = match (image, &lookup) {
            (Some(image), _)
                if is_eks_optimized(image, managed_type)
                    || (restricted && approved(image_id, owner)) =>
            {
                Finding::pass(
                    resource,
                    format!(
                        "{image_id} ({}) is an EKS-optimized or approved image",
                        image.name.as_deref().unwrap_or("?")
                    ),
                )
            }
            (Some(image), _) => Finding::fail(
                resource,
                format!(
                    "{image_id} ({}, owner {}) is not an EKS-optimized or Bottlerocket AMI",
                    image.name.as_deref().unwrap_or("unnamed"),
                    image.owner_id.as_deref().unwrap_or("?")
                ),
            ),
            // Read without failure, yet absent: deregistered or no longer shared, so nobody can
            // say what the node runs.
            (None, Err(missing)) if missing.why != Why::NotFound => {
                Finding::missing(resource, missing)
            }
            (None, _) => Finding::fail(
                resource,
                format!(
                    "{image_id} is deregistered or not visible to this account: the node's image cannot be traced; replace the node"
                ),
            ),
        };
        findings.push(unless_auto_mode(
            node,
            "image",
            finding.with_evidence(evidence),
        ));
    }
    let (classes, errors) = provisioning_list(ctx, nodes, |k| k.ec2_node_classes());
    findings.extend(errors);
    for class in classes {
        let resource = class_resource("EC2NodeClass", &class.metadata.name);
        let terms = &class.spec.ami_selector_terms;
        let evidence = json!({
            "ami_selector_terms": terms,
            "ami_family": class.spec.ami_family,
            "resolved": class.status.amis,
        });
        let aliases: Vec<&str> = terms.iter().filter_map(|t| t.alias.as_deref()).collect();
        let finding = if !aliases.is_empty() && aliases.len() == terms.len() {
            Finding::pass(
                resource,
                format!(
                    "amiSelectorTerms select EKS-optimized images by alias: {}",
                    aliases.join(", ")
                ),
            )
        } else {
            let resolved: Vec<&str> = class.status.amis.iter().map(|a| a.id.as_str()).collect();
            Finding::new(
                Status::Manual,
                resource,
                format!(
                    "amiSelectorTerms select AMIs by id, name or tags (resolved to {}): confirm they are \
EKS-optimized, Bottlerocket or approved images; the nodes they launch are judged by the image they run",
                    if resolved.is_empty() {
                        "nothing yet".to_string()
                    } else {
                        resolved.join(", ")
                    }
                ),
            )
        };
        findings.push(finding.with_evidence(evidence));
    }
    Ok(conclude(inv, nodes, findings, "no nodes were found"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Settings;
    use crate::checks::Status;
    use crate::checks::testkit::*;
    use crate::inventory::Nodegroup;

    #[test]
    fn eks_optimized_and_bottlerocket_images_pass() {
        assert_eq!(
            statuses(&run(&CHECK, &cluster_with_nodes(&["i-1"]))),
            [Status::Pass]
        );
        let mut inv = cluster_with_nodes(&["i-1"]);
        inv.images.got_mut().unwrap()[0].name =
            Some("bottlerocket-aws-k8s-1.31-x86_64-v1.26.0".into());
        assert_eq!(statuses(&run(&CHECK, &inv)), [Status::Pass]);
    }

    #[test]
    fn an_aws_ami_type_does_not_vouch_for_an_image_that_could_not_be_read() {
        let mut inv = cluster_with_nodes(&["i-1"]);
        inv.images = read(vec![]);
        fail_part(&mut inv.images, denied("ec2:DescribeImages", &["ami-eks"]));
        inv.instances.data_mut()[0].nodegroup = Some("ng".into());
        inv.nodegroups.data_mut().push(Nodegroup {
            name: "ng".into(),
            ami_type: Some("BOTTLEROCKET_x86_64".into()),
            ..Default::default()
        });
        assert_eq!(statuses(&run(&CHECK, &inv)), [Status::Error]);
    }

    #[test]
    fn windows_eks_optimized_images_and_aws_ami_types_count() {
        let mut inv = cluster_with_nodes(&["i-1"]);
        let image = &mut inv.images.got_mut().unwrap()[0];
        image.name = Some("Windows_Server-2022-English-Core-EKS_Optimized-1.31-2024.11.12".into());
        image.owner_id = Some("801119661308".into());
        image.owner_alias = Some("amazon".into());
        assert_eq!(only(run(&CHECK, &inv)).status, Status::Pass);
        // The same name from another owner is an impostor.
        inv.images.got_mut().unwrap()[0].owner_alias = None;
        assert_eq!(only(run(&CHECK, &inv)).status, Status::Fail);
        // An Amazon-owned image whose name sek does not know, launched by a node group of an AWS
        // AMI type, is what AWS launched for that type.
        let mut inv = cluster_with_nodes(&["i-1"]);
        let image = &mut inv.images.got_mut().unwrap()[0];
        image.name = Some("al2023-ami-minimal-2023.6.20241111".into());
        image.owner_alias = Some("amazon".into());
        image.owner_id = Some("137112412989".into());
        assert_eq!(only(run(&CHECK, &inv)).status, Status::Fail);
        inv.instances.data_mut()[0].nodegroup = Some("ng".into());
        inv.nodegroups.data_mut().push(Nodegroup {
            name: "ng".into(),
            ami_type: Some("AL2023_x86_64_STANDARD".into()),
            ..Default::default()
        });
        assert_eq!(only(run(&CHECK, &inv)).status, Status::Pass);
        // A CUSTOM type vouches for nothing.
        inv.nodegroups.data_mut()[0].ami_type = Some("CUSTOM".into());
        assert_eq!(only(run(&CHECK, &inv)).status, Status::Fail);
    }

    #[test]
    fn the_image_a_node_runs_outranks_its_node_groups_ami_type() {
        let mut inv = cluster_with_nodes(&["i-1"]);
        inv.instances.data_mut()[0].nodegroup = Some("ng".into());
        inv.nodegroups.data_mut().push(Nodegroup {
            name: "ng".into(),
            ami_type: Some("AL2023_x86_64_STANDARD".into()),
            ..Default::default()
        });
        inv.images.got_mut().unwrap()[0].name = Some("ubuntu-22.04-golden".into());
        inv.images.got_mut().unwrap()[0].owner_id = Some("111122223333".into());
        assert_eq!(only(run(&CHECK, &inv)).status, Status::Fail);
    }

    #[test]
    fn custom_images_fail_and_impostor_names_do_not_pass() {
        let mut inv = cluster_with_nodes(&["i-1"]);
        inv.images.got_mut().unwrap()[0].name = Some("ubuntu-22.04-golden".into());
        inv.images.got_mut().unwrap()[0].owner_id = Some("111122223333".into());
        let finding = only(run(&CHECK, &inv));
        assert_eq!(finding.status, Status::Fail);
        assert!(finding.message.contains("ubuntu-22.04-golden"));
        inv.images.got_mut().unwrap()[0].name = Some("amazon-eks-node-1.31-evil".into());
        assert_eq!(
            only(run(&CHECK, &inv)).status,
            Status::Fail,
            "an EKS-like name in someone else's account"
        );
    }

    #[test]
    fn approved_lists_restrict_further_and_admit_custom_images() {
        let mut inv = cluster_with_nodes(&["i-1"]);
        let settings = Settings {
            ami_owners: vec!["111122223333".into()],
            ..Settings::default()
        };
        assert_eq!(
            only(run_with(&CHECK, &inv, &settings)).status,
            Status::Fail,
            "AWS image not in the approved owners"
        );
        inv.images.got_mut().unwrap()[0].owner_id = Some("111122223333".into());
        inv.images.got_mut().unwrap()[0].name = Some("golden".into());
        assert_eq!(only(run_with(&CHECK, &inv, &settings)).status, Status::Pass);
    }

    #[test]
    fn undescribed_images_are_errors() {
        let mut inv = cluster_with_nodes(&["i-1"]);
        inv.images = read(vec![]);
        fail_part(&mut inv.images, denied("ec2:DescribeImages", &["ami-eks"]));
        let finding = only(run(&CHECK, &inv));
        assert_eq!(finding.status, Status::Error);
        assert!(finding.message.contains("ec2:DescribeImages"));
    }

    #[test]
    fn an_image_read_without_error_but_absent_fails_as_untraceable() {
        let mut inv = cluster_with_nodes(&["i-1"]);
        inv.images = read(vec![]);
        let finding = only(run(&CHECK, &inv));
        assert_eq!(finding.status, Status::Fail);
        assert!(
            finding.message.contains("deregistered"),
            "{}",
            finding.message
        );
        // A snapshot without images (an older sek) decides nothing.
        inv.images = Read::NotCollected;
        assert_eq!(only(run(&CHECK, &inv)).status, Status::Error);
    }

    #[test]
    fn node_classes_selecting_by_alias_pass_and_by_id_are_for_review() {
        use crate::checks::testkit::k8s::{k8s, kube_cluster};
        use crate::inventory::k8s::Ec2NodeClass;
        let class = |name: &str, terms: serde_json::Value| -> Ec2NodeClass {
            serde_json::from_value(
                json!({"metadata": {"name": name}, "spec": {"amiSelectorTerms": terms},
                "status": {"amis": [{"id": "ami-0custom"}]}}),
            )
            .unwrap()
        };
        let mut inv = kube_cluster();
        k8s(&mut inv).ec2_node_classes = read(vec![
            class("default", json!([{"alias": "bottlerocket@latest"}])),
            class("golden", json!([{"id": "ami-0custom"}])),
        ]);
        let findings = run(&CHECK, &inv);
        assert_eq!(
            about(&findings, "EC2NodeClass//default").status,
            Status::Pass
        );
        let golden = about(&findings, "EC2NodeClass//golden");
        assert_eq!(golden.status, Status::Manual);
        assert!(
            golden.message.contains("resolved to ami-0custom"),
            "{}",
            golden.message
        );
    }
}
