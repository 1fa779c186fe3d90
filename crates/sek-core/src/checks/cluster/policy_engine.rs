//! `cluster-policy-engine`: admission control stops insecure workloads before they run: a
//! policy engine (Gatekeeper, Kyverno, Kubewarden) is installed, or Pod Security Admission
//! enforces baseline or restricted in every namespace that is not a system one (checklist 001).

use serde_json::json;

use crate::checks::frameworks::{bp, nist};
use crate::checks::ns::pod_security::ENFORCE;
use crate::checks::shared::k8s::{SYSTEM_NAMESPACES, kubernetes};
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Finding, Remediation, Severity};
use crate::inventory::Need;
use crate::inventory::k8s::resources::{CRDS, NAMESPACES};

/// Policy engines, by a CustomResourceDefinition each installs.
const ENGINES: &[(&str, &str)] = &[
    (
        "constrainttemplates.templates.gatekeeper.sh",
        "OPA Gatekeeper",
    ),
    ("clusterpolicies.kyverno.io", "Kyverno"),
    (
        "clusteradmissionpolicies.policies.kubewarden.io",
        "Kubewarden",
    ),
];

/// The check.
pub static CHECK: Check = Check {
    id: "cluster-policy-engine",
    aliases: &[],
    area: Area::Cluster,
    title: "Admission policies are enforced: a policy engine or Pod Security Admission",
    severity: Severity::Medium,
    refs: &[nist("PR.IP-1"), nist("PR.AC-4"), bp("pod-security")],
    needs: &[Need::Kubernetes(&CRDS), Need::Kubernetes(&NAMESPACES)],
    rationale: "Scans find what is wrong after it runs; admission control refuses it at the API server. \
Without a policy engine or Pod Security Admission, every rule in this report depends on each team getting \
each manifest right, every time.",
    remediation: Remediation {
        text: "Enforce Pod Security Admission (baseline or restricted) on every namespace, and install a \
policy engine (Kyverno or Gatekeeper) for rules PSA does not cover: approved registries, image tags, \
resource limits.",
        cli: None,
        terraform: None,
    },
    links: &["https://docs.aws.amazon.com/eks/latest/best-practices/pod-security.html"],
    eval: Eval::Cluster(eval),
};

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    let view = kubernetes(ctx)?;
    let crds = view.inventory.crds()?;
    let namespaces = view.namespaces()?;
    let arn = ctx.inventory.arn();
    let engines: Vec<&str> = ENGINES
        .iter()
        .filter(|(crd, _)| crds.iter().any(|c| c == crd))
        .map(|(_, name)| *name)
        .collect();
    let unenforced: Vec<&str> = namespaces
        .iter()
        .filter(|ns| {
            !SYSTEM_NAMESPACES.contains(&ns.metadata.name.as_str())
                && !ns
                    .metadata
                    .labels
                    .get(ENFORCE)
                    .is_some_and(|l| l == "baseline" || l == "restricted")
        })
        .map(|ns| ns.metadata.name.as_str())
        .collect();
    let evidence = json!({ "policy_engines": engines, "namespaces_without_psa": unenforced });
    let finding = if !engines.is_empty() {
        Finding::pass(
            arn,
            format!("policy engine installed: {}", engines.join(", ")),
        )
    } else if unenforced.is_empty() {
        Finding::pass(
            arn,
            "Pod Security Admission enforces baseline or restricted in every namespace",
        )
    } else {
        Finding::fail(
            arn,
            format!(
                "no policy engine, and {} namespace(s) enforce no Pod Security Standard ({})",
                unenforced.len(),
                unenforced
                    .iter()
                    .take(5)
                    .copied()
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
    };
    Ok(vec![finding.with_evidence(evidence)])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Status;
    use crate::checks::testkit::k8s::*;
    use crate::checks::testkit::*;

    #[test]
    fn psa_everywhere_or_an_engine_passes() {
        assert_eq!(only(run(&CHECK, &kube_cluster())).status, Status::Pass);
        let mut inv = kube_cluster();
        k8s(&mut inv)
            .namespaces
            .got_mut()
            .unwrap()
            .push(namespace("batch", None));
        let finding = only(run(&CHECK, &inv));
        assert_eq!(finding.status, Status::Fail);
        assert!(finding.message.contains("batch"), "{}", finding.message);
        k8s(&mut inv).crds = read(vec!["clusterpolicies.kyverno.io".into()]);
        let finding = only(run(&CHECK, &inv));
        assert_eq!(finding.status, Status::Pass);
        assert!(finding.message.contains("Kyverno"));
    }
}
