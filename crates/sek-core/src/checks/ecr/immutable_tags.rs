//! `ecr-immutable-tags`: image tags cannot be overwritten, so a tag always names the image that
//! was reviewed, scanned and deployed.
//!
//! `IMMUTABLE_WITH_EXCLUSION` keeps every tag immutable but those its exclusion filters match,
//! which stay mutable; `MUTABLE_WITH_EXCLUSION` is the reverse
//! (<https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html>). So an
//! exclusion of `*` turns the first into mutable and the second into immutable.

use serde_json::json;

use super::{matches_everything, per_repository};
use crate::checks::frameworks::{bp, nist};
use crate::checks::{Area, Check, Eval, Evaluation, Finding, RegionCtx, Remediation, Severity};
use crate::inventory::aws;

/// The check.
pub static CHECK: Check = Check {
    id: "ecr-immutable-tags",
    aliases: &[],
    area: Area::Ecr,
    title: "ECR image tags are immutable",
    severity: Severity::Low,
    refs: &[nist("PR.DS-6"), bp("image-security")],
    needs: &[aws("ecr:DescribeRepositories")],
    rationale: "With mutable tags, anyone who can push can replace `app:1.4.2` with a different image; nodes \
pulling the tag later run code nobody reviewed or scanned. Immutable tags make a tag a stable name. \
IMMUTABLE_WITH_EXCLUSION passes unless an exclusion filter matches every tag (`*`); MUTABLE_WITH_EXCLUSION \
fails unless one does, since only the tags its filters match are immutable.",
    remediation: Remediation {
        text: "Set the repository's tag mutability to IMMUTABLE (with exclusions for tags such as `latest` if \
your pipeline needs them).",
        cli: Some(
            "aws ecr put-image-tag-mutability --repository-name <repo> --image-tag-mutability IMMUTABLE",
        ),
        terraform: Some("image_tag_mutability = \"IMMUTABLE\""),
    },
    links: &["https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html"],
    eval: Eval::Region(eval),
};

fn eval(ctx: &RegionCtx<'_>) -> Evaluation {
    per_repository(ctx, |_, repository, arn| {
        let name = &repository.name;
        let mutability = repository.tag_mutability.as_deref();
        // The exclusion filters decide only the *_WITH_EXCLUSION settings: there they must be read.
        let exclusions = match mutability {
            Some("IMMUTABLE_WITH_EXCLUSION" | "MUTABLE_WITH_EXCLUSION") => {
                Some(repository.mutability_exclusions()?.as_slice())
            }
            _ => repository
                .tag_mutability_exclusions
                .got()
                .map(Vec::as_slice),
        };
        let evidence = json!({ "image_tag_mutability": mutability, "exclusions": exclusions });
        let everything = exclusions.is_some_and(|e| e.iter().any(|f| matches_everything(f)));
        let listed = || exclusions.unwrap_or_default().join(", ");
        Ok(match (mutability, exclusions) {
            (Some("IMMUTABLE"), _) => Finding::pass(arn, format!("{name} tags are immutable")),
            (Some("MUTABLE"), _) => Finding::fail(arn, format!("{name} tags can be overwritten")),
            (Some("IMMUTABLE_WITH_EXCLUSION"), Some(_)) if everything => Finding::fail(
                arn,
                format!(
                    "{name} is IMMUTABLE_WITH_EXCLUSION with an exclusion that matches every tag \
({}): every tag can be overwritten",
                    listed()
                ),
            ),
            (Some("IMMUTABLE_WITH_EXCLUSION"), Some(_)) => Finding::pass(
                arn,
                format!("{name} tags are immutable except those matching {}", listed()),
            ),
            (Some("MUTABLE_WITH_EXCLUSION"), Some(_)) if everything => Finding::pass(
                arn,
                format!("{name} is MUTABLE_WITH_EXCLUSION, but its exclusion matches every tag: all are immutable"),
            ),
            (Some("MUTABLE_WITH_EXCLUSION"), Some(_)) => Finding::fail(
                arn,
                format!(
                    "{name} tags can be overwritten except those matching {}",
                    listed()
                ),
            ),
            (Some(m), _) => Finding::error(arn, format!("{name} has an unknown tag mutability {m}")),
            (None, _) => Finding::error(arn, "DescribeRepositories did not report tag mutability"),
        }
        .with_evidence(evidence))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Settings;
    use crate::checks::Status;
    use crate::checks::testkit::*;

    #[test]
    fn immutable_passes_mutable_fails() {
        assert_eq!(
            statuses(&run_everywhere(&CHECK, &cluster())),
            [Status::Pass]
        );
        let mut region = region();
        region.ecr_repositories.got_mut().unwrap()[0].tag_mutability = Some("MUTABLE".into());
        let findings = run_full(
            &CHECK,
            &cluster(),
            Some(&region),
            None,
            &Settings::default(),
        );
        assert_eq!(statuses(&findings), [Status::Fail]);
    }

    fn with_mode(mode: &str, exclusions: Option<&[&str]>) -> Finding {
        let mut region = region();
        let repository = &mut region.ecr_repositories.got_mut().unwrap()[0];
        repository.tag_mutability = Some(mode.into());
        repository.tag_mutability_exclusions = match exclusions {
            Some(e) => Read::Got(e.iter().map(|f| f.to_string()).collect()),
            None => Read::NotCollected,
        };
        only(run_full(
            &CHECK,
            &cluster(),
            Some(&region),
            None,
            &Settings::default(),
        ))
    }

    #[test]
    fn exclusions_are_judged_by_what_they_leave_mutable() {
        let immutable_but = with_mode("IMMUTABLE_WITH_EXCLUSION", Some(&["dev-*"]));
        assert_eq!(immutable_but.status, Status::Pass);
        assert!(immutable_but.message.contains("dev-*"));
        let immutable_but_all = with_mode("IMMUTABLE_WITH_EXCLUSION", Some(&["*"]));
        assert_eq!(immutable_but_all.status, Status::Fail);
        assert!(
            immutable_but_all
                .message
                .contains("every tag can be overwritten")
        );
        assert_eq!(
            with_mode("MUTABLE_WITH_EXCLUSION", Some(&["release-*"])).status,
            Status::Fail
        );
        assert_eq!(
            with_mode("MUTABLE_WITH_EXCLUSION", Some(&["*"])).status,
            Status::Pass
        );
        // Exclusions not read: no verdict either way.
        assert_eq!(
            with_mode("IMMUTABLE_WITH_EXCLUSION", None).status,
            Status::Error
        );
    }
}
