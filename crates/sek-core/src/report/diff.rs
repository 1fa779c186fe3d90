//! `sek diff OLD NEW`: what got worse, what got better, which resources and clusters are new or
//! gone between two reports — the playbook's "monitor for deviations from normal configuration".
//! Findings are matched by cluster (account, region, name), check and resource.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use super::Report;
use super::fleet::cluster_label;
use super::text::plural;
use crate::checks::{Severity, Status};

/// One finding, located.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Located {
    /// `name (region, account)`.
    pub cluster: String,
    /// Check id.
    pub check: &'static str,
    /// Severity in the newer report (the older one's for gone findings).
    pub severity: Severity,
    /// The resource (`-` for a check result without findings).
    pub resource: String,
    /// The message in the newer report (the older one's for gone findings).
    pub message: String,
}

/// A finding whose status changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Change {
    /// Where.
    #[serde(flatten)]
    pub at: Located,
    /// Status before.
    pub before: Status,
    /// Status now.
    pub after: Status,
}

/// A finding present in only one of the reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Presence {
    /// Where.
    #[serde(flatten)]
    pub at: Located,
    /// Its status.
    pub status: Status,
}

/// A cluster present in only one of the reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ClusterPresence {
    /// `name (region, account)`.
    pub cluster: String,
    /// Its failing checks.
    pub failing_checks: usize,
    /// Its checks that could not be evaluated.
    pub error_checks: usize,
}

/// The difference between two reports.
#[derive(Debug, Clone, Default, Serialize, schemars::JsonSchema)]
pub struct Diff {
    /// Findings whose status got worse (e.g. pass → fail), most severe first.
    pub worse: Vec<Change>,
    /// Findings whose status got better (e.g. fail → pass).
    pub better: Vec<Change>,
    /// Findings on resources (or checks) the old report did not have, failing ones first
    /// (clusters present in both reports only).
    pub new: Vec<Presence>,
    /// Findings the new report no longer has (resource deleted, check skipped).
    pub gone: Vec<Presence>,
    /// Clusters only in the new report (their findings are not listed one by one).
    pub new_clusters: Vec<ClusterPresence>,
    /// Clusters only in the old report.
    pub gone_clusters: Vec<ClusterPresence>,
    /// Findings with the same status in both.
    pub unchanged: usize,
}

/// How much a status asks of a human: the direction of a change.
fn concern(status: Status) -> u8 {
    match status {
        Status::Fail => 3,
        Status::Error => 2,
        Status::Manual => 1,
        Status::Pass | Status::Waived | Status::NotApplicable | Status::Skipped => 0,
    }
}

type Key = (Option<String>, String, String);

/// Every finding of `report` by (cluster, check, resource).
fn index(report: &Report) -> BTreeMap<(Key, &'static str, String), (Located, Status)> {
    let mut index = BTreeMap::new();
    for cluster in &report.clusters {
        let key: Key = (
            cluster.account_id.clone(),
            cluster.region.clone(),
            cluster.name.clone(),
        );
        let label = cluster_label(&key.2, &key.1, key.0.as_deref());
        for result in &cluster.results {
            let mut add = |resource: &str, message: &str, status: Status| {
                index.insert(
                    (key.clone(), result.check.id, resource.to_string()),
                    (
                        Located {
                            cluster: label.clone(),
                            check: result.check.id,
                            severity: result.severity,
                            resource: resource.to_string(),
                            message: message.to_string(),
                        },
                        status,
                    ),
                );
            };
            if result.findings.is_empty() {
                add("-", result.note.as_deref().unwrap_or(""), result.status);
            }
            for finding in &result.findings {
                add(&finding.resource, &finding.message, finding.status);
            }
        }
    }
    index
}

