//! What runs: the images a cluster's workloads run, where each lives in ECR, and what the
//! registry and Amazon Inspector hold about it (push time, scan status, vulnerabilities,
//! signatures); and what Inspector found on the nodes.
//!
//! Images are told apart by the reference the pod spec writes and, from pod status, the digest
//! each pod actually pulled: a tag can move, a digest cannot.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::k8s::Workload;
use super::{Lookup, Need, Read, aws};

/// A container image reference, split: `[registry/]repository[:tag][@digest]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageRef<'a> {
    /// Registry host (`docker.io` when the reference names none).
    pub registry: &'a str,
    /// Repository path in the registry.
    pub repository: &'a str,
    /// Tag, if any.
    pub tag: Option<&'a str>,
    /// Digest (`sha256:...`), if any.
    pub digest: Option<&'a str>,
}

impl<'a> ImageRef<'a> {
    /// Parse `[registry/]repository[:tag][@digest]`.
    pub fn parse(image: &'a str) -> ImageRef<'a> {
        let (name, digest) = match image.split_once('@') {
            Some((name, digest)) => (name, Some(digest)),
            None => (image, None),
        };
        let last_slash = name.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match name[last_slash..].rfind(':') {
            Some(i) => (&name[..last_slash + i], Some(&name[last_slash + i + 1..])),
            None => (name, None),
        };
        let (registry, repository) = match name.split_once('/') {
            Some((host, rest))
                if host.contains('.') || host.contains(':') || host == "localhost" =>
            {
                (host, rest)
            }
            _ => ("docker.io", name),
        };
        ImageRef {
            registry,
            repository,
            tag,
            digest,
        }
    }

    /// Where the image lives in a private ECR registry, when it does
    /// (`<account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]`).
    pub fn ecr(&self) -> Option<EcrLocation> {
        let host = self.registry;
        let (account, rest) = host.split_once(".dkr.ecr")?;
        let rest = rest.strip_prefix("-fips").unwrap_or(rest);
        let region = rest.strip_prefix('.')?;
        let region = region
            .strip_suffix(".amazonaws.com")
            .or_else(|| region.strip_suffix(".amazonaws.com.cn"))?;
        let valid = account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit());
        (valid && !region.is_empty() && !region.contains('.')).then(|| EcrLocation {
            registry_id: account.to_string(),
            region: region.to_string(),
            repository: self.repository.to_string(),
        })
    }
}

/// The accounts whose ECR registries hold Amazon's EKS add-on and component images (VPC CNI,
/// kube-proxy, CoreDNS, the Pod Identity agent...), one per region group. Their images are
/// patched by AWS with the add-on's versions; a customer's role cannot read their scans.
pub const EKS_REGISTRY_ACCOUNTS: &[&str] = &[
    // From "View Amazon container image registries for Amazon EKS add-ons" (EKS user guide).
    "602401143452", // most regions
    "877085696533", // af-south-1
    "800184023465", // ap-east-1
    "533267051163", // ap-east-2
    "900889452093", // ap-south-2
    "296578399912", // ap-southeast-3
    "491585149902", // ap-southeast-4
    "151610086707", // ap-southeast-5
    "333609536671", // ap-southeast-6
    "121268973566", // ap-southeast-7
    "761377655185", // ca-west-1
    "900612956339", // eu-central-2
    "590381155156", // eu-south-1
    "455263428931", // eu-south-2
    "066635153087", // il-central-1
    "759879836304", // me-central-1
    "558608220178", // me-south-1
    "730335286997", // mx-central-1
    "918309763551", // cn-north-1
    "961992271922", // cn-northwest-1
    "151742754352", // us-gov-east-1
    "013241004608", // us-gov-west-1
];

/// A repository in a private ECR registry.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct EcrLocation {
    /// The registry: its account id.
    pub registry_id: String,
    /// The registry's region.
    pub region: String,
    /// The repository name.
    pub repository: String,
}

impl EcrLocation {
    /// `<account>.dkr.ecr.<region>.amazonaws.com/<repository>`: how images name it, and how
    /// failed reads about it name it.
    pub fn name(&self) -> String {
        format!(
            "{}.dkr.ecr.{}.amazonaws.com/{}",
            self.registry_id, self.region, self.repository
        )
    }

    /// The repository's ARN.
    pub fn arn(&self, partition: &str) -> String {
        format!(
            "arn:{partition}:ecr:{}:{}:repository/{}",
            self.region, self.registry_id, self.repository
        )
    }

    /// How a failed read about this repository names what it was about: the repository
    /// (`<registry>/<repository>`), or one image in it asked by `id` (`...@<id>`).
    pub fn failure_resource(&self, id: Option<&str>) -> String {
        match id {
            Some(id) => format!("{}@{id}", self.name()),
            None => self.name(),
        }
    }

