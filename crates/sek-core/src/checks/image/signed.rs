//! `image-signed`: the images the workloads run carry a signature in ECR: an OCI referrer of a
//! signature artifact type (Notation, which ECR managed signing and AWS Signer produce, or
//! Sigstore/cosign), listed with ListImageReferrers.
//!
//! sek sees that a signature exists, not whether it verifies against your trust policy: that is
//! the admission controller's job (Kyverno, Ratify, the AWS Signer plugin). An unsigned image
//! fails when signing is in use (an ECR managed signing rule covers its repository, or other
//! images in use are signed); with no signing anywhere, the finding is `manual` with how to
//! start.

use serde_json::json;

use crate::checks::ecr::scan_filter_matches;
use crate::checks::frameworks::{bp, nist};
use crate::checks::shared::images::{find_in_ecr, per_image};
use crate::checks::shared::k8s::kubernetes;
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Finding, Remediation, Severity, Status};
use crate::inventory::k8s::resources::workload_needs;
use crate::inventory::{EcrImage, ImageInUse, Signature, aws, images_in_use};

/// The check.
pub static CHECK: Check = Check {
    id: "image-signed",
    aliases: &[],
    area: Area::Image,
    title: "Images in use are signed",
    severity: Severity::Medium,
    refs: &[nist("PR.DS-6"), bp("image-security")],
    needs: workload_needs![
        aws("ecr:DescribeImages"),
        aws("ecr:ListImageReferrers"),
        aws("ecr:GetSigningConfiguration"),
    ],
    rationale: "A signature ties an image to the pipeline that built it: with signatures verified at \
admission, an image pushed by anyone else (a leaked registry credential, a poisoned tag) cannot run. ECR stores \
signatures as OCI referrers of the image, and signs images on push with managed signing.",
    remediation: Remediation {
        text: "Sign images in the pipeline (ECR managed signing with an AWS Signer profile, Notation or cosign) \
and verify signatures at admission (Kyverno verifyImages, Ratify, or the AWS Signer plugin for Notation).",
        cli: Some(
            "aws ecr put-signing-configuration --signing-configuration '{\"rules\":[{\"signingProfileArn\":\"<profile-arn>\",\"repositoryFilters\":[{\"filter\":\"*\",\"filterType\":\"WILDCARD_MATCH\"}]}]}'",
        ),
        terraform: None,
    },
    links: &[
        "https://docs.aws.amazon.com/AmazonECR/latest/userguide/managed-signing.html",
        "https://docs.aws.amazon.com/eks/latest/best-practices/image-security.html",
    ],
    eval: Eval::Cluster(eval),
};

/// What was read of one image in use.
enum Signing<'a> {
    Decided(Finding),
    Signed(&'a EcrImage, Vec<&'a Signature>),
    Unsigned(&'a EcrImage),
}

