//! `ecr-immutable-tags`: image tags cannot be overwritten, so a tag always names the image that
//! was reviewed, scanned and deployed.

use serde_json::json;

use super::per_repository;
use crate::checks::frameworks::{bp, nist};
use crate::checks::{Area, Check, Ctx, Finding, Remediation, Scope, Severity};

/// The check.
pub static CHECK: Check = Check {
    id: "ecr-immutable-tags",
    aliases: &[],
    area: Area::Ecr,
    title: "ECR image tags are immutable",
    severity: Severity::Low,
    refs: &[nist("PR.DS-6"), bp("image-security")],
    needs: &["ecr:DescribeRepositories"],
    rationale: "With mutable tags, anyone who can push can replace `app:1.4.2` with a different image; nodes \
pulling the tag later run code nobody reviewed or scanned. Immutable tags make a tag a stable name.",
    remediation: Remediation {
        text: "Set the repository's tag mutability to IMMUTABLE (with exclusions for tags such as `latest` if \
your pipeline needs them).",
        cli: Some(
            "aws ecr put-image-tag-mutability --repository-name <repo> --image-tag-mutability IMMUTABLE",
        ),
        terraform: Some("image_tag_mutability = \"IMMUTABLE\""),
    },
    links: &["https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html"],
    scope: Scope::Region,
    eval,
};

fn eval(ctx: &Ctx<'_>) -> Vec<Finding> {
    per_repository(ctx, |_, repository, arn| {
        let mutability = repository.tag_mutability.as_deref();
        let evidence = json!({ "image_tag_mutability": mutability });
        match mutability {
            Some(m) if m.starts_with("IMMUTABLE") => {
                Finding::pass(arn, format!("{} tags are immutable ({m})", repository.name))
            }
            Some(m) => Finding::fail(
                arn,
                format!("{} tags can be overwritten ({m})", repository.name),
            ),
            None => Finding::error(arn, "DescribeRepositories did not report tag mutability"),
        }
        .with_evidence(evidence)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Status;
    use crate::checks::testkit::*;
    use crate::config::Settings;

    #[test]
    fn immutable_passes_mutable_fails() {
        assert_eq!(
            statuses(&run_everywhere(&CHECK, &cluster())),
            [Status::Pass]
        );
        let mut region = region();
        region.ecr_repositories.as_mut().unwrap()[0].tag_mutability = Some("MUTABLE".into());
        let findings = run_full(
            &CHECK,
            &cluster(),
            Some(&region),
            None,
            &Settings::default(),
        );
        assert_eq!(statuses(&findings), [Status::Fail]);
    }
}
