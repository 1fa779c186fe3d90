//! Human-readable output: one section per cluster, checks grouped with their failing resources,
//! failures first, then a summary. Styles are ANSI; the caller strips them when not wanted.

use std::io::{self, Write};

use anstyle::{AnsiColor, Style};

use super::{CheckResult, ClusterReport, Counts, FailOn, Report};
use crate::checks::Status;

const BOLD: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();

fn status_style(status: Status) -> Style {
    let color = match status {
        Status::Fail => AnsiColor::Red,
        Status::Error => AnsiColor::Magenta,
        Status::Manual | Status::Waived => AnsiColor::Yellow,
        Status::Pass => AnsiColor::Green,
        Status::NotApplicable | Status::Skipped => return DIM,
    };
    Style::new().fg_color(Some(color.into())).bold()
}

/// Upper-case label padded for the status column.
fn status_label(status: Status) -> &'static str {
    match status {
        Status::Pass => "PASS",
        Status::Fail => "FAIL",
        Status::Error => "ERROR",
        Status::NotApplicable => "N/A",
        Status::Manual => "MANUAL",
        Status::Skipped => "SKIP",
        Status::Waived => "WAIVED",
    }
}

/// The marker before a listed finding.
fn marker(status: Status) -> &'static str {
    match status {
        Status::Fail => "✗",
        Status::Error => "!",
        Status::Manual => "?",
        Status::Waived => "~",
        _ => "·",
    }
}

fn paint(style: Style, text: &str) -> String {
    format!("{}{text}{}", style.render(), style.render_reset())
}

/// Write the text report.
pub fn render(report: &Report, fail_on: FailOn, out: &mut dyn Write) -> io::Result<()> {
    for cluster in &report.clusters {
        render_cluster(report, cluster, out)?;
    }
    let counts = report.counts();
    let scope = match report.clusters.len() {
        1 => String::new(),
        n => format!(" across {n} clusters"),
    };
    writeln!(
        out,
        "{}",
        paint(
            BOLD,
            &format!(
                "{} check results{scope}: {}",
                counts.total(),
                summary_line(&counts)
            )
        )
    )?;
    let tripped = report.gate(fail_on);
    match fail_on {
        FailOn::Never => writeln!(
            out,
            "{}",
            paint(DIM, "--fail-on none: exit status 0 whatever the results")
        )?,
        FailOn::Severity(min) if tripped.is_empty() => writeln!(
            out,
            "{}",
            paint(
                DIM,
                &format!(
                    "nothing at or above {min} severity failed or errored (--fail-on {min}): exit status 0"
                )
            )
        )?,
        FailOn::Severity(min) => {
            let mut ids: Vec<&str> = tripped.iter().map(|r| r.check.id).collect();
            ids.dedup();
            writeln!(
                out,
                "{} at or above {min} severity failed or could not be evaluated: {} (exit status 1)",
                plural(ids.len(), "check"),
                ids.join(", ")
            )?
        }
    }
    Ok(())
}

