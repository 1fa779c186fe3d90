//! The original sek's layout, for `sek --cloud aws --resource eks --name NAME [--skip ...]`:
//! a header, one `check: PASS|FAIL|ERROR|SKIP` line per check (with the reasons under failures
//! and errors), and the stats block with time, counts and percentages.

use std::io::{self, Write};
use std::time::Duration;

use super::Report;
use crate::checks::Status;

/// The ten checks of the original sek, in its order.
pub const SEED_CHECKS: [&str; 10] = [
    "service-logging",
    "service-secrets",
    "service-endpoint",
    "service-endpoint-firewall",
    "service-sgs",
    "node-imds",
    "node-volumes",
    "node-sgs",
    "node-private",
    "node-role",
];

/// The original invocation's arguments, echoed in the header.
#[derive(Debug, Clone)]
pub struct SeedArgs {
    /// `--cloud`.
    pub cloud: String,
    /// `--resource`.
    pub resource: String,
    /// `--name`.
    pub name: String,
    /// `--skip`, as given.
    pub skip: Vec<String>,
}

/// The seed's four outcomes.
fn seed_result(status: Status) -> &'static str {
    match status {
        // The original passed a check whose subject was absent (no public endpoint).
        Status::Pass | Status::NotApplicable => "PASS",
        Status::Fail => "FAIL",
        Status::Error => "ERROR",
        Status::Skipped | Status::Waived | Status::Manual => "SKIP",
    }
}

/// The name the original printed: it called `service-sgs` `service-security-groups`.
fn seed_name(id: &str) -> &str {
    if id == "service-sgs" {
        "service-security-groups"
    } else {
        id
    }
}

/// Python's `str(float)` for the percentages: `50.0`, `33.33333333333333`.
fn python_float(value: f64) -> String {
    if value.fract() == 0.0 {
        format!("{value:.1}")
    } else {
        format!("{value}")
    }
}

/// Python's `str(list)` for the skip list: `['a', 'b']`.
fn python_list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| format!("'{s}'")).collect();
    format!("[{}]", quoted.join(", "))
}

/// Write the seed layout. Returns whether every check passed (the original's exit status).
pub fn render(
    report: &Report,
    args: &SeedArgs,
    elapsed: Duration,
    out: &mut dyn Write,
) -> io::Result<bool> {
    writeln!(
        out,
        "Sek - Live Cloud Resource Security Configuration Scanning\n-----"
    )?;
    writeln!(
        out,
        "Cloud: {} - Resource: {} - Name: {}",
        args.cloud, args.resource, args.name
    )?;
    writeln!(out, "Skip: {}\n-----", python_list(&args.skip))?;
    writeln!(out, "Scan\n-----")?;

    let results: Vec<_> = report.clusters.iter().flat_map(|c| &c.results).collect();
    let mut tally = [0usize; 4];
    for result in &results {
        let outcome = seed_result(result.status);
        tally[["PASS", "FAIL", "SKIP", "ERROR"]
            .iter()
            .position(|o| *o == outcome)
            .unwrap_or(3)] += 1;
        writeln!(out, "{}: {outcome}", seed_name(result.check.id))?;
        if matches!(result.status, Status::Fail | Status::Error) {
            for finding in result
                .findings
                .iter()
                .filter(|f| matches!(f.status, Status::Fail | Status::Error))
            {
                writeln!(out, "{}: {}", finding.resource, finding.message)?;
            }
            writeln!(out)?;
        }
    }
    writeln!(out, "-----")?;
    writeln!(out, "Check Document: docs/checks/README.md")?;
    writeln!(out, "-----\nStats\n-----")?;
    let total = results.len();
    let percent = |n: usize| {
        if total == 0 {
            0.0
        } else {
            n as f64 / total as f64 * 100.0
        }
    };
    writeln!(out, "Time: {:.3}s", elapsed.as_secs_f64())?;
    writeln!(out, "Checks: {total}")?;
    for (label, count) in ["Pass", "Fail", "Skip", "Error"].iter().zip(tally) {
        writeln!(
            out,
            "{label}: {count} - ({}%)",
            python_float(percent(count))
        )?;
    }
    Ok(tally[0] == total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture;

    #[test]
    fn seed_layout_snapshot() {
        let args = SeedArgs {
            cloud: "aws".into(),
            resource: "eks".into(),
            name: "prod".into(),
            skip: vec!["node-role".into()],
        };
        let mut out = Vec::new();
        let all_passed = render(
            &fixture::report(),
            &args,
            Duration::from_millis(1234),
            &mut out,
        )
        .unwrap();
        assert!(!all_passed);
        insta::assert_snapshot!(String::from_utf8(out).unwrap());
    }

    #[test]
    fn python_number_formatting() {
        assert_eq!(python_float(50.0), "50.0");
        assert_eq!(python_float(1.0 / 3.0 * 100.0), "33.33333333333333");
        assert_eq!(python_list(&[]), "[]");
        assert_eq!(python_list(&["a".into(), "b".into()]), "['a', 'b']");
    }
}
