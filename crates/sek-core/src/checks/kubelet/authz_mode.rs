//! `kubelet-authz-mode`: CIS EKS 3.2.2, "--authorization-mode is not set to AlwaysAllow": the mode is Webhook.

use crate::checks::frameworks::{bp, cis13, cis18, nist};
use crate::checks::kubelet::{KUBELET_READS, judge_kubelets, verdict};
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Remediation, Severity};

/// The check.
pub static CHECK: Check = Check {
    id: "kubelet-authz-mode",
    aliases: &[],
    area: Area::Kubelet,
    title: "Kubelets authorize requests through the API server (Webhook)",
    severity: Severity::High,
    refs: &[
        cis13("3.2.2"),
        cis18("3.2.2"),
        nist("PR.AC-4"),
        bp("protecting-the-infrastructure"),
    ],
    needs: KUBELET_READS,
    rationale: "In AlwaysAllow mode any authenticated caller (any service account token, any node) may exec into pods, \
read logs and port-forward through the kubelet API of the node, bypassing RBAC.",
    remediation: Remediation {
        text: "Set `authorization.mode: Webhook` (and `authentication.webhook.enabled: true`) in the kubelet \
configuration.",
        cli: Some("kubectl get --raw /api/v1/nodes/<node>/proxy/configz"),
        terraform: None,
    },
    links: &["https://kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/"],
    eval: Eval::Cluster(eval),
};

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    judge_kubelets(ctx, |e| {
        verdict(
            e.authorization_mode.value == "Webhook",
            "authorization.mode",
            &e.authorization_mode,
            "every kubelet API request is authorized by the API server (SubjectAccessReview)",
            "requests that authenticate are allowed without an authorization decision",
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
                c["authorization"]["mode"] = json!("AlwaysAllow");
            },
            "without an authorization decision",
        );
    }
}
