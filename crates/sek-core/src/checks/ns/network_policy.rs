//! `ns-network-policy`: CIS EKS 4.3.2, "all namespaces have network policies defined".
//!
//! Every namespace needs at least one NetworkPolicy; the message says whether one is a default
//! deny (selects every pod, restricts ingress). System namespaces are built-in exceptions.
//! Whether the CNI enforces policies at all is `service-network-policy`'s question.

use serde_json::json;

use crate::checks::frameworks::{bp, cis13, cis18, nist};
use crate::checks::shared::k8s::{exempt, kubernetes, system_namespace};
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Finding, Remediation, Severity};
use crate::inventory::Need;
use crate::inventory::ResourceRef;
use crate::inventory::k8s::NetworkPolicy;
use crate::inventory::k8s::resources::{NAMESPACES, NETWORK_POLICIES};

/// The check.
pub static CHECK: Check = Check {
    id: "ns-network-policy",
    aliases: &[],
    area: Area::Ns,
    title: "Every namespace has a NetworkPolicy, preferably a default deny",
    severity: Severity::Medium,
    refs: &[
        cis13("4.3.2"),
        cis18("4.3.2"),
        nist("PR.AC-5"),
        bp("network-security"),
    ],
    needs: &[
        Need::Kubernetes(&NAMESPACES),
        Need::Kubernetes(&NETWORK_POLICIES),
    ],
    rationale: "Without a NetworkPolicy every pod accepts traffic from every other pod of the cluster and may \
connect anywhere: one compromised pod can reach databases, internal APIs and other tenants. A default-deny \
policy per namespace, with explicit allows, limits how far an intruder moves.",
    remediation: Remediation {
        text: "Add a default-deny NetworkPolicy (podSelector: {}, policyTypes: [Ingress, Egress]) to each \
namespace, then policies that allow the flows the workloads need (DNS included).",
        cli: None,
        terraform: None,
    },
    links: &[
        "https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-policies",
    ],
    eval: Eval::Cluster(eval),
};

fn is_default_deny(policy: &NetworkPolicy) -> bool {
    let selects_all = policy
        .spec
        .pod_selector
        .as_object()
        .is_none_or(|s| s.is_empty());
    selects_all
        && policy.spec.policy_types.iter().any(|t| t == "Ingress")
        && policy.spec.ingress.is_empty()
}

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    let view = kubernetes(ctx)?;
    let namespaces = view.namespaces()?;
    view.inventory.network_policies()?;
    Ok(namespaces
        .iter()
        .map(|ns| {
            let name = ns.metadata.name.as_str();
            let policies = view.network_policies_in(name);
            let resource = String::from(ResourceRef::cluster_scoped("Namespace", name));
            let names: Vec<&str> = policies.iter().map(|p| p.metadata.name.as_str()).collect();
            let finding = match policies.iter().find(|p| is_default_deny(p)) {
                Some(deny) => Finding::pass(
                    resource,
                    format!("{} policies, default deny {}", policies.len(), deny.metadata.name),
                ),
                None if !policies.is_empty() => Finding::pass(
                    resource,
                    format!(
                        "{} policies ({}), none a default deny: pods they do not select stay open",
                        policies.len(),
                        names.join(", ")
                    ),
                ),
                None => Finding::fail(resource, "has no NetworkPolicy: every pod is open to and from the whole cluster"),
            }
            .with_evidence(json!({ "policies": names }));
            exempt(finding, system_namespace(name, "Kubernetes system namespace: its AWS and Kubernetes components need host and API access"))
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
    fn default_deny_passes_missing_fails_kube_system_is_an_exception() {
        let mut inv = kube_cluster();
        k8s(&mut inv)
            .namespaces
            .got_mut()
            .unwrap()
            .push(namespace("batch", None));
        let findings = run(&CHECK, &inv);
        let web = about(&findings, "Namespace//web");
        assert_eq!(web.status, Status::Pass);
        assert!(web.message.contains("default deny"), "{}", web.message);
        assert_eq!(about(&findings, "Namespace//batch").status, Status::Fail);
        assert_eq!(
            about(&findings, "Namespace//kube-system").status,
            Status::Waived
        );
    }

    #[test]
    fn excluded_namespaces_are_not_judged() {
        let mut inv = kube_cluster();
        k8s(&mut inv)
            .namespaces
            .got_mut()
            .unwrap()
            .push(namespace("sandbox-1", None));
        let settings = crate::checks::Settings {
            excluded_namespaces: vec!["sandbox-*".into()],
            ..Default::default()
        };
        let findings = run_with(&CHECK, &inv, &settings);
        assert!(findings.iter().all(|f| !f.resource.ends_with("sandbox-1")));
    }
}
