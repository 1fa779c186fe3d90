//! ECR reads: the registry's scanning configuration and every repository of the region with
//! its lifecycle and repository policies.

use aws_sdk_ecr::types::{ImageIdentifier, SubjectIdentifier};
use sek_core::checks::Severity;
use sek_core::checks::vuln::severity_of;
use sek_core::inventory::{
    CollectError, Document, EcrImage, EcrLocation, EcrRepository, ErrorKind, Read,
    RegistryScanning, SIGNATURE_ARTIFACT_TYPES, ScanStatus, ScanningRule, Signature, SigningRule,
    Vulnerabilities, Vulnerability, VulnerablePackage,
};

use super::values::timestamp;
use super::{Aws, each};

/// GetRegistryScanningConfiguration.
pub async fn registry_scanning(aws: &Aws) -> Result<RegistryScanning, CollectError> {
    let output = aws
        .call(
            "ecr:GetRegistryScanningConfiguration",
            &[],
            aws.ecr.get_registry_scanning_configuration().send(),
        )
        .await?;
    let configuration = output.scanning_configuration;
    Ok(RegistryScanning {
        scan_type: configuration
            .as_ref()
            .and_then(|c| c.scan_type.as_ref())
            .map(|t| t.as_str().to_string()),
        rules: configuration
            .and_then(|c| c.rules)
            .unwrap_or_default()
            .into_iter()
            .map(|rule| ScanningRule {
                frequency: Some(rule.scan_frequency.as_str().to_string()),
                filters: rule
                    .repository_filters
                    .into_iter()
                    .map(|f| f.filter)
                    .collect(),
            })
            .collect(),
    })
}

/// DescribeRepositories, then GetLifecyclePolicy and GetRepositoryPolicy for each. "Not found"
/// means the policy is absent; any other failure is recorded in that repository's field.
pub async fn repositories(aws: &Aws) -> Result<Vec<EcrRepository>, CollectError> {
    let pages = aws
        .paginate(
            "ecr:DescribeRepositories",
            &[],
            |token| aws.ecr.describe_repositories().set_next_token(token).send(),
            |page| page.next_token(),
        )
        .await;
    let repositories: Vec<_> = pages?
        .into_iter()
        .flat_map(|p| p.repositories.unwrap_or_default())
        .collect();
    let (read, _) = each(&repositories, |repository| async move {
        let name = repository.repository_name.clone().unwrap_or_default();
        let resources = [name.clone()];
        // Each policy is read only when a selected check judges it.
        let (lifecycle, policy) = tokio::join!(
            aws.when(
                "ecr:GetLifecyclePolicy",
                aws.call(
                    "ecr:GetLifecyclePolicy",
                    &resources,
                    aws.ecr.get_lifecycle_policy().repository_name(&name).send()
                )
            ),
            aws.when(
                "ecr:GetRepositoryPolicy",
                aws.call(
                    "ecr:GetRepositoryPolicy",
                    &resources,
                    aws.ecr
                        .get_repository_policy()
                        .repository_name(&name)
                        .send()
                )
            ),
        );
        let lifecycle_policy = lifecycle.map_or(Read::NotCollected, |l| {
            document(l.map(|o| o.lifecycle_policy_text))
        });
        let repository_policy =
            policy.map_or(Read::NotCollected, |p| document(p.map(|o| o.policy_text)));
        let encryption = repository.encryption_configuration.as_ref();
        let read = EcrRepository {
            name,
            arn: repository.repository_arn.clone(),
            uri: repository.repository_uri.clone(),
            scan_on_push: repository
                .image_scanning_configuration
                .as_ref()
                .map(|c| c.scan_on_push),
            tag_mutability: repository
                .image_tag_mutability
                .as_ref()
                .map(|m| m.as_str().to_string()),
            tag_mutability_exclusions: Read::Got(
                repository
                    .image_tag_mutability_exclusion_filters()
                    .iter()
                    .map(|f| f.filter.clone())
                    .collect(),
            ),
            encryption_type: encryption.map(|e| e.encryption_type.as_str().to_string()),
            kms_key: encryption.and_then(|e| e.kms_key.clone()),
            lifecycle_policy,
            repository_policy,
        };
        Ok::<_, CollectError>(Some(read))
    })
    .await;
    Ok(read)
}

/// A policy read: its JSON document, `Absent` when ECR says there is none, the failure when it
/// could not be read.
fn document(read: Result<Option<String>, CollectError>) -> Read<Document> {
    match read {
        Ok(Some(text)) => Read::Got(Document::Present(
            serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)),
        )),
        Ok(None) => Read::Got(Document::Absent),
        Err(err) if err.kind == ErrorKind::NotFound => Read::Got(Document::Absent),
        Err(err) => Read::Failed(err),
    }
}