    /// Whether a failed read's `resource` ([`failure_resource`](Self::failure_resource)) is about
    /// this repository as a whole, or about one of the ids `asked` accepts.
    pub fn is_failure_about(&self, resource: &str, asked: impl Fn(&str) -> bool) -> bool {
        let name = self.name();
        match resource.strip_prefix(name.as_str()) {
            Some("") => true,
            Some(rest) => rest.strip_prefix('@').is_some_and(asked),
            None => false,
        }
    }

    /// Whether this is one of Amazon's EKS registries ([`EKS_REGISTRY_ACCOUNTS`]).
    pub fn is_amazon_eks(&self) -> bool {
        EKS_REGISTRY_ACCOUNTS.contains(&self.registry_id.as_str())
    }
}

/// One image the cluster's workloads run, with every workload that runs it.
#[derive(Debug, Clone)]
pub struct ImageInUse<'a> {
    /// The reference as the pod specs write it.
    pub image: &'a str,
    /// Its ECR repository, when it lives in a private ECR registry.
    pub ecr: Option<EcrLocation>,
    /// The digests pods pulled for it (from pod status), and the one the reference pins.
    pub digests: BTreeSet<&'a str>,
    /// The workloads running it.
    pub workloads: Vec<&'a Workload>,
}

impl<'a> ImageInUse<'a> {
    /// The reference, parsed.
    pub fn reference(&self) -> ImageRef<'a> {
        ImageRef::parse(self.image)
    }

    /// The `Kind/namespace/name` of each workload running it.
    pub fn workload_names(&self) -> Vec<String> {
        self.workloads.iter().map(|w| w.reference()).collect()
    }

    /// The ids ECR is asked for it by: the digests that run (or the reference pins), else the
    /// tag (`latest` when it names none).
    pub fn ids(&self) -> Vec<&'a str> {
        if self.digests.is_empty() {
            vec![self.reference().tag.unwrap_or("latest")]
        } else {
            self.digests.iter().copied().collect()
        }
    }

    /// Whether `image` is it: in its repository, with one of its [`ids`](Self::ids) as digest
    /// or tag.
    pub fn matches(&self, image: &EcrImage) -> bool {
        let ids = self.ids();
        self.ecr.as_ref() == Some(&image.location)
            && (ids.contains(&image.digest.as_str())
                || image.tags.iter().any(|t| ids.contains(&t.as_str())))
    }
}

/// Every image `workloads` run (regular, init and ephemeral containers), sorted by reference.
pub fn images_in_use<'a>(workloads: impl IntoIterator<Item = &'a Workload>) -> Vec<ImageInUse<'a>> {
    let mut by_image: BTreeMap<&'a str, ImageInUse<'a>> = BTreeMap::new();
    for workload in workloads {
        for (_, container) in workload.spec.all_containers() {
            let Some(image) = container.image.as_deref().filter(|i| !i.is_empty()) else {
                continue;
            };
            let entry = by_image.entry(image).or_insert_with(|| {
                let reference = ImageRef::parse(image);
                ImageInUse {
                    image,
                    ecr: reference.ecr(),
                    digests: reference.digest.into_iter().collect(),
                    workloads: Vec::new(),
                }
            });
            if let Some(pulled) = workload.digests.get(image) {
                entry.digests.extend(pulled.iter().map(String::as_str));
            }
            if !entry.workloads.iter().any(|w| std::ptr::eq(*w, workload)) {
                entry.workloads.push(workload);
            }
        }
    }
    by_image.into_values().collect()
}

/// An image in ECR, as DescribeImages reports it, with what sek read about it.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct EcrImage {
    /// Its repository.
    #[serde(flatten)]
    pub location: EcrLocation,
    /// Its digest (`sha256:...`).
    pub digest: String,
    /// Its tags.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// When it was pushed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pushed_at: Option<Timestamp>,
    /// Its scan status, when the registry scans it: `COMPLETE`, `FAILED`, `IN_PROGRESS` (basic
    /// scanning); `ACTIVE`, `PENDING`, `SCAN_ELIGIBILITY_EXPIRED`, `FINDINGS_UNAVAILABLE`,
    /// `UNSUPPORTED_IMAGE` (enhanced scanning).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scan_status: Option<ScanStatus>,
    /// Finding counts by severity from the last scan (`CRITICAL`, `HIGH`...).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub severity_counts: BTreeMap<String, i64>,
    /// Its vulnerabilities at or above the floor read (Inspector's ListFindings under enhanced
    /// scanning, DescribeImageScanFindings under basic).
    #[serde(default, skip_serializing_if = "Read::is_not_collected")]
    pub vulnerabilities: Read<Vulnerabilities>,
    /// Its signatures: OCI referrers of a signature artifact type (ListImageReferrers).
    #[serde(default, skip_serializing_if = "Read::is_not_collected")]
    pub signatures: Read<Vec<Signature>>,
}

