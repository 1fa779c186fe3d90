//! `detect-cloudtrail`: a multi-region trail is logging management events with log file
//! validation, so every EKS, IAM and EC2 API call around the cluster is on record.

use serde_json::json;

use crate::checks::frameworks::{bp, nist};
use crate::checks::shared::unread;
use crate::checks::{Area, Check, Ctx, Finding, Remediation, Scope, Severity};

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
        "cloudtrail:DescribeTrails",
        "cloudtrail:GetTrailStatus",
        "cloudtrail:GetEventSelectors",
    ],
    rationale: "CloudTrail records who changed the cluster's configuration, created access entries, modified \
node roles or security groups. Without a multi-region trail logging management events (with integrity \
validation), an incident cannot be reconstructed and tampering with the record goes unnoticed.",
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
    ],
    scope: Scope::Region,
    eval,
};

fn eval(ctx: &Ctx<'_>) -> Vec<Finding> {
    let (region, trails, resource) = match ctx.region_setting(
        ("cloudtrail", "trails"),
        "CloudTrail trails",
        &["cloudtrail:DescribeTrails"],
        |r| r.trails.as_ref(),
    ) {
        Ok(setting) => setting,
        Err(findings) => return findings,
    };
    let good = trails.iter().find(|t| {
        t.multi_region
            && t.log_file_validation
            && t.logging == Some(true)
            && t.management_events == Some(true)
    });
    let evidence = json!({ "trails": trails });
    let finding = match good {
        Some(trail) => Finding::pass(
            trail.arn.clone().unwrap_or(resource),
            format!(
                "trail {} logs management events in every region, with log file validation",
                trail.name
            ),
        ),
        None if trails.is_empty() => Finding::fail(
            resource,
            "no CloudTrail trail covers this region; API activity is only kept 90 days in event history",
        ),
        None => {
            let unknown = trails
                .iter()
                .any(|t| t.multi_region && (t.logging.is_none() || t.management_events.is_none()));
            let mut gaps: Vec<String> = Vec::new();
            if !trails.iter().any(|t| t.multi_region) {
                gaps.push("no trail is multi-region".into());
            }
            if !trails.iter().any(|t| t.log_file_validation) {
                gaps.push("no trail validates log files".into());
            }
            if trails.iter().all(|t| t.logging == Some(false)) {
                gaps.push("no trail is logging".into());
            }
            if trails.iter().all(|t| t.management_events == Some(false)) {
                gaps.push("no trail records management events".into());
            }
            if unknown && gaps.is_empty() {
                unread(
                    resource,
                    "the status or event selectors of the trails",
                    &region.gaps,
                    &["cloudtrail:GetTrailStatus", "cloudtrail:GetEventSelectors"],
                )
            } else {
                let names: Vec<&str> = trails.iter().map(|t| t.name.as_str()).collect();
                let detail = if gaps.is_empty() {
                    "no single trail has all of these".to_string()
                } else {
                    gaps.join("; ")
                };
                Finding::fail(
                    resource,
                    format!(
                        "no trail is multi-region, logging management events with log file validation ({detail}; trails: {})",
                        names.join(", ")
                    ),
                )
            }
        }
    };
    vec![finding.with_evidence(evidence)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Status;
    use crate::checks::testkit::*;
    use crate::config::Settings;
    use crate::inventory::RegionInventory;

    fn judge(region: &RegionInventory) -> Finding {
        only(run_full(
            &CHECK,
            &cluster(),
            Some(region),
            None,
            &Settings::default(),
        ))
    }

    #[test]
    fn a_complete_trail_passes() {
        assert_eq!(judge(&region()).status, Status::Pass);
    }

    #[test]
    fn single_region_unvalidated_stopped_or_no_trails_fail() {
        let mut r = region();
        r.trails.as_mut().unwrap()[0].multi_region = false;
        assert!(judge(&r).message.contains("no trail is multi-region"));
        let mut r = region();
        r.trails.as_mut().unwrap()[0].logging = Some(false);
        assert_eq!(judge(&r).status, Status::Fail);
        let mut r = region();
        r.trails = Some(vec![]);
        assert_eq!(judge(&r).status, Status::Fail);
    }

    #[test]
    fn unread_trails_or_status_are_errors() {
        let mut r = region();
        r.trails.as_mut().unwrap()[0].logging = None;
        assert_eq!(judge(&r).status, Status::Error);
        r.trails = None;
        r.gaps.push(denied("cloudtrail:DescribeTrails", &[]));
        let finding = judge(&r);
        assert_eq!(finding.status, Status::Error);
        assert!(finding.message.contains("cloudtrail:DescribeTrails"));
    }
}
