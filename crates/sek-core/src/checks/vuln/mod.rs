//! What the vulnerability scans found in what actually runs: the images the workloads run
//! (`vuln-images`) and the nodes (`vuln-nodes`), from Amazon Inspector and ECR's scans.
//!
//! The judgement of one image is shared with the risk paths (`risk-exposed-vulnerable`), so a
//! path and the image's own finding can never disagree.

pub mod images;
pub mod nodes;

use serde_json::{Value, json};

use crate::checks::shared::images::{InEcr, find_in_ecr};
use crate::checks::{Ctx, Finding, Severity, Status};
use crate::inventory::{EcrImage, ImageInUse, Vulnerabilities, Vulnerability};

/// The sek severity of a scanner's severity (`CRITICAL`, `HIGH`...); `None` for `UNTRIAGED` and
/// `UNDEFINED`, which rank nowhere. The collector reads with it too, so what is read and what is
/// judged rank severities alike.
pub fn severity_of(scanner: &str) -> Option<Severity> {
    match scanner.to_ascii_uppercase().as_str() {
        "CRITICAL" => Some(Severity::Critical),
        "HIGH" => Some(Severity::High),
        "MEDIUM" => Some(Severity::Medium),
        "LOW" => Some(Severity::Low),
        "INFORMATIONAL" | "INFO" => Some(Severity::Info),
        _ => None,
    }
}

/// The findings of `read` at or above `threshold`, or an `Err` message when fewer severities
/// were read than the threshold asks for (a snapshot made with a higher `vuln_min_severity`).
pub(crate) fn at_or_above(
    read: &Vulnerabilities,
    threshold: Severity,
) -> Result<Vec<&Vulnerability>, String> {
    let floor = Severity::parse(&read.min_severity).unwrap_or(Severity::Critical);
    if threshold < floor {
        return Err(format!(
            "only findings at {floor} or above were read, and the threshold is {threshold}: collect again \
with vuln_min_severity = \"{threshold}\""
        ));
    }
    Ok(read
        .findings
        .iter()
        .filter(|v| severity_of(&v.severity).is_some_and(|s| s >= threshold))
        .collect())
}

/// How many findings the last scan counted at or above `threshold` (ECR's summary).
pub(crate) fn counted_at_or_above(image: &EcrImage, threshold: Severity) -> i64 {
    image
        .severity_counts
        .iter()
        .filter(|(severity, _)| severity_of(severity).is_some_and(|s| s >= threshold))
        .map(|(_, count)| *count)
        .sum()
}

/// `CVE-2024-3094 (CRITICAL) in xz-libs 5.6.0 (fixed in 5.6.1), exploit known`.
pub(crate) fn describe(vulnerability: &Vulnerability) -> String {
    let packages: Vec<String> = vulnerability
        .packages
        .iter()
        .map(|p| {
            let mut text = p.name.clone();
            if let Some(version) = &p.version {
                text.push(' ');
                text.push_str(version);
            }
            if let Some(fixed) = &p.fixed_in {
                text.push_str(&format!(" (fixed in {fixed})"));
            }
            text
        })
        .collect();
    let mut text = format!("{} ({})", vulnerability.id, vulnerability.severity);
    if !packages.is_empty() {
        text.push_str(&format!(" in {}", packages.join(", ")));
    }
    match vulnerability.fix_available.as_deref() {
        Some("NO") => text.push_str(", no fix yet"),
        Some("PARTIAL") => text.push_str(", partly fixed"),
        _ => {}
    }
    if vulnerability.exploit_available.as_deref() == Some("YES") {
        text.push_str(", exploit known");
    }
    text
}

/// The evidence of a list of vulnerabilities.
pub(crate) fn evidence(vulnerabilities: &[&Vulnerability]) -> Value {
    json!(vulnerabilities)
}

/// Why a scan status means the image has no result to judge, if it does.
fn unscanned_reason(image: &EcrImage) -> Option<String> {
    let Some(status) = &image.scan_status else {
        return Some("ECR holds no scan of it (scanning was off when it was pushed)".into());
    };
    let why = status
        .description
        .as_deref()
        .map(|d| format!(": {d}"))
        .unwrap_or_default();
    match status.status.as_str() {
        "COMPLETE" | "ACTIVE" => None,
        "IN_PROGRESS" | "PENDING" => Some(format!("its scan is {}{why}", status.status)),
        other => Some(format!("its scan status is {other}{why}")),
    }
}