impl Diff {
    /// Compare `old` with `new`.
    pub fn between(old: &Report, new: &Report) -> Diff {
        let before = index(old);
        let mut after = index(new);
        let mut diff = Diff::default();
        let keys = |report: &Report| -> Vec<Key> {
            report
                .clusters
                .iter()
                .map(|c| (c.account_id.clone(), c.region.clone(), c.name.clone()))
                .collect()
        };
        let (old_keys, new_keys) = (keys(old), keys(new));
        let only = |report: &Report, other: &[Key]| -> Vec<ClusterPresence> {
            report
                .clusters
                .iter()
                .filter(|c| {
                    !other.contains(&(c.account_id.clone(), c.region.clone(), c.name.clone()))
                })
                .map(|c| ClusterPresence {
                    cluster: cluster_label(&c.name, &c.region, c.account_id.as_deref()),
                    failing_checks: c.counts().fail,
                    error_checks: c.counts().error,
                })
                .collect()
        };
        diff.new_clusters = only(new, &old_keys);
        diff.gone_clusters = only(old, &new_keys);
        let mut before = before;
        before.retain(|(cluster, _, _), _| new_keys.contains(cluster));
        after.retain(|(cluster, _, _), _| old_keys.contains(cluster));
        for (key, (located, was)) in before {
            match after.remove(&key) {
                None => diff.gone.push(Presence {
                    at: located,
                    status: was,
                }),
                Some((now_at, now)) => match concern(now).cmp(&concern(was)) {
                    std::cmp::Ordering::Greater => diff.worse.push(Change {
                        at: now_at,
                        before: was,
                        after: now,
                    }),
                    std::cmp::Ordering::Less => diff.better.push(Change {
                        at: now_at,
                        before: was,
                        after: now,
                    }),
                    std::cmp::Ordering::Equal => diff.unchanged += 1,
                },
            }
        }
        diff.new = after
            .into_values()
            .map(|(at, status)| Presence { at, status })
            .collect();
        let by_concern = |status: Status, severity: Severity| {
            (
                std::cmp::Reverse(concern(status)),
                std::cmp::Reverse(severity),
            )
        };
        diff.worse
            .sort_by_key(|c| by_concern(c.after, c.at.severity));
        diff.better
            .sort_by_key(|c| by_concern(c.before, c.at.severity));
        diff.new
            .sort_by_key(|p| by_concern(p.status, p.at.severity));
        diff.gone
            .sort_by_key(|p| by_concern(p.status, p.at.severity));
        diff
    }

    /// Regressions: findings that got worse, and new findings that fail or cannot be evaluated.
    pub fn regressions(&self) -> usize {
        self.worse.len()
            + self
                .new
                .iter()
                .filter(|p| concern(p.status) >= concern(Status::Error))
                .count()
    }

    /// Write the difference for humans.
    pub fn render_text(&self, out: &mut dyn Write) -> io::Result<()> {
        let change = |c: &Change| {
            format!(
                "{:<5} → {:<5} {:<8} {}  {}  {}: {}",
                c.before.as_str(),
                c.after.as_str(),
                c.at.severity.as_str(),
                c.at.check,
                c.at.cluster,
                c.at.resource,
                c.at.message
            )
        };
        let presence = |p: &Presence| {
            format!(
                "{:<5} {:<8} {}  {}  {}: {}",
                p.status.as_str(),
                p.at.severity.as_str(),
                p.at.check,
                p.at.cluster,
                p.at.resource,
                p.at.message
            )
        };
        section(out, "Worse", self.worse.iter().map(change))?;
        section(out, "Better", self.better.iter().map(change))?;
        section(out, "New", self.new.iter().map(presence))?;
        section(out, "Gone", self.gone.iter().map(presence))?;
        let cluster = |c: &ClusterPresence| {
            format!(
                "{}: {} failing, {} not evaluated",
                c.cluster,
                plural(c.failing_checks, "check"),
                plural(c.error_checks, "check")
            )
        };
        section(out, "New clusters", self.new_clusters.iter().map(cluster))?;
        section(out, "Gone clusters", self.gone_clusters.iter().map(cluster))?;
        writeln!(
            out,
            "{} worse, {} better, {} new, {} gone, {} unchanged; {} regression{}",
            self.worse.len(),
            self.better.len(),
            self.new.len(),
            self.gone.len(),
            self.unchanged,
            self.regressions(),
            if self.regressions() == 1 { "" } else { "s" }
        )
    }

    /// Write the difference as JSON.
    pub fn render_json(&self, out: &mut dyn Write) -> io::Result<()> {
        #[derive(Serialize)]
        struct Summary<'a> {
            regressions: usize,
            #[serde(flatten)]
            diff: &'a Diff,
        }
        serde_json::to_writer_pretty(
            &mut *out,
            &Summary {
                regressions: self.regressions(),
                diff: self,
            },
        )?;
        writeln!(out)
    }
}

