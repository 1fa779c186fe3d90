//! AWS settings that look compliant and are not, built in moto beside compliant twins and
//! scanned live: each must be judged by what AWS does with it (tests/moto/fixtures.py,
//! `region_subtle` and `region_subtle_twin`).

mod support;

use serde_json::Value;
use support::*;

/// The findings of `check` on cluster `name` of a fleet report: (resource, status, message).
fn results(report: &Value, name: &str, check: &str) -> Vec<(String, String, String)> {
    let cluster = report["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("{name} not scanned: {:#}", report["not_scanned"]));
    let result = cluster["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["check"] == check)
        .unwrap_or_else(|| panic!("no {check}"));
    result["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["resource"].as_str().unwrap().to_string(),
                f["status"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The one finding of `check` on `name` whose resource ends with `resource`.
fn finding(report: &Value, name: &str, check: &str, resource: &str) -> (String, String) {
    let (_, status, message) = results(report, name, check)
        .into_iter()
        .find(|(r, _, _)| r.ends_with(resource))
        .unwrap_or_else(|| panic!("{check} on {name}: nothing about {resource}"));
    (status, message)
}

#[test]
fn settings_that_only_look_compliant_fail_and_their_twins_pass() {
    // Trails are per account (a multi-region trail covers every region of its account): the
    // twin lives in another account of the organization.
    let moto = Moto::start();
    let members = moto.organization(1);
    moto.build_in(None, "eu-west-1", &["region-subtle:subtle"]);
    moto.build_in(Some(&members[0]), "eu-west-1", &["region-subtle-twin:twin"]);
    let output = sek(&moto.endpoint())
        .args(["scan", "--all-clusters", "--org-role", "SekAudit"])
        .args(["--no-kubernetes", "-f", "json", "--fail-on", "none"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();

    // CloudTrail: read-only management events are not an audit trail; all of them, through an
    // advanced selector, are.
    let (status, message) = finding(&report, "subtle", "detect-cloudtrail", "");
    assert_eq!(status, "fail", "{message}");
    assert!(message.contains("no write management events"), "{message}");
    let (status, message) = finding(&report, "twin", "detect-cloudtrail", "");
    assert_eq!(status, "pass", "{message}");

    // ECR policies: NotPrincipal grants everyone else; a TLS-only condition restricts no one;
    // the organization condition does.
    let (status, message) = finding(&report, "subtle", "ecr-policy", "repository/subtle/app");
    assert_eq!(status, "fail", "{message}");
    assert!(message.contains("NotPrincipal"), "{message}");
    let (status, message) = finding(&report, "subtle", "ecr-policy", "repository/subtle/web");
    assert_eq!(status, "fail", "{message}");
    assert!(message.contains("everyone (public)"), "{message}");
    let (status, _) = finding(&report, "subtle", "ecr-policy", "repository/subtle/org-api");
    assert_eq!(status, "pass");

    // Enhanced scanning: `ap` contains-matches `app` and `org-api`; `web`'s own scan-on-push
    // flag no longer counts.
    for (repository, expected) in [("app", "pass"), ("org-api", "pass"), ("web", "fail")] {
        let (status, message) = finding(
            &report,
            "subtle",
            "ecr-scan",
            &format!("repository/subtle/{repository}"),
        );
        assert_eq!(status, expected, "{repository}: {message}");
    }

    // Tag immutability with exclusions: `*` leaves every tag mutable; `dev-*` does not.
    let (status, message) = finding(
        &report,
        "subtle",
        "ecr-immutable-tags",
        "repository/subtle/app",
    );
    assert_eq!(status, "fail", "{message}");
    let (status, message) = finding(
        &report,
        "subtle",
        "ecr-immutable-tags",
        "repository/subtle/web",
    );
    assert_eq!(status, "pass", "{message}");

    // An EventBridge rule enabled with all CloudTrail management events is enabled.
    let (status, message) = finding(&report, "subtle", "detect-eks-events", "");
    assert_eq!(status, "pass", "{message}");

    // Flow logs of rejected traffic only miss what matters; all traffic passes.
    let (status, message) = finding(&report, "subtle", "detect-flow-logs", "");
    assert_eq!(status, "fail", "{message}");
    assert!(message.contains("only rejected traffic"), "{message}");
    let (status, message) = finding(&report, "twin", "detect-flow-logs", "");
    assert_eq!(status, "pass", "{message}");
}