fn signing_of<'a>(ctx: &Ctx<'a>, image: &ImageInUse<'_>) -> Signing<'a> {
    let found = match find_in_ecr(ctx, image).found(image) {
        Ok(found) => found,
        Err(finding) => return Signing::Decided(*finding),
    };
    // Every digest that runs must be signed: the first unsigned one decides.
    let mut signed = None;
    for ecr_image in found {
        match ecr_image.signatures() {
            Err(missing) => {
                return Signing::Decided(Finding::missing(ecr_image.reference(), &missing));
            }
            Ok(signatures) if signatures.is_empty() => return Signing::Unsigned(ecr_image),
            Ok(signatures) => signed = Some((ecr_image, signatures.iter().collect())),
        }
    }
    match signed {
        Some((image, signatures)) => Signing::Signed(image, signatures),
        None => Signing::Decided(Finding::error(image.image, "no ECR image was found for it")),
    }
}

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    let view = kubernetes(ctx)?;
    let images = images_in_use(view.workloads()?.iter().copied());
    let judged: Vec<(&ImageInUse<'_>, Signing<'_>)> =
        images.iter().map(|i| (i, signing_of(ctx, i))).collect();
    let any_signed = judged.iter().any(|(_, s)| matches!(s, Signing::Signed(..)));
    let mut findings = Vec::new();
    for (image, signing) in judged {
        let workloads = image.workload_names();
        findings.push(match signing {
            Signing::Decided(finding) => finding,
            Signing::Signed(ecr_image, signatures) => {
                let kinds: Vec<&str> = signatures.iter().map(|s| s.artifact_type.as_str()).collect();
                Finding::pass(
                    ecr_image.reference(),
                    format!("{} carries a signature ({})", image.image, kinds.join(", ")),
                )
                .with_evidence(json!({ "signatures": signatures, "workloads": workloads }))
            }
            Signing::Unsigned(ecr_image) => {
                let resource = ecr_image.reference();
                let evidence = json!({ "workloads": workloads });
                let rules = match ctx.region_data().and_then(|r| r.ecr_signing()) {
                    Ok(rules) => rules,
                    // Whether signing is configured decides between fail and manual.
                    Err(_) if any_signed => &Vec::new(),
                    Err(missing) => {
                        findings.push(Finding::missing(resource, &missing));
                        continue;
                    }
                };
                let rule = rules.iter().find(|rule| {
                    rule.repository_filters.is_empty()
                        || rule
                            .repository_filters
                            .iter()
                            .any(|f| scan_filter_matches(f, &ecr_image.location.repository))
                });
                let run_by = format!("run by {}", workloads.join(", "));
                if let Some(rule) = rule {
                    Finding::fail(
                        resource,
                        format!(
                            "{} ({run_by}) has no signature, though ECR managed signing ({}) covers its \
repository: it was pushed before the rule, or signing failed",
                            image.image, rule.signing_profile_arn
                        ),
                    )
                } else if any_signed {
                    Finding::fail(
                        resource,
                        format!(
                            "{} ({run_by}) has no signature, while other images in use are signed",
                            image.image
                        ),
                    )
                } else {
                    Finding::new(
                        Status::Manual,
                        resource,
                        format!(
                            "{} ({run_by}) has no signature, and nothing in use is signed: start with ECR \
managed signing or Notation/cosign in the pipeline, and verify at admission",
                            image.image
                        ),
                    )
                }
                .with_evidence(evidence)
            }
        });
    }
    Ok(per_image(ctx, findings))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Settings;
    use crate::checks::testkit::image::*;
    use crate::checks::testkit::*;
    use crate::inventory::{Read, SigningRule};

    fn judge(
        inv: &crate::inventory::ClusterInventory,
        rules: Read<Vec<SigningRule>>,
    ) -> Vec<Finding> {
        let mut region = region();
        region.ecr_signing = rules;
        run_full(&CHECK, inv, Some(&region), None, &Settings::default())
    }

    #[test]
    fn a_signature_referrer_passes() {
        let mut inv = scanned_cluster(vec![]);
        image_of(&mut inv).signatures = Read::Got(vec![Signature {
            artifact_type: "application/vnd.cncf.notary.signature".into(),
            digest: "sha256:5151".into(),
        }]);
        let findings = judge(&inv, Read::Got(vec![]));
        let finding = about(&findings, APP_DIGEST);
        assert_eq!(finding.status, Status::Pass);
        assert!(finding.message.contains("notary"), "{}", finding.message);
    }

    #[test]
    fn unsigned_is_manual_without_signing_and_fails_under_a_signing_rule() {
        let inv = scanned_cluster(vec![]);
        let findings = judge(&inv, Read::Got(vec![]));
        let finding = about(&findings, APP_DIGEST);
        assert_eq!(finding.status, Status::Manual);
        assert!(
            finding.message.contains("start with ECR managed signing"),
            "{}",
            finding.message
        );
        let rule = SigningRule {
            signing_profile_arn: "arn:aws:signer:eu-west-1:111122223333:/signing-profiles/ci"
                .into(),
            repository_filters: vec!["*".into()],
        };
        let findings = judge(&inv, Read::Got(vec![rule]));
        assert_eq!(about(&findings, APP_DIGEST).status, Status::Fail);
    }

    #[test]
    fn unread_signatures_or_signing_configuration_are_errors() {
        let mut inv = scanned_cluster(vec![]);
        let findings = judge(&inv, Read::NotCollected);
        assert_eq!(about(&findings, APP_DIGEST).status, Status::Error);
        image_of(&mut inv).signatures = Read::NotCollected;
        let findings = judge(&inv, Read::Got(vec![]));
        let finding = about(&findings, APP_DIGEST);
        assert_eq!(finding.status, Status::Error);
        assert!(
            finding.message.contains("ecr:ListImageReferrers"),
            "{}",
            finding.message
        );
    }
}
