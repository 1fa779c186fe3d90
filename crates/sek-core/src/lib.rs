//! sek's engine: the inventory model (also the snapshot format), the checks, evaluation, reports
//! and configuration. Nothing here does network I/O; the `sek` crate collects and calls in.

pub mod checks;
pub mod compliance;
pub mod config;
pub mod demo;
pub mod docs;
pub mod evaluate;
pub mod inventory;
pub mod report;
#[cfg(test)]
mod unread_never_passes;

/// A value picked by name on the command line: the names and their help live here, beside the
/// values, so the CLI lists and parses them without a copy of its own.
pub trait Choice: Copy + Send + Sync + 'static {
    /// Every value, in the order `--help` lists them.
    fn every() -> Vec<Self>;
    /// The name to type.
    fn label(self) -> &'static str;
    /// One line of help.
    fn describe(self) -> &'static str;
}

/// This build's version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
