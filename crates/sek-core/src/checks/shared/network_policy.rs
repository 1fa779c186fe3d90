//! What a NetworkPolicy does, by the Kubernetes semantics: which pods it selects, which
//! directions it governs, and how far a rule opens them. Policies add up: a pod selected by any
//! policy for a direction is isolated in that direction, and allowed what any of their rules allow.

use serde_json::Value;

use super::net::is_open_to_world;
use crate::inventory::k8s::NetworkPolicy;

/// Whether `policy` selects every pod of its namespace: `podSelector: {}` (or only empty
/// `matchLabels`/`matchExpressions`).
pub(crate) fn selects_every_pod(policy: &NetworkPolicy) -> bool {
    policy.spec.pod_selector.as_object().is_none_or(|selector| {
        selector.values().all(|v| {
            v.as_object().is_some_and(|o| o.is_empty())
                || v.as_array().is_some_and(|a| a.is_empty())
        })
    })
}

/// Whether `policy` governs ingress: `policyTypes` lists `Ingress`, or is absent (Kubernetes then
/// assumes `Ingress`).
pub(crate) fn governs_ingress(policy: &NetworkPolicy) -> bool {
    let types = &policy.spec.policy_types;
    types.is_empty() || types.iter().any(|t| t == "Ingress")
}

/// Whether `policy` governs egress: `policyTypes` lists `Egress`, or is absent and the policy
/// has egress rules.
pub(crate) fn governs_egress(policy: &NetworkPolicy) -> bool {
    let types = &policy.spec.policy_types;
    types.iter().any(|t| t == "Egress") || (types.is_empty() && !policy.spec.egress.is_empty())
}

/// How far one ingress or egress rule opens the pods it applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Reach {
    /// Some peers or some ports only.
    Narrow,
    /// Every pod of every namespace (`namespaceSelector: {}`), on every port: the whole cluster,
    /// which is where lateral movement comes from, though not the Internet.
    WholeCluster,
    /// Every peer on every port: no `from`/`to` (or an empty list), or `0.0.0.0/0` with no
    /// exception.
    Everything,
}

/// How far `rule` opens its pods; `peers` is `from` for ingress, `to` for egress.
pub(crate) fn reach(rule: &Value, peers: &str) -> Reach {
    let limited_ports = rule
        .get("ports")
        .and_then(Value::as_array)
        .is_some_and(|ports| !ports.is_empty());
    if limited_ports {
        return Reach::Narrow;
    }
    let Some(peers) = rule
        .get(peers)
        .and_then(Value::as_array)
        .filter(|p| !p.is_empty())
    else {
        return Reach::Everything;
    };
    peers.iter().map(peer_reach).max().unwrap_or(Reach::Narrow)
}

fn peer_reach(peer: &Value) -> Reach {
    if let Some(block) = peer.get("ipBlock") {
        let everywhere = block
            .get("cidr")
            .and_then(Value::as_str)
            .is_some_and(is_open_to_world);
        let excepted = block
            .get("except")
            .and_then(Value::as_array)
            .is_some_and(|except| !except.is_empty());
        return if everywhere && !excepted {
            Reach::Everything
        } else {
            Reach::Narrow
        };
    }
    let empty = |key: &str| {
        peer.get(key)
            .is_some_and(|v| v.as_object().is_some_and(|o| o.is_empty()))
    };
    // All namespaces, and (if given) all their pods.
    if empty("namespaceSelector") && (peer.get("podSelector").is_none() || empty("podSelector")) {
        Reach::WholeCluster
    } else {
        Reach::Narrow
    }
}

/// The widest reach of `policy`'s ingress rules (`None`: no rule, nothing let in).
pub(crate) fn widest_ingress(policy: &NetworkPolicy) -> Option<Reach> {
    policy
        .spec
        .ingress
        .iter()
        .map(|rule| reach(rule, "from"))
        .max()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn rules_open_as_far_as_kubernetes_says() {
        let cases = [
            (json!({}), Reach::Everything),
            (json!({"from": []}), Reach::Everything),
            (
                json!({"from": [{"ipBlock": {"cidr": "0.0.0.0/0"}}]}),
                Reach::Everything,
            ),
            (
                json!({"from": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": ["10.0.0.0/8"]}}]}),
                Reach::Narrow,
            ),
            (
                json!({"from": [{"namespaceSelector": {}}]}),
                Reach::WholeCluster,
            ),
            (
                json!({"from": [{"namespaceSelector": {}, "podSelector": {}}]}),
                Reach::WholeCluster,
            ),
            (
                json!({"from": [{"namespaceSelector": {}, "podSelector": {"matchLabels": {"app": "lb"}}}]}),
                Reach::Narrow,
            ),
            (json!({"from": [{"podSelector": {}}]}), Reach::Narrow),
            (json!({"ports": [{"port": 443}]}), Reach::Narrow),
        ];
        for (rule, expected) in cases {
            assert_eq!(reach(&rule, "from"), expected, "{rule}");
        }
    }
}
