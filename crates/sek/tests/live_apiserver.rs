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
    let mut kinds = kubernetes.clone();
    kinds.as_object_mut().unwrap().remove("nodes");
    for (field, read) in kinds.as_object().unwrap() {
        let failed = read.get("failed_read").or_else(|| read.get("failed"));
        assert!(failed.is_none(), "{field}: {failed:#?}");
    }

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
        "configmaps" => resources::AWS_AUTH.need,
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
        let probe = if *removed == Some(sek_core::inventory::k8s::resources::NAMESPACES.need) {
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
            .filter(|c| c.needs.iter().any(|need| need.as_str() == read))
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

    // What to do is said once, with the cluster's collection errors; do what it says: the
    // access entry (the authenticator stand-in takes it, as EKS would from `aws eks
    // create-access-entry`), and the ClusterRole sek prints.
    let connect = report["clusters"][0]["collection_errors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["api"] == "k8s:connect")
        .unwrap();
    assert_eq!(connect["kind"], "access-denied");
    let help = connect["help"].as_str().unwrap();
    let command = help
        .lines()
        .find(|l| l.trim_start().starts_with("aws eks create-access-entry"))
        .unwrap_or_else(|| panic!("no access entry command in: {help}"));
    let words: Vec<&str> = command.split_whitespace().collect();
    let value = |flag: &str| words[words.iter().position(|w| *w == flag).unwrap() + 1];
    assert_eq!(value("--cluster-name"), cluster);
    assert_eq!(value("--region"), "eu-west-1");
    k8s.grant(
        cluster,
        value("--principal-arn"),
        &[value("--kubernetes-groups")],
    );
    assert!(help.contains("sek checks permissions --kubernetes | kubectl apply -f -"));
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

#[test]
fn each_broken_endpoint_is_an_error_on_its_own_cluster_and_the_scan_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let k8s = local_cluster();
    let (real, ca, other_ca) = (k8s.endpoint(), k8s.ca_data(), k8s.other_ca_data());
    let clusters = [
        ("k8s-faults", k8s.front("faults"), ca),
        ("k8s-html", k8s.front("html"), ca),
        ("k8s-close", k8s.front("close"), ca),
        ("k8s-stall", k8s.front("stall"), ca),
        ("k8s-wrong-ca", real, other_ca),
        ("k8s-expired", real, ca),
    ];
    let moto = k8s.moto_with(dir.path(), &clusters);
    // The stalled one has a private endpoint (the secure scenario), the others a fenced public one.
    let scenarios: Vec<String> = clusters
        .iter()
        .map(|(name, _, _)| {
            let scenario = if *name == "k8s-stall" {
                "secure"
            } else {
                "empty"
            };
            format!("{scenario}:{name}")
        })
        .collect();
    moto.build(&scenarios.iter().map(String::as_str).collect::<Vec<_>>());
    let (key, secret, arn) = moto.named_user("sek-faults");
    for (name, _, _) in &clusters {
        k8s.grant(name, &arn, &[READERS]);
    }
    // This cluster's authenticator runs 20 minutes ahead: every token looks expired to it.
    k8s.control(
        "/clusters",
        &json!({"name": "k8s-expired", "entries": [{"arn": arn, "groups": [READERS]}], "skew_seconds": 1200}),
    );

    let started = Instant::now();
    let output = sek_as(&moto, &key, &secret)
        .args([
            "scan",
            "--all-clusters",
            "--kube-timeout",
            "3",
            "--kubelet-timeout",
            "1",
        ])
        .args(["-f", "json", "--fail-on", "none"])
        .output()
        .unwrap();
    let elapsed = started.elapsed();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(elapsed < Duration::from_secs(60), "took {elapsed:?}");
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let cluster = |name: &str| -> Value {
        report["clusters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .unwrap_or_else(|| panic!("{name} not in the report"))
            .clone()
    };
    let one = |name: &str| json!({ "clusters": [cluster(name)] });
    // The Kubernetes checks of a cluster are errors; the failure and what to do are said once.
    let connect_error = |name: &str| -> String {
        let report = one(name);
        let results = verdicts(&report);
        assert_eq!(results["rbac-cluster-admin"], "error", "{name}");
        // The AWS side of every cluster is judged all the same.
        assert_ne!(results["service-logging"], "error", "{name}");
        let cluster = &report["clusters"][0];
        let failure = cluster["collection_errors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["api"] == "k8s:connect")
            .unwrap_or_else(|| panic!("{name}: no k8s:connect error"));
        format!(
            "{}\n{}",
            failure["message"].as_str().unwrap(),
            failure["help"].as_str().unwrap_or("")
        )
    };

    // 429s are retried (honouring Retry-After); a 500 on one kind errors only what needs it.
    let faults = one("k8s-faults");
    let requests = k8s.front_requests();
    assert!(
        requests["/apis/apps/v1/deployments"].as_u64().unwrap() >= 4,
        "{requests:#}"
    );
    assert_eq!(
        failed_k8s_reads(&faults),
        BTreeSet::from(["k8s:list:jobs.batch".to_string()])
    );
    let results = verdicts(&faults);
    assert_eq!(results["rbac-cluster-admin"], "fail");
    assert_eq!(results["pod-privileged"], "error");
    let message = findings(&faults, "pod-privileged")[0]["message"]
        .as_str()
        .unwrap();
    assert!(
        message.contains("k8s:list:jobs.batch") && message.contains("500"),
        "{message}"
    );
    assert!(
        message.contains("after 3 attempts"),
        "a persistent 500 is retried twice, not for long: {message}"
    );

    let html = connect_error("k8s-html");
    assert!(html.contains("not a Kubernetes API server"), "{html}");
    let closed = connect_error("k8s-close");
    assert!(closed.contains("closed the connection"), "{closed}");
    let stalled = connect_error("k8s-stall");
    assert!(
        stalled.contains("within 3 s") || stalled.contains("timed out"),
        "{stalled}"
    );
    assert!(
        stalled.contains("private") && stalled.contains("docs/fleet.md"),
        "{stalled}"
    );
    let wrong_ca = connect_error("k8s-wrong-ca");
    assert!(
        wrong_ca.contains("TLS") && wrong_ca.contains("not trusted"),
        "{wrong_ca}"
    );
    assert!(!wrong_ca.contains("VPC"), "{wrong_ca}");
    let expired = connect_error("k8s-expired");
    assert!(
        expired.contains("401") && expired.contains(&arn),
        "{expired}"
    );
}

#[test]
fn a_kubeconfig_context_for_the_endpoint_comes_first_and_eks_can_be_forced() {
    let dir = tempfile::tempdir().unwrap();
    let k8s = local_cluster();
    let cluster = "k8s-kubeconfig";
    // No access entry for the IAM user: only the kubeconfig's service account gets in.
    let (moto, key, secret, _) = one_cluster(dir.path(), cluster, &[]);
    k8s.apply(vec![
        json!({"apiVersion": "v1", "kind": "ServiceAccount",
               "metadata": {"name": "sek-kubeconfig", "namespace": "kube-system"}}),
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
               "metadata": {"name": "sek-kubeconfig"},
               "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "sek-read-only"},
               "subjects": [{"kind": "ServiceAccount", "name": "sek-kubeconfig", "namespace": "kube-system"}]}),
    ]);
    let token = k8s.token("kube-system", "sek-kubeconfig");
    let kubeconfig = dir.path().join("kubeconfig");
    std::fs::write(
        &kubeconfig,
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: local\n  cluster:\n    server: {}\n    certificate-authority-data: {}\n\
contexts:\n- name: local-admin\n  context:\n    cluster: local\n    user: sek\ncurrent-context: local-admin\n\
users:\n- name: sek\n  user:\n    token: {token}\n",
            k8s.endpoint(),
            k8s.ca_data()
        ),
    )
    .unwrap();
    let with_kubeconfig = || {
        let mut cmd = sek_with_keys(&moto.endpoint(), &key, &secret);
        cmd.env("KUBECONFIG", &kubeconfig);
        cmd
    };
    let report = scan(with_kubeconfig(), cluster, &[]);
    let access = &report["clusters"][0]["kubernetes_access"];
    assert_eq!(access["method"], "kubeconfig");
    assert_eq!(access["context"], "local-admin");
    assert_eq!(failed_k8s_reads(&report), BTreeSet::new());

    // Forced to the EKS token, the IAM user (no access entry) is refused.
    let report = scan(with_kubeconfig(), cluster, &["--kube-auth", "eks"]);
    let message = findings(&report, "rbac-cluster-admin")[0]["message"]
        .as_str()
        .unwrap();
    assert!(message.contains("401"), "{message}");
    // A kubeconfig only, and none points at the cluster: say how to get one.
    let report = scan(
        sek_as(&moto, &key, &secret),
        cluster,
        &["--kube-auth", "kubeconfig"],
    );
    let message = findings(&report, "rbac-cluster-admin")[0]["message"]
        .as_str()
        .unwrap();
    assert!(
        message.contains("aws eks update-kubeconfig --name k8s-kubeconfig"),
        "{message}"
    );
    // --context picks a kubeconfig context; it contradicts --kube-auth eks.
    with_kubeconfig()
        .args([
            "scan",
            "--cluster",
            cluster,
            "--context",
            "local-admin",
            "--kube-auth",
            "eks",
        ])
        .assert()
        .code(2);
}

