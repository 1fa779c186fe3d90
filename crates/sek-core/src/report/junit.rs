//! JUnit XML, for CI dashboards: one test suite per cluster and check, one test case per
//! resource. Failures fail, errors error; passes pass; not-applicable, skipped, manual and
//! waived findings are skipped with the reason.

use std::io::{self, Write};

use quick_junit::{NonSuccessKind, Report as JunitReport, TestCase, TestCaseStatus, TestSuite};

use super::Report;
use crate::checks::Status;

/// Write the JUnit report.
pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut junit = JunitReport::new("sek");
    for cluster in &report.clusters {
        for result in &cluster.results {
            let mut suite = TestSuite::new(format!("{}/{}", cluster.name, result.check.id));
            suite.add_property(("title", result.check.title));
            suite.add_property(("severity", result.severity.as_str()));
            if result.findings.is_empty() {
                let mut status = TestCaseStatus::skipped();
                status.set_message(
                    result
                        .note
                        .clone()
                        .unwrap_or_else(|| result.status.to_string()),
                );
                suite.add_test_case(TestCase::new(result.check.id, status));
            }
            for finding in &result.findings {
                let status = match finding.status {
                    Status::Pass => TestCaseStatus::success(),
                    Status::Fail | Status::Error => {
                        let kind = if finding.status == Status::Fail {
                            NonSuccessKind::Failure
                        } else {
                            NonSuccessKind::Error
                        };
                        let mut status = TestCaseStatus::non_success(kind);
                        status.set_message(finding.message.as_str());
                        status.set_type(format!("{} {}", result.severity, finding.status));
                        if !finding.evidence.is_null() {
                            status.set_description(finding.evidence.to_string());
                        }
                        status
                    }
                    Status::Waived | Status::Manual | Status::NotApplicable | Status::Skipped => {
                        let mut status = TestCaseStatus::skipped();
                        let why = match &finding.waiver {
                            Some(waiver) => format!("waived: {}", waiver.reason),
                            None => format!("{}: {}", finding.status, finding.message),
                        };
                        status.set_message(why);
                        status
                    }
                };
                let mut case = TestCase::new(finding.resource.as_str(), status);
                case.set_classname(format!("{}.{}", cluster.name, result.check.id));
                suite.add_test_case(case);
            }
            junit.add_test_suite(suite);
        }
    }
    // What could not be scanned is an error case, so CI dashboards show the gap in coverage.
    if !report.not_scanned.is_empty() {
        let mut suite = TestSuite::new("not scanned");
        for gap in &report.not_scanned {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
            status.set_message(gap.line());
            status.set_type(gap.kind.label());
            if let Some(help) = &gap.help {
                status.set_description(help.as_str());
            }
            suite.add_test_case(TestCase::new(gap.target(), status));
        }
        junit.add_test_suite(suite);
    }
    let xml = junit.to_string().map_err(io::Error::other)?;
    out.write_all(xml.as_bytes())?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture;

    fn xml() -> String {
        let mut out = Vec::new();
        render(&fixture::report(), &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn junit_snapshot() {
        insta::assert_snapshot!(xml());
    }

    #[test]
    fn one_case_per_resource_with_the_right_outcome() {
        let xml = xml();
        assert_eq!(xml.matches("<testcase ").count(), 9, "{xml}");
        assert_eq!(xml.matches("<failure ").count(), 1);
        assert_eq!(xml.matches("<error ").count(), 1);
        assert!(xml.contains("waived: legacy nodes, replaced in Q1"));
        assert!(
            xml.contains(r#"testsuite name="prod/node-volumes" tests="3""#),
            "{xml}"
        );
    }

    #[test]
    fn what_was_not_scanned_is_an_error_case() {
        let mut out = Vec::new();
        render(&fixture::fleet(), &mut out).unwrap();
        let xml = String::from_utf8(out).unwrap();
        assert!(
            xml.contains(r#"testsuite name="not scanned" tests="1" skipped="0" errors="1""#),
            "{xml}"
        );
        assert!(xml.contains("sts:AssumeRole failed (access denied)"));
    }
}
