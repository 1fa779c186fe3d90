//! `detect-cloudtrail`: a multi-region trail is logging read and write management events with
//! log file validation, so every EKS, IAM and EC2 API call around the cluster is on record.
//!
//! The trail's event selectors are judged as CloudTrail applies them (basic: `ReadWriteType`,
//! `IncludeManagementEvents`, `ExcludeManagementEventSources`; advanced: `eventCategory`,
//! `readOnly`, `eventSource` and any other narrowing condition), from
//! <https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_EventSelector.html> and
//! <https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_AdvancedFieldSelector.html>.

use std::collections::BTreeSet;

use serde_json::json;

use crate::checks::frameworks::{bp, nist};
use crate::checks::{Area, Check, Eval, Evaluation, Finding, RegionCtx, Remediation, Severity};
use crate::inventory::aws;
use crate::inventory::{FieldCondition, Missing, Trail, TrailSelectors};

/// The check.
pub static CHECK: Check = Check {
    id: "detect-cloudtrail",
    aliases: &[],
    area: Area::Detect,
    title: "A multi-region CloudTrail trail logs management events",
    severity: Severity::High,
    refs: &[
        nist("DE.AE-3"),
        nist("PR.PT-1"),
        nist("DE.CM-3"),
        bp("auditing-and-logging"),
    ],
    needs: &[
        aws("cloudtrail:DescribeTrails"),
        aws("cloudtrail:GetTrailStatus"),
        aws("cloudtrail:GetEventSelectors"),
    ],
    rationale: "CloudTrail records who changed the cluster's configuration, created access entries, modified \
node roles or security groups. Without a multi-region trail logging management events (with integrity \
validation), an incident cannot be reconstructed and tampering with the record goes unnoticed. sek reads the \
trail's event selectors as CloudTrail applies them: a basic selector's ReadWriteType (All when absent), \
IncludeManagementEvents and ExcludeManagementEventSources; an advanced selector's eventCategory, readOnly, \
eventSource and any other narrowing field. Read-only or write-only, excluded sources and selectors narrowed \
to some events fail, and the finding says what is missing.",
    remediation: Remediation {
        text: "Create a multi-region trail (or an organization trail) logging read and write management events, \
with log file validation, to a bucket outside the reach of cluster administrators.",
        cli: Some(
            "aws cloudtrail create-trail --name audit --s3-bucket-name <bucket> --is-multi-region-trail --enable-log-file-validation && aws cloudtrail start-logging --name audit",
        ),
        terraform: Some(
            "resource \"aws_cloudtrail\" \"audit\" { is_multi_region_trail = true  enable_log_file_validation = true ... }",
        ),
    },
    links: &[
        "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-create-and-update-a-trail.html",
        "https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_EventSelector.html",
        "https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_AdvancedFieldSelector.html",
    ],
    eval: Eval::Region(eval),
};

fn eval(ctx: &RegionCtx<'_>) -> Evaluation {
    let (_, trails, resource) = ctx.region_setting(("cloudtrail", "trails"), |r| r.trails())?;
    let evidence = json!({ "trails": trails });
    if trails.is_empty() {
        return Ok(vec![
            Finding::fail(
                resource,
                "no CloudTrail trail covers this region; API activity is only kept 90 days in event history",
            )
            .with_evidence(evidence),
        ]);
    }
    let judged: Vec<(&Trail, Judgement)> = trails.iter().map(|t| (t, judge(t))).collect();
    if let Some((trail, _)) = judged
        .iter()
        .find(|(_, j)| matches!(j, Judgement::Complete))
    {
        return Ok(vec![
            Finding::pass(
                trail.arn.clone().unwrap_or(resource),
                format!(
                    "trail {} logs read and write management events in every region, with log file validation",
                    trail.name
                ),
            )
            .with_evidence(evidence),
        ]);
    }
    // A trail whose status or selectors were not read could be the complete one.
    if let Some(missing) = judged.iter().find_map(|(_, j)| match j {
        Judgement::Unknown(missing) => Some(missing),
        _ => None,
    }) {
        return Err(missing.clone().on(resource));
    }
    let lacks: Vec<String> = judged
        .iter()
        .filter_map(|(t, j)| match j {
            Judgement::Lacks(missing) => Some(format!("{}: {}", t.name, missing.join(", "))),
            _ => None,
        })
        .collect();
    Ok(vec![
        Finding::fail(
            resource,
            format!(
                "no trail is multi-region, logging read and write management events with log file validation ({})",
                lacks.join("; ")
            ),
        )
        .with_evidence(evidence),
    ])
}

