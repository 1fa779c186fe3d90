//! `rbac-cluster-admin`: CIS EKS 4.1.1, "the cluster-admin role is only used where required".
//!
//! Every binding of the `cluster-admin` ClusterRole fails, naming its subjects; the default
//! binding to `system:masters` is a built-in exception (who reaches that group is
//! `rbac-system-masters`' and `access-entries-admin`'s question).

use crate::checks::frameworks::{bp, cis13, cis18, nist};
use crate::checks::shared::k8s::{Grant, judge_bindings};
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Remediation, Severity};
use crate::inventory::k8s::resources::RBAC_READS;

/// The check.
pub static CHECK: Check = Check {
    id: "rbac-cluster-admin",
    aliases: &[],
    area: Area::Rbac,
    title: "The cluster-admin role is bound only where required",
    severity: Severity::High,
    refs: &[
        cis13("4.1.1"),
        cis18("4.1.1"),
        nist("PR.AC-4"),
        bp("identity-and-access-management"),
    ],
    needs: RBAC_READS,
    rationale: "cluster-admin allows every action on every resource, Secrets and RBAC included: whoever \
holds it can take over the cluster and, through service account tokens and IRSA roles, reach AWS. Each \
binding to it is a standing path to full control that should exist only where nothing narrower works.",
    remediation: Remediation {
        text: "Replace cluster-admin bindings with Roles or ClusterRoles limited to the resources and verbs \
the subject needs, bound in the namespaces it works in; keep break-glass admin access in EKS access \
entries with a narrow scope.",
        cli: Some("kubectl get clusterrolebindings,rolebindings -A -o wide | grep cluster-admin"),
        terraform: None,
    },
    links: &["https://kubernetes.io/docs/concepts/security/rbac-good-practices/"],
    eval: Eval::Cluster(eval),
};

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    judge_bindings(ctx, "cluster-admin", |view, binding| {
        let role = view.role_of(binding)?;
        (binding.role_ref.kind == "ClusterRole" && binding.role_ref.name == "cluster-admin")
            .then(|| Grant::new(role, vec!["every verb on every resource".to_string()]))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Status;
    use crate::checks::testkit::k8s::*;
    use crate::checks::testkit::*;

    #[test]
    fn only_the_default_binding_passes_as_a_built_in_exception() {
        let findings = run(&CHECK, &kube_cluster());
        assert_eq!(statuses(&findings), [Status::Waived]);
        assert!(
            findings[0]
                .waiver
                .as_ref()
                .unwrap()
                .reason
                .contains("default binding")
        );
    }

    #[test]
    fn a_user_bound_to_cluster_admin_fails_naming_the_subject() {
        let mut inv = kube_cluster();
        k8s(&mut inv).role_bindings.got_mut().unwrap().push(binding(
            "web",
            "ops-admin",
            "ClusterRole/cluster-admin",
            &["User:alice", "ServiceAccount:web/deployer"],
        ));
        let findings = run(&CHECK, &inv);
        let finding = about(&findings, "RoleBinding/web/ops-admin");
        assert_eq!(finding.status, Status::Fail);
        assert!(
            finding.message.contains("User:alice"),
            "{}",
            finding.message
        );
        assert!(finding.message.contains("ServiceAccount:web/deployer"));
    }

    #[test]
    fn unreadable_bindings_are_an_error_naming_the_read() {
        let mut inv = kube_cluster();
        k8s_denied(&mut inv, crate::inventory::k8s::resources::ROLE_BINDINGS);
        let finding = only(run(&CHECK, &inv));
        assert_eq!(finding.status, Status::Error);
        assert!(
            finding.message.contains("rolebindings"),
            "{}",
            finding.message
        );
    }

    #[test]
    fn without_the_kubernetes_side_it_is_an_error_saying_how_to_get_it() {
        let finding = only(run(&CHECK, &cluster()));
        assert_eq!(finding.status, Status::Error);
        assert!(
            finding.message.contains("scan the cluster live"),
            "{}",
            finding.message
        );
    }
}
