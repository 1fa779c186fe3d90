//! `pod-privilege-escalation`: CIS EKS 4.2.5, "minimize the admission of containers with allowPrivilegeEscalation".
//!
//! Unset means allowed (the Linux default), so only an explicit `false` passes.

use crate::checks::frameworks::{bp, cis13, cis18, nist};
use crate::checks::shared::k8s::{containers_where, judge_workloads};
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Remediation, Severity};
use crate::inventory::k8s::resources::WORKLOAD_READS;

/// The check.
pub static CHECK: Check = Check {
    id: "pod-privilege-escalation",
    aliases: &[],
    area: Area::Pod,
    title: "Containers set allowPrivilegeEscalation to false",
    severity: Severity::Medium,
    refs: &[
        cis13("4.2.5"),
        cis18("4.2.5"),
        nist("PR.AC-4"),
        nist("PR.IP-1"),
        bp("pod-security"),
    ],
    needs: WORKLOAD_READS,
    rationale: "Without `allowPrivilegeEscalation: false` (no_new_privs) a process can gain privileges through \
setuid binaries or file capabilities in the image, turning a foothold as a user into root in the container.",
    remediation: Remediation {
        text: "Set `securityContext.allowPrivilegeEscalation: false` on every container (the restricted Pod \
Security Standard requires it).",
        cli: None,
        terraform: None,
    },
    links: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/"],
    eval: Eval::Cluster(eval),
};

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    judge_workloads(
        ctx,
        "every container sets allowPrivilegeEscalation: false",
        |w| {
            Some(containers_where(&w.spec, |c| {
                let sc = c.security_context.as_ref();
                if sc.and_then(|s| s.privileged) == Some(true) {
                    Some("privileged, which always allows privilege escalation".to_string())
                } else if sc.and_then(|s| s.allow_privilege_escalation) != Some(false) {
                    Some(
                        "allowPrivilegeEscalation is not false (setuid binaries can gain root)"
                            .to_string(),
                    )
                } else {
                    None
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
                first_container_context(w).allow_privilege_escalation = None;
            },
            "allowPrivilegeEscalation is not false",
        );
    }

    #[test]
    fn the_aws_components_are_built_in_exceptions() {
        assert_aws_node_is_not_failed(&CHECK);
    }
}
