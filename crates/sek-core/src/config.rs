//! `sek.toml`: skips, severity overrides, thresholds, allow-lists and waivers.
//!
//! Parsed in two steps, as cargo-deny does: a raw serde shape that rejects unknown keys, then
//! validation that resolves check ids (aliases included), compiles resource globs, parses expiry
//! dates and range-checks thresholds. Every error carries the file, line and column it is about.
//!
//! ```toml
//! checks = ["cis-eks-1.8.0", "node-*"]  # run only these (ids, aliases, globs, areas,
//!                                  # frameworks); only what they need is read
//! skip = ["node-volumes"]          # the same names; skipped checks are not read either
//!
//! [severity]                       # per-check severity overrides
//! service-endpoint = "high"
//!
//! [thresholds]
//! imds_max_hop_limit = 1           # node-imds: highest acceptable IMDS hop limit
//! node_max_age_days = 30           # node-age: oldest acceptable node
//! vuln_min_severity = "critical"   # vuln-images, vuln-nodes, risk-*: lowest failing severity
//! image_max_age_days = 90          # image-age: oldest acceptable push of an image in use
//!
//! [allow]                          # allow-lists (empty: no restriction beyond the check's own)
//! kubernetes_versions = ["1.31"]   # service-version
//! ami_ids = []                     # node-ami
//! ami_owners = ["602401143452"]    # node-ami
//! trusted_accounts = []            # ecr-policy, access-entries-admin
//! registries = ["registry.k8s.io"] # pod-image-registry (globs; default: own ECR + EKS's)
//!
//! [kubernetes]
//! exclude_namespaces = ["sandbox-*"]  # Kubernetes objects there are not evaluated
//!
//! [[waiver]]                       # accept a known failure, with a reason
//! check = "node-imds"
//! resource = "arn:aws:ec2:*:*:instance/i-0abc*"   # glob; default "*"
//! reason = "legacy batch nodes, replaced by 2027-03"
//! expires = "2027-03-31"           # optional; an expired waiver is not applied
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::path::Path;

use globset::{Glob, GlobMatcher};
use jiff::civil::Date;
use serde::Deserialize;
use toml::Spanned;

/// Settings are the checks' own (they read them); a configuration file fills them.
pub use crate::checks::Settings;
use crate::checks::{self, Check, Severity};

/// A validated configuration.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Where it was read from, if anywhere.
    pub source: Option<String>,
    /// The checks to run, when the file narrows them (`checks = [...]`); `--checks` overrides.
    pub checks: Option<Vec<&'static Check>>,
    /// Checks turned off.
    pub skip: Vec<&'static Check>,
    /// Severity overrides by check id.
    pub severity: BTreeMap<&'static str, Severity>,
    /// Settings.
    pub settings: Settings,
    /// Accepted failures.
    pub waivers: Vec<Waiver>,
}

/// An accepted failure: findings of `check` on resources matching `resource` become `waived`.
#[derive(Debug, Clone)]
pub struct Waiver {
    /// The check it covers.
    pub check: &'static Check,
    /// The resource glob, as written.
    pub resource: String,
    matcher: GlobMatcher,
    /// Why the failure is accepted.
    pub reason: String,
    /// The last day it applies.
    pub expires: Option<Date>,
    /// Where it is written, for warnings (`sek.toml:12`).
    pub location: String,
}

impl Waiver {
    /// Build a waiver (`resource` is a glob where `*` also crosses `/` and `:`).
    pub fn new(
        check: &'static Check,
        resource: &str,
        reason: &str,
        expires: Option<Date>,
        location: &str,
    ) -> Result<Waiver, String> {
        let matcher = Glob::new(resource)
            .map_err(|e| format!("invalid resource glob `{resource}`: {e}"))?
            .compile_matcher();
        Ok(Waiver {
            check,
            resource: resource.to_string(),
            matcher,
            reason: reason.to_string(),
            expires,
            location: location.to_string(),
        })
    }

    /// Whether it covers `resource` of `check`.
    pub fn covers(&self, check: &Check, resource: &str) -> bool {
        self.check.id == check.id && self.matcher.is_match(resource)
    }

    /// Whether it has expired on `today` (it applies through its expiry date).
    pub fn expired(&self, today: Date) -> bool {
        self.expires.is_some_and(|last_day| today > last_day)
    }
}

