//! Markdown for pull-request comments: a summary, a table per cluster, and the findings that
//! need attention with how to fix them. Every value from the scanned environment is escaped, so a
//! hostile name or tag cannot inject markup.

use std::io::{self, Write};

use super::{Counts, Report, text::summary_line};
use crate::checks::Status;

/// Escape text for Markdown (and the HTML GitHub allows in it): one line, no markup.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' => out.push(' '),
            '|' | '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '~' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

fn icon(status: Status) -> &'static str {
    match status {
        Status::Fail => "❌",
        Status::Error => "⚠️",
        Status::Manual => "🔍",
        Status::Pass => "✅",
        Status::Waived => "🟡",
        Status::NotApplicable => "➖",
        Status::Skipped => "⏭️",
    }
}

/// Write the Markdown report.
pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "# sek report\n")?;
    let counts = report.counts();
    let clusters = match report.clusters.len() {
        1 => "1 cluster".to_string(),
        n => format!("{n} clusters"),
    };
    writeln!(
        out,
        "Scanned {clusters} with sek {} at {}: {}.\n",
        report.sek_version,
        report.generated_at,
        bold_failures(&counts)
    )?;
    if report.is_fleet() {
        render_fleet(report, out)?;
    }
    for cluster in &report.clusters {
        let account = cluster
            .account_id
            .as_deref()
            .map(|a| format!(", account {}", escape(a)))
            .unwrap_or_default();
        writeln!(
            out,
            "## {} ({}{account})\n",
            escape(&cluster.name),
            escape(&cluster.region)
        )?;
        writeln!(
            out,
            "| Status | Severity | Check | Resources |\n|---|---|---|---|"
        )?;
        for result in &cluster.results {
            let resources = Counts::of(result.findings.iter().map(|f| f.status));
            let resources = if result.findings.is_empty() {
                result.note.as_deref().map(escape).unwrap_or_default()
            } else {
                summary_line(&resources)
            };
            writeln!(
                out,
                "| {} {} | {} | **{}**: {} | {} |",
                icon(result.status),
                result.status,
                result.severity,
                result.check.id,
                escape(result.check.title),
                resources
            )?;
        }
        let attention: Vec<_> = cluster
            .results
            .iter()
            .filter(|r| {
                r.findings.iter().any(|f| {
                    matches!(
                        f.status,
                        Status::Fail | Status::Error | Status::Manual | Status::Waived
                    )
                })
            })
            .collect();
        if !attention.is_empty() {
            writeln!(out, "\n### Findings\n")?;
        }
        for result in attention {
            let listed: Vec<_> = result
                .findings
                .iter()
                .filter(|f| {
                    matches!(
                        f.status,
                        Status::Fail | Status::Error | Status::Manual | Status::Waived
                    )
                })
                .collect();
            writeln!(
                out,
                "<details><summary>{} {}: {} ({})</summary>\n",
                icon(result.status),
                result.check.id,
                escape(result.check.title),
                listed.len()
            )?;
            for finding in listed {
                let waiver = finding
                    .waiver
                    .as_ref()
                    .map(|w| format!(" (waived: {})", escape(&w.reason)))
                    .unwrap_or_default();
                writeln!(
                    out,
                    "- {} {}: {}{waiver}",
                    icon(finding.status),
                    escape(&finding.resource),
                    escape(&finding.message)
                )?;
            }
            writeln!(
                out,
                "\n**How to fix:** {}\n",
                escape(result.check.remediation.text)
            )?;
            if let Some(cli) = result.check.remediation.cli {
                writeln!(out, "```sh\n{cli}\n```\n")?;
            }
            writeln!(out, "</details>\n")?;
        }
        if !cluster.collection_errors.is_empty() {
            writeln!(out, "### Collection errors\n")?;
            for error in &cluster.collection_errors {
                writeln!(out, "- {}", escape(&error.summary()))?;
            }
            writeln!(out)?;
        }
    }
    if !report.warnings.is_empty() {
        writeln!(out, "### Warnings\n")?;
        for warning in &report.warnings {
            writeln!(out, "- {}", escape(warning))?;
        }
    }
    Ok(())
}

fn bold_failures(counts: &Counts) -> String {
    let line = summary_line(counts);
    match counts.fail {
        0 => line,
        n => line.replacen(&format!("{n} fail"), &format!("**{n} fail**"), 1),
    }
}

/// The fleet summary: the checks failing on the most clusters, every cluster's tally, and what
/// could not be scanned.
fn render_fleet(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let fleet = report.fleet();
    writeln!(
        out,
        "## Fleet\n\n{} clusters in {} accounts and {} regions; {} fail at least one check.\n",
        fleet.clusters, fleet.accounts, fleet.regions, fleet.failing_clusters
    )?;
    if fleet.checks.iter().any(|c| c.failing > 0) {
        writeln!(
            out,
            "| Check | Severity | Failing clusters | Failing resources |\n|---|---|---|---|"
        )?;
        for spread in fleet.checks.iter().filter(|c| c.failing > 0) {
            writeln!(
                out,
                "| `{}` | {} | {}/{} | {} |",
                spread.check,
                spread.severity,
                spread.failing,
                fleet.clusters,
                spread.failing_resources
            )?;
        }
        writeln!(out)?;
    }
    if !report.not_scanned.is_empty() {
        writeln!(out, "### Not scanned ({})\n", report.not_scanned.len())?;
        for gap in &report.not_scanned {
            let help = gap
                .help
                .as_deref()
                .map(|h| format!(" — {}", escape(h)))
                .unwrap_or_default();
            writeln!(out, "- ⚠️ {}{help}", escape(&gap.line()))?;
        }
        writeln!(out)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture;

    fn markdown(report: &Report) -> String {
        let mut out = Vec::new();
        render(report, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn markdown_snapshot() {
        insta::assert_snapshot!(markdown(&fixture::report()));
    }

    #[test]
    fn a_fleet_report_opens_with_the_fleet_and_what_was_not_scanned() {
        let text = markdown(&fixture::fleet());
        let fleet = text.find("## Fleet").unwrap();
        assert!(fleet < text.find("## prod").unwrap());
        assert!(
            text.contains("| `service-logging` | medium | 3/3 | 3 |"),
            "{text}"
        );
        assert!(text.contains("### Not scanned (1)"));
        assert!(text.contains("sts:AssumeRole failed (access denied)"));
        assert!(!markdown(&fixture::report()).contains("## Fleet"));
    }

    #[test]
    fn hostile_names_are_escaped() {
        let mut report = fixture::report();
        report.clusters[0].name = "<img src=x onerror=alert(1)>|`x`".into();
        report.clusters[0].results[0].findings[0].message = "**bold** [link](http://evil)".into();
        let text = markdown(&report);
        assert!(
            text.contains("## &lt;img src=x onerror=alert(1)&gt;\\|\\`x\\`"),
            "{text}"
        );
        assert!(
            text.contains("\\*\\*bold\\*\\* \\[link\\](http://evil)"),
            "{text}"
        );
        assert!(!text.contains("<img"));
    }
}
