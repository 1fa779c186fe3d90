//! `vuln-nodes`: Amazon Inspector finds no vulnerability at or above `[thresholds]
//! vuln_min_severity` (default critical) on the cluster's EC2 nodes, and covers every one.
//!
//! Each node is looked up in Inspector's coverage (ListCoverage) and findings (ListFindings,
//! filtered to the cluster's instances). A node Inspector does not cover, or covers inactively,
//! is `manual` with the reason Inspector gives: no findings there means "not scanned", never
//! "clean".

use serde_json::json;

use crate::checks::frameworks::{bp, nist};
use crate::checks::node::{conclude, node_needs};
use crate::checks::vuln::{at_or_above, describe, evidence};
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Finding, Remediation, Severity, Status};
use crate::inventory::{ErrorKind, Missing, Need, Why, aws};

/// The check.
pub static CHECK: Check = Check {
    id: "vuln-nodes",
    aliases: &[],
    area: Area::Vuln,
    title: "Inspector covers the nodes and finds no vulnerability at the threshold",
    severity: Severity::High,
    refs: &[nist("DE.CM-8"), bp("protecting-the-infrastructure")],
    needs: node_needs!["inspector2:ListCoverage", "inspector2:ListFindings"],
    rationale: "A node's kernel, container runtime and agents are shared by every pod on it: a critical \
vulnerability there is a way out of any container. Amazon Inspector scans EC2 instances continuously (through \
SSM or agentless); sek reads what it found on the cluster's nodes, and which nodes it does not cover.",
    remediation: Remediation {
        text: "Replace vulnerable nodes with ones on the latest EKS-optimized AMI (update the node group or let \
Karpenter drift them). For nodes Inspector does not cover, turn on EC2 scanning and fix the reason it gives \
(SSM agent, instance profile permissions, or agentless scanning).",
        cli: Some(
            "aws inspector2 list-coverage --filter-criteria '{\"resourceType\":[{\"comparison\":\"EQUALS\",\"value\":\"AWS_EC2_INSTANCE\"}]}'",
        ),
        terraform: Some(
            "resource \"aws_inspector2_enabler\" \"this\" { resource_types = [\"EC2\", \"ECR\"] ... }",
        ),
    },
    links: &[
        "https://docs.aws.amazon.com/inspector/latest/user/scanning-ec2.html",
        "https://docs.aws.amazon.com/eks/latest/best-practices/protecting-the-infrastructure.html",
    ],
    eval: Eval::Cluster(eval),
};

