//! The evaluated result and its renderers. Renderers only format a [`Report`]; they never
//! evaluate anything.

pub mod asff;
pub mod csv;
pub mod diff;
pub mod fleet;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod merge;
pub mod ocsf;
pub mod read;
pub mod sarif;
pub mod seed;
pub mod text;

use std::io::{self, Write};

use jiff::Timestamp;
use serde::Serialize;

use crate::checks::{Check, Finding, Severity, Status};
use crate::inventory::k8s::KubernetesAccess;
use crate::inventory::{CollectError, Meta, NotScanned};

/// The result of evaluating an inventory.
#[derive(Debug, Clone)]
pub struct Report {
    /// The sek version that evaluated it.
    pub sek_version: &'static str,
    /// Evaluation time.
    pub generated_at: Timestamp,
    /// Provenance of the inventory.
    pub inventory: Meta,
    /// The configuration file used, if any.
    pub config: Option<String>,
    /// One section per cluster.
    pub clusters: Vec<ClusterReport>,
    /// Problems with the configuration found while evaluating (expired or unused waivers).
    pub warnings: Vec<String>,
    /// Accounts, regions and clusters the scan was asked for but could not read.
    pub not_scanned: Vec<NotScanned>,
}

/// The results for one cluster.
#[derive(Debug, Clone)]
pub struct ClusterReport {
    /// Cluster name.
    pub name: String,
    /// Region.
    pub region: String,
    /// Account.
    pub account_id: Option<String>,
    /// Cluster ARN.
    pub arn: String,
    /// One result per selected check, in registry order.
    pub results: Vec<CheckResult>,
    /// Reads that failed while collecting this cluster.
    pub collection_errors: Vec<CollectError>,
    /// How the Kubernetes side was read, when it was.
    pub kubernetes_access: Option<KubernetesAccess>,
}

/// One check's result on one cluster.
#[derive(Debug, Clone)]
pub struct CheckResult {
    /// The check.
    pub check: &'static Check,
    /// Its severity after configuration overrides.
    pub severity: Severity,
    /// The worst status of its findings (`skipped` when turned off).
    pub status: Status,
    /// Per-resource findings (none when skipped).
    pub findings: Vec<Finding>,
    /// Why it was skipped, when it was.
    pub note: Option<String>,
}

/// Counts by status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Counts {
    /// Passing.
    pub pass: usize,
    /// Failing.
    pub fail: usize,
    /// Not evaluated because data is missing.
    pub error: usize,
    /// Not applicable.
    pub not_applicable: usize,
    /// Needing human review.
    pub manual: usize,
    /// Turned off.
    pub skipped: usize,
    /// Waived.
    pub waived: usize,
}

impl Counts {
    /// Count one status.
    pub fn add(&mut self, status: Status) {
        *match status {
            Status::Pass => &mut self.pass,
            Status::Fail => &mut self.fail,
            Status::Error => &mut self.error,
            Status::NotApplicable => &mut self.not_applicable,
            Status::Manual => &mut self.manual,
            Status::Skipped => &mut self.skipped,
            Status::Waived => &mut self.waived,
        } += 1;
    }

    /// The count for one status.
    pub fn get(&self, status: Status) -> usize {
        match status {
            Status::Pass => self.pass,
            Status::Fail => self.fail,
            Status::Error => self.error,
            Status::NotApplicable => self.not_applicable,
            Status::Manual => self.manual,
            Status::Skipped => self.skipped,
            Status::Waived => self.waived,
        }
    }

    /// Everything counted.
    pub fn total(&self) -> usize {
        Status::ALL.iter().map(|&s| self.get(s)).sum()
    }

    /// Count statuses.
    pub fn of(statuses: impl IntoIterator<Item = Status>) -> Counts {
        let mut counts = Counts::default();
        statuses.into_iter().for_each(|s| counts.add(s));
        counts
    }
}

/// The type of a resource, from its ARN, in AWS Security Hub (ASFF) and CloudFormation (OCSF)
/// terms.
pub fn resource_types(resource: &str) -> (&'static str, &'static str) {
    let service = resource.split(':').nth(2).unwrap_or("");
    let kind = resource
        .split(':')
        .nth(5)
        .and_then(|r| r.split('/').next())
        .unwrap_or("");
    match (service, kind) {
        ("eks", "cluster") => ("AwsEksCluster", "AWS::EKS::Cluster"),
        ("ec2", "instance") => ("AwsEc2Instance", "AWS::EC2::Instance"),
        ("ec2", "security-group") => ("AwsEc2SecurityGroup", "AWS::EC2::SecurityGroup"),
        ("ec2", "volume") => ("AwsEc2Volume", "AWS::EC2::Volume"),
        ("ec2", "launch-template") => ("AwsEc2LaunchTemplate", "AWS::EC2::LaunchTemplate"),
        ("iam", "role") => ("AwsIamRole", "AWS::IAM::Role"),
        ("iam", "instance-profile") => ("Other", "AWS::IAM::InstanceProfile"),
        _ => ("Other", "Other"),
    }
}

