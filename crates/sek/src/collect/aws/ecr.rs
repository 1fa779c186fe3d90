//! ECR reads: the registry's scanning configuration and every repository of the region with
//! its lifecycle and repository policies.

use sek_core::inventory::{
    CollectError, Document, EcrRepository, ErrorKind, RegistryScanning, ScanningRule,
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
/// means the policy is absent; any other failure leaves it unknown (`None`) and is returned.
pub async fn repositories(aws: &Aws) -> (Option<Vec<EcrRepository>>, Vec<CollectError>) {
    let pages = aws
        .paginate(
            "ecr:DescribeRepositories",
            &[],
            |token| aws.ecr.describe_repositories().set_next_token(token).send(),
            |page| page.next_token(),
        )
        .await;
    let repositories: Vec<_> = match pages {
        Ok(pages) => pages
            .into_iter()
            .flat_map(|p| p.repositories.unwrap_or_default())
            .collect(),
        Err(err) => return (None, vec![err]),
    };
    let (read, _) = each(&repositories, |repository| async move {
        let name = repository.repository_name.clone().unwrap_or_default();
        let resources = [name.clone()];
        let (lifecycle, policy) = tokio::join!(
            aws.call(
                "ecr:GetLifecyclePolicy",
                &resources,
                aws.ecr.get_lifecycle_policy().repository_name(&name).send()
            ),
            aws.call(
                "ecr:GetRepositoryPolicy",
                &resources,
                aws.ecr
                    .get_repository_policy()
                    .repository_name(&name)
                    .send()
            ),
        );
        let mut errors = Vec::new();
        let lifecycle_policy = document(lifecycle.map(|o| o.lifecycle_policy_text), &mut errors);
        let repository_policy = document(policy.map(|o| o.policy_text), &mut errors);
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
            tag_mutability_exclusions: Some(
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
        Ok::<_, CollectError>(Some((read, errors)))
    })
    .await;
    let mut errors = Vec::new();
    let repositories = read
        .into_iter()
        .map(|(repository, failed)| {
            errors.extend(failed);
            repository
        })
        .collect();
    (Some(repositories), errors)
}

/// A policy read: its JSON document, `Absent` when ECR says there is none, `None` (with the
/// error kept) when it could not be read.
fn document(
    read: Result<Option<String>, CollectError>,
    errors: &mut Vec<CollectError>,
) -> Option<Document> {
    match read {
        Ok(Some(text)) => Some(Document::Present(
            serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)),
        )),
        Ok(None) => Some(Document::Absent),
        Err(err) if err.kind == ErrorKind::NotFound => Some(Document::Absent),
        Err(err) => {
            errors.push(err);
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_found_is_absent_and_other_failures_are_unknown() {
        let mut errors = Vec::new();
        let not_found = CollectError::new(
            "ecr:GetLifecyclePolicy",
            vec!["web".into()],
            ErrorKind::NotFound,
            "LifecyclePolicyNotFoundException: none",
        );
        assert_eq!(
            document(Err(not_found), &mut errors),
            Some(Document::Absent)
        );
        assert!(errors.is_empty());
        let denied = CollectError::new(
            "ecr:GetLifecyclePolicy",
            vec!["web".into()],
            ErrorKind::AccessDenied,
            "AccessDeniedException",
        );
        assert_eq!(document(Err(denied), &mut errors), None);
        assert_eq!(errors.len(), 1);
        assert_eq!(
            document(Ok(Some("{\"rules\":[]}".into())), &mut errors),
            Some(Document::Present(serde_json::json!({ "rules": [] })))
        );
    }
}
