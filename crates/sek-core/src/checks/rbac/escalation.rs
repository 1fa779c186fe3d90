//! `rbac-escalation`: CIS EKS 4.1.8, "limit use of the bind, impersonate and escalate
//! permissions".
//!
//! `bind` and `escalate` on roles let a subject grant itself what it does not have;
//! `impersonate` on users, groups or service accounts lets it act as them.

use crate::checks::frameworks::{bp, cis13, cis18, nist};
use crate::checks::shared::k8s::{Access, Grant, describe_rule, judge_bindings};
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Remediation, Severity};
use crate::inventory::k8s::resources::RBAC_READS;

/// Granting oneself more through roles.
const BIND_OR_ESCALATE: Access = Access {
    verbs: &["bind", "escalate"],
    groups: &["rbac.authorization.k8s.io"],
    resources: &["roles", "clusterroles"],
};

/// Acting as someone else.
const IMPERSONATE: Access = Access {
    verbs: &["impersonate"],
    groups: &["", "authentication.k8s.io"],
    resources: &["users", "groups", "serviceaccounts", "userextras", "uids"],
};

/// The check.
pub static CHECK: Check = Check {
    id: "rbac-escalation",
    aliases: &[],
    area: Area::Rbac,
    title: "Few bindings may bind, escalate or impersonate",
    severity: Severity::High,
    refs: &[
        cis13("4.1.8"),
        cis18("4.1.8"),
        nist("PR.AC-4"),
        bp("identity-and-access-management"),
    ],
    needs: RBAC_READS,
    rationale: "RBAC stops a subject from granting permissions it lacks, unless it holds `escalate` (edit roles \
beyond its own rights) or `bind` (bind roles it does not hold). `impersonate` lets it send requests as any user, \
group or service account. Each is a path from a limited account to cluster-admin.",
    remediation: Remediation {
        text: "Remove bind, escalate and impersonate from every role that does not manage RBAC for a living \
(cluster administrators, GitOps controllers); restrict them with resourceNames where they are needed.",
        cli: Some("kubectl auth can-i impersonate users --as=<subject>"),
        terraform: None,
    },
    links: &[
        "https://kubernetes.io/docs/concepts/security/rbac-good-practices/#privilege-escalation-risks",
    ],
    eval: Eval::Cluster(eval),
};

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    judge_bindings(ctx, "bind, escalate or impersonate", |view, binding| {
        let role = view.role_of(binding)?;
        let rules: Vec<String> = role
            .rules
            .iter()
            .filter(|r| BIND_OR_ESCALATE.allowed_by(r) || IMPERSONATE.allowed_by(r))
            .map(describe_rule)
            .collect();
        (!rules.is_empty()).then(|| Grant::new(role, rules))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::k8s::*;
    use crate::checks::testkit::*;
    use crate::checks::{Finding, Status};

    fn with_rule(rule: crate::inventory::k8s::PolicyRule) -> Vec<Finding> {
        let mut inv = kube_cluster();
        let k8s = k8s(&mut inv);
        k8s.roles
            .got_mut()
            .unwrap()
            .push(role("", "power", vec![rule]));
        k8s.role_bindings.got_mut().unwrap().push(binding(
            "",
            "power",
            "ClusterRole/power",
            &["User:bob"],
        ));
        run(&CHECK, &inv)
    }

    #[test]
    fn impersonation_and_escalation_fail() {
        let f = with_rule(rule(&[""], &["users"], &["impersonate"]));
        assert_eq!(about(&f, "ClusterRoleBinding//power").status, Status::Fail);
        let f = with_rule(rule(
            &["rbac.authorization.k8s.io"],
            &["clusterroles"],
            &["escalate"],
        ));
        assert_eq!(about(&f, "ClusterRoleBinding//power").status, Status::Fail);
    }

    #[test]
    fn managing_roles_without_escalate_or_bind_passes() {
        let f = with_rule(rule(
            &["rbac.authorization.k8s.io"],
            &["roles"],
            &["create", "update"],
        ));
        assert!(f.iter().all(|x| x.status != Status::Fail), "{f:#?}");
    }
}
