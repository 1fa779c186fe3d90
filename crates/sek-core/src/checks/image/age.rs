//! `image-age`: the images the workloads run were pushed within `[thresholds]
//! image_max_age_days` (default 90): an old image carries every vulnerability found since in
//! its base and packages, even where no scan runs any more.
//!
//! The age is ECR's push time of the digest that runs (pod status), else of the tag's image.

use serde_json::json;

use crate::checks::frameworks::{bp, nist};
use crate::checks::shared::images::{find_in_ecr, per_image};
use crate::checks::shared::k8s::kubernetes;
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Finding, Remediation, Severity};
use crate::inventory::aws;
use crate::inventory::images_in_use;
use crate::inventory::k8s::resources::workload_needs;

/// The check.
pub static CHECK: Check = Check {
    id: "image-age",
    aliases: &[],
    area: Area::Image,
    title: "Images in use were built recently",
    severity: Severity::Low,
    refs: &[nist("DE.CM-8"), bp("image-security")],
    needs: workload_needs![aws("ecr:DescribeImages")],
    rationale: "Base images and packages are patched continuously; an image pushed months ago holds every fix \
it missed since, and ECR stops scanning images continuously after a while (Inspector's re-scan duration). \
Rebuilding regularly is how fixes reach what runs.",
    remediation: Remediation {
        text: "Rebuild images on a schedule (and on base image updates), then roll the workloads. The maximum \
age is configurable in sek.toml ([thresholds] image_max_age_days).",
        cli: Some(
            "aws ecr describe-images --repository-name <repository> --image-ids imageDigest=<digest> --query 'imageDetails[].imagePushedAt'",
        ),
        terraform: None,
    },
    links: &["https://docs.aws.amazon.com/eks/latest/best-practices/image-security.html"],
    eval: Eval::Cluster(eval),
};

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    let view = kubernetes(ctx)?;
    let max_days = i64::from(ctx.settings.image_max_age_days);
    let mut findings = Vec::new();
    for image in images_in_use(view.workloads()?.iter().copied()) {
        let workloads = image.workload_names();
        let found = match find_in_ecr(ctx, &image).found(&image) {
            Ok(found) => found,
            Err(finding) => {
                findings.push(*finding);
                continue;
            }
        };
        // The oldest digest running decides.
        let oldest = found.iter().min_by_key(|i| i.pushed_at);
        let Some(ecr_image) = oldest else { continue };
        let resource = ecr_image.reference();
        let Some(pushed) = ecr_image.pushed_at else {
            findings.push(Finding::error(
                resource,
                "DescribeImages reported no push time",
            ));
            continue;
        };
        let days = (ctx.now.as_second() - pushed.as_second()) / 86_400;
        let evidence = json!({ "pushed_at": pushed, "age_days": days, "max_age_days": max_days, "workloads": workloads });
        findings.push(
            if days > max_days {
                Finding::fail(
                    resource,
                    format!(
                        "{} (run by {}) was pushed {days} days ago (maximum {max_days}); rebuild it",
                        image.image,
                        workloads.join(", ")
                    ),
                )
            } else {
                Finding::pass(resource, format!("{} was pushed {days} days ago", image.image))
            }
            .with_evidence(evidence),
        );
    }
    Ok(per_image(ctx, findings))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::image::*;
    use crate::checks::testkit::*;
    use crate::checks::{Settings, Status};

    #[test]
    fn a_recent_push_passes_an_old_one_fails_by_the_threshold() {
        let mut inv = scanned_cluster(vec![]);
        let resource = format!("{APP_REPOSITORY}@{APP_DIGEST}");
        assert_eq!(about(&run(&CHECK, &inv), &resource).status, Status::Pass);
        image_of(&mut inv).pushed_at = Some("2026-06-01T00:00:00Z".parse().unwrap());
        let findings = run(&CHECK, &inv);
        let finding = about(&findings, &resource);
        assert_eq!(finding.status, Status::Fail);
        assert!(
            finding.message.contains("pushed 175 days ago (maximum 90)"),
            "{}",
            finding.message
        );
        let settings = Settings {
            image_max_age_days: 200,
            ..Default::default()
        };
        assert_eq!(
            about(&run_with(&CHECK, &inv, &settings), &resource).status,
            Status::Pass
        );
    }

    #[test]
    fn unread_images_are_errors_and_images_outside_ecr_not_applicable() {
        let mut inv = scanned_cluster(vec![]);
        deny_repository(&mut inv);
        let findings = run(&CHECK, &inv);
        assert_eq!(about(&findings, APP_REPOSITORY).status, Status::Error);
        assert_eq!(about(&findings, "nginx:1.27").status, Status::NotApplicable);
        image_of_unread(&mut inv);
        assert_eq!(
            about(&run(&CHECK, &inv), APP_REPOSITORY).status,
            Status::Error
        );
    }
}