/// What is known of one image in use.
#[derive(Debug)]
pub(crate) enum ImageScan<'a> {
    /// Not in a private ECR registry, or one of Amazon's EKS images: the reason.
    NotApplicable(String),
    /// What the image's scan needed and did not get.
    Unread(Finding),
    /// No scan result to judge: why.
    Unscanned(String),
    /// Findings at or above the threshold in these ECR images (the counts, when the details
    /// were not among those read).
    Vulnerable {
        /// Each ECR image (one per digest running) with its findings at or above the threshold.
        images: Vec<(&'a EcrImage, Vec<&'a Vulnerability>, i64)>,
    },
    /// Scanned, nothing at or above the threshold: the ECR images.
    Clean(Vec<&'a EcrImage>),
}

/// Judge one image in use against `threshold`: what ECR and Inspector hold about the digests
/// that run (or, with no pod running, the tag). Never clean on anything not read.
pub(crate) fn scan_of<'a>(
    ctx: &Ctx<'a>,
    image: &ImageInUse<'_>,
    threshold: Severity,
) -> ImageScan<'a> {
    let found = match find_in_ecr(ctx, image) {
        InEcr::Outside(reason) => return ImageScan::NotApplicable(reason),
        InEcr::Unread(finding) => return ImageScan::Unread(finding),
        InEcr::Gone(reason) => return ImageScan::Unscanned(reason),
        InEcr::Found(found) => found,
    };
    // Every digest that runs is judged: a proven finding in one is a failure whatever the
    // others are; otherwise one unread or unscanned digest keeps the image from passing.
    let mut vulnerable = Vec::new();
    let mut unread = None;
    let mut unscanned = None;
    for ecr_image in &found {
        if let Some(reason) = unscanned_reason(ecr_image) {
            unscanned.get_or_insert_with(|| format!("{}: {reason}", ecr_image.reference()));
            continue;
        }
        let counted = counted_at_or_above(ecr_image, threshold);
        let listed = match ecr_image.vulnerabilities() {
            Ok(read) => match at_or_above(read, threshold) {
                Ok(listed) => listed,
                Err(message) => {
                    unread.get_or_insert_with(|| Finding::error(ecr_image.reference(), message));
                    continue;
                }
            },
            // The summary counts decide without the details; they are only for the evidence.
            Err(_) if counted > 0 => Vec::new(),
            Err(missing) => {
                unread.get_or_insert_with(|| Finding::missing(ecr_image.reference(), &missing));
                continue;
            }
        };
        if counted > 0 || !listed.is_empty() {
            vulnerable.push((*ecr_image, listed, counted));
        }
    }
    match (vulnerable.is_empty(), unread, unscanned) {
        (false, _, _) => ImageScan::Vulnerable { images: vulnerable },
        (true, Some(finding), _) => ImageScan::Unread(finding),
        (true, None, Some(reason)) => ImageScan::Unscanned(reason),
        (true, None, None) => ImageScan::Clean(found),
    }
}

/// The message part for a vulnerable image: `2 critical findings: CVE-... ; CVE-...`.
pub(crate) fn summarise(
    images: &[(&EcrImage, Vec<&Vulnerability>, i64)],
    threshold: Severity,
) -> String {
    let mut parts = Vec::new();
    for (image, listed, counted) in images {
        let count = (*counted).max(listed.len() as i64);
        let mut part = format!(
            "{count} finding{} at {threshold} or above in {}",
            if count == 1 { "" } else { "s" },
            image.digest
        );
        if !listed.is_empty() {
            let shown: Vec<String> = listed.iter().take(5).map(|v| describe(v)).collect();
            part.push_str(&format!(": {}", shown.join("; ")));
            if listed.len() > 5 {
                part.push_str(&format!("; and {} more", listed.len() - 5));
            }
        }
        parts.push(part);
    }
    parts.join(" | ")
}

