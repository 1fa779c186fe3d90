//! `rbac-anonymous`: no binding grants anything to `system:anonymous` or
//! `system:unauthenticated`, the identities of requests without credentials.
//!
//! A binding whose role only reads the health and version endpoints (what Kubernetes' own
//! `system:public-info-viewer` grants) is a built-in exception, judged by the role's rules, not
//! by the binding's name.

use crate::checks::frameworks::{bp, nist};
use crate::checks::shared::k8s::{Grant, describe_rule, judge_bindings};
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Remediation, Severity};
use crate::inventory::k8s::Role;
use crate::inventory::k8s::resources::RBAC_READS;

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
    needs: RBAC_READS,
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
    eval: Eval::Cluster(eval),
};

/// The endpoints Kubernetes opens to unauthenticated callers by default.
const PUBLIC_INFO: &[&str] = &["/healthz", "/livez", "/readyz", "/version"];

/// Whether a role only lets callers read the public health and version endpoints (what
/// Kubernetes' `system:public-info-viewer` grants): judged by what it grants, not its name.
fn only_public_info(role: &Role) -> bool {
    role.rules.iter().all(|rule| {
        rule.resources.is_empty()
            && rule.verbs.iter().all(|v| v == "get")
            && !rule.non_resource_urls.is_empty()
            && rule.non_resource_urls.iter().all(|url| {
                PUBLIC_INFO.iter().any(|public| {
                    url == public
                        || url
                            .strip_prefix(public)
                            .is_some_and(|rest| rest.starts_with('/'))
                })
            })
    })
}

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    judge_bindings(ctx, "access to anonymous requests", |view, binding| {
        let role = view.role_of(binding)?;
        binding
            .subjects
            .iter()
            .any(|s| ANONYMOUS.contains(&s.name.as_str()))
            .then(|| Grant {
                role,
                rules: role.rules.iter().map(describe_rule).collect(),
                exemption: only_public_info(role).then_some(
                    "Kubernetes default: unauthenticated callers may read /healthz, /livez, /readyz and /version only",
                ),
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Status;
    use crate::checks::testkit::k8s::*;
    use crate::checks::testkit::*;

    #[test]
    fn the_public_info_viewer_is_an_exception_and_other_grants_fail() {
        let mut inv = kube_cluster();
        let k8s = k8s(&mut inv);
        let mut public = rule(&[], &[], &["get"]);
        public.non_resource_urls = ["/healthz", "/livez", "/readyz", "/version", "/version/"]
            .map(String::from)
            .to_vec();
        k8s.roles
            .got_mut()
            .unwrap()
            .push(role("", "system:public-info-viewer", vec![public]));
        k8s.role_bindings.got_mut().unwrap().extend([
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

        // The name is no exception: a public-info-viewer role widened to Secrets fails.
        let roles = inv.kubernetes.got_mut().unwrap().roles.got_mut().unwrap();
        let public = roles
            .iter_mut()
            .find(|r| r.metadata.name == "system:public-info-viewer");
        public
            .unwrap()
            .rules
            .push(rule(&[""], &["secrets"], &["get"]));
        let findings = run(&CHECK, &inv);
        assert_eq!(
            about(&findings, "ClusterRoleBinding//system:public-info-viewer").status,
            Status::Fail
        );
    }

    #[test]
    fn no_anonymous_binding_passes() {
        let findings = run(&CHECK, &kube_cluster());
        assert_eq!(statuses(&findings), [Status::Pass]);
    }
}
