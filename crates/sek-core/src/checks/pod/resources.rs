//! `pod-resources`: The checklist's resource limits: every container and init container sets `limits.cpu` and
//! `limits.memory` (ephemeral containers cannot).

use crate::checks::frameworks::{bp, nist};
use crate::checks::shared::k8s::judge_workloads;
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Remediation, Severity};
use crate::inventory::k8s::resources::WORKLOAD_READS;

/// The check.
pub static CHECK: Check = Check {
    id: "pod-resources",
    aliases: &[],
    area: Area::Pod,
    title: "Containers have CPU and memory limits",
    severity: Severity::Low,
    refs: &[nist("PR.DS-4"), bp("pod-security")],
    needs: WORKLOAD_READS,
    rationale: "A container without limits can take the node's memory or CPU: a leak or a compromised process \
starves its neighbours and the kubelet, and out-of-memory kills spread to other workloads (denial of service).",
    remediation: Remediation {
        text: "Set `resources.limits.cpu` and `resources.limits.memory` on every container, or a LimitRange with \
defaults in each namespace.",
        cli: None,
        terraform: None,
    },
    links: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/"],
    eval: Eval::Cluster(eval),
};

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    judge_workloads(ctx, "every container has CPU and memory limits", |w| {
        Some(
            w.spec
                .containers
                .iter()
                .map(|c| ("container", c))
                .chain(w.spec.init_containers.iter().map(|c| ("init container", c)))
                .filter_map(|(kind, c)| {
                    let limits = c.resources.as_ref().map(|r| &r.limits);
                    let missing: Vec<&str> = ["cpu", "memory"]
                        .into_iter()
                        .filter(|k| !limits.is_some_and(|l| l.contains_key(*k)))
                        .collect();
                    (!missing.is_empty())
                        .then(|| format!("{kind} {}: no {} limit", c.name, missing.join(" or ")))
                })
                .collect(),
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
                w.spec.containers[0].resources = None;
            },
            "no cpu or memory limit",
        );
    }
}
