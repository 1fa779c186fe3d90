//! Each documented AWS action denied in turn: the checks that need it say so, none passes.

use super::*;

const NODE_CHECKS: &[&str] = &[
    "node-imds",
    "node-volumes",
    "node-sgs",
    "node-private",
    "node-role",
    "node-ami",
    "node-age",
    "node-ssh",
    "net-vpc-endpoints",
    "vuln-nodes",
];
const NODEGROUP_CHECKS: &[&str] = &[
    "service-version",
    "service-health",
    "node-imds",
    "node-volumes",
    "node-sgs",
    "node-private",
    "node-role",
    "node-ami",
    "node-age",
    "node-ssh",
    "node-user-data-secrets",
    "net-vpc-endpoints",
    "vuln-nodes",
];
const ECR_CHECKS: &[&str] = &[
    "ecr-scan",
    "ecr-immutable-tags",
    "ecr-lifecycle",
    "ecr-kms",
    "ecr-policy",
];

/// For each denied read: the checks expected to lose their data on the all-passing cluster.
const DENIALS: &[(&str, &[&str])] = &[
    (
        "eks:DescribeCluster",
        &[
            "service-logging",
            "service-secrets",
            "service-endpoint",
            "service-endpoint-firewall",
            "service-sgs",
            "service-version",
            "service-health",
            "service-auth-mode",
            "service-creator-admin",
            "service-secrets-key",
            "service-sg-baseline",
            "iam-oidc-provider",
            "iam-irsa-trust",
            "iam-pod-roles",
            "detect-flow-logs",
            "service-deletion-protection",
            "service-role",
        ],
    ),
    (
        "ec2:DescribeSecurityGroups",
        &["service-sgs", "node-sgs", "service-sg-baseline"],
    ),
    ("ec2:DescribeInstances", NODE_CHECKS),
    ("autoscaling:DescribeAutoScalingGroups", NODE_CHECKS),
    (
        "ec2:DescribeLaunchTemplateVersions",
        &[
            "node-imds",
            "node-volumes",
            "node-sgs",
            "node-private",
            "node-ssh",
            "node-user-data-secrets",
        ],
    ),
    ("ec2:DescribeVolumes", &["node-volumes"]),
    (
        "ec2:DescribeRouteTables",
        &["node-private", "net-vpc-endpoints"],
    ),
    ("ec2:DescribeVpcEndpoints", &["net-vpc-endpoints"]),
    ("ec2:DescribeImages", &["node-ami"]),
    ("ec2:DescribeFlowLogs", &["detect-flow-logs"]),
    ("ec2:GetEbsEncryptionByDefault", &["node-ebs-default"]),
    ("iam:GetInstanceProfile", &["node-role"]),
    (
        "iam:ListAttachedRolePolicies",
        &["node-role", "iam-pod-roles", "service-role"],
    ),
    (
        "iam:ListRolePolicies",
        &["node-role", "iam-pod-roles", "service-role"],
    ),
    ("iam:GetRole", &["service-role"]),
    // The secure node role has only the minimal policies, whose documents are not read; the
    // secure IRSA role's managed policy is.
    ("iam:GetPolicy", &["iam-pod-roles"]),
    ("iam:GetPolicyVersion", &["iam-pod-roles"]),
    ("iam:ListOpenIDConnectProviders", &["iam-oidc-provider"]),
    ("iam:ListRoles", &["iam-irsa-trust", "iam-pod-roles"]),
    ("kms:DescribeKey", &["service-secrets-key"]),
    ("kms:GetKeyRotationStatus", &["service-secrets-key"]),
    ("logs:DescribeLogGroups", &["service-log-retention"]),
    ("cloudtrail:DescribeTrails", &["detect-cloudtrail"]),
    ("cloudtrail:GetTrailStatus", &["detect-cloudtrail"]),
    ("guardduty:ListDetectors", &["detect-guardduty"]),
    ("inspector2:BatchGetAccountStatus", &["detect-inspector"]),
    ("inspector2:ListCoverage", &["vuln-nodes"]),
    ("inspector2:ListFindings", &["vuln-nodes"]),
    ("ecr:DescribeRepositories", ECR_CHECKS),
    ("ecr:GetLifecyclePolicy", &["ecr-lifecycle"]),
    ("ecr:GetRepositoryPolicy", &["ecr-policy"]),
    ("events:ListRules", &["detect-eks-events"]),
    ("events:ListTargetsByRule", &["detect-eks-events"]),
    // Node groups: their nodes, and the versions and updates judged through them.
    ("eks:ListNodegroups", NODEGROUP_CHECKS),
    ("eks:DescribeNodegroup", NODEGROUP_CHECKS),
    ("eks:ListFargateProfiles", &["service-fargate"]),
    (
        "ec2:DescribeSubnets",
        &["node-private", "net-vpc-endpoints"],
    ),
    ("cloudtrail:GetEventSelectors", &["detect-cloudtrail"]),
    ("ecr:GetRegistryScanningConfiguration", &["ecr-scan"]),
    ("guardduty:GetDetector", &["detect-guardduty"]),
    // The secure node role has no inline policy; the secure IRSA role has one.
    ("iam:GetRolePolicy", &["iam-pod-roles"]),
];

