//! Framework compliance tables: every requirement of a framework version, with the status sek
//! found for it, the checks behind it and the evidence, in the layout auditors use (the CIS
//! coverage table of seed 002). A requirement no check covers is listed as `manual`: it must be
//! reviewed by hand.

use std::io::{self, Write};

use minijinja::{AutoEscape, Environment};
use serde::Serialize;

use crate::checks::frameworks::{Framework, Requirement};
use crate::checks::{self, Check, Status};
use crate::report::markdown::escape as md;
use crate::report::{Counts, Report, csv::cell};

/// Findings quoted per requirement before "and N more".
const EVIDENCE_LINES: usize = 5;

/// One requirement's row.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// Requirement id in the framework version.
    pub id: &'static str,
    /// Its title.
    pub title: &'static str,
    /// Whether a sek check evaluates it.
    pub automated: bool,
    /// The worst status of its checks over every cluster; `manual` when no check covers it.
    pub status: Status,
    /// The checks behind it.
    pub checks: Vec<&'static str>,
    /// What decided the status.
    pub evidence: Vec<String>,
}

/// A framework's table for one report.
#[derive(Debug, Clone, Serialize)]
pub struct Compliance {
    /// The framework slug.
    pub framework: &'static str,
    /// Its name.
    pub name: &'static str,
    /// The clusters it covers.
    pub clusters: Vec<String>,
    /// Counts of row statuses.
    pub summary: Counts,
    /// Rows that a check evaluates.
    pub automated: usize,
    /// One row per requirement, in catalog order.
    pub rows: Vec<Row>,
}

/// The checks that evaluate `requirement` of `framework`.
pub fn checks_for(framework: Framework, requirement: &Requirement) -> Vec<&'static Check> {
    checks::ALL
        .iter()
        .copied()
        .filter(|check| {
            check
                .refs_for(framework)
                .iter()
                .any(|r| r.id == requirement.id)
        })
        .collect()
}

/// Build the table of `framework` from `report`.
pub fn compliance(report: &Report, framework: Framework) -> Compliance {
    let rows: Vec<Row> = framework
        .catalog()
        .iter()
        .map(|requirement| {
            let checks = checks_for(framework, requirement);
            let results: Vec<_> = report
                .clusters
                .iter()
                .flat_map(|cluster| cluster.results.iter().map(move |r| (cluster, r)))
                .filter(|(_, r)| checks.iter().any(|c| c.id == r.check.id))
                .collect();
            let (status, evidence) = if checks.is_empty() {
                (
                    Status::Manual,
                    vec!["not automated by sek: review by hand".to_string()],
                )
            } else if results.is_empty() {
                (Status::Skipped, vec!["its checks were not run".to_string()])
            } else {
                let status =
                    Status::worst(results.iter().map(|(_, r)| r.status)).unwrap_or(Status::Error);
                (status, evidence(status, &results))
            };
            Row {
                id: requirement.id,
                title: requirement.title,
                automated: !checks.is_empty(),
                status,
                checks: checks.iter().map(|c| c.id).collect(),
                evidence,
            }
        })
        .collect();
    Compliance {
        framework: framework.slug(),
        name: framework.name(),
        clusters: report.clusters.iter().map(|c| c.name.clone()).collect(),
        summary: Counts::of(rows.iter().map(|r| r.status)),
        automated: rows.iter().filter(|r| r.automated).count(),
        rows,
    }
}

fn evidence(
    status: Status,
    results: &[(&crate::report::ClusterReport, &crate::report::CheckResult)],
) -> Vec<String> {
    let multi = results
        .iter()
        .map(|(c, _)| &c.name)
        .collect::<std::collections::BTreeSet<_>>()
        .len()
        > 1;
    let prefix = |cluster: &str| {
        if multi {
            format!("{cluster}: ")
        } else {
            String::new()
        }
    };
    let mut lines: Vec<String> = results
        .iter()
        .flat_map(|(cluster, result)| {
            result
                .findings
                .iter()
                .filter(|f| {
                    f.status == status || (status == Status::Pass && f.status == Status::Waived)
                })
                .map(move |f| {
                    format!(
                        "{}{} {}: {}",
                        prefix(&cluster.name),
                        result.check.id,
                        f.resource,
                        f.message
                    )
                })
        })
        .collect();
    if status == Status::Pass {
        let resources: usize = results
            .iter()
            .map(|(_, r)| {
                r.findings
                    .iter()
                    .filter(|f| f.status == Status::Pass)
                    .count()
            })
            .sum();
        lines = vec![format!("{resources} resources pass")];
    }
    if status == Status::Skipped {
        lines = vec!["its checks were skipped".to_string()];
    }
    if lines.len() > EVIDENCE_LINES {
        let more = lines.len() - EVIDENCE_LINES;
        lines.truncate(EVIDENCE_LINES);
        lines.push(format!("and {more} more"));
    }
    lines
}

