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
pub mod protect_kernel_defaults;
pub mod read_only_port;
pub mod rotate_certs;
pub mod server_cert_rotation;
pub mod streaming_timeout;

use serde_json::{Value, json};

use crate::checks::shared::k8s::kubernetes;
use crate::checks::{Ctx, Evaluation, Finding, Status};
use crate::inventory::k8s::resources::{NODE_CONFIGZ, NODES};
use crate::inventory::k8s::{Effective, Node};
use crate::inventory::{ErrorKind, Need};

/// The reads every kubelet check needs.
pub(crate) const KUBELET_READS: &[Need] = &[Need::Kubernetes(&NODES), Need::KubeletConfig];

/// How a kubelet setting is judged: the status, a sentence, and the evidence.
pub(crate) type Verdict = (Status, String, Value);

/// `k8s:Node//<name>`.
pub(crate) fn node_resource(node: &Node) -> String {
    format!("k8s:Node//{}", node.name)
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
pub(crate) mod testing {
    //! Nodes with recorded configz payloads.

    use serde_json::{Value, json};

    use crate::checks::testkit_k8s::kube_cluster;
    use crate::inventory::ClusterInventory;
    use crate::inventory::Read;
    use crate::inventory::k8s::{KubeletConfig, Node};

    /// configz of an AL2023 EKS node (nodeadm), trimmed to what the checks read.
    pub fn al2023() -> Value {
        json!({"kubeletconfig": {
            "authentication": {"x509": {"clientCAFile": "/etc/kubernetes/pki/ca.crt"},
                "webhook": {"enabled": true, "cacheTTL": "2m0s"}, "anonymous": {"enabled": false}},
            "authorization": {"mode": "Webhook"},
            "streamingConnectionIdleTimeout": "4h0m0s", "eventRecordQPS": 50,
            "makeIPTablesUtilChains": true, "rotateCertificates": true, "serverTLSBootstrap": true,
            "featureGates": {"RotateKubeletServerCertificate": true}, "protectKernelDefaults": true
        }})
    }

    /// configz of an AL2 EKS node (bootstrap.sh): readOnlyPort and eventRecordQPS left out.
    pub fn al2() -> Value {
        json!({"kubeletconfig": {
            "authentication": {"x509": {"clientCAFile": "/etc/kubernetes/pki/ca.crt"},
                "webhook": {"enabled": true}, "anonymous": {"enabled": false}},
            "authorization": {"mode": "Webhook"},
            "streamingConnectionIdleTimeout": "4h0m0s", "makeIPTablesUtilChains": true,
            "rotateCertificates": true, "featureGates": {"RotateKubeletServerCertificate": true}
        }})
    }

    /// configz of a Bottlerocket node.
    pub fn bottlerocket() -> Value {
        json!({"kubeletconfig": {
            "authentication": {"x509": {"clientCAFile": "/etc/kubernetes/pki/ca.crt"},
                "webhook": {"enabled": true}, "anonymous": {"enabled": false}},
            "authorization": {"mode": "Webhook"},
            "streamingConnectionIdleTimeout": "4h0m0s", "eventRecordQPS": 5,
            "makeIPTablesUtilChains": true, "rotateCertificates": true, "serverTLSBootstrap": true,
            "protectKernelDefaults": true
        }})
    }

    /// A node named `name` on `os_image` whose kubelet reported `configz`.
    pub fn kube_node(name: &str, os_image: &str, configz: &Value) -> Node {
        Node {
            name: name.into(),
            os_image: Some(os_image.into()),
            hostname: Some(name.into()),
            kubelet: Read::Got(KubeletConfig::from_configz(configz).unwrap()),
            ..Node::default()
        }
    }

    /// The compliant cluster with one node of each OS family.
    pub fn with_nodes() -> ClusterInventory {
        let mut inv = kube_cluster();
        inv.kubernetes.got_mut().unwrap().nodes = Read::Got(vec![
            kube_node(
                "ip-10-0-1-10.eu-west-1.compute.internal",
                "Amazon Linux 2023.6.20241111",
                &al2023(),
            ),
            kube_node(
                "ip-10-0-1-11.eu-west-1.compute.internal",
                "Amazon Linux 2",
                &al2(),
            ),
            kube_node(
                "ip-10-0-1-12.eu-west-1.compute.internal",
                "Bottlerocket OS 1.26.2 (aws-k8s-1.31)",
                &bottlerocket(),
            ),
        ]);
        inv
    }

    /// `check` passes the AL2, AL2023 and Bottlerocket nodes of [`with_nodes`].
    pub fn assert_every_os_family_passes(check: &crate::checks::Check) {
        let findings = crate::checks::testkit::run(check, &with_nodes());
        assert_eq!(
            crate::checks::testkit::statuses(&findings),
            [crate::checks::Status::Pass; 3],
            "{findings:#?}"
        );
    }

    /// `check` fails the AL2023 node once `change` is made to its configz, saying `expect`.
    pub fn assert_fails_when(
        check: &crate::checks::Check,
        change: impl FnOnce(&mut Value),
        expect: &str,
    ) {
        let findings = crate::checks::testkit::run(check, &with_al2023(change));
        let finding = &findings[0];
        assert_eq!(finding.status, crate::checks::Status::Fail);
        assert!(finding.message.contains(expect), "{}", finding.message);
        assert_eq!(
            finding.resource,
            "k8s:Node//ip-10-0-1-10.eu-west-1.compute.internal"
        );
    }

    /// [`with_nodes`] with the AL2023 node's configz changed by `change`.
    pub fn with_al2023(change: impl FnOnce(&mut Value)) -> ClusterInventory {
        let mut inv = with_nodes();
        let mut configz = al2023();
        change(&mut configz["kubeletconfig"]);
        inv.kubernetes.got_mut().unwrap().nodes.got_mut().unwrap()[0].kubelet =
            Read::Got(KubeletConfig::from_configz(&configz).unwrap());
        inv
    }
}

#[cfg(test)]
mod tests {
    use super::testing::*;
    use super::*;
    use crate::checks::testkit::*;
    use crate::checks::testkit_k8s::*;
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
