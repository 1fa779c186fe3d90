//! `sek.toml`: skips, severity overrides and thresholds.
//!
//! Parsed in two steps, as cargo-deny does: a raw serde shape that rejects unknown keys, then
//! validation that resolves check ids (aliases included) and range-checks thresholds. Every
//! error carries the file, line and column it is about.
//!
//! ```toml
//! skip = ["node-volumes"]          # check ids or aliases
//!
//! [severity]                       # per-check severity overrides
//! service-endpoint = "high"
//!
//! [thresholds]
//! imds_max_hop_limit = 1           # node-imds: highest acceptable IMDS hop limit
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use crate::checks::{self, Check, Severity};

/// Thresholds checks read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thresholds {
    /// `node-imds`: the highest acceptable IMDS PUT response hop limit (1..=64, default 1).
    pub imds_max_hop_limit: i32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            imds_max_hop_limit: 1,
        }
    }
}

/// A validated configuration.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Where it was read from, if anywhere.
    pub source: Option<String>,
    /// Checks turned off.
    pub skip: Vec<&'static Check>,
    /// Severity overrides by check id.
    pub severity: BTreeMap<&'static str, Severity>,
    /// Thresholds.
    pub thresholds: Thresholds,
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
    skip: Vec<Spanned<String>>,
    #[serde(default)]
    severity: BTreeMap<Spanned<String>, Spanned<String>>,
    #[serde(default)]
    thresholds: RawThresholds,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawThresholds {
    imds_max_hop_limit: Option<Spanned<i64>>,
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
        for name in &raw.skip {
            let check =
                resolve_check(name.get_ref()).map_err(|m| error_at(Some(name.span()), m))?;
            config.skip.push(check);
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
            config.thresholds.imds_max_hop_limit = value as i32;
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
        assert_eq!(config.thresholds.imds_max_hop_limit, 2);
    }

    #[test]
    fn empty_file_gives_defaults() {
        let config = Config::parse("", "sek.toml").unwrap();
        assert!(config.skip.is_empty());
        assert_eq!(config.thresholds, Thresholds::default());
    }

    #[test]
    fn unknown_check_id_points_at_the_line_and_suggests() {
        let err = Config::parse("# comment\nskip = [\"node-imsd\"]\n", "sek.toml").unwrap_err();
        assert_eq!(err.position, Some((2, 9)));
        assert_eq!(
            err.to_string(),
            "sek.toml:2:9: unknown check id `node-imsd`; did you mean `node-imds`? (`sek checks list` shows every id)"
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
    fn bad_values_are_errors() {
        let err = Config::parse("[thresholds]\nimds_max_hop_limit = 0\n", "c.toml").unwrap_err();
        assert!(err.message.contains("between 1 and 64"));
        let err = Config::parse("[severity]\nnode-role = \"urgent\"\n", "c.toml").unwrap_err();
        assert!(err.message.contains("unknown severity `urgent`"));
        let err = Config::parse("skip = \"node-role\"\n", "c.toml").unwrap_err();
        assert_eq!(err.position.map(|p| p.0), Some(1));
    }
}
