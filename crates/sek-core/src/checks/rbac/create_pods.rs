//! `rbac-create-pods`: CIS EKS 4.1.4, "minimize access to create pods": bindings whose role may create pods or the
//! controllers that create them (Deployments, DaemonSets, StatefulSets, ReplicaSets, Jobs, CronJobs).
//!
//! Each binding whose role allows it fails, naming the rules and the subjects; Kubernetes' and
//! EKS's own bindings are built-in exceptions.

use crate::checks::frameworks::{bp, cis13, cis18, nist};
use crate::checks::shared::k8s::{Access, judge_grants};
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Remediation, Severity};
use crate::inventory::k8s::resources::RBAC_READS;

/// The access this check looks for.
const ACCESS: Access = Access {
    verbs: &["create"],
    groups: &["", "apps", "batch"],
    resources: &[
        "pods",
        "deployments",
        "daemonsets",
        "statefulsets",
        "replicasets",
        "jobs",
        "cronjobs",
    ],
};

/// The check.
pub static CHECK: Check = Check {
    id: "rbac-create-pods",
    aliases: &[],
    area: Area::Rbac,
    title: "Few bindings may create pods or workloads",
    severity: Severity::Medium,
    refs: &[
        cis13("4.1.4"),
        cis18("4.1.4"),
        nist("PR.AC-4"),
        bp("identity-and-access-management"),
    ],
    needs: RBAC_READS,
    rationale: "Whoever may create a pod may run it with any service account of the namespace, mount its Secrets \
and, unless admission forbids it, run it privileged on the host. Creating a Deployment or a Job creates pods, \
so those rights are the same right.",
    remediation: Remediation {
        text: "Limit create on pods and workload controllers to deployment pipelines and operators, in the \
namespaces they manage, and enforce Pod Security Admission so that created pods cannot escalate.",
        cli: Some("kubectl auth can-i create pods --as=<subject> -n <namespace>"),
        terraform: None,
    },
    links: &["https://kubernetes.io/docs/concepts/security/rbac-good-practices/"],
    eval: Eval::Cluster(eval),
};

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    judge_grants(ctx, "pod creation", ACCESS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::k8s::*;

    #[test]
    fn a_binding_granting_it_fails_a_wildcard_counts_a_narrower_rule_passes() {
        assert_judges_grants(
            &CHECK,
            rule(&["apps"], &["deployments"], &["create"]),
            rule(&["apps"], &["deployments"], &["get"]),
        );
    }
}
