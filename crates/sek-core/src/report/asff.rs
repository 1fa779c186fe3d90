//! AWS Security Finding Format (ASFF), ready for `aws securityhub batch-import-findings
//! --findings file://FILE` (which takes at most 100 findings per call: split larger files).
//!
//! One finding per evaluated (check, resource): passes are `PASSED` at `INFORMATIONAL` severity,
//! failures `FAILED`, errors `NOT_AVAILABLE` (the check could not run), manual reviews `WARNING`.
//! Waived failures stay `FAILED` with workflow status `SUPPRESSED`. Not-applicable and skipped
//! checks produce no finding. The product ARN is the account's default custom-product ARN.

use std::io::{self, Write};

use serde_json::{Value, json};

use super::{CheckResult, ClusterReport, Report, resource_types};
use crate::checks::{Finding, Severity, Status};

fn label(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "CRITICAL",
        Severity::High => "HIGH",
        Severity::Medium => "MEDIUM",
        Severity::Low => "LOW",
        Severity::Info => "INFORMATIONAL",
    }
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        text.chars().take(max - 1).collect::<String>() + "…"
    }
}

/// The partition of an ARN (`aws` when unknown).
fn partition(arn: &str) -> &str {
    arn.split(':')
        .nth(1)
        .filter(|p| !p.is_empty())
        .unwrap_or("aws")
}

fn finding(
    report: &Report,
    cluster: &ClusterReport,
    result: &CheckResult,
    finding: &Finding,
) -> Option<Value> {
    let check = result.check;
    let (compliance, severity) = match finding.status {
        Status::Pass => ("PASSED", "INFORMATIONAL"),
        Status::Fail | Status::Waived => ("FAILED", label(result.severity)),
        Status::Error => ("NOT_AVAILABLE", label(result.severity)),
        Status::Manual => ("WARNING", label(result.severity)),
        Status::NotApplicable | Status::Skipped => return None,
    };
    let account = cluster.account_id.as_deref().unwrap_or("000000000000");
    let partition = partition(&cluster.arn);
    let time = report.generated_at.to_string();
    let (resource_type, _) = resource_types(&finding.resource);
    let mut requirements: Vec<String> = check.all_refs().iter().map(|r| r.label()).collect();
    requirements.truncate(32);
    Some(json!({
        "SchemaVersion": "2018-10-08",
        "Id": format!("sek/{}/{}/{}", cluster.arn, check.id, finding.resource),
        "ProductArn": format!("arn:{partition}:securityhub:{}:{account}:product/{account}/default", cluster.region),
        "ProductName": "sek",
        "CompanyName": "sek",
        "GeneratorId": format!("sek/{}", check.id),
        "AwsAccountId": account,
        "Region": cluster.region,
        "Types": ["Software and Configuration Checks/Industry and Regulatory Standards/CIS Amazon EKS Benchmark"],
        "CreatedAt": time,
        "UpdatedAt": time,
        "Severity": { "Label": severity },
        "Title": truncate(&format!("{}: {}", check.id, check.title), 256),
        "Description": truncate(&finding.message, 1024),
        "Remediation": { "Recommendation": { "Text": truncate(check.remediation.text, 512) } },
        "ProductFields": {
            "sek/check": check.id,
            "sek/status": finding.status.as_str(),
            "sek/cluster": cluster.name,
            "sek/docs": check.docs_path(),
        },
        "Resources": [{
            "Type": resource_type,
            "Id": finding.resource,
            "Partition": partition,
            "Region": cluster.region,
        }],
        "Compliance": { "Status": compliance, "RelatedRequirements": requirements },
        "Workflow": { "Status": if finding.status == Status::Waived { "SUPPRESSED" } else { "NEW" } },
        "RecordState": "ACTIVE",
        "Note": finding.waiver.as_ref().map(|w| json!({
            "Text": truncate(&format!("waived: {}", w.reason), 512),
            "UpdatedBy": "sek",
            "UpdatedAt": time,
        })),
    }))
}

/// Write the ASFF findings as a JSON array.
pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let findings: Vec<Value> = report
        .findings()
        .filter_map(|(cluster, result, f)| finding(report, cluster, result, f))
        .map(|mut value| {
            // Security Hub rejects nulls: drop the absent note.
            if value["Note"].is_null() {
                value.as_object_mut().map(|o| o.remove("Note"));
            }
            value
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &findings)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture;

    fn findings() -> Vec<Value> {
        let mut out = Vec::new();
        render(&fixture::report(), &mut out).unwrap();
        serde_json::from_slice(&out).unwrap()
    }

    #[test]
    fn asff_snapshot() {
        insta::assert_json_snapshot!(findings());
    }

    #[test]
    fn every_finding_has_the_fields_batch_import_requires() {
        let required = [
            "SchemaVersion",
            "Id",
            "ProductArn",
            "GeneratorId",
            "AwsAccountId",
            "Types",
            "CreatedAt",
            "UpdatedAt",
            "Severity",
            "Title",
            "Description",
            "Resources",
        ];
        let findings = findings();
        assert_eq!(findings.len(), 7, "n/a and skipped produce none");
        for finding in &findings {
            for field in required {
                assert!(
                    finding.get(field).is_some_and(|v| !v.is_null()),
                    "{field} missing in {finding:#}"
                );
            }
            assert!(finding["AwsAccountId"].as_str().unwrap().len() == 12);
            assert!(finding["Title"].as_str().unwrap().chars().count() <= 256);
            assert!(finding.as_object().unwrap().values().all(|v| !v.is_null()));
        }
        let statuses: Vec<&str> = findings
            .iter()
            .map(|f| f["Compliance"]["Status"].as_str().unwrap())
            .collect();
        assert_eq!(
            statuses,
            [
                "FAILED",
                "PASSED",
                "PASSED",
                "NOT_AVAILABLE",
                "PASSED",
                "FAILED",
                "WARNING"
            ]
        );
        assert_eq!(findings[5]["Workflow"]["Status"], "SUPPRESSED");
        assert_eq!(findings[5]["Resources"][0]["Type"], "AwsEc2Instance");
    }
}
