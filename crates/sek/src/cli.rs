//! Command-line interface definitions.

use std::path::PathBuf;

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use clap::{Args, Parser, Subcommand, ValueEnum};
use sek_core::Choice;
use sek_core::checks::Framework;
use sek_core::compliance::ComplianceFormat;
use sek_core::report::{FailOn, Format};

/// Parse one of sek-core's [`Choice`]s by its label; `--help` lists the labels with their help.
fn choice<T: Choice + Clone>() -> impl TypedValueParser<Value = T> {
    let values = T::every()
        .into_iter()
        .map(|value| PossibleValue::new(value.label()).help(value.describe()));
    PossibleValuesParser::new(values).map(|label| {
        T::every()
            .into_iter()
            .find(|value| value.label() == label)
            .expect("clap only accepts listed labels")
    })
}

const AFTER_HELP: &str = "\
Examples:
  sek scan --demo                          scan the embedded demo snapshot (no AWS account needed)
  sek scan --cluster prod --region eu-west-1
  sek scan --cluster prod staging          two clusters; the account's settings are read once
  sek scan --all-clusters --all-regions    every cluster of the account, with a fleet summary
  sek scan --all-clusters --org-role SekAudit --region eu-west-1,us-east-1 -o fleet.json
                                           every account of the organization
  sek diff last-week.json today.json       what got worse, what got better, what is new or gone
  sek merge team-a.json team-b.json -o all.html   one report from per-account runs
  sek collect --cluster prod -o prod.json  save a snapshot; scan it later with --snapshot
  sek scan --snapshot prod.json -o report.json   the report as JSON (format from the extension)
  sek scan --demo -o sarif=sek.sarif -o report.html   several formats in one run
  sek compliance --framework cis-eks-1.8.0 --demo     the benchmark, requirement by requirement
  sek checks list                          every check with its CIS and NIST references
  sek checks show node-imds

Exit status: 0 nothing at or above --fail-on failed, 1 something did (or could not be
evaluated), 2 bad usage, configuration or snapshot, 3 the scan could not run (credentials,
region, endpoint, unknown cluster).

The original sek invocation still works: sek --cloud aws --resource eks --name NAME [--skip ID ...]";

/// sek: a fast, read-only security posture scanner for Amazon EKS.
///
/// sek reads an EKS cluster (control plane, access entries, add-ons, node groups, nodes and their
/// network, volumes, images and IAM roles), what its account has around it in the region
/// (CloudTrail, GuardDuty, Inspector, ECR, EventBridge, IRSA roles) with Describe/List/Get calls
/// only, and its Kubernetes side (RBAC, service accounts, workloads, namespaces, network
/// policies, aws-auth) with get/list requests only; it evaluates checks mapped to the CIS
/// Amazon EKS Benchmark (v1.3.0 and v1.8.0), the NIST CSF and the EKS Best Practices Guide, and
/// reports, check by check and resource by resource, what is secure and what is not.
#[derive(Debug, Parser)]
#[command(name = "sek", version = LONG_VERSION, after_help = AFTER_HELP)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub seed: SeedArgs,

    /// More logging on stderr (-v: progress, -vv: AWS requests and retries, -vvv: more). Credentials
    /// and request signatures are never logged; `SEK_LOG=<filter>` overrides the levels.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

/// `sek --version`: the version and the commit it was built from (`unknown` without git).
const LONG_VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (", env!("SEK_GIT_COMMIT"), ")");

