//! The Kubernetes side against a real kube-apiserver on 127.0.0.1 (tests/kube/cluster.py: TLS,
//! RBAC and Node authorization, an audit log, webhook token authentication through an EKS
//! authenticator stand-in that checks tokens against moto's STS), beside moto for the AWS side.
//! sek finds each cluster through moto, whose clusters carry the local API server's endpoint
//! and CA, and reaches it with an EKS token it makes itself: no kubeconfig anywhere.

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
    assert_eq!(kubernetes["gaps"], json!([]), "{:#}", kubernetes["gaps"]);

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
    let checks: [(&str, &str, &str); 6] = [
        ("pod-privileged", "k8s:Pod/legacy/node-debugger", "fail"),
        (
            "pod-privileged",
            "k8s:DaemonSet/kube-system/aws-node",
            "waived",
        ),
        (
            "rbac-cluster-admin",
            "k8s:ClusterRoleBinding//ci-admin",
            "fail",
        ),
        (
            "rbac-system-masters",
            "k8s:ConfigMap/kube-system/aws-auth",
            "fail",
        ),
        ("ns-network-policy", "k8s:Namespace//legacy", "fail"),
        ("ns-network-policy", "k8s:Namespace//shop", "pass"),
    ];
    for (check, resource, status) in checks {
        assert_eq!(
            status_of(&report, check, resource),
            status,
            "{check} {resource}"
        );
    }

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

