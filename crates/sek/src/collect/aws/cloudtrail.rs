//! CloudTrail reads: the trails that cover the region, whether they log, and whether they record
//! management events.

use aws_sdk_cloudtrail::operation::get_event_selectors::GetEventSelectorsOutput;
use sek_core::inventory::{
    AdvancedEventSelector, BasicEventSelector, CollectError, FieldCondition, Read, Trail,
    TrailSelectors,
};

use super::{Aws, each};

/// DescribeTrails (shadow trails of multi-region and organization trails included), then
/// GetTrailStatus and GetEventSelectors for each, by ARN. A failed status or selector read is
/// recorded in that trail's field.
pub async fn trails(aws: &Aws) -> Result<Vec<Trail>, CollectError> {
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
    let trails = output?.trail_list.unwrap_or_default();
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
        let read = Trail {
            name,
            arn: trail.trail_arn.clone(),
            home_region: trail.home_region.clone(),
            multi_region: trail.is_multi_region_trail.unwrap_or(false),
            organization: trail.is_organization_trail.unwrap_or(false),
            log_file_validation: trail.log_file_validation_enabled.unwrap_or(false),
            logging: match status {
                Ok(status) => status.is_logging.map_or(Read::NotCollected, Read::Got),
                Err(err) => Read::Failed(err),
            },
            management_events: None,
            selectors: selectors.map(|s| selectors_of(&s)).into(),
            kms_key_id: trail.kms_key_id.clone(),
        };
        Ok::<_, CollectError>(Some(read))
    })
    .await;
    Ok(read)
}

/// The event selectors as data, for the check to judge.
fn selectors_of(output: &GetEventSelectorsOutput) -> TrailSelectors {
    TrailSelectors {
        basic: output
            .event_selectors()
            .iter()
            .map(|s| BasicEventSelector {
                read_write_type: s.read_write_type.as_ref().map(|t| t.as_str().to_string()),
                include_management_events: s.include_management_events,
                exclude_management_event_sources: s.exclude_management_event_sources().to_vec(),
            })
            .collect(),
        advanced: output
            .advanced_event_selectors()
            .iter()
            .map(|s| AdvancedEventSelector {
                name: s.name.clone(),
                fields: s
                    .field_selectors
                    .iter()
                    .map(|f| FieldCondition {
                        field: f.field.clone(),
                        equals: f.equals().to_vec(),
                        not_equals: f.not_equals().to_vec(),
                        starts_with: f.starts_with().to_vec(),
                        not_starts_with: f.not_starts_with().to_vec(),
                        ends_with: f.ends_with().to_vec(),
                        not_ends_with: f.not_ends_with().to_vec(),
                    })
                    .collect(),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_cloudtrail::types::{
        AdvancedEventSelector as SdkAdvanced, AdvancedFieldSelector, EventSelector, ReadWriteType,
    };

    use super::*;

    #[test]
    fn basic_and_advanced_selectors_are_kept_as_they_are() {
        let basic = GetEventSelectorsOutput::builder()
            .event_selectors(
                EventSelector::builder()
                    .read_write_type(ReadWriteType::ReadOnly)
                    .include_management_events(true)
                    .exclude_management_event_sources("kms.amazonaws.com")
                    .build(),
            )
            .build();
        let selectors = selectors_of(&basic);
        assert_eq!(
            selectors.basic,
            [BasicEventSelector {
                read_write_type: Some("ReadOnly".into()),
                include_management_events: Some(true),
                exclude_management_event_sources: vec!["kms.amazonaws.com".into()],
            }]
        );
        let advanced = GetEventSelectorsOutput::builder()
            .advanced_event_selectors(
                SdkAdvanced::builder()
                    .name("management")
                    .field_selectors(
                        AdvancedFieldSelector::builder()
                            .field("eventCategory")
                            .equals("Management")
                            .build()
                            .unwrap(),
                    )
                    .field_selectors(
                        AdvancedFieldSelector::builder()
                            .field("readOnly")
                            .equals("false")
                            .build()
                            .unwrap(),
                    )
                    .build()
                    .unwrap(),
            )
            .build();
        let selectors = selectors_of(&advanced);
        assert_eq!(selectors.advanced.len(), 1);
        assert_eq!(selectors.advanced[0].fields[1].field, "readOnly");
        assert_eq!(selectors.advanced[0].fields[1].equals, ["false"]);
    }
}