/// What one trail does for the check.
enum Judgement {
    /// Multi-region, validated, logging, every read and write management event.
    Complete,
    /// What it lacks.
    Lacks(Vec<String>),
    /// Nothing known is lacking, but its status or selectors were not read.
    Unknown(Missing),
}

fn judge(trail: &Trail) -> Judgement {
    let mut missing = Vec::new();
    let mut unknown = None;
    if !trail.multi_region {
        missing.push("not multi-region".to_string());
    }
    if !trail.log_file_validation {
        missing.push("no log file validation".to_string());
    }
    match trail.is_logging() {
        Ok(true) => {}
        Ok(false) => missing.push("not logging".to_string()),
        Err(why) => unknown = Some(why),
    }
    match trail.event_selectors() {
        Ok(selectors) => missing.extend(management_coverage(selectors).gaps()),
        // A snapshot from before sek read the selectors in full tells "records management
        // events" but not whether reads and writes both: not enough to pass.
        Err(why) => unknown = unknown.or(Some(why)),
    }
    match (missing.is_empty(), unknown) {
        (true, None) => Judgement::Complete,
        (true, Some(why)) => Judgement::Unknown(why),
        (false, _) => Judgement::Lacks(missing),
    }
}

/// What a trail's selectors record of management events.
#[derive(Debug, Default, PartialEq)]
struct Coverage {
    /// Every read-only management event (of every source but `excluded`).
    reads: bool,
    /// Every write management event (likewise).
    writes: bool,
    /// Sources whose management events no selector records.
    excluded: BTreeSet<String>,
    /// Management events recorded only in part (by source, name...): the conditions.
    partial: Vec<String>,
}

impl Coverage {
    fn gaps(&self) -> Vec<String> {
        let mut gaps = Vec::new();
        match (self.reads, self.writes) {
            (true, true) => {}
            (false, false) => gaps.push("no management events".to_string()),
            (true, false) => gaps.push("no write management events (ReadOnly)".to_string()),
            (false, true) => gaps.push("no read management events (WriteOnly)".to_string()),
        }
        if !self.excluded.is_empty() {
            gaps.push(format!(
                "management events of {} excluded",
                self.excluded.iter().cloned().collect::<Vec<_>>().join(", ")
            ));
        }
        let complete = self.reads && self.writes;
        if !complete && !self.partial.is_empty() {
            gaps.push(format!("only {}", self.partial.join(" or ")));
        }
        gaps
    }
}

/// The management events `selectors` record, by the CloudTrail API's semantics: a basic selector
/// records management events unless `IncludeManagementEvents` is false, the read and write
/// events its `ReadWriteType` says (`All` when absent), minus `ExcludeManagementEventSources`;
/// an advanced selector records management events when its `eventCategory` equals
/// `Management`, reads and writes unless a `readOnly` condition narrows it, every source unless
/// an `eventSource` condition excludes or selects some, and only what any other condition
/// matches. A trail records the union of its selectors.
fn management_coverage(selectors: &TrailSelectors) -> Coverage {
    let mut coverage = Coverage::default();
    // Sources excluded by every recording selector, per direction.
    let mut excluded: Option<BTreeSet<String>> = None;
    let mut merge =
        |coverage: &mut Coverage, reads: bool, writes: bool, without: BTreeSet<String>| {
            coverage.reads |= reads;
            coverage.writes |= writes;
            excluded = Some(match excluded.take() {
                None => without,
                Some(before) => before.intersection(&without).cloned().collect(),
            });
        };
    for basic in &selectors.basic {
        if basic.include_management_events == Some(false) {
            continue;
        }
        let (reads, writes) = match basic.read_write_type.as_deref() {
            Some("ReadOnly") => (true, false),
            Some("WriteOnly") => (false, true),
            _ => (true, true),
        };
        let without = basic
            .exclude_management_event_sources
            .iter()
            .cloned()
            .collect();
        merge(&mut coverage, reads, writes, without);
    }
    for advanced in &selectors.advanced {
        let management = advanced
            .fields
            .iter()
            .any(|f| f.field == "eventCategory" && f.equals.iter().any(|v| v == "Management"));
        if !management {
            continue;
        }
        let (mut reads, mut writes) = (true, true);
        let mut without = BTreeSet::new();
        let mut narrowed = Vec::new();
        for condition in &advanced.fields {
            match condition.field.as_str() {
                "eventCategory" => {}
                "readOnly" => {
                    let allows = |value: &str| {
                        (condition.equals.is_empty() || condition.equals.iter().any(|v| v == value))
                            && !condition.not_equals.iter().any(|v| v == value)
                    };
                    reads &= allows("true");
                    writes &= allows("false");
                }
                "eventSource"
                    if condition.equals.is_empty()
                        && condition.starts_with.is_empty()
                        && condition.ends_with.is_empty()
                        && condition.not_starts_with.is_empty()
                        && condition.not_ends_with.is_empty() =>
                {
                    without.extend(condition.not_equals.iter().cloned());
                }
                field => narrowed.push(describe(field, condition)),
            }
        }
        if narrowed.is_empty() {
            merge(&mut coverage, reads, writes, without);
        } else {
            coverage.partial.push(narrowed.join(" and "));
        }
    }
    coverage.excluded = excluded.unwrap_or_default();
    coverage
}

