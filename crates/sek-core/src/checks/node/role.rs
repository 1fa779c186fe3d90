//! `node-role`: the node IAM role carries only the minimal AWS managed policies and cannot
//! write to ECR.
//!
//! Roles come from the nodes' instance profiles and from the managed node groups' `nodeRole`.
//! A policy is recognised as an AWS managed one by its full ARN (`arn:<partition>:iam::aws:policy/<name>`),
//! never by its name, so a customer policy named like an AWS one does not pass. Policy documents
//! of the other policies are read to name any ECR write actions they grant (CIS 5.1.3).

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::provisioners::node_classes;
use super::{conclude, node_needs};
use crate::checks::frameworks::{bp, cis13, cis18, nist};
use crate::checks::shared::iam_policy::{ecr_writes_allowed, powerful_grants};
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Finding, Remediation, Severity};
use crate::inventory::k8s::resources::{AUTO_NODE_CLASSES, EC2_NODE_CLASSES};
use crate::inventory::k8s::{node_class_profile_arn, node_class_role_arn};
use crate::inventory::{ClusterView, Instance, Missing, is_minimal_node_policy, last_segment};

/// The check.
pub static CHECK: Check = Check {
    id: "node-role",
    aliases: &[],
    area: Area::Node,
    title: "The node role has only the minimal AWS managed policies",
    severity: Severity::High,
    refs: &[
        cis13("5.1.3"),
        cis18("5.1.3"),
        nist("PR.AC-4"),
        bp("identity-and-access-management"),
    ],
    needs: node_needs![
        "iam:GetInstanceProfile",
        "iam:ListAttachedRolePolicies",
        "iam:ListRolePolicies",
        "iam:GetRolePolicy",
        "iam:GetPolicy",
        "iam:GetPolicyVersion";
        EC2_NODE_CLASSES, AUTO_NODE_CLASSES
    ],
    rationale: "Every process on a node that can reach the instance metadata service can use the node role, so its \
permissions are shared by all pods that are not isolated from IMDS. AWS defines the managed policies a node needs \
(worker node, ECR pull, VPC CNI; SSM for Session Manager); anything more, and any ECR write, widens what a \
compromised pod can do in the account. Workloads should get AWS access through IRSA or Pod Identity.",
    remediation: Remediation {
        text: "Detach every policy but AmazonEKSWorkerNodePolicy (or AmazonEKSWorkerNodeMinimalPolicy), \
AmazonEC2ContainerRegistryReadOnly (or PullOnly), AmazonEKS_CNI_Policy and optionally \
AmazonSSMManagedInstanceCore, delete inline policies, and move workload permissions to IRSA or Pod Identity roles.",
        cli: Some("aws iam detach-role-policy --role-name <node-role> --policy-arn <policy-arn>"),
        terraform: None,
    },
    links: &[
        "https://docs.aws.amazon.com/eks/latest/userguide/create-node-role.html",
        "https://docs.aws.amazon.com/eks/latest/userguide/iam-roles-for-service-accounts.html",
    ],
    eval: Eval::Cluster(eval),
};

type NodeRoles = (BTreeMap<String, Vec<String>>, Vec<Finding>);

fn node_roles(inv: &ClusterView<'_>, nodes: &[Instance]) -> Result<NodeRoles, Missing> {
    let mut roles: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut profiles: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for node in nodes {
        if let Some(profile) = &node.iam_instance_profile_arn {
            profiles.entry(profile).or_default().push(&node.id);
        }
    }
    let mut errors = Vec::new();
    for (profile_arn, nodes) in profiles {
        match inv.instance_profile(profile_arn) {
            Ok(profile) => {
                for role in &profile.roles {
                    roles
                        .entry(role.clone())
                        .or_default()
                        .extend(nodes.iter().map(|n| n.to_string()));
                }
            }
            Err(missing) => errors.push(Finding::missing(profile_arn, &missing)),
        }
    }
    for nodegroup in inv.nodegroups()?.iter() {
        if let Some(role) = &nodegroup.node_role {
            roles
                .entry(role.clone())
                .or_default()
                .push(format!("nodegroup/{}", nodegroup.name));
        }
    }
    Ok((roles, errors))
}

