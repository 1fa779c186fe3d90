//! `service-sg-baseline`: the cluster security group has no inbound rule beyond AWS's
//! recommended minimum between the control plane and the nodes.
//!
//! EKS creates the cluster security group with one inbound rule: all traffic from itself. The
//! documented minimum also allows HTTPS (443) and the kubelet (10250) from node security groups.
//! Any other inbound rule (a CIDR source, another port) is a deviation to review: the playbook's
//! "security group deviates from the AWS recommended minimum".

use serde_json::json;

use crate::checks::frameworks::{bp, nist};
use crate::checks::shared::net::{Protocol, describe_ports};
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Finding, Remediation, Severity};
use crate::inventory::IpPermission;
use crate::inventory::aws;

/// The check.
pub static CHECK: Check = Check {
    id: "service-sg-baseline",
    aliases: &[],
    area: Area::Service,
    title: "The cluster security group allows only the recommended minimum",
    severity: Severity::Medium,
    refs: &[nist("DE.AE-1"), nist("PR.AC-5"), bp("network-security")],
    needs: &[
        aws("eks:DescribeCluster"),
        aws("ec2:DescribeSecurityGroups"),
    ],
    rationale: "The cluster security group guards the control plane's network interfaces and, on managed \
node groups, the nodes themselves. Rules added over time (a CIDR for a VPN, a debugging port) widen who can \
reach the API server and kubelets; the recommended minimum allows only the control plane and nodes to talk.",
    remediation: Remediation {
        text: "Remove inbound rules other than the self-reference and 443/10250 from node security groups; give \
other sources access through the private endpoint's security group rules you manage separately.",
        cli: Some(
            "aws ec2 revoke-security-group-ingress --group-id <cluster-sg> --security-group-rule-ids <rule-id>",
        ),
        terraform: None,
    },
    links: &["https://docs.aws.amazon.com/eks/latest/userguide/sec-group-reqs.html"],
    eval: Eval::Cluster(eval),
};

/// Whether a rule is part of the recommended minimum for `group`.
fn is_baseline(rule: &IpPermission, group: &str) -> bool {
    let only_groups = rule.ipv4_ranges.is_empty()
        && rule.ipv6_ranges.is_empty()
        && rule.prefix_list_ids.is_empty();
    if !only_groups || rule.source_groups.is_empty() {
        return false;
    }
    if rule.source_groups.iter().all(|g| g == group) {
        return true;
    }
    let port = |p: i32| {
        Protocol::of(rule) == Protocol::Tcp && rule.from_port == Some(p) && rule.to_port == Some(p)
    };
    port(443) || port(10250)
}

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    let inv = ctx.inventory;
    let cluster = inv.control_plane()?;
    let Some(group_id) = cluster.vpc.cluster_security_group_id.as_deref() else {
        return Ok(vec![Finding::not_applicable(
            inv.arn(),
            "DescribeCluster reports no cluster security group",
        )]);
    };
    let resource = inv.ec2_arn("security-group", group_id);
    let group = inv
        .security_group(group_id)
        .map_err(|missing| missing.on(&resource))?;
    let extra: Vec<String> = group
        .ingress
        .iter()
        .filter(|rule| !is_baseline(rule, group_id))
        .map(|rule| {
            let sources: Vec<&str> = rule
                .ipv4_ranges
                .iter()
                .chain(&rule.ipv6_ranges)
                .chain(&rule.prefix_list_ids)
                .chain(&rule.source_groups)
                .map(String::as_str)
                .collect();
            format!("{} from {}", describe_ports(rule), sources.join(", "))
        })
        .collect();
    let evidence = json!({ "group_id": group_id, "rules_beyond_minimum": extra });
    Ok(vec![
        if extra.is_empty() {
            Finding::pass(
                resource,
                format!("{group_id} allows only the control plane and nodes"),
            )
        } else {
            Finding::fail(
                resource,
                format!(
                    "{group_id} has inbound rules beyond the recommended minimum: {}",
                    extra.join("; ")
                ),
            )
        }
        .with_evidence(evidence),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Status;
    use crate::checks::testkit::*;

    fn from_group(protocol: &str, from: i32, to: i32, group: &str) -> IpPermission {
        IpPermission {
            protocol: protocol.into(),
            from_port: Some(from),
            to_port: Some(to),
            source_groups: vec![group.into()],
            ..Default::default()
        }
    }

    #[test]
    fn self_reference_and_node_https_pass() {
        let mut inv = cluster();
        inv.security_groups.data_mut()[0]
            .ingress
            .push(from_group("tcp", 443, 443, "sg-node"));
        inv.security_groups.data_mut()[0]
            .ingress
            .push(from_group("tcp", 10250, 10250, "sg-node"));
        assert_eq!(only(run(&CHECK, &inv)).status, Status::Pass);
    }

    #[test]
    fn cidr_sources_and_other_ports_fail() {
        let mut inv = cluster();
        inv.security_groups.data_mut()[0].ingress.push(ingress(
            "tcp",
            443,
            443,
            &["10.0.0.0/8"],
            &[],
        ));
        inv.security_groups.data_mut()[0]
            .ingress
            .push(from_group("tcp", 22, 22, "sg-bastion"));
        let finding = only(run(&CHECK, &inv));
        assert_eq!(finding.status, Status::Fail);
        assert!(
            finding.message.contains("tcp/443 from 10.0.0.0/8")
                && finding.message.contains("tcp/22 from sg-bastion"),
            "{}",
            finding.message
        );
    }

    #[test]
    fn missing_group_is_an_error_and_none_is_not_applicable() {
        let mut inv = cluster();
        inv.security_groups.data_mut().items.clear();
        assert_eq!(only(run(&CHECK, &inv)).status, Status::Error);
        inv.cluster.got_mut().unwrap().vpc.cluster_security_group_id = None;
        assert_eq!(only(run(&CHECK, &inv)).status, Status::NotApplicable);
    }
}
