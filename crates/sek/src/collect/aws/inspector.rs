//! Amazon Inspector reads: whether EC2 and ECR scanning are on for the account, what it found on
//! given images and instances (ListFindings, filtered to them), and which instances it covers.

use std::collections::BTreeMap;
use std::future::Future;

use futures::future::join_all;

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

/// Each of `ids` with what `read` found about it, reading them ten per request (Inspector's
/// filter lists take ten values), all batches at once within the scan's bound. A batch that
/// fails fails each of its ids.
async fn in_batches<'a, T, F, Fut>(
    ids: &'a [String],
    read: F,
) -> Vec<(String, Result<T, CollectError>)>
where
    T: Clone,
    F: Fn(&'a [String]) -> Fut,
    Fut: Future<Output = Result<BTreeMap<String, T>, CollectError>>,
{
    let batches = ids.chunks(FILTER_VALUES).map(|batch| {
        let answer = read(batch);
        async move { (batch, answer.await) }
    });
    join_all(batches)
        .await
        .into_iter()
        .flat_map(|(batch, answer)| match answer {
            Ok(found) => found.into_iter().map(|(id, t)| (id, Ok(t))).collect(),
            Err(err) => batch
                .iter()
                .map(|id| (id.clone(), Err(err.clone())))
                .collect::<Vec<_>>(),
        })
        .collect()
}

/// ListFindings: the active findings at or above `floor` about `ids` (image digests or instance
/// ids), filtered by resource and read page by page; every id asked maps to its findings,
/// possibly none.
pub async fn findings(
    aws: &Aws,
    subject: Subject,
    ids: &[String],
    floor: Severity,
) -> Vec<(String, Result<Vec<Vulnerability>, CollectError>)> {
    in_batches(ids, |batch| async move {
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
                "inspector2:ListFindings",
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
            .await?;
        let mut by_id: BTreeMap<String, Vec<Vulnerability>> =
            batch.iter().map(|id| (id.clone(), Vec::new())).collect();
        for finding in pages
            .into_iter()
            .flat_map(|p| p.findings.unwrap_or_default())
        {
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
            for resource in &finding.resources {
                let about = match subject {
                    Subject::EcrImage => resource
                        .details
                        .as_ref()
                        .and_then(|d| d.aws_ecr_container_image.as_ref())
                        .map(|i| &i.image_hash),
                    Subject::Ec2Instance => Some(&resource.id),
                };
                if let Some(list) = about.and_then(|id| by_id.get_mut(id)) {
                    list.push(record.clone());
                }
            }
        }
        Ok(by_id)
    })
    .await
}

/// ListCoverage for the instances `ids`: each one's scan status, `None` for those Inspector
/// does not list.
pub async fn coverage(
    aws: &Aws,
    ids: &[String],
) -> Vec<(String, Result<Option<ScanStatus>, CollectError>)> {
    in_batches(ids, |batch| async move {
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
                "inspector2:ListCoverage",
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
            .await?;
        let covered: Vec<_> = pages
            .into_iter()
            .flat_map(|p| p.covered_resources.unwrap_or_default())
            .collect();
        Ok(batch
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
                (id.clone(), status)
            })
            .collect())
    })
    .await
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

    #[tokio::test]
    async fn ids_are_asked_ten_at_a_time_and_a_failed_batch_fails_each_of_its_ids() {
        let ids: Vec<String> = (0..25).map(|n| format!("i-{n:02}")).collect();
        let asked = std::sync::Mutex::new(Vec::new());
        let answers = in_batches(&ids, |batch| {
            asked.lock().unwrap().push(batch.len());
            let fails = batch.contains(&"i-12".to_string());
            async move {
                if fails {
                    return Err(CollectError::new(
                        "inspector2:ListCoverage",
                        batch.to_vec(),
                        ErrorKind::Throttled,
                        "slow down",
                    ));
                }
                Ok(batch.iter().map(|id| (id.clone(), id.len())).collect())
            }
        })
        .await;
        assert_eq!(*asked.lock().unwrap(), [10, 10, 5]);
        assert_eq!(answers.len(), 25);
        let failed: Vec<&str> = answers
            .iter()
            .filter(|(_, answer)| answer.is_err())
            .map(|(id, _)| id.as_str())
            .collect();
        assert_eq!(
            failed,
            (10..20).map(|n| format!("i-{n:02}")).collect::<Vec<_>>()
        );
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