/// sek's ClusterRole as `sek checks permissions --kubernetes` prints it: (ClusterRole, binding).
fn sek_cluster_role() -> (Value, Value) {
    let output = sek_offline()
        .args(["checks", "permissions", "--kubernetes"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let documents: Vec<Value> =
        serde_saphyr::from_multiple(&String::from_utf8(output.stdout).unwrap()).unwrap();
    (documents[0].clone(), documents[1].clone())
}

/// The read of sek's a ClusterRole rule's resource grants: `k8s:list:pods`...
fn need_of(group: &str, resource: &str) -> &'static str {
    use sek_core::inventory::k8s::resources;
    match resource {
        "nodes/proxy" => resources::NODE_CONFIGZ,
        "configmaps" => resources::AWS_AUTH,
        _ => {
            let qualified = if group.is_empty() {
                resource.to_string()
            } else {
                format!("{resource}.{group}")
            };
            resources::by_plural(&qualified)
                .unwrap_or_else(|| panic!("{qualified} is not a read sek makes"))
                .need
        }
    }
}

/// The checks of a report that could not decide because `read` was refused by RBAC: an `error`,
/// or a `manual` fallback that names the refused read.
fn refused_by(report: &Value, read: &str) -> BTreeSet<String> {
    report["clusters"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|result| {
            result["findings"].as_array().unwrap().iter().any(|f| {
                (f["status"] == "error" || f["status"] == "manual")
                    && f["evidence"]["api"] == read
                    && f["evidence"]["error"] == "access-denied"
            })
        })
        .map(|result| result["check"].as_str().unwrap().to_string())
        .collect()
}

/// Wait until RBAC lets `group` list namespaces (bindings take effect through an informer).
fn wait_for_rbac(k8s: &LocalCluster, group: &str, resource: Value) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let answer = k8s.control(
            "/access-review",
            &json!({"user": "probe", "groups": [group], "resource": resource}),
        );
        if answer["allowed"] == true {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "RBAC for {group} never took effect"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn each_permission_of_the_cluster_role_gates_exactly_the_checks_that_declare_it() {
    let dir = tempfile::tempdir().unwrap();
    let k8s = local_cluster();
    let cluster = "k8s-least";
    let moto = k8s.moto_with(dir.path(), &[(cluster, k8s.endpoint(), k8s.ca_data())]);
    moto.build(&[&format!("empty:{cluster}")]);
    let (role, _) = sek_cluster_role();
    let rules = role["rules"].as_array().unwrap();
    // Every permission the role grants: (rule, resource).
    let grants: Vec<(usize, String)> = rules
        .iter()
        .enumerate()
        .flat_map(|(index, rule)| {
            rule["resources"]
                .as_array()
                .unwrap()
                .iter()
                .map(move |r| (index, r.as_str().unwrap().to_string()))
        })
        .collect();
    let users = moto.named_users("least", grants.len() + 1);

    // The role as published, and the role without each permission in turn, each bound to a
    // group of its own, with one IAM user in each group.
    let mut objects = Vec::new();
    let mut cases = Vec::new();
    for (case, user) in users.iter().enumerate() {
        let name = format!("sek-least-{case}");
        let mut reduced = role.clone();
        reduced["metadata"] = json!({"name": name});
        let removed = grants.get(case).map(|(rule, resource)| {
            let rules = reduced["rules"].as_array_mut().unwrap();
            let resources = rules[*rule]["resources"].as_array_mut().unwrap();
            resources.retain(|r| r != resource.as_str());
            if resources.is_empty() {
                rules.remove(*rule);
            }
            let group = rules_group(&role["rules"][*rule]);
            need_of(&group, resource)
        });
        objects.push(reduced);
        objects.push(json!({
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
            "metadata": {"name": name},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": name},
            "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": name}],
        }));
        k8s.grant(cluster, &user.2, &[&name]);
        cases.push((name, user.clone(), removed));
    }
    k8s.apply(objects);
    for (name, _, removed) in &cases {
        let probe = if *removed == Some(sek_core::inventory::k8s::resources::NAMESPACES) {
            json!({"verb": "list", "resource": "pods"})
        } else {
            json!({"verb": "list", "resource": "namespaces"})
        };
        wait_for_rbac(k8s, name, probe);
    }

    // Four scans at a time.
    let reports: Vec<(Option<&'static str>, Value)> = std::thread::scope(|scope| {
        let mut done = Vec::new();
        for batch in cases.chunks(4) {
            let handles: Vec<_> = batch
                .iter()
                .map(|(_, (key, secret, _), removed)| {
                    let moto = &moto;
                    scope.spawn(move || (*removed, scan(sek_as(moto, key, secret), cluster, &[])))
                })
                .collect();
            done.extend(handles.into_iter().map(|h| h.join().unwrap()));
        }
        done
    });

    let declared = |read: &str| -> BTreeSet<String> {
        sek_core::checks::ALL
            .iter()
            .filter(|c| c.needs.contains(&read))
            .map(|c| c.id.to_string())
            .collect()
    };
    let mut table = Vec::new();
    let mut mismatches = Vec::new();
    for (removed, report) in &reports {
        match removed {
            // The full role: nothing refused anywhere.
            None => {
                for read in grants
                    .iter()
                    .map(|(rule, r)| need_of(&rules_group(&rules[*rule]), r))
                {
                    assert_eq!(
                        refused_by(report, read),
                        BTreeSet::new(),
                        "{read} refused with the full role"
                    );
                }
                assert_eq!(failed_k8s_reads(report), BTreeSet::new());
            }
            Some(read) => {
                let refused = refused_by(report, read);
                if refused != declared(read) {
                    mismatches.push(format!(
                        "without {read}: refused {refused:?}, declared {:?}",
                        declared(read)
                    ));
                }
                // Kubelet reads fail per node (in the findings), not as a collection error.
                let failed = match *read {
                    sek_core::inventory::k8s::resources::NODE_CONFIGZ => BTreeSet::new(),
                    read => BTreeSet::from([read.to_string()]),
                };
                assert_eq!(failed_k8s_reads(report), failed, "without {read}");
                table.push(format!("{read}: {}", refused.len()));
            }
        }
    }
    eprintln!("checks gated by each permission: {table:#?}");
    assert!(mismatches.is_empty(), "{mismatches:#?}");
}

fn rules_group(rule: &Value) -> String {
    rule["apiGroups"][0].as_str().unwrap_or("").to_string()
}

#[test]
fn with_write_access_sek_still_only_gets_and_lists_and_never_touches_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let k8s = local_cluster();
    // system:masters: cluster-admin, writes and Secrets included.
    let (moto, key, secret, arn) = one_cluster(dir.path(), "k8s-admin", &["system:masters"]);
    let report = scan(sek_as(&moto, &key, &secret), "k8s-admin", &[]);
    assert_eq!(failed_k8s_reads(&report), BTreeSet::new());
    let events = k8s.audit_events(&arn);
    assert!(events.len() > 20, "{}", events.len());
    let verbs: BTreeSet<&str> = events.iter().map(|e| e["verb"].as_str().unwrap()).collect();
    assert_eq!(verbs, BTreeSet::from(["get", "list"]));
    let resources: BTreeSet<&str> = events
        .iter()
        .filter_map(|e| e["objectRef"]["resource"].as_str())
        .collect();
    assert!(!resources.contains("secrets"), "{resources:?}");
    // Of the ConfigMaps, only aws-auth, by name.
    let configmaps: Vec<&str> = events
        .iter()
        .filter(|e| e["objectRef"]["resource"] == "configmaps")
        .map(|e| e["requestURI"].as_str().unwrap())
        .collect();
    assert_eq!(
        configmaps,
        ["/api/v1/namespaces/kube-system/configmaps/aws-auth"]
    );
}

