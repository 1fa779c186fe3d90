//! `rbac-secrets`: CIS EKS 4.1.2, "minimize access to secrets": bindings whose role may get, list or watch Secrets.
//!
//! Each binding whose role allows it fails, naming the rules and the subjects; Kubernetes' and
//! EKS's own bindings are built-in exceptions.

use crate::checks::frameworks::{bp, cis13, cis18, nist};
use crate::checks::shared::k8s::{Access, judge_grants};
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Remediation, Severity};
use crate::inventory::k8s::resources::RBAC_READS;

/// The access this check looks for.
const ACCESS: Access = Access {
    verbs: &["get", "list", "watch"],
    groups: &[""],
    resources: &["secrets"],
};

/// The check.
pub static CHECK: Check = Check {
    id: "rbac-secrets",
    aliases: &[],
    area: Area::Rbac,
    title: "Few bindings may read Secrets",
    severity: Severity::High,
    refs: &[
        cis13("4.1.2"),
        cis18("4.1.2"),
        nist("PR.AC-4"),
        bp("identity-and-access-management"),
    ],
    needs: RBAC_READS,
    rationale: "A subject that may read Secrets holds every credential stored in them: service account tokens, \
database passwords, TLS keys. `list` and `watch` return the values too, so read access to Secrets is as strong \
as the strongest credential in scope.",
    remediation: Remediation {
        text: "Remove get, list and watch on secrets from roles that do not need them; where a workload needs one \
Secret, grant get with resourceNames, in its namespace only, or mount it instead.",
        cli: Some("kubectl auth can-i --list --as=<subject> | grep secrets"),
        terraform: None,
    },
    links: &["https://kubernetes.io/docs/concepts/security/rbac-good-practices/"],
    eval: Eval::Cluster(eval),
};

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    judge_grants(ctx, "read access to Secrets", ACCESS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::k8s::*;

    #[test]
    fn a_binding_granting_it_fails_a_wildcard_counts_a_narrower_rule_passes() {
        assert_judges_grants(
            &CHECK,
            rule(&[""], &["secrets"], &["list"]),
            rule(&[""], &["configmaps"], &["list"]),
        );
    }
}