/// GetSigningConfiguration: the registry's managed signing rules (none configured: empty).
pub async fn signing_rules(aws: &Aws) -> Result<Vec<SigningRule>, CollectError> {
    let output = aws
        .call(
            "ecr:GetSigningConfiguration",
            &[],
            aws.ecr.get_signing_configuration().send(),
        )
        .await;
    let output = match output {
        Ok(output) => output,
        // A registry that never configured signing answers "not found".
        Err(err) if err.kind == ErrorKind::NotFound => return Ok(Vec::new()),
        Err(err) => return Err(err),
    };
    Ok(output
        .signing_configuration
        .map(|c| c.rules)
        .unwrap_or_default()
        .into_iter()
        .map(|rule| SigningRule {
            signing_profile_arn: rule.signing_profile_arn,
            repository_filters: rule
                .repository_filters
                .unwrap_or_default()
                .into_iter()
                .map(|f| f.filter)
                .collect(),
        })
        .collect())
}

/// The most image ids DescribeImages takes at once.
const IMAGE_IDS_PER_CALL: usize = 100;

/// DescribeImages for `ids` (digests `sha256:...`, else tags) of one repository: the images
/// found, and a `NotFound` failure naming `<repository>@<id>` for each that is not there any
/// more. A batch that fails on one missing id is asked again id by id.
pub async fn images(
    aws: &Aws,
    location: &EcrLocation,
    ids: &[String],
) -> (Vec<EcrImage>, Vec<CollectError>) {
    let mut images = Vec::new();
    let mut failed = Vec::new();
    for batch in ids.chunks(IMAGE_IDS_PER_CALL) {
        match describe_images(aws, location, batch).await {
            Ok(found) => images.extend(found),
            Err(err) if err.kind == ErrorKind::NotFound && batch.len() > 1 => {
                for id in batch {
                    match describe_images(aws, location, std::slice::from_ref(id)).await {
                        Ok(found) => images.extend(found),
                        Err(err) => failed.push(about(err, location, Some(id))),
                    }
                }
            }
            Err(err) if err.kind == ErrorKind::NotFound => {
                failed.push(about(err, location, batch.first()));
            }
            Err(err) => failed.push(about(err, location, None)),
        }
    }
    (images, failed)
}

/// `err`, about the repository at `location` (and the image `id` in it).
fn about(mut err: CollectError, location: &EcrLocation, id: Option<&String>) -> CollectError {
    err.resources = vec![location.failure_resource(id.map(String::as_str))];
    err
}

async fn describe_images(
    aws: &Aws,
    location: &EcrLocation,
    ids: &[String],
) -> Result<Vec<EcrImage>, CollectError> {
    let image_ids: Vec<ImageIdentifier> = ids
        .iter()
        .map(|id| {
            let builder = ImageIdentifier::builder();
            if id.starts_with("sha256:") {
                builder.image_digest(id)
            } else {
                builder.image_tag(id)
            }
            .build()
        })
        .collect();
    let resources = [location.name()];
    let pages = aws
        .paginate(
            "ecr:DescribeImages",
            &resources,
            |token| {
                aws.ecr
                    .describe_images()
                    .registry_id(&location.registry_id)
                    .repository_name(&location.repository)
                    .set_image_ids(Some(image_ids.clone()))
                    .set_next_token(token)
                    .send()
            },
            |page| page.next_token(),
        )
        .await?;
    Ok(pages
        .into_iter()
        .flat_map(|p| p.image_details.unwrap_or_default())
        .map(|detail| EcrImage {
            location: location.clone(),
            digest: detail.image_digest.unwrap_or_default(),
            tags: detail.image_tags.unwrap_or_default(),
            pushed_at: timestamp(detail.image_pushed_at.as_ref()),
            scan_status: detail.image_scan_status.and_then(|s| {
                Some(ScanStatus {
                    status: s.status?.as_str().to_string(),
                    description: s.description,
                })
            }),
            severity_counts: detail
                .image_scan_findings_summary
                .and_then(|s| s.finding_severity_counts)
                .unwrap_or_default()
                .into_iter()
                .map(|(severity, count)| (severity.as_str().to_string(), i64::from(count)))
                .collect(),
            vulnerabilities: Read::NotCollected,
            signatures: Read::NotCollected,
        })
        .collect())
}

