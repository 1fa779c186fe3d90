//! `pod-readonly-rootfs`: EKS best practices: `readOnlyRootFilesystem: true` on every container.

use crate::checks::frameworks::{bp, nist};
use crate::checks::shared::k8s::{containers_where, judge_workloads};
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Remediation, Severity};
use crate::inventory::k8s::resources::WORKLOAD_READS;

/// The check.
pub static CHECK: Check = Check {
    id: "pod-readonly-rootfs",
    aliases: &[],
    area: Area::Pod,
    title: "Containers have a read-only root filesystem",
    severity: Severity::Low,
    refs: &[nist("PR.IP-1"), nist("PR.DS-6"), bp("pod-security")],
    needs: WORKLOAD_READS,
    rationale: "A writable root filesystem lets an intruder drop tools and binaries and alter the application \
itself; read-only, the container stays what the image says, and writable scratch space is explicit (emptyDir).",
    remediation: Remediation {
        text: "Set `securityContext.readOnlyRootFilesystem: true` and mount emptyDir volumes where the \
application writes (/tmp, caches).",
        cli: None,
        terraform: None,
    },
    links: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/"],
    eval: Eval::Cluster(eval),
};

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    judge_workloads(
        ctx,
        "every container has a read-only root filesystem",
        |w| {
            Some(containers_where(&w.spec, |c| {
                (c.security_context
                    .as_ref()
                    .and_then(|s| s.read_only_root_filesystem)
                    != Some(true))
                .then(|| "root filesystem is writable".to_string())
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
                first_container_context(w).read_only_root_filesystem = Some(false);
            },
            "root filesystem is writable",
        );
    }

    #[test]
    fn the_aws_components_are_built_in_exceptions() {
        assert_aws_node_is_not_failed(&CHECK);
    }
}
