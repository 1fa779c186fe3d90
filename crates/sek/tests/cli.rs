//! The command line on snapshots: output, exit statuses, and every kind of bad input. No AWS.

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
    assert_eq!(report["summary"]["fail"], 59);
    assert_eq!(report["summary"]["manual"], 4);
    assert_eq!(report["summary"]["pass"], 20);
    assert_eq!(report["summary"]["waived"], 1);
    assert_eq!(report["summary"]["error"], 0);
}

#[test]
fn fail_on_sets_the_exit_status() {
    sek_offline()
        .args(["scan", "--demo", "--fail-on", "none"])
        .assert()
        .code(0);
    // The demo's one critical failure is the debug pod mounting the Docker socket.
    sek_offline()
        .args(["scan", "--demo", "--fail-on", "critical"])
        .assert()
        .code(1);
    sek_offline()
        .args(["scan", "--demo", "--fail-on", "critical"])
        .args(["--skip", "pod-runtime-socket"])
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
            "unknown check id `node-imsd`; did you mean `node-imds`?",
        ));
}

#[test]
fn a_snapshot_with_collection_errors_reports_error_and_lists_them() {
    let mut inventory: Value =
        serde_json::from_str(include_str!("../../../testdata/demo-snapshot.json")).unwrap();
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
        .write_all(include_bytes!("../../../testdata/demo-snapshot.json"))
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
    // With hop limit 2 allowed, only the IMDSv1 node still fails node-imds.
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
    assert_eq!(failing.len(), 1, "{imds:#}");

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
                "59 fail, 4 manual, 20 pass, 1 waived",
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

#[test]
fn checks_list_show_and_docs() {
    let output = sek_offline().args(["checks", "list"]).output().unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.starts_with("ID "));
    assert!(
        text.lines()
            .any(|l| l.starts_with("node-imds") && l.contains("5.2.1") && l.contains("PR.AC-4"))
    );
    assert!(text.contains(&format!("{} checks.", sek_core::checks::ALL.len())));

    let output = sek_offline()
        .args(["checks", "list", "--format", "json"])
        .output()
        .unwrap();
    let list: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(list.as_array().unwrap().len(), sek_core::checks::ALL.len());
    assert_eq!(list[4]["aliases"][0], "service-security-groups");

    sek_offline()
        .args(["checks", "show", "service-security-groups"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with(
            "<!-- Generated by `sek checks docs --write docs/`; do not edit. -->\n# service-sgs",
        ));
    sek_offline()
        .args(["checks", "show", "node-rol"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean `node-role`?"));
    sek_offline()
        .args(["checks", "docs", "--check"])
        .arg(repo().join("docs"))
        .assert()
        .success();

    let dir = tempfile::tempdir().unwrap();
    sek_offline()
        .args(["checks", "docs", "--write"])
        .arg(dir.path())
        .assert()
        .success();
    sek_offline()
        .args(["checks", "docs", "--check"])
        .arg(dir.path())
        .assert()
        .success();
    std::fs::write(dir.path().join("checks/node-imds.md"), "stale").unwrap();
    sek_offline()
        .args(["checks", "docs", "--check"])
        .arg(dir.path())
        .assert()
        .code(1)
        .stderr(predicate::str::contains("checks/node-imds.md"));
}

#[test]
fn help_teaches_and_no_command_is_a_usage_error() {
    sek_offline().arg("--help").assert().success().stdout(
        predicate::str::contains("sek scan --demo").and(predicate::str::contains("Exit status")),
    );
    sek_offline()
        .assert()
        .code(2)
        .stderr(predicate::str::contains("try `sek scan --demo`"));
    sek_offline().args(["scan"]).assert().code(2);
}

#[test]
fn several_formats_in_one_run_from_flags_and_extensions() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let output = sek_offline()
        .current_dir(d)
        .args([
            "scan",
            "--demo",
            "-o",
            "sarif=out.sarif",
            "-o",
            "junit.xml",
            "-o",
            "rows.csv",
            "-o",
            "pr.md",
        ])
        .args([
            "-o",
            "page.html",
            "-o",
            "asff=asff.json",
            "-o",
            "ocsf=ocsf.json",
            "-o",
            "report.json",
            "-o",
            "plain.txt",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(
        output.stdout.is_empty(),
        "files only, unless --format is given"
    );
    let read = |name: &str| std::fs::read_to_string(d.join(name)).unwrap();
    let sarif: Value = serde_json::from_str(&read("out.sarif")).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert!(read("junit.xml").starts_with("<?xml"));
    assert!(read("rows.csv").starts_with("cluster,region,account,check"));
    assert!(read("pr.md").starts_with("# sek report"));
    assert!(read("page.html").starts_with("<!DOCTYPE html>"));
    let asff: Value = serde_json::from_str(&read("asff.json")).unwrap();
    assert_eq!(asff[0]["SchemaVersion"], "2018-10-08");
    let ocsf: Value = serde_json::from_str(&read("ocsf.json")).unwrap();
    assert_eq!(ocsf[0]["class_uid"], 2003);
    let json: Value = serde_json::from_str(&read("report.json")).unwrap();
    assert_eq!(json["report_schema_version"], 1);
    assert!(read("plain.txt").contains("FAIL   high     node-imds"));

    let both = sek_offline()
        .current_dir(d)
        .args(["scan", "--demo", "--format", "markdown", "-o", "x.json"])
        .output()
        .unwrap();
    assert!(
        String::from_utf8(both.stdout)
            .unwrap()
            .starts_with("# sek report"),
        "--format also prints to stdout"
    );
    sek_offline()
        .args(["scan", "--demo", "-o", "report.bin"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("FORMAT=FILE"));
}

#[test]
fn the_json_report_validates_against_the_published_schema() {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("docs/report.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let report = demo_json();
    let errors: Vec<String> = validator
        .iter_errors(&report)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn compliance_tables_for_every_framework() {
    for framework in [
        "cis-eks-1.3.0",
        "cis-eks-1.8.0",
        "nist-csf-1.1",
        "nist-csf-2.0",
        "eks-best-practices",
    ] {
        let output = sek_offline()
            .args([
                "compliance",
                "--demo",
                "--format",
                "json",
                "--framework",
                framework,
            ])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "{framework}");
        let table: Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(table["framework"], framework);
        assert!(!table["rows"].as_array().unwrap().is_empty());
    }
    let output = sek_offline()
        .args([
            "compliance",
            "--demo",
            "--framework",
            "cis-eks-1.8.0",
            "-f",
            "markdown",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(
        text.contains(
            "| 5.4.3 | Ensure clusters are created with Private Nodes | Yes | fail | node-private |"
        ),
        "{text}"
    );
    // Kubelet file permissions can only be read on the node: kubelet-files asks for a review.
    assert!(text.contains(
        "| 3.1.1 | Ensure that the kubeconfig file permissions are set to 644 or more restrictive | Yes | manual | kubelet-files |"
    ), "{text}");
    // A design review no check automates.
    assert!(text.contains(
        "| 4.5.1 | Create administrative boundaries between resources using namespaces | No | manual |"
    ), "{text}");
    sek_offline()
        .args(["compliance", "--demo", "--framework", "cis-eks-9"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("possible values"));

    let output = sek_offline()
        .args(["checks", "list", "--framework", "cis-eks-1.3.0"])
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(
        text.starts_with(
            "CIS Amazon EKS Benchmark v1.3.0: 50 of 52 requirements evaluated by sek checks"
        ),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("5.1.3") && l.contains("node-role"))
    );
}

#[test]
fn waivers_from_the_configuration_show_in_the_report() {
    let (_dir, path) = write_temp(
        "sek.toml",
        "[[waiver]]\ncheck = \"node-sgs\"\nresource = \"*sg-0f9e8d7c6b5a4f703\"\nreason = \"bastion being retired\"\nexpires = \"2999-01-01\"\n\n[[waiver]]\ncheck = \"node-role\"\nresource = \"*:role/nothing\"\nreason = \"stale\"\n",
    );
    let output = sek_offline()
        .args(["scan", "--demo", "--format", "json", "--config"])
        .arg(&path)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let sgs = report["clusters"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["check"] == "node-sgs")
        .unwrap();
    assert_eq!(sgs["status"], "pass");
    let waived = sgs["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["status"] == "waived")
        .unwrap();
    assert_eq!(waived["waiver"]["reason"], "bastion being retired");
    assert_eq!(report["warnings"].as_array().unwrap().len(), 1);
    assert!(
        report["warnings"][0]
            .as_str()
            .unwrap()
            .contains("matched no failing finding")
    );
}

#[test]
fn a_kubectl_export_alone_is_scanned_with_the_kubernetes_checks_only() {
    let export = repo().join("testdata/k8s/demo-prod.json");
    let output = sek_offline()
        .args([
            "scan",
            "--k8s-dir",
            export.to_str().unwrap(),
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let results = report["clusters"][0]["results"].as_array().unwrap();
    let status = |id: &str| {
        results
            .iter()
            .find(|r| r["check"] == id)
            .map(|r| r["status"].as_str().unwrap().to_string())
    };
    assert_eq!(status("rbac-cluster-admin").as_deref(), Some("fail"));
    assert_eq!(status("pod-runtime-socket").as_deref(), Some("fail"));
    assert_eq!(
        status("service-logging"),
        None,
        "AWS checks are not run on an export"
    );
    // Without the AWS side, the IMDS reach of pods off the host network is unknown: an error.
    assert_eq!(status("pod-imds-access").as_deref(), Some("fail"));
    let imds = results
        .iter()
        .find(|r| r["check"] == "pod-imds-access")
        .unwrap();
    assert!(
        imds["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["status"] == "error")
    );

    // Its text report names the export, with no region or account to show.
    let text = sek_offline()
        .args([
            "scan",
            "--k8s-dir",
            export.to_str().unwrap(),
            "--color",
            "never",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert_eq!(text.lines().next(), Some("cluster demo-prod"), "{text}");

    // A directory without the other kinds: what is missing is an error naming the export to add.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("namespaces.json"),
        r#"{"kind":"List","items":[{"kind":"Namespace","metadata":{"name":"web"}}]}"#,
    )
    .unwrap();
    let output = sek_offline()
        .args([
            "scan",
            "--k8s-dir",
            dir.path().to_str().unwrap(),
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let privileged = report["clusters"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["check"] == "pod-privileged")
        .unwrap();
    assert_eq!(privileged["status"], "error");
    let message = privileged["findings"][0]["message"].as_str().unwrap();
    assert!(message.contains("kubectl get pods -A -o json"), "{message}");
}

#[test]
fn a_bad_export_is_a_usage_error_naming_the_file() {
    let (_dir, path) = write_temp("pods.json", "apiVersion: v1\nkind: List\n");
    sek_offline()
        .args(["scan", "--k8s-dir", path.to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("pods.json").and(predicate::str::contains("YAML is not read")),
        );
    sek_offline()
        .args(["scan", "--k8s-dir", "/nonexistent/export"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("/nonexistent/export"));
}

#[test]
fn a_context_with_several_clusters_is_refused() {
    sek_offline()
        .args(["scan", "--cluster", "a", "b", "--context", "prod"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--context names one cluster"));
}

/// The demo's JSON report with `change` applied, written to `dir/name`.
fn demo_report_file(
    dir: &std::path::Path,
    name: &str,
    change: impl FnOnce(&mut Value),
) -> std::path::PathBuf {
    let mut report = demo_json();
    change(&mut report);
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_string_pretty(&report).unwrap()).unwrap();
    path
}

/// The result of `check` in the first cluster of a JSON report.
fn result_of<'a>(report: &'a mut Value, check: &str) -> &'a mut Value {
    report["clusters"][0]["results"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|r| r["check"] == check)
        .unwrap()
}

#[test]
fn diff_tells_what_got_worse_and_better_and_exits_1_on_a_regression() {
    let dir = tempfile::tempdir().unwrap();
    let old = demo_report_file(dir.path(), "old.json", |_| {});
    let passing = result_of(&mut demo_json(), "service-secrets")["status"].clone();
    assert_eq!(passing, "pass", "the demo encrypts Secrets");
    let new = demo_report_file(dir.path(), "new.json", |report| {
        let secrets = result_of(report, "service-secrets");
        secrets["status"] = "fail".into();
        secrets["findings"][0]["status"] = "fail".into();
        secrets["findings"][0]["message"] = "Secrets are not envelope-encrypted".into();
        let logging = result_of(report, "service-logging");
        logging["status"] = "pass".into();
        logging["findings"][0]["status"] = "pass".into();
    });
    let output = sek_offline()
        .arg("diff")
        .args([&old, &new])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "a regression exits 1");
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(
        text.starts_with("Worse (1)\n  pass  → fail  high     service-secrets"),
        "{text}"
    );
    assert!(text.contains("Secrets are not envelope-encrypted"));
    assert!(text.contains("Better (1)\n  fail  → pass  medium   service-logging"));
    assert!(text.contains("1 worse, 1 better, 0 new, 0 gone"));

    // The other way round, the logging fix is undone: that is the regression now. JSON says
    // the same in fields.
    let output = sek_offline()
        .arg("diff")
        .args([&new, &old])
        .args(["-f", "json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let diff: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(diff["regressions"], 1);
    assert_eq!(diff["worse"][0]["check"], "service-logging");
    assert_eq!(diff["better"][0]["check"], "service-secrets");
    assert_eq!(diff["better"][0]["before"], "fail");

    // A report against itself: nothing to say, exit 0.
    let output = sek_offline()
        .arg("diff")
        .args([&old, &old])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(
        String::from_utf8(output.stdout)
            .unwrap()
            .starts_with("0 worse, 0 better, 0 new, 0 gone")
    );
}

#[test]
fn diff_compares_a_snapshot_with_a_report_and_refuses_what_is_neither() {
    let dir = tempfile::tempdir().unwrap();
    let report = demo_report_file(dir.path(), "report.json", |_| {});
    let snapshot = dir.path().join("demo.snapshot.json");
    std::fs::write(&snapshot, sek_core::demo::DEMO_SNAPSHOT).unwrap();
    // The shipped snapshot holds the AWS side only (the demo adds its Kubernetes export), so
    // the Kubernetes findings are "gone" — and nothing of the AWS side changed.
    let output = sek_offline()
        .arg("diff")
        .args([&report, &snapshot])
        .args(["-f", "json"])
        .output()
        .unwrap();
    let diff: Value = serde_json::from_slice(&output.stdout).unwrap();
    for change in diff["worse"].as_array().unwrap() {
        assert!(
            !change["check"].as_str().unwrap().starts_with("service-"),
            "{change}"
        );
    }
    let bad = write_temp("notes.json", r#"{"hello": "world"}"#);
    sek_offline()
        .arg("diff")
        .args([&report, &bad.1])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("notes.json"))
        .stderr(predicate::str::contains("schema_version"));
}

#[test]
fn merge_combines_per_account_reports_into_one_fleet_report() {
    let dir = tempfile::tempdir().unwrap();
    let first = demo_report_file(dir.path(), "a.json", |_| {});
    let second = demo_report_file(dir.path(), "b.json", |report| {
        report["clusters"][0]["name"] = "staging".into();
        report["clusters"][0]["account_id"] = "444455556666".into();
        report["not_scanned"] = serde_json::json!([{
            "account": "777788889999", "api": "sts:AssumeRole", "kind": "access-denied",
            "message": "AccessDenied"
        }]);
    });
    let output = sek_offline()
        .arg("merge")
        .args([&first, &second])
        .args(["-f", "json", "--fail-on", "none"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let merged: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(merged["clusters"].as_array().unwrap().len(), 2);
    assert_eq!(merged["fleet"]["accounts"], 2);
    assert_eq!(merged["not_scanned"][0]["account"], "777788889999");
    let single = demo_json();
    assert_eq!(
        merged["summary"]["fail"].as_u64().unwrap(),
        2 * single["summary"]["fail"].as_u64().unwrap()
    );
    // Any format: the text report opens the fleet section, and the gap makes the exit 1.
    let output = sek_offline()
        .arg("merge")
        .args([&first, &second])
        .args(["--fail-on", "critical"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(
        text.contains("Fleet: 2 clusters in 2 accounts and 1 region"),
        "{text}"
    );
    assert!(text.contains("Not scanned (1)"));
}
