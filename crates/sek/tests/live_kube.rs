//! The Kubernetes side, live: sek's kube-rs collector against a stand-in API server on
//! 127.0.0.1 (tests/kube/fake_apiserver.py) serving the demo cluster's objects with pagination
//! and a 403 for one kind, beside moto for the AWS side.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Child, Command as Process, Stdio};

use serde_json::Value;
use support::*;

/// The fake API server, killed on drop.
struct FakeApiServer {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl FakeApiServer {
    /// Start it with the demo cluster's objects and kubelet configurations, and `extra` flags
    /// (`--forbid rolebindings`, `--hang-configz NODE`...).
    fn start(dir: &Path, extra: &[&str]) -> FakeApiServer {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let log = dir.join("requests.log");
        let mut cmd = Process::new("python3");
        cmd.arg(repo().join("tests/kube/fake_apiserver.py"))
            .args([
                "--objects",
                repo().join("testdata/k8s/demo-prod.json").to_str().unwrap(),
            ])
            .args(["--port", &port.to_string(), "--max-page", "3"])
            .args(["--log", log.to_str().unwrap()])
            .args([
                "--configz",
                repo()
                    .join("testdata/k8s/demo-prod-configz.json")
                    .to_str()
                    .unwrap(),
            ])
            .args(extra);
        let child = cmd
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start fake_apiserver.py");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                std::time::Instant::now() < deadline,
                "fake API server did not start"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        FakeApiServer { child, port, log }
    }

    /// A kubeconfig with a context `fake` pointing at it, with the token it expects (or not).
    fn kubeconfig(&self, dir: &Path, token: &str) -> PathBuf {
        let path = dir.join("kubeconfig");
        std::fs::write(
            &path,
            format!(
                "apiVersion: v1\nkind: Config\nclusters:\n- name: fake\n  cluster:\n    server: http://127.0.0.1:{}\ncontexts:\n- name: fake\n  context:\n    cluster: fake\n    user: scanner\ncurrent-context: fake\nusers:\n- name: scanner\n  user:\n    token: {token}\n",
                self.port
            ),
        )
        .unwrap();
        path
    }

