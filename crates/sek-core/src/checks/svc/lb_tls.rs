//! `svc-lb-tls`: CIS EKS 5.4.5, "encrypt traffic to HTTPS load balancers with TLS certificates".
//!
//! The load balancers are created by the Kubernetes Services and Ingresses of the cluster; until
//! the Kubernetes side is scanned, sek cannot tell which ones serve plain HTTP, so the finding is
//! `manual` and says how to list them.

use serde_json::json;

use crate::checks::frameworks::{bp, cis13, cis18, nist};
use crate::checks::{Area, Check, Ctx, Finding, Remediation, Scope, Severity, Status};

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
    needs: &["eks:DescribeCluster"],
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
    scope: Scope::Cluster,
    eval,
};

fn eval(ctx: &Ctx<'_>) -> Vec<Finding> {
    let inv = ctx.inventory;
    vec![Finding::new(
        Status::Manual,
        inv.arn(),
        format!(
            "review the listeners of the load balancers tagged elbv2.k8s.aws/cluster={} (and those of \
LoadBalancer Services): each should serve HTTPS/TLS with an ACM certificate",
            inv.name
        ),
    )
    .with_evidence(json!({ "load_balancer_tag": format!("elbv2.k8s.aws/cluster={}", inv.name) }))]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::*;

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
