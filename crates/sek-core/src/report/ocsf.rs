//! OCSF Compliance Finding (class 2003, OCSF 1.1.0), as a JSON array of events, for security data
//! lakes. One event per evaluated (check, resource); not-applicable and skipped checks produce
//! none. Waived failures are findings with status `Suppressed`.

use std::io::{self, Write};

use serde_json::{Value, json};

use super::{CheckResult, ClusterReport, Report, resource_types};
use crate::checks::{Finding, Severity, Status};

fn severity(severity: Severity) -> (u8, &'static str) {
    match severity {
        Severity::Info => (1, "Informational"),
        Severity::Low => (2, "Low"),
        Severity::Medium => (3, "Medium"),
        Severity::High => (4, "High"),
        Severity::Critical => (5, "Critical"),
    }
}

fn event(
    report: &Report,
    cluster: &ClusterReport,
    result: &CheckResult,
    finding: &Finding,
) -> Option<Value> {
    let check = result.check;
    // OCSF compliance.status_id: 1 Pass, 2 Warning, 3 Fail, 0 Unknown.
    let (status_id, status) = match finding.status {
        Status::Pass => (1, "Pass"),
        Status::Manual => (2, "Warning"),
        Status::Fail | Status::Waived => (3, "Fail"),
        Status::Error => (0, "Unknown"),
        Status::NotApplicable | Status::Skipped => return None,
    };
    // Finding workflow status_id: 1 New, 3 Suppressed.
    let (finding_status_id, finding_status) = if finding.status == Status::Waived {
        (3, "Suppressed")
    } else {
        (1, "New")
    };
    let (severity_id, severity_name) = severity(result.severity);
    let refs = check.all_refs();
    let mut standards: Vec<&str> = refs.iter().map(|r| r.framework.name()).collect();
    standards.dedup();
    let account = cluster.account_id.as_deref();
    Some(json!({
        "class_uid": 2003,
        "class_name": "Compliance Finding",
        "category_uid": 2,
        "category_name": "Findings",
        "activity_id": 1,
        "activity_name": "Create",
        "type_uid": 200301,
        "type_name": "Compliance Finding: Create",
        "time": report.generated_at.as_millisecond(),
        "severity_id": severity_id,
        "severity": severity_name,
        "status_id": finding_status_id,
        "status": finding_status,
        "message": finding.message,
        "metadata": {
            "version": "1.1.0",
            "product": { "name": "sek", "vendor_name": "sek", "version": report.sek_version },
        },
        "finding_info": {
            "uid": format!("sek/{}/{}/{}", cluster.arn, check.id, finding.resource),
            "title": check.title,
            "desc": check.rationale,
            "types": [check.area.as_str()],
        },
        "compliance": {
            "control": check.id,
            "requirements": refs.iter().map(|r| r.label()).collect::<Vec<_>>(),
            "standards": standards,
            "status_id": status_id,
            "status": status,
        },
        "remediation": { "desc": check.remediation.text },
        "resources": [{
            "uid": finding.resource,
            "type": resource_types(&finding.resource).1,
            "region": cluster.region,
        }],
        "cloud": {
            "provider": "AWS",
            "region": cluster.region,
            "account": { "uid": account, "type": "AWS Account", "type_id": 10 },
        },
        "unmapped": {
            "cluster": cluster.name,
            "evidence": finding.evidence,
            "waiver": finding.waiver,
        },
    }))
}

/// Write the OCSF events as a JSON array.
pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let events: Vec<Value> = report
        .findings()
        .filter_map(|(c, r, f)| event(report, c, r, f))
        .collect();
    serde_json::to_writer_pretty(&mut *out, &events)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture;

    fn events() -> Vec<Value> {
        let mut out = Vec::new();
        render(&fixture::report(), &mut out).unwrap();
        serde_json::from_slice(&out).unwrap()
    }

    #[test]
    fn ocsf_snapshot() {
        insta::assert_json_snapshot!(events());
    }

    #[test]
    fn events_are_compliance_findings_with_consistent_ids() {
        let events = events();
        assert_eq!(events.len(), 7);
        for event in &events {
            assert_eq!(event["class_uid"], 2003);
            let class = event["class_uid"].as_u64().unwrap();
            let activity = event["activity_id"].as_u64().unwrap();
            assert_eq!(event["type_uid"].as_u64().unwrap(), class * 100 + activity);
            assert!(
                event["time"].as_i64().unwrap() > 1_700_000_000_000,
                "epoch milliseconds"
            );
        }
        assert_eq!(events[0]["compliance"]["status"], "Fail");
        assert_eq!(events[5]["status"], "Suppressed");
        assert_eq!(events[5]["resources"][0]["type"], "AWS::EC2::Instance");
    }
}
