//! `pod-root`: CIS EKS 1.3.0 4.2.6, "minimize the admission of root containers".
//!
//! A container passes with `runAsNonRoot: true` or a non-zero `runAsUser`, its own or the pod's;
//! with neither, the image decides, and most images run as root.

use crate::checks::frameworks::{bp, cis13, nist};
use crate::checks::shared::k8s::{containers_where, effective, judge_workloads};
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Remediation, Severity};
use crate::inventory::k8s::resources::WORKLOAD_READS;

/// The check.
pub static CHECK: Check = Check {
    id: "pod-root",
    aliases: &[],
    area: Area::Pod,
    title: "Containers run as a non-root user",
    severity: Severity::Medium,
    refs: &[
        cis13("4.2.6"),
        nist("PR.AC-4"),
        nist("PR.IP-1"),
        bp("pod-security"),
    ],
    needs: WORKLOAD_READS,
    rationale: "Root in a container is root on the node's kernel: a kernel or runtime escape, or a writable \
hostPath, hands the node over; and root owns every file in the container image.",
    remediation: Remediation {
        text: "Build images with a non-root USER and set `runAsNonRoot: true` (and a `runAsUser`) in the pod's \
securityContext.",
        cli: None,
        terraform: None,
    },
    links: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/"],
    eval: Eval::Cluster(eval),
};

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    judge_workloads(ctx, "every container runs as a non-root user", |w| {
        Some(containers_where(&w.spec, |c| {
            let user = effective(&w.spec, c, |s| s.run_as_user);
            let non_root = effective(&w.spec, c, |s| s.run_as_non_root);
            match (user, non_root) {
                (Some(0), _) => Some("runs as UID 0 (runAsUser: 0)".to_string()),
                (Some(_), _) | (None, Some(true)) => None,
                _ => Some(
                    "may run as root: neither runAsNonRoot: true nor a non-zero runAsUser is set"
                        .to_string(),
                ),
            }
        }))
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
                w.spec.security_context = None;
            },
            "may run as root",
        );
    }

    #[test]
    fn the_aws_components_are_built_in_exceptions() {
        assert_aws_node_is_not_failed(&CHECK);
    }
}
