//! Human-readable output: one section per cluster, checks grouped with their failing resources,
//! failures first, then a summary. Styles are ANSI; the caller strips them when not wanted.

use std::io::{self, Write};

use anstyle::{AnsiColor, Style};

use super::{CheckResult, ClusterReport, Counts, FailOn, RenderOptions, Report};
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
pub fn render(report: &Report, options: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    let fail_on = options.fail_on;
    for cluster in &report.clusters {
        render_cluster(report, cluster, options.width, out)?;
    }
    if report.is_fleet() {
        render_fleet(report, options.width, out)?;
    }
    if !report.warnings.is_empty() {
        writeln!(
            out,
            "{}",
            paint(BOLD, &format!("Warnings ({})", report.warnings.len()))
        )?;
        for warning in &report.warnings {
            write_wrapped(out, "  ", warning, None, options.width)?;
        }
        writeln!(out)?;
    }
    let counts = report.counts();
    let scope = match report.clusters.len() {
        1 => String::new(),
        n => format!(" across {n} clusters"),
    };
    let summary = format!(
        "{} check results{scope}: {}",
        counts.total(),
        summary_line(&counts)
    );
    write_wrapped(out, "", &summary, Some(BOLD), options.width)?;
    let tripped = report.gate(fail_on);
    let (gate, style) = match fail_on {
        FailOn::Never => (
            "--fail-on none: exit status 0 whatever the results".to_string(),
            Some(DIM),
        ),
        FailOn::Severity(min) if tripped.is_empty() => (
            format!(
                "nothing at or above {min} severity failed or errored (--fail-on {min}){}",
                if report.not_scanned.is_empty() {
                    ": exit status 0"
                } else {
                    ""
                }
            ),
            Some(DIM),
        ),
        FailOn::Severity(min) => {
            let mut ids: Vec<&str> = tripped.iter().map(|r| r.check.id).collect();
            ids.dedup();
            let checks = plural(ids.len(), "check");
            let what =
                format!("{checks} at or above {min} severity failed or could not be evaluated");
            (format!("{what}: {} (exit status 1)", ids.join(", ")), None)
        }
    };
    write_wrapped(out, "", &gate, style, options.width)?;
    if !report.not_scanned.is_empty() && fail_on != FailOn::Never {
        let line = format!(
            "{} of the estate could not be scanned (see \"Not scanned\" above): exit status 1",
            plural(report.not_scanned.len(), "part")
        );
        write_wrapped(out, "", &line, None, options.width)?;
    }
    Ok(())
}

/// Rows of the fleet tables shown in text; JSON and HTML carry them all.
const FLEET_ROWS: usize = 10;

/// The fleet summary: the checks failing on the most clusters, the clusters with the most
/// severe failures, and what could not be scanned.
fn render_fleet(report: &Report, width: Option<usize>, out: &mut dyn Write) -> io::Result<()> {
    let fleet = report.fleet();
    let heading = format!(
        "Fleet: {} in {} and {}; {} fail at least one check",
        plural(fleet.clusters, "cluster"),
        plural(fleet.accounts, "account"),
        plural(fleet.regions, "region"),
        fleet.failing_clusters
    );
    write_wrapped(out, "", &heading, Some(BOLD), width)?;
    let failing: Vec<_> = fleet.checks.iter().filter(|c| c.failing > 0).collect();
    if !failing.is_empty() {
        writeln!(out, "  Checks failing on the most clusters:")?;
        let id_width = failing.iter().map(|c| c.check.len()).max().unwrap_or(0);
        for spread in failing.iter().take(FLEET_ROWS) {
            writeln!(
                out,
                "    {:<id_width$}  {:<8} {:>4}/{} clusters  {}",
                spread.check,
                spread.severity.as_str(),
                spread.failing,
                fleet.clusters,
                plural(spread.failing_resources, "failing resource")
            )?;
        }
        if failing.len() > FLEET_ROWS {
            writeln!(out, "    ... {} more", failing.len() - FLEET_ROWS)?;
        }
        writeln!(out, "  Clusters with the most severe failures:")?;
        for tally in fleet
            .by_cluster
            .iter()
            .filter(|c| c.failing > 0)
            .take(FLEET_ROWS)
        {
            let line = format!(
                "{}: {} failing ({} worst){}",
                tally.label(),
                plural(tally.failing, "check"),
                tally.worst.map_or("-", |s| s.as_str()),
                match tally.errors {
                    0 => String::new(),
                    n => format!(", {} not evaluated", plural(n, "check")),
                }
            );
            write_wrapped(out, "    ", &line, None, width)?;
        }
    }
    if !report.not_scanned.is_empty() {
        let heading = format!("Not scanned ({})", report.not_scanned.len());
        write_wrapped(out, "  ", &heading, Some(BOLD), width)?;
        for gap in &report.not_scanned {
            write_wrapped(out, "    ", &gap.line(), None, width)?;
            if let Some(help) = &gap.help {
                write_wrapped(out, "      ", &format!("help: {help}"), Some(DIM), width)?;
            }
        }
    }
    writeln!(out)?;
    Ok(())
}

