//! What runs, read once it is known: Amazon Inspector's coverage and findings of the nodes (after
//! node discovery, once for a region's clusters), and the ECR images the workloads run with
//! their scan findings and signatures (after the Kubernetes side, which names them).
//!
//! Inspector is read filtered to these instances and image digests, ten per request and page by
//! page, never the account's whole finding list; only findings at or above the scan's floor
//! (`[thresholds] vuln_min_severity`) are asked for, and the floor is recorded with them.

use std::collections::{BTreeMap, BTreeSet};

use futures::future::join_all;
use sek_core::checks::Severity;
use sek_core::inventory::{
    ClusterInventory, CollectError, Collection, EcrImage, EcrLocation, ErrorKind, NodeScan, Read,
    Vulnerabilities, Vulnerability, images_in_use,
};

use super::aws::inspector::{self, Subject};
use super::aws::{Aws, ecr};

/// Scan statuses of ECR's enhanced scanning: the findings are Amazon Inspector's.
const ENHANCED: &[&str] = &[
    "ACTIVE",
    "PENDING",
    "SCAN_ELIGIBILITY_EXPIRED",
    "FINDINGS_UNAVAILABLE",
];

/// What Inspector answered about one image or node (read at or above `floor`), as recorded:
/// its findings, the failed read, or not read.
fn inspector_answer(
    answer: Option<&Result<Vec<Vulnerability>, CollectError>>,
    floor: Severity,
) -> Read<Vulnerabilities> {
    match answer {
        Some(Ok(list)) => Read::Got(Vulnerabilities {
            source: "inspector".into(),
            min_severity: floor.as_str().into(),
            findings: list.clone(),
        }),
        Some(Err(err)) => Read::Failed(err.clone()),
        None => Read::NotCollected,
    }
}

/// Give each cluster Inspector's coverage and findings of its nodes, read once for all.
pub async fn node_scans<'c>(
    aws: &Aws,
    clusters: impl IntoIterator<Item = &'c mut ClusterInventory>,
) {
    if !aws.wants("inspector2:ListCoverage") {
        return;
    }
    let clusters: Vec<&mut ClusterInventory> = clusters.into_iter().collect();
    let node_ids = |inv: &ClusterInventory| -> Vec<String> {
        inv.instances
            .got()
            .map(|nodes| {
                nodes
                    .iter()
                    .filter(|n| n.state.as_deref() != Some("terminated"))
                    .map(|n| n.id.clone())
                    .collect()
            })
            .unwrap_or_default()
    };
    let ids: Vec<String> = clusters
        .iter()
        .flat_map(|c| node_ids(c))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let floor = aws.vulnerability_floor();
    let (coverage, findings) = tokio::join!(
        inspector::coverage(aws, &ids),
        aws.when(
            "inspector2:ListFindings",
            inspector::findings(aws, Subject::Ec2Instance, &ids, floor)
        ),
    );
    let coverage: BTreeMap<String, _> = coverage.into_iter().collect();
    let findings: Option<BTreeMap<String, _>> = findings.map(|f| f.into_iter().collect());
    for cluster in clusters {
        let mut scans = Vec::new();
        let mut failed: Vec<CollectError> = Vec::new();
        for id in node_ids(cluster) {
            match coverage.get(&id) {
                Some(Ok(status)) => {
                    let answer = findings.as_ref().and_then(|f| f.get(&id));
                    let vulnerabilities = inspector_answer(answer, floor);
                    scans.push(NodeScan {
                        instance_id: id,
                        coverage: status.clone(),
                        vulnerabilities,
                    });
                }
                Some(Err(err)) => {
                    let mut err = err.clone();
                    err.resources = vec![id];
                    failed.push(err);
                }
                None => {}
            }
        }
        cluster.node_scans = Read::Got(Collection::of(scans, failed));
    }
}

/// The ECR images one cluster's workloads run: each repository with the ids to ask it by (the
/// digests pods pulled, else the tag).
type Wanted = BTreeMap<EcrLocation, BTreeSet<String>>;

