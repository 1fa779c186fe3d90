//! `rbac-token-create`: CIS EKS 1.8.0 4.1.12, "minimize access to the service account token creation".
//!
//! Each binding whose role allows it fails, naming the rules and the subjects; Kubernetes' and
//! EKS's own bindings are built-in exceptions.

use crate::checks::frameworks::{bp, cis18, nist};
use crate::checks::shared::k8s::{Access, judge_grants};
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Remediation, Severity};
use crate::inventory::k8s::resources::RBAC_READS;

/// The access this check looks for.
const ACCESS: Access = Access {
    verbs: &["create"],
    groups: &[""],
    resources: &["serviceaccounts/token"],
};

/// The check.
pub static CHECK: Check = Check {
    id: "rbac-token-create",
    aliases: &[],
    area: Area::Rbac,
    title: "Few bindings may create service account tokens",
    severity: Severity::Medium,
    refs: &[
        cis18("4.1.12"),
        nist("PR.AC-4"),
        bp("identity-and-access-management"),
    ],
    needs: RBAC_READS,
    rationale: "Creating a token for a service account is acting as it: its RBAC roles and, through IRSA, its IAM \
role. A subject allowed to create tokens in a namespace holds the union of every service account there.",
    remediation: Remediation {
        text: "Remove create on serviceaccounts/token except for the components that mint tokens (the kubelet, \
identity brokers).",
        cli: Some("kubectl auth can-i create serviceaccounts --subresource=token --as=<subject>"),
        terraform: None,
    },
    links: &["https://kubernetes.io/docs/concepts/security/rbac-good-practices/"],
    eval: Eval::Cluster(eval),
};

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    judge_grants(ctx, "service account token creation", ACCESS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::k8s::*;

    #[test]
    fn a_binding_granting_it_fails_a_wildcard_counts_a_narrower_rule_passes() {
        assert_judges_grants(
            &CHECK,
            rule(&[""], &["serviceaccounts/token"], &["create"]),
            rule(&[""], &["serviceaccounts"], &["get"]),
        );
    }
}
