//! Amazon Inspector reads: whether EC2 and ECR scanning are on for the account, what it found on
//! given images and instances (ListFindings, filtered to them), and which instances it covers.

use std::collections::BTreeMap;

use aws_sdk_inspector2::types::{
    CoverageFilterCriteria, CoverageStringComparison, CoverageStringFilter, FilterCriteria,
    PackageVulnerabilityDetails, StringComparison, StringFilter,
};
use sek_core::checks::Severity;
use sek_core::inventory::{
    CollectError, ErrorKind, InspectorStatus, ScanStatus, Vulnerability, VulnerablePackage,
};

use super::Aws;

/// BatchGetAccountStatus for the caller's account.
pub async fn status(aws: &Aws) -> Result<InspectorStatus, CollectError> {
    const API: &str = "inspector2:BatchGetAccountStatus";
    let output = aws
        .call(API, &[], aws.inspector.batch_get_account_status().send())
        .await?;
    if let Some(account) = output.accounts.into_iter().next() {
        let resources = account.resource_state;
        let status = |state: Option<aws_sdk_inspector2::types::State>| {
            state.map(|s| s.status.as_str().to_string())
        };
        return Ok(InspectorStatus {
            ec2: status(resources.as_ref().and_then(|r| r.ec2.clone())),
            ecr: status(resources.and_then(|r| r.ecr)),
        });
    }
    let reason = output
        .failed_accounts
        .unwrap_or_default()
        .into_iter()
        .next()
        .map(|f| format!("{}: {}", f.error_code.as_str(), f.error_message))
        .unwrap_or_else(|| "the response named no account".into());
    Err(CollectError::new(API, Vec::new(), ErrorKind::Other, reason))
}

/// The most values one Inspector filter list takes.
const FILTER_VALUES: usize = 10;
/// The most findings or covered resources per page.
const PAGE_SIZE: i32 = 100;

/// A vulnerable package as a finding names it: (name, installed version, fixed version).
pub type Package = (String, Option<String>, Option<String>);

/// A finding as sek records it: Inspector's, or ECR's enhanced (the same data in ECR's types).
pub fn vulnerability(
    severity: String,
    id: String,
    packages: impl IntoIterator<Item = Package>,
    fix_available: Option<String>,
    exploit_available: Option<String>,
) -> Vulnerability {
    let known = |v: Option<String>| v.filter(|v| !v.is_empty() && v != "NotAvailable");
    Vulnerability {
        id,
        severity,
        packages: packages
            .into_iter()
            .map(|(name, version, fixed_in)| VulnerablePackage {
                name,
                version: known(version),
                fixed_in: known(fixed_in),
            })
            .collect(),
        fix_available,
        exploit_available,
    }
}

/// An Inspector finding's vulnerability id and packages.
fn details(details: Option<&PackageVulnerabilityDetails>) -> (String, Vec<Package>) {
    details.map_or((String::new(), Vec::new()), |d| {
        let packages = d
            .vulnerable_packages
            .iter()
            .flatten()
            .map(|p| {
                (
                    p.name.clone(),
                    Some(p.version.clone()),
                    p.fixed_in_version.clone(),
                )
            })
            .collect();
        (d.vulnerability_id.clone(), packages)
    })
}

/// The severities at or above `floor`, as Inspector names them.
fn severities(floor: Severity) -> Vec<StringFilter> {
    [
        "CRITICAL",
        "HIGH",
        "MEDIUM",
        "LOW",
        "INFORMATIONAL",
        "UNTRIAGED",
    ]
    .into_iter()
    .filter(|s| super::ecr::reaches(s, floor))
    .map(equals)
    .collect()
}

fn equals(value: &str) -> StringFilter {
    StringFilter::builder()
        .comparison(StringComparison::Equals)
        .value(value)
        .build()
        .expect("comparison and value are set")
}

/// What a finding is about: an ECR image hash or an EC2 instance id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// `ecrImageHash`.
    EcrImage,
    /// `resourceId`: the instance id.
    Ec2Instance,
}

