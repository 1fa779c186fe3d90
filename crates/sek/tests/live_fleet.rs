//! Fleet scans against moto on 127.0.0.1: several regions and accounts (by role and through an
//! organization) in one run, shared data read once per account and per account-region, and a
//! refused account or region reported while the rest is scanned.

mod support;

use std::collections::BTreeSet;

use serde_json::Value;
use support::*;

const CALLER: &str = "123456789012";

fn role(account: &str) -> String {
    format!("arn:aws:iam::{account}:role/sek-audit")
}

fn calls(report_or_snapshot: &Value, api: &str) -> u64 {
    let meta = report_or_snapshot
        .get("meta")
        .or_else(|| report_or_snapshot.get("inventory"))
        .unwrap();
    meta["api_calls_by_action"][api].as_u64().unwrap_or(0)
}

/// (name, account, region) of every cluster of a report or snapshot.
fn clusters(value: &Value) -> BTreeSet<(String, String, String)> {
    value["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_string(),
                c["account_id"].as_str().unwrap_or("").to_string(),
                c["region"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn set(items: &[(&str, &str, &str)]) -> BTreeSet<(String, String, String)> {
    items
        .iter()
        .map(|(n, a, r)| (n.to_string(), a.to_string(), r.to_string()))
        .collect()
}

#[test]
fn every_account_and_region_is_scanned_and_shared_data_is_read_once_where_there_are_clusters() {
    let moto = Moto::start();
    let members = moto.organization(1);
    let member = members[0].as_str();
    moto.build_in(None, "eu-west-1", &["secure:prod"]);
    moto.build_in(None, "us-east-1", &["insecure:edge"]);
    moto.build_in(Some(member), "eu-west-1", &["secure:payments"]);

    // The caller's account, two regions named.
    let (snapshot, _) = collect(&moto, &["--region", "eu-west-1,us-east-1"]);
    assert_eq!(
        clusters(&snapshot),
        set(&[("prod", CALLER, "eu-west-1"), ("edge", CALLER, "us-east-1")])
    );
    assert_eq!(calls(&snapshot, "eks:ListClusters"), 2);
    assert_eq!(
        calls(&snapshot, "ec2:GetEbsEncryptionByDefault"),
        2,
        "once per region"
    );
    assert_eq!(
        calls(&snapshot, "iam:ListOpenIDConnectProviders"),
        1,
        "once per account"
    );

    // Named clusters across regions: scanned wherever they are; a name found nowhere is said.
    let output = sek(&moto.endpoint())
        .args([
            "scan",
            "--cluster",
            "edge",
            "ghost",
            "--region",
            "eu-west-1,us-east-1",
        ])
        .args(["--no-kubernetes", "-f", "json", "--fail-on", "none"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(clusters(&report), set(&[("edge", CALLER, "us-east-1")]));
    assert_eq!(report["not_scanned"][0]["cluster"], "ghost");
    assert_eq!(report["not_scanned"][0]["kind"], "not-found");

    // Every account of the organization, every enabled region.
    let (snapshot, written) = collect(&moto, &["--all-regions", "--org-role", "sek-audit"]);
    assert_eq!(
        clusters(&snapshot),
        set(&[
            ("prod", CALLER, "eu-west-1"),
            ("edge", CALLER, "us-east-1"),
            ("payments", member, "eu-west-1"),
        ])
    );
    assert_eq!(calls(&snapshot, "organizations:ListAccounts"), 1);
    assert_eq!(
        calls(&snapshot, "sts:AssumeRole"),
        2,
        "the manager and the member"
    );
    assert_eq!(
        calls(&snapshot, "ec2:DescribeRegions"),
        2,
        "once per account"
    );
    let regions = calls(&snapshot, "eks:ListClusters");
    assert!(regions >= 2 * 10, "every enabled region listed: {regions}");
    // Region and account data only where there are clusters.
    assert_eq!(calls(&snapshot, "ec2:GetEbsEncryptionByDefault"), 3);
    assert_eq!(calls(&snapshot, "iam:ListOpenIDConnectProviders"), 2);
    // Every request of a fleet scan is documented in the permissions page.
    let permissions = std::fs::read_to_string(repo().join("docs/permissions.md")).unwrap();
    for api in snapshot["meta"]["api_calls_by_action"]
        .as_object()
        .unwrap()
        .keys()
    {
        assert!(
            permissions.contains(&format!("`{api}`")),
            "{api} is not in docs/permissions.md"
        );
    }
    let shared: BTreeSet<(String, String)> = snapshot["regions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["account_id"].as_str().unwrap().to_string(),
                r["region"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(shared.len(), 3);
    assert!(shared.contains(&(member.to_string(), "eu-west-1".to_string())));

    // The snapshot scans as a fleet: the summary counts accounts and regions.
    let path = std::env::temp_dir().join(format!("sek-fleet-{}.json", std::process::id()));
    std::fs::write(&path, written).unwrap();
    let report = sek_offline()
        .args(["scan", "--snapshot"])
        .arg(&path)
        .args(["-f", "json", "--fail-on", "none"])
        .output()
        .unwrap();
    std::fs::remove_file(&path).ok();
    assert!(report.status.success());
    let report: Value = serde_json::from_slice(&report.stdout).unwrap();
    assert_eq!(report["fleet"]["clusters"], 3);
    assert_eq!(report["fleet"]["accounts"], 2);
    assert_eq!(report["fleet"]["regions"], 2);
    // The member's cluster is filed under the member's account.
    let payments = report["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "payments")
        .unwrap();
    assert!(payments["arn"].as_str().unwrap().contains(member));
}

#[test]
fn a_refused_account_or_region_is_reported_and_the_rest_is_scanned() {
    let moto = Moto::start();
    let members = moto.organization(2);
    let (open, closed) = (members[0].as_str(), members[1].as_str());
    moto.build_in(Some(open), "eu-west-1", &["secure:payments"]);
    moto.build_in(Some(open), "us-east-1", &["secure:edge"]);
    moto.build_in(Some(closed), "eu-west-1", &["secure:hidden"]);
    let deny_role = format!("AssumeRole@{closed}");
    let proxy = ThrottleProxy::start(
        &moto.endpoint(),
        &["--deny", &deny_role, "--deny", "ListClusters@us-east-1"],
    );

    let output = sek(&proxy.endpoint())
        .args(["scan", "--all-clusters", "--region", "eu-west-1,us-east-1"])
        .args(["--account-role-arn", &role(open), &role(closed)])
        .args(["--no-kubernetes", "-f", "json", "--skip"])
        // Only the gaps of the estate decide the exit status here.
        .args(checks_other_than("service-logging"))
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(clusters(&report), set(&[("payments", open, "eu-west-1")]));
    let gaps = report["not_scanned"].as_array().unwrap();
    assert_eq!(gaps.len(), 2, "{gaps:#?}");
    let refused = gaps.iter().find(|g| g["api"] == "sts:AssumeRole").unwrap();
    assert_eq!(refused["account"], role(closed));
    assert_eq!(refused["kind"], "access-denied");
    assert!(refused["help"].as_str().unwrap().contains("trust policy"));
    let region = gaps
        .iter()
        .find(|g| g["api"] == "eks:ListClusters")
        .unwrap();
    assert_eq!(
        (&region["account"], &region["region"]),
        (&Value::from(open), &Value::from("us-east-1"))
    );
    // service-logging passes on payments, yet the scan did not cover everything: exit 1.
    assert_eq!(output.status.code(), Some(1));

    // In text: what was not scanned, and why the exit status is 1.
    let output = sek(&proxy.endpoint())
        .args(["scan", "--all-clusters", "--region", "eu-west-1,us-east-1"])
        .args(["--account-role-arn", &role(open), &role(closed)])
        .args(["--no-kubernetes", "--fail-on", "critical"])
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("Not scanned (2)"), "{text}");
    assert!(text.contains(&format!(
        "account {}: sts:AssumeRole failed (access denied)",
        role(closed)
    )));
    assert!(text.contains("2 parts of the estate could not be scanned"));
    assert!(!String::from_utf8_lossy(&output.stderr).contains("panicked"));
}

#[test]
fn a_regions_clusters_share_their_reads_and_each_gets_exactly_its_own_resources() {
    let moto = Moto::start();
    // `secure` has a node found by both tags and its ASG, one found only through its ASG and a
    // self-managed one found only by the Kubernetes tag; `insecure` one managed node. Each has
    // its own VPC, subnets, security groups, volumes, flow logs and node role, prod a control
    // plane log group; the two `insecure` node roles both attach AdministratorAccess; dmz's Auto
    // Scaling group lost the tags EKS put on it.
    moto.build_in(
        None,
        "eu-west-1",
        &[
            "secure:prod",
            "insecure:edge",
            "insecure-untagged-group:dmz",
        ],
    );

    let (whole, _) = collect(&moto, &["--region", "eu-west-1"]);
    let named = collect_named(&moto, &["prod", "edge", "dmz"]);
    let alone = [
        ("prod", collect_named(&moto, &["prod"])),
        ("edge", collect_named(&moto, &["edge"])),
        ("dmz", collect_named(&moto, &["dmz"])),
    ];

    // Every cluster has exactly what it has when scanned alone.
    let read_by_cluster = [
        "instances",
        "security_groups",
        "subnets",
        "route_tables",
        "volumes",
        "images",
        "flow_logs",
        "instance_profiles",
        "roles",
        "policies",
        "log_groups",
    ];
    for (cluster, by_itself) in &alone {
        for part in read_by_cluster {
            let own = &cluster_in(by_itself, cluster)[part];
            assert_eq!(
                &cluster_in(&whole, cluster)[part],
                own,
                "{cluster} {part}, all clusters"
            );
            assert_eq!(
                &cluster_in(&named, cluster)[part],
                own,
                "{cluster} {part}, named"
            );
        }
        let own = failed_reads(cluster_in(by_itself, cluster));
        for (how, snapshot) in [("all clusters", &whole), ("named", &named)] {
            assert_eq!(
                failed_reads(cluster_in(snapshot, cluster)),
                own,
                "{cluster}: {how}"
            );
        }
    }
    let nodes = |cluster: &str| {
        cluster_in(&whole, cluster)["instances"]
            .as_array()
            .unwrap()
            .len()
    };
    assert_eq!((nodes("prod"), nodes("edge"), nodes("dmz")), (3, 1, 1));
    // Nothing is common to prod and edge, so a resource handed to the wrong cluster would show
    // above.
    for part in [
        "security_groups",
        "subnets",
        "volumes",
        "route_tables",
        "roles",
    ] {
        let [prod, edge] =
            ["prod", "edge"].map(|c| cluster_in(&whole, c)[part].as_array().unwrap());
        assert!(!prod.is_empty() && !edge.is_empty(), "{part}");
        assert!(prod.iter().all(|item| !edge.contains(item)), "{part}");
    }

    // The policy both insecure node roles attach is in each one's inventory, read once.
    let policies = |cluster: &str| cluster_in(&whole, cluster)["policies"].clone();
    assert_eq!(policies("edge"), policies("dmz"));
    assert!(policies("edge").to_string().contains("AdministratorAccess"));
    // Each managed policy is read once per scan, whichever roles attach it: the node roles'
    // AdministratorAccess is also the insecure IRSA roles', so one scan reads it once, plus the
    // secure IRSA role's AmazonS3ReadOnlyAccess.
    let distinct = |snapshot: &Value| -> u64 {
        let mut arns = BTreeSet::new();
        for cluster in snapshot["clusters"].as_array().unwrap() {
            // A listing is an array, or {"items": [...], "failed": [...]} when parts failed.
            let policies = &cluster["policies"];
            let items = policies.as_array().or(policies["items"].as_array());
            for policy in items.into_iter().flatten() {
                arns.insert(policy["arn"].as_str().unwrap().to_string());
            }
        }
        for account in snapshot["accounts"].as_array().into_iter().flatten() {
            for policy in account["role_policies"].as_array().into_iter().flatten() {
                arns.insert(policy["arn"].as_str().unwrap().to_string());
            }
        }
        arns.len() as u64
    };
    assert_eq!(distinct(&whole), 2);
    for api in ["iam:GetPolicy", "iam:GetPolicyVersion"] {
        assert_eq!(calls(&whole, api), distinct(&whole), "{api}, all clusters");
        assert_eq!(calls(&named, api), distinct(&named), "{api}, named");
        for (cluster, snapshot) in &alone {
            assert_eq!(
                calls(snapshot, api),
                distinct(snapshot),
                "{api}, {cluster} alone"
            );
        }
    }

    // What the clusters reference in EC2 is read once for all, by id.
    for api in [
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeSubnets",
        "ec2:DescribeRouteTables",
        "ec2:DescribeVolumes",
        "ec2:DescribeImages",
        "ec2:DescribeFlowLogs",
    ] {
        assert_eq!(calls(&whole, api), 1, "{api}, all clusters");
        assert_eq!(calls(&named, api), 1, "{api}, named");
        let apart: u64 = alone.iter().map(|(_, s)| calls(s, api)).sum();
        assert_eq!(apart, 3, "{api}, one cluster per scan");
    }
    // Nodes. Named: two tag queries per cluster, plus prod's ASG-only node by id. Every cluster
    // of the region: one query for all, plus the same lookup by id.
    assert_eq!(calls(&named, "ec2:DescribeInstances"), 7);
    assert_eq!(calls(&whole, "ec2:DescribeInstances"), 2);
    // Auto Scaling groups: by name per cluster, or the region's EKS-tagged ones at once and
    // dmz's untagged one by name. Log groups: by prefix per cluster, or all of /aws/eks/.
    assert_eq!(calls(&named, "autoscaling:DescribeAutoScalingGroups"), 3);
    assert_eq!(calls(&whole, "autoscaling:DescribeAutoScalingGroups"), 2);
    assert_eq!(calls(&named, "logs:DescribeLogGroups"), 3);
    assert_eq!(calls(&whole, "logs:DescribeLogGroups"), 1);
    let log_groups = |cluster: &str| cluster_in(&whole, cluster)["log_groups"].to_string();
    assert!(log_groups("prod").contains("/aws/eks/prod/cluster"));
    assert_eq!(log_groups("edge"), "[]");
}

#[test]
fn a_failed_region_wide_read_falls_back_to_each_clusters_own_reads() {
    let moto = Moto::start();
    moto.build_in(None, "eu-west-1", &["secure:prod", "insecure:edge"]);
    // Refuse only the region-wide reads, told apart by their parameters: the tag-key query for
    // every node, the EKS tag filter on Auto Scaling groups, the `/aws/eks/` log group prefix.
    let proxy = ThrottleProxy::start(
        &moto.endpoint(),
        &[
            "--deny",
            "DescribeInstances@tag-key",
            "--deny",
            "DescribeAutoScalingGroups@eks:cluster-name",
            "--deny",
            "DescribeLogGroups@/aws/eks/\"",
        ],
    );
    let output = sek(&proxy.endpoint())
        .args(["collect", "--all-clusters", "--no-kubernetes"])
        .args(["--region", "eu-west-1"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let whole: Value = serde_json::from_slice(&output.stdout).unwrap();
    let named = collect_named(&moto, &["prod", "edge"]);
    for cluster in ["prod", "edge"] {
        for part in ["instances", "log_groups"] {
            assert_eq!(
                cluster_in(&whole, cluster)[part],
                cluster_in(&named, cluster)[part],
                "{cluster} {part}"
            );
        }
        assert_eq!(
            failed_reads(cluster_in(&whole, cluster)),
            failed_reads(cluster_in(&named, cluster)),
            "{cluster}: failed reads"
        );
    }
    // moto lacks some EKS APIs (add-ons, access entries...): those failures are in both; none
    // of the refused reads is.
    let gaps = serde_json::to_string(&failed_reads(cluster_in(&whole, "prod"))).unwrap();
    assert!(gaps.contains("eks:ListAddons"), "{gaps}");
    for api in [
        "DescribeInstances",
        "DescribeAutoScalingGroups",
        "DescribeLogGroups",
    ] {
        assert!(!gaps.contains(api), "{api}: {gaps}");
    }
    // The refused region-wide read, then each cluster's own.
    assert_eq!(
        calls(&whole, "ec2:DescribeInstances"),
        1 + calls(&named, "ec2:DescribeInstances")
    );
    for api in [
        "autoscaling:DescribeAutoScalingGroups",
        "logs:DescribeLogGroups",
    ] {
        assert_eq!(calls(&whole, api), 1 + 2, "{api}");
    }
}

/// `sek collect --cluster NAMES --region eu-west-1 --no-kubernetes`: the snapshot.
fn collect_named(moto: &Moto, names: &[&str]) -> Value {
    let output = sek(&moto.endpoint())
        .arg("collect")
        .arg("--cluster")
        .args(names)
        .args(["--region", "eu-west-1", "--no-kubernetes"])
        .output()
        .unwrap();
    assert!(output.status.success());
    serde_json::from_slice(&output.stdout).unwrap()
}

/// The cluster `name` of a snapshot.
fn cluster_in<'a>(snapshot: &'a Value, name: &str) -> &'a Value {
    snapshot["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap()
}

/// `sek collect --all-clusters --no-kubernetes ARGS`: the snapshot, parsed and as written.
fn collect(moto: &Moto, args: &[&str]) -> (Value, Vec<u8>) {
    let output = sek(&moto.endpoint())
        .args(["collect", "--all-clusters", "--no-kubernetes"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    (
        serde_json::from_slice(&output.stdout).unwrap(),
        output.stdout,
    )
}

/// `--skip` arguments for every check but `keep`.
fn checks_other_than(keep: &str) -> Vec<String> {
    let output = sek_offline()
        .args(["checks", "list", "--format", "json"])
        .output()
        .unwrap();
    let checks: Value = serde_json::from_slice(&output.stdout).unwrap();
    checks
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .filter(|id| id != keep)
        .collect()
}
