//! Helpers shared by several checks, so no two checks decide the same question differently.

pub mod iam_policy;
pub mod net;
pub mod security_groups;
