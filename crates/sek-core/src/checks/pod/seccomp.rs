//! `pod-seccomp`: EKS best practices: containers run with the RuntimeDefault (or a Localhost) seccomp profile,
//! set on the container or the pod; unset means Unconfined on containerd.

use crate::checks::frameworks::{bp, nist};
use crate::checks::shared::k8s::{containers_where, effective, judge_workloads};
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Remediation, Severity};
use crate::inventory::k8s::resources::WORKLOAD_READS;

/// The check.
pub static CHECK: Check = Check {
    id: "pod-seccomp",
    aliases: &[],
    area: Area::Pod,
    title: "Containers run with a seccomp profile",
    severity: Severity::Low,
    refs: &[nist("PR.IP-1"), nist("PR.AC-4"), bp("pod-security")],
    needs: WORKLOAD_READS,
    rationale: "seccomp filters the system calls a container may make; the runtime's default profile blocks \
about forty rarely needed ones that kernel exploits and container escapes rely on. Kubernetes does not apply it \
unless asked.",
    remediation: Remediation {
        text: "Set `securityContext.seccompProfile.type: RuntimeDefault` on the pod (or enable the kubelet's \
seccompDefault).",
        cli: None,
        terraform: None,
    },
    links: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/"],
    eval: Eval::Cluster(eval),
};

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    judge_workloads(
        ctx,
        "every container has a RuntimeDefault or Localhost seccomp profile",
        |w| {
            Some(containers_where(&w.spec, |c| {
                match effective(&w.spec, c, |s| {
                    s.seccomp_profile.as_ref().map(|p| p.kind.clone())
                })
                .as_deref()
                {
                    Some("RuntimeDefault" | "Localhost") => None,
                    Some(other) => Some(format!("seccomp profile {other}")),
                    None => Some("no seccomp profile (runs Unconfined)".to_string()),
                }
            }))
        },
    )
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
                w.spec.security_context.as_mut().unwrap().seccomp_profile = None;
            },
            "no seccomp profile",
        );
    }

    #[test]
    fn the_aws_components_are_built_in_exceptions() {
        assert_aws_node_is_not_failed(&CHECK);
    }
}
