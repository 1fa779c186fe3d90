//! SARIF 2.1.0, for GitHub code scanning and other SARIF consumers.
//!
//! Every check is a rule (not only those with results), with its rationale, remediation and
//! framework references. Each failing, erroring, manual or waived finding is a result located at
//! its resource (a logical location). GitHub requires a physical location too, so each result
//! also names a pseudo-path `eks/<region>/<cluster>`; no such file exists. Waived findings carry
//! an external suppression with the waiver's reason. Collection errors and configuration
//! warnings are tool execution notifications.

use std::io::{self, Write};

use serde_json::{Value, json};

use super::{CheckResult, ClusterReport, Report};
use crate::checks::{self, Check, Finding, Severity, Status};

/// GitHub's `security-severity` scale (0-10) for a severity.
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "0.0",
    }
}

/// SARIF level of a failing result of this severity.
fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

fn rule(check: &Check, severity: Severity) -> Value {
    let mut help = check.remediation.text.to_string();
    if let Some(cli) = check.remediation.cli {
        help.push_str(&format!("\n\n{cli}"));
    }
    let mut markdown = format!(
        "{}\n\n**How to fix**: {}",
        check.rationale, check.remediation.text
    );
    if let Some(cli) = check.remediation.cli {
        markdown.push_str(&format!("\n\n```sh\n{cli}\n```"));
    }
    markdown.push_str(&format!(
        "\n\nDocumentation: [{path}]({path})",
        path = check.docs_path()
    ));
    let mut tags: Vec<String> = vec!["security".into(), "eks".into(), check.area.as_str().into()];
    tags.extend(check.all_refs().iter().map(|r| r.label()));
    json!({
        "id": check.id,
        "shortDescription": { "text": check.title },
        "fullDescription": { "text": check.rationale },
        "help": { "text": help, "markdown": markdown },
        "defaultConfiguration": { "level": level(severity) },
        "properties": {
            "tags": tags,
            "security-severity": security_severity(severity),
            "precision": "high",
            "docs": check.docs_path(),
        },
    })
}

/// A stable fingerprint of (check, resource): FNV-1a, so a result keeps its identity across scans.
fn fingerprint(check: &str, resource: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in check.bytes().chain([0]).chain(resource.bytes()) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}

fn sarif_result(
    check_index: usize,
    result: &CheckResult,
    finding: &Finding,
    cluster: &ClusterReport,
) -> Option<Value> {
    let check = result.check;
    let (kind, level) = match finding.status {
        Status::Fail | Status::Waived => ("fail", level(result.severity)),
        Status::Error => ("review", "warning"),
        Status::Manual => ("review", "note"),
        Status::Pass | Status::NotApplicable | Status::Skipped => return None,
    };
    let mut value = json!({
        "ruleId": check.id,
        "ruleIndex": check_index,
        "kind": kind,
        "level": level,
        "message": { "text": finding.message },
        "locations": [{
            "physicalLocation": { "artifactLocation": { "uri": format!("eks/{}/{}", cluster.region, cluster.name) } },
            "logicalLocations": [{ "fullyQualifiedName": finding.resource, "kind": "resource" }],
        }],
        "partialFingerprints": { "sekFinding/v1": fingerprint(check.id, &finding.resource) },
        "properties": {
            "status": finding.status,
            "cluster": cluster.name,
            "region": cluster.region,
            "account": cluster.account_id,
            "evidence": finding.evidence,
        },
    });
    if let Some(waiver) = &finding.waiver {
        value["suppressions"] = json!([{
            "kind": "external",
            "status": "accepted",
            "justification": waiver.reason,
            "location": { "physicalLocation": { "artifactLocation": { "uri": waiver.location.rsplit_once(':').map_or(waiver.location.as_str(), |(file, _)| file) } } },
        }]);
    }
    Some(value)
}