fn wanted_by(cluster: &ClusterInventory) -> Option<Wanted> {
    let workloads = cluster.kubernetes.got()?.workloads.got()?;
    let mut wanted = Wanted::new();
    for image in images_in_use(workloads.iter()) {
        let Some(location) = image.ecr.clone().filter(|l| !l.is_amazon_eks()) else {
            continue;
        };
        wanted
            .entry(location)
            .or_default()
            .extend(image.ids().into_iter().map(String::from));
    }
    Some(wanted)
}

/// Give each of `clusters` (one region's, their Kubernetes side read) the ECR images its
/// workloads run (DescribeImages), with each one's scan findings (Inspector under enhanced
/// scanning, DescribeImageScanFindings under basic) and signatures (ListImageReferrers). An
/// image several clusters run is read once. Amazon's EKS images and images outside ECR are not
/// read; a cluster whose workloads were not read gets nothing (its checks say why).
pub async fn ecr_images<'c>(
    aws: &Aws,
    clusters: impl IntoIterator<Item = &'c mut ClusterInventory>,
) {
    if !aws.wants("ecr:DescribeImages") {
        return;
    }
    let mut clusters: Vec<(&mut ClusterInventory, Wanted)> = clusters
        .into_iter()
        .filter_map(|c| wanted_by(c).map(|w| (c, w)))
        .collect();
    let mut all = Wanted::new();
    for (_, wanted) in &clusters {
        for (location, ids) in wanted {
            all.entry(location.clone())
                .or_default()
                .extend(ids.iter().cloned());
        }
    }
    let (images, failed) = read_images(aws, &all).await;
    for (cluster, wanted) in &mut clusters {
        cluster.ecr_images = Read::Got(pick(&images, &failed, wanted));
    }
}

/// The images and failures about what `wanted` names: an image by its digest or one of its
/// tags, a failure by its repository or one of the ids asked.
fn pick(images: &[EcrImage], failed: &[CollectError], wanted: &Wanted) -> Collection<EcrImage> {
    let ours =
        |location: &EcrLocation, id: &str| wanted.get(location).is_some_and(|ids| ids.contains(id));
    let items = images
        .iter()
        .filter(|i| ours(&i.location, &i.digest) || i.tags.iter().any(|t| ours(&i.location, t)))
        .cloned()
        .collect();
    let failures = failed
        .iter()
        .filter(|err| {
            err.resources.iter().any(|r| {
                wanted
                    .iter()
                    .any(|(location, ids)| location.is_failure_about(r, |id| ids.contains(id)))
            })
        })
        .cloned()
        .collect();
    Collection::of(items, failures)
}

