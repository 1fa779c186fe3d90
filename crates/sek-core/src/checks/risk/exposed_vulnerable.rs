//! `risk-exposed-vulnerable`: no workload reachable from the Internet runs an image with a known
//! vulnerability at or above `[thresholds] vuln_min_severity` (default critical).
//!
//! The path: Internet → load balancer → workload → image → vulnerability. Each image is judged
//! as `vuln-images` judges it; an exposed workload whose image has no scan result, or cannot be
//! scanned (outside ECR), is `manual`, since the path can be neither shown nor ruled out.

use super::{Link, conclude, exposed, path_finding};
use crate::checks::frameworks::{bp, nist};
use crate::checks::vuln::{ImageScan, scan_of, summarise, vulnerable_evidence};
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Finding, Remediation, Severity, Status};
use crate::inventory::k8s::resources::{INGRESSES, SERVICES, workload_needs};
use crate::inventory::{Need, aws, images_in_use};

/// The check.
pub static CHECK: Check = Check {
    id: "risk-exposed-vulnerable",
    aliases: &[],
    area: Area::Risk,
    title: "No workload reachable from the Internet runs a known vulnerability",
    severity: Severity::Critical,
    refs: &[
        nist("DE.CM-8"),
        nist("PR.AC-5"),
        bp("image-security"),
        bp("network-security"),
    ],
    needs: workload_needs![
        aws("ecr:DescribeImages"),
        aws("inspector2:ListFindings"),
        aws("ecr:DescribeImageScanFindings"),
        Need::Kubernetes(&SERVICES),
        Need::Kubernetes(&INGRESSES),
    ],
    rationale: "A vulnerability matters most where an attacker can reach it. A workload behind an \
internet-facing load balancer that runs an image with a critical finding is the first thing to fix in a \
cluster: the exposure and the flaw are each common, together they are an entry point.",
    remediation: Remediation {
        text: "Patch the image (rebuild on a fixed base or bump the package) and roll the workload; until then, \
restrict the load balancer (loadBalancerSourceRanges, inbound-cidrs, or an internal scheme) or put a WAF in \
front.",
        cli: None,
        terraform: None,
    },
    links: &[
        "https://docs.aws.amazon.com/eks/latest/best-practices/image-security.html",
        "https://docs.aws.amazon.com/eks/latest/best-practices/network-security.html",
    ],
    eval: Eval::Cluster(eval),
};

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    let threshold = ctx.settings.vuln_min_severity;
    let exposed = exposed(ctx)?;
    let mut findings = Vec::new();
    for (workload, entries) in &exposed {
        for image in images_in_use([*workload]) {
            match scan_of(ctx, &image, threshold) {
                ImageScan::Vulnerable { images } => {
                    let link = Link {
                        kind: "vulnerability",
                        what: format!("{}: {}", image.image, summarise(&images, threshold)),
                        evidence: vulnerable_evidence(&images),
                    };
                    findings.push(path_finding(
                        workload,
                        entries,
                        vec![link],
                        &format!("runs a vulnerability at {threshold} or above"),
                    ));
                }
                ImageScan::Unread(mut finding) => {
                    finding.resource = workload.reference();
                    finding.message = format!(
                        "{} is reachable from the Internet; whether {} is vulnerable is unknown: {}",
                        workload.reference(),
                        image.image,
                        finding.message
                    );
                    findings.push(finding);
                }
                ImageScan::Unscanned(reason) | ImageScan::NotApplicable(reason) => {
                    findings.push(Finding::new(
                        Status::Manual,
                        workload.reference(),
                        format!(
                            "{} is reachable from the Internet ({}) and runs {}, whose vulnerabilities sek \
cannot see: {reason}",
                            workload.reference(),
                            entries.iter().map(|e| e.via.as_str()).collect::<Vec<_>>().join(", "),
                            image.image
                        ),
                    ));
                }
                ImageScan::Clean(_) => {}
            }
        }
    }
    Ok(conclude(
        ctx,
        findings,
        exposed.len(),
        &format!("runs a vulnerability at {threshold} or above"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::image::*;
    use crate::checks::testkit::k8s::k8s;
    use crate::checks::testkit::*;

    #[test]
    fn an_exposed_workload_with_a_critical_image_is_a_path_naming_every_link() {
        let mut inv = scanned_cluster(vec![critical("CVE-2024-3094")]);
        expose_api(&mut inv);
        let findings = run(&CHECK, &inv);
        let finding = about(&findings, "Deployment/web/api");
        assert_eq!(finding.status, Status::Fail);
        assert!(
            finding
                .message
                .contains("Internet → Service web/api (internet-facing load balancer on port 443 open to any address) → Deployment web/api → "),
            "{}",
            finding.message
        );
        assert!(
            finding.message.contains("CVE-2024-3094"),
            "{}",
            finding.message
        );
        let path = finding.evidence["path"].as_array().unwrap();
        let kinds: Vec<&str> = path.iter().map(|l| l["link"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["internet", "workload", "vulnerability"]);
    }

    #[test]
    fn the_path_breaks_when_any_link_is_absent() {
        // Exposed, not vulnerable.
        let mut inv = scanned_cluster(vec![]);
        expose_api(&mut inv);
        let finding = only(run(&CHECK, &inv));
        assert_eq!(finding.status, Status::Pass);
        assert!(
            finding.message.contains("none of the 1 workloads"),
            "{}",
            finding.message
        );
        // Vulnerable, not exposed.
        let inv = scanned_cluster(vec![critical("CVE-1")]);
        let finding = only(run(&CHECK, &inv));
        assert_eq!(finding.status, Status::Pass);
        assert!(
            finding.message.contains("no workload is reachable"),
            "{}",
            finding.message
        );
        // Exposed through an internal load balancer: no path.
        let mut inv = scanned_cluster(vec![critical("CVE-1")]);
        expose_api(&mut inv);
        let service = &mut k8s(&mut inv).services.data_mut()[0];
        service.metadata.annotations.insert(
            "service.beta.kubernetes.io/aws-load-balancer-internal".into(),
            "true".into(),
        );
        assert_eq!(statuses(&run(&CHECK, &inv)), [Status::Pass]);
    }

    #[test]
    fn selectors_or_ingress_rules_an_older_snapshot_did_not_record_are_errors() {
        let mut inv = scanned_cluster(vec![critical("CVE-1")]);
        expose_api(&mut inv);
        k8s(&mut inv).services.data_mut()[0].spec.selector = None;
        let finding = only(run(&CHECK, &inv));
        assert_eq!(finding.status, Status::Error);
        assert!(finding.message.contains("selectors"), "{}", finding.message);
        let mut inv = scanned_cluster(vec![critical("CVE-1")]);
        expose_api(&mut inv);
        k8s(&mut inv).ingresses =
            crate::inventory::Read::Got(vec![crate::inventory::k8s::Ingress {
                metadata: crate::checks::testkit::k8s::meta("web", "site"),
                spec: Default::default(),
            }]);
        let finding = only(run(&CHECK, &inv));
        assert_eq!(finding.status, Status::Error);
        assert!(finding.message.contains("rules"), "{}", finding.message);
    }

    #[test]
    fn unread_services_or_images_are_errors_never_a_pass() {
        let mut inv = scanned_cluster(vec![critical("CVE-1")]);
        k8s(&mut inv).services = crate::inventory::Read::NotCollected;
        assert_eq!(statuses(&run(&CHECK, &inv)), [Status::Error]);
        let mut inv = scanned_cluster(vec![critical("CVE-1")]);
        expose_api(&mut inv);
        deny_repository(&mut inv);
        let finding = about(&run(&CHECK, &inv), "Deployment/web/api").clone();
        assert_eq!(finding.status, Status::Error);
        assert!(
            finding.message.contains("ecr:DescribeImages"),
            "{}",
            finding.message
        );
    }
}
