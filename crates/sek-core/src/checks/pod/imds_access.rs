//! `pod-imds-access`: pods cannot reach the instance metadata service (and the node role's
//! credentials).
//!
//! A pod reaches IMDS when it uses the node's network, or when a node lets containers through
//! (IMDSv1 allowed, or an IMDSv2 hop limit above 1) and no NetworkPolicy of the pod's namespace
//! blocks egress to 169.254.169.254. Nodes are judged from the AWS side (DescribeInstances).

use serde_json::json;

use crate::checks::frameworks::{bp, nist};
use crate::checks::shared::imds::{namespace_blocks_imds, open_nodes};
use crate::checks::shared::k8s::{judge_workloads, kubernetes};
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Finding, Remediation, Severity, Status};
use crate::inventory::k8s::resources::{NETWORK_POLICIES, workload_needs};
use crate::inventory::{Need, aws};

/// The check.
pub static CHECK: Check = Check {
    id: "pod-imds-access",
    aliases: &[],
    area: Area::Pod,
    title: "Pods cannot reach the instance metadata service",
    severity: Severity::High,
    refs: &[
        nist("PR.AC-4"),
        nist("PR.AC-5"),
        bp("identity-and-access-management"),
    ],
    needs: workload_needs![
        Need::Kubernetes(&NETWORK_POLICIES),
        // The nodes, found as the node checks find them (tags and node groups' Auto Scaling
        // groups), so this check alone sees the same nodes as a full scan.
        aws("ec2:DescribeInstances"),
        aws("eks:ListNodegroups"),
        aws("eks:DescribeNodegroup"),
        aws("autoscaling:DescribeAutoScalingGroups"),
    ],
    rationale: "IMDS hands out the node role's credentials, which can pull every image, describe the VPC and \
attach network interfaces. A pod that reaches it steps outside its own IRSA or Pod Identity role and gets the \
node's; the EKS best practices restrict it for every pod that does not need it.",
    remediation: Remediation {
        text: "Require IMDSv2 with a hop limit of 1 on every node (launch template metadata options), give \
pods their AWS access through IRSA or Pod Identity, keep hostNetwork to node agents, and add an egress \
NetworkPolicy that excepts 169.254.169.254/32 where the hop limit must stay above 1.",
        cli: Some(
            "aws ec2 modify-instance-metadata-options --instance-id <id> --http-tokens required --http-put-response-hop-limit 1",
        ),
        terraform: None,
    },
    links: &[
        "https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html#restrict-access-to-the-instance-profile-assigned-to-the-worker-node",
    ],
    eval: Eval::Cluster(eval),
};

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    let view = kubernetes(ctx)?;
    view.inventory.network_policies()?;
    // Every node must be known: one not found could be the open one.
    let nodes = open_nodes(ctx);
    let open_nodes: Vec<&str> = nodes.as_ref().map_or_else(|_| Vec::new(), Clone::clone);
    let pass = if open_nodes.is_empty() {
        "no node lets containers reach IMDS (IMDSv2 with hop limit 1), and the pod is not on the host network"
    } else {
        "a NetworkPolicy of its namespace blocks egress to 169.254.169.254"
    };
    // Without every node the metadata options are unknown: only host-network pods can be
    // judged, and the rest is an error rather than a pass.
    let nodes_known = nodes.is_ok();
    let mut findings = judge_workloads(ctx, pass, |w| {
        if w.spec.host_network {
            return Some(vec![
                "uses the node's network, so it reaches IMDS as the node whatever the hop limit"
                    .to_string(),
            ]);
        }
        if !nodes_known {
            return None;
        }
        if open_nodes.is_empty()
            || namespace_blocks_imds(view.network_policies_in(&w.metadata.namespace))
        {
            return Some(Vec::new());
        }
        Some(vec![format!(
            "can reach IMDS: {} node(s) allow IMDSv1 or a hop limit above 1 ({}) and no NetworkPolicy in {} blocks 169.254.169.254",
            open_nodes.len(),
            open_nodes
                .iter()
                .take(3)
                .copied()
                .collect::<Vec<_>>()
                .join(", "),
            w.metadata.namespace
        )])
    })?;
    for finding in &mut findings {
        if finding.evidence.is_object() {
            finding.evidence["open_nodes"] = json!(open_nodes);
        }
    }
    if let Err(missing) = nodes {
        findings.retain(|f| f.status != Status::NotApplicable);
        findings.push(
            Finding::error(
                ctx.inventory.arn(),
                format!(
                    "the nodes' metadata options are unknown, so pods off the host network cannot be judged: {}",
                    missing.reason()
                ),
            )
            .with_evidence(missing.evidence()),
        );
    }
    Ok(findings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::shared::imds::rule_allows_imds;
    use crate::checks::testkit::k8s::*;
    use crate::checks::testkit::*;
    use crate::inventory::MetadataOptions;

    fn with_open_node() -> crate::inventory::ClusterInventory {
        let mut inv = kube_cluster();
        let mut n = node("i-open");
        n.metadata_options = Some(MetadataOptions {
            http_tokens: Some("required".into()),
            http_put_response_hop_limit: Some(2),
            http_endpoint: Some("enabled".into()),
        });
        inv.instances.data_mut().push(n);
        inv
    }

    #[test]
    fn host_network_pods_reach_imds_and_aws_components_are_exceptions() {
        let findings = run(&CHECK, &kube_cluster());
        assert_eq!(
            about(&findings, "DaemonSet/kube-system/aws-node").status,
            Status::Waived
        );
        assert_eq!(about(&findings, "Deployment/web/api").status, Status::Pass);
    }

    #[test]
    fn hop_limit_two_is_exposure_unless_a_policy_blocks_egress() {
        // web has a default-deny policy (egress restricted, no rule): blocked.
        let findings = run(&CHECK, &with_open_node());
        assert_eq!(about(&findings, "Deployment/web/api").status, Status::Pass);

        let mut inv = with_open_node();
        k8s(&mut inv)
            .network_policies
            .got_mut()
            .unwrap()
            .retain(|p| p.metadata.namespace != "web");
        let findings = run(&CHECK, &inv);
        let finding = about(&findings, "Deployment/web/api");
        assert_eq!(finding.status, Status::Fail);
        assert!(finding.message.contains("i-open"), "{}", finding.message);
    }

    #[test]
    fn without_the_aws_side_only_host_network_pods_are_judged() {
        let mut inv = kube_cluster();
        inv.instances = Read::NotCollected;
        let findings = run(&CHECK, &inv);
        assert_eq!(statuses(&findings), [Status::Waived, Status::Error]);
    }

    #[test]
    fn a_node_not_found_could_be_the_open_one() {
        let mut inv = kube_cluster();
        fail_part(
            &mut inv.instances,
            denied("eks:DescribeNodegroup", &["workers"]),
        );
        let findings = run(&CHECK, &inv);
        assert_eq!(statuses(&findings), [Status::Waived, Status::Error]);
        assert!(
            findings[1].message.contains("eks:DescribeNodegroup"),
            "{}",
            findings[1].message
        );
    }

    #[test]
    fn an_egress_rule_to_everywhere_reopens_imds_and_an_except_closes_it() {
        assert!(rule_allows_imds(&json!({})));
        assert!(rule_allows_imds(
            &json!({"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}]})
        ));
        assert!(!rule_allows_imds(
            &json!({"to": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": ["169.254.169.254/32"]}}]})
        ));
        assert!(!rule_allows_imds(
            &json!({"to": [{"namespaceSelector": {}}]})
        ));
    }
}
