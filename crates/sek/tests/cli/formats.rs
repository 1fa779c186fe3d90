//! Report formats, compliance tables and waivers.

use super::*;

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
fn output_files_take_compound_extensions_and_fall_back_to_format() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    sek_offline()
        .current_dir(d)
        .args(["scan", "--demo", "--fail-on", "none"])
        .args([
            "-o",
            "hub.asff.json",
            "-o",
            "lake.ocsf.json",
            "-o",
            "code.sarif.json",
        ])
        .args(["-o", "ci.junit.xml", "-o", "plain.asff"])
        .assert()
        .success();
    let read = |name: &str| std::fs::read_to_string(d.join(name)).unwrap();
    let json = |name: &str| serde_json::from_str::<Value>(&read(name)).unwrap();
    assert_eq!(json("hub.asff.json")[0]["SchemaVersion"], "2018-10-08");
    assert_eq!(json("plain.asff")[0]["SchemaVersion"], "2018-10-08");
    assert_eq!(json("lake.ocsf.json")[0]["class_uid"], 2003);
    assert_eq!(json("code.sarif.json")["version"], "2.1.0");
    assert!(read("ci.junit.xml").starts_with("<?xml"));

    // An extension sek does not know takes --format's format.
    sek_offline()
        .current_dir(d)
        .args([
            "scan",
            "--demo",
            "--fail-on",
            "none",
            "--format",
            "asff",
            "-o",
            "findings.out",
        ])
        .assert()
        .success();
    assert_eq!(json("findings.out")[0]["SchemaVersion"], "2018-10-08");
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
