//! `pod-host-network`: CIS EKS 4.2.4, "minimize the admission of containers wishing to share the host network
//! namespace". AWS components (the VPC CNI, kube-proxy) need it and are built-in exceptions.

use crate::checks::frameworks::{bp, cis13, cis18, nist};
use crate::checks::shared::k8s::{judge_workloads, problem_if};
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Remediation, Severity};
use crate::inventory::k8s::resources::WORKLOAD_READS;

/// The check.
pub static CHECK: Check = Check {
    id: "pod-host-network",
    aliases: &[],
    area: Area::Pod,
    title: "No pod shares the node's network namespace",
    severity: Severity::High,
    refs: &[
        cis13("4.2.4"),
        cis18("4.2.4"),
        nist("PR.AC-4"),
        nist("PR.AC-5"),
        bp("pod-security"),
    ],
    needs: WORKLOAD_READS,
    rationale: "A pod on the host network bypasses network policies, listens on the node's addresses, can \
reach services bound to localhost on the node, and reaches the instance metadata service as the node, hop \
limit or not: it can take the node's IAM role.",
    remediation: Remediation {
        text: "Remove `hostNetwork: true`; expose the workload through a Service, and keep host networking to \
node agents that need it.",
        cli: Some(
            "kubectl get pods -A -o json | jq -r '.items[] | select(.spec.hostNetwork) | .metadata.namespace + \"/\" + .metadata.name'",
        ),
        terraform: None,
    },
    links: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/"],
    eval: Eval::Cluster(eval),
};

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    judge_workloads(ctx, "does not use the node's network", |w| {
        problem_if(
            w.spec.host_network,
            "uses the node's network namespace (hostNetwork: true)",
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
                w.spec.host_network = true;
            },
            "hostNetwork",
        );
    }

    #[test]
    fn the_aws_components_are_built_in_exceptions() {
        assert_aws_node_is_not_failed(&CHECK);
    }
}
