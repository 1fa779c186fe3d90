//! `ecr-scan`: every repository's images are scanned for vulnerabilities: a registry scanning
//! rule whose filter matches it, or, with basic scanning, the repository's own scan on push.
//!
//! ECR semantics: a filter without a wildcard matches every repository whose name contains it; a
//! filter with `*` matches names where `*` stands for any run of characters. With the registry on
//! ENHANCED scanning (Amazon Inspector), only its rules decide: a repository's basic
//! `scanOnPush` flag no longer applies
//! (<https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-scanning.html>).

use serde_json::json;

use super::{per_repository, scan_filter_matches};
use crate::checks::frameworks::{bp, cis13, cis18, nist};
use crate::checks::{Area, Check, Eval, Evaluation, Finding, RegionCtx, Remediation, Severity};
use crate::inventory::aws;

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
        aws("ecr:DescribeRepositories"),
        aws("ecr:GetRegistryScanningConfiguration"),
    ],
    rationale: "Images carry the OS packages and libraries of their base image. Scanning on push (and \
continuously, with enhanced scanning) finds known vulnerabilities before and after the image reaches the cluster. \
As ECR applies registry scanning filters, one without a wildcard matches every repository whose name contains \
it, and one with `*` matches names where `*` stands for any characters; with the registry on ENHANCED scanning \
only its rules decide, and a repository's own scan-on-push flag no longer applies.",
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
    links: &[
        "https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-scanning.html",
        "https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-scanning-enhanced-enabling.html",
    ],
    eval: Eval::Region(eval),
};

fn eval(ctx: &RegionCtx<'_>) -> Evaluation {
    per_repository(ctx, |region, repository, arn| {
        let name = &repository.name;
        // Without the registry's configuration, neither its rules nor whether the repository's
        // own flag still counts (it does not under enhanced scanning) are known.
        let scanning = region.ecr_scanning()?;
        let evidence = json!({
            "scan_on_push": repository.scan_on_push,
            "registry_scanning": scanning,
        });
        let enhanced = scanning.scan_type.as_deref() == Some("ENHANCED");
        let rule = scanning.rules.iter().find(|rule| {
            let scans = match rule.frequency.as_deref() {
                Some("SCAN_ON_PUSH") => true,
                Some("CONTINUOUS_SCAN") => enhanced,
                _ => false,
            };
            scans && rule.filters.iter().any(|f| scan_filter_matches(f, name))
        });
        let scan_type = scanning.scan_type.as_deref().unwrap_or("BASIC");
        Ok(match (rule, repository.scan_on_push) {
            (Some(rule), _) => Finding::pass(
                arn,
                format!(
                    "{name} is scanned ({scan_type} {})",
                    rule.frequency.as_deref().unwrap_or("")
                ),
            ),
            (None, Some(true)) if !enhanced => {
                Finding::pass(arn, format!("{name} is scanned on push (basic)"))
            }
            (None, Some(true)) => Finding::fail(
                arn,
                format!(
                    "{name} is not scanned: the registry uses ENHANCED scanning, where the \
repository's scan-on-push flag no longer applies, and no registry rule matches it"
                ),
            ),
            (None, _) => Finding::fail(
                arn,
                format!("{name}'s images are not scanned; turn on (enhanced) scanning"),
            ),
        }
        .with_evidence(evidence))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Settings;
    use crate::checks::Status;
    use crate::checks::testkit::*;
    use crate::inventory::{RegistryScanning, ScanningRule};

    fn scan(region: &crate::inventory::RegionInventory) -> Vec<Finding> {
        run_full(&CHECK, &cluster(), Some(region), None, &Settings::default())
    }

    #[test]
    fn scan_on_push_or_a_matching_registry_rule_passes() {
        assert_eq!(statuses(&scan(&region())), [Status::Pass]);
        let mut region = region();
        region.ecr_repositories.got_mut().unwrap()[0].scan_on_push = Some(false);
        region.ecr_scanning = read(RegistryScanning {
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
        region.ecr_repositories.got_mut().unwrap()[0].scan_on_push = Some(false);
        region.ecr_scanning = read(RegistryScanning {
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

    fn scanning(scan_type: &str, frequency: &str, filters: &[&str]) -> RegistryScanning {
        RegistryScanning {
            scan_type: Some(scan_type.into()),
            rules: vec![ScanningRule {
                frequency: Some(frequency.into()),
                filters: filters.iter().map(|f| f.to_string()).collect(),
            }],
        }
    }

    #[test]
    fn a_filter_without_a_wildcard_matches_names_that_contain_it() {
        let mut region = region();
        region.ecr_repositories.got_mut().unwrap()[0].scan_on_push = Some(false);
        // The repository is `app`: `ap` has no wildcard, so it matches by containment.
        region.ecr_scanning = read(scanning("ENHANCED", "CONTINUOUS_SCAN", &["ap"]));
        assert_eq!(statuses(&scan(&region)), [Status::Pass]);
        region.ecr_scanning = read(scanning("ENHANCED", "CONTINUOUS_SCAN", &["api"]));
        assert_eq!(statuses(&scan(&region)), [Status::Fail]);
    }

    #[test]
    fn under_enhanced_scanning_the_repository_flag_does_not_count() {
        let mut region = region();
        region.ecr_repositories.got_mut().unwrap()[0].scan_on_push = Some(true);
        region.ecr_scanning = read(scanning("ENHANCED", "CONTINUOUS_SCAN", &["other-*"]));
        let findings = scan(&region);
        assert_eq!(statuses(&findings), [Status::Fail]);
        assert!(
            findings[0].message.contains("ENHANCED"),
            "{}",
            findings[0].message
        );
        // Under basic scanning it does.
        region.ecr_scanning = read(scanning("BASIC", "SCAN_ON_PUSH", &["other-*"]));
        assert_eq!(statuses(&scan(&region)), [Status::Pass]);
        // A continuous rule is an enhanced-scanning frequency: under basic, it scans nothing.
        region.ecr_repositories.got_mut().unwrap()[0].scan_on_push = Some(false);
        region.ecr_scanning = read(scanning("BASIC", "CONTINUOUS_SCAN", &["*"]));
        assert_eq!(statuses(&scan(&region)), [Status::Fail]);
    }

    #[test]
    fn unread_registry_scanning_is_an_error_even_with_scan_on_push() {
        let mut region = region();
        region.ecr_repositories.got_mut().unwrap()[0].scan_on_push = Some(true);
        region.ecr_scanning = Read::Failed(denied("ecr:GetRegistryScanningConfiguration", &[]));
        assert_eq!(statuses(&scan(&region)), [Status::Error]);
    }

    #[test]
    fn no_repositories_is_not_applicable_and_unlisted_ones_an_error() {
        let mut region = region();
        region.ecr_repositories = read(vec![]);
        assert_eq!(statuses(&scan(&region)), [Status::NotApplicable]);
        region.ecr_repositories = Read::Failed(denied("ecr:DescribeRepositories", &[]));
        let findings = scan(&region);
        assert_eq!(statuses(&findings), [Status::Error]);
        assert!(findings[0].message.contains("ecr:DescribeRepositories"));
    }
}
