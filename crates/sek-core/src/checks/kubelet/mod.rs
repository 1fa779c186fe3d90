//! Each node's kubelet, judged from the configuration it actually runs with (read through the
//! API server's `nodes/<name>/proxy/configz`, or on the node by `sek node`), defaults applied
//! (CIS EKS section 3, without a privileged agent).

pub mod anonymous_auth;
pub mod authz_mode;
pub mod client_ca;
pub mod event_qps;
pub mod files;
pub mod hostname_override;
pub mod iptables_chains;
pub mod pod_pids_limit;
pub mod protect_kernel_defaults;
pub mod read_only_port;
pub mod rotate_certs;
pub mod seccomp_default;
pub mod server_cert_rotation;
pub mod streaming_timeout;
pub mod tls_ciphers;

use serde_json::{Value, json};

use crate::checks::shared::k8s::kubernetes;
use crate::checks::{Ctx, Evaluation, Finding, Status};
use crate::inventory::ResourceRef;
use crate::inventory::k8s::resources::{NODE_CONFIGZ, NODES};
use crate::inventory::k8s::{Effective, Node};
use crate::inventory::{ErrorKind, Need};

/// The reads every kubelet check needs.
pub(crate) const KUBELET_READS: &[Need] = &[Need::Kubernetes(&NODES), Need::KubeletConfig];

/// How a kubelet setting is judged: the status, a sentence, and the evidence.
pub(crate) type Verdict = (Status, String, Value);

/// `k8s:Node//<name>`.
pub(crate) fn node_resource(node: &Node) -> String {
    ResourceRef::cluster_scoped("Node", &node.name).into()
}

/// Judge every node: `decide` sees the node and (when read) its kubelet's effective settings.
pub(crate) fn judge_nodes(
    ctx: &Ctx<'_>,
    decide: impl Fn(&Node, Option<&Effective>) -> Option<Verdict>,
) -> Evaluation {
    let nodes = kubernetes(ctx)?.inventory.nodes()?;
    if nodes.is_empty() {
        return Ok(vec![Finding::not_applicable(
            ctx.inventory.arn(),
            "the cluster has no nodes (Fargate only?)",
        )]);
    }
    Ok(nodes
        .iter()
        .filter_map(|node| {
            let effective = node.kubelet.got().map(|k| k.effective());
            let (status, message, evidence) = decide(node, effective.as_ref())?;
            Some(Finding::new(status, node_resource(node), message).with_evidence(evidence))
        })
        .collect())
}

/// Judge one kubelet setting on every node; a node whose configuration could not be read is
/// an `error` saying why and how to allow the read.
pub(crate) fn judge_kubelets(ctx: &Ctx<'_>, decide: impl Fn(&Effective) -> Verdict) -> Evaluation {
    judge_nodes(ctx, |node, effective| {
        Some(match effective {
            Some(effective) => decide(effective),
            None => unread_kubelet(node),
        })
    })
}

/// The `error` verdict for a kubelet whose configuration was not read.
pub(crate) fn unread_kubelet(node: &Node) -> Verdict {
    let failure = node.kubelet.failure();
    let message = match failure {
        Some(err) if err.kind == ErrorKind::AccessDenied => format!(
            "the kubelet's configuration could not be read: {}; grant `get` on `nodes/proxy` to sek's identity \
(docs/kubernetes-clusterrole.yaml), or run `sek node` on the node",
            err.message
        ),
        Some(err) => format!(
            "the kubelet's configuration could not be read: {} ({})",
            err.message,
            err.kind.label()
        ),
        None => "the kubelet's configuration was not read (a snapshot without it, or an export); scan live \
or run `sek node` on the node"
            .to_string(),
    };
    let evidence = match failure {
        Some(err) => json!({ "api": NODE_CONFIGZ, "error": err.kind }),
        None => json!({ "api": NODE_CONFIGZ }),
    };
    (Status::Error, message, evidence)
}

/// A pass/fail verdict on one setting.
pub(crate) fn verdict<T: serde::Serialize>(
    ok: bool,
    name: &str,
    setting: &crate::inventory::k8s::Setting<T>,
    pass: &str,
    fail: &str,
) -> Verdict {
    let source = if setting.default {
        " (kubelet default)"
    } else {
        ""
    };
    let value = serde_json::to_string(&setting.value).unwrap_or_default();
    let message = if ok {
        format!("{name} is {value}{source}: {pass}")
    } else {
        format!("{name} is {value}{source}: {fail}")
    };
    let status = if ok { Status::Pass } else { Status::Fail };
    (status, message, json!({ name: setting.evidence() }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::k8s::*;
    use crate::checks::testkit::kubelet::*;
    use crate::checks::testkit::*;
    use crate::inventory::CollectError;

    #[test]
    fn a_denied_proxy_read_is_an_error_for_that_node_only_saying_how_to_grant_it() {
        let mut inv = with_nodes();
        let node = &mut inv.kubernetes.got_mut().unwrap().nodes.got_mut().unwrap()[1];
        node.kubelet = Read::Failed(CollectError::new(
            NODE_CONFIGZ,
            vec![node.name.clone()],
            ErrorKind::AccessDenied,
            "403 Forbidden: nodes \"x\" is forbidden",
        ));
        let findings = run(&anonymous_auth::CHECK, &inv);
        assert_eq!(
            statuses(&findings),
            [Status::Pass, Status::Error, Status::Pass]
        );
        assert!(
            findings[1].message.contains("nodes/proxy"),
            "{}",
            findings[1].message
        );
    }

    #[test]
    fn unread_nodes_are_an_error_and_no_nodes_is_not_applicable() {
        let mut inv = with_nodes();
        k8s_denied(&mut inv, NODES);
        let finding = only(run(&read_only_port::CHECK, &inv));
        assert_eq!(finding.status, Status::Error);
        assert!(
            finding.message.contains("k8s:list:nodes"),
            "{}",
            finding.message
        );
        k8s(&mut inv).nodes = read(vec![]);
        assert_eq!(
            only(run(&read_only_port::CHECK, &inv)).status,
            Status::NotApplicable
        );
    }
}