/// `eventSource equals s3.amazonaws.com`: a condition that narrows what is recorded.
fn describe(field: &str, condition: &FieldCondition) -> String {
    let mut parts = Vec::new();
    for (operator, values) in [
        ("equals", &condition.equals),
        ("not equals", &condition.not_equals),
        ("starts with", &condition.starts_with),
        ("not starts with", &condition.not_starts_with),
        ("ends with", &condition.ends_with),
        ("not ends with", &condition.not_ends_with),
    ] {
        if !values.is_empty() {
            parts.push(format!("{field} {operator} {}", values.join("|")));
        }
    }
    parts.join(" and ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Settings;
    use crate::checks::Status;
    use crate::checks::testkit::*;
    use crate::inventory::{AdvancedEventSelector, BasicEventSelector, RegionInventory};

    fn judge_region(region: &RegionInventory) -> Finding {
        only(run_full(
            &CHECK,
            &cluster(),
            Some(region),
            None,
            &Settings::default(),
        ))
    }

    /// The compliant region with the trail's selectors replaced.
    fn with_selectors(selectors: TrailSelectors) -> Finding {
        let mut r = region();
        r.trails.got_mut().unwrap()[0].selectors = read(selectors);
        judge_region(&r)
    }

    fn basic(read_write: &str, include: bool, exclude: &[&str]) -> BasicEventSelector {
        BasicEventSelector {
            read_write_type: Some(read_write.into()),
            include_management_events: Some(include),
            exclude_management_event_sources: exclude.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn condition(field: &str, equals: &[&str], not_equals: &[&str]) -> FieldCondition {
        FieldCondition {
            field: field.into(),
            equals: equals.iter().map(|s| s.to_string()).collect(),
            not_equals: not_equals.iter().map(|s| s.to_string()).collect(),
            ..FieldCondition::default()
        }
    }

    fn advanced(extra: Vec<FieldCondition>) -> AdvancedEventSelector {
        let mut fields = vec![condition("eventCategory", &["Management"], &[])];
        fields.extend(extra);
        AdvancedEventSelector {
            name: Some("management".into()),
            fields,
        }
    }

    fn basics(selectors: Vec<BasicEventSelector>) -> TrailSelectors {
        TrailSelectors {
            basic: selectors,
            advanced: vec![],
        }
    }

    fn advanceds(selectors: Vec<AdvancedEventSelector>) -> TrailSelectors {
        TrailSelectors {
            basic: vec![],
            advanced: selectors,
        }
    }

    #[test]
    fn a_complete_trail_passes() {
        assert_eq!(judge_region(&region()).status, Status::Pass);
    }

    #[test]
    fn basic_selectors_need_reads_and_writes_of_every_source() {
        let fails = |selectors, says: &str| {
            let finding = with_selectors(basics(selectors));
            assert_eq!(finding.status, Status::Fail, "{says}");
            assert!(finding.message.contains(says), "{}", finding.message);
        };
        fails(
            vec![basic("ReadOnly", true, &[])],
            "no write management events",
        );
        fails(
            vec![basic("WriteOnly", true, &[])],
            "no read management events",
        );
        fails(vec![basic("All", false, &[])], "no management events");
        fails(
            vec![basic("All", true, &["kms.amazonaws.com"])],
            "kms.amazonaws.com excluded",
        );
        // Two selectors together record both; an absent ReadWriteType is All.
        let both = basics(vec![
            basic("ReadOnly", true, &[]),
            basic("WriteOnly", true, &[]),
        ]);
        assert_eq!(with_selectors(both).status, Status::Pass);
        let defaults = basics(vec![BasicEventSelector::default()]);
        assert_eq!(with_selectors(defaults).status, Status::Pass);
        // A source excluded by one selector but recorded by another is recorded.
        let covered = basics(vec![
            basic("All", true, &["kms.amazonaws.com"]),
            basic("All", true, &[]),
        ]);
        assert_eq!(with_selectors(covered).status, Status::Pass);
    }

    #[test]
    fn advanced_selectors_are_judged_by_their_conditions() {
        assert_eq!(
            with_selectors(advanceds(vec![advanced(vec![])])).status,
            Status::Pass
        );
        let read_only = with_selectors(advanceds(vec![advanced(vec![condition(
            "readOnly",
            &["true"],
            &[],
        )])]));
        assert_eq!(read_only.status, Status::Fail);
        assert!(read_only.message.contains("no write management events"));
        let split = advanceds(vec![
            advanced(vec![condition("readOnly", &["true"], &[])]),
            advanced(vec![condition("readOnly", &["false"], &[])]),
        ]);
        assert_eq!(with_selectors(split).status, Status::Pass);
        let excluding = with_selectors(advanceds(vec![advanced(vec![condition(
            "eventSource",
            &[],
            &["kms.amazonaws.com", "rdsdata.amazonaws.com"],
        )])]));
        assert_eq!(excluding.status, Status::Fail);
        assert!(
            excluding
                .message
                .contains("kms.amazonaws.com, rdsdata.amazonaws.com excluded"),
            "{}",
            excluding.message
        );
        let narrowed = with_selectors(advanceds(vec![advanced(vec![condition(
            "eventSource",
            &["s3.amazonaws.com"],
            &[],
        )])]));
        assert_eq!(narrowed.status, Status::Fail);
        assert!(
            narrowed
                .message
                .contains("only eventSource equals s3.amazonaws.com"),
            "{}",
            narrowed.message
        );
        // Data events only.
        let data = AdvancedEventSelector {
            name: None,
            fields: vec![condition("eventCategory", &["Data"], &[])],
        };
        let finding = with_selectors(advanceds(vec![data]));
        assert!(
            finding.message.contains("no management events"),
            "{}",
            finding.message
        );
    }

    #[test]
    fn single_region_unvalidated_stopped_or_no_trails_fail() {
        let mut r = region();
        r.trails.got_mut().unwrap()[0].multi_region = false;
        assert!(judge_region(&r).message.contains("not multi-region"));
        let mut r = region();
        r.trails.got_mut().unwrap()[0].logging = read(false);
        assert_eq!(judge_region(&r).status, Status::Fail);
        let mut r = region();
        r.trails = read(vec![]);
        assert_eq!(judge_region(&r).status, Status::Fail);
    }

    #[test]
    fn unread_trails_status_or_selectors_are_errors() {
        let mut r = region();
        r.trails.got_mut().unwrap()[0].logging = Read::NotCollected;
        assert_eq!(judge_region(&r).status, Status::Error);
        // An older snapshot knew only "records management events": not reads and writes.
        let mut r = region();
        r.trails.got_mut().unwrap()[0].selectors = Read::NotCollected;
        r.trails.got_mut().unwrap()[0].management_events = Some(true);
        assert_eq!(judge_region(&r).status, Status::Error);
        r.trails = Read::Failed(denied("cloudtrail:DescribeTrails", &[]));
        let finding = judge_region(&r);
        assert_eq!(finding.status, Status::Error);
        assert!(finding.message.contains("cloudtrail:DescribeTrails"));
    }

    #[test]
    fn a_trail_that_fails_on_what_is_known_fails_even_with_unread_selectors() {
        let mut r = region();
        let trail = &mut r.trails.got_mut().unwrap()[0];
        trail.multi_region = false;
        trail.selectors = Read::NotCollected;
        assert_eq!(judge_region(&r).status, Status::Fail);
    }
}
