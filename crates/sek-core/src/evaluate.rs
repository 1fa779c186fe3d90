//! Run checks over an inventory: skips, severity overrides, waivers, status roll-up, and
//! isolation of a check that panics (it becomes an `error` finding; the other checks still run).

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};

use jiff::Timestamp;

use crate::checks::{self, Check, Ctx, Finding, ReadPlan, Scope, Status, WaiverNote};
use crate::config::{Config, Waiver};
use crate::inventory::{ClusterInventory, ClusterView, CollectError, Failures, Inventory};
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

/// Evaluate every selected check on every cluster of `inventory`, now.
pub fn evaluate(inventory: &Inventory, config: &Config, selection: &Selection) -> Report {
    evaluate_at(inventory, config, selection, Timestamp::now())
}

/// Evaluate at `now` (which decides waiver expiry).
pub fn evaluate_at(
    inventory: &Inventory,
    config: &Config,
    selection: &Selection,
    now: Timestamp,
) -> Report {
    let today = now.to_zoned(jiff::tz::TimeZone::UTC).date();
    let active: Vec<&Waiver> = config
        .waivers
        .iter()
        .filter(|w| !w.expired(today))
        .collect();
    let mut used = vec![false; active.len()];
    let mut state = Evaluator {
        config,
        selection,
        inventory,
        now,
        waivers: &active,
        used: &mut used,
        region_results: HashMap::new(),
        uncollected: {
            // Decided once per check: it depends on the inventory, not on the cluster.
            let collected = ReadPlan::for_ids(inventory.meta.collected_for.as_deref());
            selection
                .checks
                .iter()
                .filter_map(|check| Some((check.id, not_collected_for(&collected, check)?)))
                .collect()
        },
    };
    let clusters = inventory
        .clusters
        .iter()
        .map(|cluster| state.cluster(cluster))
        .collect();

    let mut warnings = Vec::new();
    for waiver in config.waivers.iter().filter(|w| w.expired(today)) {
        warnings.push(format!(
            "{}: the waiver of {} for `{}` expired on {}; it was not applied",
            waiver.location,
            waiver.check.id,
            waiver.resource,
            waiver.expires.map(|d| d.to_string()).unwrap_or_default()
        ));
    }
    for (waiver, _) in active.iter().zip(&used).filter(|(_, used)| !**used) {
        warnings.push(format!(
            "{}: the waiver of {} for `{}` matched no failing finding; remove it if the failure is fixed",
            waiver.location, waiver.check.id, waiver.resource
        ));
    }
    Report {
        sek_version: crate::VERSION,
        generated_at: now,
        inventory: inventory.meta.clone(),
        config: config.source.clone(),
        clusters,
        warnings,
        not_scanned: inventory.not_scanned.clone(),
    }
}

/// What evaluation carries from cluster to cluster.
struct Evaluator<'a> {
    config: &'a Config,
    selection: &'a Selection,
    inventory: &'a Inventory,
    now: Timestamp,
    waivers: &'a [&'a Waiver],
    used: &'a mut [bool],
    /// Findings of region-scoped checks, by (account, region, check): each is evaluated once per
    /// region and shown with every cluster there.
    region_results: HashMap<(Option<String>, String, &'static str), Vec<Finding>>,
    /// Why a selected check cannot be evaluated, by id: the inventory was collected for other
    /// checks and lacks its reads.
    uncollected: HashMap<&'static str, String>,
}

