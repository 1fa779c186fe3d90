//! `kubelet-anonymous-auth`: CIS EKS 3.2.1, "anonymous auth is not enabled" (`authentication.anonymous.enabled`).

use crate::checks::frameworks::{bp, cis13, cis18, nist};
use crate::checks::kubelet::{KUBELET_READS, judge_kubelets, verdict};
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Remediation, Severity};

/// The check.
pub static CHECK: Check = Check {
    id: "kubelet-anonymous-auth",
    aliases: &[],
    area: Area::Kubelet,
    title: "Kubelets refuse anonymous requests",
    severity: Severity::High,
    refs: &[
        cis13("3.2.1"),
        cis18("3.2.1"),
        nist("PR.AC-1"),
        nist("PR.AC-7"),
        bp("protecting-the-infrastructure"),
    ],
    needs: KUBELET_READS,
    rationale: "With anonymous authentication on, anyone who reaches a node on port 10250 is system:anonymous to \
the kubelet API; combined with a permissive authorization mode that is command execution in every pod of the \
node.",
    remediation: Remediation {
        text: "Set `authentication.anonymous.enabled: false` in the kubelet configuration (the EKS AMIs do); with \
Bottlerocket or custom AMIs, in the node's user data or settings.",
        cli: Some("kubectl get --raw /api/v1/nodes/<node>/proxy/configz"),
        terraform: None,
    },
    links: &["https://kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/"],
    eval: Eval::Cluster(eval),
};

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    judge_kubelets(ctx, |e| {
        verdict(
            !e.anonymous_auth.value,
            "authentication.anonymous.enabled",
            &e.anonymous_auth,
            "anonymous requests are refused",
            "the kubelet API answers unauthenticated requests",
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
                c["authentication"]["anonymous"]["enabled"] = json!(true);
            },
            "answers unauthenticated requests",
        );
    }
}