#[test]
fn a_refused_identity_gets_the_grant_commands_and_they_let_it_in() {
    let dir = tempfile::tempdir().unwrap();
    let k8s = local_cluster();
    let cluster = "k8s-grant";
    let (moto, key, secret, arn) = one_cluster(dir.path(), cluster, &[]);
    let report = scan(sek_as(&moto, &key, &secret), cluster, &[]);
    let message = findings_of(&report, "rbac-cluster-admin")[0]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        message.contains("401 Unauthorized") && message.contains(&arn),
        "{message}"
    );
    // The AWS side was judged all the same.
    assert_ne!(verdicts(&report)["service-logging"], "error");

    // Do what the message says: the access entry (the authenticator stand-in takes it, as EKS
    // would from `aws eks create-access-entry`), and the ClusterRole sek prints.
    let command = message
        .lines()
        .find(|l| l.trim_start().starts_with("aws eks create-access-entry"))
        .unwrap_or_else(|| panic!("no access entry command in: {message}"));
    let words: Vec<&str> = command.split_whitespace().collect();
    let value = |flag: &str| words[words.iter().position(|w| *w == flag).unwrap() + 1];
    assert_eq!(value("--cluster-name"), cluster);
    assert_eq!(value("--region"), "eu-west-1");
    k8s.grant(
        cluster,
        value("--principal-arn"),
        &[value("--kubernetes-groups")],
    );
    assert!(message.contains("sek checks permissions --kubernetes | kubectl apply -f -"));
    let (role, binding) = sek_cluster_role();
    k8s.apply(vec![role, binding]);

    let report = scan(sek_as(&moto, &key, &secret), cluster, &[]);
    assert_eq!(failed_k8s_reads(&report), BTreeSet::new());
    assert_eq!(
        status_of(
            &report,
            "rbac-cluster-admin",
            "k8s:ClusterRoleBinding//ci-admin"
        ),
        "fail"
    );
    let access = &report["clusters"][0]["kubernetes_access"];
    assert_eq!(access["method"], "eks-token");
    assert_eq!(access["identity"], arn);
}

#[test]
fn the_view_access_policy_lacks_exactly_the_reads_the_docs_say() {
    use sek_core::inventory::k8s::access_policies::{VIEW_POLICY, missing_from_view_policy};
    let dir = tempfile::tempdir().unwrap();
    let k8s = local_cluster();
    let rules: Vec<Value> = VIEW_POLICY
        .iter()
        .map(|(group, resources)| {
            json!({"apiGroups": [group], "resources": resources, "verbs": ["get", "list", "watch"]})
        })
        .collect();
    k8s.apply(vec![
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
               "metadata": {"name": "amazon-eks-view-policy"}, "rules": rules}),
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
               "metadata": {"name": "amazon-eks-view-policy"},
               "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "amazon-eks-view-policy"},
               "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "eks-view"}]}),
    ]);
    wait_for_rbac(k8s, "eks-view", json!({"verb": "list", "resource": "pods"}));
    let (moto, key, secret, _) = one_cluster(dir.path(), "k8s-view", &["eks-view"]);
    let report = scan(sek_as(&moto, &key, &secret), "k8s-view", &[]);
    let wanted: BTreeSet<&str> = sek_core::checks::required_kubernetes_reads()
        .iter()
        .map(|r| r.need)
        .collect();
    // The node proxy is never tried when the nodes cannot be listed.
    let expected: BTreeSet<String> = missing_from_view_policy()
        .into_iter()
        .filter(|need| wanted.contains(need))
        .map(String::from)
        .collect();
    assert_eq!(failed_k8s_reads(&report), expected);
}
