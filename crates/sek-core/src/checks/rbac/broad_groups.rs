//! `rbac-broad-groups`: the groups every caller (or every service account) is in —
//! `system:authenticated`, `system:unauthenticated`, `system:serviceaccounts` and
//! `system:serviceaccounts:<namespace>` — are granted no more than discovery.
//!
//! Kubernetes binds discovery roles to them by default (`system:discovery`, `system:basic-user`,
//! `system:public-info-viewer`, `system:service-account-issuer-discovery`). Those are judged by
//! the rules of the role, not by its name: a default-named role that grants more fails.

use crate::checks::frameworks::{bp, nist};
use crate::checks::shared::k8s::{BROAD_GROUPS, Grant, describe_rule, judge_bindings};
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Remediation, Severity};
use crate::inventory::k8s::resources::RBAC_READS;
use crate::inventory::k8s::{PolicyRule, Subject};

/// The check.
pub static CHECK: Check = Check {
    id: "rbac-broad-groups",
    aliases: &[],
    area: Area::Rbac,
    title: "Groups that include everyone are granted only discovery",
    severity: Severity::High,
    refs: &[
        nist("PR.AC-1"),
        nist("PR.AC-4"),
        bp("identity-and-access-management"),
    ],
    needs: RBAC_READS,
    rationale: "Every IAM principal the cluster maps, every pod's service account and (for \
system:unauthenticated) anyone who reaches the endpoint is in these groups. A permission granted to them \
is granted to the least trusted workload in the cluster, so a compromise of any pod inherits it.",
    remediation: Remediation {
        text: "Bind the permission to the specific users, groups or service accounts that need it and \
delete the binding to the broad group; keep the broad groups to Kubernetes' discovery roles.",
        cli: Some(
            "kubectl get clusterrolebindings,rolebindings -A -o json | jq '.items[] | select(.subjects[]?.name | test(\"^system:(authenticated|unauthenticated|serviceaccounts)\"))'",
        ),
        terraform: None,
    },
    links: &[
        "https://kubernetes.io/docs/reference/access-authn-authz/rbac/#default-roles-and-role-bindings",
    ],
    eval: Eval::Cluster(eval),
};

/// Non-resource URLs Kubernetes' default discovery roles open (a trailing `*` matches below).
const DISCOVERY_URLS: &[&str] = &[
    "/api",
    "/api/*",
    "/apis",
    "/apis/*",
    "/healthz",
    "/livez",
    "/readyz",
    "/version",
    "/version/",
    "/openapi",
    "/openapi/*",
    "/.well-known/openid-configuration",
    "/.well-known/openid-configuration/",
    "/openid/v1/jwks",
    "/openid/v1/jwks/",
];

/// The self-review resources `system:basic-user` lets everyone create (what may I do, who am I).
const SELF_REVIEWS: &[&str] = &[
    "selfsubjectaccessreviews",
    "selfsubjectrulesreviews",
    "selfsubjectreviews",
];

/// Whether `rule` grants no more than Kubernetes' default discovery roles do.
fn discovery_only(rule: &PolicyRule) -> bool {
    let reads = rule.verbs.iter().all(|v| v == "get");
    if rule.resources.is_empty() {
        return reads
            && !rule.non_resource_urls.is_empty()
            && rule
                .non_resource_urls
                .iter()
                .all(|url| DISCOVERY_URLS.contains(&url.as_str()));
    }
    rule.non_resource_urls.is_empty()
        && rule.verbs.iter().all(|v| v == "create")
        && rule
            .api_groups
            .iter()
            .all(|g| g == "authorization.k8s.io" || g == "authentication.k8s.io")
        && rule
            .resources
            .iter()
            .all(|r| SELF_REVIEWS.contains(&r.as_str()))
}

fn broad(subject: &Subject) -> bool {
    subject.kind == "Group"
        && (BROAD_GROUPS.contains(&subject.name.as_str())
            || subject.name.starts_with("system:serviceaccounts:"))
}

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    judge_bindings(
        ctx,
        "more than discovery to a group that includes everyone",
        |view, binding| {
            if !binding.subjects.iter().any(broad) {
                return None;
            }
            let role = view.role_of(binding)?;
            let rules: Vec<String> = role
                .rules
                .iter()
                .filter(|rule| !discovery_only(rule))
                .map(describe_rule)
                .collect();
            (!rules.is_empty()).then(|| Grant::new(role, rules))
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Status;
    use crate::checks::testkit::k8s::*;
    use crate::checks::testkit::{about, run};

    fn bound_to(
        group: &str,
        rules: Vec<PolicyRule>,
        role_name: &str,
    ) -> crate::inventory::ClusterInventory {
        let mut inv = kube_cluster();
        let k8s = k8s(&mut inv);
        k8s.roles.data_mut().push(role("", role_name, rules));
        k8s.role_bindings.got_mut().unwrap().push(binding(
            "",
            role_name,
            &format!("ClusterRole/{role_name}"),
            &[&format!("Group:{group}")],
        ));
        inv
    }

    fn url_rule(urls: &[&str]) -> PolicyRule {
        PolicyRule {
            verbs: vec!["get".into()],
            non_resource_urls: urls.iter().map(|u| u.to_string()).collect(),
            ..PolicyRule::default()
        }
    }

    #[test]
    fn the_default_discovery_roles_pass_by_their_rules() {
        let discovery = url_rule(&["/api", "/api/*", "/apis", "/apis/*", "/healthz", "/version"]);
        let mut basic = rule(
            &["authorization.k8s.io"],
            &["selfsubjectaccessreviews", "selfsubjectrulesreviews"],
            &["create"],
        );
        basic.api_groups = vec!["authorization.k8s.io".into()];
        let inv = bound_to(
            "system:authenticated",
            vec![discovery, basic],
            "system:discovery",
        );
        let findings = run(&CHECK, &inv);
        assert!(
            findings.iter().all(|f| f.status == Status::Pass),
            "{findings:#?}"
        );
    }

    #[test]
    fn more_than_discovery_fails_even_under_a_default_name() {
        for group in [
            "system:authenticated",
            "system:serviceaccounts",
            "system:serviceaccounts:web",
        ] {
            let inv = bound_to(
                group,
                vec![
                    url_rule(&["/version"]),
                    rule(&[""], &["configmaps"], &["get", "list"]),
                ],
                "system:discovery",
            );
            let findings = run(&CHECK, &inv);
            let finding = about(&findings, "ClusterRoleBinding//system:discovery");
            assert_eq!(finding.status, Status::Fail, "{group}");
            assert!(
                finding.message.contains("configmaps"),
                "{}",
                finding.message
            );
            assert!(!finding.message.contains("/version"), "{}", finding.message);
        }
        // A URL beyond discovery (the metrics endpoint) fails too.
        let inv = bound_to(
            "system:authenticated",
            vec![url_rule(&["/metrics"])],
            "metrics-for-all",
        );
        assert_eq!(
            about(&run(&CHECK, &inv), "ClusterRoleBinding//metrics-for-all").status,
            Status::Fail
        );
    }

    #[test]
    fn a_user_or_narrow_group_is_not_this_checks_business() {
        let inv = bound_to("web-devs", vec![rule(&["*"], &["*"], &["*"])], "devs");
        assert!(run(&CHECK, &inv).iter().all(|f| f.status == Status::Pass));
    }
}