/// When a scan should exit non-zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOn {
    /// When a check of at least this severity fails or errors.
    Severity(Severity),
    /// Never (report only).
    Never,
}

impl FailOn {
    /// Parse `critical|high|medium|low|info|none`.
    pub fn parse(value: &str) -> Option<FailOn> {
        if value == "none" {
            Some(FailOn::Never)
        } else {
            Severity::parse(value).map(FailOn::Severity)
        }
    }

    /// Whether `result` trips this gate.
    pub fn trips(self, result: &CheckResult) -> bool {
        match self {
            FailOn::Never => false,
            FailOn::Severity(min) => {
                matches!(result.status, Status::Fail | Status::Error) && result.severity >= min
            }
        }
    }
}

impl ClusterReport {
    /// Counts of check statuses.
    pub fn counts(&self) -> Counts {
        Counts::of(self.results.iter().map(|r| r.status))
    }
}

impl Report {
    /// Every finding with its cluster and check result, in report order.
    pub fn findings(&self) -> impl Iterator<Item = (&ClusterReport, &CheckResult, &Finding)> {
        self.clusters.iter().flat_map(|cluster| {
            cluster.results.iter().flat_map(move |result| {
                result
                    .findings
                    .iter()
                    .map(move |finding| (cluster, result, finding))
            })
        })
    }

    /// Counts of check statuses over every cluster.
    pub fn counts(&self) -> Counts {
        Counts::of(
            self.clusters
                .iter()
                .flat_map(|c| c.results.iter().map(|r| r.status)),
        )
    }

    /// Whether the scan should exit 1: a result trips `fail_on`, or (unless `--fail-on none`)
    /// part of the estate could not be scanned, so a clean result would overstate coverage.
    pub fn trips(&self, fail_on: FailOn) -> bool {
        !self.gate(fail_on).is_empty() || (fail_on != FailOn::Never && !self.not_scanned.is_empty())
    }

    /// The results that trip `fail_on`.
    pub fn gate(&self, fail_on: FailOn) -> Vec<&CheckResult> {
        self.clusters
            .iter()
            .flat_map(|c| &c.results)
            .filter(|r| fail_on.trips(r))
            .collect()
    }
}

/// How to render.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RenderOptions {
    /// The exit-status gate, which the text summary explains.
    pub fail_on: FailOn,
    /// Terminal width for wrapping text output; `None` (files, pipes) never wraps.
    pub width: Option<usize>,
}

/// Output formats of `sek scan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Human-readable, grouped by check.
    Text,
    /// The versioned JSON report.
    Json,
    /// SARIF 2.1.0.
    Sarif,
    /// JUnit XML.
    Junit,
    /// CSV, one row per finding.
    Csv,
    /// Markdown for pull-request comments.
    Markdown,
    /// One self-contained HTML page.
    Html,
    /// AWS Security Finding Format.
    Asff,
    /// OCSF Compliance Finding events.
    Ocsf,
}

impl Format {
    /// Every format, with its name.
    pub const ALL: [(&'static str, Format); 9] = [
        ("text", Format::Text),
        ("json", Format::Json),
        ("sarif", Format::Sarif),
        ("junit", Format::Junit),
        ("csv", Format::Csv),
        ("markdown", Format::Markdown),
        ("html", Format::Html),
        ("asff", Format::Asff),
        ("ocsf", Format::Ocsf),
    ];

    /// Parse a format name.
    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, f)| *f)
    }

    /// The format a file name implies: `.json`, `.sarif` (or `.sarif.json`), `.xml` (JUnit, or
    /// `.junit.xml`), `.csv`, `.md`, `.html`, `.txt`, and `.asff`/`.asff.json`,
    /// `.ocsf`/`.ocsf.json` (plain `.json` is sek's own JSON).
    pub fn from_extension(path: &str) -> Option<Format> {
        let name = path
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or(path)
            .to_ascii_lowercase();
        for (suffix, format) in [
            (".asff.json", Format::Asff),
            (".ocsf.json", Format::Ocsf),
            (".sarif.json", Format::Sarif),
            (".junit.xml", Format::Junit),
        ] {
            if name.ends_with(suffix) {
                return Some(format);
            }
        }
        let extension = name.rsplit_once('.')?.1;
        Some(match extension {
            "json" => Format::Json,
            "sarif" => Format::Sarif,
            "xml" => Format::Junit,
            "csv" => Format::Csv,
            "md" | "markdown" => Format::Markdown,
            "html" | "htm" => Format::Html,
            "txt" | "text" => Format::Text,
            "asff" => Format::Asff,
            "ocsf" => Format::Ocsf,
            _ => return None,
        })
    }
}