/// DescribeImageScanFindings (basic scanning): the findings of one image at or above `floor`.
pub async fn basic_findings(
    aws: &Aws,
    image: &EcrImage,
    floor: Severity,
) -> Result<Vulnerabilities, CollectError> {
    let resources = [image.reference()];
    let pages = aws
        .paginate(
            "ecr:DescribeImageScanFindings",
            &resources,
            |token| {
                aws.ecr
                    .describe_image_scan_findings()
                    .registry_id(&image.location.registry_id)
                    .repository_name(&image.location.repository)
                    .image_id(
                        ImageIdentifier::builder()
                            .image_digest(&image.digest)
                            .build(),
                    )
                    .set_next_token(token)
                    .send()
            },
            |page| page.next_token(),
        )
        .await?;
    let mut findings = Vec::new();
    for page in pages {
        let Some(scan) = page.image_scan_findings else {
            continue;
        };
        for finding in scan.findings.unwrap_or_default() {
            let severity = finding
                .severity
                .map(|s| s.as_str().to_string())
                .unwrap_or_default();
            if !reaches(&severity, floor) {
                continue;
            }
            let attribute = |key: &str| {
                finding
                    .attributes
                    .iter()
                    .flatten()
                    .find(|a| a.key == key)
                    .and_then(|a| a.value.clone())
            };
            findings.push(Vulnerability {
                id: finding.name.clone().unwrap_or_default(),
                severity,
                packages: attribute("package_name")
                    .map(|name| VulnerablePackage {
                        name,
                        version: attribute("package_version"),
                        fixed_in: None,
                    })
                    .into_iter()
                    .collect(),
                fix_available: None,
                exploit_available: None,
            });
        }
        for finding in scan.enhanced_findings.unwrap_or_default() {
            let severity = finding.severity.clone().unwrap_or_default();
            if !reaches(&severity, floor) {
                continue;
            }
            let details = finding.package_vulnerability_details;
            let id = details.as_ref().and_then(|d| d.vulnerability_id.clone());
            let packages = details
                .and_then(|d| d.vulnerable_packages)
                .unwrap_or_default()
                .into_iter();
            findings.push(super::inspector::vulnerability(
                severity,
                id.unwrap_or_default(),
                packages.map(|p| (p.name.unwrap_or_default(), p.version, p.fixed_in_version)),
                finding.fix_available,
                finding.exploit_available,
            ));
        }
    }
    Ok(Vulnerabilities {
        source: "ecr".into(),
        min_severity: floor.as_str().into(),
        findings,
    })
}

/// Whether a scanner's `severity` is at or above `floor` (unknown ones are kept: they are
/// shown, and rank nowhere).
pub fn reaches(severity: &str, floor: Severity) -> bool {
    severity_of(severity).is_none_or(|severity| severity >= floor)
}

/// ListImageReferrers: the image's referrers that are signatures.
pub async fn signatures(aws: &Aws, image: &EcrImage) -> Result<Vec<Signature>, CollectError> {
    let resources = [image.reference()];
    let pages = aws
        .paginate(
            "ecr:ListImageReferrers",
            &resources,
            |token| {
                aws.ecr
                    .list_image_referrers()
                    .registry_id(&image.location.registry_id)
                    .repository_name(&image.location.repository)
                    .subject_id(
                        SubjectIdentifier::builder()
                            .image_digest(&image.digest)
                            .build()
                            .expect("the digest is set"),
                    )
                    .set_next_token(token)
                    .send()
            },
            |page| page.next_token(),
        )
        .await?;
    Ok(pages
        .into_iter()
        .flat_map(|p| p.referrers.unwrap_or_default())
        .filter_map(|referrer| {
            let artifact_type = referrer.artifact_type?;
            SIGNATURE_ARTIFACT_TYPES
                .contains(&artifact_type.as_str())
                .then_some(Signature {
                    artifact_type,
                    digest: referrer.digest,
                })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_found_is_absent_and_other_failures_are_unknown() {
        let not_found = CollectError::new(
            "ecr:GetLifecyclePolicy",
            vec!["web".into()],
            ErrorKind::NotFound,
            "LifecyclePolicyNotFoundException: none",
        );
        assert_eq!(document(Err(not_found)), Read::Got(Document::Absent));
        let denied = CollectError::new(
            "ecr:GetLifecyclePolicy",
            vec!["web".into()],
            ErrorKind::AccessDenied,
            "AccessDeniedException",
        );
        assert_eq!(document(Err(denied.clone())), Read::Failed(denied));
        assert_eq!(
            document(Ok(Some("{\"rules\":[]}".into()))),
            Read::Got(Document::Present(serde_json::json!({ "rules": [] })))
        );
    }

    #[test]
    fn the_floor_keeps_what_can_fail_and_unknown_severities() {
        assert!(reaches("CRITICAL", Severity::Critical));
        assert!(!reaches("HIGH", Severity::Critical));
        assert!(reaches("high", Severity::High));
        assert!(!reaches("MEDIUM", Severity::High));
        assert!(reaches("LOW", Severity::Low));
        assert!(!reaches("INFORMATIONAL", Severity::Low));
        // Untriaged findings are kept: shown, though they rank nowhere.
        assert!(reaches("UNTRIAGED", Severity::Critical));
    }

    #[test]
    fn a_failure_names_the_repository_and_the_image() {
        let err = CollectError::new("ecr:DescribeImages", vec![], ErrorKind::NotFound, "gone");
        let location = EcrLocation {
            registry_id: "111122223333".into(),
            region: "eu-west-1".into(),
            repository: "api".into(),
        };
        let name = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/api";
        assert_eq!(about(err.clone(), &location, None).resources, [name]);
        let id = "sha256:aa".to_string();
        assert_eq!(
            about(err, &location, Some(&id)).resources,
            [format!("{name}@sha256:aa")]
        );
    }
}
