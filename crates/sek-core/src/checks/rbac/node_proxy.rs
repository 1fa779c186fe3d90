//! `rbac-node-proxy`: CIS EKS 1.8.0 4.1.10, "minimize access to the proxy sub-resource of Node objects".
//!
//! Each binding whose role allows it fails, naming the rules and the subjects; Kubernetes' and
//! EKS's own bindings are built-in exceptions.

use crate::checks::frameworks::{bp, cis18, nist};
use crate::checks::shared::k8s::{Access, judge_grants};
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Remediation, Severity};
use crate::inventory::k8s::resources::RBAC_READS;

/// The access this check looks for.
const ACCESS: Access = Access {
    verbs: &["get", "create", "update", "patch", "delete"],
    groups: &[""],
    resources: &["nodes/proxy"],
};

/// The check.
pub static CHECK: Check = Check {
    id: "rbac-node-proxy",
    aliases: &[],
    area: Area::Rbac,
    title: "Few bindings may use the nodes/proxy subresource",
    severity: Severity::High,
    refs: &[
        cis18("4.1.10"),
        nist("PR.AC-4"),
        bp("identity-and-access-management"),
    ],
    needs: RBAC_READS,
    rationale: "nodes/proxy reaches each kubelet's API through the API server: it runs commands in any pod of the \
node (exec, attach) and reads its configuration, outside the audit trail of pods/exec and without admission \
control.",
    remediation: Remediation {
        text: "Remove nodes/proxy from roles except monitoring agents that scrape kubelet metrics, and grant those \
only get.",
        cli: Some("kubectl auth can-i get nodes --subresource=proxy --as=<subject>"),
        terraform: None,
    },
    links: &["https://kubernetes.io/docs/concepts/security/rbac-good-practices/"],
    eval: Eval::Cluster(eval),
};

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    judge_grants(ctx, "access to nodes/proxy", ACCESS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::k8s::*;

    #[test]
    fn a_binding_granting_it_fails_a_wildcard_counts_a_narrower_rule_passes() {
        assert_judges_grants(
            &CHECK,
            rule(&[""], &["nodes/proxy"], &["get"]),
            rule(&[""], &["nodes"], &["get"]),
        );
    }
}
