//! The Kubernetes side against a real kube-apiserver on 127.0.0.1 (tests/kube/cluster.py: TLS,
//! RBAC and Node authorization, an audit log, webhook token authentication through an EKS
//! authenticator stand-in that checks tokens against moto's STS), beside moto for the AWS side.
//! sek finds each cluster through moto, whose clusters carry the local API server's endpoint
//! and CA, and reaches it with an EKS token it makes itself: no kubeconfig anywhere.

mod endpoints;
mod images;
mod rbac;
#[path = "../support/mod.rs"]
mod support;

use std::collections::BTreeSet;
use std::path::Path;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use serde_json::{Value, json};
use support::apiserver::{LocalCluster, REFUSING_NODE, SILENT_NODE, local_cluster};
use support::*;

/// The group sek's ClusterRole (docs/kubernetes-clusterrole.yaml) is bound to.
const READERS: &str = "sek-readers";

/// `sek` as an IAM user of `moto`, with no kubeconfig to fall back on.
fn sek_as(moto: &Moto, key: &str, secret: &str) -> Command {
    let mut cmd = sek_with_keys(&moto.endpoint(), key, secret);
    cmd.env("KUBECONFIG", "/nonexistent");
    cmd
}

/// `sek scan --cluster NAME -f json` (kubelets given 1 s): the report.
fn scan(cmd: Command, cluster: &str, extra: &[&str]) -> Value {
    let mut args = vec!["--kubelet-timeout", "1"];
    args.extend_from_slice(extra);
    scan_json(cmd, cluster, &args)
}

/// One moto cluster named `name` served by the local API server, and an IAM user of moto
/// (named after the cluster) let in with `groups`: (moto, key, secret, ARN).
fn one_cluster(dir: &Path, name: &str, groups: &[&str]) -> (Moto, String, String, String) {
    let k8s = local_cluster();
    let moto = k8s.moto_with(dir, &[(name, k8s.endpoint(), k8s.ca_data())]);
    moto.build(&[&format!("empty:{name}")]);
    let (key, secret, arn) = moto.named_user(&format!("sek-{name}"));
    if !groups.is_empty() {
        k8s.grant(name, &arn, groups);
    }
    (moto, key, secret, arn)
}

fn findings_of<'a>(report: &'a Value, check: &str) -> &'a Vec<Value> {
    findings(report, check)
}

fn status_of(report: &Value, check: &str, resource: &str) -> String {
    findings_of(report, check)
        .iter()
        .find(|f| f["resource"] == resource)
        .unwrap_or_else(|| panic!("{check}: nothing about {resource}"))["status"]
        .as_str()
        .unwrap()
        .to_string()
}

fn message_of(report: &Value, check: &str, resource: &str) -> String {
    findings_of(report, check)
        .iter()
        .find(|f| f["resource"] == resource)
        .unwrap_or_else(|| panic!("{check}: nothing about {resource}"))["message"]
        .as_str()
        .unwrap()
        .to_string()
}