fn assess_role(inv: &ClusterView<'_>, arn: &str, used_by: &[String]) -> Finding {
    let role = match inv.role(arn) {
        Ok(role) => role,
        Err(missing) => return Finding::missing(arn, &missing),
    };
    let attached = role.attached();
    let inline = role.inline();

    let mut problems = Vec::new();
    let mut extra_policies = Vec::new();
    let mut ecr_writes: Vec<String> = Vec::new();
    // What the extra policies grant on every resource, judged as iam-pod-roles judges pod roles.
    let mut powers: Vec<String> = Vec::new();
    let mut unread = Vec::new();
    let mut note_writes = |document: Option<&Value>, name: &str| match document {
        Some(document) => {
            ecr_writes.extend(ecr_writes_allowed(document));
            let source = last_segment(name);
            powers.extend(
                powerful_grants(document)
                    .into_iter()
                    .map(|power| format!("{power} through {source}")),
            );
        }
        None => unread.push(name.to_string()),
    };

    if let Ok(attached) = &attached {
        for policy in attached.iter().filter(|p| !is_minimal_node_policy(&p.arn)) {
            extra_policies.push(policy.arn.clone());
            let document = inv
                .managed_policy(&policy.arn)
                .ok()
                .and_then(|p| p.document.got());
            note_writes(document, &policy.arn);
        }
        if !extra_policies.is_empty() {
            let names: Vec<&str> = extra_policies.iter().map(|a| last_segment(a)).collect();
            problems.push(format!(
                "policies beyond the node minimum: {}",
                names.join(", ")
            ));
        }
    }
    if let Ok(inline) = &inline {
        for policy in inline.iter() {
            note_writes(policy.document.got(), &policy.name);
        }
        if !inline.is_empty() {
            let names: Vec<&str> = inline.iter().map(|p| p.name.as_str()).collect();
            problems.push(format!("inline policies: {}", names.join(", ")));
        }
    }
    ecr_writes.sort();
    ecr_writes.dedup();
    if !ecr_writes.is_empty() {
        // The full list is in the evidence; the message names a few.
        let shown = ecr_writes
            .iter()
            .take(3)
            .cloned()
            .collect::<Vec<_>>()
            .join(", ");
        let more = match ecr_writes.len() {
            n if n > 3 => format!(" and {} more", n - 3),
            _ => String::new(),
        };
        problems.push(format!("ECR write access: {shown}{more}"));
    }
    powers.sort();
    powers.dedup();
    if !powers.is_empty() {
        problems.push(format!(
            "administrator or escalation permissions: {}",
            powers.join("; ")
        ));
    }

    let evidence = json!({
        "role": role.name,
        "used_by": used_by,
        "attached_policies": attached.as_ref().ok().map(|a| a.iter().map(|p| &p.arn).collect::<Vec<_>>()),
        "inline_policies": inline.as_ref().ok().map(|i| i.iter().map(|p| &p.name).collect::<Vec<_>>()),
        "policies_beyond_minimum": extra_policies,
        "ecr_write_actions": ecr_writes,
        "powers": powers,
        "documents_not_read": unread,
    });
    let unknown = attached.as_ref().and(inline.as_ref()).err();
    let finding = if !problems.is_empty() {
        // A definite failure stands; say what could not be verified as well.
        let also = unknown
            .map(|m| format!(" (and {})", m.reason()))
            .unwrap_or_default();
        Finding::fail(
            arn,
            format!("role {} has {}{also}", role.name, problems.join("; ")),
        )
    } else if let Some(missing) = unknown {
        Finding::missing(arn, missing)
    } else {
        Finding::pass(
            arn,
            format!(
                "role {} has only minimal AWS managed node policies",
                role.name
            ),
        )
    };
    finding.with_evidence(evidence)
}

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    let inv = ctx.inventory;
    let nodes = inv.instances()?;
    let (mut roles, mut findings) = node_roles(inv, nodes)?;
    // The roles EKS Auto Mode's built-in NodePools and the NodeClasses give their nodes, before
    // any node has them.
    if let Ok(cluster) = inv.control_plane() {
        let auto_mode_role = cluster
            .auto_mode
            .as_ref()
            .and_then(|a| a.node_role_arn.as_ref());
        if let Some(arn) = auto_mode_role {
            let user = "Auto Mode built-in NodePools".to_string();
            roles.entry(arn.clone()).or_default().push(user);
        }
        let (classes, errors) = node_classes(ctx, nodes);
        findings.extend(errors);
        // An EC2NodeClass names a role, or an instance profile made outside Karpenter.
        for class in classes.karpenter {
            let Some(profile) = class.spec.instance_profile.as_deref() else {
                continue;
            };
            let user = format!("EC2NodeClass {}", class.metadata.name);
            let arn = node_class_profile_arn(&cluster.arn, profile);
            match inv.instance_profile(&arn) {
                Ok(profile) => {
                    for role in &profile.roles {
                        roles.entry(role.clone()).or_default().push(user.clone());
                    }
                }
                Err(missing) => findings.push(Finding::missing(arn, &missing)),
            }
        }
        for class in classes.all() {
            let Some(role) = class.role else { continue };
            let arn = node_class_role_arn(&cluster.arn, role);
            // A role with a path has another ARN: find it by name.
            let arn = inv
                .roles
                .got()
                .and_then(|read| {
                    read.iter()
                        .find(|r| r.arn == arn || r.name == last_segment(&arn))
                })
                .map_or(arn, |r| r.arn.clone());
            let user = format!("{} {}", class.kind, class.name);
            roles.entry(arn).or_default().push(user);
        }
    }
    findings.extend(
        roles
            .iter()
            .map(|(arn, used_by)| assess_role(inv, arn, used_by)),
    );
    Ok(conclude(
        inv,
        nodes,
        findings,
        "no nodes or node groups were found",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Status;
    use crate::checks::testkit::*;
    use crate::inventory::{
        AttachedPolicy, ClusterInventory, InlinePolicy, ManagedPolicy, Nodegroup,
    };

    fn attach(inv: &mut ClusterInventory, arn: &str, document: Option<Value>) {
        let document = document.map_or(Read::NotCollected, Read::Got);
        inv.roles.data_mut()[0]
            .attached_policies
            .got_mut()
            .unwrap()
            .push(AttachedPolicy {
                arn: arn.into(),
                name: None,
            });
        inv.policies.data_mut().push(ManagedPolicy {
            arn: arn.into(),
            document,
            ..Default::default()
        });
    }

    #[test]
    fn minimal_policies_pass_in_every_partition() {
        assert!(is_minimal_node_policy(
            "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy"
        ));
        assert!(is_minimal_node_policy(
            "arn:aws-cn:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly"
        ));
        assert!(!is_minimal_node_policy(
            "arn:aws:iam::111122223333:policy/AmazonEKSWorkerNodePolicy"
        ));
        assert!(!is_minimal_node_policy(
            "arn:aws:iam::aws:policy/AdministratorAccess"
        ));
        let finding = only(run(&CHECK, &cluster_with_nodes(&["i-1", "i-2"])));
        assert_eq!(finding.status, Status::Pass);
        assert_eq!(finding.evidence["used_by"], json!(["i-1", "i-2"]));
    }

    #[test]
    fn a_customer_policy_named_like_an_aws_one_fails() {
        let mut inv = cluster_with_nodes(&["i-1"]);
        attach(
            &mut inv,
            "arn:aws:iam::111122223333:policy/AmazonEKSWorkerNodePolicy",
            Some(allow(&["s3:GetObject"])),
        );
        let finding = only(run(&CHECK, &inv));
        assert_eq!(finding.status, Status::Fail);
        assert!(
            finding
                .message
                .contains("beyond the node minimum: AmazonEKSWorkerNodePolicy")
        );
    }

    #[test]
    fn ecr_write_actions_are_named() {
        let mut inv = cluster_with_nodes(&["i-1"]);
        attach(
            &mut inv,
            "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPowerUser",
            Some(allow(&["ecr:PutImage", "ecr:GetAuthorizationToken"])),
        );
        let finding = only(run(&CHECK, &inv));
        assert_eq!(finding.status, Status::Fail);
        assert!(
            finding.message.contains("ECR write access: ecr:PutImage"),
            "{}",
            finding.message
        );
    }

    #[test]
    fn inline_policies_fail_and_their_writes_are_read() {
        let mut inv = cluster_with_nodes(&["i-1"]);
        inv.roles.data_mut()[0].inline_policies = read(vec![InlinePolicy {
            name: "push".into(),
            document: read(allow(&["ecr:*"])),
        }]);
        let finding = only(run(&CHECK, &inv));
        assert_eq!(finding.status, Status::Fail);
        assert!(finding.message.contains("inline policies: push"));
        assert!(finding.message.contains("ECR write access: ecr:BatchDeleteImage, ecr:CompleteLayerUpload, ecr:CreatePullThroughCacheRule and 25 more"), "{}", finding.message);
        assert!(
            finding.evidence["ecr_write_actions"]
                .as_array()
                .unwrap()
                .iter()
                .any(|a| a == "ecr:UploadLayerPart")
        );
    }

    #[test]
    fn unlisted_policies_are_an_error_never_a_pass() {
        let mut inv = cluster_with_nodes(&["i-1"]);
        inv.roles.data_mut()[0].inline_policies =
            Read::Failed(denied("iam:ListRolePolicies", &["node-role"]));
        let finding = only(run(&CHECK, &inv));
        assert_eq!(finding.status, Status::Error);
        assert!(
            finding
                .message
                .contains("iam:ListRolePolicies (access denied)")
        );
    }

    #[test]
    fn a_known_extra_policy_fails_even_if_inline_policies_are_unknown() {
        let mut inv = cluster_with_nodes(&["i-1"]);
        inv.roles.data_mut()[0].inline_policies = Read::NotCollected;
        attach(
            &mut inv,
            "arn:aws:iam::aws:policy/AdministratorAccess",
            None,
        );
        let finding = only(run(&CHECK, &inv));
        assert_eq!(finding.status, Status::Fail);
        assert_eq!(
            finding.evidence["documents_not_read"],
            json!(["arn:aws:iam::aws:policy/AdministratorAccess"])
        );
    }

    #[test]
    fn unreadable_profile_and_role_are_errors() {
        let mut inv = cluster_with_nodes(&["i-1"]);
        inv.instance_profiles.data_mut().items.clear();
        fail_part(
            &mut inv.instance_profiles,
            denied("iam:GetInstanceProfile", &["node-profile"]),
        );
        let finding = only(run(&CHECK, &inv));
        assert_eq!(finding.status, Status::Error);
        assert!(
            finding
                .message
                .contains("iam:GetInstanceProfile (access denied)"),
            "{}",
            finding.message
        );

        let mut inv = cluster_with_nodes(&["i-1"]);
        inv.roles.data_mut().items.clear();
        assert_eq!(only(run(&CHECK, &inv)).status, Status::Error);
    }

    #[test]
    fn node_group_roles_count_without_running_nodes() {
        let mut inv = cluster_with_nodes(&["i-1"]);
        inv.instances.data_mut().items.clear();
        inv.nodegroups.data_mut().push(Nodegroup {
            name: "ng".into(),
            node_role: Some(node_role_arn()),
            ..Default::default()
        });
        let finding = only(run(&CHECK, &inv));
        assert_eq!(finding.status, Status::Pass);
        assert_eq!(finding.evidence["used_by"], json!(["nodegroup/ng"]));
    }

    #[test]
    fn no_nodes_is_not_applicable() {
        assert_eq!(statuses(&run(&CHECK, &cluster())), [Status::NotApplicable]);
    }

    #[test]
    fn node_class_and_auto_mode_roles_are_judged_before_any_node_has_them() {
        use crate::checks::testkit::k8s::k8s;
        use crate::inventory::k8s::Ec2NodeClass;
        let mut inv = cluster_with_nodes(&["i-1"]);
        inv.kubernetes = read(crate::checks::testkit::k8s::kubernetes());
        let class = |name: &str, role: &str| -> Ec2NodeClass {
            serde_json::from_value(json!({"metadata": {"name": name}, "spec": {"role": role}}))
                .unwrap()
        };
        let mut profiled = class("profiled", "unused");
        profiled.spec.role = None;
        profiled.spec.instance_profile = Some("node-profile".into());
        k8s(&mut inv).ec2_node_classes = read(vec![
            class("default", "node-role"),
            class("batch", "batch-node"),
            profiled,
        ]);
        inv.cluster.got_mut().unwrap().auto_mode = Some(crate::inventory::AutoMode {
            compute: true,
            node_role_arn: Some("arn:aws:iam::111122223333:role/auto-node".into()),
            ..Default::default()
        });
        let findings = run(&CHECK, &inv);
        let shared = about(&findings, "role/node-role");
        assert_eq!(shared.status, Status::Pass);
        let used_by = shared.evidence["used_by"].to_string();
        assert!(
            used_by.contains("EC2NodeClass default") && used_by.contains("EC2NodeClass profiled"),
            "{used_by}"
        );
        // Neither was read: an error each, never a pass.
        assert_eq!(about(&findings, "role/batch-node").status, Status::Error);
        assert_eq!(about(&findings, "role/auto-node").status, Status::Error);
    }

    #[test]
    fn extra_policies_name_the_administrator_powers_they_grant_as_pod_roles_do() {
        let mut inv = cluster_with_nodes(&["i-1"]);
        attach(
            &mut inv,
            "arn:aws:iam::111122223333:policy/node-admin",
            Some(
                json!({"Statement": [{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}]}),
            ),
        );
        let finding = only(run(&CHECK, &inv));
        assert_eq!(finding.status, Status::Fail);
        assert!(
            finding
                .message
                .contains("administrator or escalation permissions: ")
                && finding.message.contains("through node-admin"),
            "{}",
            finding.message
        );
        assert_eq!(finding.evidence["powers"].as_array().unwrap().len(), 1);
    }
}