/// Output formats of `sek compliance`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComplianceFormat {
    /// A terminal table.
    Text,
    /// A Markdown table (the seed 002 layout).
    Markdown,
    /// CSV, one row per requirement.
    Csv,
    /// JSON.
    Json,
    /// A self-contained HTML page.
    Html,
}

impl crate::Choice for ComplianceFormat {
    fn every() -> Vec<ComplianceFormat> {
        use ComplianceFormat::*;
        vec![Text, Markdown, Csv, Json, Html]
    }

    fn label(self) -> &'static str {
        match self {
            ComplianceFormat::Text => "text",
            ComplianceFormat::Markdown => "markdown",
            ComplianceFormat::Csv => "csv",
            ComplianceFormat::Json => "json",
            ComplianceFormat::Html => "html",
        }
    }

    fn describe(self) -> &'static str {
        match self {
            ComplianceFormat::Text => "A terminal table",
            ComplianceFormat::Markdown => "A Markdown table",
            ComplianceFormat::Csv => "CSV, one row per requirement",
            ComplianceFormat::Json => "JSON",
            ComplianceFormat::Html => "A self-contained HTML page",
        }
    }
}

/// Render a compliance table.
pub fn render(table: &Compliance, format: ComplianceFormat, out: &mut dyn Write) -> io::Result<()> {
    match format {
        ComplianceFormat::Text => text(table, out),
        ComplianceFormat::Markdown => markdown(table, out),
        ComplianceFormat::Csv => csv(table, out),
        ComplianceFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, table)?;
            writeln!(out)
        }
        ComplianceFormat::Html => html(table, out),
    }
}

fn summary(table: &Compliance) -> String {
    format!(
        "{} requirements, {} evaluated by sek: {}",
        table.rows.len(),
        table.automated,
        crate::report::text::summary_line(&table.summary)
    )
}

fn text(table: &Compliance, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "{} · {}\n{}\n",
        table.name,
        table.clusters.join(", "),
        summary(table)
    )?;
    let id_width = table.rows.iter().map(|r| r.id.len()).max().unwrap_or(2);
    writeln!(
        out,
        "{:<id_width$}  {:<14}  {:<9}  REQUIREMENT / CHECKS",
        "ID", "STATUS", "AUTOMATED"
    )?;
    for row in &table.rows {
        writeln!(
            out,
            "{:<id_width$}  {:<14}  {:<9}  {}",
            row.id,
            row.status.as_str(),
            if row.automated { "yes" } else { "no" },
            row.title
        )?;
        let indent = " ".repeat(id_width + 2 + 14 + 2 + 9 + 2);
        if !row.checks.is_empty() {
            writeln!(out, "{indent}checks: {}", row.checks.join(", "))?;
        }
        if row.status != Status::Manual || row.automated {
            for line in &row.evidence {
                writeln!(out, "{indent}{line}")?;
            }
        }
    }
    Ok(())
}

fn markdown(table: &Compliance, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "# {} — {}\n\n{}\n",
        table.name,
        md(&table.clusters.join(", ")),
        summary(table)
    )?;
    writeln!(
        out,
        "| Id | Recommendation | Automated | Status | Checks | Evidence |\n|---|---|---|---|---|---|"
    )?;
    for row in &table.rows {
        let evidence: Vec<String> = row.evidence.iter().map(|e| md(e)).collect();
        writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            row.id,
            md(row.title),
            if row.automated { "Yes" } else { "No" },
            row.status,
            row.checks.join(", "),
            evidence.join("<br>")
        )?;
    }
    Ok(())
}

