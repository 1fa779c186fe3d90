//! `detect-flow-logs`: the cluster VPC has an active flow log, so network connections of nodes
//! and pods can be investigated.

use serde_json::json;

use crate::checks::frameworks::{bp, nist};
use crate::checks::shared::unread_about;
use crate::checks::{Area, Check, Ctx, Finding, Remediation, Scope, Severity};

/// The check.
pub static CHECK: Check = Check {
    id: "detect-flow-logs",
    aliases: &[],
    area: Area::Detect,
    title: "The cluster VPC has flow logs",
    severity: Severity::Low,
    refs: &[nist("DE.CM-1"), nist("DE.AE-1"), bp("auditing-and-logging")],
    needs: &["eks:DescribeCluster", "ec2:DescribeFlowLogs"],
    rationale: "VPC flow logs record every connection to and from the nodes and pods (with the VPC CNI, pods \
have VPC addresses). They show data exfiltration and lateral movement after the fact, and feed GuardDuty.",
    remediation: Remediation {
        text: "Create a flow log for the cluster VPC (all traffic) to CloudWatch Logs or S3.",
        cli: Some(
            "aws ec2 create-flow-logs --resource-type VPC --resource-ids <vpc-id> --traffic-type ALL --log-destination-type s3 --log-destination <bucket-arn>",
        ),
        terraform: Some(
            "resource \"aws_flow_log\" \"vpc\" { vpc_id = <vpc-id>  traffic_type = \"ALL\" ... }",
        ),
    },
    links: &["https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs.html"],
    scope: Scope::Cluster,
    eval,
};

fn eval(ctx: &Ctx<'_>) -> Vec<Finding> {
    let inv = ctx.inventory;
    let cluster = match inv.control_plane() {
        Ok(cluster) => cluster,
        Err(missing) => return vec![Finding::missing(inv.arn(), &missing)],
    };
    let Some(vpc) = cluster.vpc.vpc_id.as_deref() else {
        return vec![Finding::error(
            inv.arn(),
            "DescribeCluster did not report the cluster VPC",
        )];
    };
    let resource = inv.ec2_arn("vpc", vpc);
    let Some(flow_logs) = &inv.flow_logs else {
        return vec![unread_about(
            resource,
            "flow logs",
            &inv.gaps,
            &["ec2:DescribeFlowLogs"],
            vpc,
        )];
    };
    let active: Vec<_> = flow_logs
        .iter()
        .filter(|f| f.resource_id.as_deref() == Some(vpc) && f.status.as_deref() == Some("ACTIVE"))
        .collect();
    let evidence = json!({ "vpc": vpc, "flow_logs": flow_logs });
    vec![
        if active.is_empty() {
            Finding::fail(resource, format!("{vpc} has no active flow log"))
        } else {
            let kinds: Vec<&str> = active
                .iter()
                .filter_map(|f| f.traffic_type.as_deref())
                .collect();
            Finding::pass(
                resource,
                format!("{vpc} has an active flow log ({})", kinds.join(", ")),
            )
        }
        .with_evidence(evidence),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Status;
    use crate::checks::testkit::*;

    #[test]
    fn active_flow_log_passes_none_fails_unread_errors() {
        assert_eq!(only(run(&CHECK, &cluster())).status, Status::Pass);
        let mut inv = cluster();
        inv.flow_logs.as_mut().unwrap()[0].status = Some("FAILED".into());
        assert_eq!(only(run(&CHECK, &inv)).status, Status::Fail);
        inv.flow_logs = None;
        inv.gaps.push(denied("ec2:DescribeFlowLogs", &["vpc-1"]));
        assert_eq!(only(run(&CHECK, &inv)).status, Status::Error);
    }
}
