//! `rbac-webhooks`: CIS EKS 1.8.0 4.1.11, "minimize access to webhook configuration objects".
//!
//! Each binding whose role allows it fails, naming the rules and the subjects; Kubernetes' and
//! EKS's own bindings are built-in exceptions.

use crate::checks::frameworks::{bp, cis18, nist};
use crate::checks::shared::k8s::{Access, judge_grants};
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Remediation, Severity};
use crate::inventory::k8s::resources::RBAC_READS;

/// The access this check looks for.
const ACCESS: Access = Access {
    verbs: &["create", "update", "patch", "delete"],
    groups: &["admissionregistration.k8s.io"],
    resources: &[
        "validatingwebhookconfigurations",
        "mutatingwebhookconfigurations",
    ],
};

/// The check.
pub static CHECK: Check = Check {
    id: "rbac-webhooks",
    aliases: &[],
    area: Area::Rbac,
    title: "Few bindings may change admission webhook configurations",
    severity: Severity::Medium,
    refs: &[
        cis18("4.1.11"),
        nist("PR.AC-4"),
        bp("identity-and-access-management"),
    ],
    needs: RBAC_READS,
    rationale: "Admission webhooks see and may rewrite every object sent to the API server, Secrets included. \
Whoever may change them can switch off a policy engine or register a webhook that injects containers into \
every new pod.",
    remediation: Remediation {
        text: "Grant write access to webhook configurations only to the controllers that own them (policy engines, \
cert-manager) and to cluster administrators.",
        cli: Some("kubectl auth can-i create mutatingwebhookconfigurations --as=<subject>"),
        terraform: None,
    },
    links: &["https://kubernetes.io/docs/concepts/security/rbac-good-practices/"],
    eval: Eval::Cluster(eval),
};

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    judge_grants(ctx, "changes to admission webhooks", ACCESS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::k8s::*;

    #[test]
    fn a_binding_granting_it_fails_a_wildcard_counts_a_narrower_rule_passes() {
        assert_judges_grants(
            &CHECK,
            rule(
                &["admissionregistration.k8s.io"],
                &["mutatingwebhookconfigurations"],
                &["patch"],
            ),
            rule(
                &["admissionregistration.k8s.io"],
                &["mutatingwebhookconfigurations"],
                &["list"],
            ),
        );
    }
}
