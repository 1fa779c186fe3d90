//! Finding an image in use in ECR: what `vuln-images`, `image-age`, `image-signed` and the risk
//! paths share, so they cannot disagree on which image runs or on what was not read.

use crate::checks::{Ctx, Finding, Status};
use crate::inventory::{
    CollectError, EcrImage, EcrLocation, ErrorKind, ImageInUse, Missing, Need, Why, aws,
};

/// The read that finds an image in ECR.
const DESCRIBE_IMAGES: &[Need] = &[aws("ecr:DescribeImages")];

/// Where an image in use was found.
#[derive(Debug)]
pub(crate) enum InEcr<'a> {
    /// Not in a private ECR registry, or one of Amazon's EKS images: the reason.
    Outside(String),
    /// Its repository (or the whole ECR read) was not read: the `error` finding.
    Unread(Finding),
    /// No longer in its repository: the reason.
    Gone(String),
    /// The ECR images it is: one per digest running (or the tag's, with no pod running).
    Found(Vec<&'a EcrImage>),
}

impl<'a> InEcr<'a> {
    /// The ECR images found, or the finding that says why there are none: `not-applicable`
    /// outside ECR, the `error` of what was not read, `manual` for an image gone from its
    /// repository.
    pub(crate) fn found(self, image: &ImageInUse<'_>) -> Result<Vec<&'a EcrImage>, Box<Finding>> {
        Err(Box::new(match self {
            InEcr::Found(found) => return Ok(found),
            InEcr::Outside(reason) => Finding::not_applicable(image.image, reason),
            InEcr::Unread(finding) => finding,
            InEcr::Gone(reason) => {
                let resource = image.ecr.as_ref().map(|l| l.name()).unwrap_or_default();
                Finding::new(Status::Manual, resource, reason)
            }
        }))
    }
}

/// The findings of a check judging each image in use, or `not-applicable` when no workload
/// runs one.
pub(crate) fn per_image(ctx: &Ctx<'_>, mut findings: Vec<Finding>) -> Vec<Finding> {
    if findings.is_empty() {
        findings.push(Finding::not_applicable(
            ctx.inventory.arn(),
            "no workload runs an image",
        ));
    }
    findings
}

/// The failed read about `image` in its repository: of the whole repository, or of one of the
/// ids it was asked by.
fn failure_about<'a>(
    failed: &'a [CollectError],
    location: &EcrLocation,
    image: &ImageInUse<'_>,
) -> Option<&'a CollectError> {
    let ids = image.ids();
    failed.iter().find(|err| {
        err.resources
            .iter()
            .any(|r| location.is_failure_about(r, |id| ids.contains(&id)))
    })
}

/// Find `image` among the ECR images read.
pub(crate) fn find_in_ecr<'a>(ctx: &Ctx<'a>, image: &ImageInUse<'_>) -> InEcr<'a> {
    let Some(location) = &image.ecr else {
        return InEcr::Outside(format!(
            "{} is not in a private ECR registry: sek cannot read its scan, push time or signatures \
(check it where it is built, or mirror it into ECR with a pull-through cache)",
            image.image
        ));
    };
    if location.is_amazon_eks() {
        return InEcr::Outside(format!(
            "{} is Amazon's EKS image (account {}): AWS builds, scans and patches it with the add-on's \
versions (see service-addon-versions)",
            image.image, location.registry_id
        ));
    }
    let resource = location.name();
    let read = match ctx.inventory.ecr_images() {
        Ok(read) => read,
        Err(missing) => return InEcr::Unread(Finding::missing(resource, &missing)),
    };
    let found: Vec<&EcrImage> = read.iter().filter(|i| image.matches(i)).collect();
    if !found.is_empty() {
        return InEcr::Found(found);
    }
    match failure_about(&read.failed, location, image) {
        Some(err) if err.kind == ErrorKind::NotFound => InEcr::Gone(format!(
            "{} is no longer in {resource}: its scan and history went with it ({})",
            image.image, err.message
        )),
        Some(err) => InEcr::Unread(Finding::missing(
            resource,
            &Missing::new(
                format!("image {} in ECR", image.image),
                DESCRIBE_IMAGES,
                Why::Failed(Box::new(err.clone())),
            ),
        )),
        None => InEcr::Unread(Finding::error(
            resource,
            format!(
                "{} was not read from ECR (a snapshot without it, or a scan that did not need it): scan \
again with ecr:DescribeImages allowed",
                image.image
            ),
        )),
    }
}