    fn requests(&self) -> Vec<String> {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    }
}

impl Drop for FakeApiServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn statuses_of(report: &Value, check: &str) -> Vec<(String, String)> {
    findings(report, check)
        .iter()
        .map(|f| {
            (
                f["resource"].as_str().unwrap().to_string(),
                f["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn status_of(report: &Value, check: &str, resource: &str) -> String {
    statuses_of(report, check)
        .into_iter()
        .find(|(r, _)| r == resource)
        .unwrap_or_else(|| {
            panic!(
                "{check}: no finding about {resource}: {:#?}",
                statuses_of(report, check)
            )
        })
        .1
}

/// moto with the `secure` cluster, the fake API server started with `server_args`, and a
/// kubeconfig whose context `fake` points at it with `token`.
struct Setup {
    dir: tempfile::TempDir,
    moto: Moto,
    api: FakeApiServer,
    kubeconfig: PathBuf,
}

impl Setup {
    fn new(server_args: &[&str], token: &str) -> Setup {
        let dir = tempfile::tempdir().unwrap();
        let moto = Moto::start();
        moto.build(&["secure"]);
        let api = FakeApiServer::start(dir.path(), server_args);
        let kubeconfig = api.kubeconfig(dir.path(), token);
        Setup {
            dir,
            moto,
            api,
            kubeconfig,
        }
    }

    /// `sek scan --cluster secure --kubeconfig ... --context fake EXTRA --format json`.
    fn scan(&self, extra: &[&str]) -> Value {
        let mut args = vec![
            "--kubeconfig",
            self.kubeconfig.to_str().unwrap(),
            "--context",
            "fake",
        ];
        args.extend_from_slice(extra);
        scan_json(sek(&self.moto.endpoint()), "secure", &args)
    }
}

#[test]
fn the_kubernetes_side_is_listed_page_by_page_with_get_only_and_judged() {
    let setup = Setup::new(&[], "test-token");
    let api = &setup.api;
    let report = setup.scan(&[]);

    // Findings name workloads, not pods: the Deployment's three pods are one finding.
    let privileged = statuses_of(&report, "pod-privileged");
    assert!(
        privileged
            .iter()
            .any(|(r, _)| r == "k8s:Deployment/shop/frontend")
    );
    assert!(
        !privileged
            .iter()
            .any(|(r, _)| r.starts_with("k8s:Pod/shop/")),
        "{privileged:#?}"
    );
    assert_eq!(
        status_of(&report, "pod-privileged", "k8s:Pod/legacy/node-debugger"),
        "fail"
    );
    assert_eq!(
        status_of(
            &report,
            "pod-privileged",
            "k8s:DaemonSet/kube-system/aws-node"
        ),
        "waived"
    );
    assert_eq!(
        status_of(
            &report,
            "pod-runtime-socket",
            "k8s:Pod/legacy/node-debugger"
        ),
        "fail"
    );
    assert_eq!(
        status_of(
            &report,
            "rbac-cluster-admin",
            "k8s:ClusterRoleBinding//ci-admin"
        ),
        "fail"
    );
    assert_eq!(
        status_of(
            &report,
            "rbac-secrets",
            "k8s:RoleBinding/payments/payments-secrets"
        ),
        "fail"
    );
    assert_eq!(
        status_of(
            &report,
            "rbac-system-masters",
            "k8s:ConfigMap/kube-system/aws-auth"
        ),
        "fail"
    );
    assert_eq!(
        status_of(&report, "ns-network-policy", "k8s:Namespace//legacy"),
        "fail"
    );
    assert_eq!(
        status_of(&report, "ns-network-policy", "k8s:Namespace//shop"),
        "pass"
    );
    assert_eq!(
        status_of(&report, "svc-lb-tls", "k8s:Service/payments/payments-api"),
        "fail"
    );

    let requests = api.requests();
    assert!(
        requests.iter().all(|r| r.starts_with("GET ")),
        "{requests:#?}"
    );
    assert!(
        requests
            .iter()
            .any(|r| r.contains("/api/v1/pods?") && r.contains("continue=")),
        "pagination not followed: {requests:#?}"
    );
    assert!(
        !requests.iter().any(|r| r.contains("secrets")),
        "{requests:#?}"
    );
    let configmaps: Vec<&String> = requests
        .iter()
        .filter(|r| r.contains("configmaps"))
        .collect();
    assert_eq!(
        configmaps,
        ["GET /api/v1/namespaces/kube-system/configmaps/aws-auth"]
    );
    // Every pod was read across pages: 18 pods in the export, 3 per page.
    let pod_pages = requests
        .iter()
        .filter(|r| r.starts_with("GET /api/v1/pods?"))
        .count();
    assert_eq!(pod_pages, 6, "{requests:#?}");
}

#[test]
fn a_forbidden_kind_errors_only_the_checks_that_need_it() {
    let setup = Setup::new(&["--forbid", "rolebindings"], "test-token");
    let report = setup.scan(&[]);
    let v = verdicts(&report);
    for check in [
        "rbac-cluster-admin",
        "rbac-secrets",
        "sa-default-used",
        "sa-token-automount",
    ] {
        assert_eq!(v[check], "error", "{check}");
        let message = findings(&report, check)[0]["message"].as_str().unwrap();
        assert!(
            message.contains("k8s:list:rolebindings") && message.contains("403"),
            "{check}: {message}"
        );
    }
    // The rest of the Kubernetes side still ran.
    assert_eq!(v["pod-privileged"], "fail");
    assert_eq!(v["rbac-wildcards"], "fail");
    assert_eq!(v["ns-pod-security"], "fail");
}

#[test]
fn rejected_credentials_or_no_context_say_what_to_do_and_the_aws_side_still_runs() {
    let setup = Setup::new(&[], "wrong-token");
    let api = &setup.api;
    let report = setup.scan(&[]);
    let message = findings(&report, "rbac-cluster-admin")[0]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(message.contains("401"), "{message}");
    assert_eq!(verdicts(&report)["service-logging"], "pass");

    // No --context and no context whose server is the cluster's endpoint.
    let report = scan_json(
        sek(&setup.moto.endpoint()),
        "secure",
        &["--kubeconfig", setup.kubeconfig.to_str().unwrap()],
    );
    let message = findings(&report, "pod-privileged")[0]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        message.contains("aws eks update-kubeconfig --name secure"),
        "{message}"
    );
    assert!(
        api.requests().len() <= 1,
        "only the first scan talks to the server"
    );
}

#[test]
fn a_collected_snapshot_holds_the_kubernetes_side() {
    let setup = Setup::new(&[], "test-token");
    let snapshot = setup.dir.path().join("snap.json");
    sek(&setup.moto.endpoint())
        .args([
            "collect",
            "--cluster",
            "secure",
            "--kubeconfig",
            setup.kubeconfig.to_str().unwrap(),
        ])
        .args(["--context", "fake", "-o", snapshot.to_str().unwrap()])
        .assert()
        .success();
    let text = std::fs::read_to_string(&snapshot).unwrap();
    let inventory: Value = serde_json::from_str(&text).unwrap();
    let k8s = &inventory["clusters"][0]["kubernetes"];
    assert_eq!(k8s["server_version"], "v1.31.4-eks-2d5f260");
    // 18 pods, 2 ReplicaSets and a Job fold into 9 workloads: 2 DaemonSets, 4 Deployments, a
    // StatefulSet, a CronJob and the one pod no controller owns.
    let mut workloads: Vec<String> = k8s["workloads"]
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
    // Environment variable literals never reach the snapshot.
    assert!(
        !text.contains("\"value\": \"info\""),
        "env values are dropped"
    );
    let calls = &inventory["meta"]["api_calls_by_action"];
    assert_eq!(calls["k8s:list:pods"], 6);
    // The servers go; the snapshot alone gives the same verdicts.
    let Setup {
        dir: _dir,
        moto,
        api,
        ..
    } = setup;
    drop((moto, api));
    let offline = sek_offline()
        .args([
            "scan",
            "--snapshot",
            snapshot.to_str().unwrap(),
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&offline.stdout).unwrap();
    assert_eq!(verdicts(&report)["rbac-cluster-admin"], "fail");
}

#[test]
fn kubelets_are_read_through_the_node_proxy_and_a_denied_or_silent_one_fails_alone() {
    const DENIED: &str = "ip-10-0-2-41.eu-west-1.compute.internal";
    const SILENT: &str = "ip-10-0-3-17.eu-west-1.compute.internal";
    let setup = Setup::new(
        &["--forbid-configz", DENIED, "--hang-configz", SILENT],
        "test-token",
    );
    let api = &setup.api;
    let started = std::time::Instant::now();
    let report = setup.scan(&["--kubelet-timeout", "2"]);
    assert!(
        started.elapsed().as_secs() < 25,
        "the silent kubelet held the scan up"
    );
    let node = |name: &str| format!("k8s:Node//{name}");
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
    assert_eq!(status_of(&report, check, &node(DENIED)), "error");
    assert_eq!(status_of(&report, check, &node(SILENT)), "error");
    let message = |name: &str| {
        findings(&report, check)
            .iter()
            .find(|f| f["resource"] == node(name))
            .unwrap()["message"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert!(
        message(DENIED).contains("grant `get` on `nodes/proxy`"),
        "{}",
        message(DENIED)
    );
    assert!(
        message(SILENT).contains("did not answer within 2 s"),
        "{}",
        message(SILENT)
    );
    // The anonymous-auth check reads the same configurations: the legacy node fails there too.
    assert_eq!(
        status_of(
            &report,
            "kubelet-anonymous-auth",
            &node("ip-10-0-9-5.eu-west-1.compute.internal")
        ),
        "fail"
    );
    let requests = api.requests();
    assert_eq!(
        requests
            .iter()
            .filter(|r| r.ends_with("/proxy/configz"))
            .count(),
        4,
        "{requests:#?}"
    );
}