/// ListFindings: the active findings at or above `floor` about `ids` (image digests or instance
/// ids), filtered by resource ten at a time and read page by page; each id maps to its findings
/// (every id asked is present, possibly with none). A failed batch fails its ids.
pub async fn findings(
    aws: &Aws,
    subject: Subject,
    ids: &[String],
    floor: Severity,
) -> Vec<(String, Result<Vec<Vulnerability>, CollectError>)> {
    const API: &str = "inspector2:ListFindings";
    let batches = ids.chunks(FILTER_VALUES).map(|batch| async move {
        let mut criteria = FilterCriteria::builder()
            .finding_status(equals("ACTIVE"))
            .set_severity(Some(severities(floor)));
        for id in batch {
            criteria = match subject {
                Subject::EcrImage => criteria.ecr_image_hash(equals(id)),
                Subject::Ec2Instance => criteria.resource_id(equals(id)),
            };
        }
        let criteria = criteria.build();
        let pages = aws
            .paginate(
                API,
                batch,
                |token| {
                    aws.inspector
                        .list_findings()
                        .filter_criteria(criteria.clone())
                        .max_results(PAGE_SIZE)
                        .set_next_token(token)
                        .send()
                },
                |page| page.next_token(),
            )
            .await;
        match pages {
            Err(err) => batch
                .iter()
                .map(|id| (id.clone(), Err(err.clone())))
                .collect::<Vec<_>>(),
            Ok(pages) => {
                let mut by_id: BTreeMap<String, Vec<Vulnerability>> =
                    batch.iter().map(|id| (id.clone(), Vec::new())).collect();
                for finding in pages
                    .into_iter()
                    .flat_map(|p| p.findings.unwrap_or_default())
                {
                    let about: Vec<String> = finding
                        .resources
                        .iter()
                        .filter_map(|r| match subject {
                            Subject::EcrImage => r
                                .details
                                .as_ref()
                                .and_then(|d| d.aws_ecr_container_image.as_ref())
                                .map(|i| i.image_hash.clone()),
                            Subject::Ec2Instance => Some(r.id.clone()),
                        })
                        .collect();
                    let (id, packages) = details(finding.package_vulnerability_details.as_ref());
                    let record = vulnerability(
                        finding.severity.as_str().to_string(),
                        id,
                        packages,
                        finding
                            .fix_available
                            .as_ref()
                            .map(|f| f.as_str().to_string()),
                        finding
                            .exploit_available
                            .as_ref()
                            .map(|e| e.as_str().to_string()),
                    );
                    for id in about {
                        if let Some(list) = by_id.get_mut(&id) {
                            list.push(record.clone());
                        }
                    }
                }
                by_id.into_iter().map(|(id, list)| (id, Ok(list))).collect()
            }
        }
    });
    futures::future::join_all(batches)
        .await
        .into_iter()
        .flatten()
        .collect()
}

/// ListCoverage for the instances `ids`: each one's scan status, `None` for those Inspector
/// does not list. A failed batch fails its ids.
pub async fn coverage(
    aws: &Aws,
    ids: &[String],
) -> Vec<(String, Result<Option<ScanStatus>, CollectError>)> {
    const API: &str = "inspector2:ListCoverage";
    let batches = ids.chunks(FILTER_VALUES).map(|batch| async move {
        let mut criteria = CoverageFilterCriteria::builder();
        for id in batch {
            criteria = criteria.resource_id(
                CoverageStringFilter::builder()
                    .comparison(CoverageStringComparison::Equals)
                    .value(id)
                    .build()
                    .expect("comparison and value are set"),
            );
        }
        let criteria = criteria.build();
        let pages = aws
            .paginate(
                API,
                batch,
                |token| {
                    aws.inspector
                        .list_coverage()
                        .filter_criteria(criteria.clone())
                        .max_results(PAGE_SIZE)
                        .set_next_token(token)
                        .send()
                },
                |page| page.next_token(),
            )
            .await;
        match pages {
            Err(err) => batch
                .iter()
                .map(|id| (id.clone(), Err(err.clone())))
                .collect::<Vec<_>>(),
            Ok(pages) => {
                let covered: Vec<_> = pages
                    .into_iter()
                    .flat_map(|p| p.covered_resources.unwrap_or_default())
                    .collect();
                batch
                    .iter()
                    .map(|id| {
                        let status = covered
                            .iter()
                            .find(|c| &c.resource_id == id)
                            .and_then(|c| c.scan_status.as_ref())
                            .map(|s| ScanStatus {
                                status: s.status_code.as_str().to_string(),
                                description: Some(s.reason.as_str().to_string()),
                            });
                        (id.clone(), Ok(status))
                    })
                    .collect()
            }
        }
    });
    futures::future::join_all(batches)
        .await
        .into_iter()
        .flatten()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_finding_keeps_its_packages_and_drops_placeholder_versions() {
        let recorded = vulnerability(
            "CRITICAL".into(),
            "CVE-2024-1086".into(),
            [
                (
                    "kernel".into(),
                    Some("6.1.112".into()),
                    Some("6.1.115".into()),
                ),
                (
                    "curl".into(),
                    Some(String::new()),
                    Some("NotAvailable".into()),
                ),
            ],
            Some("PARTIAL".into()),
            Some("YES".into()),
        );
        assert_eq!(recorded.id, "CVE-2024-1086");
        assert_eq!(recorded.packages[0].fixed_in.as_deref(), Some("6.1.115"));
        assert_eq!(recorded.packages[1].version, None);
        assert_eq!(recorded.packages[1].fixed_in, None);
        assert_eq!(recorded.fix_available.as_deref(), Some("PARTIAL"));
    }

    #[test]
    fn the_severity_filter_asks_for_the_floor_and_above() {
        let values = |floor| {
            severities(floor)
                .into_iter()
                .map(|f| f.value)
                .collect::<Vec<_>>()
        };
        assert_eq!(values(Severity::Critical), ["CRITICAL", "UNTRIAGED"]);
        assert_eq!(values(Severity::High), ["CRITICAL", "HIGH", "UNTRIAGED"]);
    }
}