/// An invalid configuration, located in its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The file.
    pub source: String,
    /// 1-based line and column, when known.
    pub position: Option<(usize, usize)>,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position {
            Some((line, column)) => write!(f, "{}:{line}:{column}: {}", self.source, self.message),
            None => write!(f, "{}: {}", self.source, self.message),
        }
    }
}

impl std::error::Error for ConfigError {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    checks: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    skip: Vec<Spanned<String>>,
    #[serde(default)]
    severity: BTreeMap<Spanned<String>, Spanned<String>>,
    #[serde(default)]
    thresholds: RawThresholds,
    #[serde(default)]
    allow: RawAllow,
    #[serde(default)]
    kubernetes: RawKubernetes,
    #[serde(default, rename = "waiver")]
    waivers: Vec<RawWaiver>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWaiver {
    check: Spanned<String>,
    resource: Option<Spanned<String>>,
    reason: Spanned<String>,
    expires: Option<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawAllow {
    #[serde(default)]
    kubernetes_versions: Vec<Spanned<String>>,
    #[serde(default)]
    ami_ids: Vec<Spanned<String>>,
    #[serde(default)]
    ami_owners: Vec<Spanned<String>>,
    #[serde(default)]
    trusted_accounts: Vec<Spanned<String>>,
    #[serde(default)]
    registries: Vec<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawKubernetes {
    #[serde(default)]
    exclude_namespaces: Vec<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawThresholds {
    imds_max_hop_limit: Option<Spanned<i64>>,
    node_max_age_days: Option<Spanned<i64>>,
    vuln_min_severity: Option<Spanned<String>>,
    image_max_age_days: Option<Spanned<i64>>,
}

fn is_account_id(value: &str) -> bool {
    value.len() == 12 && value.bytes().all(|b| b.is_ascii_digit())
}

/// The values of an allow-list, each checked by `valid`, or an error at the first bad one.
fn validated(
    values: &[Spanned<String>],
    error_at: &dyn Fn(Option<Range<usize>>, String) -> ConfigError,
    expected: &str,
    valid: impl Fn(&str) -> bool,
) -> Result<Vec<String>, ConfigError> {
    values
        .iter()
        .map(|value| {
            if valid(value.get_ref()) {
                Ok(value.get_ref().clone())
            } else {
                Err(error_at(
                    Some(value.span()),
                    format!("`{}` is not {expected}", value.get_ref()),
                ))
            }
        })
        .collect()
}

/// 1-based line and column of byte `offset` in `text`.
fn position(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rfind('\n')
        .map_or(before.len(), |nl| before.len() - nl - 1)
        + 1;
    (line, column)
}

/// Resolve a check id or alias, or explain what was meant.
pub fn resolve_check(name: &str) -> Result<&'static Check, String> {
    checks::find(name).ok_or_else(|| match checks::closest_id(name) {
        Some(close) => format!(
            "unknown check id `{name}`; did you mean `{close}`? (`sek checks list` shows every id)"
        ),
        None => format!("unknown check id `{name}` (`sek checks list` shows every id)"),
    })
}

impl Config {
    /// Parse `text`; `source` names it in errors.
    pub fn parse(text: &str, source: &str) -> Result<Config, ConfigError> {
        let error_at = |span: Option<Range<usize>>, message: String| ConfigError {
            source: source.to_string(),
            position: span.map(|s| position(text, s.start)),
            message,
        };
        let raw: RawConfig =
            toml::from_str(text).map_err(|e| error_at(e.span(), e.message().to_string()))?;

        let mut config = Config {
            source: Some(source.to_string()),
            ..Config::default()
        };
        if let Some(names) = &raw.checks {
            let mut chosen = Vec::new();
            for name in names {
                let checks = checks::select_one(name.get_ref())
                    .map_err(|m| error_at(Some(name.span()), m))?;
                chosen.extend(checks);
            }
            config.checks = Some(checks::in_report_order(chosen));
        }
        for name in &raw.skip {
            let checks =
                checks::select_one(name.get_ref()).map_err(|m| error_at(Some(name.span()), m))?;
            config.skip.extend(checks);
        }
        for (name, level) in &raw.severity {
            let check =
                resolve_check(name.get_ref()).map_err(|m| error_at(Some(name.span()), m))?;
            let severity = Severity::parse(level.get_ref()).ok_or_else(|| {
                error_at(
                    Some(level.span()),
                    format!(
                        "unknown severity `{}`; use critical, high, medium, low or info",
                        level.get_ref()
                    ),
                )
            })?;
            config.severity.insert(check.id, severity);
        }
        if let Some(hops) = &raw.thresholds.imds_max_hop_limit {
            let value = *hops.get_ref();
            if !(1..=64).contains(&value) {
                return Err(error_at(
                    Some(hops.span()),
                    format!(
                        "imds_max_hop_limit must be between 1 and 64 (EC2's range), not {value}"
                    ),
                ));
            }
            config.settings.imds_max_hop_limit = value as i32;
        }
        if let Some(days) = &raw.thresholds.node_max_age_days {
            let value = *days.get_ref();
            if !(1..=3650).contains(&value) {
                return Err(error_at(
                    Some(days.span()),
                    format!("node_max_age_days must be between 1 and 3650, not {value}"),
                ));
            }
            config.settings.node_max_age_days = value as u32;
        }
        if let Some(days) = &raw.thresholds.image_max_age_days {
            let value = *days.get_ref();
            if !(1..=3650).contains(&value) {
                return Err(error_at(
                    Some(days.span()),
                    format!("image_max_age_days must be between 1 and 3650, not {value}"),
                ));
            }
            config.settings.image_max_age_days = value as u32;
        }
        if let Some(severity) = &raw.thresholds.vuln_min_severity {
            let name = severity.get_ref();
            config.settings.vuln_min_severity = match Severity::parse(name) {
                Some(Severity::Info) | None => {
                    return Err(error_at(
                        Some(severity.span()),
                        format!(
                            "vuln_min_severity must be one of critical, high, medium, low; not `{name}`"
                        ),
                    ));
                }
                Some(severity) => severity,
            };
        }
        let allow = &raw.allow;
        config.settings.kubernetes_versions = validated(
            &allow.kubernetes_versions,
            &error_at,
            "a Kubernetes minor version like 1.31",
            |v| {
                v.split_once('.').is_some_and(|(major, minor)| {
                    major.parse::<u8>().is_ok() && minor.parse::<u8>().is_ok()
                })
            },
        )?;
        config.settings.ami_ids =
            validated(&allow.ami_ids, &error_at, "an AMI id like ami-0abc", |v| {
                v.starts_with("ami-")
            })?;
        config.settings.ami_owners = validated(
            &allow.ami_owners,
            &error_at,
            "a 12-digit account id or `amazon`",
            |v| v == "amazon" || is_account_id(v),
        )?;
        config.settings.trusted_accounts = validated(
            &allow.trusted_accounts,
            &error_at,
            "a 12-digit account id",
            is_account_id,
        )?;
        let is_glob = |v: &str| !v.is_empty() && Glob::new(v).is_ok();
        config.settings.registries = validated(
            &allow.registries,
            &error_at,
            "a registry host or glob like 123456789012.dkr.ecr.*.amazonaws.com",
            |v| is_glob(v) && !v.contains("://"),
        )?;
        config.settings.excluded_namespaces = validated(
            &raw.kubernetes.exclude_namespaces,
            &error_at,
            "a namespace name or glob like sandbox-*",
            is_glob,
        )?;
        for raw in &raw.waivers {
            let check = resolve_check(raw.check.get_ref())
                .map_err(|m| error_at(Some(raw.check.span()), m))?;
            if raw.reason.get_ref().trim().is_empty() {
                return Err(error_at(
                    Some(raw.reason.span()),
                    "a waiver needs a reason".into(),
                ));
            }
            let expires = match &raw.expires {
                Some(date) => Some(date.get_ref().parse::<Date>().map_err(|_| {
                    error_at(
                        Some(date.span()),
                        format!(
                            "expires must be a date like 2027-03-31, not `{}`",
                            date.get_ref()
                        ),
                    )
                })?),
                None => None,
            };
            let (resource, span) = match &raw.resource {
                Some(r) => (r.get_ref().as_str(), r.span()),
                None => ("*", raw.check.span()),
            };
            let (line, _) = position(text, raw.check.span().start);
            let waiver = Waiver::new(
                check,
                resource,
                raw.reason.get_ref(),
                expires,
                &format!("{source}:{line}"),
            )
            .map_err(|m| error_at(Some(span), m))?;
            config.waivers.push(waiver);
        }
        Ok(config)
    }

    /// Read and parse a file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let source = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            source: source.clone(),
            position: None,
            message: format!("cannot read: {e}"),
        })?;
        Config::parse(&text, &source)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_section_and_resolves_aliases() {
        let config = Config::parse(
            "skip = [\"service-security-groups\"]\n[severity]\nnode-volumes = \"high\"\n[thresholds]\nimds_max_hop_limit = 2\n",
            "sek.toml",
        )
        .unwrap();
        assert_eq!(
            config.skip.iter().map(|c| c.id).collect::<Vec<_>>(),
            ["service-sgs"]
        );
        assert_eq!(config.severity["node-volumes"], Severity::High);
        assert_eq!(config.settings.imds_max_hop_limit, 2);
    }

    #[test]
    fn checks_and_skip_take_globs_areas_and_frameworks() {
        let config = Config::parse(
            "checks = [\"node-*\", \"rbac\"]\nskip = [\"node-r*\"]\n",
            "sek.toml",
        )
        .unwrap();
        let chosen = config.checks.unwrap();
        assert!(chosen.iter().any(|c| c.id == "node-imds"));
        assert!(chosen.iter().any(|c| c.id == "rbac-wildcards"));
        assert!(!chosen.iter().any(|c| c.id.starts_with("pod-")));
        assert_eq!(
            config.skip.iter().map(|c| c.id).collect::<Vec<_>>(),
            ["node-role"]
        );
        let err = Config::parse("checks = [\"cis-eks-9\"]\n", "sek.toml").unwrap_err();
        assert_eq!(err.position, Some((1, 11)));
        assert!(
            err.message.contains("unknown check, area or framework"),
            "{}",
            err.message
        );
    }

    #[test]
    fn empty_file_gives_defaults() {
        let config = Config::parse("", "sek.toml").unwrap();
        assert!(config.skip.is_empty());
        assert_eq!(config.settings, Settings::default());
    }

    #[test]
    fn unknown_check_id_points_at_the_line_and_suggests() {
        let err = Config::parse("# comment\nskip = [\"node-imsd\"]\n", "sek.toml").unwrap_err();
        assert_eq!(err.position, Some((2, 9)));
        assert_eq!(
            err.to_string(),
            "sek.toml:2:9: unknown check, area or framework `node-imsd`; did you mean `node-imds`? (`sek checks list` shows every id)"
        );
    }

    #[test]
    fn unknown_key_is_an_error_with_position() {
        let err = Config::parse("[thresholds]\nimds_hop = 1\n", "sek.toml").unwrap_err();
        assert_eq!(err.position, Some((2, 1)));
        assert!(
            err.message.contains("unknown field `imds_hop`"),
            "{}",
            err.message
        );
    }

    #[test]
    fn waivers_resolve_aliases_compile_globs_and_parse_dates() {
        let config = Config::parse(
            "[[waiver]]\ncheck = \"service-security-groups\"\nresource = \"arn:aws:ec2:*:security-group/sg-1*\"\nreason = \"bastion\"\nexpires = \"2027-03-31\"\n\n[[waiver]]\ncheck = \"node-role\"\nreason = \"all\"\n",
            "sek.toml",
        )
        .unwrap();
        let [sgs, role] = config.waivers.as_slice() else {
            panic!()
        };
        assert_eq!(sgs.check.id, "service-sgs");
        assert!(sgs.covers(sgs.check, "arn:aws:ec2:eu-west-1:1:security-group/sg-123"));
        assert!(!sgs.covers(sgs.check, "arn:aws:ec2:eu-west-1:1:security-group/sg-999"));
        assert!(!sgs.covers(role.check, "arn:aws:ec2:eu-west-1:1:security-group/sg-123"));
        assert_eq!(sgs.location, "sek.toml:2");
        assert!(!sgs.expired("2027-03-31".parse().unwrap()));
        assert!(sgs.expired("2027-04-01".parse().unwrap()));
        assert!(role.covers(role.check, "anything at all"));
        assert_eq!(role.expires, None);
    }

    #[test]
    fn waiver_errors_point_at_the_field() {
        let err = Config::parse("[[waiver]]\ncheck = \"node-role\"\n", "c.toml").unwrap_err();
        assert!(err.message.contains("missing field `reason`"), "{err}");
        let err = Config::parse(
            "[[waiver]]\ncheck = \"node-role\"\nreason = \" \"\n",
            "c.toml",
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "c.toml:3:10: a waiver needs a reason");
        let err = Config::parse(
            "[[waiver]]\ncheck = \"node-role\"\nreason = \"r\"\nexpires = \"next week\"\n",
            "c.toml",
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "c.toml:4:11: expires must be a date like 2027-03-31, not `next week`"
        );
        let err = Config::parse(
            "[[waiver]]\ncheck = \"node-rol\"\nreason = \"r\"\n",
            "c.toml",
        )
        .unwrap_err();
        assert!(err.message.contains("did you mean `node-role`"));
        let err = Config::parse(
            "[[waiver]]\ncheck = \"node-role\"\nreason = \"r\"\nresource = \"[\"\n",
            "c.toml",
        )
        .unwrap_err();
        assert!(err.message.contains("invalid resource glob"), "{err}");
        let err = Config::parse("[[waivers]]\ncheck = \"node-role\"\n", "c.toml").unwrap_err();
        assert!(err.message.contains("unknown field `waivers`"), "{err}");
    }

    #[test]
    fn allow_lists_and_thresholds_are_validated() {
        let config = Config::parse(
            "[thresholds]\nnode_max_age_days = 14\n[allow]\nkubernetes_versions = [\"1.31\", \"1.32\"]\nami_owners = [\"amazon\", \"602401143452\"]\ntrusted_accounts = [\"111122223333\"]\n",
            "sek.toml",
        )
        .unwrap();
        assert_eq!(config.settings.node_max_age_days, 14);
        assert_eq!(config.settings.vuln_min_severity, Severity::Critical);
        assert_eq!(config.settings.image_max_age_days, 90);
        assert_eq!(config.settings.kubernetes_versions, ["1.31", "1.32"]);
        assert_eq!(config.settings.ami_owners, ["amazon", "602401143452"]);
        assert_eq!(config.settings.trusted_accounts, ["111122223333"]);
        let vulns = Config::parse(
            "[thresholds]\nvuln_min_severity = \"high\"\nimage_max_age_days = 30\n",
            "sek.toml",
        )
        .unwrap();
        assert_eq!(vulns.settings.vuln_min_severity, Severity::High);
        assert_eq!(vulns.settings.image_max_age_days, 30);
        let err = Config::parse("[thresholds]\nvuln_min_severity = \"severe\"\n", "sek.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("critical, high, medium, low"), "{err}");
        let err = Config::parse(
            "[allow]\nkubernetes_versions = [\"1.31\", \"latest\"]\n",
            "c.toml",
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "c.toml:2:32: `latest` is not a Kubernetes minor version like 1.31"
        );
        let err = Config::parse("[allow]\ntrusted_accounts = [\"12345\"]\n", "c.toml").unwrap_err();
        assert!(err.message.contains("is not a 12-digit account id"));
        let config = Config::parse(
            "[allow]\nregistries = [\"registry.k8s.io\", \"*.dkr.ecr.*.amazonaws.com/team/*\"]\n[kubernetes]\nexclude_namespaces = [\"sandbox-*\"]\n",
            "c.toml",
        )
        .unwrap();
        assert_eq!(config.settings.registries.len(), 2);
        assert_eq!(config.settings.excluded_namespaces, ["sandbox-*"]);
        let err =
            Config::parse("[allow]\nregistries = [\"https://quay.io\"]\n", "c.toml").unwrap_err();
        assert!(
            err.message.contains("is not a registry host"),
            "{}",
            err.message
        );
        let err = Config::parse("[kubernetes]\nnamespaces = []\n", "c.toml").unwrap_err();
        assert!(
            err.message.contains("unknown field `namespaces`"),
            "{}",
            err.message
        );
    }

    #[test]
    fn bad_values_are_errors() {
        let err = Config::parse("[thresholds]\nimds_max_hop_limit = 0\n", "c.toml").unwrap_err();
        assert!(err.message.contains("between 1 and 64"));
        let err = Config::parse("[severity]\nnode-role = \"urgent\"\n", "c.toml").unwrap_err();
        assert!(err.message.contains("unknown severity `urgent`"));
        let err = Config::parse("skip = \"node-role\"\n", "c.toml").unwrap_err();
        assert_eq!(err.position.map(|p| p.0), Some(1));
    }
}
