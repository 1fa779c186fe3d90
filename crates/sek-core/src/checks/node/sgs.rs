//! `node-sgs`: the nodes' security groups let no one in from the Internet to all traffic or
//! SSH/RDP.
//!
//! Reads the security groups of every node instance and of the node group launch templates;
//! the rule logic is shared with `service-sgs`.

use std::collections::BTreeMap;

use super::provisioners::node_classes;
use super::{NO_NODES_OR_TEMPLATES, conclude, node_needs, nodegroup_templates};
use crate::checks::frameworks::{bp, nist};
use crate::checks::shared::security_groups::assess_ingress;
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Remediation, Severity};
use crate::inventory::k8s::resources::{AUTO_NODE_CLASSES, EC2_NODE_CLASSES};

/// The check.
pub static CHECK: Check = Check {
    id: "node-sgs",
    aliases: &[],
    area: Area::Node,
    title: "Node security groups allow no unrestricted admin ingress",
    severity: Severity::High,
    refs: &[
        nist("PR.AC-3"),
        nist("PR.AC-5"),
        nist("PR.PT-4"),
        bp("network-security"),
    ],
    needs: node_needs![
        "ec2:DescribeLaunchTemplateVersions",
        "ec2:DescribeSecurityGroups";
        EC2_NODE_CLASSES, AUTO_NODE_CLASSES
    ],
    rationale: "Worker nodes run every pod and hold the node role's credentials. An ingress rule from 0.0.0.0/0 or \
::/0 for all traffic or for SSH (22) or RDP (3389) exposes them to the Internet wherever they have a route to it, \
and to every network that does.",
    remediation: Remediation {
        text: "Remove ingress rules from 0.0.0.0/0 and ::/0 that allow all traffic or ports 22/3389 from the nodes' \
security groups, or narrow their source. Use SSM Session Manager instead of SSH; for managed node groups, do not \
configure remote access without source security groups.",
        cli: Some(
            "aws ec2 revoke-security-group-ingress --group-id <sg-id> --ip-permissions \
'IpProtocol=tcp,FromPort=22,ToPort=22,IpRanges=[{CidrIp=0.0.0.0/0}]'",
        ),
        terraform: None,
    },
    links: &["https://docs.aws.amazon.com/eks/latest/userguide/sec-group-reqs.html"],
    eval: Eval::Cluster(eval),
};

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    let inv = ctx.inventory;
    let nodes = inv.instances()?;
    // Group id -> the nodes and templates using it; sorted by id for stable output.
    let mut users: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for node in nodes.iter() {
        for group in &node.security_group_ids {
            users.entry(group).or_default().push(node.id.clone());
        }
    }
    let (templates, mut findings) = nodegroup_templates(inv)?;
    for used in &templates {
        for group in &used.template.security_group_ids {
            let user = format!("{} version {}", used.template.id, used.template.version);
            users.entry(group).or_default().push(user);
        }
    }
    // The security groups Karpenter's and Auto Mode's NodeClasses give their nodes.
    let (classes, errors) = node_classes(ctx, nodes);
    findings.extend(errors);
    for class in classes.all() {
        for group in &class.status.security_groups {
            let user = format!("{} {}", class.kind, class.name);
            users.entry(&group.id).or_default().push(user);
        }
    }
    findings.extend(
        users
            .iter()
            .map(|(group, used_by)| assess_ingress(inv, group, used_by)),
    );
    Ok(conclude(inv, nodes, findings, NO_NODES_OR_TEMPLATES))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Status;
    use crate::checks::testkit::*;

    #[test]
    fn shared_group_is_assessed_once_with_all_users() {
        let findings = run(&CHECK, &cluster_with_nodes(&["i-1", "i-2"]));
        let finding = only(findings);
        assert_eq!(finding.status, Status::Pass);
        assert_eq!(
            finding.evidence["used_by"],
            serde_json::json!(["i-1", "i-2"])
        );
    }

    #[test]
    fn world_ssh_on_a_node_group_fails() {
        let mut inv = cluster_with_nodes(&["i-1"]);
        let node_group = inv
            .security_groups
            .data_mut()
            .iter_mut()
            .find(|g| g.id == "sg-node")
            .unwrap();
        node_group
            .ingress
            .push(ingress("tcp", 22, 22, &["0.0.0.0/0"], &[]));
        assert_eq!(only(run(&CHECK, &inv)).status, Status::Fail);
    }

    #[test]
    fn template_groups_are_assessed() {
        let mut inv = cluster_with_nodes(&["i-1"]);
        let mut template = launch_template("lt-1");
        template.security_group_ids = vec!["sg-template".into()];
        add_launch_template(&mut inv, template);
        inv.security_groups.data_mut().push(group(
            "sg-template",
            vec![ingress("tcp", 0, 65535, &[], &["::/0"])],
        ));
        let findings = run(&CHECK, &inv);
        let finding = about(&findings, "security-group/sg-template");
        assert_eq!(finding.status, Status::Fail);
        assert!(
            finding.message.contains("SSH (tcp/22)") && finding.message.contains("RDP (tcp/3389)")
        );
    }

    #[test]
    fn missing_group_is_an_error_and_no_nodes_not_applicable() {
        let mut inv = cluster_with_nodes(&["i-1"]);
        inv.security_groups
            .data_mut()
            .items
            .retain(|g| g.id != "sg-node");
        assert_eq!(only(run(&CHECK, &inv)).status, Status::Error);
        assert_eq!(statuses(&run(&CHECK, &cluster())), [Status::NotApplicable]);
    }

    #[test]
    fn the_security_groups_node_classes_select_are_judged_naming_the_class() {
        use crate::checks::testkit::k8s::k8s;
        use crate::inventory::k8s::Ec2NodeClass;
        let mut inv = cluster_with_nodes(&["i-1"]);
        inv.kubernetes = read(crate::checks::testkit::k8s::kubernetes());
        inv.security_groups.data_mut().push(group(
            "sg-open",
            vec![ingress("tcp", 22, 22, &["0.0.0.0/0"], &[])],
        ));
        k8s(&mut inv).ec2_node_classes = read(vec![
            serde_json::from_value::<Ec2NodeClass>(
                serde_json::json!({"metadata": {"name": "default"},
                "status": {"securityGroups": [{"id": "sg-node"}, {"id": "sg-open"}]}}),
            )
            .unwrap(),
        ]);
        let findings = run(&CHECK, &inv);
        let open = about(&findings, "security-group/sg-open");
        assert_eq!(open.status, Status::Fail);
        assert!(
            open.message.contains("EC2NodeClass default")
                || open.evidence.to_string().contains("EC2NodeClass default"),
            "{open:#?}"
        );
        assert_eq!(
            about(&findings, "security-group/sg-node").status,
            Status::Pass
        );
    }
}