impl crate::Choice for Format {
    fn every() -> Vec<Format> {
        Format::ALL.iter().map(|(_, format)| *format).collect()
    }

    fn label(self) -> &'static str {
        Format::ALL
            .iter()
            .find(|(_, format)| *format == self)
            .map_or("", |(name, _)| name)
    }

    fn describe(self) -> &'static str {
        match self {
            Format::Text => "Human-readable, failures first",
            Format::Json => {
                "The versioned JSON report (docs/report-json.md, docs/report.schema.json)"
            }
            Format::Sarif => "SARIF 2.1.0, for GitHub code scanning",
            Format::Junit => "JUnit XML, one test case per check and resource",
            Format::Csv => "CSV, one row per finding",
            Format::Markdown => "Markdown, for pull-request comments",
            Format::Html => "One self-contained HTML page",
            Format::Asff => "AWS Security Finding Format, for Security Hub BatchImportFindings",
            Format::Ocsf => "OCSF Compliance Finding events (class 2003)",
        }
    }
}

impl crate::Choice for FailOn {
    fn every() -> Vec<FailOn> {
        let mut every: Vec<FailOn> = Severity::ALL
            .into_iter()
            .rev()
            .map(FailOn::Severity)
            .collect();
        every.push(FailOn::Never);
        every
    }

    fn label(self) -> &'static str {
        match self {
            FailOn::Severity(severity) => severity.as_str(),
            FailOn::Never => "none",
        }
    }

    fn describe(self) -> &'static str {
        match self {
            FailOn::Severity(Severity::Critical) => "only critical checks",
            FailOn::Severity(Severity::High) => "high and critical",
            FailOn::Severity(Severity::Medium) => "medium and above",
            FailOn::Severity(Severity::Low) => "low and above (every check but info)",
            FailOn::Severity(Severity::Info) => "every check",
            FailOn::Never => "never: report only",
        }
    }
}

/// Render `report` as `format`. Text output carries ANSI styles; wrap `out` in an
/// `anstream` stream to strip them where colour is not wanted.
pub fn render(
    report: &Report,
    format: Format,
    options: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Text => text::render(report, options, out),
        Format::Json => json::render(report, out),
        Format::Sarif => sarif::render(report, out),
        Format::Junit => junit::render(report, out),
        Format::Csv => csv::render(report, out),
        Format::Markdown => markdown::render(report, out),
        Format::Html => html::render(report, out),
        Format::Asff => asff::render(report, out),
        Format::Ocsf => ocsf::render(report, out),
    }
}

#[cfg(test)]
pub(crate) mod fixture {
    //! One report holding every status, shared by the renderer tests.

    use super::*;
    use crate::checks::{self, Finding};
    use crate::inventory::ErrorKind;

