//! The local Kubernetes control plane of tests/kube/cluster.py (a real kube-apiserver on etcd,
//! the EKS authenticator stand-in, kubelet stand-ins and fault fronts), started once per test
//! binary and shared by its tests. Each test uses its own cluster names and IAM identities, so
//! they do not see each other's access entries. The launcher stops when this process exits
//! (its stdin closes).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command as Process, Stdio};
use std::sync::{Mutex, OnceLock};

use serde_json::{Value, json};

use super::{Moto, repo, venv_bin};

/// The running control plane.
pub struct LocalCluster {
    /// What the launcher printed when ready: endpoints, CA data, paths.
    pub info: Value,
    _child: Mutex<Child>,
    _stdin: Mutex<ChildStdin>,
}

/// Nodes whose kubelet stand-ins refuse the API server, or never answer.
pub const REFUSING_NODE: &str = "ip-10-0-2-41.eu-west-1.compute.internal";
pub const SILENT_NODE: &str = "ip-10-0-3-17.eu-west-1.compute.internal";
/// The fault front: the first 3 Deployment lists are throttled, every Job list fails.
const FAULTS: [&str; 2] = ["/apis/apps/v1/deployments=429x3", "/apis/batch/v1/jobs=500"];

static CLUSTER: OnceLock<LocalCluster> = OnceLock::new();

/// The shared control plane, started on first use.
pub fn local_cluster() -> &'static LocalCluster {
    CLUSTER.get_or_init(LocalCluster::start)
}

impl LocalCluster {
    fn start() -> LocalCluster {
        let mut command = Process::new(venv_bin("python"));
        command
            .arg(repo().join("tests/kube/cluster.py"))
            .args(["--apiserver", venv_bin("kube-apiserver").to_str().unwrap()])
            .args(["--etcd", venv_bin("etcd").to_str().unwrap()])
            .args(["--kubelet", &format!("{REFUSING_NODE}=refuse")])
            .args(["--kubelet", &format!("{SILENT_NODE}=hang")]);
        for fault in FAULTS {
            command.args(["--fault", fault]);
        }
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start tests/kube/cluster.py");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let info: Value = serde_json::from_str(&line).unwrap_or_else(|_| {
            panic!("tests/kube/cluster.py did not start (its stderr is above): {line:?}")
        });
        let stdin = child.stdin.take().unwrap();
        LocalCluster {
            info,
            _child: Mutex::new(child),
            _stdin: Mutex::new(stdin),
        }
    }

    fn text(&self, field: &str) -> &str {
        self.info[field].as_str().unwrap()
    }

    /// The API server's URL.
    pub fn endpoint(&self) -> &str {
        self.text("apiserver")
    }

    /// The cluster CA, base64 of PEM (as DescribeCluster gives it).
    pub fn ca_data(&self) -> &str {
        self.text("ca_data")
    }

    /// Another CA's data: what a cluster whose CA sek should not trust gives.
    pub fn other_ca_data(&self) -> &str {
        self.text("other_ca_data")
    }

    /// The URL of a front (`faults`, `html`, `close`, `stall`).
    pub fn front(&self, name: &str) -> &str {
        self.info["fronts"][name].as_str().unwrap()
    }

    /// POST `body` to the control API; returns its JSON answer (panics on an error).
    pub fn control(&self, path: &str, body: &Value) -> Value {
        let (status, answer) = http(self.text("control"), "POST", path, Some(body));
        assert_eq!(status, 200, "control {path}: {answer}");
        answer
    }

    /// Let `principal` (an IAM ARN) into cluster `name` with these Kubernetes groups, as an EKS
    /// access entry does.
    pub fn grant(&self, cluster: &str, principal: &str, groups: &[&str]) {
        self.control(
            "/clusters",
            &json!({"name": cluster, "entries": [{"arn": principal, "groups": groups}]}),
        );
    }

    /// Register cluster `name` with no access entries (the API server serves it; nobody is in).
    pub fn register(&self, cluster: &str) {
        self.control("/clusters", &json!({"name": cluster, "entries": []}));
    }

    /// Create or replace objects as an administrator.
    pub fn apply(&self, objects: Vec<Value>) {
        self.control("/objects", &json!({ "items": objects }));
    }

    /// A service account token (TokenRequest).
    pub fn token(&self, namespace: &str, name: &str) -> String {
        let answer = self.control("/token", &json!({"namespace": namespace, "name": name}));
        answer["token"].as_str().unwrap().to_string()
    }

    /// Requests the fault front saw, by path.
    pub fn front_requests(&self) -> Value {
        http(self.text("control"), "GET", "/stats", None).1["front_requests"].clone()
    }

    /// The API server's audit events of `username`.
    pub fn audit_events(&self, username: &str) -> Vec<Value> {
        let log = std::fs::read_to_string(self.text("audit_log")).unwrap();
        log.lines()
            .filter_map(|line| serde_json::from_str::<Value>(line).ok())
            .filter(|event| event["user"]["username"] == username)
            .collect()
    }

    /// A moto with the clusters `names` pointing at `endpoint` (with CA data `ca`), all
    /// registered with the authenticator.
    pub fn moto_with(&self, dir: &Path, clusters: &[(&str, &str, &str)]) -> Moto {
        let file = eks_endpoints(dir, clusters);
        for (name, _, _) in clusters {
            self.register(name);
        }
        Moto::start_with(&["--eks-endpoints", file.to_str().unwrap()])
    }
}

/// The launcher's `--eks-endpoints` file: cluster name -> endpoint and CA data.
pub fn eks_endpoints(dir: &Path, clusters: &[(&str, &str, &str)]) -> PathBuf {
    let map: serde_json::Map<String, Value> = clusters
        .iter()
        .map(|(name, endpoint, ca)| (name.to_string(), json!({"endpoint": endpoint, "ca": ca})))
        .collect();
    let path = dir.join("eks-endpoints.json");
    std::fs::write(&path, Value::Object(map).to_string()).unwrap();
    path
}

/// A plain HTTP/1.1 request to a loopback server; (status, JSON body).
fn http(base: &str, method: &str, path: &str, body: Option<&Value>) -> (u16, Value) {
    let address = base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).unwrap();
    let body = body.map(Value::to_string).unwrap_or_default();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status: u16 = response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let payload = response.split("\r\n\r\n").nth(1).unwrap_or("");
    (status, serde_json::from_str(payload).unwrap_or(Value::Null))
}
