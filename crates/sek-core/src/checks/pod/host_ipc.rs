//! `pod-host-ipc`: CIS EKS 4.2.3, "minimize the admission of containers wishing to share the host IPC namespace".

use crate::checks::frameworks::{bp, cis13, cis18, nist};
use crate::checks::shared::k8s::{judge_workloads, problem_if};
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Remediation, Severity};
use crate::inventory::k8s::resources::WORKLOAD_READS;

/// The check.
pub static CHECK: Check = Check {
    id: "pod-host-ipc",
    aliases: &[],
    area: Area::Pod,
    title: "No pod shares the node's IPC namespace",
    severity: Severity::High,
    refs: &[
        cis13("4.2.3"),
        cis18("4.2.3"),
        nist("PR.AC-4"),
        nist("PR.IP-1"),
        bp("pod-security"),
    ],
    needs: WORKLOAD_READS,
    rationale: "With hostIPC a container can read and write the shared memory and message queues of every \
process on the node, which leaks data between workloads and can corrupt node services.",
    remediation: Remediation {
        text: "Remove `hostIPC: true` from the pod spec.",
        cli: Some(
            "kubectl get pods -A -o json | jq -r '.items[] | select(.spec.hostIPC) | .metadata.namespace + \"/\" + .metadata.name'",
        ),
        terraform: None,
    },
    links: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/"],
    eval: Eval::Cluster(eval),
};

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    judge_workloads(ctx, "does not share the node's IPC namespace", |w| {
        problem_if(
            w.spec.host_ipc,
            "shares the node's IPC namespace (hostIPC: true)",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::k8s::*;

    #[test]
    fn the_hardened_workload_passes() {
        assert_hardened_workload_passes(&CHECK);
    }

    #[test]
    fn the_workload_fails_saying_why() {
        assert_api_fails_when(
            &CHECK,
            |w| {
                w.spec.host_ipc = true;
            },
            "hostIPC",
        );
    }
}