/// The finding for an image in use whose scan is `scan`.
pub(crate) fn image_finding(
    image: &ImageInUse<'_>,
    scan: ImageScan<'_>,
    threshold: Severity,
) -> Finding {
    let workloads = image.workload_names();
    let resource = image
        .ecr
        .as_ref()
        .map_or_else(|| image.image.to_string(), |l| l.name());
    let base = json!({ "image": image.image, "digests": image.digests, "workloads": workloads });
    let run_by = format!("run by {}", workloads.join(", "));
    match scan {
        ImageScan::NotApplicable(reason) => {
            Finding::not_applicable(image.image, reason).with_evidence(base)
        }
        ImageScan::Unread(mut finding) => {
            match &mut finding.evidence {
                Value::Object(map) => {
                    map.insert("image".into(), base["image"].clone());
                    map.insert("workloads".into(), base["workloads"].clone());
                }
                other => *other = base,
            }
            finding
        }
        ImageScan::Unscanned(reason) => Finding::new(
            Status::Manual,
            resource,
            format!(
                "{} ({run_by}) has no scan result to judge: {reason}",
                image.image
            ),
        )
        .with_evidence(base),
        ImageScan::Vulnerable { images } => {
            let mut evidence = base;
            evidence["findings"] = vulnerable_evidence(&images);
            Finding::fail(
                images[0].0.reference(),
                format!(
                    "{} ({run_by}): {}",
                    image.image,
                    summarise(&images, threshold)
                ),
            )
            .with_evidence(evidence)
        }
        ImageScan::Clean(images) => {
            let digests: Vec<&str> = images.iter().map(|i| i.digest.as_str()).collect();
            Finding::pass(
                images[0].reference(),
                format!(
                    "{} ({run_by}) has no finding at {threshold} or above ({})",
                    image.image,
                    digests.join(", ")
                ),
            )
            .with_evidence(base)
        }
    }
}

/// The evidence of an image's vulnerable digests: each one with its count at the threshold and
/// the findings read.
pub(crate) fn vulnerable_evidence(images: &[(&EcrImage, Vec<&Vulnerability>, i64)]) -> Value {
    json!(
        images
            .iter()
            .map(|(image, listed, counted)| json!({
                "image": image.reference(),
                "counted": counted,
                "vulnerabilities": evidence(listed),
            }))
            .collect::<Vec<_>>()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::VulnerablePackage;

    fn finding(id: &str, severity: &str) -> Vulnerability {
        Vulnerability {
            id: id.into(),
            severity: severity.into(),
            packages: vec![VulnerablePackage {
                name: "openssl".into(),
                version: Some("3.0.1".into()),
                fixed_in: Some("3.0.7".into()),
            }],
            fix_available: Some("YES".into()),
            exploit_available: Some("YES".into()),
        }
    }

    #[test]
    fn the_threshold_filters_and_cannot_go_below_what_was_read() {
        let read = Vulnerabilities {
            source: "inspector".into(),
            min_severity: "high".into(),
            findings: vec![
                finding("CVE-1", "CRITICAL"),
                finding("CVE-2", "HIGH"),
                finding("CVE-3", "UNTRIAGED"),
            ],
        };
        let ids = |v: Vec<&Vulnerability>| v.iter().map(|v| v.id.clone()).collect::<Vec<_>>();
        assert_eq!(
            ids(at_or_above(&read, Severity::Critical).unwrap()),
            ["CVE-1"]
        );
        assert_eq!(
            ids(at_or_above(&read, Severity::High).unwrap()),
            ["CVE-1", "CVE-2"]
        );
        let err = at_or_above(&read, Severity::Medium).unwrap_err();
        assert!(err.contains("vuln_min_severity = \"medium\""), "{err}");
    }

    #[test]
    fn a_finding_is_described_with_package_fix_and_exploit() {
        assert_eq!(
            describe(&finding("CVE-2024-1", "CRITICAL")),
            "CVE-2024-1 (CRITICAL) in openssl 3.0.1 (fixed in 3.0.7), exploit known"
        );
        let mut no_fix = finding("CVE-2", "HIGH");
        no_fix.fix_available = Some("NO".into());
        no_fix.exploit_available = None;
        no_fix.packages[0].fixed_in = None;
        assert_eq!(
            describe(&no_fix),
            "CVE-2 (HIGH) in openssl 3.0.1, no fix yet"
        );
    }
}