fn section(
    out: &mut dyn Write,
    title: &str,
    lines: impl ExactSizeIterator<Item = String>,
) -> io::Result<()> {
    if lines.len() == 0 {
        return Ok(());
    }
    writeln!(out, "{title} ({})", lines.len())?;
    for line in lines {
        writeln!(out, "  {line}")?;
    }
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Finding;
    use crate::report::fixture;

    fn result_mut<'a>(
        report: &'a mut Report,
        cluster: usize,
        check: &str,
    ) -> &'a mut crate::report::CheckResult {
        report.clusters[cluster]
            .results
            .iter_mut()
            .find(|r| r.check.id == check)
            .unwrap()
    }

    #[test]
    fn a_report_against_itself_has_no_difference() {
        let report = fixture::fleet();
        let diff = Diff::between(&report, &report);
        assert!(diff.worse.is_empty() && diff.better.is_empty());
        assert!(diff.new.is_empty() && diff.gone.is_empty());
        assert_eq!(diff.regressions(), 0);
        assert_eq!(
            diff.unchanged,
            report
                .clusters
                .iter()
                .flat_map(|c| &c.results)
                .map(|r| r.findings.len().max(1))
                .sum::<usize>()
        );
    }

    #[test]
    fn worse_better_new_and_gone_are_told_apart() {
        let old = fixture::fleet();
        let mut new = old.clone();
        // prod: Secrets encryption was passing and now fails.
        let secrets = result_mut(&mut new, 0, "service-secrets");
        secrets.status = Status::Fail;
        secrets.findings[0].status = Status::Fail;
        // payments: one IMDS finding is fixed, one instance is gone, a new one fails.
        let imds = result_mut(&mut new, 1, "node-imds");
        imds.findings[0].status = Status::Pass;
        imds.findings.remove(1);
        imds.findings.push(Finding::fail(
            "arn:aws:ec2:eu-west-1:444455556666:instance/i-new",
            "IMDSv1 is allowed (HttpTokens=optional)",
        ));
        // staging is gone, and a cluster appeared.
        new.clusters.remove(2);
        let mut fresh = new.clusters[0].clone();
        fresh.name = "fresh".into();
        new.clusters.push(fresh);

        let diff = Diff::between(&old, &new);
        assert_eq!(diff.worse.len(), 1);
        assert_eq!(diff.worse[0].at.check, "service-secrets");
        assert_eq!(
            (diff.worse[0].before, diff.worse[0].after),
            (Status::Pass, Status::Fail)
        );
        assert_eq!(diff.better.len(), 1);
        assert!(diff.better[0].at.resource.ends_with("i-1"));
        let fresh = &diff.new_clusters[0];
        assert_eq!(fresh.cluster, "fresh (eu-west-1, 111122223333)");
        assert_eq!((fresh.failing_checks, fresh.error_checks), (2, 1));
        assert_eq!(
            diff.gone_clusters[0].cluster,
            "staging (us-east-1, 111122223333)"
        );
        // Within the clusters in both: the new instance is new, the removed one gone; the
        // clusters that came or went are summarised, not listed finding by finding.
        assert_eq!(diff.new.len(), 1);
        assert!(diff.new[0].at.resource.ends_with("i-new"));
        assert_eq!(diff.gone.len(), 1);
        assert!(diff.gone[0].at.resource.ends_with("i-2"));
        // Regressions: the worse finding and the new failing instance.
        assert_eq!(diff.regressions(), 2);

        let mut text = Vec::new();
        diff.render_text(&mut text).unwrap();
        let text = String::from_utf8(text).unwrap();
        assert!(
            text.starts_with("Worse (1)\n  pass  → fail  high"),
            "{text}"
        );
        assert!(text.contains("Gone clusters (1)\n  staging (us-east-1, 111122223333): 1 check failing, 1 check not evaluated"), "{text}");
        let mut json = Vec::new();
        diff.render_json(&mut json).unwrap();
        let json: serde_json::Value = serde_json::from_slice(&json).unwrap();
        assert_eq!(json["worse"][0]["check"], "service-secrets");
        assert_eq!(json["worse"][0]["before"], "pass");
        assert_eq!(json["regressions"], diff.regressions());
    }
}
