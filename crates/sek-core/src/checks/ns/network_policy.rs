//! `ns-network-policy`: CIS EKS 4.3.2, "all namespaces have network policies defined".
//!
//! Every namespace needs a NetworkPolicy that isolates its pods; the message says whether one is
//! a default deny (selects every pod, governs ingress, allows nothing). Policies are judged by
//! what they do: policies add up, so a policy that selects every pod and lets in every source on
//! every port (`ingress: [{}]`, `from: []`, `0.0.0.0/0`) isolates nothing, whatever else the
//! namespace has: it fails like no policy at all. A rule from `namespaceSelector: {}` (every pod
//! of every namespace) counts the same: it opens the namespace to the whole cluster, which is
//! where lateral movement comes from. System namespaces are built-in exceptions. Whether the CNI
//! enforces policies at all is `service-network-policy`'s question.

use serde_json::json;

use crate::checks::frameworks::{bp, cis13, cis18, nist};
use crate::checks::shared::k8s::{exempt, kubernetes, system_namespace};
use crate::checks::shared::network_policy::{
    Reach, governs_egress, governs_ingress, selects_every_pod, widest_ingress,
};
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
policy per namespace, with explicit allows, limits how far an intruder moves. Policies add up: one that \
selects every pod and lets in every source on every port (`ingress: [{}]`, `from: []`, `0.0.0.0/0`, or every \
namespace) isolates nothing and is judged as no policy, even beside a default deny.",
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

/// Selects every pod for ingress and lets nothing in.
fn is_default_deny(policy: &NetworkPolicy) -> bool {
    selects_every_pod(policy) && governs_ingress(policy) && policy.spec.ingress.is_empty()
}

/// Selects every pod for ingress and lets in every source, or every pod of the cluster, on every
/// port: how far, if so.
fn opens_every_pod(policy: &NetworkPolicy) -> Option<Reach> {
    let widest = widest_ingress(policy).filter(|reach| *reach > Reach::Narrow)?;
    (selects_every_pod(policy) && governs_ingress(policy)).then_some(widest)
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
            let open: Vec<(&str, Reach)> = policies
                .iter()
                .filter_map(|p| Some((p.metadata.name.as_str(), opens_every_pod(p)?)))
                .collect();
            let deny = policies.iter().find(|p| is_default_deny(p));
            let evidence = json!({
                "policies": names,
                "allow_all_ingress": open.iter().map(|(name, _)| name).collect::<Vec<_>>(),
                "default_deny": deny.map(|p| &p.metadata.name),
                "default_deny_egress": policies
                    .iter()
                    .any(|p| selects_every_pod(p) && governs_egress(p) && p.spec.egress.is_empty()),
            });
            let finding = match (open.first(), deny) {
                (Some((policy, reach)), _) => {
                    let from = match reach {
                        Reach::WholeCluster => "every pod of every namespace",
                        _ => "every source",
                    };
                    Finding::fail(
                        resource,
                        format!(
                            "NetworkPolicy {policy} lets {from} reach every pod on every port: \
the namespace is as open as with no policy"
                        ),
                    )
                }
                (None, Some(deny)) => Finding::pass(
                    resource,
                    format!("{} policies, default deny {}", policies.len(), deny.metadata.name),
                ),
                (None, None) if !policies.is_empty() => Finding::pass(
                    resource,
                    format!(
                        "{} policies ({}), none a default deny: pods they do not select stay open",
                        policies.len(),
                        names.join(", ")
                    ),
                ),
                (None, None) => Finding::fail(resource, "has no NetworkPolicy: every pod is open to and from the whole cluster"),
            }
            .with_evidence(evidence);
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

    /// The namespace `web` with `policies` instead of its default deny: its finding.
    fn judged(policies: Vec<NetworkPolicy>) -> Finding {
        let mut inv = kube_cluster();
        let all = k8s(&mut inv).network_policies.got_mut().unwrap();
        all.retain(|p| p.metadata.namespace != "web");
        all.extend(policies);
        about(&run(&CHECK, &inv), "Namespace//web").clone()
    }

    fn policy(name: &str, types: &[&str], ingress: Vec<serde_json::Value>) -> NetworkPolicy {
        let mut policy = default_deny("web");
        policy.metadata.name = name.into();
        policy.spec.policy_types = types.iter().map(|t| t.to_string()).collect();
        policy.spec.ingress = ingress;
        policy
    }

    #[test]
    fn a_policy_letting_everything_in_isolates_nothing_even_beside_a_default_deny() {
        for rule in [
            json!({}),
            json!({"from": []}),
            json!({"from": [{"ipBlock": {"cidr": "0.0.0.0/0"}}]}),
        ] {
            let finding = judged(vec![policy("allow-all", &["Ingress"], vec![rule.clone()])]);
            assert_eq!(finding.status, Status::Fail, "{rule}");
            assert!(
                finding.message.contains("allow-all lets every source"),
                "{}",
                finding.message
            );
            assert_eq!(finding.evidence["allow_all_ingress"], json!(["allow-all"]));
            let with_deny = judged(vec![
                policy("deny", &["Ingress"], vec![]),
                policy("allow-all", &["Ingress"], vec![rule.clone()]),
            ]);
            assert_eq!(with_deny.status, Status::Fail, "{rule}");
        }
        // Every namespace of the cluster is not isolation either.
        let cluster_wide = judged(vec![policy(
            "from-all-namespaces",
            &["Ingress"],
            vec![json!({"from": [{"namespaceSelector": {}}]})],
        )]);
        assert_eq!(cluster_wide.status, Status::Fail);
        assert!(
            cluster_wide
                .message
                .contains("every pod of every namespace")
        );
    }

    #[test]
    fn an_empty_rule_list_denies_and_narrow_rules_pass() {
        // No policyTypes: Kubernetes assumes Ingress, so no rules is a default deny.
        let deny = judged(vec![policy("deny", &[], vec![])]);
        assert_eq!(deny.status, Status::Pass);
        assert!(
            deny.message.contains("default deny deny"),
            "{}",
            deny.message
        );
        // Egress-only policies do not isolate ingress; one letting all in on port 443 only is
        // narrower than everything.
        let narrow = judged(vec![
            policy("egress-only", &["Egress"], vec![json!({})]),
            policy(
                "https",
                &["Ingress"],
                vec![json!({"ports": [{"port": 443}]})],
            ),
            policy(
                "from-lb",
                &["Ingress"],
                vec![json!({"from": [{"podSelector": {"matchLabels": {"app": "lb"}}}]})],
            ),
        ]);
        assert_eq!(narrow.status, Status::Pass, "{}", narrow.message);
        assert!(
            narrow.message.contains("none a default deny"),
            "{}",
            narrow.message
        );
    }
}
