//! `kubelet-pod-pids-limit`: kubelets cap the processes a pod may run (CIS Kubernetes 4.2.13;
//! not in the CIS EKS benchmark). The kubelet's default, -1, is no limit: a fork bomb in one pod
//! exhausts the node's PIDs and takes its neighbours and the kubelet down with it.

use crate::checks::frameworks::{bp, nist};
use crate::checks::kubelet::{KUBELET_READS, judge_kubelets, verdict};
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Remediation, Severity};

/// The check.
pub static CHECK: Check = Check {
    id: "kubelet-pod-pids-limit",
    aliases: &[],
    area: Area::Kubelet,
    title: "Kubelets limit the processes a pod may run",
    severity: Severity::Low,
    refs: &[nist("PR.DS-4"), bp("protecting-the-infrastructure")],
    needs: KUBELET_READS,
    rationale: "Process IDs are a node-wide resource that CPU and memory limits do not bound. Without \
podPidsLimit one pod (a fork bomb, a leaking worker) can use every PID on the node, after which no container, \
probe or the kubelet itself can start a process.",
    remediation: Remediation {
        text: "Set `podPidsLimit` to a value that fits the workloads (for example 4096) in the kubelet \
configuration (nodeadm's `kubelet.config` on AL2023, `settings.kubernetes.pod-pids-limit` on Bottlerocket).",
        cli: Some("kubectl get --raw /api/v1/nodes/<node>/proxy/configz"),
        terraform: None,
    },
    links: &[
        "https://kubernetes.io/docs/concepts/policy/pid-limiting/",
        "https://kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/",
    ],
    eval: Eval::Cluster(eval),
};

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    judge_kubelets(ctx, |e| {
        verdict(
            e.pod_pids_limit.value > 0,
            "podPidsLimit",
            &e.pod_pids_limit,
            "a pod cannot exhaust the node's process IDs",
            "no limit: one pod can exhaust the node's process IDs",
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
    fn the_unlimited_default_fails_and_a_positive_limit_passes() {
        let findings = run(&CHECK, &with_nodes());
        assert_eq!(statuses(&findings), [Status::Fail; 3]);
        assert!(
            findings[0].message.contains("-1 (kubelet default)"),
            "{}",
            findings[0].message
        );
        let limited = with_al2023(|c| c["podPidsLimit"] = json!(4096));
        assert_eq!(run(&CHECK, &limited)[0].status, Status::Pass);
        assert_fails_when(&CHECK, |c| c["podPidsLimit"] = json!(-1), "no limit");
    }
}
