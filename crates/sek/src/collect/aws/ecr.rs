//! ECR reads: the registry's scanning configuration and every repository of the region with
//! its lifecycle and repository policies.

use sek_core::inventory::{
    CollectError, Document, EcrRepository, ErrorKind, Read, RegistryScanning, ScanningRule,
};

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
}
