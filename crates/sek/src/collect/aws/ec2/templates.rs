//! Launch template versions of the node groups.

use super::Aws;
use futures::future::join_all;
use sek_core::inventory::{
    CollectError, LaunchTemplateVersion, MetadataOptions, Read, TemplateBlockDevice, UserDataScan,
    find_secrets,
};
use std::collections::BTreeMap;

/// A launch template version to read: template id (or name) and version.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct TemplateKey {
    /// `lt-...` id, or a name when only the name is known.
    pub template: String,
    /// Whether `template` is an id.
    pub by_id: bool,
    /// Version number, `$Latest` or `$Default`.
    pub version: String,
}

/// DescribeLaunchTemplateVersions, one call per template with all its wanted versions.
pub async fn launch_template_versions(
    aws: &Aws,
    keys: &[TemplateKey],
) -> (Vec<LaunchTemplateVersion>, Vec<CollectError>) {
    let mut by_template: BTreeMap<(&str, bool), Vec<String>> = BTreeMap::new();
    for key in keys {
        let versions = by_template.entry((&key.template, key.by_id)).or_default();
        if !versions.contains(&key.version) {
            versions.push(key.version.clone());
        }
    }
    let results = join_all(by_template.into_iter().map(
        |((template, by_id), versions)| async move {
            let resources = [template.to_string()];
            let request = aws
                .ec2
                .describe_launch_template_versions()
                .set_versions(Some(versions));
            let request = if by_id {
                request.launch_template_id(template)
            } else {
                request.launch_template_name(template)
            };
            aws.call(
                "ec2:DescribeLaunchTemplateVersions",
                &resources,
                request.send(),
            )
            .await
        },
    ))
    .await;
    let mut versions = Vec::new();
    let mut errors = Vec::new();
    for result in results {
        match result {
            Ok(output) => versions.extend(
                output
                    .launch_template_versions
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(convert_template),
            ),
            Err(err) => errors.push(err),
        }
    }
    (versions, errors)
}

pub(super) fn convert_template(
    v: aws_sdk_ec2::types::LaunchTemplateVersion,
) -> Option<LaunchTemplateVersion> {
    let data = v.launch_template_data?;
    let interfaces = data.network_interfaces.unwrap_or_default();
    let mut security_group_ids = data.security_group_ids.unwrap_or_default();
    for group in interfaces
        .iter()
        .flat_map(|i| i.groups.clone().unwrap_or_default())
    {
        if !security_group_ids.contains(&group) {
            security_group_ids.push(group);
        }
    }
    Some(LaunchTemplateVersion {
        id: v.launch_template_id?,
        name: v.launch_template_name,
        version: v.version_number?,
        metadata_options: data.metadata_options.map(|m| MetadataOptions {
            http_tokens: m.http_tokens.map(|t| t.as_str().to_string()),
            http_put_response_hop_limit: m.http_put_response_hop_limit,
            http_endpoint: m.http_endpoint.map(|e| e.as_str().to_string()),
        }),
        block_devices: data
            .block_device_mappings
            .unwrap_or_default()
            .into_iter()
            .map(|m| TemplateBlockDevice {
                device_name: m.device_name,
                ebs: m.ebs.is_some() && m.no_device.is_none(),
                encrypted: m.ebs.as_ref().and_then(|e| e.encrypted),
                kms_key_id: m.ebs.and_then(|e| e.kms_key_id),
            })
            .collect(),
        image_id: data.image_id,
        key_name: data.key_name,
        security_group_ids,
        associate_public_ip: interfaces
            .iter()
            .filter_map(|i| i.associate_public_ip_address)
            .reduce(|a, b| a || b),
        user_data: Read::Got(inspect_user_data(data.user_data.as_deref())),
    })
}

/// What base64 user data holds, judged here so its values never leave the collector.
pub(super) fn inspect_user_data(encoded: Option<&str>) -> UserDataScan {
    use base64::Engine;
    let Some(encoded) = encoded.filter(|e| !e.trim().is_empty()) else {
        return UserDataScan::default();
    };
    let uninspected = |why: &str| UserDataScan {
        present: true,
        uninspected: Some(why.to_string()),
        secrets: Vec::new(),
    };
    let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(encoded.trim()) else {
        return uninspected("not valid base64");
    };
    if bytes.starts_with(&[0x1f, 0x8b]) {
        return uninspected("gzip-compressed");
    }
    match String::from_utf8(bytes) {
        Ok(text) => UserDataScan {
            present: true,
            uninspected: None,
            secrets: find_secrets(&text),
        },
        Err(_) => uninspected("not text"),
    }
}
