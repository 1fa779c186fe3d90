//! Live collection against moto on 127.0.0.1: clusters built through the AWS API, scanned by the
//! real binary, with denied permissions, throttling and unusable environments.

mod denials;
mod failures;
mod selection;
#[path = "../support/mod.rs"]
mod support;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;
use support::*;

/// The ten checks of the original sek, which this test's clusters exercise.
const CHECKS: [&str; 10] = sek_core::report::seed::SEED_CHECKS;

/// Checks moto 5.2 cannot feed: the EKS APIs they need answer HTTP 404 (add-ons, access
/// entries, Pod Identity, updates, cluster versions), or DescribeCluster has no accessConfig.
/// Against moto they must report `error` naming what is missing, never pass; their verdicts are
/// tested on snapshots in their unit tests.
const MOTO_GAPS: &[(&str, &str)] = &[
    ("service-health", "eks:ListUpdates"),
    ("service-auth-mode", "no access configuration"),
    ("service-creator-admin", "no access configuration"),
    ("access-entries-admin", "eks:ListAccessEntries"),
    ("service-network-policy", "eks:ListAddons"),
    ("cluster-secrets-store", "eks:ListAddons"),
    ("service-insights", "eks:ListInsights"),
    ("service-addon-versions", "eks:ListAddons"),
];

/// Every check with `status`, then `overrides`.
fn expect(status: &str, overrides: &[(&str, &str)]) -> BTreeMap<String, String> {
    let mut expected: BTreeMap<String, String> = sek_core::checks::ALL
        .iter()
        .map(|c| (c.id.to_string(), status.to_string()))
        .collect();
    // No kubeconfig in the test environment: the Kubernetes side is not read, and every check
    // that needs it says so, except those that fall back to the AWS side: two, and the node
    // checks that also judge Karpenter's and Auto Mode's classes (no node here says Karpenter
    // launched it, so nothing is missing).
    const AWS_FIRST: &[&str] = &[
        "cluster-secrets-store",
        "svc-lb-tls",
        "node-imds",
        "node-volumes",
        "node-ami",
        "node-age",
        "node-sgs",
        "node-private",
        "node-role",
    ];
    for check in sek_core::checks::ALL
        .iter()
        .filter(|c| c.needs.iter().any(|n| n.is_kubernetes()) && !AWS_FIRST.contains(&c.id))
    {
        expected.insert(check.id.to_string(), "error".to_string());
    }
    for (check, status) in MOTO_GAPS.iter().map(|(c, _)| (*c, "error")).chain(
        [
            ("service-fargate", "manual"),
            ("svc-lb-tls", "manual"),
            // moto's DescribeCluster does not report deletionProtection: review, never a pass.
            ("service-deletion-protection", "manual"),
            // Without nodes, or with an Internet gateway, endpoints are optional (the secure
            // cluster's private nodes have them).
            ("net-vpc-endpoints", "not-applicable"),
        ]
        .into_iter()
        .chain(overrides.iter().copied()),
    ) {
        assert!(expected.contains_key(check), "no check {check}");
        expected.insert(check.to_string(), status.to_string());
    }
    expected
}

fn all(status: &str) -> BTreeMap<String, String> {
    CHECKS
        .iter()
        .map(|c| (c.to_string(), status.to_string()))
        .collect()
}

