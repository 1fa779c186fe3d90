//! Run checks over an inventory: skips, severity overrides, status roll-up, and isolation of a
//! check that panics (it becomes an `error` finding; the other checks still run).

use std::panic::{AssertUnwindSafe, catch_unwind};

use jiff::Timestamp;

use crate::checks::{self, Check, Ctx, Finding, Status};
use crate::config::Config;
use crate::inventory::{ClusterInventory, ClusterView, Inventory};
use crate::report::{CheckResult, ClusterReport, Report};

/// What to run, beyond the configuration file.
#[derive(Debug, Clone)]
pub struct Selection {
    /// The checks to evaluate, in report order.
    pub checks: Vec<&'static Check>,
    /// Checks turned off on the command line.
    pub skip: Vec<&'static Check>,
}

impl Default for Selection {
    fn default() -> Self {
        Selection {
            checks: checks::ALL.to_vec(),
            skip: Vec::new(),
        }
    }
}

/// Evaluate every selected check on every cluster of `inventory`.
pub fn evaluate(inventory: &Inventory, config: &Config, selection: &Selection) -> Report {
    Report {
        sek_version: crate::VERSION,
        generated_at: Timestamp::now(),
        inventory: inventory.meta.clone(),
        config: config.source.clone(),
        clusters: inventory
            .clusters
            .iter()
            .map(|cluster| evaluate_cluster(cluster, config, selection))
            .collect(),
    }
}

fn evaluate_cluster(
    inventory: &ClusterInventory,
    config: &Config,
    selection: &Selection,
) -> ClusterReport {
    let view = ClusterView::new(inventory);
    let ctx = Ctx {
        inventory: &view,
        thresholds: &config.thresholds,
    };
    let results = selection
        .checks
        .iter()
        .map(|&check| {
            let severity = config
                .severity
                .get(check.id)
                .copied()
                .unwrap_or(check.severity);
            let skipped_by = if selection.skip.iter().any(|c| c.id == check.id) {
                Some("skipped on the command line")
            } else if config.skip.iter().any(|c| c.id == check.id) {
                Some("skipped in the configuration file")
            } else {
                None
            };
            if let Some(reason) = skipped_by {
                return CheckResult {
                    check,
                    severity,
                    status: Status::Skipped,
                    findings: Vec::new(),
                    note: Some(reason.into()),
                };
            }
            let findings = run_isolated(check, &ctx, inventory);
            let status = Status::worst(findings.iter().map(|f| f.status)).unwrap_or(Status::Error);
            CheckResult {
                check,
                severity,
                status,
                findings,
                note: None,
            }
        })
        .collect();
    ClusterReport {
        name: inventory.name.clone(),
        region: inventory.region.clone(),
        account_id: inventory.account_id.clone(),
        arn: inventory.arn(),
        results,
        collection_errors: inventory.gaps.clone(),
    }
}

/// Run one check; a panic or an empty result becomes an `error` finding.
fn run_isolated(check: &Check, ctx: &Ctx<'_>, inventory: &ClusterInventory) -> Vec<Finding> {
    match catch_unwind(AssertUnwindSafe(|| (check.eval)(ctx))) {
        Ok(findings) if !findings.is_empty() => findings,
        Ok(_) => vec![Finding::error(
            inventory.arn(),
            format!(
                "internal error: check {} returned no result; please report this",
                check.id
            ),
        )],
        Err(panic) => {
            let cause = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_string());
            vec![Finding::error(
                inventory.arn(),
                format!(
                    "internal error in check {}: {cause}; please report this",
                    check.id
                ),
            )]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::cluster;
    use crate::checks::{Area, Remediation, Severity};
    use crate::inventory::Meta;

    fn panics(_: &Ctx<'_>) -> Vec<Finding> {
        panic!("boom")
    }

    fn silent(_: &Ctx<'_>) -> Vec<Finding> {
        Vec::new()
    }

    fn fake(id: &'static str, eval: fn(&Ctx<'_>) -> Vec<Finding>) -> &'static Check {
        Box::leak(Box::new(Check {
            id,
            aliases: &[],
            area: Area::Node,
            title: "t",
            severity: Severity::Low,
            refs: &[],
            needs: &[],
            rationale: "r",
            remediation: Remediation {
                text: "x",
                cli: None,
                terraform: None,
            },
            links: &[],
            eval,
        }))
    }

    fn inventory() -> Inventory {
        let mut inventory = Inventory::new(Meta::default());
        inventory.clusters.push(cluster());
        inventory
    }

    #[test]
    fn a_panicking_check_is_an_error_and_the_others_still_run() {
        let selection = Selection {
            checks: vec![fake("node-boom", panics), &checks::service::secrets::CHECK],
            skip: vec![],
        };
        let report = evaluate(&inventory(), &Config::default(), &selection);
        let results = &report.clusters[0].results;
        assert_eq!(results[0].status, Status::Error);
        assert!(
            results[0].findings[0]
                .message
                .contains("internal error in check node-boom: boom")
        );
        assert_eq!(results[1].status, Status::Pass);
    }

    #[test]
    fn a_check_with_no_findings_is_an_error_not_a_pass() {
        let selection = Selection {
            checks: vec![fake("node-silent", silent)],
            skip: vec![],
        };
        let report = evaluate(&inventory(), &Config::default(), &selection);
        assert_eq!(report.clusters[0].results[0].status, Status::Error);
    }

    #[test]
    fn skips_and_severity_overrides_apply() {
        let config = Config::parse(
            "skip = [\"service-logging\"]\n[severity]\nservice-secrets = \"critical\"\n",
            "t",
        )
        .unwrap();
        let selection = Selection {
            skip: vec![&checks::service::endpoint::CHECK],
            ..Selection::default()
        };
        let report = evaluate(&inventory(), &config, &selection);
        let result = |id: &str| {
            report.clusters[0]
                .results
                .iter()
                .find(|r| r.check.id == id)
                .unwrap()
        };
        assert_eq!(result("service-logging").status, Status::Skipped);
        assert_eq!(
            result("service-logging").note.as_deref(),
            Some("skipped in the configuration file")
        );
        assert_eq!(result("service-endpoint").status, Status::Skipped);
        assert_eq!(result("service-secrets").severity, Severity::Critical);
        assert_eq!(result("service-secrets").status, Status::Pass);
    }

    #[test]
    fn check_status_is_the_worst_finding() {
        let mut inventory = inventory();
        let mut cluster = crate::checks::testkit::cluster_with_nodes(&["i-1", "i-2"]);
        cluster.volumes[1].encrypted = Some(false);
        inventory.clusters[0] = cluster;
        let report = evaluate(&inventory, &Config::default(), &Selection::default());
        let volumes = report.clusters[0]
            .results
            .iter()
            .find(|r| r.check.id == "node-volumes")
            .unwrap();
        assert_eq!(volumes.status, Status::Fail);
        assert_eq!(volumes.findings.len(), 2);
    }
}
