//! `service-network-policy`: something enforces Kubernetes NetworkPolicies: the VPC CNI add-on with
//! network policy turned on, or Calico or Cilium.
//!
//! The VPC CNI alone does not enforce NetworkPolicy objects: without an enforcer they are accepted
//! and ignored. A cluster security group is not a substitute, and never makes this pass. Calico
//! and Cilium run inside the cluster; when sek has no Kubernetes data it says so (`manual`)
//! rather than guessing. EKS Auto Mode enforces them itself once its network policy controller is
//! on (a kube-system ConfigMap sek does not read): `manual`, saying where to look.

use serde_json::{Value, json};

use crate::checks::frameworks::{bp, cis13, cis18, nist};
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Finding, Remediation, Severity, Status};
use crate::inventory::aws;

/// The check.
pub static CHECK: Check = Check {
    id: "service-network-policy",
    aliases: &[],
    area: Area::Service,
    title: "Kubernetes network policies are enforced",
    severity: Severity::Medium,
    refs: &[
        cis13("4.3.1"),
        cis13("5.4.4"),
        cis18("4.3.1"),
        cis18("5.4.4"),
        nist("PR.AC-5"),
        bp("network-security"),
    ],
    needs: &[
        aws("eks:DescribeCluster"),
        aws("eks:ListAddons"),
        aws("eks:DescribeAddon"),
    ],
    rationale: "By default every pod can reach every other pod and service in the cluster. NetworkPolicies \
segment that traffic, but only when a policy engine enforces them; with the VPC CNI alone they are silently \
ignored, so a namespace that looks isolated is not. The VPC CNI add-on's configuration values are read as \
JSON or YAML, as EKS accepts both.",
    remediation: Remediation {
        text: "Turn on network policy in the VPC CNI add-on (enableNetworkPolicy), or run Calico or Cilium as \
the policy engine, then add default-deny policies per namespace.",
        cli: Some(
            "aws eks update-addon --cluster-name <cluster> --addon-name vpc-cni --configuration-values '{\"enableNetworkPolicy\": \"true\"}'",
        ),
        terraform: Some(
            "cluster_addons = { vpc-cni = { configuration_values = jsonencode({ enableNetworkPolicy = \"true\" }) } }",
        ),
    },
    links: &["https://docs.aws.amazon.com/eks/latest/userguide/cni-network-policy.html"],
    eval: Eval::Cluster(eval),
};

/// Whether VPC CNI configuration values turn network policy on (`"true"` or `true`). EKS takes
/// add-on configuration values as JSON or YAML
/// (<https://docs.aws.amazon.com/eks/latest/userguide/eks-add-ons.html>); JSON is YAML, so one
/// YAML parser reads both.
fn vpc_cni_enforces(configuration: &str) -> bool {
    serde_saphyr::from_str::<Value>(configuration)
        .ok()
        .and_then(|v| v.get("enableNetworkPolicy").cloned())
        .is_some_and(|v| v == json!("true") || v == json!(true))
}

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    let inv = ctx.inventory;
    let arn = inv.arn();
    let addons = inv.addons()?;
    let vpc_cni = addons.iter().find(|a| a.name == "vpc-cni");
    let enforced = vpc_cni
        .and_then(|a| a.configuration_values.as_deref())
        .is_some_and(vpc_cni_enforces);
    let evidence = json!({
        "vpc_cni_addon": vpc_cni.map(|a| &a.name),
        "vpc_cni_configuration": vpc_cni.and_then(|a| a.configuration_values.as_deref()),
    });
    let finding = if enforced {
        Finding::pass(
            arn,
            "the VPC CNI add-on enforces network policies (enableNetworkPolicy)",
        )
    } else if vpc_cni.is_none() && inv.control_plane().is_ok_and(|c| c.auto_mode_compute()) {
        Finding::new(
            Status::Manual,
            arn,
            "EKS Auto Mode enforces network policies once its network policy controller is on: confirm \
`enable-network-policy-controller: \"true\"` in the kube-system/amazon-vpc-cni ConfigMap (and each \
NodeClass's `networkPolicy` default)",
        )
    } else {
        let why = match vpc_cni {
            Some(_) => {
                "the VPC CNI add-on does not enforce network policies (enableNetworkPolicy is off)"
            }
            None => {
                "the VPC CNI is not managed as an add-on, so its network policy setting is not visible"
            }
        };
        Finding::new(
            Status::Manual,
            arn,
            format!(
                "{why}; confirm Calico or Cilium enforces them, or turn VPC CNI network policy on"
            ),
        )
    };
    Ok(vec![finding.with_evidence(evidence)])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::*;

    #[test]
    fn vpc_cni_with_network_policy_passes() {
        assert_eq!(only(run(&CHECK, &cluster())).status, Status::Pass);
        assert!(vpc_cni_enforces(r#"{"enableNetworkPolicy": true}"#));
        assert!(!vpc_cni_enforces(r#"{"enableNetworkPolicy": "false"}"#));
    }

    #[test]
    fn configuration_values_are_read_as_json_or_yaml() {
        assert!(vpc_cni_enforces(r#"{"enableNetworkPolicy": "true"}"#));
        assert!(vpc_cni_enforces(r#"{"enableNetworkPolicy": true}"#));
        assert!(vpc_cni_enforces("enableNetworkPolicy: \"true\"\n"));
        assert!(vpc_cni_enforces(
            "env:\n  WARM_IP_TARGET: \"5\"\nenableNetworkPolicy: true\n"
        ));
        assert!(!vpc_cni_enforces("enableNetworkPolicy: \"false\"\n"));
        assert!(!vpc_cni_enforces("{}"));
        assert!(!vpc_cni_enforces("not: [valid"));
    }

    #[test]
    fn without_it_the_cluster_security_group_does_not_make_it_pass() {
        let mut inv = cluster();
        inv.addons.got_mut().unwrap()[0].configuration_values = None;
        let finding = only(run(&CHECK, &inv));
        assert_eq!(finding.status, Status::Manual);
        assert!(finding.message.contains("enableNetworkPolicy is off"));
        inv.addons = read(vec![]);
        assert_eq!(only(run(&CHECK, &inv)).status, Status::Manual);
    }

    #[test]
    fn unread_addons_are_an_error() {
        let mut inv = cluster();
        inv.addons = Read::Failed(denied("eks:ListAddons", &["prod"]));
        assert_eq!(only(run(&CHECK, &inv)).status, Status::Error);
    }

    #[test]
    fn auto_mode_is_told_where_its_enforcement_is_switched_on() {
        let mut inv = cluster();
        inv.addons = read(vec![]);
        inv.cluster.got_mut().unwrap().auto_mode = Some(crate::inventory::AutoMode {
            compute: true,
            ..Default::default()
        });
        let finding = only(run(&CHECK, &inv));
        assert_eq!(finding.status, Status::Manual);
        assert!(
            finding.message.contains("enable-network-policy-controller"),
            "{}",
            finding.message
        );
    }
}
