//! `ns-default-used`: CIS EKS 1.3.0 4.5.3 / 1.8.0 4.5.2, "the default namespace should not be
//! used".
//!
//! Fails when workloads or Services other than the API server's own `kubernetes` Service live in
//! `default`, listing them.

use serde_json::json;

use crate::checks::frameworks::{cis13, cis18, nist};
use crate::checks::shared::k8s::kubernetes;
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Finding, Remediation, Severity};
use crate::inventory::Need;
use crate::inventory::ResourceRef;
use crate::inventory::k8s::resources::{SERVICES, workload_needs};

/// The check.
pub static CHECK: Check = Check {
    id: "ns-default-used",
    aliases: &[],
    area: Area::Ns,
    title: "Nothing runs in the default namespace",
    severity: Severity::Low,
    refs: &[
        cis13("4.5.3"),
        cis18("4.5.2"),
        nist("PR.AC-5"),
        nist("PR.AC-4"),
    ],
    needs: workload_needs![Need::Kubernetes(&SERVICES),],
    rationale: "Namespaces are the unit of RBAC, network policy, quotas and Pod Security Admission. What runs in \
`default` shares all of them with whatever else lands there by omission (a forgotten -n), so none can be \
tightened for it.",
    remediation: Remediation {
        text: "Move workloads and Services to namespaces of their own, with their own policies; keep \
`default` empty.",
        cli: Some("kubectl get all -n default"),
        terraform: None,
    },
    links: &["https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/"],
    eval: Eval::Cluster(eval),
};

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    let view = kubernetes(ctx)?;
    let workloads = view.workloads()?;
    let services = view.inventory.services()?;
    let mut found: Vec<String> = workloads
        .iter()
        .filter(|w| w.metadata.namespace == "default")
        .map(|w| w.reference())
        .collect();
    found.extend(
        services
            .iter()
            .filter(|s| s.metadata.namespace == "default" && s.metadata.name != "kubernetes")
            .filter(|s| !view.excludes(&s.metadata.namespace))
            .map(|s| ResourceRef::namespaced("Service", "default", &s.metadata.name).into()),
    );
    let resource = "k8s:Namespace//default";
    let finding = if found.is_empty() {
        Finding::pass(
            resource,
            "holds no workload and no Service besides kubernetes",
        )
    } else {
        Finding::fail(
            resource,
            format!(
                "holds {} object(s): {}",
                found.len(),
                found.iter().take(5).cloned().collect::<Vec<_>>().join(", ")
            ),
        )
    };
    Ok(vec![finding.with_evidence(json!({ "objects": found }))])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Status;
    use crate::checks::testkit::k8s::*;
    use crate::checks::testkit::*;

    #[test]
    fn a_workload_in_default_fails_naming_it() {
        assert_eq!(only(run(&CHECK, &kube_cluster())).status, Status::Pass);
        let mut inv = kube_cluster();
        api_of(&mut inv).metadata.namespace = "default".into();
        let finding = only(run(&CHECK, &inv));
        assert_eq!(finding.status, Status::Fail);
        assert!(
            finding.message.contains("Deployment/default/api"),
            "{}",
            finding.message
        );
    }
}
