//! The command line on snapshots: output, exit statuses, and every kind of bad input. No AWS.

mod catalog;
mod compare;
mod exports;
mod formats;
mod install;
#[path = "../support/mod.rs"]
mod support;

use std::io::{BufRead, BufReader, Write};
use std::process::Stdio;

use predicates::prelude::*;
use serde_json::Value;
use support::{repo, sek_offline, sek_process};

fn demo_json() -> Value {
    let output = sek_offline()
        .args(["scan", "--demo", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    serde_json::from_slice(&output.stdout).unwrap()
}

fn write_temp(name: &str, contents: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, contents).unwrap();
    (dir, path)
}

#[test]
fn demo_text_report() {
    let output = sek_offline().args(["scan", "--demo"]).output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(1),
        "the demo has failures at the default --fail-on"
    );
    insta::assert_snapshot!(String::from_utf8(output.stdout).unwrap());
}

#[test]
fn demo_json_report_has_every_check_and_the_schema_version() {
    let report = demo_json();
    assert_eq!(report["report_schema_version"], 1);
    let results = report["clusters"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), sek_core::checks::ALL.len());
    for result in results {
        assert!(
            !result["findings"].as_array().unwrap().is_empty(),
            "{result}"
        );
        assert!(result["docs"].as_str().unwrap().starts_with("docs/checks/"));
        let docs = repo().join(result["docs"].as_str().unwrap());
        assert!(
            docs.exists(),
            "{} is referenced but missing",
            docs.display()
        );
    }
    assert_eq!(report["summary"]["fail"], 78);
    assert_eq!(report["summary"]["manual"], 4);
    assert_eq!(report["summary"]["pass"], 24);
    assert_eq!(report["summary"]["waived"], 1);
    assert_eq!(report["summary"]["error"], 0);
}

#[test]
fn fail_on_sets_the_exit_status() {
    sek_offline()
        .args(["scan", "--demo", "--fail-on", "none"])
        .assert()
        .code(0);
    // The demo's critical failures: the debug pod mounting the Docker socket, the CI bot's
    // cluster-admin binding, which may rewrite aws-auth, the CI role pods can assume, and the
    // two risk paths through payments-api.
    sek_offline()
        .args(["scan", "--demo", "--fail-on", "critical"])
        .assert()
        .code(1);
    sek_offline()
        .args(["scan", "--demo", "--fail-on", "critical"])
        .args([
            "--skip",
            "pod-runtime-socket,rbac-aws-auth-edit,iam-pod-roles,risk-*",
        ])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("exit status 0"));
    sek_offline()
        .args(["scan", "--demo", "--fail-on", "high"])
        .assert()
        .code(1);
    sek_offline()
        .args(["scan", "--demo", "--fail-on", "severe"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("possible values"));
}

#[test]
fn skips_accept_aliases_and_reject_unknown_ids_with_a_suggestion() {
    let output = sek_offline()
        .args([
            "scan",
            "--demo",
            "--format",
            "json",
            "--skip",
            "service-security-groups",
            "node-role",
        ])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let skipped: Vec<&str> = report["clusters"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] == "skipped")
        .map(|r| r["check"].as_str().unwrap())
        .collect();
    assert_eq!(skipped, ["service-sgs", "node-role"]);

    sek_offline()
        .args(["scan", "--demo", "--skip", "node-imsd"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "unknown check, area or framework `node-imsd`; did you mean `node-imds`?",
        ));
}

