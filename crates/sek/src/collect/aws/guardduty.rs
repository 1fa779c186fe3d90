//! GuardDuty reads: the region's detectors and which protection features they run.

use std::collections::BTreeMap;

use sek_core::inventory::{CollectError, GuardDutyDetector};

use super::{Aws, complete, each};

/// ListDetectors, then GetDetector for each. Features are keyed by name (`EKS_AUDIT_LOGS`,
/// `RUNTIME_MONITORING`...), additional configurations as `FEATURE/CONFIGURATION`.
pub async fn detectors(aws: &Aws) -> Result<Vec<GuardDutyDetector>, CollectError> {
    let ids: Vec<String> = aws
        .paginate(
            "guardduty:ListDetectors",
            &[],
            |token| aws.guardduty.list_detectors().set_next_token(token).send(),
            |page| page.next_token(),
        )
        .await?
        .into_iter()
        .flat_map(|p| p.detector_ids.unwrap_or_default())
        .collect();
    complete(
        each(&ids, |id| async move {
            let resources = [id.clone()];
            let output = aws
                .call(
                    "guardduty:GetDetector",
                    &resources,
                    aws.guardduty.get_detector().detector_id(id).send(),
                )
                .await?;
            let mut features = BTreeMap::new();
            for feature in output.features.unwrap_or_default() {
                let Some(name) = feature.name.map(|n| n.as_str().to_string()) else {
                    continue;
                };
                for extra in feature.additional_configuration.unwrap_or_default() {
                    if let (Some(key), Some(status)) = (extra.name, extra.status) {
                        features.insert(
                            format!("{name}/{}", key.as_str()),
                            status.as_str().to_string(),
                        );
                    }
                }
                if let Some(status) = feature.status {
                    features.insert(name, status.as_str().to_string());
                }
            }
            Ok(Some(GuardDutyDetector {
                id: id.clone(),
                status: output.status.map(|s| s.as_str().to_string()),
                features,
            }))
        })
        .await,
    )
}
