//! Test harness: a moto server on 127.0.0.1, fixtures built through its AWS API, a throttling
//! proxy, and a `sek` command with a hermetic environment (no real credentials, no IMDS, no
//! address outside loopback).

#![allow(dead_code)]

pub mod apiserver;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command as Process, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use serde_json::Value;

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

pub fn venv_bin(name: &str) -> PathBuf {
    let path = repo().join(".venv/bin").join(name);
    assert!(
        path.exists(),
        "{} is missing: run scripts/setup-test-env.sh (or scripts/test.sh) to install the test emulator",
        path.display()
    );
    path
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn wait_for(port: u16, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "{what} did not start on port {port}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A moto server, killed on drop.
pub struct Moto {
    child: Child,
    pub port: u16,
}

impl Moto {
    /// Start a fresh server (AWS managed IAM policies loaded, as the node-role fixtures need)
    /// through the launcher that fixes moto's signature check on REST reads.
    pub fn start() -> Moto {
        Moto::start_with(&[])
    }

    /// Start with extra launcher flags (`--eks-endpoints FILE`).
    pub fn start_with(extra: &[&str]) -> Moto {
        let port = free_port();
        let child = Process::new(venv_bin("python"))
            .arg(repo().join("tests/moto/server.py"))
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .args(extra)
            .env("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start moto_server");
        let moto = Moto { child, port };
        wait_for(port, "moto_server");
        moto
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn fixtures(&self, args: &[&str]) -> Value {
        let output = Process::new(venv_bin("python"))
            .arg(repo().join("tests/moto/fixtures.py"))
            .args(["--endpoint", &self.endpoint()])
            .args(args)
            .output()
            .expect("run fixtures.py");
        assert!(
            output.status.success(),
            "fixtures.py {args:?} failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        if output.stdout.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&output.stdout).unwrap()
        }
    }

    /// Build scenarios (`secure`, `insecure`, `empty`, or `scenario:name`); returns the manifest.
    pub fn build(&self, scenarios: &[&str]) -> Value {
        let mut args = vec!["build"];
        args.extend_from_slice(scenarios);
        self.fixtures(&args)
    }

    /// Build scenarios in `region`, in `account` (through an assumed role) or the caller's.
    pub fn build_in(&self, account: Option<&str>, region: &str, scenarios: &[&str]) -> Value {
        let mut args = vec!["--region", region];
        if let Some(account) = account {
            args.extend(["--account", account]);
        }
        args.push("build");
        args.extend_from_slice(scenarios);
        self.fixtures(&args)
    }

    /// Create an organization (the caller's account manages it) with `members` member accounts;
    /// returns their ids.
    pub fn organization(&self, members: usize) -> Vec<String> {
        let ids = self.fixtures(&["org", &members.to_string()]);
        serde_json::from_value(ids).unwrap()
    }

    /// An IAM user allowed everything but `denied`; returns (access key id, secret).
    pub fn user(&self, denied: &[&str]) -> (String, String) {
        let mut args = vec!["user"];
        for action in denied {
            args.extend(["--deny", action]);
        }
        let key = self.fixtures(&args);
        (
            key["access_key_id"].as_str().unwrap().into(),
            key["secret_access_key"].as_str().unwrap().into(),
        )
    }

    /// An IAM user named `name`, allowed everything; returns (access key id, secret, ARN).
    pub fn named_user(&self, name: &str) -> (String, String, String) {
        let key = self.fixtures(&["user", "--name", name]);
        let field = |f: &str| key[f].as_str().unwrap().to_string();
        (
            field("access_key_id"),
            field("secret_access_key"),
            field("arn"),
        )
    }

    /// An IAM user named `name`, allowed everything but `denied`; returns (access key id,
    /// secret, ARN).
    pub fn named_user_denied(&self, name: &str, denied: &[&str]) -> (String, String, String) {
        let mut args = vec!["user", "--name", name];
        for action in denied {
            args.extend(["--deny", action]);
        }
        let key = self.fixtures(&args);
        let field = |f: &str| key[f].as_str().unwrap().to_string();
        (
            field("access_key_id"),
            field("secret_access_key"),
            field("arn"),
        )
    }

    /// `count` IAM users named `prefix-0`...: (access key id, secret, ARN) each.
    pub fn named_users(&self, prefix: &str, count: usize) -> Vec<(String, String, String)> {
        let keys = self.fixtures(&["user", "--name", prefix, "--count", &count.to_string()]);
        keys.as_array()
            .unwrap()
            .iter()
            .map(|key| {
                let field = |f: &str| key[f].as_str().unwrap().to_string();
                (
                    field("access_key_id"),
                    field("secret_access_key"),
                    field("arn"),
                )
            })
            .collect()
    }

    /// Enforce IAM policies on every request from now on (or stop).
    pub fn enforce_auth(&self, on: bool) {
        self.fixtures(&["auth", if on { "on" } else { "off" }]);
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The throttling proxy in front of a server, killed on drop.
pub struct ThrottleProxy {
    child: Child,
    pub port: u16,
}

impl ThrottleProxy {
    /// Start with extra arguments (`--every N`, `--always Operation`).
    pub fn start(upstream: &str, args: &[&str]) -> ThrottleProxy {
        let mut child = Process::new(venv_bin("python"))
            .arg(repo().join("tests/moto/throttle_proxy.py"))
            .args(["--upstream", upstream])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start throttle_proxy.py");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port: u16 = line.trim().parse().expect("proxy prints its port");
        wait_for(port, "throttle proxy");
        ThrottleProxy { child, port }
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Requests it throttled, by operation.
    pub fn throttled(&self) -> BTreeMap<String, u64> {
        self.stats("throttled")
    }

    /// Requests it failed with a server error (`--fail`), by operation.
    pub fn failed(&self) -> BTreeMap<String, u64> {
        self.stats("failed")
    }

    fn stats(&self, what: &str) -> BTreeMap<String, u64> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        use std::io::{Read, Write};
        write!(
            stream,
            "GET /__proxy/stats HTTP/1.1\r\nHost: proxy\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let body = response.split("\r\n\r\n").nth(1).unwrap();
        let stats: Value = serde_json::from_str(body).unwrap();
        serde_json::from_value(stats[what].clone()).unwrap()
    }
}

impl Drop for ThrottleProxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `sek` with a hermetic AWS environment pointed at `endpoint`, with static test credentials.
pub fn sek(endpoint: &str) -> Command {
    sek_with_keys(endpoint, "testing", "testing")
}

/// `sek` pointed at `endpoint` with these credentials.
pub fn sek_with_keys(endpoint: &str, key: &str, secret: &str) -> Command {
    let mut cmd = sek_offline();
    cmd.env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_ACCESS_KEY_ID", key)
        .env("AWS_SECRET_ACCESS_KEY", secret)
        .env("AWS_REGION", "eu-west-1");
    cmd
}

/// `sek` with no AWS configuration at all (and IMDS disabled, so nothing leaves loopback).
pub fn sek_offline() -> Command {
    Command::from_std(sek_process())
}

/// [`sek_offline`] as a plain process, for tests that drive its pipes.
pub fn sek_process() -> Process {
    let home = std::env::temp_dir().join("sek-test-home");
    std::fs::create_dir_all(&home).unwrap();
    let mut cmd = Process::new(assert_cmd::cargo::cargo_bin("sek"));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", &home)
        .env("AWS_CONFIG_FILE", home.join("no-config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", home.join("no-credentials"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("NO_COLOR", "1")
        .current_dir(&home);
    cmd
}

/// Run `sek scan --cluster NAME --format json` and parse the report.
pub fn scan_json(mut cmd: Command, cluster: &str, extra: &[&str]) -> Value {
    let output = cmd
        .args(["scan", "--cluster", cluster, "--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "sek scan {cluster} exited {:?}:\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("JSON report")
}

/// Check id -> status of the first cluster of a JSON report.
pub fn verdicts(report: &Value) -> BTreeMap<String, String> {
    report["clusters"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["check"].as_str().unwrap().to_string(),
                r["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The findings of one check in a JSON report.
pub fn findings<'a>(report: &'a Value, check: &str) -> &'a Vec<Value> {
    report["clusters"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["check"] == check)
        .unwrap_or_else(|| panic!("no result for {check}"))["findings"]
        .as_array()
        .unwrap()
}

/// Every failed read a snapshot's `value` records, wherever it sits: the `failed_read` of a
/// value and the `failed` parts of a listing.
pub fn failed_reads(value: &Value) -> Vec<Value> {
    let mut out = Vec::new();
    collect_failed_reads(value, &mut out);
    out
}

fn collect_failed_reads(value: &Value, out: &mut Vec<Value>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                match (key.as_str(), child) {
                    ("failed_read", failure) => out.push(failure.clone()),
                    ("failed", Value::Array(failures)) => out.extend(failures.iter().cloned()),
                    _ => collect_failed_reads(child, out),
                }
            }
        }
        Value::Array(items) => items
            .iter()
            .for_each(|item| collect_failed_reads(item, out)),
        _ => {}
    }
}