/// The original sek's flags (`sek --cloud aws --resource eks --name NAME`).
#[derive(Debug, Args)]
pub struct SeedArgs {
    /// Original sek invocation: the cloud (only `aws`).
    #[arg(long, value_parser = ["aws"], requires_all = ["resource", "name"], help_heading = "Original sek invocation")]
    pub cloud: Option<String>,
    /// Original sek invocation: the resource type (only `eks`).
    #[arg(long, value_parser = ["eks"], requires_all = ["cloud", "name"], help_heading = "Original sek invocation")]
    pub resource: Option<String>,
    /// Original sek invocation: the cluster name.
    #[arg(long, requires_all = ["cloud", "resource"], help_heading = "Original sek invocation")]
    pub name: Option<String>,
    /// Original sek invocation: check ids to skip.
    #[arg(long, num_args = 1.., requires = "name", help_heading = "Original sek invocation")]
    pub skip: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan a live cluster, a snapshot, or the demo, and report the results.
    Scan(ScanArgs),
    /// Show how a scan meets a framework (CIS EKS 1.3.0/1.8.0, NIST CSF), requirement by requirement.
    Compliance(ComplianceArgs),
    /// Collect a cluster into a snapshot file, to scan later or elsewhere.
    Collect(CollectArgs),
    /// Check this node's kubelet: file modes and owners (CIS 3.1.x) and the local configuration.
    /// Run it on a node, or as the Job in docs/sek-node-job.yaml.
    Node(NodeArgs),
    /// Compare two scans: what got worse, what got better, which resources and clusters are new
    /// or gone. Exit status 1 when something regressed (a finding got worse, or a new one fails
    /// or cannot be evaluated).
    Diff(DiffArgs),
    /// Combine the JSON reports (or snapshots) of separate runs, e.g. one per account, into one
    /// report in any format, with the fleet summary.
    Merge(MergeArgs),
    /// List, show and document the checks.
    #[command(subcommand)]
    Checks(ChecksCommand),
    /// Print a shell completion script: `sek completions bash > /etc/bash_completion.d/sek`,
    /// `sek completions zsh > "${fpath[1]}/_sek"`, `sek completions fish >
    /// ~/.config/fish/completions/sek.fish`, `sek completions powershell >> $PROFILE`.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff): `sek man > /usr/local/share/man/man1/sek.1`; `man ./sek.1`
    /// reads it in place.
    Man,
}

/// Where to reach AWS, and which accounts and regions to scan.
#[derive(Debug, Args)]
pub struct AwsArgs {
    /// AWS region to scan; repeat (or separate with commas) for several. Default: AWS_REGION or
    /// the profile's region. The first one also serves account-wide requests (Organizations,
    /// the list of regions).
    #[arg(
        long,
        value_name = "REGION",
        value_delimiter = ',',
        help_heading = "Estate"
    )]
    pub region: Vec<String>,
    /// Scan every region enabled for each account (EC2 DescribeRegions); regions without
    /// clusters cost one request each.
    #[arg(long, conflicts_with = "region", help_heading = "Estate")]
    pub all_regions: bool,
    /// Scan the account of this IAM role, assumed with your credentials (sts:AssumeRole);
    /// repeat (or list several) for several accounts. A role that cannot be assumed is reported as not scanned.
    #[arg(long, value_name = "ARN", num_args = 1.., help_heading = "Estate")]
    pub account_role_arn: Vec<String>,
    /// Scan every ACTIVE account of your AWS Organization through the role of this name in each
    /// (e.g. OrganizationAccountAccessRole or a read-only audit role). Needs
    /// organizations:ListAccounts: run as the management account or a delegated administrator.
    #[arg(
        long,
        value_name = "ROLE_NAME",
        conflicts_with = "account_role_arn",
        help_heading = "Estate"
    )]
    pub org_role: Option<String>,
    /// The external id the roles' trust policies require.
    #[arg(long, value_name = "ID", help_heading = "Estate")]
    pub external_id: Option<String>,
    /// AWS named profile (default: AWS_PROFILE or the default credential chain).
    #[arg(long)]
    pub profile: Option<String>,
    /// Most AWS requests in flight at once, over every account, region and cluster of the scan.
    #[arg(long, default_value_t = 32, value_parser = clap::value_parser!(u16).range(1..=512))]
    pub concurrency: u16,
    /// Attempts per AWS request, retries included (throttling, HTTP 503 and connection errors
    /// are retried with backoff; HTTP 500, 502 and 504 get 3 attempts at most). A read still
    /// failing after that is reported, not fatal.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=20))]
    pub max_attempts: u32,
    /// How throttled requests are retried: `standard` backs off exponentially with jitter;
    /// `adaptive` also rate-limits every client of a service once AWS throttles one, which
    /// protects shared quotas at the cost of a much slower scan after a burst of throttling.
    #[arg(long, value_enum, default_value_t = RetryMode::Standard)]
    pub retry_mode: RetryMode,
}

/// Ways to authenticate to the Kubernetes API (`--kube-auth`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KubeAuth {
    /// The first that applies: --context, a matching kubeconfig context, this cluster's
    /// in-cluster service account, an EKS token.
    Auto,
    /// An EKS token from sek's AWS credentials, as `aws eks get-token` makes it.
    Eks,
    /// A kubeconfig context only.
    Kubeconfig,
    /// The service account of the pod sek runs in only.
    InCluster,
}