#[test]
fn checks_select_by_id_glob_area_and_framework() {
    let ids = |selection: &str| -> Vec<String> {
        let output = sek_offline()
            .args(["scan", "--demo", "--format", "json", "--checks", selection])
            .output()
            .unwrap();
        let report: Value = serde_json::from_slice(&output.stdout).unwrap();
        report["clusters"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["check"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids("node-imds"), ["node-imds"]);
    assert_eq!(
        ids("service-logging,node-imds"),
        ["service-logging", "node-imds"]
    );
    let kubelet = ids("kubelet-*");
    assert!(kubelet.len() > 5 && kubelet.iter().all(|id| id.starts_with("kubelet-")));
    assert!(ids("rbac").iter().all(|id| id.starts_with("rbac-")));
    let cis = ids("cis-eks-1.8.0");
    let covered = sek_core::checks::ALL
        .iter()
        .filter(|c| {
            !c.refs_for(sek_core::checks::Framework::CisEks1_8_0)
                .is_empty()
        })
        .count();
    assert_eq!(cis.len(), covered);

    sek_offline()
        .args(["scan", "--demo", "--checks", "rbca"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean `rbac`?"));
    // sek.toml's `checks`, overridden by --checks.
    let (_dir, config) = write_temp("sek.toml", "checks = [\"ecr-*\"]\n");
    let output = sek_offline()
        .args(["scan", "--demo", "--format", "json", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let results = report["clusters"][0]["results"].as_array().unwrap();
    assert!(
        results
            .iter()
            .all(|r| r["check"].as_str().unwrap().starts_with("ecr-"))
    );
}

#[test]
fn a_snapshot_with_collection_errors_reports_error_and_lists_them() {
    let mut inventory: Value =
        serde_json::from_str(include_str!("../../../../testdata/demo-snapshot.json")).unwrap();
    let cluster = &mut inventory["clusters"][0];
    cluster["volumes"] = serde_json::json!({"failed_read": {
        "api": "ec2:DescribeVolumes", "kind": "access-denied",
        "message": "UnauthorizedOperation: You are not authorized to perform this operation."
    }});
    let (_dir, path) = write_temp("gaps.json", &inventory.to_string());
    let output = sek_offline()
        .args(["scan", "--fail-on", "none", "--snapshot"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("ERROR  medium   node-volumes"), "{text}");
    assert!(text.contains("could not be read: ec2:DescribeVolumes (access denied)"));
    assert!(text.contains("Collection errors (1)"));
}

#[test]
fn the_snapshot_can_come_from_stdin() {
    let mut child = sek_process()
        .args(["scan", "--snapshot", "-", "--format", "json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(include_bytes!("../../../../testdata/demo-snapshot.json"))
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["clusters"][0]["name"], "demo-prod");
}

#[test]
fn bad_snapshots_are_usage_errors_that_say_what_is_wrong() {
    let cases = [
        ("empty.json", "", "cannot read snapshot"),
        ("text.json", "not json", "expected ident"),
        (
            "report.json",
            r#"{"report_schema_version": 1, "summary": {}}"#,
            "it looks like a sek report",
        ),
        (
            "future.json",
            r#"{"schema_version": 99, "clusters": []}"#,
            "schema version 99 is newer than this sek supports (3)",
        ),
        (
            "typo.json",
            r#"{"schema_version": 1, "clusters": [{"name": "x", "region": "r", "instances": [{"id": 5}]}]}"#,
            "clusters[0].instances[0].id: invalid type: integer `5`, expected a string",
        ),
    ];
    for (name, contents, message) in cases {
        let (_dir, path) = write_temp(name, contents);
        let output = sek_offline()
            .args(["scan", "--snapshot"])
            .arg(&path)
            .output()
            .unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(output.status.code(), Some(2), "{name}: {stderr}");
        assert!(stderr.contains(message), "{name}: {stderr}");
        assert!(!stderr.contains("panicked"));
    }
    sek_offline()
        .args(["scan", "--snapshot", "/nonexistent/snap.json"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "cannot read snapshot /nonexistent/snap.json: No such file",
        ));
}

#[test]
fn configuration_is_applied_and_its_errors_point_into_the_file() {
    let (dir, path) = write_temp(
        "sek.toml",
        "skip = [\"node-volumes\"]\n\n[thresholds]\nimds_max_hop_limit = 2\n",
    );
    let output = sek_offline()
        .args(["scan", "--demo", "--format", "json", "--config"])
        .arg(&path)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let status = |id: &str| {
        report["clusters"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["check"] == id)
            .unwrap()["status"]
            .clone()
    };
    assert_eq!(status("node-volumes"), "skipped");
    // With hop limit 2 allowed, only the IMDSv1 node and the EC2NodeClass allowing IMDSv1
    // still fail node-imds.
    let imds = &report["clusters"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["check"] == "node-imds")
        .unwrap()["findings"];
    let failing: Vec<&Value> = imds
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "fail")
        .collect();
    let failing: Vec<&str> = failing
        .iter()
        .map(|f| f["resource"].as_str().unwrap())
        .collect();
    assert_eq!(
        failing,
        [
            "arn:aws:ec2:eu-west-1:111122223333:instance/i-0d4c6f8a0e2b5d704",
            "k8s:EC2NodeClass//batch"
        ],
        "{imds:#}"
    );

    // ./sek.toml is picked up when present.
    let output = sek_offline()
        .current_dir(dir.path())
        .args(["scan", "--demo", "--format", "json"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["config"], "sek.toml");

    let (_dir, bad) = write_temp(
        "bad.toml",
        "[thresholds]\nimds_max_hop_limit = 1\nnode_age_days = 3\n",
    );
    sek_offline()
        .args(["scan", "--demo", "--config"])
        .arg(&bad)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "bad.toml:3:1: unknown field `node_age_days`",
        ));
}

#[test]
fn output_to_a_file_is_plain_text_and_the_terminal_gets_a_summary() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.txt");
    sek_offline()
        .args(["scan", "--demo", "--color", "always", "-o"])
        .arg(&path)
        .assert()
        .code(1)
        .stdout("")
        .stderr(
            predicate::str::contains("report written to").and(predicate::str::contains(
                "78 fail, 4 manual, 24 pass, 1 waived",
            )),
        );
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("FAIL   high     node-imds"));
    assert!(!text.contains('\u{1b}'), "escape codes in a file");
}

#[test]
fn colour_follows_the_flag_and_no_color() {
    let coloured = sek_offline()
        .args(["scan", "--demo", "--color", "always"])
        .output()
        .unwrap();
    assert!(
        String::from_utf8(coloured.stdout)
            .unwrap()
            .contains("\u{1b}[")
    );
    // sek_offline sets NO_COLOR and stdout is a pipe: no escapes.
    let plain = sek_offline().args(["scan", "--demo"]).output().unwrap();
    assert!(!String::from_utf8(plain.stdout).unwrap().contains('\u{1b}'));
}

#[test]
fn a_closed_pipe_ends_output_quietly() {
    let mut child = sek_process()
        .args(["scan", "--demo"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with("cluster demo-prod"));
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        !stderr.contains("panicked") && !stderr.contains("Broken pipe"),
        "{stderr}"
    );
}
