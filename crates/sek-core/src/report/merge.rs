//! `sek merge`: one report from the reports of separate runs (one per account, say, run by a
//! CronJob or a Step Functions map). Clusters keep their own results; provenance is summed.

use std::collections::BTreeMap;

use super::Report;

impl Report {
    /// Merge `reports` (in the order given). A cluster present in several (same account, region
    /// and name) keeps its newest result, with a warning; what one run could not scan stays
    /// listed unless another run scanned that cluster.
    pub fn merge(reports: Vec<Report>) -> Report {
        let mut merged = Report {
            sek_version: crate::VERSION,
            generated_at: jiff::Timestamp::UNIX_EPOCH,
            inventory: Default::default(),
            config: None,
            clusters: Vec::new(),
            warnings: Vec::new(),
            not_scanned: Vec::new(),
        };
        // cluster key -> (index in merged.clusters, generated_at of the report it came from)
        let mut seen: BTreeMap<(Option<String>, String, String), (usize, jiff::Timestamp)> =
            BTreeMap::new();
        let mut callers = Vec::new();
        let mut configs = Vec::new();
        for report in reports {
            merged.generated_at = merged.generated_at.max(report.generated_at);
            let meta = report.inventory;
            let total = &mut merged.inventory;
            total.collected_at = total.collected_at.max(meta.collected_at);
            total.api_calls = match (total.api_calls, meta.api_calls) {
                (None, None) => None,
                (a, b) => Some(a.unwrap_or(0) + b.unwrap_or(0)),
            };
            for (api, n) in meta.api_calls_by_action {
                *total.api_calls_by_action.entry(api).or_insert(0) += n;
            }
            // Runs overlap in time when fanned out: the longest one is the wall time.
            total.duration_ms = total.duration_ms.max(meta.duration_ms);
            total.sek_version = total.sek_version.take().or(meta.sek_version);
            callers.extend(meta.caller_arn);
            configs.extend(report.config);
            for cluster in report.clusters {
                let key = (
                    cluster.account_id.clone(),
                    cluster.region.clone(),
                    cluster.name.clone(),
                );
                match seen.get(&key) {
                    Some(&(index, at)) => {
                        merged.warnings.push(format!(
                            "cluster {} ({}, account {}) is in more than one report; kept the newest",
                            cluster.name,
                            cluster.region,
                            cluster.account_id.as_deref().unwrap_or("?")
                        ));
                        if report.generated_at >= at {
                            merged.clusters[index] = cluster;
                            seen.insert(key, (index, report.generated_at));
                        }
                    }
                    None => {
                        seen.insert(key, (merged.clusters.len(), report.generated_at));
                        merged.clusters.push(cluster);
                    }
                }
            }
            for warning in report.warnings {
                if !merged.warnings.contains(&warning) {
                    merged.warnings.push(warning);
                }
            }
            merged.not_scanned.extend(report.not_scanned);
        }
        merged.not_scanned.retain(|gap| {
            let Some(name) = &gap.cluster else {
                return true;
            };
            !merged.clusters.iter().any(|c| {
                &c.name == name
                    && gap.region.as_ref().is_none_or(|r| r == &c.region)
                    && gap
                        .account
                        .as_ref()
                        .is_none_or(|a| Some(a) == c.account_id.as_ref())
            })
        });
        callers.sort();
        callers.dedup();
        merged.inventory.caller_arn = match callers.as_slice() {
            [one] => Some(one.clone()),
            _ => None,
        };
        configs.sort();
        configs.dedup();
        merged.config = match configs.as_slice() {
            [one] => Some(one.clone()),
            [] => None,
            several => Some(several.join(", ")),
        };
        merged
    }
}

#[cfg(test)]
mod tests {
    use crate::inventory::{ErrorKind, NotScanned};
    use crate::report::{Report, fixture};

    #[test]
    fn clusters_are_combined_and_provenance_summed() {
        let fleet = fixture::fleet();
        let mut a = fleet.clone();
        a.clusters.truncate(1);
        a.not_scanned.clear();
        let mut b = fleet.clone();
        b.clusters.remove(0);
        b.inventory.api_calls = Some(58);
        b.inventory.duration_ms = Some(5000);
        let merged = Report::merge(vec![a, b]);
        let names: Vec<&str> = merged.clusters.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["prod", "payments", "staging"]);
        assert_eq!(merged.inventory.api_calls, Some(42 + 58));
        assert_eq!(merged.inventory.duration_ms, Some(5000));
        assert_eq!(merged.not_scanned, fleet.not_scanned);
        assert_eq!(merged.warnings, fleet.warnings, "the same warning once");
        assert_eq!(merged.counts().total(), fleet.counts().total());
    }

    #[test]
    fn a_cluster_in_two_reports_keeps_the_newest_and_says_so() {
        let old = fixture::report();
        let mut new = fixture::report();
        new.generated_at = "2026-11-24T12:00:00Z".parse().unwrap();
        new.clusters[0].results.truncate(1);
        let merged = Report::merge(vec![new.clone(), old]);
        assert_eq!(merged.clusters.len(), 1);
        assert_eq!(merged.clusters[0].results.len(), 1, "the newer run wins");
        assert!(
            merged
                .warnings
                .iter()
                .any(|w| w.contains("more than one report"))
        );
    }

    #[test]
    fn a_gap_one_run_left_is_dropped_when_another_run_scanned_that_cluster() {
        let mut failed = fixture::report();
        failed.clusters.clear();
        failed.not_scanned = vec![NotScanned {
            account: Some("111122223333".into()),
            region: Some("eu-west-1".into()),
            cluster: Some("prod".into()),
            api: "eks:DescribeCluster".into(),
            kind: ErrorKind::Throttled,
            message: "Rate exceeded".into(),
            help: None,
        }];
        let merged = Report::merge(vec![failed, fixture::report()]);
        assert!(merged.not_scanned.is_empty());
        assert_eq!(merged.clusters.len(), 1);
    }
}