/// `1 check`, `2 checks`.
fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("{n} {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// `3 pass, 2 fail, 1 error` — only non-zero counts.
pub fn summary_line(counts: &Counts) -> String {
    let parts: Vec<String> = Status::ALL
        .iter()
        .filter(|&&s| counts.get(s) > 0)
        .map(|&s| format!("{} {}", counts.get(s), s.as_str().replace('-', " ")))
        .collect();
    if parts.is_empty() {
        "none".to_string()
    } else {
        parts.join(", ")
    }
}

fn render_cluster(report: &Report, cluster: &ClusterReport, out: &mut dyn Write) -> io::Result<()> {
    let account = cluster
        .account_id
        .as_deref()
        .map(|a| format!(" · account {a}"))
        .unwrap_or_default();
    writeln!(
        out,
        "{}",
        paint(
            BOLD,
            &format!("cluster {} · {}{account}", cluster.name, cluster.region)
        )
    )?;
    let meta = &report.inventory;
    let mut provenance = Vec::new();
    if let Some(at) = meta.collected_at {
        provenance.push(format!("collected {at}"));
    }
    if let Some(caller) = &meta.caller_arn {
        provenance.push(format!("as {caller}"));
    }
    if let (Some(calls), Some(ms)) = (meta.api_calls, meta.duration_ms) {
        provenance.push(format!("{calls} API calls in {:.1} s", ms as f64 / 1000.0));
    }
    if let Some(config) = &report.config {
        provenance.push(format!("config {config}"));
    }
    if !provenance.is_empty() {
        writeln!(out, "{}", paint(DIM, &provenance.join(" · ")))?;
    }
    writeln!(out)?;

    let mut results: Vec<&CheckResult> = cluster.results.iter().collect();
    // Failures first, most severe first; registry order otherwise (the sort is stable).
    results.sort_by_key(|r| {
        (
            std::cmp::Reverse(r.status.rank()),
            std::cmp::Reverse(r.severity),
        )
    });
    let id_width = results.iter().map(|r| r.check.id.len()).max().unwrap_or(0);
    for result in results {
        render_result(result, id_width, out)?;
    }

    if !cluster.collection_errors.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "{}",
            paint(
                BOLD,
                &format!(
                    "Collection errors ({}): the checks that needed this data report ERROR",
                    cluster.collection_errors.len()
                )
            )
        )?;
        for error in &cluster.collection_errors {
            let about = match error.resources.len() {
                0 => String::new(),
                1..=3 => format!(" [{}]", error.resources.join(", ")),
                n => format!(" [{}, ... {n} resources]", error.resources[..2].join(", ")),
            };
            writeln!(
                out,
                "  {} ({}){about}: {}",
                error.api,
                error.kind.label(),
                error.message
            )?;
        }
    }
    writeln!(out)?;
    Ok(())
}

fn render_result(result: &CheckResult, id_width: usize, out: &mut dyn Write) -> io::Result<()> {
    let status = result.status;
    writeln!(
        out,
        "{} {:<8} {:<id_width$}  {}",
        paint(
            status_style(status),
            &format!("{:<6}", status_label(status))
        ),
        result.severity.as_str(),
        result.check.id,
        result.check.title,
    )?;
    let indent = "       ";
    match status {
        Status::Skipped => {
            if let Some(note) = &result.note {
                writeln!(out, "{indent}{}", paint(DIM, note))?;
            }
            return Ok(());
        }
        Status::NotApplicable => {
            if let Some(first) = result.findings.first() {
                writeln!(out, "{indent}{}", paint(DIM, &first.message))?;
            }
            return Ok(());
        }
        _ => {}
    }
    let mut quiet = Counts::default();
    for finding in &result.findings {
        match finding.status {
            Status::Fail | Status::Error | Status::Manual | Status::Waived => {
                writeln!(
                    out,
                    "{indent}{} {}",
                    paint(status_style(finding.status), marker(finding.status)),
                    finding.resource
                )?;
                writeln!(out, "{indent}  {}", finding.message)?;
            }
            other => quiet.add(other),
        }
    }
    if quiet.total() > 0 && status != Status::Pass {
        let others = plural(quiet.total(), "other resource");
        writeln!(
            out,
            "{indent}{}",
            paint(DIM, &format!("{others}: {}", summary_line(&quiet)))
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Severity;
    use crate::report::fixture;

    fn plain(report: &Report, fail_on: FailOn) -> String {
        let mut out = Vec::new();
        render(report, fail_on, &mut out).unwrap();
        let mut stripped = Vec::new();
        let mut stream = anstream::StripStream::new(&mut stripped);
        stream.write_all(&out).unwrap();
        String::from_utf8(stripped).unwrap()
    }

    #[test]
    fn text_report_snapshot() {
        insta::assert_snapshot!(plain(&fixture::report(), FailOn::Severity(Severity::Low)));
    }

    #[test]
    fn failures_come_first_and_pass_findings_are_counted_not_listed() {
        let text = plain(&fixture::report(), FailOn::Never);
        let fail = text.find("service-logging").unwrap();
        let pass = text.find("service-secrets").unwrap();
        assert!(fail < pass);
        assert!(text.contains("2 other resources: 2 pass"));
        assert!(!text.contains("vol-1"));
    }

    #[test]
    fn styles_are_emitted_for_terminals() {
        let mut out = Vec::new();
        render(&fixture::report(), FailOn::Never, &mut out).unwrap();
        assert!(String::from_utf8(out).unwrap().contains("\u{1b}["));
    }
}