/// Actions of docs/permissions.md the table above does not deny, and why.
const NOT_DENIED: &[(&str, &str)] = &[
    (
        "sts:GetCallerIdentity",
        "who the caller is: a scan without it stops before reading",
    ),
    (
        "sts:AssumeRole",
        "fleet scans only (tests/live_fleet.rs denies it)",
    ),
    (
        "organizations:ListAccounts",
        "fleet scans only (tests/live_fleet.rs)",
    ),
    (
        "ec2:DescribeRegions",
        "--all-regions only (tests/live_fleet.rs)",
    ),
    (
        "eks:ListClusters",
        "--all-clusters only (tests/live_fleet.rs)",
    ),
    (
        "eks:DescribeFargateProfile",
        "no scenario has a Fargate profile to describe (eks:ListFargateProfiles is denied above)",
    ),
    // moto answers these EKS APIs with HTTP 404: the checks are `error` without a denial
    // (MOTO_GAPS); their failures are tested on snapshots in the checks' unit tests.
    ("eks:ListAddons", "not in moto"),
    ("eks:DescribeAddon", "not in moto"),
    ("eks:ListUpdates", "not in moto"),
    ("eks:DescribeUpdate", "not in moto"),
    ("eks:ListAccessEntries", "not in moto"),
    ("eks:DescribeAccessEntry", "not in moto"),
    ("eks:ListAssociatedAccessPolicies", "not in moto"),
    ("eks:ListPodIdentityAssociations", "not in moto"),
    (
        "eks:DescribePodIdentityAssociation",
        "not in moto (its list is not either)",
    ),
    ("eks:DescribeClusterVersions", "not in moto"),
    ("eks:ListInsights", "not in moto"),
    ("eks:DescribeInsight", "not in moto"),
    ("eks:DescribeAddonVersions", "not in moto"),
    ("ecr:GetSigningConfiguration", "not in moto"),
    ("ecr:ListImageReferrers", "not in moto"),
    // The images in use are named by the Kubernetes side, which these scans do not read.
    (
        "ecr:DescribeImages",
        "needs the Kubernetes side (tests/live_apiserver/images.rs)",
    ),
    (
        "ecr:DescribeImageScanFindings",
        "needs the Kubernetes side (tests/live_apiserver/images.rs)",
    ),
];

/// Every action sek documents is denied in turn above, or said why not.
#[test]
fn every_documented_action_is_denied_in_the_table_or_said_why_not() {
    let doc = std::fs::read_to_string(repo().join("docs/permissions.md")).unwrap();
    let documented: BTreeSet<&str> = doc
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|word| {
            word.split_once(':').is_some_and(|(service, action)| {
                !service.is_empty()
                    && service
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
                    && action.starts_with(|c: char| c.is_ascii_uppercase())
                    && action.chars().all(|c| c.is_ascii_alphanumeric())
            })
        })
        .collect();
    let covered: BTreeSet<&str> = DENIALS
        .iter()
        .map(|(action, _)| *action)
        .chain(NOT_DENIED.iter().map(|(action, _)| *action))
        .collect();
    let missing: Vec<_> = documented.difference(&covered).collect();
    assert!(missing.is_empty(), "not denied in the table: {missing:?}");
    assert!(documented.len() > 40, "{documented:?}");
    // What each check's `needs` declares agrees with what denying it does.
    for (action, dependents) in DENIALS {
        for check in *dependents {
            let declared = sek_core::checks::ALL
                .iter()
                .find(|c| c.id == *check)
                .unwrap()
                .needs
                .iter()
                .any(|need| need.as_str() == *action);
            assert!(
                declared,
                "{check} loses its data without {action} but does not declare it"
            );
        }
    }
}

#[test]
fn a_denied_read_errors_only_the_checks_that_need_it_and_never_passes_falsely() {
    let moto = Moto::start();
    moto.build(&["secure", "insecure", "region-hardened"]);
    let baseline: BTreeMap<&str, Value> = ["secure", "insecure"]
        .into_iter()
        .map(|c| (c, scan_json(sek(&moto.endpoint()), c, &[])))
        .collect();

    for (action, dependents) in DENIALS {
        moto.enforce_auth(false);
        let (key, secret) = moto.user(&[action]);
        moto.enforce_auth(true);
        let mut made = Vec::new();
        for cluster in ["secure", "insecure"] {
            let report = scan_json(sek_with_keys(&moto.endpoint(), &key, &secret), cluster, &[]);
            let denied: Vec<&Value> = report["clusters"][0]["collection_errors"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|e| e["kind"] == "access-denied")
                .collect();
            assert!(
                denied.iter().all(|e| e["api"] == *action),
                "{action} on {cluster}: {denied:?}"
            );
            // A read the cluster gives no occasion for (no inline policy to get, no Secrets key
            // to describe) is not made, and nothing may change.
            let read = !denied.is_empty();
            if read {
                made.push(cluster);
            }
            let before = verdicts(&baseline[cluster]);
            let after = verdicts(&report);
            for check in sek_core::checks::ALL.iter().map(|c| c.id) {
                let (was, now) = (&before[check], &after[check]);
                if read && dependents.contains(&check) {
                    // On the passing cluster the check cannot be evaluated; on the failing one a
                    // failure it can still prove may stand. Either way it names the action.
                    if cluster == "secure" {
                        assert_eq!(now, "error", "{action} denied: {check} on {cluster}");
                    } else {
                        assert!(
                            now == "error" || now == was,
                            "{action} denied: {check} on {cluster} went {was} -> {now}"
                        );
                    }
                    if now == "error" {
                        assert!(
                            messages(&report, check).contains(action),
                            "{action} not named by {check} on {cluster}:\n{}",
                            messages(&report, check)
                        );
                    }
                } else {
                    assert_eq!(now, was, "{action} denied changed {check} on {cluster}");
                }
                assert!(
                    !(now == "pass" && was != "pass"),
                    "false pass for {check} with {action} denied"
                );
            }
        }
        // The secure cluster makes every read but the few it has no occasion for; each denial
        // must bite somewhere, or the table proves nothing about it.
        let secure_skips = ["iam:GetRolePolicy"];
        assert!(
            made.contains(&"secure") || secure_skips.contains(action) && !made.is_empty(),
            "{action} denied, but refused on {made:?} only"
        );
    }
}
