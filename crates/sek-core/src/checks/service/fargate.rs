//! `service-fargate`: CIS EKS 1.3.0 5.6.1, "consider Fargate for running untrusted workloads".
//!
//! Whether a workload is untrusted is a judgement sek cannot make, so this is a `manual` finding
//! with the Fargate profiles as evidence.

use serde_json::json;

use crate::checks::frameworks::{bp, cis13, nist};
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Finding, Remediation, Severity, Status};
use crate::inventory::aws;

/// The check.
pub static CHECK: Check = Check {
    id: "service-fargate",
    aliases: &[],
    area: Area::Service,
    title: "Untrusted workloads run on Fargate (review)",
    severity: Severity::Info,
    refs: &[
        cis13("5.6.1"),
        nist("PR.AC-5"),
        bp("protecting-the-infrastructure"),
    ],
    needs: &[
        aws("eks:ListFargateProfiles"),
        aws("eks:DescribeFargateProfile"),
    ],
    rationale: "Fargate runs each pod in its own micro-VM with its own kernel: a container escape reaches no \
other pod and no node credentials. Workloads that run untrusted code (customer code, build jobs, third-party \
images) are safer there than on shared nodes.",
    remediation: Remediation {
        text: "Identify workloads that run untrusted code and create a Fargate profile selecting their namespace \
(or labels).",
        cli: Some(
            "aws eks create-fargate-profile --cluster-name <cluster> --fargate-profile-name untrusted --pod-execution-role-arn <role> --selectors namespace=untrusted",
        ),
        terraform: None,
    },
    links: &["https://docs.aws.amazon.com/eks/latest/userguide/fargate.html"],
    eval: Eval::Cluster(eval),
};

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    let inv = ctx.inventory;
    let arn = inv.arn();
    let profiles = inv.fargate_profiles()?;
    let message = if profiles.is_empty() {
        "no Fargate profile: every pod shares nodes; review whether some workloads run untrusted code".to_string()
    } else {
        let names: Vec<&str> = profiles.iter().map(|p| p.name.as_str()).collect();
        format!(
            "Fargate profiles: {}; review that untrusted workloads are selected by them",
            names.join(", ")
        )
    };
    Ok(vec![
        Finding::new(Status::Manual, arn, message)
            .with_evidence(json!({ "fargate_profiles": profiles })),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::*;
    use crate::inventory::FargateProfile;

    #[test]
    fn always_manual_with_the_profiles_as_evidence() {
        let finding = only(run(&CHECK, &cluster()));
        assert_eq!(finding.status, Status::Manual);
        let mut inv = cluster();
        inv.fargate_profiles = read(vec![FargateProfile {
            name: "ci".into(),
            selectors: vec!["namespace=ci".into()],
        }]);
        let finding = only(run(&CHECK, &inv));
        assert!(finding.message.contains("Fargate profiles: ci"));
        inv.fargate_profiles = Read::NotCollected;
        assert_eq!(only(run(&CHECK, &inv)).status, Status::Error);
    }
}
