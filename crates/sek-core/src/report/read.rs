//! Reading a JSON report back into a [`Report`], for `sek diff` and `sek merge`. Check metadata
//! comes from this sek's registry by id, so a report from a newer sek that names an unknown
//! check is refused rather than rendered with made-up metadata.

use jiff::Timestamp;
use serde::Deserialize;

use super::json::REPORT_SCHEMA_VERSION;
use super::{CheckResult, ClusterReport, Report};
use crate::checks::{self, Finding, Severity, Status};
use crate::inventory::k8s::KubernetesAccess;
use crate::inventory::{CollectError, Meta, NotScanned};

/// Why a file is not a JSON report this sek can read.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// Not JSON, or not shaped like a report.
    #[error("not a sek JSON report: {0}")]
    Malformed(String),
    /// Written by a newer sek with an incompatible schema.
    #[error(
        "report schema version {found} is newer than this sek reads ({REPORT_SCHEMA_VERSION}); use a newer sek"
    )]
    NewerSchema {
        /// The version in the file.
        found: u32,
    },
    /// Names a check this sek does not have.
    #[error(
        "the report names check `{check}`, which this sek ({}) does not know; read it with the sek that wrote it, or a newer one",
        crate::VERSION
    )]
    UnknownCheck {
        /// The check id.
        check: String,
    },
}

#[derive(Deserialize)]
struct ReportIn {
    generated_at: Timestamp,
    #[serde(default)]
    inventory: Meta,
    #[serde(default)]
    config: Option<String>,
    clusters: Vec<ClusterIn>,
    #[serde(default)]
    warnings: Vec<String>,
    #[serde(default)]
    not_scanned: Vec<NotScanned>,
}

#[derive(Deserialize)]
struct ClusterIn {
    name: String,
    region: String,
    #[serde(default)]
    account_id: Option<String>,
    arn: String,
    results: Vec<ResultIn>,
    #[serde(default)]
    collection_errors: Vec<CollectError>,
    #[serde(default)]
    kubernetes_access: Option<KubernetesAccess>,
}

#[derive(Deserialize)]
struct ResultIn {
    check: String,
    severity: Severity,
    status: Status,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    findings: Vec<Finding>,
}

impl Report {
    /// Read a report written by `sek scan -f json`.
    pub fn from_json(text: &str) -> Result<Report, ReportError> {
        #[derive(Deserialize)]
        struct Probe {
            report_schema_version: Option<u32>,
        }
        let probe: Probe =
            serde_json::from_str(text).map_err(|e| ReportError::Malformed(e.to_string()))?;
        match probe.report_schema_version {
            None => {
                return Err(ReportError::Malformed(
                    "no `report_schema_version` field (write reports with `sek scan -f json`)"
                        .into(),
                ));
            }
            Some(found) if found > REPORT_SCHEMA_VERSION => {
                return Err(ReportError::NewerSchema { found });
            }
            Some(_) => {}
        }
        let report: ReportIn =
            serde_json::from_str(text).map_err(|e| ReportError::Malformed(e.to_string()))?;
        let clusters = report
            .clusters
            .into_iter()
            .map(|cluster| {
                let results = cluster
                    .results
                    .into_iter()
                    .map(|result| {
                        let check =
                            checks::find(&result.check).ok_or(ReportError::UnknownCheck {
                                check: result.check,
                            })?;
                        Ok(CheckResult {
                            check,
                            severity: result.severity,
                            status: result.status,
                            findings: result.findings,
                            note: result.note,
                        })
                    })
                    .collect::<Result<_, ReportError>>()?;
                Ok(ClusterReport {
                    name: cluster.name,
                    region: cluster.region,
                    account_id: cluster.account_id,
                    arn: cluster.arn,
                    results,
                    collection_errors: cluster.collection_errors,
                    kubernetes_access: cluster.kubernetes_access,
                })
            })
            .collect::<Result<_, ReportError>>()?;
        Ok(Report {
            sek_version: crate::VERSION,
            generated_at: report.generated_at,
            inventory: report.inventory,
            config: report.config,
            clusters,
            warnings: report.warnings,
            not_scanned: report.not_scanned,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{fixture, json};

    fn written(report: &Report) -> String {
        let mut out = Vec::new();
        json::render(report, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn a_written_report_reads_back_to_the_same_json() {
        for report in [fixture::report(), fixture::fleet()] {
            let text = written(&report);
            let read = Report::from_json(&text).unwrap();
            // sek_version is the reader's; everything else survives the round trip.
            let again = written(&read).replace(crate::VERSION, "0.0.0-test");
            assert_eq!(again, text);
        }
    }

    #[test]
    fn foreign_newer_and_unknown_content_is_refused_with_the_reason() {
        let snapshot = r#"{"schema_version": 2, "clusters": []}"#;
        assert!(matches!(
            Report::from_json(snapshot),
            Err(ReportError::Malformed(m)) if m.contains("report_schema_version")
        ));
        let newer = written(&fixture::report()).replace(
            "\"report_schema_version\": 1",
            "\"report_schema_version\": 99",
        );
        assert!(matches!(
            Report::from_json(&newer),
            Err(ReportError::NewerSchema { found: 99 })
        ));
        let unknown = written(&fixture::report()).replace(
            "\"check\": \"node-private\"",
            "\"check\": \"node-teleport\"",
        );
        let err = Report::from_json(&unknown).unwrap_err();
        assert!(err.to_string().contains("`node-teleport`"), "{err}");
        assert!(matches!(
            Report::from_json("{ not json"),
            Err(ReportError::Malformed(_))
        ));
    }
}
