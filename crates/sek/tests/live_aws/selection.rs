//! Scans scoped to what was asked: each check alone makes exactly the reads it declares (and
//! discovery's), and judges as it does in a full scan; a snapshot collected for some checks
//! refuses to judge others.

use std::collections::{BTreeMap, BTreeSet};

use sek_core::checks::{ALL, COLLECTOR_ACTIONS, DISCOVERY_ACTIONS};
use serde_json::Value;

use super::support::*;

const CLUSTERS: [&str; 2] = ["secure", "insecure"];

/// One run: (cluster, check) -> status, and the AWS calls it made.
struct Run {
    verdicts: BTreeMap<(String, String), String>,
    calls: BTreeSet<String>,
    messages: String,
}

fn run(endpoint: &str, extra: &[&str]) -> Run {
    let output = sek(endpoint)
        .args(["scan", "--format", "json", "--cluster"])
        .args(CLUSTERS)
        .args(extra)
        .output()
        .unwrap();
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "sek scan {extra:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let mut verdicts = BTreeMap::new();
    let mut messages = String::new();
    for cluster in report["clusters"].as_array().unwrap() {
        for result in cluster["results"].as_array().unwrap() {
            let key = (
                cluster["name"].as_str().unwrap().to_string(),
                result["check"].as_str().unwrap().to_string(),
            );
            verdicts.insert(key, result["status"].as_str().unwrap().to_string());
            for finding in result["findings"].as_array().unwrap() {
                messages.push_str(finding["message"].as_str().unwrap_or_default());
                messages.push('\n');
            }
        }
        messages.push_str(&cluster["collection_errors"].to_string());
    }
    let calls = report["inventory"]["api_calls_by_action"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    Run {
        verdicts,
        calls,
        messages,
    }
}

#[test]
fn each_check_alone_reads_exactly_its_needs_and_judges_as_the_full_scan() {
    let moto = Moto::start();
    moto.build(&["secure", "insecure", "region-hardened"]);
    let endpoint = moto.endpoint();
    let full = run(&endpoint, &[]);
    assert_eq!(full.verdicts.len(), ALL.len() * CLUSTERS.len());

    // Two runs at a time: the emulator answers one request at a time, the processes start in
    // parallel.
    let alone: Vec<(&str, Run)> = std::thread::scope(|scope| {
        let workers: Vec<_> = [0, 1]
            .map(|worker| {
                let endpoint = &endpoint;
                scope.spawn(move || {
                    ALL.iter()
                        .skip(worker)
                        .step_by(2)
                        .map(|check| (check.id, run(endpoint, &["--checks", check.id])))
                        .collect::<Vec<_>>()
                })
            })
            .into();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
    });

    let discovery: BTreeSet<&str> = COLLECTOR_ACTIONS
        .iter()
        .chain(DISCOVERY_ACTIONS)
        .copied()
        .collect();
    for (id, run) in &alone {
        let check = sek_core::checks::find(id).unwrap();
        let needs: BTreeSet<&str> = check.needs.iter().map(|n| n.as_str()).collect();
        let calls: BTreeSet<&str> = run.calls.iter().map(String::as_str).collect();
        let beyond: Vec<&&str> = calls
            .iter()
            .filter(|c| !needs.contains(*c) && !discovery.contains(*c))
            .collect();
        assert!(
            beyond.is_empty(),
            "{id} alone called {beyond:?} it does not need"
        );
        // Every need the full scan exercised on these clusters, this check alone makes too. One
        // exception: Inspector's findings serve both the nodes (vuln-nodes, which the full scan
        // read) and the images in use, which only the Kubernetes side names; these scans do not
        // read it, so a check about images has no image to ask Inspector about.
        let follows_images = needs.contains("ecr:DescribeImages");
        let skipped: Vec<&&str> = needs
            .iter()
            .filter(|n| full.calls.contains(**n) && !calls.contains(**n))
            .filter(|n| !(follows_images && **n == "inspector2:ListFindings"))
            .collect();
        assert!(skipped.is_empty(), "{id} alone did not call {skipped:?}");
        assert!(
            !run.messages.contains("internal error"),
            "{id}: {}",
            run.messages
        );
        for cluster in CLUSTERS {
            let key = (cluster.to_string(), id.to_string());
            assert_eq!(
                run.verdicts.get(&key),
                full.verdicts.get(&key),
                "{id} on {cluster}: alone vs full scan"
            );
        }
        assert_eq!(
            run.verdicts.len(),
            CLUSTERS.len(),
            "{id}: only the selected check is reported"
        );
    }
}

#[test]
fn the_original_invocation_reads_only_its_ten_checks_needs() {
    let moto = Moto::start();
    moto.build(&["secure", "insecure"]);
    let seed = run(
        &moto.endpoint(),
        &["--checks", &sek_core::report::seed::SEED_CHECKS.join(",")],
    );
    for unneeded in [
        "eks:ListAddons",
        "cloudtrail:DescribeTrails",
        "iam:ListRoles",
        "logs:DescribeLogGroups",
    ] {
        assert!(
            !seed.calls.contains(unneeded),
            "{unneeded}: {:?}",
            seed.calls
        );
    }
    // The original invocation itself: no Kubernetes side, ten checks.
    let output = sek(&moto.endpoint())
        .args(["--cloud=aws", "--resource=eks", "--name=secure"])
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("Checks: 10"), "{text}");
}

