//! KMS reads: the key that encrypts the cluster's Secrets.

use sek_core::inventory::{CollectError, KmsKey, Read};

use super::Aws;

/// DescribeKey and GetKeyRotationStatus for `key_arn`: together for a key ARN or id; one after
/// the other for an alias, since GetKeyRotationStatus takes no alias ("you cannot specify an
/// alias", KMS API reference) and needs the key ARN DescribeKey resolves it to. A failed
/// rotation read is recorded in `rotation_enabled`; a failed DescribeKey fails the key.
pub async fn key(aws: &Aws, key_arn: &str) -> Result<KmsKey, CollectError> {
    let resources = [key_arn.to_string()];
    let describe = || {
        aws.call(
            "kms:DescribeKey",
            &resources,
            aws.kms.describe_key().key_id(key_arn).send(),
        )
    };
    let rotation_of = |key: String| async move {
        let resources = [key.clone()];
        aws.call(
            "kms:GetKeyRotationStatus",
            &resources,
            aws.kms.get_key_rotation_status().key_id(&key).send(),
        )
        .await
    };
    let (described, rotation) = if is_alias(key_arn) {
        let described = describe().await;
        let resolved = described
            .as_ref()
            .ok()
            .and_then(|d| d.key_metadata.as_ref())
            .and_then(|m| m.arn.clone());
        let rotation = match resolved {
            Some(key) => Some(rotation_of(key).await),
            // Without the key behind the alias, its rotation cannot be asked for.
            None => None,
        };
        (described, rotation)
    } else {
        let (described, rotation) = tokio::join!(describe(), rotation_of(key_arn.to_string()));
        (described, Some(rotation))
    };
    let rotation_enabled = match rotation {
        Some(read) => read.map(|r| r.key_rotation_enabled).into(),
        None => Read::NotCollected,
    };
    let metadata = described?.key_metadata;
    let key = KmsKey {
        arn: metadata
            .as_ref()
            .and_then(|m| m.arn.clone())
            .unwrap_or_else(|| key_arn.to_string()),
        manager: metadata
            .as_ref()
            .and_then(|m| m.key_manager.as_ref())
            .map(|m| m.as_str().to_string()),
        state: metadata
            .as_ref()
            .and_then(|m| m.key_state.as_ref())
            .map(|s| s.as_str().to_string()),
        rotation_enabled,
    };
    Ok(key)
}

/// Whether a key reference is an alias (`alias/name`, `arn:aws:kms:...:alias/name`).
fn is_alias(key: &str) -> bool {
    key.starts_with("alias/") || key.contains(":alias/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_are_told_from_keys() {
        assert!(is_alias(
            "arn:aws:kms:eu-west-1:111122223333:alias/eks-secrets"
        ));
        assert!(is_alias("alias/eks-secrets"));
        assert!(!is_alias(
            "arn:aws:kms:eu-west-1:111122223333:key/0d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
        ));
        assert!(!is_alias("0d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d"));
    }
}
