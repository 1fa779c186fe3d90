//! One self-contained HTML page: summary counts, charts by severity and area (inline SVG), a table
//! per cluster with filtering, and each finding's evidence and remediation. No network fetch (a
//! Content-Security-Policy forbids it); every value is HTML-escaped by the template engine.

use std::collections::BTreeMap;
use std::io::{self, Write};

use minijinja::{AutoEscape, Environment};
use serde::Serialize;

use super::fleet::FleetSummary;
use super::{Counts, Report, text::summary_line};
use crate::checks::{Area, Severity, Status};

const TEMPLATE: &str = include_str!("templates/report.html");
const BAR_WIDTH: usize = 200;

#[derive(Serialize)]
struct Page {
    title: String,
    sek_version: &'static str,
    generated_at: String,
    collected_at: Option<String>,
    caller: Option<String>,
    statuses: Vec<StatusCount>,
    severities: Vec<&'static str>,
    severity_bars: Vec<Bar>,
    area_bars: Vec<AreaBar>,
    clusters: Vec<ClusterSection>,
    warnings: Vec<String>,
    fleet: Option<FleetSummary>,
    not_scanned: Vec<String>,
}

#[derive(Serialize)]
struct StatusCount {
    key: &'static str,
    label: &'static str,
    count: usize,
}

#[derive(Serialize)]
struct Bar {
    label: &'static str,
    count: usize,
    width: usize,
}

#[derive(Serialize)]
struct AreaBar {
    label: &'static str,
    fail: usize,
    total: usize,
    fail_width: usize,
    other_width: usize,
}

#[derive(Serialize)]
struct ClusterSection {
    name: String,
    region: String,
    account: Option<String>,
    /// The risk paths found, drawn above the results.
    risk_paths: Vec<RiskPath>,
    results: Vec<ResultRow>,
    errors: Vec<String>,
}

/// One risk path: the check that found it, its workload and each link in order.
#[derive(Serialize)]
struct RiskPath {
    check: &'static str,
    resource: String,
    steps: Vec<PathStep>,
}

#[derive(Serialize)]
struct PathStep {
    kind: String,
    what: String,
}

/// The failing findings of risk checks whose evidence holds a `path`.
fn risk_paths(cluster: &crate::report::ClusterReport) -> Vec<RiskPath> {
    cluster
        .results
        .iter()
        .filter(|r| r.check.area == crate::checks::Area::Risk)
        .flat_map(|r| r.findings.iter().map(move |f| (r.check.id, f)))
        .filter(|(_, f)| f.status == Status::Fail)
        .filter_map(|(check, f)| {
            let steps = f.evidence.get("path")?.as_array()?;
            Some(RiskPath {
                check,
                resource: f.resource.clone(),
                steps: steps
                    .iter()
                    .map(|step| PathStep {
                        kind: step["link"].as_str().unwrap_or("").to_string(),
                        what: step["what"].as_str().unwrap_or("").to_string(),
                    })
                    .collect(),
            })
        })
        .collect()
}

#[derive(Serialize)]
struct ResultRow {
    id: &'static str,
    title: &'static str,
    status: &'static str,
    status_label: String,
    severity: &'static str,
    refs: String,
    note: Option<String>,
    counts: String,
    open: bool,
    search: String,
    findings: Vec<FindingRow>,
    remediation: &'static str,
    cli: Option<&'static str>,
    docs: String,
}

#[derive(Serialize)]
struct FindingRow {
    status: &'static str,
    resource: String,
    message: String,
    waiver: Option<String>,
    evidence: Option<String>,
}

fn scaled(count: usize, max: usize) -> usize {
    (count * BAR_WIDTH).checked_div(max).unwrap_or(0)
}