#[test]
fn a_fleet_scan_reads_every_clusters_kubernetes_side_as_each_accounts_role() {
    let dir = tempfile::tempdir().unwrap();
    let k8s = local_cluster();
    let names = ["k8s-org-a", "k8s-org-b", "k8s-org-c"];
    let endpoints: Vec<(&str, &str, &str)> = names
        .iter()
        .map(|n| (*n, k8s.endpoint(), k8s.ca_data()))
        .collect();
    let moto = k8s.moto_with(dir.path(), &endpoints);
    let members = moto.organization(2);
    moto.build_in(Some(&members[0]), "eu-west-1", &["empty:k8s-org-a"]);
    moto.build_in(Some(&members[1]), "eu-west-1", &["empty:k8s-org-b"]);
    moto.build_in(Some(&members[1]), "eu-west-1", &["empty:k8s-org-c"]);
    // Each account's audit role is let into its clusters, as an access entry would.
    for (name, account) in [
        ("k8s-org-a", &members[0]),
        ("k8s-org-b", &members[1]),
        ("k8s-org-c", &members[1]),
    ] {
        k8s.grant(
            name,
            &format!("arn:aws:iam::{account}:role/SekAudit"),
            &[READERS],
        );
    }
    let output = sek(&moto.endpoint())
        .env("KUBECONFIG", "/nonexistent")
        .args([
            "scan",
            "--all-clusters",
            "--org-role",
            "SekAudit",
            "--kubelet-timeout",
            "1",
        ])
        .args(["-f", "json", "--fail-on", "none"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let clusters = report["clusters"].as_array().unwrap();
    assert_eq!(clusters.len(), 3, "{:#}", report["not_scanned"]);
    for cluster in clusters {
        let account = cluster["account_id"].as_str().unwrap();
        let access = &cluster["kubernetes_access"];
        assert_eq!(access["method"], "eks-token", "{}", cluster["name"]);
        assert_eq!(
            access["identity"],
            format!("arn:aws:iam::{account}:role/SekAudit")
        );
        let failed: Vec<&Value> = cluster["collection_errors"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["api"].as_str().unwrap().starts_with("k8s:"))
            .collect();
        assert!(failed.is_empty(), "{}: {failed:#?}", cluster["name"]);
        let rbac = cluster["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["check"] == "rbac-cluster-admin")
            .unwrap();
        assert_eq!(rbac["status"], "fail", "{}", cluster["name"]);
    }
}