fn messages(report: &Value, check: &str) -> String {
    findings(report, check)
        .iter()
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

fn assert_moto_gaps_are_named(report: &Value) {
    for (check, missing) in MOTO_GAPS {
        let text = messages(report, check);
        assert!(
            text.contains(missing),
            "{check} does not say {missing}:\n{text}"
        );
    }
}

#[test]
fn secure_insecure_and_empty_clusters_get_the_right_verdicts() {
    let moto = Moto::start();
    let manifest = moto.build(&["secure", "insecure", "empty", "region-hardened"]);

    let secure = scan_json(sek(&moto.endpoint()), "secure", &[]);
    let expected = expect(
        "pass",
        &[
            ("service-endpoint-firewall", "not-applicable"),
            // No DescribeClusterVersions in moto; the node group's version is still compared.
            ("service-version", "error"),
            // IRSA roles are judged, Pod Identity associations cannot be listed.
            ("iam-irsa-trust", "error"),
            ("iam-pod-roles", "error"),
            ("net-vpc-endpoints", "pass"),
        ],
    );
    assert_eq!(verdicts(&secure), expected);
    assert_moto_gaps_are_named(&secure);
    assert!(messages(&secure, "service-version").contains("runs the control plane's version 1.31"));
    assert!(
        messages(&secure, "iam-irsa-trust")
            .contains("secure-app trusts system:serviceaccount:app:api")
    );
    // Every node is evaluated, whichever way it was found (ASG only, tags only, both).
    let imds: Vec<&str> = findings(&secure, "node-imds")
        .iter()
        .map(|f| f["resource"].as_str().unwrap())
        .collect();
    for id in manifest["secure"]["instances"]
        .as_object()
        .unwrap()
        .values()
    {
        assert!(
            imds.iter().any(|r| r.ends_with(id.as_str().unwrap())),
            "{id} not evaluated: {imds:?}"
        );
    }

    let insecure = scan_json(sek(&moto.endpoint()), "insecure", &[]);
    let mut expected = expect(
        "pass",
        &[
            ("service-version", "fail"),
            ("service-secrets-key", "not-applicable"),
            ("service-log-retention", "fail"),
            ("service-sg-baseline", "fail"),
            ("iam-irsa-trust", "fail"),
            ("iam-pod-roles", "fail"),
            // Its cluster role also holds AmazonEC2FullAccess.
            ("service-role", "fail"),
            ("node-ami", "fail"),
            ("node-ssh", "fail"),
            ("node-user-data-secrets", "fail"),
            ("detect-flow-logs", "fail"),
            // Inspector found a critical kernel vulnerability on its node.
            ("vuln-nodes", "fail"),
        ],
    );
    expected.extend(all("fail"));
    // The leaked key is named by kind and line, and its value appears nowhere in the report.
    let leak = messages(&insecure, "node-user-data-secrets");
    assert!(
        leak.contains("AWS access key id on line 3")
            && leak.contains("AWS secret access key on line 4"),
        "{leak}"
    );
    assert!(!insecure.to_string().contains("AKIAIOSFODNN7EXAMPLE"));
    assert_eq!(verdicts(&insecure), expected);
    assert_moto_gaps_are_named(&insecure);
    assert!(
        messages(&insecure, "service-logging")
            .contains("audit, authenticator, controllerManager, scheduler")
    );
    let sgs = messages(&insecure, "service-sgs");
    assert!(
        sgs.contains("SSH (tcp/22) from 0.0.0.0/0") && sgs.contains("all traffic from ::/0"),
        "{sgs}"
    );
    let node_sgs = messages(&insecure, "node-sgs");
    assert!(
        node_sgs.contains("SSH (tcp/22), RDP (tcp/3389) from 0.0.0.0/0"),
        "{node_sgs}"
    );
    let imds = messages(&insecure, "node-imds");
    assert!(
        imds.contains("IMDSv1 is allowed") && imds.contains("hop limit is 2"),
        "{imds}"
    );
    assert!(messages(&insecure, "node-private").contains("Internet gateway"));
    let role = messages(&insecure, "node-role");
    assert!(
        role.contains("AdministratorAccess") && role.contains("inline policies: push"),
        "{role}"
    );
    assert!(
        findings(&insecure, "node-role")[0]["evidence"]["ecr_write_actions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a == "ecr:PutImage")
    );
    for (check, needle) in [
        (
            "service-version",
            "node group legacy runs Kubernetes 1.19, behind the control plane's 1.31",
        ),
        (
            "service-log-retention",
            "/aws/eks/insecure/cluster does not exist",
        ),
        ("service-sg-baseline", "tcp/22 from 0.0.0.0/0"),
        (
            "iam-irsa-trust",
            "`sub` StringLike `system:serviceaccount:*:*` matches more than one service account; no `aud` condition",
        ),
        ("node-ami", "Windows_Server"),
        ("node-ssh", "key pair insecure-ops"),
        ("detect-flow-logs", "no active flow log"),
        (
            "vuln-nodes",
            "CVE-2024-1086 (CRITICAL) in kernel 5.10.205-195.807.amzn2 (fixed in 5.10.209-198.812.amzn2), exploit known",
        ),
    ] {
        let text = messages(&insecure, check);
        assert!(text.contains(needle), "{check}:\n{text}");
    }

    let empty = scan_json(sek(&moto.endpoint()), "empty", &[]);
    let mut expected = expect(
        "pass",
        &[
            ("service-version", "error"),
            // Its key is not rotated and its log group was never created.
            ("service-secrets-key", "fail"),
            ("service-log-retention", "fail"),
            // No OIDC provider for its issuer, and the add-ons cannot be read to look for the
            // Pod Identity agent: unproven, not failed.
            ("iam-oidc-provider", "error"),
            ("iam-irsa-trust", "error"),
            ("iam-pod-roles", "error"),
            ("node-ami", "not-applicable"),
            ("node-age", "not-applicable"),
            ("node-ssh", "not-applicable"),
            ("detect-flow-logs", "fail"),
            ("vuln-nodes", "not-applicable"),
        ],
    );
    expected.extend(all("not-applicable"));
    expected.insert("node-user-data-secrets".into(), "not-applicable".into());
    for (check, status) in [
        ("service-logging", "pass"),
        ("service-secrets", "pass"),
        ("service-endpoint", "fail"),
        ("service-endpoint-firewall", "pass"),
        ("service-sgs", "pass"),
    ] {
        expected.insert(check.into(), status.into());
    }
    assert_eq!(verdicts(&empty), expected);
}

#[test]
fn region_settings_are_read_once_and_judged_alike_for_every_cluster_of_the_region() {
    let moto = Moto::start();
    moto.build(&["secure", "insecure", "region-lax"]);
    let dir = tempfile::tempdir().unwrap();
    let snapshot = dir.path().join("both.json");
    sek(&moto.endpoint())
        .args(["collect", "--cluster", "secure", "insecure", "-o"])
        .arg(&snapshot)
        .assert()
        .success();
    let inventory: Value =
        serde_json::from_str(&std::fs::read_to_string(&snapshot).unwrap()).unwrap();
    let calls = &inventory["meta"]["api_calls_by_action"];
    for api in [
        "cloudtrail:DescribeTrails",
        "guardduty:ListDetectors",
        "ecr:DescribeRepositories",
        "events:ListRules",
        "ec2:GetEbsEncryptionByDefault",
        "iam:ListRoles",
        // Inspector is asked about both clusters' nodes together.
        "inspector2:ListCoverage",
        "inspector2:ListFindings",
    ] {
        assert_eq!(calls[api], 1, "{api} for two clusters");
    }
    assert_eq!(calls["eks:DescribeCluster"], 2);
    // EKS's add-on catalogue: the three core add-ons once per Kubernetes version, not per cluster.
    let versions: std::collections::BTreeSet<&str> = inventory["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["cluster"]["version"].as_str().unwrap())
        .collect();
    assert_eq!(calls["eks:DescribeAddonVersions"], 3 * versions.len());

    let report = sek_offline()
        .args(["scan", "--format", "json", "--snapshot"])
        .arg(&snapshot)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&report.stdout).unwrap();
    let clusters = report["clusters"].as_array().unwrap();
    assert_eq!(clusters.len(), 2);
    let region_checks: Vec<&str> = sek_core::checks::ALL
        .iter()
        .filter(|c| c.scope() == sek_core::checks::Scope::Region)
        .map(|c| c.id)
        .collect();
    assert_eq!(region_checks.len(), 10);
    for check in &region_checks {
        let result = |cluster: &Value| {
            cluster["results"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["check"] == *check)
                .unwrap()
                .clone()
        };
        let (first, second) = (result(&clusters[0]), result(&clusters[1]));
        assert_eq!(first, second, "{check} differs between the clusters");
        assert_eq!(first["status"], "fail", "{check}: {first}");
    }
    let text = |check: &str| {
        clusters[0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["check"] == check)
            .unwrap()["findings"]
            .to_string()
    };
    for (check, needle) in [
        (
            "node-ebs-default",
            "EBS encryption by default is off in eu-west-1",
        ),
        ("ecr-scan", "region-lax/legacy's images are not scanned"),
        ("ecr-immutable-tags", "MUTABLE"),
        ("ecr-lifecycle", "no lifecycle policy"),
        ("ecr-kms", "AES256"),
        ("ecr-policy", "grants everyone (public)"),
        ("detect-cloudtrail", "no trail is multi-region"),
        ("detect-guardduty", "without runtime monitoring"),
        ("detect-inspector", "does not scan ECR"),
        ("detect-eks-events", "none has a target"),
    ] {
        assert!(text(check).contains(needle), "{check}: {}", text(check));
    }
}

#[test]
fn a_snapshot_scans_like_the_live_cluster_and_every_call_is_documented_and_made_once() {
    let moto = Moto::start();
    moto.build(&["secure"]);
    let dir = tempfile::tempdir().unwrap();
    let snapshot = dir.path().join("secure.json");
    sek(&moto.endpoint())
        .args(["collect", "--cluster", "secure", "-o"])
        .arg(&snapshot)
        .assert()
        .success();

    let live = scan_json(sek(&moto.endpoint()), "secure", &[]);
    let offline = sek_offline()
        .args(["scan", "--format", "json", "--snapshot"])
        .arg(&snapshot)
        .output()
        .unwrap();
    // Failures (no region settings in this account) and moto's gaps exit 1 alike.
    assert_eq!(offline.status.code(), Some(1));
    let offline: Value = serde_json::from_slice(&offline.stdout).unwrap();
    assert_eq!(verdicts(&live), verdicts(&offline));
    assert_eq!(
        live["clusters"][0]["results"],
        offline["clusters"][0]["results"]
    );

    let inventory: Value =
        serde_json::from_str(&std::fs::read_to_string(&snapshot).unwrap()).unwrap();
    let calls: BTreeMap<String, u64> =
        serde_json::from_value(inventory["meta"]["api_calls_by_action"].clone()).unwrap();
    // The published policy allows every call the collector made.
    let policy: Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("docs/iam-policy.json")).unwrap(),
    )
    .unwrap();
    let allowed: Vec<&str> = policy["Statement"][0]["Action"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    for api in calls.keys() {
        assert!(
            allowed.contains(&api.as_str()),
            "{api} is called but not in docs/iam-policy.json"
        );
    }
    // One call per resource or batch: 3 nodes share one profile and role; the role's three
    // policies are the minimal AWS ones, whose documents are not needed; DescribeInstances runs
    // the two tag queries plus one by id for the node only its Auto Scaling group knows;
    // ListUpdates runs for the cluster and for its node group. The region's settings are read
    // once; the per-item reads after the lists (DescribeAddon, GetDetector...) find nothing to
    // read in this account or are cut short by moto's 404s.
    let expected: BTreeMap<String, u64> = [
        ("sts:GetCallerIdentity", 1),
        ("eks:DescribeCluster", 1),
        ("eks:ListNodegroups", 1),
        ("eks:DescribeNodegroup", 1),
        ("eks:ListUpdates", 2),
        ("eks:ListAddons", 1),
        ("eks:ListAccessEntries", 1),
        ("eks:ListPodIdentityAssociations", 1),
        ("eks:ListFargateProfiles", 1),
        ("eks:DescribeClusterVersions", 1),
        ("autoscaling:DescribeAutoScalingGroups", 1),
        ("ec2:DescribeInstances", 3),
        ("ec2:DescribeLaunchTemplateVersions", 1),
        ("ec2:DescribeSecurityGroups", 1),
        ("ec2:DescribeSubnets", 1),
        ("ec2:DescribeRouteTables", 1),
        ("ec2:DescribeVpcEndpoints", 1),
        ("ec2:DescribeVolumes", 1),
        ("ec2:DescribeImages", 1),
        ("ec2:DescribeFlowLogs", 1),
        ("ec2:GetEbsEncryptionByDefault", 1),
        ("iam:GetInstanceProfile", 1),
        // The node role's, the IRSA role's and the cluster role's policies: the IRSA role's
        // managed and inline one.
        ("iam:GetRole", 1),
        ("iam:ListAttachedRolePolicies", 3),
        ("iam:ListRolePolicies", 3),
        ("iam:GetRolePolicy", 1),
        ("iam:GetPolicy", 1),
        ("iam:GetPolicyVersion", 1),
        ("iam:ListOpenIDConnectProviders", 1),
        ("iam:ListRoles", 1),
        ("kms:DescribeKey", 1),
        ("kms:GetKeyRotationStatus", 1),
        ("logs:DescribeLogGroups", 1),
        ("cloudtrail:DescribeTrails", 1),
        ("guardduty:ListDetectors", 1),
        ("inspector2:BatchGetAccountStatus", 1),
        ("ecr:GetRegistryScanningConfiguration", 1),
        ("ecr:DescribeRepositories", 1),
        ("events:ListRules", 1),
        ("eks:ListInsights", 1),
        // The three core add-ons' versions (moto lists no add-ons), one call each.
        ("eks:DescribeAddonVersions", 3),
        // Inspector's coverage and findings of the cluster's three nodes: one filtered call
        // each (ten instances per filter). ECR's signing rules, once for the region.
        ("inspector2:ListCoverage", 1),
        ("inspector2:ListFindings", 1),
        ("ecr:GetSigningConfiguration", 1),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    assert_eq!(calls, expected);
    assert_eq!(inventory["meta"]["api_calls"], 53);
}

#[test]
fn the_original_invocation_prints_the_original_layout() {
    let moto = Moto::start();
    moto.build(&["secure", "insecure"]);

    let output = sek(&moto.endpoint())
        .args([
            "--cloud=aws",
            "--resource=eks",
            "--name=insecure",
            "--skip",
            "node-role",
            "service-security-groups",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.starts_with(
        "Sek - Live Cloud Resource Security Configuration Scanning\n-----\nCloud: aws - Resource: eks - Name: insecure\n\
         Skip: ['node-role', 'service-security-groups']\n-----\nScan\n-----\nservice-logging: FAIL\n"
    ), "{text}");
    for line in [
        "service-security-groups: SKIP",
        "node-role: SKIP",
        "node-imds: FAIL",
        "Checks: 10",
        "Pass: 0 - (0.0%)",
        "Fail: 8 - (80.0%)",
        "Skip: 2 - (20.0%)",
        "Error: 0 - (0.0%)",
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "missing {line:?} in\n{text}"
        );
    }
    assert!(
        text.lines()
            .any(|l| l.starts_with("Time: ") && l.ends_with('s'))
    );

    let output = sek(&moto.endpoint())
        .args(["--cloud", "aws", "--resource", "eks", "--name", "secure"])
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(0), "{text}");
    assert!(text.contains("Pass: 10 - (100.0%)"), "{text}");
}
