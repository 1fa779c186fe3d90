//! `kubelet-protect-kernel-defaults`: kubelets refuse to run when kernel tunables differ from
//! what they expect (`protectKernelDefaults`). The CIS EKS 1.3.0 benchmark text recommends it;
//! the EKS-optimized Amazon Linux AMIs leave it off, so off is `manual` (review how kernel
//! settings are managed), not a failure.

use serde_json::json;

use crate::checks::frameworks::{bp, nist};
use crate::checks::kubelet::{KUBELET_READS, judge_kubelets};
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Remediation, Severity, Status};

/// The check.
pub static CHECK: Check = Check {
    id: "kubelet-protect-kernel-defaults",
    aliases: &[],
    area: Area::Kubelet,
    title: "Kubelets protect the kernel defaults they depend on",
    severity: Severity::Low,
    refs: &[nist("PR.IP-1"), bp("protecting-the-infrastructure")],
    needs: KUBELET_READS,
    rationale: "With protectKernelDefaults the kubelet fails to start when kernel tunables (overcommit, panic \
behaviour) differ from its expectations, instead of silently modifying them; nodes then keep the hardened \
kernel settings an image or a CIS-hardened AMI set.",
    remediation: Remediation {
        text: "Set `protectKernelDefaults: true` once the node image sets the kernel parameters the kubelet \
expects (Bottlerocket and AL2023 nodeadm do).",
        cli: Some("kubectl get --raw /api/v1/nodes/<node>/proxy/configz"),
        terraform: None,
    },
    links: &["https://kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/"],
    eval: Eval::Cluster(eval),
};

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    judge_kubelets(ctx, |e| {
        let setting = &e.protect_kernel_defaults;
        let evidence = json!({ "protectKernelDefaults": setting.evidence() });
        if setting.value {
            (
                Status::Pass,
                "protectKernelDefaults is true".to_string(),
                evidence,
            )
        } else {
            (
                Status::Manual,
                format!(
                    "protectKernelDefaults is false{}: review how this node's kernel parameters are managed",
                    if setting.default {
                        " (kubelet default)"
                    } else {
                        ""
                    }
                ),
                evidence,
            )
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::kubelet::*;
    use crate::checks::testkit::*;

    #[test]
    fn off_by_default_is_for_review_not_a_failure() {
        let findings = run(&CHECK, &with_nodes());
        // AL2023 and Bottlerocket set it; AL2 does not.
        assert_eq!(
            statuses(&findings),
            [Status::Pass, Status::Manual, Status::Pass]
        );
        assert!(
            findings[1].message.contains("kubelet default"),
            "{}",
            findings[1].message
        );
    }
}
