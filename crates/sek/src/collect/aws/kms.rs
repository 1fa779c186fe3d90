//! KMS reads: the key that encrypts the cluster's Secrets.

use sek_core::inventory::{CollectError, KmsKey};

use super::Aws;

/// DescribeKey and GetKeyRotationStatus for `key_arn`, together. A failed rotation read leaves
/// `rotation_enabled` unknown; a failed DescribeKey leaves no key. Failures come back beside it.
pub async fn key(aws: &Aws, key_arn: &str) -> (Option<KmsKey>, Vec<CollectError>) {
    let resources = [key_arn.to_string()];
    let (described, rotation) = tokio::join!(
        aws.call(
            "kms:DescribeKey",
            &resources,
            aws.kms.describe_key().key_id(key_arn).send()
        ),
        aws.call(
            "kms:GetKeyRotationStatus",
            &resources,
            aws.kms.get_key_rotation_status().key_id(key_arn).send()
        ),
    );
    let mut errors = Vec::new();
    let rotation_enabled = match rotation {
        Ok(r) => Some(r.key_rotation_enabled),
        Err(err) => {
            errors.push(err);
            None
        }
    };
    let metadata = match described {
        Ok(output) => output.key_metadata,
        Err(err) => {
            errors.push(err);
            return (None, errors);
        }
    };
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
    (Some(key), errors)
}