#[test]
fn a_snapshot_collected_for_some_checks_refuses_to_judge_others() {
    let moto = Moto::start();
    moto.build(&["insecure"]);
    let dir = tempfile::tempdir().unwrap();
    let snapshot = dir.path().join("imds.json");
    sek(&moto.endpoint())
        .args([
            "collect",
            "--cluster",
            "insecure",
            "--checks",
            "node-imds",
            "-o",
        ])
        .arg(&snapshot)
        .assert()
        .success();
    let inventory: Value =
        serde_json::from_str(&std::fs::read_to_string(&snapshot).unwrap()).unwrap();
    assert_eq!(
        inventory["meta"]["collected_for"],
        serde_json::json!(["node-imds"])
    );

    let output = sek_offline()
        .args([
            "scan",
            "--format",
            "json",
            "--checks",
            "node-imds,node-volumes",
            "--snapshot",
        ])
        .arg(&snapshot)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let verdicts = verdicts(&report);
    assert_eq!(verdicts["node-imds"], "fail");
    assert_eq!(verdicts["node-volumes"], "error");
    let message = findings(&report, "node-volumes")[0]["message"]
        .as_str()
        .unwrap();
    assert!(
        message.contains("collected for 1 check(s) (node-imds)")
            && message.contains("ec2:DescribeVolumes")
            && message.contains("sek collect --checks node-volumes"),
        "{message}"
    );
}

#[test]
fn a_denied_read_for_an_unselected_check_is_not_an_error() {
    let moto = Moto::start();
    moto.build(&["secure"]);
    let (key, secret) = moto.user(&["ec2:DescribeVolumes", "cloudtrail:DescribeTrails"]);
    moto.enforce_auth(true);
    let output = sek_with_keys(&moto.endpoint(), &key, &secret)
        .args(["scan", "--cluster", "secure", "--format", "json"])
        .args(["--checks", "node-ssh,service-logging"])
        .output()
        .unwrap();
    moto.enforce_auth(false);
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        report["clusters"][0]["collection_errors"],
        serde_json::json!([]),
        "the denied reads were not needed"
    );
    let verdicts = verdicts(&report);
    assert_eq!(verdicts.len(), 2);
    assert_eq!(verdicts["node-ssh"], "pass");
}

/// A live AWS side with an exported Kubernetes side (`--k8s-dir`): what the export names on the
/// AWS side (the images its workloads run) is read as for a live Kubernetes side, and an export
/// given to several clusters is refused before any request.
#[test]
fn an_export_beside_a_live_scan_leads_to_its_images_in_ecr() {
    let moto = Moto::start();
    moto.build(&["secure", "insecure"]);
    let dir = tempfile::tempdir().unwrap();
    let snapshot = dir.path().join("snapshot.json");
    let export = repo().join("testdata/k8s/demo-prod.json");
    sek(&moto.endpoint())
        .args([
            "collect",
            "--cluster",
            "secure",
            "--checks",
            "vuln-images",
            "--k8s-dir",
        ])
        .arg(&export)
        .arg("-o")
        .arg(&snapshot)
        .assert()
        .success();
    let inventory: Value =
        serde_json::from_str(&std::fs::read_to_string(&snapshot).unwrap()).unwrap();
    // The demo's four repositories (in its own account's registry, unknown to moto's caller).
    assert_eq!(
        inventory["meta"]["api_calls_by_action"]["ecr:DescribeImages"],
        4
    );
    let failed = inventory["clusters"][0]["ecr_images"]["failed"]
        .as_array()
        .unwrap();
    assert_eq!(failed.len(), 4, "{failed:#?}");

    let output = sek(&moto.endpoint())
        .args(["scan", "--cluster", "secure", "insecure", "--k8s-dir"])
        .arg(&export)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("name one --cluster with it"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
