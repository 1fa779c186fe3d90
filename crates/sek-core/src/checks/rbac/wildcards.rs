//! `rbac-wildcards`: CIS EKS 4.1.3, "minimize wildcard use in Roles and ClusterRoles".
//!
//! Judged per role, bound or not (a role unbound today is bound tomorrow): a rule with `*` in
//! its verbs, resources or API groups fails. Kubernetes' and EKS's default roles are built-in
//! exceptions.

use serde_json::json;

use crate::checks::frameworks::{bp, cis13, cis18, nist};
use crate::checks::shared::k8s::{describe_rule, exempt, kubernetes, managed_role, reference};
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Finding, Remediation, Severity};
use crate::inventory::Need;
use crate::inventory::k8s::PolicyRule;
use crate::inventory::k8s::resources::{CLUSTER_ROLES, ROLES};

/// The check.
pub static CHECK: Check = Check {
    id: "rbac-wildcards",
    aliases: &[],
    area: Area::Rbac,
    title: "Roles and ClusterRoles name their verbs, resources and API groups",
    severity: Severity::Medium,
    refs: &[
        cis13("4.1.3"),
        cis18("4.1.3"),
        nist("PR.AC-4"),
        bp("identity-and-access-management"),
    ],
    needs: &[Need::Kubernetes(&ROLES), Need::Kubernetes(&CLUSTER_ROLES)],
    rationale: "A `*` grants every current and future verb, resource or API group: a role written for \
Deployments silently covers Secrets, and a CRD installed later (with its own sensitive objects) is covered \
the day it appears. Least privilege needs the list spelled out.",
    remediation: Remediation {
        text: "Replace `*` in roles with the verbs, resources and API groups the subject uses (`kubectl \
auth can-i --list` on the subject shows what it has; audit logs show what it uses).",
        cli: Some(
            "kubectl get roles,clusterroles -A -o json | jq '.items[] | select(.rules[]? | (.verbs + .resources + .apiGroups) | index(\"*\"))'",
        ),
        terraform: None,
    },
    links: &["https://kubernetes.io/docs/concepts/security/rbac-good-practices/"],
    eval: Eval::Cluster(eval),
};

fn has_wildcard(rule: &PolicyRule) -> bool {
    [&rule.verbs, &rule.resources, &rule.api_groups]
        .iter()
        .any(|list| list.iter().any(|v| v == "*"))
}

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    let view = kubernetes(ctx)?;
    let roles = view.inventory.roles()?;
    let findings: Vec<Finding> = roles
        .iter()
        .filter(|role| !view.excludes(&role.metadata.namespace))
        .filter_map(|role| {
            let rules: Vec<String> = role
                .rules
                .iter()
                .filter(|r| has_wildcard(r))
                .map(describe_rule)
                .collect();
            if rules.is_empty() {
                return None;
            }
            let finding = Finding::fail(
                reference(&role.kind, &role.metadata),
                format!("uses wildcards: {}", rules.join("; ")),
            )
            .with_evidence(json!({ "rules": rules }));
            Some(exempt(finding, managed_role(role)))
        })
        .collect();
    if findings.is_empty() {
        return Ok(vec![Finding::pass(
            ctx.inventory.arn(),
            format!("none of the {} roles uses a wildcard", roles.len()),
        )]);
    }
    Ok(findings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Status;
    use crate::checks::testkit::k8s::*;
    use crate::checks::testkit::*;

    #[test]
    fn roles_of_excluded_namespaces_are_left_out() {
        let mut inv = kube_cluster();
        k8s(&mut inv).roles.got_mut().unwrap().push(role(
            "sandbox-1",
            "anything",
            vec![rule(&["*"], &["*"], &["*"])],
        ));
        let settings = crate::checks::Settings {
            excluded_namespaces: vec!["sandbox-*".into()],
            ..Default::default()
        };
        let findings = run_with(&CHECK, &inv, &settings);
        assert!(findings.iter().all(|f| !f.resource.contains("sandbox-1")));
        assert!(
            run(&CHECK, &inv)
                .iter()
                .any(|f| f.resource.contains("sandbox-1"))
        );
    }

    #[test]
    fn cluster_admin_is_a_built_in_exception() {
        let findings = run(&CHECK, &kube_cluster());
        assert_eq!(statuses(&findings), [Status::Waived]);
    }

    #[test]
    fn a_custom_role_with_a_wildcard_verb_fails() {
        let mut inv = kube_cluster();
        k8s(&mut inv).roles.got_mut().unwrap().push(role(
            "web",
            "deployer",
            vec![rule(&["apps"], &["deployments"], &["*"])],
        ));
        let findings = run(&CHECK, &inv);
        let finding = about(&findings, "Role/web/deployer");
        assert_eq!(finding.status, Status::Fail);
        assert!(
            finding.message.contains("* on deployments"),
            "{}",
            finding.message
        );
    }
}
