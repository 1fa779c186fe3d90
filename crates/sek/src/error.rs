//! Errors at the binary's edge: each maps to an exit status and carries a "help:" line.

use std::io;

use sek_core::config::ConfigError;

use crate::collect::ScanError;

/// Exit status: bad usage, configuration or input.
pub const EXIT_USAGE: u8 = 2;
/// Exit status: the scan could not run.
pub const EXIT_SCAN: u8 = 3;

/// An error that ends the command.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// A flag value that makes no sense (unknown check id...).
    #[error("{message}")]
    Usage {
        /// What is wrong.
        message: String,
    },
    /// An invalid configuration file.
    #[error("invalid configuration: {0}")]
    Config(#[from] ConfigError),
    /// A snapshot that cannot be read or parsed.
    #[error("cannot read snapshot {path}: {reason}")]
    Snapshot {
        /// The file.
        path: String,
        /// What went wrong.
        reason: String,
    },
    /// A report or snapshot given to `sek diff` or `sek merge` that cannot be read.
    #[error("cannot read {path}: {reason}")]
    Input {
        /// The file.
        path: String,
        /// What went wrong.
        reason: String,
    },
    /// An output that cannot be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file.
        path: String,
        /// The I/O error.
        source: io::Error,
    },
    /// The scan could not start.
    #[error(transparent)]
    Scan(#[from] ScanError),
}

impl CliError {
    /// The process exit status for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Scan(_) => EXIT_SCAN,
            _ => EXIT_USAGE,
        }
    }

    /// What to do about it.
    pub fn help(&self) -> Option<String> {
        match self {
            CliError::Usage { .. } => None,
            CliError::Config(_) => Some(
                "see the configuration section of the README; `sek checks list` shows check ids"
                    .into(),
            ),
            CliError::Snapshot { .. } => {
                Some("snapshots are written by `sek collect --cluster NAME -o FILE`".into())
            }
            CliError::Input { .. } => Some(
                "give JSON reports (`sek scan -f json -o FILE`) or snapshots (`sek collect -o FILE`)"
                    .into(),
            ),
            CliError::Write { .. } => None,
            CliError::Scan(scan) => Some(scan.help()),
        }
    }
}