/// Retry strategies of the AWS SDK.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RetryMode {
    /// Exponential backoff with jitter.
    Standard,
    /// Backoff, and a client-side rate limit that adapts to throttling.
    Adaptive,
}

/// Where to read the Kubernetes side from.
#[derive(Debug, Args, Clone)]
pub struct KubeArgs {
    /// How to authenticate to each cluster's Kubernetes API. `auto`: the --context, else the
    /// kubeconfig context whose server is the cluster's endpoint, else the pod's service account
    /// when sek runs in that very cluster, else an EKS token made from sek's AWS credentials (no
    /// kubeconfig or AWS CLI needed). The others use only that one (docs/kubernetes.md).
    #[arg(long, value_enum, default_value_t = KubeAuth::Auto, help_heading = "Kubernetes side")]
    pub kube_auth: KubeAuth,
    /// Kubeconfig file for the Kubernetes side (default: KUBECONFIG, else ~/.kube/config).
    /// Exec authentication (`aws eks get-token`) works.
    #[arg(long, value_name = "FILE", help_heading = "Kubernetes side")]
    pub kubeconfig: Option<PathBuf>,
    /// Kubeconfig context to use (default: the context whose server is the cluster's endpoint,
    /// as `aws eks update-kubeconfig` writes it). Only with one cluster.
    #[arg(long, value_name = "NAME", help_heading = "Kubernetes side")]
    pub context: Option<String>,
    /// Seconds to connect to a cluster's API server and get its first answer; a cluster that
    /// cannot be reached in time (a private endpoint, a firewall) reports its Kubernetes checks
    /// as errors saying why, and the scan goes on.
    #[arg(long, value_name = "SECONDS", default_value_t = 15, value_parser = clap::value_parser!(u64).range(1..=300), help_heading = "Kubernetes side")]
    pub kube_timeout: u64,
    /// Read the Kubernetes side from `kubectl get <kind> -A -o json` exports instead of the API:
    /// a file, or a directory of one file per kind (scripts/k8s-export.sh writes one). Alone, it
    /// scans just the export (Kubernetes checks only).
    #[arg(long, value_name = "PATH", conflicts_with_all = ["kubeconfig", "context", "no_kubernetes"], help_heading = "Kubernetes side")]
    pub k8s_dir: Option<PathBuf>,
    /// Skip the Kubernetes side: its checks then report ERROR (not read).
    #[arg(long, help_heading = "Kubernetes side")]
    pub no_kubernetes: bool,
    /// Seconds one kubelet may take to report its configuration (through the API server's
    /// nodes/proxy); a kubelet that does not answer is an error for its node only.
    #[arg(long, value_name = "SECONDS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=300), help_heading = "Kubernetes side")]
    pub kubelet_timeout: u64,
}

/// Which checks run; only what they need is read.
#[derive(Debug, Args, Clone, Default)]
pub struct SelectArgs {
    /// Run only these checks: ids or aliases (node-imds), globs (node-*), areas (rbac) or a
    /// framework (cis-eks-1.8.0); repeat or separate with commas. Only the AWS calls and
    /// Kubernetes reads they need are made, so a selection needs fewer permissions; the
    /// Kubernetes API is not contacted when no selected check reads it (default: every check,
    /// or `checks` in sek.toml).
    #[arg(long, value_name = "NAME", num_args = 1.., value_delimiter = ',', help_heading = "Checks")]
    pub checks: Vec<String>,
    /// Checks to skip, named the same ways; they are listed as skipped and not read for.
    #[arg(long, value_name = "NAME", num_args = 1.., value_delimiter = ',', help_heading = "Checks")]
    pub skip: Vec<String>,
}

/// What to evaluate: a live cluster, a snapshot or the demo, and with which configuration.
#[derive(Debug, Args)]
pub struct SourceArgs {
    /// EKS cluster to scan live. Repeat (or list several) for several clusters: the account's
    /// and region's settings are then read once for all of them. With several regions or
    /// accounts, each name is scanned wherever it exists.
    #[arg(long, value_name = "NAME", num_args = 1.., conflicts_with_all = ["snapshot", "demo"], required_unless_present_any = ["snapshot", "demo", "k8s_dir", "all_clusters"], help_heading = "Estate")]
    pub cluster: Vec<String>,
    /// Scan every EKS cluster of the selected regions and accounts.
    #[arg(long, conflicts_with_all = ["cluster", "snapshot", "demo", "k8s_dir"], help_heading = "Estate")]
    pub all_clusters: bool,
    /// Scan a snapshot written by `sek collect` instead of a live cluster (`-` reads stdin).
    #[arg(long, value_name = "FILE", conflicts_with = "demo")]
    pub snapshot: Option<PathBuf>,
    /// Scan the demo snapshot embedded in sek: see what it reports without an AWS account.
    #[arg(long)]
    pub demo: bool,
    #[command(flatten)]
    pub aws: AwsArgs,
    #[command(flatten)]
    pub kube: KubeArgs,
    #[command(flatten)]
    pub select: SelectArgs,
    /// Configuration file: skips, severities, thresholds, waivers (default: ./sek.toml when it exists).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    #[command(flatten)]
    pub report: ReportArgs,
}