fn page(report: &Report) -> Page {
    let counts = report.counts();
    let statuses = Status::ALL
        .iter()
        .map(|&s| StatusCount {
            key: s.as_str(),
            label: s.as_str(),
            count: counts.get(s),
        })
        .collect();
    let results: Vec<_> = report.clusters.iter().flat_map(|c| &c.results).collect();

    let failing_by_severity: Vec<(Severity, usize)> = Severity::ALL
        .iter()
        .rev()
        .map(|&sev| {
            (
                sev,
                results
                    .iter()
                    .filter(|r| r.status == Status::Fail && r.severity == sev)
                    .count(),
            )
        })
        .collect();
    let max = failing_by_severity
        .iter()
        .map(|(_, n)| *n)
        .max()
        .unwrap_or(0);
    let severity_bars = failing_by_severity
        .iter()
        .map(|&(sev, count)| Bar {
            label: sev.as_str(),
            count,
            width: scaled(count, max),
        })
        .collect();

    let mut by_area: BTreeMap<Area, (usize, usize)> = BTreeMap::new();
    for result in &results {
        let entry = by_area.entry(result.check.area).or_default();
        entry.1 += 1;
        if result.status == Status::Fail {
            entry.0 += 1;
        }
    }
    let max = by_area.values().map(|(_, total)| *total).max().unwrap_or(0);
    let area_bars = by_area
        .iter()
        .map(|(area, &(fail, total))| AreaBar {
            label: area.as_str(),
            fail,
            total,
            fail_width: scaled(fail, max),
            other_width: scaled(total, max) - scaled(fail, max),
        })
        .collect();

    let clusters = report
        .clusters
        .iter()
        .map(|cluster| ClusterSection {
            name: cluster.name.clone(),
            region: cluster.region.clone(),
            account: cluster.account_id.clone(),
            risk_paths: risk_paths(cluster),
            errors: cluster
                .collection_errors
                .iter()
                .map(|e| e.summary())
                .collect(),
            results: cluster
                .results
                .iter()
                .map(|result| {
                    let check = result.check;
                    let refs: Vec<String> = check.all_refs().iter().map(|r| r.label()).collect();
                    ResultRow {
                        id: check.id,
                        title: check.title,
                        status: result.status.as_str(),
                        status_label: result.status.as_str().to_uppercase(),
                        severity: result.severity.as_str(),
                        refs: refs.join(" · "),
                        note: result.note.clone(),
                        counts: summary_line(&Counts::of(result.findings.iter().map(|f| f.status))),
                        open: matches!(result.status, Status::Fail | Status::Error),
                        search: format!(
                            "{} {} {}",
                            check.id,
                            check.title,
                            result
                                .findings
                                .iter()
                                .map(|f| format!("{} {}", f.resource, f.message))
                                .collect::<Vec<_>>()
                                .join(" ")
                        )
                        .to_lowercase(),
                        findings: result
                            .findings
                            .iter()
                            .map(|f| FindingRow {
                                status: f.status.as_str(),
                                resource: f.resource.clone(),
                                message: f.message.clone(),
                                waiver: f.waiver.as_ref().map(|w| w.reason.clone()),
                                evidence: (!f.evidence.is_null()).then(|| {
                                    serde_json::to_string_pretty(&f.evidence).unwrap_or_default()
                                }),
                            })
                            .collect(),
                        remediation: check.remediation.text,
                        cli: check.remediation.cli,
                        docs: check.docs_path(),
                    }
                })
                .collect(),
        })
        .collect();

    let title = if report.is_fleet() {
        format!("{} clusters", report.clusters.len())
    } else {
        report
            .clusters
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    Page {
        title,
        sek_version: report.sek_version,
        generated_at: report.generated_at.to_string(),
        collected_at: report.inventory.collected_at.map(|t| t.to_string()),
        caller: report.inventory.caller_arn.clone(),
        statuses,
        severities: Severity::ALL.iter().rev().map(|s| s.as_str()).collect(),
        severity_bars,
        area_bars,
        clusters,
        warnings: report.warnings.clone(),
        fleet: report.is_fleet().then(|| report.fleet()),
        not_scanned: report
            .not_scanned
            .iter()
            .map(|gap| match &gap.help {
                Some(help) => format!("{} — {help}", gap.line()),
                None => gap.line(),
            })
            .collect(),
    }
}

/// Write the HTML page.
pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut env = Environment::new();
    env.set_auto_escape_callback(|_| AutoEscape::Html);
    env.add_template("report.html", TEMPLATE)
        .map_err(io::Error::other)?;
    let html = env
        .get_template("report.html")
        .and_then(|t| t.render(minijinja::value::Serde(page(report))))
        .map_err(io::Error::other)?;
    out.write_all(html.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture;

    fn html(report: &Report) -> String {
        let mut out = Vec::new();
        render(report, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn html_snapshot() {
        insta::assert_snapshot!(html(&fixture::report()));
    }

    #[test]
    fn the_page_is_self_contained() {
        let page = html(&fixture::report());
        for external in ["src=\"http", "href=\"http", "url(http", "@import", "<link"] {
            assert!(!page.contains(external), "{external}");
        }
        assert!(page.contains("default-src 'none'"));
    }

    #[test]
    fn a_fleet_page_ranks_checks_and_clusters_and_lists_what_was_not_scanned() {
        let page = html(&fixture::fleet());
        assert!(
            page.contains("<title>sek report: 3 clusters</title>"),
            "title"
        );
        let fleet = page.find("id=\"fleet\"").unwrap();
        assert!(fleet < page.find("class=\"cluster\"").unwrap());
        assert!(
            page.contains("<td>service-logging</td><td>medium</td><td>3/3</td>"),
            "{page}"
        );
        assert!(page.contains("sts:AssumeRole failed (access denied)"));
        assert!(!html(&fixture::report()).contains("id=\"fleet\""));
    }

    #[test]
    fn risk_paths_are_drawn_above_the_results_link_by_link() {
        let report = crate::evaluate::evaluate(
            &crate::demo::inventory(),
            &crate::config::Config::default(),
            &crate::evaluate::Selection::default(),
        );
        let page = html(&report);
        let paths = page
            .find("Risk paths (2)")
            .expect("the demo's two paths are drawn");
        let table = page.find("<thead><tr><th>Status").unwrap();
        assert!(paths < table, "the paths come before the results");
        for step in [
            r#"<li class="step internet">"#,
            r#"<li class="step workload">"#,
            r#"<li class="step vulnerability">"#,
            r#"<li class="step identity">"#,
            "CVE-2023-38545",
        ] {
            assert!(page[paths..table].contains(step), "{step} missing");
        }
    }

    #[test]
    fn hostile_values_are_escaped() {
        let mut report = fixture::report();
        report.clusters[0].name = "<script>alert('name')</script>".into();
        report.clusters[0].results[0].findings[0].message =
            "\"><img src=x onerror=alert(1)>".into();
        let page = html(&report);
        assert!(!page.contains("<script>alert"), "name not escaped");
        assert!(!page.contains("<img src=x"), "message not escaped");
        assert!(
            page.contains("&lt;script&gt;alert(&#x27;name&#x27;)&lt;&#x2f;script&gt;"),
            "{page}"
        );
    }
}
