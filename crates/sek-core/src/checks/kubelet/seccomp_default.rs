//! `kubelet-seccomp-default`: kubelets give containers that ask for no seccomp profile the
//! runtime's default one (`seccompDefault`, GA in Kubernetes 1.27) rather than none. Off by
//! default; `pod-seccomp` judges the profiles pods ask for, this check the node's fallback.

use crate::checks::frameworks::{bp, nist};
use crate::checks::kubelet::{KUBELET_READS, judge_kubelets, verdict};
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Remediation, Severity};

/// The check.
pub static CHECK: Check = Check {
    id: "kubelet-seccomp-default",
    aliases: &[],
    area: Area::Kubelet,
    title: "Kubelets apply the runtime's default seccomp profile",
    severity: Severity::Low,
    refs: &[nist("PR.IP-1"), nist("PR.AC-4"), bp("pod-security")],
    needs: KUBELET_READS,
    rationale: "Kubernetes runs containers Unconfined unless a pod asks for a seccomp profile, and most do not. \
With seccompDefault the kubelet applies the container runtime's default profile instead, blocking the rarely \
needed system calls kernel exploits and container escapes rely on, for every workload on the node.",
    remediation: Remediation {
        text: "Set `seccompDefault: true` in the kubelet configuration (nodeadm's `kubelet.config` on AL2023, \
`settings.kubernetes.seccomp-default` on Bottlerocket); test workloads first, a few need `Unconfined`.",
        cli: Some("kubectl get --raw /api/v1/nodes/<node>/proxy/configz"),
        terraform: None,
    },
    links: &[
        "https://kubernetes.io/docs/tutorials/security/seccomp/#enable-the-use-of-runtimedefault-as-the-default-seccomp-profile-for-all-workloads",
    ],
    eval: Eval::Cluster(eval),
};

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    judge_kubelets(ctx, |e| {
        verdict(
            e.seccomp_default.value,
            "seccompDefault",
            &e.seccomp_default,
            "containers without a profile run under the runtime's default one",
            "containers that ask for no seccomp profile run Unconfined",
        )
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::checks::Status;
    use crate::checks::testkit::kubelet::*;
    use crate::checks::testkit::{run, statuses};

    #[test]
    fn off_by_default_fails_and_on_passes() {
        let findings = run(&CHECK, &with_nodes());
        assert_eq!(statuses(&findings), [Status::Fail; 3]);
        assert!(
            findings[0].message.contains("false (kubelet default)"),
            "{}",
            findings[0].message
        );
        let on = with_al2023(|c| c["seccompDefault"] = json!(true));
        assert_eq!(run(&CHECK, &on)[0].status, Status::Pass);
        assert_fails_when(&CHECK, |c| c["seccompDefault"] = json!(false), "Unconfined");
    }
}