/// Write the SARIF log.
pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let severity_of = |check: &Check| {
        report
            .clusters
            .iter()
            .flat_map(|c| &c.results)
            .find(|r| r.check.id == check.id)
            .map_or(check.severity, |r| r.severity)
    };
    let rules: Vec<Value> = checks::ALL
        .iter()
        .map(|check| rule(check, severity_of(check)))
        .collect();
    let index_of = |id: &str| checks::ALL.iter().position(|c| c.id == id).unwrap_or(0);
    let results: Vec<Value> = report
        .findings()
        .filter_map(|(cluster, result, finding)| {
            sarif_result(index_of(result.check.id), result, finding, cluster)
        })
        .collect();
    let mut notifications: Vec<Value> = report
        .clusters
        .iter()
        .flat_map(|cluster| {
            cluster.collection_errors.iter().map(move |error| {
                json!({
                    "level": "warning",
                    "message": { "text": format!("{}: {}", cluster.name, error.summary()) },
                    "properties": { "api": error.api, "kind": error.kind, "resources": error.resources },
                })
            })
        })
        .collect();
    // A part of the estate not scanned is an error of this run, not a finding about a resource.
    notifications.extend(report.not_scanned.iter().map(|gap| {
        json!({
            "level": "error",
            "message": { "text": format!("not scanned: {}", gap.line()) },
            "properties": { "api": gap.api, "kind": gap.kind, "account": gap.account, "region": gap.region, "cluster": gap.cluster, "help": gap.help },
        })
    }));
    notifications.extend(
        report
            .warnings
            .iter()
            .map(|w| json!({ "level": "warning", "message": { "text": w } })),
    );
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "sek",
                "version": report.sek_version,
                "semanticVersion": report.sek_version,
                "rules": rules,
            } },
            "invocations": [{
                "executionSuccessful": report.not_scanned.is_empty(),
                "endTimeUtc": report.generated_at.to_string(),
                "toolExecutionNotifications": notifications,
            }],
            "results": results,
        }],
    });
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture;

    fn sarif() -> Value {
        sarif_of(&fixture::report())
    }

    fn sarif_of(report: &Report) -> Value {
        let mut out = Vec::new();
        render(report, &mut out).unwrap();
        serde_json::from_slice(&out).unwrap()
    }

    #[test]
    fn sarif_snapshot() {
        insta::assert_json_snapshot!(sarif());
    }

    #[test]
    fn validates_against_the_sarif_2_1_0_schema() {
        let schema: Value = serde_json::from_str(include_str!(
            "../../../../testdata/schemas/sarif-2.1.0.json"
        ))
        .unwrap();
        let validator = jsonschema::validator_for(&schema).unwrap();
        for log in [sarif(), sarif_of(&fixture::fleet())] {
            let errors: Vec<String> = validator
                .iter_errors(&log)
                .map(|e| format!("{} at {}", e, e.instance_path()))
                .collect();
            assert!(errors.is_empty(), "{errors:#?}");
        }
    }

    #[test]
    fn what_was_not_scanned_is_an_execution_error() {
        let log = sarif_of(&fixture::fleet());
        let invocation = &log["runs"][0]["invocations"][0];
        assert_eq!(invocation["executionSuccessful"], false);
        let notes = invocation["toolExecutionNotifications"].as_array().unwrap();
        let gap = notes.iter().find(|n| n["level"] == "error").unwrap();
        assert!(
            gap["message"]["text"]
                .as_str()
                .unwrap()
                .starts_with("not scanned: account arn:aws:iam::777788889999:role/sek-audit")
        );
        assert_eq!(
            sarif()["runs"][0]["invocations"][0]["executionSuccessful"],
            true
        );
    }

    #[test]
    fn every_check_is_a_rule_and_results_point_at_their_rule() {
        let log = sarif();
        let run = &log["runs"][0];
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        assert_eq!(rules.len(), checks::ALL.len());
        for result in run["results"].as_array().unwrap() {
            let index = result["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(rules[index]["id"], result["ruleId"]);
        }
        // fail, error, waived and manual findings are results; passes are not.
        let statuses: Vec<&str> = run["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["properties"]["status"].as_str().unwrap())
            .collect();
        assert_eq!(statuses, ["fail", "error", "waived", "manual"]);
        let waived = &run["results"][2];
        assert_eq!(
            waived["suppressions"][0]["justification"],
            "legacy nodes, replaced in Q1"
        );
        assert_eq!(
            run["invocations"][0]["toolExecutionNotifications"]
                .as_array()
                .unwrap()
                .len(),
            2
        );
    }

    #[test]
    fn fingerprints_are_stable_and_distinct() {
        assert_eq!(
            fingerprint("node-imds", "i-1"),
            fingerprint("node-imds", "i-1")
        );
        assert_ne!(
            fingerprint("node-imds", "i-1"),
            fingerprint("node-imds", "i-2")
        );
        assert_ne!(
            fingerprint("node-imd", "si-1"),
            fingerprint("node-imds", "i-1")
        );
    }
}
