//! `ecr-scan`: every repository's images are scanned for vulnerabilities: basic scan on push, or a
//! registry scanning rule (basic or enhanced with Amazon Inspector) whose filter matches it.

use serde_json::json;

use super::per_repository;
use crate::checks::frameworks::{bp, cis13, cis18, nist};
use crate::checks::shared::iam_policy::action_matches;
use crate::checks::shared::unread;
use crate::checks::{Area, Check, Ctx, Finding, Remediation, Scope, Severity};

/// The check.
pub static CHECK: Check = Check {
    id: "ecr-scan",
    aliases: &[],
    area: Area::Ecr,
    title: "ECR images are scanned for vulnerabilities",
    severity: Severity::Medium,
    refs: &[
        cis13("5.1.1"),
        cis18("5.1.1"),
        nist("DE.CM-8"),
        bp("image-security"),
    ],
    needs: &[
        "ecr:DescribeRepositories",
        "ecr:GetRegistryScanningConfiguration",
    ],
    rationale: "Images carry the OS packages and libraries of their base image. Scanning on push (and \
continuously, with enhanced scanning) finds known vulnerabilities before and after the image reaches the cluster.",
    remediation: Remediation {
        text: "Turn on enhanced scanning for the registry (Amazon Inspector, continuous) with a `*` filter, or \
at least basic scan on push.",
        cli: Some(
            "aws ecr put-registry-scanning-configuration --scan-type ENHANCED --rules '[{\"scanFrequency\":\"CONTINUOUS_SCAN\",\"repositoryFilters\":[{\"filter\":\"*\",\"filterType\":\"WILDCARD\"}]}]'",
        ),
        terraform: Some(
            "resource \"aws_ecr_registry_scanning_configuration\" \"this\" { scan_type = \"ENHANCED\" ... }",
        ),
    },
    links: &["https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-scanning.html"],
    scope: Scope::Region,
    eval,
};

fn eval(ctx: &Ctx<'_>) -> Vec<Finding> {
    per_repository(ctx, |region, repository, arn| {
        let scanning = region.ecr_scanning.as_ref();
        let rule = scanning.and_then(|s| {
            s.rules.iter().find(|rule| {
                matches!(
                    rule.frequency.as_deref(),
                    Some("SCAN_ON_PUSH" | "CONTINUOUS_SCAN")
                ) && rule
                    .filters
                    .iter()
                    .any(|f| action_matches(f, &repository.name))
            })
        });
        let evidence =
            json!({ "scan_on_push": repository.scan_on_push, "registry_scanning": scanning });
        match (rule, repository.scan_on_push) {
            (Some(rule), _) => Finding::pass(
                arn,
                format!(
                    "{} is scanned ({} {})",
                    repository.name,
                    scanning
                        .and_then(|s| s.scan_type.as_deref())
                        .unwrap_or("registry"),
                    rule.frequency.as_deref().unwrap_or("")
                ),
            ),
            (None, Some(true)) => {
                Finding::pass(arn, format!("{} is scanned on push", repository.name))
            }
            (None, _) if scanning.is_none() => unread(
                arn,
                "registry scanning",
                &region.gaps,
                &["ecr:GetRegistryScanningConfiguration"],
            ),
            (None, _) => Finding::fail(
                arn,
                format!(
                    "{}'s images are not scanned; turn on (enhanced) scanning",
                    repository.name
                ),
            ),
        }
        .with_evidence(evidence)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Status;
    use crate::checks::testkit::*;
    use crate::config::Settings;
    use crate::inventory::{RegistryScanning, ScanningRule};

    fn scan(region: &crate::inventory::RegionInventory) -> Vec<Finding> {
        run_full(&CHECK, &cluster(), Some(region), None, &Settings::default())
    }

    #[test]
    fn scan_on_push_or_a_matching_registry_rule_passes() {
        assert_eq!(statuses(&scan(&region())), [Status::Pass]);
        let mut region = region();
        region.ecr_repositories.as_mut().unwrap()[0].scan_on_push = Some(false);
        region.ecr_scanning = Some(RegistryScanning {
            scan_type: Some("ENHANCED".into()),
            rules: vec![ScanningRule {
                frequency: Some("CONTINUOUS_SCAN".into()),
                filters: vec!["ap*".into()],
            }],
        });
        assert_eq!(statuses(&scan(&region)), [Status::Pass]);
    }

    #[test]
    fn unscanned_repositories_fail() {
        let mut region = region();
        region.ecr_repositories.as_mut().unwrap()[0].scan_on_push = Some(false);
        region.ecr_scanning = Some(RegistryScanning {
            scan_type: Some("ENHANCED".into()),
            rules: vec![ScanningRule {
                frequency: Some("CONTINUOUS_SCAN".into()),
                filters: vec!["other-*".into()],
            }],
        });
        let findings = scan(&region);
        assert_eq!(statuses(&findings), [Status::Fail]);
        assert_eq!(
            findings[0].resource,
            "arn:aws:ecr:eu-west-1:111122223333:repository/app"
        );
    }

    #[test]
    fn no_repositories_is_not_applicable_and_unlisted_ones_an_error() {
        let mut region = region();
        region.ecr_repositories = Some(vec![]);
        assert_eq!(statuses(&scan(&region)), [Status::NotApplicable]);
        region.ecr_repositories = None;
        region.gaps.push(denied("ecr:DescribeRepositories", &[]));
        let findings = scan(&region);
        assert_eq!(statuses(&findings), [Status::Error]);
        assert!(findings[0].message.contains("ecr:DescribeRepositories"));
    }
}
