//! `node-ssh`: nodes cannot be reached with SSH keys: managed node groups configure no remote
//! access, and no node or launch template carries an EC2 key pair (checklist 001: remove SSH
//! access and key pairs; use SSM Session Manager).

use serde_json::json;

use super::{NO_NODES_OR_TEMPLATES, conclude, node_needs, nodegroup_templates};
use crate::checks::frameworks::{bp, nist};
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Finding, Remediation, Severity};

/// The check.
pub static CHECK: Check = Check {
    id: "node-ssh",
    aliases: &[],
    area: Area::Node,
    title: "Nodes have no SSH key pair or remote access",
    severity: Severity::Medium,
    refs: &[
        nist("PR.AC-3"),
        nist("PR.AC-1"),
        bp("protecting-the-infrastructure"),
    ],
    needs: node_needs!["ec2:DescribeLaunchTemplateVersions"],
    rationale: "An SSH key pair on nodes is a long-lived shared credential that bypasses IAM, is rarely rotated \
and whose use leaves no CloudTrail record. Managed node group remote access without source security groups opens \
port 22 to the whole Internet. SSM Session Manager gives audited, IAM-controlled shell access instead.",
    remediation: Remediation {
        text: "Create node groups without remoteAccess and launch templates without KeyName; attach \
AmazonSSMManagedInstanceCore to the node role and use `aws ssm start-session` when a shell is needed.",
        cli: Some("aws ssm start-session --target <instance-id>"),
        terraform: Some("remote_access = null  # and no key_name in the launch template"),
    },
    links: &["https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager.html"],
    eval: Eval::Cluster(eval),
};

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    let inv = ctx.inventory;
    let nodes = inv.instances()?;
    let mut findings = Vec::new();
    for nodegroup in inv.nodegroups()?.iter() {
        let resource = nodegroup.arn.clone().unwrap_or_else(|| {
            inv.resource_arn("eks", &format!("nodegroup/{}/{}", inv.name, nodegroup.name))
        });
        let evidence = json!({ "remote_access": nodegroup.remote_access });
        findings.push(
            match &nodegroup.remote_access {
                Some(access) if access.ec2_ssh_key.is_some() => {
                    let open = if access.source_security_groups.is_empty() {
                        ", open to 0.0.0.0/0 on port 22"
                    } else {
                        ""
                    };
                    Finding::fail(
                        resource,
                        format!(
                            "node group {} allows SSH with key pair {}{open}",
                            nodegroup.name,
                            access.ec2_ssh_key.as_deref().unwrap_or("")
                        ),
                    )
                }
                _ => Finding::pass(
                    resource,
                    format!("node group {} configures no remote access", nodegroup.name),
                ),
            }
            .with_evidence(evidence),
        );
    }
    for node in nodes.iter() {
        let resource = inv.ec2_arn("instance", &node.id);
        findings.push(match &node.key_name {
            Some(key) => Finding::fail(
                resource,
                format!("{} was launched with key pair {key}", node.id),
            ),
            None => Finding::pass(resource, format!("{} has no key pair", node.id)),
        });
    }
    let (templates, errors) = nodegroup_templates(inv)?;
    findings.extend(errors);
    for used in templates {
        if let Some(key) = &used.template.key_name {
            findings.push(Finding::fail(
                used.arn,
                format!(
                    "version {}: the template sets key pair {key}",
                    used.template.version
                ),
            ));
        }
    }
    Ok(conclude(inv, nodes, findings, NO_NODES_OR_TEMPLATES))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Status;
    use crate::checks::testkit::*;
    use crate::inventory::{Nodegroup, RemoteAccess};

    #[test]
    fn nodes_without_keys_pass() {
        assert_eq!(
            statuses(&run(&CHECK, &cluster_with_nodes(&["i-1"]))),
            [Status::Pass]
        );
    }

    #[test]
    fn keys_on_nodes_templates_and_node_groups_fail() {
        let mut inv = cluster_with_nodes(&["i-1"]);
        inv.instances.data_mut()[0].key_name = Some("ops".into());
        inv.nodegroups.data_mut().push(Nodegroup {
            name: "ng".into(),
            remote_access: Some(RemoteAccess {
                ec2_ssh_key: Some("ops".into()),
                source_security_groups: vec![],
            }),
            ..Default::default()
        });
        let mut template = launch_template("lt-1");
        template.key_name = Some("ops".into());
        add_launch_template(&mut inv, template);
        let findings = run(&CHECK, &inv);
        assert_eq!(
            findings.iter().filter(|f| f.status == Status::Fail).count(),
            3,
            "{findings:#?}"
        );
        assert!(findings[0].message.contains("open to 0.0.0.0/0 on port 22"));
    }
}
