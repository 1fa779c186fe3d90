//! The cluster's network beyond single nodes: what private nodes need to work without the
//! Internet.

pub mod vpc_endpoints;