#[derive(Debug, Args)]
pub struct NodeArgs {
    /// The node's root filesystem (e.g. /host when run in a Pod that mounts the host there).
    #[arg(long, value_name = "DIR", default_value = "/")]
    pub root: PathBuf,
    /// The kubelet configuration file (default: where the node's OS family keeps it, from
    /// /etc/os-release: AL2, AL2023 with its config.json.d drop-ins, Bottlerocket).
    #[arg(long, value_name = "FILE")]
    pub kubelet_config: Option<PathBuf>,
    /// The node's name in the report (default: /etc/hostname).
    #[arg(long, value_name = "NAME")]
    pub node_name: Option<String>,
    #[command(flatten)]
    pub report: ReportArgs,
}

/// Where and how a report is written.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Format of the report on stdout (text unless -o is given).
    #[arg(long, short = 'f', value_parser = choice::<Format>())]
    pub format: Option<Format>,
    /// Also write the report to FILE, as FORMAT (default: from the extension: .json .sarif .xml
    /// .csv .md .html .txt .asff .ocsf, and .sarif.json .junit.xml .asff.json .ocsf.json; else
    /// --format's). Repeat for several: -o sek.sarif -o html=report.html.
    #[arg(long, short = 'o', value_name = "[FORMAT=]FILE")]
    pub output: Vec<String>,
    /// Exit 1 when a check of at least this severity fails or cannot be evaluated; `none` never.
    #[arg(long, value_name = "SEVERITY", default_value = "low", value_parser = choice::<FailOn>())]
    pub fail_on: FailOn,
    /// When to colour text output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

#[derive(Debug, Args)]
pub struct ComplianceArgs {
    /// The framework and version.
    #[arg(long, value_name = "FRAMEWORK", value_parser = choice::<Framework>())]
    pub framework: Framework,
    #[command(flatten)]
    pub source: SourceArgs,
    /// Output format.
    #[arg(long, short = 'f', default_value = "text", value_parser = choice::<ComplianceFormat>())]
    pub format: ComplianceFormat,
    /// Write to FILE instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CollectArgs {
    /// EKS cluster to collect; repeat (or list several) for several clusters. Without it,
    /// --k8s-dir turns an export into a snapshot of its own.
    #[arg(long, value_name = "NAME", num_args = 1.., required_unless_present_any = ["k8s_dir", "all_clusters"], help_heading = "Estate")]
    pub cluster: Vec<String>,
    /// Collect every EKS cluster of the selected regions and accounts.
    #[arg(long, conflicts_with_all = ["cluster", "k8s_dir"], help_heading = "Estate")]
    pub all_clusters: bool,
    #[command(flatten)]
    pub aws: AwsArgs,
    #[command(flatten)]
    pub kube: KubeArgs,
    #[command(flatten)]
    pub select: SelectArgs,
    /// Write the snapshot to FILE (default: stdout).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Configuration file: its [thresholds] vuln_min_severity decides the lowest vulnerability
    /// severity read (default: ./sek.toml when it exists, else critical).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The earlier scan: a JSON report (`sek scan -f json`) or a snapshot (`sek collect`).
    #[arg(value_name = "OLD")]
    pub old: PathBuf,
    /// The later scan, likewise.
    #[arg(value_name = "NEW")]
    pub new: PathBuf,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,
    /// Write to FILE instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Configuration (skips, severities, waivers) for evaluating snapshots (default:
    /// ./sek.toml when it exists). Reports keep the results they were written with.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// Sections: worse, better, new, gone.
    Text,
    /// JSON, with a `regressions` count.
    Json,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// JSON reports (`sek scan -f json`) or snapshots (`sek collect`), one per run; a directory
    /// stands for the .json files in it.
    #[arg(value_name = "FILE", required = true, num_args = 1..)]
    pub inputs: Vec<PathBuf>,
    /// Configuration for evaluating snapshots (default: ./sek.toml when it exists).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(flatten)]
    pub report: ReportArgs,
}