impl EcrImage {
    /// `<registry>/<repository>@<digest>`: the finding's resource.
    pub fn reference(&self) -> String {
        format!("{}@{}", self.location.name(), self.digest)
    }

    /// Its vulnerabilities, or why they are missing.
    pub fn vulnerabilities(&self) -> Lookup<'_, Vulnerabilities> {
        const NEEDS: &[Need] = &[
            aws("inspector2:ListFindings"),
            aws("ecr:DescribeImageScanFindings"),
        ];
        self.vulnerabilities
            .get(&format!("the scan findings of {}", self.reference()), NEEDS)
    }

    /// Its signatures, or why they are missing.
    pub fn signatures(&self) -> Lookup<'_, Vec<Signature>> {
        const NEEDS: &[Need] = &[aws("ecr:ListImageReferrers")];
        self.signatures
            .get(&format!("the signatures of {}", self.reference()), NEEDS)
    }
}

/// A scan status and its description.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct ScanStatus {
    /// The status code.
    pub status: String,
    /// Why, when the service says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// The vulnerabilities read for one image or node: only those at or above `min_severity` were
/// asked for, so a judgement below it needs another read.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct Vulnerabilities {
    /// Where they come from: `inspector` or `ecr-basic`.
    pub source: String,
    /// The lowest severity read (`critical`, `high`, `medium`, `low`, `info`).
    pub min_severity: String,
    /// The findings.
    #[serde(default)]
    pub findings: Vec<Vulnerability>,
}

/// One vulnerability finding.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct Vulnerability {
    /// The vulnerability id (`CVE-2024-3094`, `GHSA-...`, `ALAS-...`).
    pub id: String,
    /// The severity as the source gives it (`CRITICAL`, `HIGH`, ..., `UNTRIAGED`).
    pub severity: String,
    /// The affected packages with installed and fixed versions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub packages: Vec<VulnerablePackage>,
    /// Whether a fix exists: `YES`, `NO`, `PARTIAL` (Inspector only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix_available: Option<String>,
    /// Whether an exploit is known: `YES`, `NO` (Inspector only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exploit_available: Option<String>,
}

/// A package a vulnerability affects.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct VulnerablePackage {
    /// Package name.
    pub name: String,
    /// Installed version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The version that fixes it, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed_in: Option<String>,
}

/// An OCI referrer that signs an image.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct Signature {
    /// Its artifact type (`application/vnd.cncf.notary.signature`,
    /// `application/vnd.dev.sigstore.bundle.v0.3+json`...).
    pub artifact_type: String,
    /// Its digest.
    pub digest: String,
}

/// The artifact types of OCI referrers that are signatures: Notation (ECR managed signing and
/// AWS Signer) and Sigstore/cosign.
pub const SIGNATURE_ARTIFACT_TYPES: &[&str] = &[
    "application/vnd.cncf.notary.signature",
    "application/vnd.dev.cosign.artifact.sig.v1+json",
    "application/vnd.dev.sigstore.bundle.v0.3+json",
    "application/vnd.dev.sigstore.bundle+json;version=0.3",
];

/// An ECR managed signing rule (GetSigningConfiguration): images pushed to the repositories its
/// filters match are signed with its signing profile.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct SigningRule {
    /// The AWS Signer profile.
    pub signing_profile_arn: String,
    /// Repository filters (wildcards allowed; none: every repository).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub repository_filters: Vec<String>,
}

/// What Amazon Inspector holds about one node.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct NodeScan {
    /// The instance.
    pub instance_id: String,
    /// Inspector's coverage of it (ListCoverage): `ACTIVE`, or `INACTIVE` with the reason;
    /// `None` when Inspector does not list it at all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coverage: Option<ScanStatus>,
    /// Its vulnerabilities at or above the floor read.
    #[serde(default, skip_serializing_if = "Read::is_not_collected")]
    pub vulnerabilities: Read<Vulnerabilities>,
}

