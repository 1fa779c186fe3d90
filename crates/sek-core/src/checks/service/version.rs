//! `service-version`: the cluster runs a Kubernetes version in standard support (and an approved
//! one, when the configuration lists them), and its node groups do not lag behind.
//!
//! The support status comes from the EKS API (DescribeClusterVersions), never from a list baked
//! into sek: versions leave standard support on AWS's calendar, not on sek's release cycle.

use serde_json::json;

use crate::checks::frameworks::{bp, nist};
use crate::checks::shared::incomplete;
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Finding, Remediation, Severity};
use crate::inventory::aws;

/// The check.
pub static CHECK: Check = Check {
    id: "service-version",
    aliases: &[],
    area: Area::Service,
    title: "The cluster runs a Kubernetes version in standard support",
    severity: Severity::High,
    refs: &[nist("PR.IP-1"), nist("DE.CM-8"), bp("cluster-upgrades")],
    needs: &[
        aws("eks:DescribeCluster"),
        aws("eks:DescribeClusterVersions"),
        aws("eks:ListNodegroups"),
        aws("eks:DescribeNodegroup"),
    ],
    rationale: "Kubernetes versions in EKS standard support get security patches for 14 months. After that a \
cluster moves to extended support (at extra cost, for 12 more months) and then is upgraded by AWS on AWS's \
schedule. Node groups that lag the control plane run an older kubelet, with its unpatched vulnerabilities and \
a version skew that limits upgrades.",
    remediation: Remediation {
        text: "Upgrade the control plane one minor version at a time, then the node groups and add-ons. List \
approved versions in sek.toml ([allow] kubernetes_versions) to flag clusters outside your own policy too.",
        cli: Some(
            "aws eks update-cluster-version --name <cluster> --kubernetes-version <next-minor>",
        ),
        terraform: Some("cluster_version = \"<next-minor>\""),
    },
    links: &[
        "https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html",
        "https://docs.aws.amazon.com/eks/latest/userguide/update-cluster.html",
    ],
    eval: Eval::Cluster(eval),
};

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    let inv = ctx.inventory;
    let versions = ctx
        .region_data()
        .and_then(|region| region.cluster_versions());
    let mut findings = ctx.on_control_plane(|cluster, arn| {
        let Some(version) = cluster.version.as_deref() else {
            return Finding::error(arn, "DescribeCluster did not report the Kubernetes version");
        };
        let approved = &ctx.settings.kubernetes_versions;
        let support = versions.as_ref().ok().map(|versions| {
            versions
                .iter()
                .find(|v| v.version == version)
                .and_then(|v| v.status.clone())
                .unwrap_or_else(|| "UNSUPPORTED".into())
        });
        let evidence = json!({
            "version": version,
            "support_status": support,
            "support_type": cluster.support_type,
            "approved_versions": approved,
        });
        let mut problems = Vec::new();
        if !approved.is_empty() && !approved.iter().any(|a| a == version) {
            problems.push(format!(
                "Kubernetes {version} is not an approved version ({})",
                approved.join(", ")
            ));
        }
        match support.as_deref() {
            Some("STANDARD_SUPPORT") | None => {}
            Some("EXTENDED_SUPPORT") => problems.push(format!(
                "Kubernetes {version} is in extended support (extra cost, ends sooner); upgrade"
            )),
            Some(other) => problems.push(format!(
                "Kubernetes {version} is {} in EKS; upgrade",
                other.to_lowercase().replace('_', " ")
            )),
        }
        if !problems.is_empty() {
            return Finding::fail(arn, problems.join("; ")).with_evidence(evidence);
        }
        match support {
            Some(_) => Finding::pass(arn, format!("Kubernetes {version} is in standard support"))
                .with_evidence(evidence),
            None => {
                let cause = versions
                    .as_ref()
                    .err()
                    .map(|missing| format!(": {}", missing.reason()))
                    .unwrap_or_default();
                Finding::error(
                    arn,
                    format!("the support status of Kubernetes {version} is unknown{cause}"),
                )
                .with_evidence(evidence)
            }
        }
    })?;

    // Node groups that lag the control plane.
    if let Some(control_plane) = inv.control_plane()?.version.as_deref() {
        // The control plane's finding stands; node groups not read are an error beside it.
        let nodegroups = match inv.nodegroups() {
            Ok(nodegroups) => nodegroups,
            Err(missing) => {
                findings.push(Finding::missing(inv.arn(), &missing));
                return Ok(findings);
            }
        };
        let arn = inv.arn();
        findings.extend(incomplete(
            &arn,
            "node groups were not all read, some may lag the control plane",
            nodegroups,
        ));
        for nodegroup in nodegroups.iter() {
            let Some(version) = nodegroup.version.as_deref() else {
                continue;
            };
            let resource = nodegroup.arn.clone().unwrap_or_else(|| {
                inv.resource_arn("eks", &format!("nodegroup/{}/{}", inv.name, nodegroup.name))
            });
            let evidence =
                json!({ "nodegroup_version": version, "control_plane_version": control_plane });
            findings.push(if version == control_plane {
                Finding::pass(resource, format!("node group {} runs the control plane's version {version}", nodegroup.name))
            } else {
                Finding::fail(
                    resource,
                    format!("node group {} runs Kubernetes {version}, behind the control plane's {control_plane}; update it", nodegroup.name),
                )
            }
            .with_evidence(evidence));
        }
    }
    Ok(findings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Settings;
    use crate::checks::Status;
    use crate::checks::testkit::*;
    use crate::inventory::Nodegroup;

    fn with_version(version: &str) -> Vec<Finding> {
        let mut inv = cluster();
        inv.cluster.got_mut().unwrap().version = Some(version.into());
        run_everywhere(&CHECK, &inv)
    }

    #[test]
    fn standard_support_passes() {
        assert_eq!(statuses(&with_version("1.31")), [Status::Pass]);
    }

    #[test]
    fn extended_or_unknown_versions_fail() {
        let finding = only(with_version("1.29"));
        assert_eq!(finding.status, Status::Fail);
        assert!(finding.message.contains("extended support"));
        let finding = only(with_version("1.23"));
        assert_eq!(finding.status, Status::Fail);
        assert!(
            finding.message.contains("is unsupported in EKS"),
            "{}",
            finding.message
        );
    }

    #[test]
    fn unapproved_versions_fail_even_in_standard_support() {
        let settings = Settings {
            kubernetes_versions: vec!["1.32".into()],
            ..Settings::default()
        };
        let finding = only(run_full(
            &CHECK,
            &cluster(),
            Some(&region()),
            None,
            &settings,
        ));
        assert_eq!(finding.status, Status::Fail);
        assert!(finding.message.contains("not an approved version (1.32)"));
    }

    #[test]
    fn lagging_node_groups_fail() {
        let mut inv = cluster();
        for (name, version) in [("current", "1.31"), ("old", "1.30")] {
            inv.nodegroups.data_mut().push(Nodegroup {
                name: name.into(),
                version: Some(version.into()),
                ..Default::default()
            });
        }
        let findings = run_everywhere(&CHECK, &inv);
        assert_eq!(
            statuses(&findings),
            [Status::Pass, Status::Pass, Status::Fail]
        );
        assert!(
            findings[2]
                .message
                .contains("node group old runs Kubernetes 1.30, behind the control plane's 1.31")
        );
    }

    #[test]
    fn unknown_support_status_is_an_error_unless_a_failure_is_certain() {
        let finding = only(run(&CHECK, &cluster()));
        assert_eq!(finding.status, Status::Error);
        let settings = Settings {
            kubernetes_versions: vec!["1.32".into()],
            ..Settings::default()
        };
        assert_eq!(
            only(run_with(&CHECK, &cluster(), &settings)).status,
            Status::Fail
        );
    }
}
