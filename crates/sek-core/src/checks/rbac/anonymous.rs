//! `rbac-anonymous`: no binding grants anything to `system:anonymous` or
//! `system:unauthenticated`, the identities of requests without credentials.
//!
//! Kubernetes' own `system:public-info-viewer` binding (health and version endpoints only) is a
//! built-in exception.

use crate::checks::frameworks::{bp, nist};
use crate::checks::shared::k8s::{describe_rule, exempt, judge_bindings};
use crate::checks::{Area, Check, Ctx, Finding, Remediation, Scope, Severity, Status};
use crate::inventory::k8s::resources::{
    CLUSTER_ROLE_BINDINGS, CLUSTER_ROLES, ROLE_BINDINGS, ROLES,
};

/// The identities of unauthenticated requests.
const ANONYMOUS: &[&str] = &["system:anonymous", "system:unauthenticated"];

/// The check.
pub static CHECK: Check = Check {
    id: "rbac-anonymous",
    aliases: &[],
    area: Area::Rbac,
    title: "Nothing is granted to anonymous or unauthenticated requests",
    severity: Severity::Critical,
    refs: &[
        nist("PR.AC-1"),
        nist("PR.AC-4"),
        bp("identity-and-access-management"),
    ],
    needs: &[ROLES, CLUSTER_ROLES, ROLE_BINDINGS, CLUSTER_ROLE_BINDINGS],
    rationale: "EKS API servers accept anonymous requests and map them to system:anonymous in group \
system:unauthenticated. Whatever is bound to those names is open to anyone who can reach the endpoint, \
which for a public endpoint is the internet.",
    remediation: Remediation {
        text: "Delete bindings to system:anonymous and system:unauthenticated (except Kubernetes' \
system:public-info-viewer), and make the cluster endpoint private.",
        cli: Some(
            "kubectl get clusterrolebindings,rolebindings -A -o json | jq '.items[] | select(.subjects[]?.name | test(\"system:(anonymous|unauthenticated)\"))'",
        ),
        terraform: None,
    },
    links: &[
        "https://kubernetes.io/docs/reference/access-authn-authz/authentication/#anonymous-requests",
    ],
    scope: Scope::Cluster,
    eval,
};

fn eval(ctx: &Ctx<'_>) -> Vec<Finding> {
    let findings = judge_bindings(ctx, "access to anonymous requests", |view, binding| {
        let role = view.role_of(binding)?;
        binding
            .subjects
            .iter()
            .any(|s| ANONYMOUS.contains(&s.name.as_str()))
            .then(|| (role, role.rules.iter().map(describe_rule).collect()))
    });
    findings
        .into_iter()
        .map(|f| {
            if f.status == Status::Fail && f.resource.ends_with("/system:public-info-viewer") {
                exempt(
                    f,
                    "Kubernetes default: unauthenticated callers may read /healthz, /livez, /readyz and /version only",
                )
            } else {
                f
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::*;
    use crate::checks::testkit_k8s::*;

    #[test]
    fn the_public_info_viewer_is_an_exception_and_other_grants_fail() {
        let mut inv = kube_cluster();
        let k8s = k8s(&mut inv);
        k8s.roles.as_mut().unwrap().push(role(
            "",
            "system:public-info-viewer",
            vec![rule(&[], &[], &["get"])],
        ));
        k8s.role_bindings.as_mut().unwrap().extend([
            binding(
                "",
                "system:public-info-viewer",
                "ClusterRole/system:public-info-viewer",
                &["Group:system:authenticated", "Group:system:unauthenticated"],
            ),
            binding(
                "",
                "open-view",
                "ClusterRole/view",
                &["User:system:anonymous"],
            ),
        ]);
        let findings = run(&CHECK, &inv);
        assert_eq!(
            about(&findings, "ClusterRoleBinding//system:public-info-viewer").status,
            Status::Waived
        );
        let open = about(&findings, "ClusterRoleBinding//open-view");
        assert_eq!(open.status, Status::Fail);
        assert!(
            open.message.contains("User:system:anonymous"),
            "{}",
            open.message
        );
    }

    #[test]
    fn no_anonymous_binding_passes() {
        let findings = run(&CHECK, &kube_cluster());
        assert_eq!(statuses(&findings), [Status::Pass]);
    }
}
