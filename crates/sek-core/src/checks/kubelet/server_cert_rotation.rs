//! `kubelet-server-cert-rotation`: CIS EKS 1.3.0 3.2.10 / 1.8.0 3.2.9, "RotateKubeletServerCertificate is set to true" (a feature
//! gate, on by default since Kubernetes 1.12). `serverTLSBootstrap` is shown as evidence.

use crate::checks::frameworks::{bp, cis13, cis18, nist};
use crate::checks::kubelet::{KUBELET_READS, judge_kubelets, verdict};
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Remediation, Severity};

/// The check.
pub static CHECK: Check = Check {
    id: "kubelet-server-cert-rotation",
    aliases: &[],
    area: Area::Kubelet,
    title: "Kubelets rotate their serving certificates",
    severity: Severity::Medium,
    refs: &[
        cis13("3.2.10"),
        cis18("3.2.9"),
        nist("PR.AC-1"),
        nist("PR.DS-2"),
        bp("protecting-the-infrastructure"),
    ],
    needs: KUBELET_READS,
    rationale: "The kubelet's serving certificate secures the API server's connections to it (exec, logs). Not \
rotated, it expires or is made long-lived, and a leaked key stays useful.",
    remediation: Remediation {
        text: "Leave the RotateKubeletServerCertificate feature gate on (its default) and set \
`serverTLSBootstrap: true` so serving certificates are signed by the cluster.",
        cli: Some("kubectl get --raw /api/v1/nodes/<node>/proxy/configz"),
        terraform: None,
    },
    links: &["https://kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/"],
    eval: Eval::Cluster(eval),
};

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    judge_kubelets(ctx, |e| {
        let (status, message, mut evidence) = verdict(
            e.rotate_server_certificates.value,
            "featureGates.RotateKubeletServerCertificate",
            &e.rotate_server_certificates,
            "the kubelet renews its serving certificate",
            "the kubelet's serving certificate is never renewed",
        );
        evidence["serverTLSBootstrap"] = e.server_tls_bootstrap.evidence();
        (status, message, evidence)
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
                c["featureGates"]["RotateKubeletServerCertificate"] = json!(false);
            },
            "never renewed",
        );
    }
}
