//! `service-log-retention`: the control plane log group exists, keeps logs for a set time and is
//! encrypted with a KMS key (CIS EKS 1.8.0 2.1.2: audit logs are collected and managed).

use serde_json::json;

use crate::checks::frameworks::{bp, cis18, nist};
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Finding, Remediation, Severity};
use crate::inventory::aws;

/// The check.
pub static CHECK: Check = Check {
    id: "service-log-retention",
    aliases: &[],
    area: Area::Service,
    title: "Control plane logs are kept for a set time and KMS-encrypted",
    severity: Severity::Low,
    refs: &[
        cis18("2.1.2"),
        nist("PR.PT-1"),
        nist("DE.AE-3"),
        bp("auditing-and-logging"),
    ],
    needs: &[aws("eks:DescribeCluster"), aws("logs:DescribeLogGroups")],
    rationale: "Control plane logs land in /aws/eks/<cluster>/cluster. Without a retention policy they are kept \
(and paid for) forever, which is rarely the records policy; without a KMS key anyone with CloudWatch Logs read \
access reads the audit trail, including request bodies.",
    remediation: Remediation {
        text: "Set a retention matching your records policy and associate a KMS key with the log group (the key \
policy must allow the CloudWatch Logs service principal).",
        cli: Some(
            "aws logs put-retention-policy --log-group-name /aws/eks/<cluster>/cluster --retention-in-days 365 && \
aws logs associate-kms-key --log-group-name /aws/eks/<cluster>/cluster --kms-key-id <key-arn>",
        ),
        terraform: Some(
            "cloudwatch_log_group_retention_in_days = 365\ncloudwatch_log_group_kms_key_id = aws_kms_key.logs.arn",
        ),
    },
    links: &["https://docs.aws.amazon.com/eks/latest/userguide/control-plane-logs.html"],
    eval: Eval::Cluster(eval),
};

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    let inv = ctx.inventory;
    let name = format!("/aws/eks/{}/cluster", inv.name);
    let resource = inv.resource_arn("logs", &format!("log-group:{name}"));
    let groups = inv.log_groups().map_err(|missing| missing.on(&resource))?;
    let Some(group) = groups.iter().find(|g| g.name == name) else {
        let logging_on = inv
            .cluster
            .got()
            .is_some_and(|c| c.logging.iter().any(|s| s.enabled == Some(true)));
        return Ok(vec![if logging_on {
            Finding::fail(
                resource,
                format!(
                    "{name} does not exist although logging is on; check the cluster role and logging setup"
                ),
            )
        } else {
            Finding::fail(
                resource,
                format!(
                    "{name} does not exist: no control plane log is kept (see service-logging)"
                ),
            )
        }]);
    };
    let mut problems = Vec::new();
    if group.retention_days.is_none() {
        problems.push("no retention policy (logs are kept forever)");
    }
    if group.kms_key_id.is_none() {
        problems.push("not encrypted with a KMS key");
    }
    let evidence = json!({ "log_group": group });
    Ok(vec![
        if problems.is_empty() {
            Finding::pass(
                resource,
                format!(
                    "{name}: kept {} days, KMS-encrypted",
                    group.retention_days.unwrap_or_default()
                ),
            )
        } else {
            Finding::fail(resource, format!("{name}: {}", problems.join("; ")))
        }
        .with_evidence(evidence),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Status;
    use crate::checks::testkit::*;

    #[test]
    fn retained_and_encrypted_passes() {
        assert_eq!(only(run(&CHECK, &cluster())).status, Status::Pass);
    }

    #[test]
    fn missing_retention_or_key_fails() {
        let mut inv = cluster();
        let group = &mut inv.log_groups.got_mut().unwrap()[0];
        group.retention_days = None;
        group.kms_key_id = None;
        let finding = only(run(&CHECK, &inv));
        assert_eq!(finding.status, Status::Fail);
        assert!(
            finding.message.contains("no retention policy")
                && finding.message.contains("not encrypted")
        );
    }

    #[test]
    fn a_missing_group_fails_and_an_unread_one_errors() {
        let mut inv = cluster();
        inv.log_groups = read(vec![]);
        assert_eq!(only(run(&CHECK, &inv)).status, Status::Fail);
        inv.log_groups = Read::Failed(denied("logs:DescribeLogGroups", &[]));
        let finding = only(run(&CHECK, &inv));
        assert_eq!(finding.status, Status::Error);
        assert!(finding.message.contains("logs:DescribeLogGroups"));
    }
}
