//! `service-logging`: all five control plane log types are enabled.
//!
//! Reads `cluster.logging`. AWS returns one `clusterLogging` entry for the enabled types and
//! another for the disabled ones (the seed sek failed whenever the disabled entry existed, even
//! with everything on); only entries with `enabled: true` count here.

use std::collections::BTreeSet;

use serde_json::json;

use crate::checks::frameworks::{bp, cis13, cis18, nist};
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Finding, Remediation, Severity};
use crate::inventory::aws;

/// The control plane log types EKS can send to CloudWatch Logs.
pub const LOG_TYPES: [&str; 5] = [
    "api",
    "audit",
    "authenticator",
    "controllerManager",
    "scheduler",
];

/// The check.
pub static CHECK: Check = Check {
    id: "service-logging",
    aliases: &[],
    area: Area::Service,
    title: "Control plane logging is on for all five log types",
    severity: Severity::Medium,
    refs: &[
        cis13("2.1.1"),
        cis18("2.1.1"),
        nist("PR.PT-1"),
        nist("DE.AE-3"),
        bp("auditing-and-logging"),
    ],
    needs: &[aws("eks:DescribeCluster")],
    rationale: "Control plane logs (API server, audit, authenticator, controller manager, scheduler) are \
the only record of who did what to the cluster through the Kubernetes API. Without the audit and \
authenticator logs an incident cannot be investigated, and anomalous use cannot be detected.",
    remediation: Remediation {
        text: "Enable every control plane log type: in the console, Cluster > Observability > Manage logging, \
or with the CLI below. Logs go to the CloudWatch Logs group /aws/eks/<cluster>/cluster.",
        cli: Some(
            "aws eks update-cluster-config --name <cluster> --logging \
'{\"clusterLogging\":[{\"types\":[\"api\",\"audit\",\"authenticator\",\"controllerManager\",\"scheduler\"],\"enabled\":true}]}'",
        ),
        terraform: Some(
            "enabled_cluster_log_types = [\"api\", \"audit\", \"authenticator\", \"controllerManager\", \"scheduler\"]",
        ),
    },
    links: &["https://docs.aws.amazon.com/eks/latest/userguide/control-plane-logs.html"],
    eval: Eval::Cluster(eval),
};

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    ctx.on_control_plane(|cluster, arn| {
        let enabled: BTreeSet<&str> = cluster
            .logging
            .iter()
            .filter(|setup| setup.enabled == Some(true))
            .flat_map(|setup| setup.types.iter().map(String::as_str))
            .collect();
        let missing: Vec<&str> = LOG_TYPES
            .into_iter()
            .filter(|t| !enabled.contains(t))
            .collect();
        let evidence = json!({ "enabled": enabled, "missing": missing });
        if missing.is_empty() {
            Finding::pass(arn, "all five control plane log types are enabled")
        } else {
            Finding::fail(
                arn,
                format!(
                    "control plane log types not enabled: {}",
                    missing.join(", ")
                ),
            )
        }
        .with_evidence(evidence)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Status;
    use crate::checks::testkit::*;
    use crate::inventory::LogSetup;

    fn setup(types: &[&str], enabled: Option<bool>) -> LogSetup {
        LogSetup {
            types: types.iter().map(|t| t.to_string()).collect(),
            enabled,
        }
    }

    #[test]
    fn passes_with_all_types_enabled() {
        assert_eq!(only(run(&CHECK, &cluster())).status, Status::Pass);
    }

    #[test]
    fn a_disabled_entry_beside_a_complete_enabled_one_still_passes() {
        let mut inv = cluster();
        let cp = inv.cluster.got_mut().unwrap();
        cp.logging.push(setup(&[], Some(false)));
        assert_eq!(only(run(&CHECK, &inv)).status, Status::Pass);
    }

    #[test]
    fn fails_naming_the_missing_types() {
        let mut inv = cluster();
        inv.cluster.got_mut().unwrap().logging = vec![
            setup(&["api", "authenticator", "controllerManager"], Some(true)),
            setup(&["audit", "scheduler"], Some(false)),
        ];
        let finding = only(run(&CHECK, &inv));
        assert_eq!(finding.status, Status::Fail);
        assert_eq!(
            finding.message,
            "control plane log types not enabled: audit, scheduler"
        );
        assert_eq!(finding.evidence["missing"], json!(["audit", "scheduler"]));
    }

    #[test]
    fn types_listed_without_an_enabled_flag_do_not_count() {
        let mut inv = cluster();
        inv.cluster.got_mut().unwrap().logging = vec![setup(&LOG_TYPES, None)];
        assert_eq!(only(run(&CHECK, &inv)).status, Status::Fail);
    }

    #[test]
    fn no_logging_block_fails() {
        let mut inv = cluster();
        inv.cluster.got_mut().unwrap().logging.clear();
        let finding = only(run(&CHECK, &inv));
        assert_eq!(finding.status, Status::Fail);
        assert_eq!(finding.evidence["missing"].as_array().unwrap().len(), 5);
    }

    #[test]
    fn errors_when_describe_cluster_failed() {
        let mut inv = cluster();
        inv.cluster = Read::Failed(denied("eks:DescribeCluster", &["prod"]));
        let finding = only(run(&CHECK, &inv));
        assert_eq!(finding.status, Status::Error);
        assert!(
            finding
                .message
                .contains("eks:DescribeCluster (access denied)"),
            "{}",
            finding.message
        );
        assert_eq!(
            finding.resource,
            "arn:aws:eks:eu-west-1:111122223333:cluster/prod"
        );
    }
}
