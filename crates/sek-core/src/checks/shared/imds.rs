//! Whether a pod can reach the instance metadata service, and with it the node role's
//! credentials: shared by `pod-imds-access` and the risk paths.
//!
//! A pod reaches IMDS when it uses the node's network, or when a node lets containers through
//! (IMDSv1 allowed, or an IMDSv2 hop limit above 1) and no NetworkPolicy of the pod's namespace
//! blocks egress to 169.254.169.254.

use std::net::Ipv4Addr;

use ipnet::Ipv4Net;
use serde_json::Value;

use super::network_policy::{governs_egress, selects_every_pod};
use crate::checks::Ctx;
use crate::inventory::Missing;
use crate::inventory::k8s::NetworkPolicy;

const IMDS: Ipv4Addr = Ipv4Addr::new(169, 254, 169, 254);

/// Whether an egress rule lets traffic to IMDS through.
pub(crate) fn rule_allows_imds(rule: &Value) -> bool {
    let peers = rule.get("to").and_then(Value::as_array);
    let Some(peers) = peers.filter(|p| !p.is_empty()) else {
        return true; // no `to`: every destination
    };
    peers.iter().any(|peer| {
        let Some(block) = peer.get("ipBlock") else {
            return false; // pod and namespace selectors never match IMDS
        };
        let contains = |cidr: &Value| {
            cidr.as_str()
                .and_then(|c| c.parse::<Ipv4Net>().ok())
                .is_some_and(|net| net.contains(&IMDS))
        };
        block.get("cidr").is_some_and(contains)
            && !block
                .get("except")
                .and_then(Value::as_array)
                .is_some_and(|except| except.iter().any(contains))
    })
}

/// Whether a policy keeps every pod of its namespace from IMDS: it selects all pods, restricts
/// egress, and none of its egress rules allows 169.254.169.254. (Policies add up, so one such
/// policy is not enough if another allows IMDS; see [`namespace_blocks_imds`].)
fn selects_all_and_restricts_egress(policy: &NetworkPolicy) -> bool {
    selects_every_pod(policy) && governs_egress(policy)
}

/// Whether the namespace's policies keep its pods from IMDS: one policy restricts egress for
/// every pod, and no policy's egress rule allows IMDS.
pub(crate) fn namespace_blocks_imds(policies: &[&NetworkPolicy]) -> bool {
    policies.iter().any(|p| selects_all_and_restricts_egress(p))
        && !policies
            .iter()
            .flat_map(|p| p.spec.egress.iter())
            .any(rule_allows_imds)
}

/// The nodes that let containers reach IMDS (IMDSv1 allowed, or an IMDSv2 hop limit above 1,
/// endpoint not disabled), or why the nodes are not all known (one not found could be open).
pub(crate) fn open_nodes<'a>(ctx: &Ctx<'a>) -> Result<Vec<&'a str>, Missing> {
    let nodes = ctx.inventory.instances()?.all("the nodes")?;
    Ok(nodes
        .iter()
        .filter(|node| {
            let options = node.metadata_options.as_ref();
            options.and_then(|o| o.http_endpoint.as_deref()) != Some("disabled")
                && (options.and_then(|o| o.http_tokens.as_deref()) != Some("required")
                    || options
                        .and_then(|o| o.http_put_response_hop_limit)
                        .unwrap_or(2)
                        > 1)
        })
        .map(|node| node.id.as_str())
        .collect())
}
