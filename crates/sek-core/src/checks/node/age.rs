//! `node-age`: no node is older than the configured maximum (default 30 days): nodes are
//! replaced regularly (checklist 001: automate periodic replacement of worker nodes). Karpenter
//! and Auto Mode NodePools are judged on `expireAfter`, the age at which they replace their nodes
//! (Karpenter's default, 720h, is 30 days; `Never` fails).

use serde_json::json;

use super::provisioners::{class_resource, provisioning_list};
use super::{conclude, node_needs};
use crate::checks::frameworks::{bp, nist};
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Finding, Remediation, Severity};
use crate::inventory::k8s::duration_seconds;
use crate::inventory::k8s::resources::NODE_POOLS;

/// The check.
pub static CHECK: Check = Check {
    id: "node-age",
    aliases: &[],
    area: Area::Node,
    title: "Nodes are replaced regularly",
    severity: Severity::Low,
    refs: &[nist("PR.IP-1"), bp("protecting-the-infrastructure")],
    needs: node_needs![; NODE_POOLS],
    rationale: "Immutable nodes get security patches by being replaced with a fresh AMI. A node running for \
months misses kernel and runtime fixes, and drifts from its launch configuration through in-place changes.",
    remediation: Remediation {
        text: "Roll node groups onto the latest AMI regularly (update the node group version, or let Karpenter \
expire nodes with expireAfter). The maximum age is configurable in sek.toml ([thresholds] node_max_age_days).",
        cli: Some(
            "aws eks update-nodegroup-version --cluster-name <cluster> --nodegroup-name <ng>",
        ),
        terraform: None,
    },
    links: &[
        "https://docs.aws.amazon.com/eks/latest/best-practices/protecting-the-infrastructure.html",
    ],
    eval: Eval::Cluster(eval),
};

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    let inv = ctx.inventory;
    let nodes = inv.instances()?;
    let max_days = i64::from(ctx.settings.node_max_age_days);
    let mut findings: Vec<Finding> = nodes
        .iter()
        .map(|node| {
            let resource = inv.ec2_arn("instance", &node.id);
            let Some(launched) = node.launch_time else {
                return Finding::error(resource, "DescribeInstances reported no launch time");
            };
            let days = (ctx.now.as_second() - launched.as_second()) / 86_400;
            let evidence =
                json!({ "launch_time": launched, "age_days": days, "max_age_days": max_days });
            if days > max_days {
                Finding::fail(
                    resource,
                    format!(
                        "{} has run for {days} days (maximum {max_days}); replace it",
                        node.id
                    ),
                )
            } else {
                Finding::pass(resource, format!("{} is {days} days old", node.id))
            }
            .with_evidence(evidence)
        })
        .collect();
    let (pools, errors) = provisioning_list(ctx, nodes, |k| k.node_pools());
    findings.extend(errors);
    for pool in pools {
        let resource = class_resource("NodePool", &pool.metadata.name);
        let (expire_after, default) = pool.expire_after();
        let source = if default {
            " (Karpenter's default)"
        } else {
            ""
        };
        let evidence =
            json!({ "expire_after": expire_after, "default": default, "max_age_days": max_days });
        let finding = match duration_seconds(expire_after) {
            Some(seconds) if seconds.div_ceil(86_400) as i64 <= max_days => Finding::pass(
                resource,
                format!(
                    "expireAfter is {expire_after}{source}: its nodes are replaced within {max_days} days"
                ),
            ),
            Some(_) => Finding::fail(
                resource,
                format!(
                    "expireAfter is {expire_after}{source}, beyond the maximum node age of {max_days} days"
                ),
            ),
            None if expire_after == "Never" => Finding::fail(
                resource,
                "expireAfter is Never: its nodes are never replaced for age",
            ),
            None => Finding::error(
                resource,
                format!("expireAfter {expire_after:?} is not a duration"),
            ),
        };
        findings.push(finding.with_evidence(evidence));
    }
    Ok(conclude(inv, nodes, findings, "no nodes were found"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Settings;
    use crate::checks::Status;
    use crate::checks::testkit::*;

    #[test]
    fn young_nodes_pass_old_ones_fail() {
        let mut inv = cluster_with_nodes(&["i-1", "i-2"]);
        inv.instances.data_mut()[1].launch_time = Some("2026-09-01T00:00:00Z".parse().unwrap());
        let findings = run(&CHECK, &inv);
        assert_eq!(statuses(&findings), [Status::Pass, Status::Fail]);
        assert!(
            findings[1]
                .message
                .contains("has run for 83 days (maximum 30)"),
            "{}",
            findings[1].message
        );
    }

    #[test]
    fn the_maximum_is_configurable() {
        let inv = cluster_with_nodes(&["i-1"]);
        let strict = Settings {
            node_max_age_days: 3,
            ..Settings::default()
        };
        assert_eq!(only(run_with(&CHECK, &inv, &strict)).status, Status::Fail);
    }

    #[test]
    fn unknown_launch_time_is_an_error_and_no_nodes_not_applicable() {
        let mut inv = cluster_with_nodes(&["i-1"]);
        inv.instances.data_mut()[0].launch_time = None;
        assert_eq!(only(run(&CHECK, &inv)).status, Status::Error);
        assert_eq!(only(run(&CHECK, &cluster())).status, Status::NotApplicable);
    }

    #[test]
    fn node_pools_are_judged_on_expire_after() {
        use crate::checks::testkit::k8s::{k8s, kube_cluster};
        use crate::inventory::k8s::NodePool;
        let pool = |name: &str, expire: Option<&str>| -> NodePool {
            let mut spec = serde_json::json!({"nodeClassRef": {"group": "karpenter.k8s.aws", "kind": "EC2NodeClass", "name": "default"}});
            if let Some(expire) = expire {
                spec["expireAfter"] = expire.into();
            }
            serde_json::from_value(
                serde_json::json!({"metadata": {"name": name}, "spec": {"template": {"spec": spec}}}),
            )
            .unwrap()
        };
        let mut inv = kube_cluster();
        k8s(&mut inv).node_pools = read(vec![
            pool("default", None),
            pool("weekly", Some("168h")),
            pool("forever", Some("Never")),
            pool("quarterly", Some("2160h")),
        ]);
        let findings = run(&CHECK, &inv);
        assert_eq!(about(&findings, "NodePool//default").status, Status::Pass);
        assert!(
            about(&findings, "NodePool//default")
                .message
                .contains("720h (Karpenter's default)")
        );
        assert_eq!(about(&findings, "NodePool//weekly").status, Status::Pass);
        assert_eq!(about(&findings, "NodePool//forever").status, Status::Fail);
        assert_eq!(about(&findings, "NodePool//quarterly").status, Status::Fail);
    }
}
