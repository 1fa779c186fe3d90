//! `detect-flow-logs`: the cluster VPC has active flow logs recording accepted and rejected
//! traffic (`ALL`, or an `ACCEPT` and a `REJECT` log) that reach their destination, so network
//! connections of nodes and pods can be investigated. A log of rejected traffic alone misses the
//! accepted connections where exfiltration and lateral movement show; a log whose delivery fails
//! (`DeliverLogsStatus` `FAILED`,
//! <https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_FlowLog.html>) records nothing.

use serde_json::json;

use crate::checks::frameworks::{bp, nist};
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Finding, Remediation, Severity};
use crate::inventory::aws;

/// The check.
pub static CHECK: Check = Check {
    id: "detect-flow-logs",
    aliases: &[],
    area: Area::Detect,
    title: "The cluster VPC has flow logs",
    severity: Severity::Low,
    refs: &[nist("DE.CM-1"), nist("DE.AE-1"), bp("auditing-and-logging")],
    needs: &[aws("eks:DescribeCluster"), aws("ec2:DescribeFlowLogs")],
    rationale: "VPC flow logs record every connection to and from the nodes and pods (with the VPC CNI, pods \
have VPC addresses). They show data exfiltration and lateral movement after the fact, and feed GuardDuty. \
A log of rejected traffic alone misses the accepted connections where both show, so sek needs ALL (or an ACCEPT \
and a REJECT log), and a log whose delivery fails (DeliverLogsStatus FAILED) records nothing.",
    remediation: Remediation {
        text: "Create a flow log for the cluster VPC (all traffic) to CloudWatch Logs or S3.",
        cli: Some(
            "aws ec2 create-flow-logs --resource-type VPC --resource-ids <vpc-id> --traffic-type ALL --log-destination-type s3 --log-destination <bucket-arn>",
        ),
        terraform: Some(
            "resource \"aws_flow_log\" \"vpc\" { vpc_id = <vpc-id>  traffic_type = \"ALL\" ... }",
        ),
    },
    links: &[
        "https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs.html",
        "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_FlowLog.html",
    ],
    eval: Eval::Cluster(eval),
};

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    let inv = ctx.inventory;
    let cluster = inv.control_plane()?;
    let Some(vpc) = cluster.vpc.vpc_id.as_deref() else {
        return Ok(vec![Finding::error(
            inv.arn(),
            "DescribeCluster did not report the cluster VPC",
        )]);
    };
    let resource = inv.ec2_arn("vpc", vpc);
    let flow_logs = inv.flow_logs().map_err(|missing| missing.on(&resource))?;
    let active: Vec<_> = flow_logs
        .iter()
        .filter(|f| f.resource_id.as_deref() == Some(vpc) && f.status.as_deref() == Some("ACTIVE"))
        .collect();
    let failing: Vec<String> = active
        .iter()
        .filter(|f| f.deliver_logs_status.as_deref() == Some("FAILED"))
        .map(|f| {
            format!(
                "{} cannot deliver ({})",
                f.id,
                f.deliver_logs_error.as_deref().unwrap_or("no reason given")
            )
        })
        .collect();
    let delivering: Vec<_> = active
        .iter()
        .filter(|f| f.deliver_logs_status.as_deref() != Some("FAILED"))
        .collect();
    let records = |kind: &str| {
        delivering
            .iter()
            .any(|f| matches!(f.traffic_type.as_deref(), Some(t) if t == kind || t == "ALL"))
    };
    let (accepted, rejected) = (records("ACCEPT"), records("REJECT"));
    let evidence = json!({ "vpc": vpc, "flow_logs": flow_logs });
    let mut lacks = Vec::new();
    if active.is_empty() {
        lacks.push("no active flow log".to_string());
    } else {
        match (accepted, rejected) {
            (true, true) => {}
            (false, true) => lacks.push("only rejected traffic is logged (no ACCEPT)".into()),
            (true, false) => lacks.push("only accepted traffic is logged (no REJECT)".into()),
            (false, false) => lacks.push("no flow log delivers".into()),
        }
        if !(accepted && rejected) {
            lacks.extend(failing);
        }
    }
    let finding = if lacks.is_empty() {
        let kinds: Vec<&str> = delivering
            .iter()
            .filter_map(|f| f.traffic_type.as_deref())
            .collect();
        Finding::pass(
            resource,
            format!(
                "{vpc} has active flow logs of accepted and rejected traffic ({})",
                kinds.join(", ")
            ),
        )
    } else {
        Finding::fail(resource, format!("{vpc}: {}", lacks.join("; ")))
    };
    Ok(vec![finding.with_evidence(evidence)])
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
        inv.flow_logs.got_mut().unwrap()[0].status = Some("FAILED".into());
        assert_eq!(only(run(&CHECK, &inv)).status, Status::Fail);
        inv.flow_logs = Read::Failed(denied("ec2:DescribeFlowLogs", &["vpc-1"]));
        assert_eq!(only(run(&CHECK, &inv)).status, Status::Error);
    }

    fn with_logs(logs: &[(&str, Option<&str>)]) -> Finding {
        let mut inv = cluster();
        let template = inv.flow_logs.got().unwrap()[0].clone();
        inv.flow_logs = Read::Got(
            logs.iter()
                .enumerate()
                .map(|(n, (traffic, delivery))| crate::inventory::FlowLog {
                    id: format!("fl-{n}"),
                    traffic_type: Some(traffic.to_string()),
                    deliver_logs_status: delivery.map(String::from),
                    deliver_logs_error: delivery
                        .filter(|d| *d == "FAILED")
                        .map(|_| "Access error".to_string()),
                    ..template.clone()
                })
                .collect(),
        );
        only(run(&CHECK, &inv))
    }

    #[test]
    fn accepted_and_rejected_traffic_must_both_be_delivered() {
        assert_eq!(with_logs(&[("ALL", Some("SUCCESS"))]).status, Status::Pass);
        assert_eq!(
            with_logs(&[("ACCEPT", None), ("REJECT", None)]).status,
            Status::Pass
        );
        let reject_only = with_logs(&[("REJECT", Some("SUCCESS"))]);
        assert_eq!(reject_only.status, Status::Fail);
        assert!(
            reject_only.message.contains("only rejected traffic"),
            "{}",
            reject_only.message
        );
        let undelivered = with_logs(&[("ALL", Some("FAILED"))]);
        assert_eq!(undelivered.status, Status::Fail);
        assert!(
            undelivered
                .message
                .contains("cannot deliver (Access error)"),
            "{}",
            undelivered.message
        );
        // A failing log does not matter when another delivers everything.
        assert_eq!(
            with_logs(&[("ALL", Some("FAILED")), ("ALL", Some("SUCCESS"))]).status,
            Status::Pass
        );
    }
}
