//! Nodes with recorded configz payloads, for the kubelet checks.

use serde_json::{Value, json};

use crate::checks::testkit::k8s::kube_cluster;
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
