//! Broken endpoints, the choice of credentials, and fleets.

use super::*;

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
