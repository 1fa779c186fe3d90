//! `pod-image-registry`: CIS EKS 5.1.4, "minimize container registries to only those approved".
//!
//! Approved registries come from `[allow] registries` in sek.toml (globs over
//! `registry/repository`; a pattern without `/` names a registry host). With none configured,
//! the scanned account's ECR registries and Amazon's EKS images are approved.

use globset::{Glob, GlobSet, GlobSetBuilder};

use crate::checks::frameworks::{bp, cis13, cis18, nist};
use crate::checks::shared::k8s::{ImageRef, containers_where, judge_workloads};
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Remediation, Severity};
use crate::inventory::k8s::resources::WORKLOAD_READS;

/// Amazon's images for EKS add-ons and components, in any region's ECR or ECR Public.
const AMAZON_IMAGES: &[&str] = &[
    "*.dkr.ecr.*.amazonaws.com/eks/*",
    "*.dkr.ecr.*.amazonaws.com/amazon-k8s-cni*",
    "*.dkr.ecr.*.amazonaws.com/amazon/*",
    "public.ecr.aws/eks/*",
    "public.ecr.aws/eks-distro/*",
];

/// The check.
pub static CHECK: Check = Check {
    id: "pod-image-registry",
    aliases: &[],
    area: Area::Pod,
    title: "Images come from approved registries only",
    severity: Severity::Medium,
    refs: &[
        cis13("5.1.4"),
        cis18("5.1.4"),
        nist("PR.DS-6"),
        bp("image-security"),
    ],
    needs: WORKLOAD_READS,
    rationale: "An image from an arbitrary registry has not been through your scanning, signing or review, and \
the registry's owner can change what a tag points to. Limiting registries keeps the supply chain to places whose \
controls you know (ECR with scanning and immutable tags).",
    remediation: Remediation {
        text: "Mirror third-party images into your ECR (pull-through cache) and reference them there; \
enforce the allow-list at admission with a policy engine. List other approved registries under [allow] \
registries in sek.toml.",
        cli: Some(
            "aws ecr create-pull-through-cache-rule --ecr-repository-prefix docker-hub --upstream-registry-url registry-1.docker.io",
        ),
        terraform: None,
    },
    links: &["https://docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache.html"],
    eval: Eval::Cluster(eval),
};

/// The approved patterns: configured ones, else the account's ECR and Amazon's images.
fn approved(ctx: &Ctx<'_>) -> (Vec<String>, GlobSet) {
    let patterns: Vec<String> = if ctx.settings.registries.is_empty() {
        let account = ctx.inventory.account_id.as_deref().unwrap_or("*");
        std::iter::once(format!("{account}.dkr.ecr.*.amazonaws.com"))
            .chain(AMAZON_IMAGES.iter().map(|p| p.to_string()))
            .collect()
    } else {
        ctx.settings.registries.clone()
    };
    let mut set = GlobSetBuilder::new();
    for pattern in &patterns {
        let pattern = if pattern.contains('/') {
            pattern.clone()
        } else {
            format!("{pattern}/**")
        };
        if let Ok(glob) = Glob::new(&pattern) {
            set.add(glob);
        }
    }
    (patterns, set.build().unwrap_or_else(|_| GlobSet::empty()))
}

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    let (patterns, set) = approved(ctx);
    let pass = format!("every image comes from {}", patterns.join(", "));
    judge_workloads(ctx, &pass, |w| {
        Some(containers_where(&w.spec, |c| {
            let image = c.image.as_deref().unwrap_or("");
            let parsed = ImageRef::parse(image);
            let name = format!("{}/{}", parsed.registry, parsed.repository);
            (!set.is_match(&name)).then(|| {
                format!(
                    "image {image} is from {}, not an approved registry",
                    parsed.registry
                )
            })
        }))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Settings;
    use crate::checks::Status;
    use crate::checks::testkit::k8s::*;
    use crate::checks::testkit::*;

    #[test]
    fn own_ecr_and_amazon_images_pass_by_default_docker_hub_fails() {
        let mut inv = kube_cluster();
        let findings = run(&CHECK, &inv);
        assert_eq!(about(&findings, "Deployment/web/api").status, Status::Pass);
        assert_eq!(
            about(&findings, "DaemonSet/kube-system/aws-node").status,
            Status::Pass
        );
        api_of(&mut inv).spec.containers[0].image = Some("bitnami/redis:7.4".into());
        let findings = run(&CHECK, &inv);
        let finding = about(&findings, "Deployment/web/api");
        assert_eq!(finding.status, Status::Fail);
        assert!(
            finding.message.contains("from docker.io"),
            "{}",
            finding.message
        );
    }

    #[test]
    fn configured_registries_replace_the_default() {
        let mut inv = kube_cluster();
        api_of(&mut inv).spec.containers[0].image = Some("registry.k8s.io/pause:3.10".into());
        let settings = Settings {
            registries: vec!["registry.k8s.io".into()],
            ..Settings::default()
        };
        let findings = run_with(&CHECK, &inv, &settings);
        assert_eq!(about(&findings, "Deployment/web/api").status, Status::Pass);
        // The account's ECR is no longer implied.
        assert_eq!(
            about(&findings, "DaemonSet/kube-system/aws-node").status,
            Status::Waived
        );
    }
}