/// Read the images `wanted` names, with their findings and signatures: the images found and the
/// failures (each naming its repository, or `<repository>@<id>`).
async fn read_images(aws: &Aws, wanted: &Wanted) -> (Vec<EcrImage>, Vec<CollectError>) {
    let regions: BTreeSet<&str> = wanted.keys().map(|l| l.region.as_str()).collect();
    let clients: BTreeMap<&str, Aws> = regions
        .iter()
        .filter(|r| **r != aws.region)
        .map(|r| (*r, aws.in_region(r)))
        .collect();
    let client = |region: &str| clients.get(region).unwrap_or(aws);
    let read = join_all(wanted.iter().map(|(location, ids)| {
        let ids: Vec<String> = ids.iter().cloned().collect();
        let client = client(&location.region);
        async move { ecr::images(client, location, &ids).await }
    }))
    .await;
    let mut images: Vec<EcrImage> = Vec::new();
    let mut failed: Vec<CollectError> = Vec::new();
    for (found, errors) in read {
        images.extend(found);
        failed.extend(errors);
    }
    let own_account = aws.account_id().await;
    let floor = aws.vulnerability_floor();
    // Inspector's findings, per region, for the enhanced-scanned images of this account.
    let mut by_region: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for image in &images {
        let enhanced = image
            .scan_status
            .as_ref()
            .is_some_and(|s| ENHANCED.contains(&s.status.as_str()));
        if enhanced && Some(&image.location.registry_id) == own_account.as_ref() {
            by_region
                .entry(image.location.region.clone())
                .or_default()
                .push(image.digest.clone());
        }
    }
    let inspector_findings: BTreeMap<String, Result<_, CollectError>> =
        if aws.wants("inspector2:ListFindings") {
            join_all(by_region.iter().map(|(region, digests)| {
                let client = client(region);
                async move { inspector::findings(client, Subject::EcrImage, digests, floor).await }
            }))
            .await
            .into_iter()
            .flatten()
            .collect()
        } else {
            BTreeMap::new()
        };
    let details = join_all(images.iter().map(|image| {
        let client = client(&image.location.region);
        let inspector_findings = &inspector_findings;
        let own_account = own_account.as_ref();
        async move {
            let status = image.scan_status.as_ref().map(|s| s.status.as_str());
            let vulnerabilities = match status {
                Some(s) if ENHANCED.contains(&s) => {
                    if Some(&image.location.registry_id) != own_account {
                        Read::Failed(CollectError::new(
                            "inspector2:ListFindings",
                            vec![image.reference()],
                            ErrorKind::Other,
                            format!(
                                "the image is in account {}'s registry: its Inspector findings are in that \
account (scan it there, or from the Inspector delegated administrator)",
                                image.location.registry_id
                            ),
                        ))
                    } else {
                        inspector_answer(inspector_findings.get(&image.digest), floor)
                    }
                }
                Some("COMPLETE") => client
                    .when(
                        "ecr:DescribeImageScanFindings",
                        ecr::basic_findings(client, image, floor),
                    )
                    .await
                    .map_or(Read::NotCollected, Read::from),
                _ => Read::NotCollected,
            };
            let signatures = client
                .when("ecr:ListImageReferrers", ecr::signatures(client, image))
                .await
                .map_or(Read::NotCollected, Read::from);
            (vulnerabilities, signatures)
        }
    }))
    .await;
    for (image, (vulnerabilities, signatures)) in images.iter_mut().zip(details) {
        image.vulnerabilities = vulnerabilities;
        image.signatures = signatures;
    }
    (images, failed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn location(repository: &str) -> EcrLocation {
        EcrLocation {
            registry_id: "111122223333".into(),
            region: "eu-west-1".into(),
            repository: repository.into(),
        }
    }

    #[test]
    fn each_cluster_gets_the_images_and_failures_it_names() {
        let image = |repository: &str, digest: &str, tags: &[&str]| EcrImage {
            location: location(repository),
            digest: digest.into(),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            ..Default::default()
        };
        let images = [
            image("api", "sha256:a1", &["1.0"]),
            image("api", "sha256:a2", &["2.0"]),
            image("web", "sha256:w1", &["latest"]),
        ];
        let failure = |resource: String| {
            CollectError::new(
                "ecr:DescribeImages",
                vec![resource],
                ErrorKind::NotFound,
                "gone",
            )
        };
        let failed = [
            failure(format!("{}@sha256:gone", location("api").name())),
            failure(location("db").name()),
        ];
        // One cluster runs api by digest a1 (and a digest since deleted), the other web by tag
        // and the unreadable db.
        let first = Wanted::from([(
            location("api"),
            BTreeSet::from(["sha256:a1".to_string(), "sha256:gone".to_string()]),
        )]);
        let second = Wanted::from([
            (location("web"), BTreeSet::from(["latest".to_string()])),
            (location("db"), BTreeSet::from(["16".to_string()])),
        ]);
        let mine = pick(&images, &failed, &first);
        assert_eq!(
            mine.items
                .iter()
                .map(|i| i.digest.as_str())
                .collect::<Vec<_>>(),
            ["sha256:a1"]
        );
        assert_eq!(mine.failed.len(), 1);
        assert!(mine.failed[0].resources[0].ends_with("@sha256:gone"));
        let theirs = pick(&images, &failed, &second);
        assert_eq!(
            theirs
                .items
                .iter()
                .map(|i| i.digest.as_str())
                .collect::<Vec<_>>(),
            ["sha256:w1"]
        );
        assert_eq!(theirs.failed.len(), 1);
        assert!(theirs.failed[0].resources[0].ends_with("/db"));
    }
}
