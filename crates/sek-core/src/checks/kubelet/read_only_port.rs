//! `kubelet-read-only-port`: CIS EKS 3.2.4, "the --read-only-port is disabled" (`readOnlyPort: 0`; configz omits 0).

use crate::checks::frameworks::{bp, cis13, cis18, nist};
use crate::checks::kubelet::{KUBELET_READS, judge_kubelets, verdict};
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Remediation, Severity};

/// The check.
pub static CHECK: Check = Check {
    id: "kubelet-read-only-port",
    aliases: &[],
    area: Area::Kubelet,
    title: "The kubelet read-only port is off",
    severity: Severity::Medium,
    refs: &[
        cis13("3.2.4"),
        cis18("3.2.4"),
        nist("PR.AC-3"),
        nist("PR.DS-5"),
        bp("protecting-the-infrastructure"),
    ],
    needs: KUBELET_READS,
    rationale: "The read-only port (10255) answers without authentication or authorization: pod specs with their \
environment variables, node and container metrics, to anyone who reaches the node.",
    remediation: Remediation {
        text: "Set `readOnlyPort: 0` in the kubelet configuration.",
        cli: Some("kubectl get --raw /api/v1/nodes/<node>/proxy/configz"),
        terraform: None,
    },
    links: &["https://kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/"],
    eval: Eval::Cluster(eval),
};

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    judge_kubelets(ctx, |e| {
        verdict(
            e.read_only_port.value == 0,
            "readOnlyPort",
            &e.read_only_port,
            "the unauthenticated read-only port is off",
            "the kubelet serves pod specs, environment and metrics without authentication on this port",
        )
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::checks::testkit::kubelet::*;

    #[test]
    fn every_os_family_passes_and_a_kubelet_configured_otherwise_fails() {
        assert_every_os_family_passes(&CHECK);
        assert_fails_when(
            &CHECK,
            |c| {
                c["readOnlyPort"] = json!(10255);
            },
            "without authentication",
        );
    }
}
