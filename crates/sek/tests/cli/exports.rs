//! Kubernetes exports scanned without AWS.

use super::*;

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
