//! The JSON report: its own view types, tagged with a schema version, so internal changes never
//! change the output by accident (`docs/report-json.md` documents it).

use std::io::{self, Write};

use jiff::Timestamp;
use schemars::JsonSchema;
use serde::Serialize;

use super::fleet::FleetSummary;
use super::{CheckResult, ClusterReport, Counts, Report};
use crate::checks::{Area, Finding, Ref, Severity, Status};
use crate::inventory::k8s::KubernetesAccess;
use crate::inventory::{CollectError, Meta, NotScanned};

/// Version of the JSON report schema. Bumped on any incompatible change.
pub const REPORT_SCHEMA_VERSION: u32 = 1;

/// The JSON report (see `docs/report-json.md`).
#[derive(Serialize, JsonSchema)]
#[schemars(title = "sek JSON report")]
struct JsonReport<'a> {
    report_schema_version: u32,
    sek_version: &'a str,
    generated_at: Timestamp,
    inventory: &'a Meta,
    config: Option<&'a str>,
    summary: Counts,
    clusters: Vec<JsonCluster<'a>>,
    warnings: &'a [String],
    /// Accounts, regions and clusters that could not be scanned (fleet scans).
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    #[schemars(default)]
    not_scanned: &'a [NotScanned],
    /// Which checks fail on the most clusters, and which clusters fail most (reports of more
    /// than one cluster, or with parts not scanned).
    #[serde(skip_serializing_if = "Option::is_none")]
    fleet: Option<FleetSummary>,
}

#[derive(Serialize, JsonSchema)]
struct JsonCluster<'a> {
    name: &'a str,
    region: &'a str,
    account_id: Option<&'a str>,
    arn: &'a str,
    summary: Counts,
    results: Vec<JsonResult<'a>>,
    collection_errors: &'a [CollectError],
    /// How the Kubernetes side was read, when it was.
    #[serde(skip_serializing_if = "Option::is_none")]
    kubernetes_access: Option<&'a KubernetesAccess>,
}

#[derive(Serialize, JsonSchema)]
struct JsonResult<'a> {
    check: &'static str,
    title: &'static str,
    area: Area,
    severity: Severity,
    status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<&'a str>,
    references: Vec<Ref>,
    docs: String,
    findings: &'a [Finding],
}

fn cluster_view(cluster: &ClusterReport) -> JsonCluster<'_> {
    JsonCluster {
        name: &cluster.name,
        region: &cluster.region,
        account_id: cluster.account_id.as_deref(),
        arn: &cluster.arn,
        summary: cluster.counts(),
        results: cluster.results.iter().map(result_view).collect(),
        collection_errors: &cluster.collection_errors,
        kubernetes_access: cluster.kubernetes_access.as_ref(),
    }
}

fn result_view(result: &CheckResult) -> JsonResult<'_> {
    JsonResult {
        check: result.check.id,
        title: result.check.title,
        area: result.check.area,
        severity: result.severity,
        status: result.status,
        note: result.note.as_deref(),
        references: result.check.all_refs(),
        docs: result.check.docs_path(),
        findings: &result.findings,
    }
}

/// The JSON Schema of the report, published as `docs/report.schema.json`.
pub fn schema() -> String {
    let schema = schemars::schema_for!(JsonReport<'static>);
    serde_json::to_string_pretty(&schema).expect("schema serialises") + "\n"
}

/// Write the JSON report (pretty-printed, trailing newline).
pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let view = JsonReport {
        report_schema_version: REPORT_SCHEMA_VERSION,
        sek_version: report.sek_version,
        generated_at: report.generated_at,
        inventory: &report.inventory,
        config: report.config.as_deref(),
        summary: report.counts(),
        clusters: report.clusters.iter().map(cluster_view).collect(),
        warnings: &report.warnings,
        not_scanned: &report.not_scanned,
        fleet: report.is_fleet().then(|| report.fleet()),
    };
    serde_json::to_writer_pretty(&mut *out, &view)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture;

    fn json() -> serde_json::Value {
        let mut out = Vec::new();
        render(&fixture::report(), &mut out).unwrap();
        serde_json::from_slice(&out).unwrap()
    }

    #[test]
    fn the_report_validates_against_its_published_schema() {
        let schema: serde_json::Value = serde_json::from_str(&schema()).unwrap();
        let validator = jsonschema::validator_for(&schema).unwrap();
        let report = json();
        let errors: Vec<String> = validator
            .iter_errors(&report)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
        // The schema is strict enough to catch a wrong type.
        let mut broken = report.clone();
        broken["clusters"][0]["results"][0]["status"] = serde_json::json!("passed");
        assert!(!validator.is_valid(&broken));
    }

    #[test]
    fn a_fleet_report_carries_its_summary_and_what_was_not_scanned_and_validates() {
        let mut out = Vec::new();
        render(&fixture::fleet(), &mut out).unwrap();
        let report: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(report["fleet"]["clusters"], 3);
        assert_eq!(report["fleet"]["checks"][0]["check"], "service-logging");
        assert_eq!(report["fleet"]["by_cluster"][0]["name"], "payments");
        assert_eq!(report["not_scanned"][0]["api"], "sts:AssumeRole");
        assert_eq!(report["not_scanned"][0]["kind"], "access-denied");
        let schema: serde_json::Value = serde_json::from_str(&schema()).unwrap();
        assert!(
            jsonschema::validator_for(&schema)
                .unwrap()
                .is_valid(&report)
        );
        // A one-cluster report has neither.
        assert!(json().get("fleet").is_none() && json().get("not_scanned").is_none());
    }

    #[test]
    fn json_report_snapshot() {
        insta::assert_json_snapshot!(json());
    }

    #[test]
    fn carries_schema_version_statuses_and_references() {
        let value = json();
        assert_eq!(value["report_schema_version"], 1);
        assert_eq!(value["summary"]["fail"], 1);
        let logging = &value["clusters"][0]["results"][0];
        assert_eq!(logging["check"], "service-logging");
        assert_eq!(logging["status"], "fail");
        assert_eq!(
            logging["references"][0],
            serde_json::json!({"framework": "cis-eks-1.3.0", "id": "2.1.1"})
        );
        assert_eq!(
            value["clusters"][0]["results"][2]["status"],
            "not-applicable"
        );
        assert_eq!(
            value["clusters"][0]["collection_errors"][0]["kind"],
            "access-denied"
        );
    }
}
