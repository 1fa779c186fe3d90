//! `vuln-images`: the images the workloads run hold no known vulnerability at or above
//! `[thresholds] vuln_min_severity` (default critical).
//!
//! Each image in use is followed to what runs: the digest each pod pulled (pod status), else
//! the tag. In a private ECR registry its findings come from Amazon Inspector (enhanced
//! scanning) or ECR's basic scan, and ECR's per-severity counts decide with them, so a finding
//! whose details were not read still fails. An image with no scan result is `manual`; one
//! outside ECR, or Amazon's own EKS images, is `not-applicable` with the reason.

use crate::checks::frameworks::{bp, cis13, cis18, nist};
use crate::checks::shared::images::per_image;
use crate::checks::shared::k8s::kubernetes;
use crate::checks::vuln::{image_finding, scan_of};
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Finding, Remediation, Severity};
use crate::inventory::aws;
use crate::inventory::images_in_use;
use crate::inventory::k8s::resources::workload_needs;

/// The check.
pub static CHECK: Check = Check {
    id: "vuln-images",
    aliases: &[],
    area: Area::Vuln,
    title: "Images in use have no known vulnerability at or above the threshold",
    severity: Severity::High,
    refs: &[
        cis13("5.1.1"),
        cis18("5.1.1"),
        nist("DE.CM-8"),
        bp("image-security"),
    ],
    needs: workload_needs![
        aws("ecr:DescribeImages"),
        aws("inspector2:ListFindings"),
        aws("ecr:DescribeImageScanFindings"),
    ],
    rationale: "Scanning being on says nothing about what the scans found in what runs. A critical \
vulnerability in a running image is exploitable for as long as the pods run it, whatever the repository holds \
now: sek follows each pod to the digest it pulled and reads that image's findings (Amazon Inspector under \
enhanced scanning, ECR's own scan under basic), with the packages, fixed versions and known exploits.",
    remediation: Remediation {
        text: "Rebuild the image on a patched base (or bump the vulnerable package to its fixed version), push \
it, and roll the workloads to the new digest. Set [thresholds] vuln_min_severity in sek.toml to fail on high \
findings too.",
        cli: Some(
            "aws inspector2 list-findings --filter-criteria '{\"ecrImageHash\":[{\"comparison\":\"EQUALS\",\"value\":\"<digest>\"}],\"findingStatus\":[{\"comparison\":\"EQUALS\",\"value\":\"ACTIVE\"}]}'",
        ),
        terraform: None,
    },
    links: &[
        "https://docs.aws.amazon.com/inspector/latest/user/scanning-ecr.html",
        "https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-scanning.html",
    ],
    eval: Eval::Cluster(eval),
};

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    let view = kubernetes(ctx)?;
    let workloads = view.workloads()?;
    let threshold = ctx.settings.vuln_min_severity;
    let findings: Vec<Finding> = images_in_use(workloads.iter().copied())
        .iter()
        .map(|image| image_finding(image, scan_of(ctx, image, threshold), threshold))
        .collect();
    Ok(per_image(ctx, findings))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Status;
    use crate::checks::testkit::image::*;
    use crate::checks::testkit::*;

    #[test]
    fn a_critical_finding_in_the_digest_that_runs_fails_with_its_evidence() {
        let inv = scanned_cluster(vec![critical("CVE-2024-3094")]);
        let findings = run(&CHECK, &inv);
        let finding = about(&findings, &format!("{APP_REPOSITORY}@{APP_DIGEST}"));
        assert_eq!(finding.status, Status::Fail);
        assert!(
            finding.message.contains(
                "CVE-2024-3094 (CRITICAL) in xz-libs 5.6.0 (fixed in 5.6.1), exploit known"
            ),
            "{}",
            finding.message
        );
        assert!(
            finding.message.contains("Deployment/web/api"),
            "{}",
            finding.message
        );
        assert_eq!(finding.evidence["workloads"][0], "k8s:Deployment/web/api");
    }

    #[test]
    fn no_finding_at_the_threshold_passes_and_a_lower_threshold_fails_on_high() {
        let inv = scanned_cluster(vec![high("CVE-2")]);
        let findings = run(&CHECK, &inv);
        assert_eq!(
            about(&findings, &format!("{APP_REPOSITORY}@{APP_DIGEST}")).status,
            Status::Pass
        );
        let mut inv = scanned_cluster(vec![high("CVE-2")]);
        read_floor(&mut inv, "high");
        let settings = crate::checks::Settings {
            vuln_min_severity: Severity::High,
            ..Default::default()
        };
        let findings = run_with(&CHECK, &inv, &settings);
        assert_eq!(
            about(&findings, &format!("{APP_REPOSITORY}@{APP_DIGEST}")).status,
            Status::Fail
        );
    }

    #[test]
    fn a_threshold_below_what_was_read_is_an_error_not_a_pass() {
        let inv = scanned_cluster(vec![]);
        let settings = crate::checks::Settings {
            vuln_min_severity: Severity::High,
            ..Default::default()
        };
        let findings = run_with(&CHECK, &inv, &settings);
        let finding = about(&findings, &format!("{APP_REPOSITORY}@{APP_DIGEST}"));
        assert_eq!(finding.status, Status::Error);
        assert!(
            finding.message.contains("vuln_min_severity = \"high\""),
            "{}",
            finding.message
        );
    }

    #[test]
    fn counts_fail_even_when_the_details_were_not_read() {
        let mut inv = scanned_cluster(vec![]);
        let image = &mut inv.ecr_images.got_mut().unwrap().items[0];
        image.vulnerabilities = crate::inventory::Read::NotCollected;
        image.severity_counts.insert("CRITICAL".into(), 2);
        let findings = run(&CHECK, &inv);
        let finding = about(&findings, &format!("{APP_REPOSITORY}@{APP_DIGEST}"));
        assert_eq!(finding.status, Status::Fail);
        assert!(
            finding.message.contains("2 findings at critical or above"),
            "{}",
            finding.message
        );
        // Without counts and without details, nothing is known: an error.
        image_of(&mut inv).severity_counts.clear();
        assert_eq!(
            statuses(&run(&CHECK, &inv))
                .iter()
                .filter(|s| **s == Status::Error)
                .count(),
            1
        );
    }

    #[test]
    fn unscanned_images_are_manual_and_images_outside_ecr_not_applicable() {
        let mut inv = scanned_cluster(vec![]);
        image_of(&mut inv).scan_status = None;
        let findings = run(&CHECK, &inv);
        let finding = about(&findings, APP_REPOSITORY);
        assert_eq!(finding.status, Status::Manual);
        assert!(finding.message.contains("no scan"), "{}", finding.message);
        assert_eq!(about(&findings, "nginx:1.27").status, Status::NotApplicable);
        assert_eq!(about(&findings, EKS_IMAGE).status, Status::NotApplicable);
    }

    #[test]
    fn a_repository_that_could_not_be_read_is_an_error_naming_it() {
        let mut inv = scanned_cluster(vec![]);
        deny_repository(&mut inv);
        let findings = run(&CHECK, &inv);
        let finding = about(&findings, APP_REPOSITORY);
        assert_eq!(finding.status, Status::Error);
        assert!(
            finding.message.contains("ecr:DescribeImages"),
            "{}",
            finding.message
        );
        // Never read at all: an error too.
        inv.ecr_images = crate::inventory::Read::NotCollected;
        assert_eq!(
            about(&run(&CHECK, &inv), APP_REPOSITORY).status,
            Status::Error
        );
    }

    /// A second digest of the `web/api` image, pulled by some of its pods, as ECR holds it.
    fn second_digest(
        inv: &mut crate::inventory::ClusterInventory,
    ) -> &mut crate::inventory::EcrImage {
        let digest = "sha256:ffff";
        crate::checks::testkit::k8s::api_of(inv).digests.insert(
            crate::checks::testkit::k8s::API_IMAGE.into(),
            [digest.to_string()].into(),
        );
        let mut other = image_of(inv).clone();
        other.digest = digest.into();
        let images = &mut inv.ecr_images.got_mut().unwrap().items;
        images.push(other);
        images.last_mut().unwrap()
    }

    #[test]
    fn every_digest_that_runs_is_judged() {
        // One digest vulnerable, the other unscanned: the finding fails.
        let mut inv = scanned_cluster(vec![critical("CVE-1")]);
        second_digest(&mut inv).scan_status = None;
        let findings = run(&CHECK, &inv);
        assert_eq!(about(&findings, APP_DIGEST).status, Status::Fail);
        // One clean, the other's findings unread: an error, not a pass.
        let mut inv = scanned_cluster(vec![]);
        second_digest(&mut inv).vulnerabilities = crate::inventory::Read::NotCollected;
        let findings = run(&CHECK, &inv);
        let finding = about(&findings, "sha256:ffff");
        assert_eq!(finding.status, Status::Error);
        // One clean, the other unscanned: for review.
        let mut inv = scanned_cluster(vec![]);
        second_digest(&mut inv).scan_status = None;
        assert_eq!(
            about(&run(&CHECK, &inv), APP_REPOSITORY).status,
            Status::Manual
        );
    }

    #[test]
    fn an_image_gone_from_its_repository_is_manual() {
        let mut inv = scanned_cluster(vec![]);
        gone_from_repository(&mut inv);
        let finding = about(&run(&CHECK, &inv), APP_REPOSITORY).clone();
        assert_eq!(finding.status, Status::Manual);
        assert!(
            finding.message.contains("no longer in"),
            "{}",
            finding.message
        );
    }
}
