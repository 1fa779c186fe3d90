//! `kubelet-rotate-certs`: CIS EKS 1.3.0 3.2.9 / 1.8.0 3.2.8, "--rotate-certificates is not present or is set to true".
//! In the configuration file the default is false, and configz omits a false value.

use crate::checks::frameworks::{bp, cis13, cis18, nist};
use crate::checks::kubelet::{KUBELET_READS, judge_kubelets, verdict};
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Remediation, Severity};

/// The check.
pub static CHECK: Check = Check {
    id: "kubelet-rotate-certs",
    aliases: &[],
    area: Area::Kubelet,
    title: "Kubelets rotate their client certificates",
    severity: Severity::Medium,
    refs: &[
        cis13("3.2.9"),
        cis18("3.2.8"),
        nist("PR.AC-1"),
        bp("protecting-the-infrastructure"),
    ],
    needs: KUBELET_READS,
    rationale: "Without rotation the kubelet's client certificate lives until it expires and nodes fall out of the \
cluster, or long-lived certificates are issued to avoid that; a stolen one stays valid for longer.",
    remediation: Remediation {
        text: "Set `rotateCertificates: true` in the kubelet configuration (EKS AMIs do).",
        cli: Some("kubectl get --raw /api/v1/nodes/<node>/proxy/configz"),
        terraform: None,
    },
    links: &["https://kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/"],
    eval: Eval::Cluster(eval),
};

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    judge_kubelets(ctx, |e| {
        verdict(
            e.rotate_certificates.value,
            "rotateCertificates",
            &e.rotate_certificates,
            "the kubelet renews its client certificate before it expires",
            "the kubelet's client certificate is not renewed: it expires, or is replaced by hand",
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
                c["rotateCertificates"] = json!(false);
            },
            "not renewed",
        );
    }
}
