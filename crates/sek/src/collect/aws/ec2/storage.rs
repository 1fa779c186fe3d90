//! Volumes, AMIs, and the region's EBS encryption default.

use super::Aws;
use super::*;
use sek_core::inventory::{CollectError, Image, Volume};

/// DescribeVolumes by id.
pub async fn volumes(aws: &Aws, ids: &[String]) -> (Vec<Volume>, Vec<CollectError>) {
    let (found, errors) = batched(
        aws,
        "ec2:DescribeVolumes",
        ids,
        |batch, token| {
            aws.ec2
                .describe_volumes()
                .filters(filter("volume-id", batch))
                .set_next_token(token)
                .send()
        },
        |page| page.next_token(),
        |page| page.volumes.unwrap_or_default(),
    )
    .await;
    let volumes = found
        .into_iter()
        .map(|v| Volume {
            id: v.volume_id.unwrap_or_default(),
            encrypted: v.encrypted,
            kms_key_id: v.kms_key_id,
            size_gib: v.size,
            volume_type: v.volume_type.map(|t| t.as_str().to_string()),
            attached_to: v
                .attachments
                .unwrap_or_default()
                .into_iter()
                .filter_map(|a| a.instance_id)
                .collect(),
        })
        .collect();
    (volumes, errors)
}

/// DescribeImages by id (deprecated images included: old nodes run them).
pub async fn images(aws: &Aws, ids: &[String]) -> (Vec<Image>, Vec<CollectError>) {
    let (found, errors) = batched(
        aws,
        "ec2:DescribeImages",
        ids,
        |batch, token| {
            aws.ec2
                .describe_images()
                .filters(filter("image-id", batch))
                .include_deprecated(true)
                .set_next_token(token)
                .send()
        },
        |page| page.next_token(),
        |page| page.images.unwrap_or_default(),
    )
    .await;
    let images = found
        .into_iter()
        .map(|image| Image {
            id: image.image_id.unwrap_or_default(),
            name: image.name,
            owner_id: image.owner_id,
            owner_alias: image.image_owner_alias,
            description: image.description,
        })
        .collect();
    (images, errors)
}

/// GetEbsEncryptionByDefault: whether new volumes in the region are encrypted.
pub async fn ebs_encryption_by_default(aws: &Aws) -> Result<bool, CollectError> {
    let output = aws
        .call(
            "ec2:GetEbsEncryptionByDefault",
            &[],
            aws.ec2.get_ebs_encryption_by_default().send(),
        )
        .await?;
    Ok(output.ebs_encryption_by_default.unwrap_or(false))
}
