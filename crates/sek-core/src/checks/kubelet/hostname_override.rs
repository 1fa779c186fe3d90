//! `kubelet-hostname-override`: CIS EKS 1.3.0 3.2.7, "--hostname-override is not set". The flag
//! is not in the kubelet's configuration; what is observable is its effect: a node whose name
//! differs from the hostname its kubelet reports.

use serde_json::json;

use crate::checks::frameworks::{bp, cis13, nist};
use crate::checks::kubelet::judge_nodes;
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Remediation, Severity, Status};
use crate::inventory::Need;
use crate::inventory::k8s::resources::NODES;

/// The check.
pub static CHECK: Check = Check {
    id: "kubelet-hostname-override",
    aliases: &[],
    area: Area::Kubelet,
    title: "Node names match their hosts' names (no hostname override)",
    severity: Severity::Low,
    refs: &[
        cis13("3.2.7"),
        nist("PR.AC-1"),
        bp("protecting-the-infrastructure"),
    ],
    needs: &[Need::Kubernetes(&NODES)],
    rationale: "An overridden hostname breaks the link between a node's TLS identity and its host: the \
kubelet's serving certificate may then not match the name the API server connects to, which pushes operators \
to disable certificate verification.",
    remediation: Remediation {
        text: "Remove --hostname-override from the kubelet's arguments (bootstrap or user data) and let the \
node register under its private DNS name.",
        cli: Some(
            "kubectl get nodes -o custom-columns=NAME:.metadata.name,HOSTNAME:.status.addresses[?(@.type==\"Hostname\")].address",
        ),
        terraform: None,
    },
    links: &["https://kubernetes.io/docs/reference/command-line-tools-reference/kubelet/"],
    eval: Eval::Cluster(eval),
};

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    judge_nodes(ctx, |node, _| {
        let evidence = json!({ "node": node.name, "hostname": node.hostname });
        Some(match &node.hostname {
            None => (
                Status::Manual,
                "the kubelet reports no Hostname address; check its arguments for --hostname-override".to_string(),
                evidence,
            ),
            Some(host) if host.eq_ignore_ascii_case(&node.name) => (
                Status::Pass,
                "the node is named after its host".to_string(),
                evidence,
            ),
            Some(host) => (
                Status::Fail,
                format!("the node's name differs from its host's name {host}: the kubelet runs with --hostname-override"),
                evidence,
            ),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::kubelet::*;
    use crate::checks::testkit::*;

    #[test]
    fn a_name_unlike_the_host_fails() {
        assert_eq!(statuses(&run(&CHECK, &with_nodes())), [Status::Pass; 3]);
        let mut inv = with_nodes();
        inv.kubernetes.got_mut().unwrap().nodes.got_mut().unwrap()[0].hostname =
            Some("worker-7".into());
        let findings = run(&CHECK, &inv);
        assert_eq!(findings[0].status, Status::Fail);
        assert!(findings[0].message.contains("worker-7"));
    }
}
