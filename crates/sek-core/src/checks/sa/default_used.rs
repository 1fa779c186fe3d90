//! `sa-default-used`: CIS EKS 4.1.5, "default service accounts are not actively used".
//!
//! Per namespace: its `default` service account must not mount its token automatically
//! (`automountServiceAccountToken: false`) and no binding may grant it a role. Workloads that
//! run as it are listed as evidence when they were read; the verdict does not depend on them,
//! so they are not among the reads the check needs. Kubernetes' system namespaces are built-in
//! exceptions.

use serde_json::json;

use crate::checks::frameworks::{bp, cis13, cis18, nist};
use crate::checks::shared::k8s::{exempt, kubernetes, managed_binding, system_namespace};
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Finding, Remediation, Severity};
use crate::inventory::k8s::resources::{
    CLUSTER_ROLE_BINDINGS, NAMESPACES, ROLE_BINDINGS, SERVICE_ACCOUNTS,
};
use crate::inventory::{Need, ResourceRef};

/// The check.
pub static CHECK: Check = Check {
    id: "sa-default-used",
    aliases: &[],
    area: Area::Sa,
    title: "Default service accounts are not used: no token automount, no roles",
    severity: Severity::Medium,
    refs: &[
        cis13("4.1.5"),
        cis18("4.1.5"),
        nist("PR.AC-4"),
        bp("identity-and-access-management"),
    ],
    needs: &[
        Need::Kubernetes(&NAMESPACES),
        Need::Kubernetes(&SERVICE_ACCOUNTS),
        Need::Kubernetes(&ROLE_BINDINGS),
        Need::Kubernetes(&CLUSTER_ROLE_BINDINGS),
    ],
    rationale: "Every pod that names no service account runs as its namespace's `default` one. Rights granted \
to it go to every such pod, including ones added later for unrelated reasons, and its automatically mounted \
token is a credential in every container that never needed one.",
    remediation: Remediation {
        text: "Set `automountServiceAccountToken: false` on each namespace's default service account, remove \
bindings that name it, and give workloads that need API access a dedicated service account.",
        cli: Some(
            "kubectl patch serviceaccount default -n <namespace> -p '{\"automountServiceAccountToken\": false}'",
        ),
        terraform: None,
    },
    links: &["https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/"],
    eval: Eval::Cluster(eval),
};

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    let view = kubernetes(ctx)?;
    let namespaces = view.namespaces()?;
    view.inventory.service_accounts()?;
    view.role_bindings()?;
    let mut users: std::collections::HashMap<&str, Vec<String>> = Default::default();
    let workloads = view.workloads();
    for w in workloads.iter().flat_map(|all| all.iter()) {
        if w.spec.service_account() == "default" {
            users
                .entry(&w.metadata.namespace)
                .or_default()
                .push(w.reference());
        }
    }
    Ok(namespaces
        .iter()
        .map(|ns| {
            let name = ns.metadata.name.as_str();
            let resource = String::from(ResourceRef::namespaced("ServiceAccount", name, "default"));
            let account = view.service_account(name, "default");
            let mut problems = Vec::new();
            if account.is_some_and(|a| a.automount_service_account_token != Some(false)) {
                problems.push("mounts its token automatically".to_string());
            }
            let bound: Vec<String> = view
                .bindings_of("ServiceAccount", name, "default")
                .iter()
                .filter(|b| managed_binding(b).is_none())
                .map(|b| format!("{} {}", b.kind, b.metadata.name))
                .collect();
            if !bound.is_empty() {
                problems.push(format!("is granted roles by {}", bound.join(", ")));
            }
            let used_by = users.get(name).cloned().unwrap_or_default();
            // Evidence only: unread workloads are said to be unread, not shown as none.
            let workloads = match workloads {
                Ok(_) => json!(used_by),
                Err(_) => json!("not read"),
            };
            let evidence = json!({ "bound_by": bound, "workloads": workloads });
            let finding = if account.is_none() {
                Finding::pass(resource, "the namespace has no default service account")
            } else if problems.is_empty() {
                Finding::pass(resource, "does not mount its token and has no roles")
            } else {
                let mut message = problems.join(" and ");
                if !used_by.is_empty() {
                    message.push_str(&format!("; {} workload(s) run as it", used_by.len()));
                }
                Finding::fail(resource, message)
            }
            .with_evidence(evidence);
            exempt(
                finding,
                system_namespace(
                    name,
                    "Kubernetes system namespace, managed by Kubernetes and EKS",
                ),
            )
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Status;
    use crate::checks::testkit::k8s::*;
    use crate::checks::testkit::*;

    #[test]
    fn hardened_namespaces_pass_and_kube_system_is_an_exception() {
        let findings = run(&CHECK, &kube_cluster());
        assert_eq!(
            about(&findings, "ServiceAccount/web/default").status,
            Status::Pass
        );
        assert_eq!(
            about(&findings, "ServiceAccount/kube-system/default").status,
            Status::Waived
        );
    }

    #[test]
    fn a_bound_default_account_with_automount_fails_listing_its_users() {
        let mut inv = kube_cluster();
        let k = k8s(&mut inv);
        k.service_accounts.got_mut().unwrap()[1].automount_service_account_token = None;
        k.role_bindings.got_mut().unwrap().push(binding(
            "web",
            "default-reader",
            "Role/reader",
            &["ServiceAccount:web/default"],
        ));
        api_of(&mut inv).spec.service_account_name = None;
        let findings = run(&CHECK, &inv);
        let finding = about(&findings, "ServiceAccount/web/default");
        assert_eq!(finding.status, Status::Fail);
        assert!(
            finding.message.contains("mounts its token"),
            "{}",
            finding.message
        );
        assert!(finding.message.contains("RoleBinding default-reader"));
        assert!(finding.message.contains("1 workload(s)"));
    }
}
