//! `pod-privileged`: CIS EKS 4.2.1, "minimize the admission of privileged containers".

use crate::checks::frameworks::{bp, cis13, cis18, nist};
use crate::checks::shared::k8s::{containers_where, judge_workloads};
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Remediation, Severity};
use crate::inventory::k8s::resources::WORKLOAD_READS;

/// The check.
pub static CHECK: Check = Check {
    id: "pod-privileged",
    aliases: &[],
    area: Area::Pod,
    title: "No container runs privileged",
    severity: Severity::High,
    refs: &[
        cis13("4.2.1"),
        cis18("4.2.1"),
        nist("PR.AC-4"),
        nist("PR.IP-1"),
        bp("pod-security"),
    ],
    needs: WORKLOAD_READS,
    rationale: "A privileged container has every capability and every device of the node, and AppArmor, \
seccomp and most namespacing are off: escaping to the node is a matter of mounting its disk. On EKS the node \
then gives its IAM role and every pod's service account tokens.",
    remediation: Remediation {
        text: "Remove `privileged: true`; grant the specific capability the workload needs instead, and enforce \
the baseline Pod Security Standard on the namespace.",
        cli: Some(
            "kubectl get pods -A -o json | jq -r '.items[] | select(.spec.containers[].securityContext.privileged) | .metadata.namespace + \"/\" + .metadata.name'",
        ),
        terraform: None,
    },
    links: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/"],
    eval: Eval::Cluster(eval),
};

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    judge_workloads(ctx, "no container runs privileged", |w| {
        Some(containers_where(&w.spec, |c| {
            c.security_context
                .as_ref()?
                .privileged
                .filter(|p| *p)
                .map(|_| "runs privileged".to_string())
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
                first_container_context(w).privileged = Some(true);
            },
            "container api: runs privileged",
        );
    }

    #[test]
    fn the_aws_components_are_built_in_exceptions() {
        assert_aws_node_is_not_failed(&CHECK);
    }
}