#[derive(Debug, Subcommand)]
pub enum ChecksCommand {
    /// List every check with its severity and framework references, or a framework's coverage.
    List {
        /// Output format.
        #[arg(long, short = 'f', value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
        /// Show this framework's requirements and the checks that cover them instead.
        #[arg(long, value_name = "FRAMEWORK", value_parser = choice::<Framework>())]
        framework: Option<Framework>,
    },
    /// Show one check's documentation: why it matters, how to fix it, what it needs.
    Show {
        /// Check id or alias.
        id: String,
        /// `text` (default on a terminal) or `markdown` (default in a pipe: the page in
        /// docs/checks/).
        #[arg(long, short = 'f', value_enum)]
        format: Option<ShowFormat>,
    },
    /// Print what sek needs to scan: the IAM policy (JSON) for the AWS side, or with
    /// --kubernetes the read-only ClusterRole and its binding to the group `sek-readers` (YAML,
    /// ready for `kubectl apply -f -`).
    Permissions {
        /// The Kubernetes ClusterRole instead of the IAM policy.
        #[arg(long)]
        kubernetes: bool,
        /// Only what these checks need (ids, globs, areas, a framework; as `sek scan --checks`).
        #[arg(long, value_name = "NAME", num_args = 1.., value_delimiter = ',')]
        checks: Vec<String>,
    },
    /// Generate the documentation pages of every check, the index, the IAM policy and the JSON
    /// report schema.
    Docs {
        /// Directory to write into (e.g. `docs/`).
        #[arg(long, value_name = "DIR", required_unless_present = "check")]
        write: Option<PathBuf>,
        /// Only verify that DIR is up to date; exit 1 if not.
        #[arg(long, value_name = "DIR", conflicts_with = "write")]
        check: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ShowFormat {
    /// Plain text, wrapped to the terminal.
    Text,
    /// The Markdown page, as in docs/checks/.
    Markdown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    /// A table.
    Text,
    /// JSON, one object per check.
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when stdout is a terminal and NO_COLOR is unset.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_valid() {
        Cli::command().debug_assert();
    }

    #[test]
    fn seed_invocation_parses_with_equals_and_several_skips() {
        let cli = Cli::try_parse_from([
            "sek",
            "--cloud=aws",
            "--resource=eks",
            "--name=prod",
            "--skip",
            "a",
            "b",
        ])
        .unwrap();
        assert!(cli.command.is_none());
        assert_eq!(cli.seed.name.as_deref(), Some("prod"));
        assert_eq!(cli.seed.skip, ["a", "b"]);
    }

    #[test]
    fn verbosity_goes_before_or_after_the_subcommand() {
        for args in [
            ["sek", "-v", "scan", "--demo"],
            ["sek", "scan", "--demo", "-v"],
        ] {
            let cli = Cli::try_parse_from(args).unwrap();
            assert_eq!(cli.verbose, 1);
            assert!(matches!(cli.command, Some(Command::Scan(_))));
        }
    }

    #[test]
    fn seed_invocation_needs_all_three_flags() {
        assert!(Cli::try_parse_from(["sek", "--cloud=aws", "--name=prod"]).is_err());
        assert!(
            Cli::try_parse_from(["sek", "--cloud=gcp", "--resource=eks", "--name=prod"]).is_err()
        );
    }

    #[test]
    fn scan_needs_exactly_one_source() {
        assert!(Cli::try_parse_from(["sek", "scan"]).is_err());
        assert!(Cli::try_parse_from(["sek", "scan", "--demo", "--cluster", "x"]).is_err());
        let cli = Cli::try_parse_from([
            "sek",
            "scan",
            "--demo",
            "--skip",
            "node-imds",
            "node-role",
            "--fail-on",
            "high",
        ])
        .unwrap();
        let Some(Command::Scan(scan)) = cli.command else {
            panic!()
        };
        assert_eq!(scan.source.select.skip, ["node-imds", "node-role"]);
        let cli = Cli::try_parse_from([
            "sek",
            "scan",
            "--demo",
            "-o",
            "sarif=a.sarif",
            "-o",
            "b.html",
        ])
        .unwrap();
        let Some(Command::Scan(scan)) = cli.command else {
            panic!()
        };
        assert_eq!(scan.report.output, ["sarif=a.sarif", "b.html"]);
        assert_eq!(scan.report.format, None);
    }
}
