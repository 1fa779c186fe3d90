//! CloudTrail reads: the trails that cover the region, whether they log, and whether they record
//! management events.

use aws_sdk_cloudtrail::operation::get_event_selectors::GetEventSelectorsOutput;
use sek_core::inventory::{CollectError, Trail};

use super::{Aws, each};

/// DescribeTrails (shadow trails of multi-region and organization trails included), then
/// GetTrailStatus and GetEventSelectors for each, by ARN. A failed status or selector read
/// leaves that field unknown and is returned beside the trails.
pub async fn trails(aws: &Aws) -> (Option<Vec<Trail>>, Vec<CollectError>) {
    let output = aws
        .call(
            "cloudtrail:DescribeTrails",
            &[],
            aws.cloudtrail
                .describe_trails()
                .include_shadow_trails(true)
                .send(),
        )
        .await;
    let trails = match output {
        Ok(output) => output.trail_list.unwrap_or_default(),
        Err(err) => return (None, vec![err]),
    };
    let (read, _) = each(&trails, |trail| async move {
        let name = trail.name.clone().unwrap_or_default();
        let key = trail.trail_arn.clone().unwrap_or_else(|| name.clone());
        let resources = [key.clone()];
        let (status, selectors) = tokio::join!(
            aws.call(
                "cloudtrail:GetTrailStatus",
                &resources,
                aws.cloudtrail.get_trail_status().name(&key).send()
            ),
            aws.call(
                "cloudtrail:GetEventSelectors",
                &resources,
                aws.cloudtrail.get_event_selectors().trail_name(&key).send()
            ),
        );
        let mut errors = Vec::new();
        let read = Trail {
            name,
            arn: trail.trail_arn.clone(),
            home_region: trail.home_region.clone(),
            multi_region: trail.is_multi_region_trail.unwrap_or(false),
            organization: trail.is_organization_trail.unwrap_or(false),
            log_file_validation: trail.log_file_validation_enabled.unwrap_or(false),
            logging: status
                .map_err(|e| errors.push(e))
                .ok()
                .and_then(|s| s.is_logging),
            management_events: selectors
                .map_err(|e| errors.push(e))
                .ok()
                .map(|s| records_management_events(&s)),
            kms_key_id: trail.kms_key_id.clone(),
        };
        Ok::<_, CollectError>(Some((read, errors)))
    })
    .await;
    let mut errors = Vec::new();
    let trails = read
        .into_iter()
        .map(|(trail, failed)| {
            errors.extend(failed);
            trail
        })
        .collect();
    (Some(trails), errors)
}

/// Whether the selectors record management events: a basic selector including them, or an
/// advanced selector on `eventCategory = Management`.
fn records_management_events(selectors: &GetEventSelectorsOutput) -> bool {
    let basic = selectors
        .event_selectors()
        .iter()
        .any(|s| s.include_management_events == Some(true));
    let advanced = selectors.advanced_event_selectors().iter().any(|s| {
        s.field_selectors.iter().any(|f| {
            f.field == "eventCategory"
                && f.equals
                    .as_ref()
                    .is_some_and(|values| values.iter().any(|v| v == "Management"))
        })
    });
    basic || advanced
}

#[cfg(test)]
mod tests {
    use aws_sdk_cloudtrail::types::{AdvancedEventSelector, AdvancedFieldSelector, EventSelector};

    use super::*;

    #[test]
    fn management_events_come_from_basic_or_advanced_selectors() {
        let basic = GetEventSelectorsOutput::builder()
            .event_selectors(
                EventSelector::builder()
                    .include_management_events(true)
                    .build(),
            )
            .build();
        assert!(records_management_events(&basic));
        let data_only = GetEventSelectorsOutput::builder()
            .event_selectors(
                EventSelector::builder()
                    .include_management_events(false)
                    .build(),
            )
            .build();
        assert!(!records_management_events(&data_only));
        let advanced = GetEventSelectorsOutput::builder()
            .advanced_event_selectors(
                AdvancedEventSelector::builder()
                    .field_selectors(
                        AdvancedFieldSelector::builder()
                            .field("eventCategory")
                            .equals("Management")
                            .build()
                            .unwrap(),
                    )
                    .build()
                    .unwrap(),
            )
            .build();
        assert!(records_management_events(&advanced));
    }
}
