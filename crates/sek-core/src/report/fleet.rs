//! The fleet view of a report: which checks fail on the most clusters, which clusters fail the
//! most checks, and what could not be scanned. Every renderer shows it when a report covers more
//! than one cluster (or left part of the estate unscanned).

use std::collections::BTreeSet;

use serde::Serialize;

use super::{ClusterReport, Report};
use crate::checks::{Check, Severity, Status};

/// How one check fares across the fleet.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct CheckSpread {
    /// Check id.
    pub check: &'static str,
    /// Severity (as configured).
    pub severity: Severity,
    /// Clusters where it fails.
    pub failing: usize,
    /// Clusters where it could not be evaluated.
    pub errors: usize,
    /// Failing resources, over every cluster.
    pub failing_resources: usize,
}

/// How one cluster fares.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ClusterTally {
    /// Cluster name.
    pub name: String,
    /// Region.
    pub region: String,
    /// Account.
    pub account_id: Option<String>,
    /// Checks that fail.
    pub failing: usize,
    /// Checks that could not be evaluated.
    pub errors: usize,
    /// The most severe failing check's severity.
    pub worst: Option<Severity>,
}

/// The fleet summary of a report.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct FleetSummary {
    /// Clusters scanned.
    pub clusters: usize,
    /// Distinct accounts among them.
    pub accounts: usize,
    /// Distinct regions among them.
    pub regions: usize,
    /// Clusters with at least one failing check.
    pub failing_clusters: usize,
    /// Checks that fail or error on at least one cluster: most failing clusters first, then
    /// severity.
    pub checks: Vec<CheckSpread>,
    /// Every cluster: most severe failure first, then most failing checks.
    pub by_cluster: Vec<ClusterTally>,
    /// Accounts, regions and clusters that could not be scanned.
    pub not_scanned: usize,
}

impl Report {
    /// Whether this report covers a fleet: several clusters, or a scan that left parts out.
    pub fn is_fleet(&self) -> bool {
        self.clusters.len() > 1 || !self.not_scanned.is_empty()
    }

    /// The fleet summary.
    pub fn fleet(&self) -> FleetSummary {
        let accounts: BTreeSet<_> = self.clusters.iter().map(|c| &c.account_id).collect();
        let regions: BTreeSet<_> = self.clusters.iter().map(|c| &c.region).collect();
        let mut checks: Vec<CheckSpread> = Vec::new();
        for cluster in &self.clusters {
            for result in &cluster.results {
                if !matches!(result.status, Status::Fail | Status::Error) {
                    continue;
                }
                let spread = match checks.iter_mut().find(|s| s.check == result.check.id) {
                    Some(spread) => spread,
                    None => {
                        checks.push(spread_of(result.check, result.severity));
                        checks.last_mut().expect("just pushed")
                    }
                };
                if result.status == Status::Fail {
                    spread.failing += 1;
                    spread.failing_resources += result
                        .findings
                        .iter()
                        .filter(|f| f.status == Status::Fail)
                        .count();
                } else {
                    spread.errors += 1;
                }
            }
        }
        checks.sort_by(|a, b| {
            (b.failing, b.severity, b.errors)
                .cmp(&(a.failing, a.severity, a.errors))
                .then(a.check.cmp(b.check))
        });
        let mut by_cluster: Vec<ClusterTally> = self.clusters.iter().map(tally).collect();
        by_cluster.sort_by(|a, b| {
            (b.worst, b.failing, b.errors)
                .cmp(&(a.worst, a.failing, a.errors))
                .then_with(|| {
                    (&a.account_id, &a.region, &a.name).cmp(&(&b.account_id, &b.region, &b.name))
                })
        });
        FleetSummary {
            clusters: self.clusters.len(),
            accounts: accounts.len(),
            regions: regions.len(),
            failing_clusters: by_cluster.iter().filter(|c| c.failing > 0).count(),
            checks,
            by_cluster,
            not_scanned: self.not_scanned.len(),
        }
    }
}

fn spread_of(check: &'static Check, severity: Severity) -> CheckSpread {
    CheckSpread {
        check: check.id,
        severity,
        failing: 0,
        errors: 0,
        failing_resources: 0,
    }
}

fn tally(cluster: &ClusterReport) -> ClusterTally {
    let failing = cluster.results.iter().filter(|r| r.status == Status::Fail);
    ClusterTally {
        name: cluster.name.clone(),
        region: cluster.region.clone(),
        account_id: cluster.account_id.clone(),
        failing: failing.clone().count(),
        errors: cluster
            .results
            .iter()
            .filter(|r| r.status == Status::Error)
            .count(),
        worst: failing.map(|r| r.severity).max(),
    }
}

/// `name (region, account)`: a cluster named in fleet summaries and diffs.
pub fn cluster_label(name: &str, region: &str, account: Option<&str>) -> String {
    match account {
        Some(account) => format!("{name} ({region}, {account})"),
        None => format!("{name} ({region})"),
    }
}

impl ClusterTally {
    /// `name (region, account)`.
    pub fn label(&self) -> String {
        cluster_label(&self.name, &self.region, self.account_id.as_deref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture;

    #[test]
    fn checks_are_ranked_by_the_clusters_they_fail_on() {
        let report = fixture::fleet();
        let fleet = report.fleet();
        assert_eq!((fleet.clusters, fleet.accounts, fleet.regions), (3, 2, 2));
        assert_eq!(fleet.not_scanned, 1);
        // service-logging fails on all three clusters, node-imds on one.
        let first = &fleet.checks[0];
        assert_eq!((first.check, first.failing), ("service-logging", 3));
        let imds = fleet
            .checks
            .iter()
            .find(|c| c.check == "node-imds")
            .unwrap();
        assert_eq!((imds.failing, imds.failing_resources), (1, 2));
        // The cluster with the high-severity failure comes first.
        assert_eq!(fleet.by_cluster[0].name, "payments");
        assert_eq!(fleet.by_cluster[0].worst, Some(Severity::High));
        assert_eq!(fleet.failing_clusters, 3);
        assert!(report.is_fleet());
        assert!(!fixture::report().is_fleet());
    }
}
