//! `svc-lb-tls`: CIS EKS 5.4.5, "encrypt traffic to HTTPS load balancers with TLS certificates".
//!
//! With the Kubernetes side read, each LoadBalancer Service and each Ingress is judged: a
//! Service needs an ACM certificate (`service.beta.kubernetes.io/aws-load-balancer-ssl-cert`),
//! an ALB Ingress a certificate (`alb.ingress.kubernetes.io/certificate-arn`, or `spec.tls` for
//! certificate discovery), any other Ingress a `spec.tls` section. Without the Kubernetes side,
//! the finding is `manual` and says which load balancers to review.

use serde_json::json;

use crate::checks::frameworks::{bp, cis13, cis18, nist};
use crate::checks::shared::k8s::{kubernetes, reference};
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Finding, Remediation, Severity, Status};
use crate::inventory::k8s::resources::{INGRESSES, SERVICES};
use crate::inventory::k8s::{Ingress, Service};
use crate::inventory::{Need, aws};

const SERVICE_CERT: &str = "service.beta.kubernetes.io/aws-load-balancer-ssl-cert";
const ALB_CERT: &str = "alb.ingress.kubernetes.io/certificate-arn";

/// The check.
pub static CHECK: Check = Check {
    id: "svc-lb-tls",
    aliases: &[],
    area: Area::Svc,
    title: "Load balancers in front of the cluster terminate TLS",
    severity: Severity::Medium,
    refs: &[
        cis13("5.4.5"),
        cis18("5.4.5"),
        nist("PR.DS-2"),
        bp("network-security"),
    ],
    needs: &[
        aws("eks:DescribeCluster"),
        Need::Kubernetes(&SERVICES),
        Need::Kubernetes(&INGRESSES),
    ],
    rationale: "Traffic between clients and the cluster's load balancers crosses networks sek does not \
control. Without a TLS listener (an ACM certificate on the ALB or NLB) credentials and data travel in the \
clear and can be read or altered on the way.",
    remediation: Remediation {
        text: "Give every internet- or VPC-facing load balancer a TLS listener with an ACM certificate \
(Ingress annotation alb.ingress.kubernetes.io/certificate-arn, Service annotation \
service.beta.kubernetes.io/aws-load-balancer-ssl-cert) and redirect HTTP to HTTPS.",
        cli: Some(
            "aws resourcegroupstaggingapi get-resources --resource-type-filters elasticloadbalancing:loadbalancer --tag-filters Key=elbv2.k8s.aws/cluster,Values=<cluster>",
        ),
        terraform: None,
    },
    links: &["https://docs.aws.amazon.com/eks/latest/best-practices/network-security.html"],
    eval: Eval::Cluster(eval),
};

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    let inv = ctx.inventory;
    // Without the Kubernetes side (not read, or the API server could not be reached) the load
    // balancers are still there to review by hand; a failed listing below is an error.
    if inv.kubernetes.got().is_none() {
        let unread = match inv.kubernetes_side() {
            Err(missing) if missing.cause().is_some() => format!(" ({})", missing.reason()),
            _ => String::new(),
        };
        return Ok(vec![Finding::new(
            Status::Manual,
            inv.arn(),
            format!(
                "review the listeners of the load balancers tagged elbv2.k8s.aws/cluster={} (and those of \
LoadBalancer Services): each should serve HTTPS/TLS with an ACM certificate; scanning the Kubernetes side \
decides it{unread}",
                inv.name
            ),
        )
        .with_evidence(json!({ "load_balancer_tag": format!("elbv2.k8s.aws/cluster={}", inv.name) }))]);
    }
    let view = kubernetes(ctx)?;
    let services = view.inventory.services()?;
    let ingresses = view.inventory.ingresses()?;
    let mut findings: Vec<Finding> = services
        .iter()
        .filter(|s| s.spec.kind.as_deref() == Some("LoadBalancer"))
        .filter(|s| !view.excludes(&s.metadata.namespace))
        .map(judge_service)
        .collect();
    findings.extend(
        ingresses
            .iter()
            .filter(|i| !view.excludes(&i.metadata.namespace))
            .map(judge_ingress),
    );
    if findings.is_empty() {
        findings.push(Finding::not_applicable(
            inv.arn(),
            "no LoadBalancer Service and no Ingress",
        ));
    }
    Ok(findings)
}

fn judge_service(service: &Service) -> Finding {
    let resource = reference("Service", &service.metadata);
    let ports: Vec<i32> = service.spec.ports.iter().map(|p| p.port).collect();
    match service.metadata.annotations.get(SERVICE_CERT) {
        Some(cert) => Finding::pass(resource, format!("TLS with certificate {cert}")),
        None => Finding::fail(
            resource,
            format!("LoadBalancer Service without a TLS certificate ({SERVICE_CERT}): ports {ports:?} are served in the clear"),
        ),
    }
    .with_evidence(json!({ "ports": ports }))
}

fn judge_ingress(ingress: &Ingress) -> Finding {
    let resource = reference("Ingress", &ingress.metadata);
    let annotations = &ingress.metadata.annotations;
    let alb = ingress.spec.ingress_class_name.as_deref() == Some("alb")
        || annotations
            .get("kubernetes.io/ingress.class")
            .map(String::as_str)
            == Some("alb");
    let cert = annotations.get(ALB_CERT);
    match (alb, cert, ingress.spec.tls.is_empty()) {
        (true, Some(cert), _) => Finding::pass(resource, format!("ALB with certificate {cert}")),
        (_, _, false) => Finding::pass(resource, "terminates TLS (spec.tls)"),
        (true, None, true) => Finding::fail(
            resource,
            format!("ALB Ingress without a certificate ({ALB_CERT} or spec.tls): HTTP only"),
        ),
        (false, _, true) => Finding::fail(resource, "Ingress without spec.tls: HTTP only"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::*;

    #[test]
    fn load_balancers_without_certificates_fail() {
        use crate::checks::testkit::k8s::*;
        use crate::inventory::k8s::{Ingress, IngressSpec, Service, ServiceSpec};
        let mut inv = kube_cluster();
        assert_eq!(only(run(&CHECK, &inv)).status, Status::NotApplicable);
        let mut secure = Service {
            metadata: meta("web", "api-lb"),
            spec: ServiceSpec {
                kind: Some("LoadBalancer".into()),
                ..ServiceSpec::default()
            },
        };
        secure.metadata.annotations.insert(
            SERVICE_CERT.into(),
            "arn:aws:acm:eu-west-1:1:certificate/x".into(),
        );
        let plain = Service {
            metadata: meta("web", "plain"),
            ..secure.clone()
        };
        let mut plain = plain;
        plain.metadata.annotations.clear();
        let alb = Ingress {
            metadata: meta("web", "site"),
            spec: IngressSpec {
                ingress_class_name: Some("alb".into()),
                ..Default::default()
            },
        };
        let k = k8s(&mut inv);
        k.services = read(vec![secure, plain]);
        k.ingresses = read(vec![alb]);
        let findings = run(&CHECK, &inv);
        assert_eq!(about(&findings, "Service/web/api-lb").status, Status::Pass);
        assert_eq!(about(&findings, "Service/web/plain").status, Status::Fail);
        assert_eq!(about(&findings, "Ingress/web/site").status, Status::Fail);
    }

    #[test]
    fn manual_and_names_the_tag_to_look_for() {
        let finding = only(run(&CHECK, &cluster()));
        assert_eq!(finding.status, Status::Manual);
        assert!(
            finding.message.contains("elbv2.k8s.aws/cluster=prod"),
            "{}",
            finding.message
        );
    }
}
