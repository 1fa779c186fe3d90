//! `detect-inspector`: Amazon Inspector scans EC2 instances and ECR images in the account
//! (playbook, detective control 2: vulnerability scanning).

use serde_json::json;

use crate::checks::frameworks::{bp, nist};
use crate::checks::{Area, Check, Eval, Evaluation, Finding, RegionCtx, Remediation, Severity};
use crate::inventory::aws;

/// The check.
pub static CHECK: Check = Check {
    id: "detect-inspector",
    aliases: &[],
    area: Area::Detect,
    title: "Amazon Inspector scans the nodes and the images",
    severity: Severity::Medium,
    refs: &[nist("DE.CM-8"), nist("DE.CM-4"), bp("image-security")],
    needs: &[aws("inspector2:BatchGetAccountStatus")],
    rationale: "Inspector finds known vulnerabilities in the packages of running nodes (EC2 scanning) and of \
container images (ECR scanning), continuously as new CVEs are published: the vulnerability scans the playbook \
asks for, for both sides of a workload.",
    remediation: Remediation {
        text: "Activate Amazon Inspector for EC2 and ECR in every region you run clusters in.",
        cli: Some("aws inspector2 enable --resource-types EC2 ECR"),
        terraform: Some(
            "resource \"aws_inspector2_enabler\" \"this\" { resource_types = [\"EC2\", \"ECR\"] ... }",
        ),
    },
    links: &["https://docs.aws.amazon.com/inspector/latest/user/getting_started_tutorial.html"],
    eval: Eval::Region(eval),
};

fn eval(ctx: &RegionCtx<'_>) -> Evaluation {
    let (_, status, resource) =
        ctx.region_setting(("inspector2", "account-status"), |r| r.inspector())?;
    let mut off = Vec::new();
    for (kind, state) in [("EC2", &status.ec2), ("ECR", &status.ecr)] {
        if state.as_deref() != Some("ENABLED") {
            off.push(format!(
                "{kind} ({})",
                state.as_deref().unwrap_or("unknown").to_lowercase()
            ));
        }
    }
    Ok(vec![
        if off.is_empty() {
            Finding::pass(resource, "Inspector scans EC2 instances and ECR images")
        } else {
            Finding::fail(
                resource,
                format!("Inspector does not scan {}", off.join(", ")),
            )
        }
        .with_evidence(json!({ "inspector": status })),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Settings;
    use crate::checks::Status;
    use crate::checks::testkit::*;

    #[test]
    fn both_scans_on_passes() {
        assert_eq!(
            only(run_everywhere(&CHECK, &cluster())).status,
            Status::Pass
        );
        let mut r = region();
        r.inspector.got_mut().unwrap().ecr = Some("DISABLED".into());
        let finding = only(run_full(
            &CHECK,
            &cluster(),
            Some(&r),
            None,
            &Settings::default(),
        ));
        assert_eq!(finding.status, Status::Fail);
        assert!(finding.message.contains("ECR (disabled)"));
    }
}
