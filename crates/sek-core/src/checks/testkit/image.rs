//! A cluster whose workloads run images from ECR, with what ECR and Inspector hold about them.

use std::collections::BTreeMap;

use super::k8s::{API_IMAGE, container, k8s, meta};
use super::*;
use crate::inventory::k8s::{PodSpec, Service, ServicePort, ServiceSpec, Workload};
use crate::inventory::{
    EcrImage, ImageRef, ScanStatus, Vulnerabilities, Vulnerability, VulnerablePackage,
};

/// The repository of the `web/api` image.
pub const APP_REPOSITORY: &str = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/api";
/// The digest the `web/api` image pins.
pub const APP_DIGEST: &str =
    "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
/// The aws-node image: Amazon's EKS registry.
pub const EKS_IMAGE: &str =
    "602401143452.dkr.ecr.eu-west-1.amazonaws.com/amazon-k8s-cni:v1.19.0-eksbuild.1";

/// A finding of `severity` in xz-libs with a fix and a known exploit.
pub fn finding(id: &str, severity: &str) -> Vulnerability {
    Vulnerability {
        id: id.into(),
        severity: severity.into(),
        packages: vec![VulnerablePackage {
            name: "xz-libs".into(),
            version: Some("5.6.0".into()),
            fixed_in: Some("5.6.1".into()),
        }],
        fix_available: Some("YES".into()),
        exploit_available: Some("YES".into()),
    }
}

/// A critical finding.
pub fn critical(id: &str) -> Vulnerability {
    finding(id, "CRITICAL")
}

/// A high finding.
pub fn high(id: &str) -> Vulnerability {
    finding(id, "HIGH")
}

/// The compliant Kubernetes cluster plus a `web/proxy` Deployment on Docker Hub's nginx, with
/// the `web/api` image in ECR: scanned (Inspector, findings at critical and above read), pushed
/// ten days before the tests' now, unsigned, holding `findings`.
pub fn scanned_cluster(findings: Vec<Vulnerability>) -> ClusterInventory {
    let mut inv = k8s::kube_cluster();
    let proxy = Workload {
        kind: "Deployment".into(),
        metadata: meta("web", "proxy"),
        pod_labels: BTreeMap::from([("app".into(), "proxy".into())]),
        spec: PodSpec {
            containers: vec![container("nginx", "nginx:1.27")],
            ..PodSpec::default()
        },
        pods: 1,
        digests: BTreeMap::new(),
    };
    k8s(&mut inv).workloads.data_mut().push(proxy);
    let mut severity_counts = BTreeMap::new();
    for finding in &findings {
        *severity_counts.entry(finding.severity.clone()).or_insert(0) += 1;
    }
    let image = EcrImage {
        location: ImageRef::parse(API_IMAGE).ecr().unwrap(),
        digest: APP_DIGEST.into(),
        tags: vec!["1.4.2".into()],
        pushed_at: Some("2026-11-13T12:00:00Z".parse().unwrap()),
        scan_status: Some(ScanStatus {
            status: "ACTIVE".into(),
            description: None,
        }),
        severity_counts,
        vulnerabilities: Read::Got(Vulnerabilities {
            source: "inspector".into(),
            min_severity: "critical".into(),
            findings,
        }),
        signatures: Read::Got(vec![]),
    };
    inv.ecr_images = Read::Got(Collection::complete(vec![image]));
    inv
}

/// The `web/api` image as read from ECR, to change.
pub fn image_of(inv: &mut ClusterInventory) -> &mut EcrImage {
    &mut inv.ecr_images.got_mut().unwrap().items[0]
}

/// Record the vulnerabilities as read down to `floor`.
pub fn read_floor(inv: &mut ClusterInventory, floor: &str) {
    if let Read::Got(read) = &mut image_of(inv).vulnerabilities {
        read.min_severity = floor.into();
    }
}

/// Make the `web/api` repository unreadable (DescribeImages denied on it).
pub fn deny_repository(inv: &mut ClusterInventory) {
    inv.ecr_images = Read::Got(Collection::of(
        vec![],
        vec![denied("ecr:DescribeImages", &[APP_REPOSITORY])],
    ));
}

/// Make the ECR images unread altogether.
pub fn image_of_unread(inv: &mut ClusterInventory) {
    inv.ecr_images = Read::NotCollected;
}

/// The `web/api` image deleted from its repository since the pods pulled it.
pub fn gone_from_repository(inv: &mut ClusterInventory) {
    let mut gone = denied(
        "ecr:DescribeImages",
        &[&format!("{APP_REPOSITORY}@{APP_DIGEST}")],
    );
    gone.kind = crate::inventory::ErrorKind::NotFound;
    gone.message = "ImageNotFound: the image does not exist".into();
    inv.ecr_images = Read::Got(Collection::of(vec![], vec![gone]));
}

/// Put `web/api` behind an internet-facing load balancer open to anyone.
pub fn expose_api(inv: &mut ClusterInventory) {
    let service = Service {
        metadata: meta("web", "api"),
        spec: ServiceSpec {
            kind: Some("LoadBalancer".into()),
            ports: vec![ServicePort {
                port: 443,
                name: None,
            }],
            selector: Some(BTreeMap::from([("app".into(), "api".into())])),
            external_ips: Some(vec![]),
            ..ServiceSpec::default()
        },
    };
    k8s(inv).services.data_mut().push(service);
}
