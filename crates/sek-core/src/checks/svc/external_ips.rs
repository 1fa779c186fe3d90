//! `svc-external-ips`: no Service sets `spec.externalIPs` (CVE-2020-8554).
//!
//! Any user who may create or edit a Service can claim an external IP and have kube-proxy on every
//! node intercept traffic to it; the fix Kubernetes recommends is to forbid the field with
//! admission control. A snapshot from a sek that did not record the field is an error.

use crate::checks::frameworks::{bp, nist};
use crate::checks::shared::k8s::{kubernetes, reference};
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Finding, Remediation, Severity};
use crate::inventory::k8s::resources::SERVICES;
use crate::inventory::{Missing, Need, Why};

const NEEDS: &[Need] = &[Need::Kubernetes(&SERVICES)];

/// The check.
pub static CHECK: Check = Check {
    id: "svc-external-ips",
    aliases: &[],
    area: Area::Svc,
    title: "No Service claims external IPs",
    severity: Severity::Medium,
    refs: &[nist("PR.AC-5"), bp("network-security")],
    needs: NEEDS,
    rationale: "externalIPs are not checked against anything: a Service that names an address makes kube-proxy \
on every node redirect traffic for that address to the Service's pods (CVE-2020-8554). Whoever can create \
Services can intercept traffic the cluster sends to an external IP, or to another tenant's.",
    remediation: Remediation {
        text: "Remove externalIPs (use a LoadBalancer Service instead), and forbid the field with a \
ValidatingAdmissionPolicy, Kyverno or Gatekeeper policy.",
        cli: Some(
            "kubectl get svc -A -o json | jq -r '.items[] | select(.spec.externalIPs) | .metadata.namespace + \"/\" + .metadata.name'",
        ),
        terraform: None,
    },
    links: &["https://github.com/kubernetes/kubernetes/issues/97076"],
    eval: Eval::Cluster(eval),
};

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    let view = kubernetes(ctx)?;
    let services = view.inventory.services()?;
    let mut findings = Vec::new();
    for service in services
        .iter()
        .filter(|s| !view.excludes(&s.metadata.namespace))
    {
        let resource = reference("Service", &service.metadata);
        let Some(ips) = &service.spec.external_ips else {
            return Err(Missing::new(
                "the Services' externalIPs (this snapshot's sek did not record them)",
                NEEDS,
                Why::NotCollected,
            ));
        };
        findings.push(if ips.is_empty() {
            Finding::pass(resource, "no external IPs")
        } else {
            Finding::fail(resource, format!("claims external IPs {}", ips.join(", ")))
        });
    }
    if findings.is_empty() {
        findings.push(Finding::not_applicable(ctx.inventory.arn(), "no Service"));
    }
    Ok(findings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Status;
    use crate::checks::testkit::k8s::*;
    use crate::checks::testkit::{about, run};
    use crate::inventory::k8s::{Service, ServiceSpec};

    fn with_service(external_ips: Option<Vec<String>>) -> crate::inventory::ClusterInventory {
        let mut inv = kube_cluster();
        k8s(&mut inv).services = crate::inventory::Read::Got(vec![Service {
            metadata: meta("web", "front"),
            spec: ServiceSpec {
                external_ips,
                ..ServiceSpec::default()
            },
        }]);
        inv
    }

    #[test]
    fn a_service_without_external_ips_passes_one_with_them_fails() {
        let findings = run(&CHECK, &with_service(Some(vec![])));
        assert_eq!(about(&findings, "Service/web/front").status, Status::Pass);
        let findings = run(&CHECK, &with_service(Some(vec!["203.0.113.7".into()])));
        let finding = about(&findings, "Service/web/front");
        assert_eq!(finding.status, Status::Fail);
        assert!(finding.message.contains("203.0.113.7"));
    }

    #[test]
    fn external_ips_a_snapshot_did_not_record_are_an_error() {
        let findings = run(&CHECK, &with_service(None));
        assert_eq!(findings[0].status, Status::Error);
    }
}