impl Evaluator<'_> {
    fn cluster(&mut self, cluster: &ClusterInventory) -> ClusterReport {
        let view =
            ClusterView::excluding_namespaces(cluster, &self.config.settings.excluded_namespaces);
        let region = self.inventory.region_of(cluster);
        let ctx = Ctx {
            inventory: &view,
            region,
            account: self.inventory.account_of(cluster),
            settings: &self.config.settings,
            now: self.inventory.meta.collected_at.unwrap_or(self.now),
        };
        // Cluster checks are pure and independent: they run on every core at once. Region
        // checks are evaluated (once per region) in the loop below.
        let skipped = |check: &Check| {
            if self.selection.skip.iter().any(|c| c.id == check.id) {
                Some("skipped on the command line")
            } else if self.config.skip.iter().any(|c| c.id == check.id) {
                Some("skipped in the configuration file")
            } else {
                None
            }
        };
        let mut computed = run_parallel(&self.selection.checks, |check| {
            (skipped(check).is_none()
                && !self.uncollected.contains_key(check.id)
                && !(check.scope() == Scope::Region && region.is_some()))
            .then(|| run_isolated(check, &ctx, cluster))
        });
        let results = self
            .selection
            .checks
            .iter()
            .enumerate()
            .map(|(index, &check)| {
                let severity = self
                    .config
                    .severity
                    .get(check.id)
                    .copied()
                    .unwrap_or(check.severity);
                if let Some(reason) = skipped(check) {
                    return CheckResult {
                        check,
                        severity,
                        status: Status::Skipped,
                        findings: Vec::new(),
                        note: Some(reason.into()),
                    };
                }
                let mut findings = match (computed[index].take(), region) {
                    _ if let Some(reason) = self.uncollected.get(check.id) => {
                        vec![Finding::error(cluster.arn(), reason.clone())]
                    }
                    (Some(findings), _) => findings,
                    (None, Some(region)) => self
                        .region_results
                        .entry((region.account_id.clone(), region.region.clone(), check.id))
                        .or_insert_with(|| run_isolated(check, &ctx, cluster))
                        .clone(),
                    (None, None) => run_isolated(check, &ctx, cluster),
                };
                apply_waivers(check, &mut findings, self.waivers, self.used);
                let status =
                    Status::worst(findings.iter().map(|f| f.status)).unwrap_or(Status::Error);
                CheckResult {
                    check,
                    severity,
                    status,
                    findings,
                    note: None,
                }
            })
            .collect();
        let mut collection_errors: Vec<CollectError> =
            cluster.failures().into_iter().cloned().collect();
        if let Some(region) = region {
            collection_errors.extend(region.failures().into_iter().cloned());
        }
        if let Some(account) = self.inventory.account_of(cluster) {
            collection_errors.extend(account.failures().into_iter().cloned());
        }
        // A failure that hides data read through it is recorded there too (the nodes of node
        // groups that could not be listed): list each failure once.
        let mut seen = std::collections::HashSet::new();
        collection_errors.retain(|error| seen.insert(error.clone()));
        ClusterReport {
            name: cluster.name.clone(),
            region: cluster.region.clone(),
            account_id: cluster.account_id.clone(),
            arn: cluster.arn(),
            results,
            collection_errors,
            kubernetes_access: cluster.kubernetes.got().and_then(|k| k.access.clone()),
        }
    }
}

