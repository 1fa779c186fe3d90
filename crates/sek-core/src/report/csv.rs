//! CSV, one row per finding, for spreadsheets. Cells that a spreadsheet would run as a formula
//! (starting with `=`, `+`, `-`, `@`, tab or carriage return: a hostile tag or name could) are
//! prefixed with `'`.

use std::io::{self, Write};

use super::Report;
use crate::checks::Framework;

const HEADER: [&str; 16] = [
    "cluster",
    "region",
    "account",
    "check",
    "title",
    "severity",
    "check_status",
    "status",
    "resource",
    "message",
    "waiver_reason",
    "cis_eks_1_3_0",
    "cis_eks_1_8_0",
    "nist_csf_1_1",
    "nist_csf_2_0",
    "docs",
];

/// Neutralise spreadsheet formula injection.
pub fn cell(value: &str) -> String {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_string()
    }
}

/// Write the CSV.
pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(HEADER)?;
    for (cluster, result, finding) in report.findings() {
        let refs = |framework| {
            result
                .check
                .refs_for(framework)
                .iter()
                .map(|r| r.id)
                .collect::<Vec<_>>()
                .join(" ")
        };
        let row = [
            cluster.name.as_str(),
            &cluster.region,
            cluster.account_id.as_deref().unwrap_or(""),
            result.check.id,
            result.check.title,
            result.severity.as_str(),
            result.status.as_str(),
            finding.status.as_str(),
            &finding.resource,
            &finding.message,
            finding.waiver.as_ref().map_or("", |w| w.reason.as_str()),
            &refs(Framework::CisEks1_3_0),
            &refs(Framework::CisEks1_8_0),
            &refs(Framework::NistCsf1_1),
            &refs(Framework::NistCsf2_0),
            &result.check.docs_path(),
        ];
        writer.write_record(row.iter().map(|value| cell(value)))?;
    }
    writer.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture;

    #[test]
    fn csv_snapshot() {
        let mut out = Vec::new();
        render(&fixture::report(), &mut out).unwrap();
        insta::assert_snapshot!(String::from_utf8(out).unwrap());
    }

    #[test]
    fn formulas_are_neutralised_and_quotes_escaped() {
        assert_eq!(
            cell("=HYPERLINK(\"http://x\")"),
            "'=HYPERLINK(\"http://x\")"
        );
        assert_eq!(cell("-1+2"), "'-1+2");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("arn:aws:eks"), "arn:aws:eks");
        let mut report = fixture::report();
        report.clusters[0].name = "=cmd|' /C calc'!A0".into();
        let mut out = Vec::new();
        render(&report, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.lines()
                .nth(1)
                .unwrap()
                .starts_with("'=cmd|' /C calc'!A0,"),
            "{text}"
        );
    }
}