impl NodeScan {
    /// Its vulnerabilities, or why they are missing.
    pub fn vulnerabilities(&self) -> Lookup<'_, Vulnerabilities> {
        const NEEDS: &[Need] = &[aws("inspector2:ListFindings")];
        self.vulnerabilities.get(
            &format!("Amazon Inspector's findings for {}", self.instance_id),
            NEEDS,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::k8s::{Container, ObjectMeta, PodSpec};

    #[test]
    fn references_split_and_private_ecr_is_recognised() {
        let ecr =
            ImageRef::parse("111122223333.dkr.ecr.eu-west-1.amazonaws.com/team/api:1.2@sha256:ab");
        assert_eq!(ecr.registry, "111122223333.dkr.ecr.eu-west-1.amazonaws.com");
        assert_eq!(ecr.repository, "team/api");
        assert_eq!(ecr.tag, Some("1.2"));
        assert_eq!(ecr.digest, Some("sha256:ab"));
        let location = ecr.ecr().unwrap();
        assert_eq!(location.registry_id, "111122223333");
        assert_eq!(location.region, "eu-west-1");
        assert_eq!(location.repository, "team/api");
        assert_eq!(
            location.arn("aws"),
            "arn:aws:ecr:eu-west-1:111122223333:repository/team/api"
        );
        let fips = ImageRef::parse("111122223333.dkr.ecr-fips.us-east-1.amazonaws.com/a:1");
        assert_eq!(fips.ecr().unwrap().region, "us-east-1");
        let china = ImageRef::parse("111122223333.dkr.ecr.cn-north-1.amazonaws.com.cn/a");
        assert_eq!(china.ecr().unwrap().region, "cn-north-1");
        assert!(
            ImageRef::parse("public.ecr.aws/eks/coredns:v1")
                .ecr()
                .is_none()
        );
        assert!(ImageRef::parse("nginx:1.27").ecr().is_none());
        assert!(
            ImageRef::parse("evil.dkr.ecr.eu-west-1.amazonaws.com.attacker.io/a")
                .ecr()
                .is_none()
        );
        let hub = ImageRef::parse("nginx");
        assert_eq!(
            (hub.registry, hub.repository, hub.tag),
            ("docker.io", "nginx", None)
        );
        assert!(
            ImageRef::parse("602401143452.dkr.ecr.eu-west-1.amazonaws.com/eks/coredns:v1")
                .ecr()
                .unwrap()
                .is_amazon_eks()
        );
    }

    fn workload(name: &str, images: &[&str]) -> Workload {
        Workload {
            kind: "Deployment".into(),
            metadata: ObjectMeta {
                name: name.into(),
                namespace: "web".into(),
                ..Default::default()
            },
            spec: PodSpec {
                containers: images
                    .iter()
                    .map(|i| Container {
                        image: Some(i.to_string()),
                        ..Default::default()
                    })
                    .collect(),
                ..Default::default()
            },
            ..Default::default()
        }
    }

    #[test]
    fn images_in_use_gather_workloads_and_pulled_digests() {
        let image = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/api:1";
        let mut api = workload("api", &[image, "nginx:1.27"]);
        api.digests
            .insert(image.into(), BTreeSet::from(["sha256:aa".to_string()]));
        let worker = workload("worker", &[image]);
        let workloads = [api, worker];
        let images = images_in_use(&workloads);
        assert_eq!(images.len(), 2);
        let ecr = &images[0];
        assert_eq!(ecr.image, image);
        assert_eq!(
            ecr.workload_names(),
            ["k8s:Deployment/web/api", "k8s:Deployment/web/worker"]
        );
        assert_eq!(ecr.digests, BTreeSet::from(["sha256:aa"]));
        assert!(images[1].ecr.is_none());

        let mut read = EcrImage {
            location: ecr.ecr.clone().unwrap(),
            digest: "sha256:aa".into(),
            tags: vec!["2".into()],
            ..Default::default()
        };
        // The digest pulled decides, whatever the tag points to now.
        assert!(ecr.matches(&read));
        read.digest = "sha256:bb".into();
        read.tags = vec!["1".into()];
        assert!(!ecr.matches(&read));
        // Without a digest (no pod running), the tag does.
        let idle = images_in_use(&workloads[1..2]);
        assert_eq!(idle[0].ids(), ["1"]);
        assert!(idle[0].matches(&read));
        assert_eq!(ecr.ids(), ["sha256:aa"]);
    }

    #[test]
    fn a_failed_read_names_the_repository_or_one_image_in_it() {
        let location = ImageRef::parse("111122223333.dkr.ecr.eu-west-1.amazonaws.com/api:1")
            .ecr()
            .unwrap();
        let repository = location.failure_resource(None);
        let image = location.failure_resource(Some("sha256:aa"));
        assert_eq!(image, format!("{repository}@sha256:aa"));
        assert!(location.is_failure_about(&repository, |_| false));
        assert!(location.is_failure_about(&image, |id| id == "sha256:aa"));
        assert!(!location.is_failure_about(&image, |id| id == "sha256:bb"));
        // Another repository whose name starts with this one's is not this one.
        assert!(!location.is_failure_about(&format!("{repository}-old"), |_| true));
    }
}
