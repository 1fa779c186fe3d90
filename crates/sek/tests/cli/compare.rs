//! `sek diff` and `sek merge`.

use super::*;

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

    // A directory stands for its .json files (a container without a shell has no glob).
    std::fs::write(dir.path().join("notes.txt"), "not a report").unwrap();
    let output = sek_offline()
        .arg("merge")
        .arg(dir.path())
        .args(["-f", "json", "--fail-on", "none"])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let from_dir: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(from_dir["clusters"], merged["clusters"]);
    let empty = tempfile::tempdir().unwrap();
    sek_offline()
        .arg("merge")
        .arg(empty.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no .json report"));
}