fn csv(table: &Compliance, out: &mut dyn Write) -> io::Result<()> {
    let mut writer = ::csv::Writer::from_writer(out);
    writer.write_record([
        "framework",
        "id",
        "requirement",
        "automated",
        "status",
        "checks",
        "evidence",
    ])?;
    for row in &table.rows {
        writer.write_record([
            table.framework,
            row.id,
            row.title,
            if row.automated { "yes" } else { "no" },
            row.status.as_str(),
            &row.checks.join(" "),
            &cell(&row.evidence.join("\n")),
        ])?;
    }
    writer.flush()
}

const HTML: &str = include_str!("report/templates/compliance.html");

fn html(table: &Compliance, out: &mut dyn Write) -> io::Result<()> {
    let mut env = Environment::new();
    env.set_auto_escape_callback(|_| AutoEscape::Html);
    env.add_template("compliance.html", HTML)
        .map_err(io::Error::other)?;
    #[derive(Serialize)]
    struct Page<'a> {
        table: &'a Compliance,
        summary: String,
    }
    let page = Page {
        table,
        summary: summary(table),
    };
    let html = env
        .get_template("compliance.html")
        .and_then(|t| t.render(minijinja::value::Serde(page)))
        .map_err(io::Error::other)?;
    out.write_all(html.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::evaluate::{Selection, evaluate_at};
    use crate::report::fixture;

    fn demo_table(framework: Framework) -> Compliance {
        let report = evaluate_at(
            &crate::demo::inventory(),
            &Config::default(),
            &Selection::default(),
            fixture::report().generated_at,
        );
        compliance(&report, framework)
    }

    #[test]
    fn every_requirement_appears_and_uncovered_ones_are_manual() {
        let table = demo_table(Framework::CisEks1_8_0);
        assert_eq!(table.rows.len(), 50);
        let row = |id: &str| table.rows.iter().find(|r| r.id == id).unwrap();
        // Kubelet file permissions can only be read on the node itself: kubelet-files asks for a
        // review (or `sek node`) through the API.
        assert_eq!(row("3.1.1").status, Status::Manual);
        assert_eq!(row("3.1.1").checks, ["kubelet-files"]);
        // Namespaces as administrative boundaries is a design review no check automates.
        assert_eq!(row("4.5.1").status, Status::Manual);
        assert!(!row("4.5.1").automated);
        // The kubelet settings come from each node's effective configuration.
        assert_eq!(row("3.2.4").checks, ["kubelet-read-only-port"]);
        assert_eq!(row("3.2.4").status, Status::Fail);
        assert_eq!(row("2.1.2").checks, ["service-log-retention"]);
        assert_eq!(row("2.1.2").status, Status::Fail);
        assert_eq!(row("2.1.1").status, Status::Fail);
        assert_eq!(row("2.1.1").checks, ["service-logging"]);
        assert!(
            row("2.1.1").evidence[0].contains("audit, authenticator"),
            "{:?}",
            row("2.1.1").evidence
        );
        // 5.4.1 is covered by two checks, both passing on the demo.
        assert_eq!(
            row("5.4.1").checks,
            ["service-endpoint-firewall", "service-sgs"]
        );
        assert_eq!(row("5.4.1").status, Status::Pass);
    }

    #[test]
    fn csf_2_0_rows_come_from_the_crosswalk() {
        let table = demo_table(Framework::NistCsf2_0);
        let row = table.rows.iter().find(|r| r.id == "PR.IR-01").unwrap();
        assert!(
            row.checks.contains(&"node-private") && row.checks.contains(&"service-endpoint"),
            "{:?}",
            row.checks
        );
        assert_eq!(row.status, Status::Fail);
    }

    #[test]
    fn renderings() {
        let table = demo_table(Framework::CisEks1_3_0);
        for (format, name) in [
            (ComplianceFormat::Text, "text"),
            (ComplianceFormat::Markdown, "markdown"),
            (ComplianceFormat::Csv, "csv"),
        ] {
            let mut out = Vec::new();
            render(&table, format, &mut out).unwrap();
            insta::assert_snapshot!(
                format!("compliance_cis_1_3_0_{name}"),
                String::from_utf8(out).unwrap()
            );
        }
        let mut out = Vec::new();
        render(&table, ComplianceFormat::Json, &mut out).unwrap();
        let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(json["rows"].as_array().unwrap().len(), 52);
        let mut out = Vec::new();
        render(&table, ComplianceFormat::Html, &mut out).unwrap();
        let html = String::from_utf8(out).unwrap();
        assert!(html.contains("<td>5.3.1</td>") && html.contains("data-status=\"fail\""));
    }
}
