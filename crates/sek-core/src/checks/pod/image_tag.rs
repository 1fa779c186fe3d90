//! `pod-image-tag`: Images name a version: no `:latest` and no missing tag (which means latest). A digest is
//! best; a fixed tag passes, and the evidence says whether the image is pinned by digest.

use crate::checks::frameworks::{bp, nist};
use crate::checks::shared::k8s::{ImageRef, containers_where, judge_workloads};
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Remediation, Severity};
use crate::inventory::k8s::resources::WORKLOAD_READS;

/// The check.
pub static CHECK: Check = Check {
    id: "pod-image-tag",
    aliases: &[],
    area: Area::Pod,
    title: "Images are pinned: no latest or missing tag",
    severity: Severity::Low,
    refs: &[nist("PR.DS-6"), nist("PR.IP-1"), bp("image-security")],
    needs: WORKLOAD_READS,
    rationale: "`latest` (or no tag) is whatever was pushed last: nodes may run different code for one workload, \
a rollback does not roll back, and a compromised registry push reaches production on the next restart. A tag \
names a version; a digest makes it immutable.",
    remediation: Remediation {
        text: "Reference images by version tag, better by digest (`repo@sha256:...`), and make ECR tags immutable.",
        cli: None,
        terraform: None,
    },
    links: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/"],
    eval: Eval::Cluster(eval),
};

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    judge_workloads(ctx, "every image names a version", |w| {
        Some(containers_where(&w.spec, |c| {
            let image = c.image.as_deref().unwrap_or("");
            let parsed = ImageRef::parse(image);
            match (parsed.tag, parsed.digest) {
                (_, Some(_)) => None,
                (None, None) => Some(format!("image {image} has no tag (pulls latest)")),
                (Some("latest"), None) => Some(format!("image {image} uses :latest")),
                _ => None,
            }
        }))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::k8s::*;

    #[test]
    fn the_hardened_workload_passes() {
        assert_hardened_workload_passes(&CHECK);
    }

    #[test]
    fn the_workload_fails_saying_why() {
        assert_api_fails_when(
            &CHECK,
            |w| {
                w.spec.containers[0].image = Some("nginx:latest".into());
            },
            "uses :latest",
        );
    }
}
