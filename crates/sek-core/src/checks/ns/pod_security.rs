//! `ns-pod-security`: every namespace enforces a Pod Security Standard (the
//! `pod-security.kubernetes.io/enforce` label at `baseline` or `restricted`).
//!
//! System namespaces are built-in exceptions (their AWS components need privileges).

use serde_json::json;

use crate::checks::frameworks::{bp, nist};
use crate::checks::shared::k8s::{exempt, kubernetes, system_namespace};
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Finding, Remediation, Severity};
use crate::inventory::Need;
use crate::inventory::ResourceRef;
use crate::inventory::k8s::resources::NAMESPACES;

/// The label Pod Security Admission enforces.
pub const ENFORCE: &str = "pod-security.kubernetes.io/enforce";

/// The check.
pub static CHECK: Check = Check {
    id: "ns-pod-security",
    aliases: &[],
    area: Area::Ns,
    title: "Namespaces enforce the baseline or restricted Pod Security Standard",
    severity: Severity::Medium,
    refs: &[nist("PR.IP-1"), nist("PR.AC-4"), bp("pod-security")],
    needs: &[Need::Kubernetes(&NAMESPACES)],
    rationale: "The pod-* checks see the workloads that exist; Pod Security Admission stops the next privileged, \
host-namespace or hostPath pod at the API server. Without an enforce label, any subject that may create pods \
in the namespace may create ones that own the node.",
    remediation: Remediation {
        text: "Label each namespace with pod-security.kubernetes.io/enforce=restricted (or baseline where \
workloads need it), after checking with the warn and audit labels what would be rejected.",
        cli: Some(
            "kubectl label namespace <namespace> pod-security.kubernetes.io/enforce=restricted",
        ),
        terraform: None,
    },
    links: &["https://kubernetes.io/docs/concepts/security/pod-security-admission/"],
    eval: Eval::Cluster(eval),
};

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    let namespaces = kubernetes(ctx)?.namespaces()?;
    Ok(namespaces
        .iter()
        .map(|ns| {
            let name = ns.metadata.name.as_str();
            let resource = String::from(ResourceRef::cluster_scoped("Namespace", name));
            let level = ns.metadata.labels.get(ENFORCE).map(String::as_str);
            let finding = match level {
                Some(level @ ("baseline" | "restricted")) => {
                    Finding::pass(resource, format!("enforces the {level} Pod Security Standard"))
                }
                Some(other) => Finding::fail(resource, format!("enforces only the {other} Pod Security Standard")),
                None => Finding::fail(resource, "enforces no Pod Security Standard (no pod-security.kubernetes.io/enforce label)"),
            }
            .with_evidence(json!({ "enforce": level }));
            exempt(finding, system_namespace(name, "Kubernetes system namespace: its AWS and Kubernetes components need privileges"))
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
    fn restricted_passes_privileged_or_missing_fails() {
        let mut inv = kube_cluster();
        let namespaces = k8s(&mut inv).namespaces.got_mut().unwrap();
        namespaces.push(namespace("legacy", Some("privileged")));
        namespaces.push(namespace("batch", None));
        let findings = run(&CHECK, &inv);
        assert_eq!(about(&findings, "Namespace//web").status, Status::Pass);
        assert_eq!(about(&findings, "Namespace//legacy").status, Status::Fail);
        assert_eq!(about(&findings, "Namespace//batch").status, Status::Fail);
        assert_eq!(
            about(&findings, "Namespace//kube-system").status,
            Status::Waived
        );
    }
}