/// The reads of the Kubernetes side that failed (`k8s:...` collection errors) of a report's
/// first cluster.
fn failed_k8s_reads(report: &Value) -> BTreeSet<String> {
    report["clusters"][0]["collection_errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["api"].as_str().unwrap().to_string())
        .filter(|api| api.starts_with("k8s:"))
        .collect()
}

fn node(name: &str) -> String {
    format!("k8s:Node//{name}")
}

#[test]
fn every_kind_is_read_page_by_page_with_an_eks_token_and_no_kubeconfig() {
    let dir = tempfile::tempdir().unwrap();
    let k8s = local_cluster();
    let (moto, key, secret, arn) = one_cluster(dir.path(), "k8s-main", &[READERS]);
    let snapshot = dir.path().join("snap.json");
    sek_as(&moto, &key, &secret)
        .args(["collect", "--cluster", "k8s-main", "--kubelet-timeout", "2"])
        .args(["-o", snapshot.to_str().unwrap()])
        .assert()
        .success();
    let text = std::fs::read_to_string(&snapshot).unwrap();
    let inventory: Value = serde_json::from_str(&text).unwrap();
    let kubernetes = &inventory["clusters"][0]["kubernetes"];

    // Reached with sek's own EKS token, as the IAM user, at the endpoint DescribeCluster gave.
    assert_eq!(
        kubernetes["access"],
        json!({"method": "eks-token", "server": k8s.endpoint(), "identity": arn})
    );
    assert!(
        kubernetes["server_version"]
            .as_str()
            .unwrap()
            .starts_with("v1.34.")
    );
    // Every kind read: no failed Kubernetes read at all (the kubelets are per node, below).
    let mut kinds = kubernetes.clone();
    kinds.as_object_mut().unwrap().remove("nodes");
    for (field, read) in kinds.as_object().unwrap() {
        let failed = read.get("failed_read").or_else(|| read.get("failed"));
        assert!(failed.is_none(), "{field}: {failed:#?}");
    }

    // Karpenter's kinds come from their CRDs; Auto Mode's CRD is not installed (a 404): none.
    let names = |field: &str| -> Vec<&str> {
        kubernetes[field]
            .as_array()
            .unwrap_or_else(|| panic!("{field}: {:#}", kubernetes[field]))
            .iter()
            .map(|o| o["metadata"]["name"].as_str().unwrap())
            .collect()
    };
    assert_eq!(names("ec2_node_classes"), ["batch", "default"]);
    assert_eq!(names("node_pools"), ["batch", "default"]);
    assert_eq!(names("auto_node_classes"), Vec::<&str>::new());
    assert_eq!(
        kubernetes["ec2_node_classes"][0]["spec"]["metadataOptions"]["httpTokens"],
        "optional"
    );

    // kube-proxy's configuration, got by name and parsed from its YAML.
    assert_eq!(
        kubernetes["kube_proxy_config"],
        json!({"state": "present", "config": {"metrics_bind_address": "0.0.0.0:10249"}})
    );

    // More than 1,000 service accounts: three pages of 500, through continue tokens.
    let accounts = kubernetes["service_accounts"].as_array().unwrap();
    let bulk = accounts
        .iter()
        .filter(|a| a["metadata"]["namespace"] == "bulk")
        .count();
    assert_eq!(bulk, 1100);
    assert_eq!(
        inventory["meta"]["api_calls_by_action"]["k8s:list:serviceaccounts"],
        3
    );
    let events = k8s.audit_events(&arn);
    let pages: Vec<&str> = events
        .iter()
        .filter(|e| e["objectRef"]["resource"] == "serviceaccounts")
        .map(|e| e["requestURI"].as_str().unwrap())
        .collect();
    assert_eq!(pages.len(), 3, "{pages:#?}");
    assert_eq!(
        pages.iter().filter(|uri| uri.contains("continue=")).count(),
        2
    );
    // The server's own record: get and list only, no Secret, and never refused by RBAC (the
    // one 403 is the refusing kubelet's answer, relayed by the node proxy).
    assert!(!events.is_empty());
    for event in &events {
        let verb = event["verb"].as_str().unwrap();
        assert!(verb == "get" || verb == "list", "{event:#}");
        assert_ne!(event["objectRef"]["resource"], "secrets", "{event:#}");
        let relayed = event["objectRef"]["subresource"] == "proxy"
            && event["objectRef"]["name"] == REFUSING_NODE;
        if !relayed {
            assert_ne!(event["responseStatus"]["code"], 403, "{event:#}");
        }
    }

    // Pods fold into the workloads that own them, as the export's do.
    let mut workloads: Vec<String> = kubernetes["workloads"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            format!(
                "{}/{}:{}",
                w["kind"].as_str().unwrap(),
                w["metadata"]["name"].as_str().unwrap(),
                w["pods"]
            )
        })
        .collect();
    workloads.sort();
    assert_eq!(
        workloads,
        [
            "CronJob/ledger-export:0",
            "DaemonSet/aws-node:4",
            "DaemonSet/kube-proxy:4",
            "Deployment/cart:1",
            "Deployment/coredns:2",
            "Deployment/frontend:3",
            "Deployment/payments-api:2",
            "Pod/node-debugger:1",
            "StatefulSet/orders-db:1",
        ]
    );
    assert!(
        !text.contains("\"value\": \"info\""),
        "env values are dropped"
    );

    // The snapshot alone, offline, gives the verdicts; moto is gone.
    drop(moto);
    let output = sek_offline()
        .args([
            "scan",
            "--snapshot",
            snapshot.to_str().unwrap(),
            "-f",
            "json",
        ])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let checks = [
        ("pod-privileged", "k8s:Pod/legacy/node-debugger", "fail"),
        (
            "pod-privileged",
            "k8s:DaemonSet/kube-system/aws-node",
            "waived",
        ),
        ("pod-runtime-socket", "k8s:Pod/legacy/node-debugger", "fail"),
        (
            "rbac-cluster-admin",
            "k8s:ClusterRoleBinding//ci-admin",
            "fail",
        ),
        (
            "rbac-secrets",
            "k8s:RoleBinding/payments/payments-secrets",
            "fail",
        ),
        (
            "rbac-system-masters",
            "k8s:ConfigMap/kube-system/aws-auth",
            "fail",
        ),
        ("ns-network-policy", "k8s:Namespace//legacy", "fail"),
        ("ns-network-policy", "k8s:Namespace//shop", "pass"),
        ("svc-lb-tls", "k8s:Service/payments/payments-api", "fail"),
        ("rbac-exec", "k8s:ClusterRoleBinding//ops-deployers", "fail"),
        (
            "rbac-aws-auth-edit",
            "k8s:ClusterRoleBinding//ci-admin",
            "fail",
        ),
        (
            "svc-external-ips",
            "k8s:Service/payments/payments-api",
            "pass",
        ),
    ];
    for (check, resource, status) in checks {
        assert_eq!(
            status_of(&report, check, resource),
            status,
            "{check} {resource}"
        );
    }

    // A real API server's default bindings give everyone's groups discovery only (the discovery,
    // basic-user, public-info-viewer and issuer-discovery roles): judged by their rules, they pass.
    assert_eq!(verdicts(&report)["rbac-broad-groups"], "pass");
    // Pods' ports are recorded as read: none binds a node port outside the host network.
    assert_eq!(verdicts(&report)["pod-host-port"], "pass");

    // Kubelets through the API server's node proxy: judged, or an error for their node alone
    // that says whose doing it is.
    let check = "kubelet-read-only-port";
    assert_eq!(
        status_of(
            &report,
            check,
            &node("ip-10-0-1-23.eu-west-1.compute.internal")
        ),
        "pass"
    );
    assert_eq!(
        status_of(
            &report,
            check,
            &node("ip-10-0-9-5.eu-west-1.compute.internal")
        ),
        "fail"
    );
    assert_eq!(status_of(&report, check, &node(REFUSING_NODE)), "error");
    let refused = message_of(&report, check, &node(REFUSING_NODE));
    assert!(refused.contains("not sek's permissions"), "{refused}");
    let silent = message_of(&report, check, &node(SILENT_NODE));
    assert!(silent.contains("did not answer within 2 s"), "{silent}");
}