/// Write `text` after `prefix`, wrapped at word boundaries to `width` columns when a width is
/// known (a terminal), continuation lines aligned under the first; words longer than a line
/// (ARNs) are kept whole.
fn write_wrapped(
    out: &mut dyn Write,
    prefix: &str,
    text: &str,
    style: Option<Style>,
    width: Option<usize>,
) -> io::Result<()> {
    let room = width.map(|w| w.saturating_sub(prefix.chars().count()).max(20));
    let mut lines: Vec<String> = Vec::new();
    match room {
        None => lines.push(text.to_string()),
        Some(room) => {
            let mut line = String::new();
            for word in text.split_whitespace() {
                if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > room {
                    lines.push(std::mem::take(&mut line));
                }
                if !line.is_empty() {
                    line.push(' ');
                }
                line.push_str(word);
            }
            lines.push(line);
        }
    }
    for line in lines {
        match style {
            Some(style) => writeln!(out, "{prefix}{}", paint(style, &line))?,
            None => writeln!(out, "{prefix}{line}")?,
        }
    }
    Ok(())
}

/// `1 check`, `2 checks`.
pub(crate) fn plural(n: usize, noun: &str) -> String {
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

fn render_cluster(
    report: &Report,
    cluster: &ClusterReport,
    width: Option<usize>,
    out: &mut dyn Write,
) -> io::Result<()> {
    // An export or a node scanned alone has no region or account: nothing dangles.
    let mut title = format!("cluster {}", cluster.name);
    for part in [
        Some(cluster.region.clone()).filter(|r| !r.is_empty()),
        cluster
            .account_id
            .as_deref()
            .map(|a| format!("account {a}")),
    ]
    .into_iter()
    .flatten()
    {
        title.push_str(" · ");
        title.push_str(&part);
    }
    writeln!(out, "{}", paint(BOLD, &title))?;
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
    if let Some(access) = &cluster.kubernetes_access {
        writeln!(out, "{}", paint(DIM, &format!("Kubernetes side: {access}")))?;
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
        render_result(result, id_width, width, out)?;
    }

    if !cluster.collection_errors.is_empty() {
        writeln!(out)?;
        let heading = format!(
            "Collection errors ({}): the checks that needed this data report ERROR",
            cluster.collection_errors.len()
        );
        write_wrapped(out, "", &heading, Some(BOLD), width)?;
        for error in &cluster.collection_errors {
            let about = match error.resources.len() {
                0 => String::new(),
                1..=3 => format!(" [{}]", error.resources.join(", ")),
                n => format!(" [{}, ... {n} resources]", error.resources[..2].join(", ")),
            };
            let line = format!(
                "{} ({}){about}: {}",
                error.api,
                error.kind.label(),
                error.message
            );
            write_wrapped(out, "  ", &line, None, width)?;
            // Commands keep their lines: they are meant to be copied.
            for help in error.help.iter().flat_map(|h| h.lines()) {
                writeln!(out, "    {help}")?;
            }
        }
    }
    writeln!(out)?;
    Ok(())
}

fn render_result(
    result: &CheckResult,
    id_width: usize,
    width: Option<usize>,
    out: &mut dyn Write,
) -> io::Result<()> {
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
                write_wrapped(out, indent, &first.message, Some(DIM), width)?;
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
                let inner = format!("{indent}  ");
                write_wrapped(out, &inner, &finding.message, None, width)?;
                if let Some(waiver) = &finding.waiver {
                    let until = waiver
                        .expires
                        .map(|d| format!(" until {d}"))
                        .unwrap_or_default();
                    let note = format!("waived{until} ({}): {}", waiver.location, waiver.reason);
                    write_wrapped(out, &inner, &note, Some(DIM), width)?;
                }
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
        plain_with(
            report,
            &RenderOptions {
                fail_on,
                width: None,
            },
        )
    }

    fn plain_with(report: &Report, options: &RenderOptions) -> String {
        let mut out = Vec::new();
        render(report, options, &mut out).unwrap();
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
    fn messages_wrap_to_the_terminal_width() {
        let options = RenderOptions {
            fail_on: FailOn::Never,
            width: Some(60),
        };
        let text = plain_with(&fixture::report(), &options);
        for line in text.lines().filter(|l| {
            !l.contains("arn:") && !l.starts_with("cluster") && !l.contains("check results")
        }) {
            if line.starts_with("FAIL")
                || line.starts_with("PASS")
                || line.starts_with("ERROR")
                || line.starts_with("MANUAL")
                || line.starts_with("WAIVED")
                || line.starts_with("N/A")
                || line.starts_with("SKIP")
                || line.starts_with("collected")
            {
                continue;
            }
            assert!(line.chars().count() <= 60, "{line:?} is wider than 60");
        }
        assert!(
            text.contains("         waived until 2027-03-31 (sek.toml:7): legacy nodes,\n"),
            "{text}"
        );
    }

    #[test]
    fn a_fleet_gets_its_summary_and_what_was_not_scanned_trips_the_gate() {
        let report = fixture::fleet();
        let text = plain(&report, FailOn::Severity(Severity::Critical));
        let summary = text
            .find("Fleet: 3 clusters in 2 accounts and 2 regions")
            .unwrap();
        assert!(text.rfind("cluster staging").unwrap() < summary);
        assert!(
            text.contains("service-logging  medium      3/3 clusters  3 failing resources"),
            "{text}"
        );
        assert!(
            text.contains("payments (eu-west-1, 444455556666): 2 checks failing (high worst)"),
            "{text}"
        );
        assert!(text.contains("Not scanned (1)"));
        assert!(text.contains("account arn:aws:iam::777788889999:role/sek-audit: sts:AssumeRole failed (access denied)"));
        assert!(text.contains("help: let the scanning identity assume the role"));
        // Nothing critical failed, but part of the estate is missing: exit 1, said why.
        assert!(report.gate(FailOn::Severity(Severity::Critical)).is_empty());
        assert!(report.trips(FailOn::Severity(Severity::Critical)));
        assert!(text.contains("1 part of the estate could not be scanned"));
        assert!(!text.contains("exit status 0"), "{text}");
        assert!(!report.trips(FailOn::Never));
        // One cluster: no fleet section.
        assert!(!plain(&fixture::report(), FailOn::Never).contains("Fleet:"));
    }

    #[test]
    fn styles_are_emitted_for_terminals() {
        let mut out = Vec::new();
        render(
            &fixture::report(),
            &RenderOptions {
                fail_on: FailOn::Never,
                width: None,
            },
            &mut out,
        )
        .unwrap();
        assert!(String::from_utf8(out).unwrap().contains("\u{1b}["));
    }
}
