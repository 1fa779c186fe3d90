//! `service-sgs`: the control plane's security groups let no one in from the Internet to all
//! traffic or SSH/RDP.
//!
//! Reads the cluster security group and the additional security groups from DescribeCluster,
//! then each group's rules. The rule logic is shared with `node-sgs`.

use crate::checks::frameworks::{bp, cis13, cis18, nist};
use crate::checks::shared::security_groups::assess_ingress;
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Finding, Remediation, Severity};
use crate::inventory::aws;

/// The check.
pub static CHECK: Check = Check {
    id: "service-sgs",
    aliases: &["service-security-groups"],
    area: Area::Service,
    title: "Control plane security groups allow no unrestricted admin ingress",
    severity: Severity::High,
    refs: &[
        cis13("5.4.1"),
        cis18("5.4.1"),
        nist("PR.AC-3"),
        nist("PR.AC-5"),
        nist("PR.PT-4"),
        bp("network-security"),
    ],
    needs: &[
        aws("eks:DescribeCluster"),
        aws("ec2:DescribeSecurityGroups"),
    ],
    rationale: "The cluster security group and any additional security groups guard the control plane's network \
interfaces in your VPC, and EKS also attaches the cluster security group to managed nodes. An ingress rule \
from 0.0.0.0/0 or ::/0 for all traffic or for SSH (22) or RDP (3389) opens the cluster's network path to \
the Internet.",
    remediation: Remediation {
        text: "Remove ingress rules from 0.0.0.0/0 and ::/0 that allow all traffic or ports 22/3389, or narrow \
their source to known CIDRs or security groups. Prefer SSM Session Manager to SSH.",
        cli: Some(
            "aws ec2 revoke-security-group-ingress --group-id <sg-id> --ip-permissions \
'IpProtocol=tcp,FromPort=22,ToPort=22,IpRanges=[{CidrIp=0.0.0.0/0}]'",
        ),
        terraform: None,
    },
    links: &[
        "https://docs.aws.amazon.com/eks/latest/userguide/sec-group-reqs.html",
        "https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-13",
    ],
    eval: Eval::Cluster(eval),
};

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    let inv = ctx.inventory;
    let cluster = inv.control_plane()?;
    let mut groups: Vec<&str> = cluster
        .vpc
        .cluster_security_group_id
        .iter()
        .map(String::as_str)
        .collect();
    for id in &cluster.vpc.security_group_ids {
        if !groups.contains(&id.as_str()) {
            groups.push(id);
        }
    }
    if groups.is_empty() {
        return Ok(vec![Finding::not_applicable(
            inv.arn(),
            "DescribeCluster reports no cluster or additional security groups",
        )]);
    }
    let used_by = [format!("control plane of {}", inv.name)];
    Ok(groups
        .into_iter()
        .map(|id| assess_ingress(inv, id, &used_by))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Status;
    use crate::checks::testkit::*;

    #[test]
    fn closed_cluster_group_passes() {
        assert_eq!(statuses(&run(&CHECK, &cluster())), [Status::Pass]);
    }

    #[test]
    fn each_group_is_a_finding_and_a_world_open_additional_group_fails() {
        let mut inv = cluster();
        inv.cluster.got_mut().unwrap().vpc.security_group_ids =
            vec!["sg-extra".into(), "sg-cluster".into()];
        inv.security_groups.data_mut().push(group(
            "sg-extra",
            vec![ingress("-1", -1, -1, &["0.0.0.0/0"], &[])],
        ));
        let findings = run(&CHECK, &inv);
        assert_eq!(
            findings.len(),
            2,
            "the cluster group listed twice is assessed once"
        );
        assert_eq!(about(&findings, "sg-cluster").status, Status::Pass);
        let extra = about(&findings, "sg-extra");
        assert_eq!(extra.status, Status::Fail);
        assert!(
            extra.message.contains("all traffic from 0.0.0.0/0"),
            "{}",
            extra.message
        );
    }

    #[test]
    fn port_range_containing_rdp_fails() {
        let mut inv = cluster();
        inv.security_groups.data_mut()[0].ingress.push(ingress(
            "tcp",
            3000,
            4000,
            &["0.0.0.0/0"],
            &[],
        ));
        let finding = only(run(&CHECK, &inv));
        assert_eq!(finding.status, Status::Fail);
        assert!(finding.message.contains("RDP (tcp/3389)"));
    }

    #[test]
    fn not_applicable_without_groups() {
        let mut inv = cluster();
        inv.cluster.got_mut().unwrap().vpc.cluster_security_group_id = None;
        assert_eq!(only(run(&CHECK, &inv)).status, Status::NotApplicable);
    }

    #[test]
    fn uncollected_group_is_an_error() {
        let mut inv = cluster();
        inv.security_groups.data_mut().items.clear();
        fail_part(
            &mut inv.security_groups,
            denied("ec2:DescribeSecurityGroups", &[]),
        );
        let finding = only(run(&CHECK, &inv));
        assert_eq!(finding.status, Status::Error);
        assert!(finding.message.contains("ec2:DescribeSecurityGroups"));
    }

    #[test]
    fn describe_cluster_failure_is_an_error() {
        let mut inv = cluster();
        inv.cluster = Read::NotCollected;
        assert_eq!(only(run(&CHECK, &inv)).status, Status::Error);
    }
}
