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

/// This build's version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
