//! Checks: one file per check under `<area>/`, each a static [`Check`] holding its metadata and
//! its pure evaluation function. [`ALL`] is the registry: evaluation, `sek checks list`,
//! `sek checks show`, the generated docs and the permission list all read it.

pub mod access;
mod check;
pub mod cluster;
mod context;
pub mod detect;
pub mod ecr;
pub mod frameworks;
pub mod iam;
pub mod image;
pub mod kube_proxy;
pub mod kubelet;
pub mod net;
pub mod node;
pub mod ns;
pub mod pod;
pub mod rbac;
mod read_plan;
mod registry;
pub mod risk;
pub mod sa;
mod select;
pub mod service;
mod settings;
mod shared;
pub mod storage;
pub mod svc;
#[cfg(test)]
pub(crate) mod testkit;
mod verdict;
pub mod vuln;

pub use self::check::*;
pub use self::context::*;
pub use self::read_plan::*;
pub use self::registry::*;
pub use self::select::{in_report_order, select, select_one};
pub use self::verdict::*;
pub use frameworks::{Framework, Ref};
pub use settings::Settings;
