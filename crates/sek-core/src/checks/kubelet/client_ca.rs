//! `kubelet-client-ca`: CIS EKS 3.2.3, "a client CA file is configured" (`authentication.x509.clientCAFile`).

use crate::checks::frameworks::{bp, cis13, cis18, nist};
use crate::checks::kubelet::{KUBELET_READS, judge_kubelets, verdict};
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Remediation, Severity};

/// The check.
pub static CHECK: Check = Check {
    id: "kubelet-client-ca",
    aliases: &[],
    area: Area::Kubelet,
    title: "Kubelets verify client certificates against a CA",
    severity: Severity::Medium,
    refs: &[
        cis13("3.2.3"),
        cis18("3.2.3"),
        nist("PR.AC-7"),
        bp("protecting-the-infrastructure"),
    ],
    needs: KUBELET_READS,
    rationale: "The API server calls kubelets with a client certificate; without a client CA the kubelet cannot \
authenticate it, and certificate-based authentication of callers is off.",
    remediation: Remediation {
        text: "Set `authentication.x509.clientCAFile` to the cluster CA (`/etc/kubernetes/pki/ca.crt` on EKS AMIs).",
        cli: Some("kubectl get --raw /api/v1/nodes/<node>/proxy/configz"),
        terraform: None,
    },
    links: &["https://kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/"],
    eval: Eval::Cluster(eval),
};

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    judge_kubelets(ctx, |e| {
        verdict(
            !e.client_ca_file.value.is_empty(),
            "authentication.x509.clientCAFile",
            &e.client_ca_file,
            "client certificates are verified",
            "client certificates cannot be verified, so the API server's own calls are not authenticated by certificate",
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
            |c| c["authentication"]["x509"] = json!({}),
            "cannot be verified",
        );
    }
}