    pub fn report() -> Report {
        let result = |id: &str, status: Status, findings: Vec<Finding>| CheckResult {
            check: checks::find(id).unwrap(),
            severity: checks::find(id).unwrap().severity,
            status,
            findings,
            note: None,
        };
        let arn = "arn:aws:eks:eu-west-1:111122223333:cluster/prod";
        let volume = |n: u32, status| {
            Finding::new(
                status,
                format!("arn:aws:ec2:eu-west-1:111122223333:volume/vol-{n}"),
                format!("volume {n} message"),
            )
        };
        let mut skipped = result("node-role", Status::Skipped, vec![]);
        skipped.note = Some("skipped on the command line".into());
        Report {
            sek_version: "0.0.0-test",
            generated_at: "2026-11-23T12:00:00Z".parse().unwrap(),
            inventory: Meta {
                sek_version: Some("0.0.0-test".into()),
                collected_at: Some("2026-11-23T11:59:58Z".parse().unwrap()),
                caller_arn: Some("arn:aws:iam::111122223333:role/auditor".into()),
                api_calls: Some(42),
                api_calls_by_action: Default::default(),
                duration_ms: Some(1234),
                collected_for: None,
            },
            config: None,
            clusters: vec![ClusterReport {
                name: "prod".into(),
                region: "eu-west-1".into(),
                account_id: Some("111122223333".into()),
                arn: arn.into(),
                results: vec![
                    result(
                        "service-logging",
                        Status::Fail,
                        vec![
                            Finding::fail(arn, "control plane log types not enabled: audit")
                                .with_evidence(serde_json::json!({"missing": ["audit"]})),
                        ],
                    ),
                    result(
                        "service-secrets",
                        Status::Pass,
                        vec![Finding::pass(arn, "Secrets are envelope-encrypted")],
                    ),
                    result(
                        "service-endpoint-firewall",
                        Status::NotApplicable,
                        vec![Finding::not_applicable(arn, "the public endpoint is off")],
                    ),
                    result(
                        "node-volumes",
                        Status::Error,
                        vec![
                            volume(1, Status::Pass),
                            volume(2, Status::Error),
                            volume(3, Status::Pass),
                        ],
                    ),
                    result(
                        "node-imds",
                        Status::Waived,
                        vec![Finding {
                            waiver: Some(crate::checks::WaiverNote {
                                reason: "legacy nodes, replaced in Q1".into(),
                                expires: Some("2027-03-31".parse().unwrap()),
                                location: "sek.toml:7".into(),
                            }),
                            ..Finding::new(
                                Status::Waived,
                                "arn:aws:ec2:eu-west-1:111122223333:instance/i-0legacy",
                                "IMDSv1 is allowed (HttpTokens=optional)",
                            )
                        }],
                    ),
                    result(
                        "node-private",
                        Status::Manual,
                        vec![Finding::new(Status::Manual, arn, "review the subnets")],
                    ),
                    skipped,
                ],
                collection_errors: vec![CollectError::new(
                    "ec2:DescribeVolumes",
                    vec!["vol-2".into()],
                    ErrorKind::AccessDenied,
                    "not authorized to perform: ec2:DescribeVolumes",
                )],
                kubernetes_access: Some(KubernetesAccess {
                    method: crate::inventory::k8s::AccessMethod::EksToken,
                    server: Some("https://0123456789ABCDEF.gr7.eu-west-1.eks.amazonaws.com".into()),
                    identity: Some("arn:aws:iam::111122223333:role/sek-audit".into()),
                    context: None,
                }),
            }],
            warnings: vec!["sek.toml:12: the waiver of node-role for `*` matched no failing finding; remove it if the failure is fixed".into()],
            not_scanned: Vec::new(),
        }
    }

    /// Three clusters in two accounts and regions, and an account that could not be scanned.
    pub fn fleet() -> Report {
        let mut report = report();
        let prod = report.clusters[0].clone();
        let mut payments = prod.clone();
        payments.name = "payments".into();
        payments.account_id = Some("444455556666".into());
        payments.arn = "arn:aws:eks:eu-west-1:444455556666:cluster/payments".into();
        let imds = payments
            .results
            .iter_mut()
            .find(|r| r.check.id == "node-imds")
            .unwrap();
        imds.status = Status::Fail;
        imds.findings = (1..=2)
            .map(|n| {
                Finding::fail(
                    format!("arn:aws:ec2:eu-west-1:444455556666:instance/i-{n}"),
                    "IMDSv1 is allowed (HttpTokens=optional)",
                )
            })
            .collect();
        let mut staging = prod.clone();
        staging.name = "staging".into();
        staging.region = "us-east-1".into();
        staging.arn = "arn:aws:eks:us-east-1:111122223333:cluster/staging".into();
        report.clusters = vec![prod, payments, staging];
        report.not_scanned = vec![NotScanned {
            account: Some("arn:aws:iam::777788889999:role/sek-audit".into()),
            region: None,
            cluster: None,
            api: "sts:AssumeRole".into(),
            kind: ErrorKind::AccessDenied,
            message: "AccessDenied: not authorized to perform sts:AssumeRole".into(),
            help: Some("let the scanning identity assume the role (its trust policy), or pass --external-id".into()),
        }];
        report
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_gate() {
        let report = fixture::report();
        let counts = report.counts();
        assert_eq!(
            (counts.pass, counts.fail, counts.error, counts.total()),
            (1, 1, 1, 7)
        );
        // service-logging (medium) fails, node-volumes (medium) errors.
        assert_eq!(report.gate(FailOn::Severity(Severity::Medium)).len(), 2);
        assert_eq!(report.gate(FailOn::Severity(Severity::High)).len(), 0);
        assert!(report.gate(FailOn::Never).is_empty());
        assert_eq!(FailOn::parse("none"), Some(FailOn::Never));
        assert_eq!(
            FailOn::parse("high"),
            Some(FailOn::Severity(Severity::High))
        );
        assert_eq!(FailOn::parse("severe"), None);
    }
}
