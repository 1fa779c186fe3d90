//! What runs, end to end: the digests pods pulled come from pod status on a real API server
//! (the loader sets it through the status subresource, as a kubelet does), each ECR repository
//! they name is asked about once (DescribeImages, by digest, in the image's registry), and what
//! could not be read is never a pass.

use super::*;

/// The demo's images in its account's ECR (111122223333; moto's caller is 123456789012).
const REPOSITORIES: [&str; 4] = [
    "payments/api",
    "payments/export",
    "shop/frontend",
    "shop/postgres",
];
const REGISTRY: &str = "111122223333.dkr.ecr.eu-west-1.amazonaws.com";
const PAYMENTS_DIGEST: &str =
    "sha256:7a3e9b1c5d2f4a6e8b0c1d3e5f7a9b2c4d6e8f0a1b3c5d7e9f2a4b6c8d0e1f3a";

#[test]
fn pulled_digests_lead_to_one_describe_images_per_repository_and_nothing_unread_passes() {
    let dir = tempfile::tempdir().unwrap();
    let k8s = local_cluster();
    // Two clusters running the same images (the API server serves both): one read for both.
    let clusters = ["k8s-images", "k8s-images-twin"];
    let moto = k8s.moto_with(
        dir.path(),
        &clusters.map(|name| (name, k8s.endpoint(), k8s.ca_data())),
    );
    moto.build(
        &clusters
            .map(|name| format!("empty:{name}"))
            .each_ref()
            .map(String::as_str),
    );
    let (key, secret, arn) = moto.named_user("sek-k8s-images");
    for cluster in clusters {
        k8s.grant(cluster, &arn, &[READERS]);
    }
    let snapshot = dir.path().join("snapshot.json");
    sek_as(&moto, &key, &secret)
        .args([
            "collect",
            "--cluster",
            clusters[0],
            clusters[1],
            "--kubelet-timeout",
            "1",
        ])
        .args(["--checks", "vuln-images,image-age", "-o"])
        .arg(&snapshot)
        .assert()
        .success();
    let inventory: Value =
        serde_json::from_str(&std::fs::read_to_string(&snapshot).unwrap()).unwrap();
    let collected = &inventory["clusters"][0];
    // The digest the payments-api pods pulled, from their status on the API server.
    let payments = collected["kubernetes"]["workloads"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["metadata"]["name"] == "payments-api")
        .unwrap();
    assert_eq!(
        payments["digests"][format!("{REGISTRY}/payments/api:5.2.0")],
        json!([PAYMENTS_DIGEST])
    );
    // One DescribeImages per repository in use for both clusters, Amazon's EKS images and
    // Docker Hub's not asked.
    assert_eq!(
        inventory["meta"]["api_calls_by_action"]["ecr:DescribeImages"],
        REPOSITORIES.len()
    );
    // moto's caller has no such registry: each repository is named, as not found, for both.
    let twin = &inventory["clusters"][1]["ecr_images"]["failed"];
    assert_eq!(
        twin.as_array().map(Vec::len),
        Some(REPOSITORIES.len()),
        "{twin:#}"
    );
    let failed: BTreeSet<String> = collected["ecr_images"]["failed"]
        .as_array()
        .unwrap_or_else(|| panic!("{:#}", collected["ecr_images"]))
        .iter()
        .map(|e| {
            e["resources"][0]
                .as_str()
                .unwrap()
                .split('@')
                .next()
                .unwrap()
                .to_string()
        })
        .collect();
    let expected: BTreeSet<String> = REPOSITORIES
        .iter()
        .map(|r| format!("{REGISTRY}/{r}"))
        .collect();
    assert_eq!(failed, expected);

    let output = sek_offline()
        .args(["scan", "--format", "json", "--snapshot"])
        .arg(&snapshot)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).expect("JSON report");
    let report = json!({ "clusters": [report["clusters"][0]] });
    for check in ["vuln-images", "image-age"] {
        for finding in findings(&report, check) {
            assert_ne!(finding["status"], "pass", "{check}: {finding:#}");
        }
    }
    let payments = findings(&report, "vuln-images")
        .iter()
        .find(|f| f["resource"] == format!("{REGISTRY}/payments/api"))
        .unwrap();
    assert_eq!(payments["status"], "manual", "{payments:#}");
    assert!(
        payments["message"]
            .as_str()
            .unwrap()
            .contains("no longer in"),
        "{payments:#}"
    );
}

#[test]
fn denied_describe_images_is_an_error_on_every_image_and_on_the_exposed_workload() {
    let dir = tempfile::tempdir().unwrap();
    let k8s = local_cluster();
    let cluster = "k8s-images-denied";
    let moto = k8s.moto_with(dir.path(), &[(cluster, k8s.endpoint(), k8s.ca_data())]);
    moto.build(&[&format!("empty:{cluster}")]);
    let (key, secret, arn) = moto.named_user_denied("sek-images-denied", &["ecr:DescribeImages"]);
    k8s.grant(cluster, &arn, &[READERS]);
    moto.enforce_auth(true);
    let report = scan(
        sek_as(&moto, &key, &secret),
        cluster,
        &["--checks", "vuln-images,risk-exposed-vulnerable"],
    );
    moto.enforce_auth(false);
    for repository in REPOSITORIES {
        let resource = format!("{REGISTRY}/{repository}");
        assert_eq!(status_of(&report, "vuln-images", &resource), "error");
        assert!(message_of(&report, "vuln-images", &resource).contains("ecr:DescribeImages"));
    }
    // payments-api is behind an internet-facing load balancer: its path cannot be ruled out.
    let workload = "k8s:Deployment/payments/payments-api";
    assert_eq!(
        status_of(&report, "risk-exposed-vulnerable", workload),
        "error"
    );
    assert!(
        message_of(&report, "risk-exposed-vulnerable", workload).contains("ecr:DescribeImages")
    );
}
