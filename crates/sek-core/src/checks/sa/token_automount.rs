//! `sa-token-automount`: CIS EKS 4.1.6, "service account tokens are only mounted where
//! necessary".
//!
//! A workload that mounts its service account's token (the pod's setting, else the service
//! account's, else Kubernetes' default: yes) although no role binding names that service
//! account holds a credential it cannot need: it fails. Workloads whose token carries roles
//! pass, and so do those that do not mount one.

use serde_json::json;

use crate::checks::frameworks::{bp, cis13, cis18, nist};
use crate::checks::shared::k8s::{judge_workloads, kubernetes};
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Remediation, Severity};
use crate::inventory::Need;
use crate::inventory::k8s::resources::{
    CLUSTER_ROLE_BINDINGS, ROLE_BINDINGS, SERVICE_ACCOUNTS, workload_needs,
};

/// The check.
pub static CHECK: Check = Check {
    id: "sa-token-automount",
    aliases: &[],
    area: Area::Sa,
    title: "Service account tokens are mounted only where they carry roles",
    severity: Severity::Low,
    refs: &[
        cis13("4.1.6"),
        cis18("4.1.6"),
        nist("PR.AC-4"),
        bp("identity-and-access-management"),
    ],
    needs: workload_needs![
        Need::Kubernetes(&SERVICE_ACCOUNTS),
        Need::Kubernetes(&ROLE_BINDINGS),
        Need::Kubernetes(&CLUSTER_ROLE_BINDINGS),
    ],
    rationale: "A mounted token is a Kubernetes credential in the container's filesystem: whoever gets code \
execution there can call the API as the service account. A workload whose service account has no role needs \
no token, and an unneeded credential is only attack surface (and grows into a real one the day someone binds \
a role to that account).",
    remediation: Remediation {
        text: "Set `automountServiceAccountToken: false` on the pod spec (or the service account) of \
workloads that do not call the Kubernetes API.",
        cli: None,
        terraform: None,
    },
    links: &[
        "https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#opt-out-of-api-credential-automounting",
    ],
    eval: Eval::Cluster(eval),
};

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    let view = kubernetes(ctx)?;
    view.inventory.service_accounts()?;
    view.role_bindings()?;
    let mut findings = judge_workloads(
        ctx,
        "mounts no token, or one its service account's roles need",
        |w| {
            let namespace = &w.metadata.namespace;
            let name = w.spec.service_account();
            let account = view.service_account(namespace, name);
            let mounted = w
                .spec
                .automount_service_account_token
                .or(account.and_then(|a| a.automount_service_account_token))
                .unwrap_or(true);
            if !mounted {
                return Some(Vec::new());
            }
            // Any binding counts, Kubernetes' own included: the controllers it names need them.
            let has_roles = !view
                .bindings_of("ServiceAccount", namespace, name)
                .is_empty()
                || !view
                    .bindings_of("Group", "", &format!("system:serviceaccounts:{namespace}"))
                    .is_empty();
            Some(if has_roles {
                Vec::new()
            } else {
                vec![format!(
                    "mounts the token of service account {name}, which no role binding names"
                )]
            })
        },
    )?;
    for finding in &mut findings {
        if finding.evidence.is_object() {
            finding.evidence["automount"] = json!(true);
        }
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
    fn a_workload_without_token_passes() {
        let findings = run(&CHECK, &kube_cluster());
        assert_eq!(about(&findings, "Deployment/web/api").status, Status::Pass);
    }

    #[test]
    fn a_token_without_roles_fails_and_a_token_with_roles_passes() {
        let mut inv = kube_cluster();
        k8s(&mut inv).service_accounts.got_mut().unwrap()[2].automount_service_account_token = None;
        let findings = run(&CHECK, &inv);
        let finding = about(&findings, "Deployment/web/api");
        assert_eq!(finding.status, Status::Fail);
        assert!(
            finding.message.contains("service account api"),
            "{}",
            finding.message
        );

        k8s(&mut inv).role_bindings.got_mut().unwrap().push(binding(
            "web",
            "api-reader",
            "Role/reader",
            &["ServiceAccount:web/api"],
        ));
        let findings = run(&CHECK, &inv);
        assert_eq!(about(&findings, "Deployment/web/api").status, Status::Pass);
    }

    #[test]
    fn the_pod_setting_overrides_the_service_account() {
        let mut inv = kube_cluster();
        api_of(&mut inv).spec.automount_service_account_token = Some(true);
        let findings = run(&CHECK, &inv);
        assert_eq!(about(&findings, "Deployment/web/api").status, Status::Fail);
    }
}
