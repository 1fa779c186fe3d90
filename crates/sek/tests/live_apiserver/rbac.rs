//! What sek's ClusterRole and other grants let it read, and what sek says when refused.

use super::*;

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
        "configmaps" => resources::CONFIG_MAPS.need,
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
/// or a `manual` fallback that names the refused read, or a finding that stands on what was read
/// (a proven risk path) and lists the refused read under `unread`.
fn refused_by(report: &Value, read: &str) -> BTreeSet<String> {
    report["clusters"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|result| {
            result["findings"].as_array().unwrap().iter().any(|f| {
                // A finding naming several unread reads lists each under `unread`.
                let names = |e: &Value| e["api"] == read && e["error"] == "access-denied";
                let unread = f["evidence"]["unread"].as_array().into_iter().flatten();
                ((f["status"] == "error" || f["status"] == "manual") && names(&f["evidence"]))
                    || unread.into_iter().any(names)
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
                // Without the CRD list, a custom kind the API server does not serve cannot be
                // told from one whose CRD serves an older version: its 404 stays a failure.
                use sek_core::inventory::k8s::resources::{CRDS, CUSTOM_RESOURCES, NODE_CONFIGZ};
                let failed = match *read {
                    NODE_CONFIGZ => BTreeSet::new(),
                    read if read == CRDS.need => std::iter::once(read.to_string())
                        .chain(
                            CUSTOM_RESOURCES
                                .iter()
                                .filter(|r| {
                                    !demo_crds().contains(&format!("{}.{}", r.plural, r.group))
                                })
                                .map(|r| r.need.to_string()),
                        )
                        .collect(),
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
    // Of the ConfigMaps, only kube-system's aws-auth and kube-proxy-config, by name.
    let mut configmaps: Vec<&str> = events
        .iter()
        .filter(|e| e["objectRef"]["resource"] == "configmaps")
        .map(|e| e["requestURI"].as_str().unwrap())
        .collect();
    configmaps.sort_unstable();
    assert_eq!(
        configmaps,
        [
            "/api/v1/namespaces/kube-system/configmaps/aws-auth",
            "/api/v1/namespaces/kube-system/configmaps/kube-proxy-config"
        ]
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
fn a_selection_lists_only_its_kinds_and_leaves_the_api_server_alone_when_it_needs_none() {
    let dir = tempfile::tempdir().unwrap();
    let k8s = local_cluster();
    let (moto, key, secret, arn) = one_cluster(dir.path(), "k8s-select", &[READERS]);

    let report = scan(
        sek_as(&moto, &key, &secret),
        "k8s-select",
        &["--checks", "ns-network-policy"],
    );
    assert_eq!(failed_k8s_reads(&report), BTreeSet::new());
    assert_ne!(verdicts(&report)["ns-network-policy"], "error");
    let events = k8s.audit_events(&arn);
    let resources: BTreeSet<&str> = events
        .iter()
        .filter_map(|e| e["objectRef"]["resource"].as_str())
        .collect();
    assert_eq!(
        resources,
        BTreeSet::from(["namespaces", "networkpolicies"]),
        "only the kinds ns-network-policy reads (no nodes, so no kubelet either)"
    );

    // An AWS-only selection never contacts the API server.
    let before = k8s.audit_events(&arn).len();
    let report = scan(
        sek_as(&moto, &key, &secret),
        "k8s-select",
        &["--checks", "service-logging"],
    );
    assert_eq!(verdicts(&report).len(), 1);
    assert!(report["clusters"][0]["kubernetes_access"].is_null());
    assert_eq!(k8s.audit_events(&arn).len(), before);
}

/// The CRDs of the demo export the local cluster is loaded with.
fn demo_crds() -> BTreeSet<String> {
    let export: Value = serde_json::from_str(sek_core::demo::DEMO_KUBERNETES).unwrap();
    export["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["kind"] == "CustomResourceDefinition")
        .map(|o| o["metadata"]["name"].as_str().unwrap().to_string())
        .collect()
}