const COVERAGE: &[Need] = &[aws("inspector2:ListCoverage")];

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    let inv = ctx.inventory;
    let nodes = inv.instances()?;
    let scans = inv.node_scans()?;
    let threshold = ctx.settings.vuln_min_severity;
    let mut findings = Vec::new();
    for node in nodes
        .iter()
        .filter(|n| n.state.as_deref() != Some("terminated"))
    {
        let resource = inv.ec2_arn("instance", &node.id);
        let Some(scan) = scans.iter().find(|s| s.instance_id == node.id) else {
            let failed = scans
                .failed
                .iter()
                .find(|e| e.resources.is_empty() || e.resources.contains(&node.id));
            let why = match failed {
                Some(err) if err.kind != ErrorKind::NotFound => Why::Failed(Box::new(err.clone())),
                _ => Why::NotCollected,
            };
            let what = format!("Amazon Inspector's scan of {}", node.id);
            findings.push(Finding::missing(
                resource,
                &Missing::new(what, COVERAGE, why),
            ));
            continue;
        };
        let coverage = match &scan.coverage {
            Some(c) if c.status == "ACTIVE" => c,
            other => {
                let reason = other.as_ref().map_or_else(
                    || {
                        "Inspector does not list it (EC2 scanning off, or the node is not eligible)"
                            .into()
                    },
                    |c| {
                        format!(
                            "Inspector's coverage is {}{}",
                            c.status,
                            c.description
                                .as_deref()
                                .map(|d| format!(": {d}"))
                                .unwrap_or_default()
                        )
                    },
                );
                findings.push(
                    Finding::new(
                        Status::Manual,
                        resource,
                        format!("{} is not scanned for vulnerabilities: {reason}", node.id),
                    )
                    .with_evidence(json!({ "coverage": other })),
                );
                continue;
            }
        };
        let read = match scan.vulnerabilities() {
            Ok(read) => read,
            Err(missing) => {
                findings.push(Finding::missing(resource, &missing));
                continue;
            }
        };
        let found = match at_or_above(read, threshold) {
            Ok(found) => found,
            Err(message) => {
                findings.push(Finding::error(resource, message));
                continue;
            }
        };
        let base = json!({ "coverage": coverage, "image_id": node.image_id });
        findings.push(if found.is_empty() {
            Finding::pass(
                resource,
                format!(
                    "Inspector covers {} and finds nothing at {threshold} or above",
                    node.id
                ),
            )
            .with_evidence(base)
        } else {
            let shown: Vec<String> = found.iter().take(5).map(|v| describe(v)).collect();
            let more = found.len().saturating_sub(5);
            let mut evidence_value = base;
            evidence_value["vulnerabilities"] = evidence(&found);
            Finding::fail(
                resource,
                format!(
                    "{} ({}) has {} finding{} at {threshold} or above: {}{}",
                    node.id,
                    node.image_id.as_deref().unwrap_or("AMI unknown"),
                    found.len(),
                    if found.len() == 1 { "" } else { "s" },
                    shown.join("; "),
                    if more > 0 {
                        format!("; and {more} more")
                    } else {
                        String::new()
                    }
                ),
            )
            .with_evidence(evidence_value)
        });
    }
    Ok(conclude(
        inv,
        nodes,
        findings,
        "the cluster has no EC2 nodes",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Settings;
    use crate::checks::testkit::image::{critical, high};
    use crate::checks::testkit::*;
    use crate::inventory::{Collection, NodeScan, Read, ScanStatus, Vulnerabilities};

    fn scanned(
        findings: Vec<crate::inventory::Vulnerability>,
        coverage: Option<&str>,
    ) -> crate::inventory::ClusterInventory {
        let mut inv = cluster_with_nodes(&["i-1"]);
        inv.node_scans = Read::Got(Collection::complete(vec![NodeScan {
            instance_id: "i-1".into(),
            coverage: coverage.map(|status| ScanStatus {
                status: status.into(),
                description: Some("the SSM agent is not reporting".into())
                    .filter(|_| status != "ACTIVE"),
            }),
            vulnerabilities: Read::Got(Vulnerabilities {
                source: "inspector".into(),
                min_severity: "critical".into(),
                findings,
            }),
        }]));
        inv
    }

    #[test]
    fn a_covered_node_without_critical_findings_passes_one_with_them_fails() {
        assert_eq!(
            statuses(&run(&CHECK, &scanned(vec![], Some("ACTIVE")))),
            [Status::Pass]
        );
        let finding = only(run(
            &CHECK,
            &scanned(vec![critical("CVE-2024-1")], Some("ACTIVE")),
        ));
        assert_eq!(finding.status, Status::Fail);
        assert!(
            finding.message.contains("CVE-2024-1 (CRITICAL)"),
            "{}",
            finding.message
        );
    }

    #[test]
    fn an_uncovered_node_is_manual_never_a_pass() {
        let finding = only(run(&CHECK, &scanned(vec![], Some("INACTIVE"))));
        assert_eq!(finding.status, Status::Manual);
        assert!(finding.message.contains("SSM agent"), "{}", finding.message);
        let finding = only(run(&CHECK, &scanned(vec![], None)));
        assert_eq!(finding.status, Status::Manual);
    }

    #[test]
    fn unread_scans_and_a_threshold_below_the_read_are_errors() {
        let mut inv = scanned(vec![], Some("ACTIVE"));
        inv.node_scans = Read::Got(Collection::of(
            vec![],
            vec![denied("inspector2:ListCoverage", &["i-1"])],
        ));
        let finding = only(run(&CHECK, &inv));
        assert_eq!(finding.status, Status::Error);
        assert!(
            finding.message.contains("inspector2:ListCoverage"),
            "{}",
            finding.message
        );
        inv.node_scans = Read::NotCollected;
        assert_eq!(statuses(&run(&CHECK, &inv)), [Status::Error]);
        let settings = Settings {
            vuln_min_severity: Severity::High,
            ..Default::default()
        };
        let finding = only(run_with(
            &CHECK,
            &scanned(vec![high("CVE-2")], Some("ACTIVE")),
            &settings,
        ));
        assert_eq!(finding.status, Status::Error);
    }
}
