//! `pod-host-pid`: CIS EKS 4.2.2, "minimize the admission of containers wishing to share the host process ID
//! namespace".

use crate::checks::frameworks::{bp, cis13, cis18, nist};
use crate::checks::shared::k8s::{judge_workloads, problem_if};
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Remediation, Severity};
use crate::inventory::k8s::resources::WORKLOAD_READS;

/// The check.
pub static CHECK: Check = Check {
    id: "pod-host-pid",
    aliases: &[],
    area: Area::Pod,
    title: "No pod shares the node's process namespace",
    severity: Severity::High,
    refs: &[
        cis13("4.2.2"),
        cis18("4.2.2"),
        nist("PR.AC-4"),
        nist("PR.IP-1"),
        bp("pod-security"),
    ],
    needs: WORKLOAD_READS,
    rationale: "With hostPID a container sees every process of the node, reads their environment (credentials \
included) through /proc and, with ptrace, can inject code into them.",
    remediation: Remediation {
        text: "Remove `hostPID: true` from the pod spec; debug node processes with `kubectl debug node/...` \
when needed, for a limited time.",
        cli: Some(
            "kubectl get pods -A -o json | jq -r '.items[] | select(.spec.hostPID) | .metadata.namespace + \"/\" + .metadata.name'",
        ),
        terraform: None,
    },
    links: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/"],
    eval: Eval::Cluster(eval),
};

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    judge_workloads(ctx, "does not share the node's PID namespace", |w| {
        problem_if(
            w.spec.host_pid,
            "shares the node's PID namespace (hostPID: true)",
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
                w.spec.host_pid = true;
            },
            "hostPID",
        );
    }
}