/// Why `check` cannot be evaluated on an inventory collected for `collected`: the reads it
/// needs were not made (`sek collect --checks` read for other checks).
fn not_collected_for(collected: &ReadPlan, check: &Check) -> Option<String> {
    let unread = collected.unread_needs(check);
    let for_checks = collected.checks()?;
    if unread.is_empty() {
        return None;
    }
    let mut names: Vec<&str> = for_checks.iter().take(5).map(|c| c.id).collect();
    if for_checks.len() > names.len() {
        names.push("...");
    }
    Some(format!(
        "not collected: this snapshot was collected for {} check(s) ({}) and holds no {}; \
re-collect with `sek collect --checks {}` (or without --checks for every check)",
        for_checks.len(),
        names.join(", "),
        unread
            .iter()
            .map(|n| n.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        check.id
    ))
}

/// Turn failing (and manual) findings covered by a waiver into `waived`. Errors are never
/// waived: they say the check could not look, which a waiver for a known failure does not cover.
fn apply_waivers(check: &Check, findings: &mut [Finding], waivers: &[&Waiver], used: &mut [bool]) {
    for finding in findings
        .iter_mut()
        .filter(|f| matches!(f.status, Status::Fail | Status::Manual))
    {
        if let Some(index) = waivers
            .iter()
            .position(|w| w.covers(check, &finding.resource))
        {
            let waiver = waivers[index];
            used[index] = true;
            finding.status = Status::Waived;
            finding.waiver = Some(WaiverNote {
                reason: waiver.reason.clone(),
                expires: waiver.expires,
                location: waiver.location.clone(),
            });
        }
    }
}

/// Run one check; a panic or an empty result becomes an `error` finding.
/// `run(check)` for every check, spread over the machine's cores, results in check order.
fn run_parallel<F>(checks: &[&'static Check], run: F) -> Vec<Option<Vec<Finding>>>
where
    F: Fn(&'static Check) -> Option<Vec<Finding>> + Sync,
{
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(checks.len())
        .max(1);
    if workers == 1 {
        return checks.iter().map(|&c| run(c)).collect();
    }
    let mut results: Vec<Option<Vec<Finding>>> = vec![None; checks.len()];
    std::thread::scope(|scope| {
        // Checks are dealt round-robin, so the costly neighbours (the pod-* checks) spread out.
        let handles: Vec<_> = (0..workers)
            .map(|worker| {
                let run = &run;
                scope.spawn(move || {
                    (worker..checks.len())
                        .step_by(workers)
                        .map(|i| (i, run(checks[i])))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for handle in handles {
            // run_isolated catches a check's panic, so a worker only ends by returning.
            for (i, findings) in handle.join().unwrap_or_default() {
                results[i] = findings;
            }
        }
    });
    results
}

fn run_isolated(check: &Check, ctx: &Ctx<'_>, inventory: &ClusterInventory) -> Vec<Finding> {
    match catch_unwind(AssertUnwindSafe(|| ctx.evaluate(check))) {
        Ok(Ok(findings)) if !findings.is_empty() => findings,
        Ok(Err(missing)) => vec![Finding::missing(inventory.arn(), &missing)],
        Ok(Ok(_)) => vec![Finding::error(
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
    use crate::checks::{Area, Eval, Evaluation, Remediation, Severity};
    use crate::inventory::Meta;

    fn panics(_: &Ctx<'_>) -> Evaluation {
        panic!("boom")
    }

    fn silent(_: &Ctx<'_>) -> Evaluation {
        Ok(Vec::new())
    }

    fn fake(id: &'static str, eval: fn(&Ctx<'_>) -> Evaluation) -> &'static Check {
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
            eval: Eval::Cluster(eval),
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
    fn a_check_the_snapshot_was_not_collected_for_is_an_error_that_says_to_recollect() {
        let mut inventory = with_public_node();
        inventory.meta.collected_for = Some(vec!["service-secrets".into()]);
        let selection = Selection {
            checks: vec![
                &checks::service::secrets::CHECK,
                &checks::node::private::CHECK,
                // Its only read (DescribeCluster) is discovery's: collected for every check.
                &checks::service::endpoint::CHECK,
            ],
            skip: vec![],
        };
        let report = evaluate(&inventory, &Config::default(), &selection);
        let results = &report.clusters[0].results;
        assert_eq!(results[0].status, Status::Pass);
        assert_eq!(results[1].status, Status::Error);
        let message = &results[1].findings[0].message;
        assert!(
            message.contains("collected for 1 check(s) (service-secrets)")
                && message.contains("ec2:DescribeInstances")
                && message.contains("sek collect --checks node-private"),
            "{message}"
        );
        assert_ne!(results[2].status, Status::Error);
        // Collected for every check, the same inventory fails the public node.
        inventory.meta.collected_for = None;
        let report = evaluate(&inventory, &Config::default(), &selection);
        assert_eq!(report.clusters[0].results[1].status, Status::Fail);
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

    fn with_public_node() -> Inventory {
        let mut inventory = inventory();
        let mut cluster = crate::checks::testkit::cluster_with_nodes(&["i-1", "i-2"]);
        cluster.instances.data_mut()[0].public_ip = Some("203.0.113.1".into());
        inventory.clusters[0] = cluster;
        inventory
    }

    fn at(date: &str) -> Timestamp {
        format!("{date}T12:00:00Z").parse().unwrap()
    }

    #[test]
    fn a_waiver_turns_matching_failures_into_waived_and_keeps_them_listed() {
        let config = Config::parse(
            "[[waiver]]\ncheck = \"node-private\"\nresource = \"*:instance/i-1\"\nreason = \"bastion\"\nexpires = \"2027-01-31\"\n",
            "sek.toml",
        )
        .unwrap();
        let report = evaluate_at(
            &with_public_node(),
            &config,
            &Selection::default(),
            at("2027-01-31"),
        );
        let private = report.clusters[0]
            .results
            .iter()
            .find(|r| r.check.id == "node-private")
            .unwrap();
        assert_eq!(private.status, Status::Pass, "the only failure is waived");
        let waived = private
            .findings
            .iter()
            .find(|f| f.status == Status::Waived)
            .unwrap();
        assert!(waived.resource.ends_with("instance/i-1"));
        assert_eq!(waived.waiver.as_ref().unwrap().reason, "bastion");
        assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    }

    #[test]
    fn an_expired_waiver_is_not_applied_and_warns() {
        let config = Config::parse(
            "[[waiver]]\ncheck = \"node-private\"\nreason = \"r\"\nexpires = \"2027-01-31\"\n",
            "sek.toml",
        )
        .unwrap();
        let report = evaluate_at(
            &with_public_node(),
            &config,
            &Selection::default(),
            at("2027-02-01"),
        );
        let private = report.clusters[0]
            .results
            .iter()
            .find(|r| r.check.id == "node-private")
            .unwrap();
        assert_eq!(private.status, Status::Fail);
        assert_eq!(
            report.warnings,
            [
                "sek.toml:2: the waiver of node-private for `*` expired on 2027-01-31; it was not applied"
            ]
        );
    }

    #[test]
    fn an_unused_waiver_warns_and_errors_are_never_waived() {
        let config = Config::parse(
            "[[waiver]]\ncheck = \"node-volumes\"\nreason = \"r\"\n\n[[waiver]]\ncheck = \"service-logging\"\nreason = \"r\"\n",
            "sek.toml",
        )
        .unwrap();
        let mut inventory = inventory();
        inventory.clusters[0].cluster = crate::inventory::Read::NotCollected;
        let report = evaluate_at(&inventory, &config, &Selection::default(), at("2027-01-01"));
        let logging = report.clusters[0]
            .results
            .iter()
            .find(|r| r.check.id == "service-logging")
            .unwrap();
        assert_eq!(logging.status, Status::Error);
        assert_eq!(report.warnings.len(), 2, "{:?}", report.warnings);
        assert!(report.warnings[0].contains("node-volumes for `*` matched no failing finding"));
    }

    #[test]
    fn check_status_is_the_worst_finding() {
        let mut inventory = inventory();
        let mut cluster = crate::checks::testkit::cluster_with_nodes(&["i-1", "i-2"]);
        cluster.volumes.data_mut()[1].encrypted = Some(false);
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
