//! `detect-guardduty`: GuardDuty is on in the region with EKS audit log monitoring and EKS
//! runtime monitoring (checklist 001: threat detection using Amazon GuardDuty).

use serde_json::json;

use crate::checks::frameworks::{bp, nist};
use crate::checks::{Area, Check, Eval, Evaluation, Finding, RegionCtx, Remediation, Severity};
use crate::inventory::aws;

/// The check.
pub static CHECK: Check = Check {
    id: "detect-guardduty",
    aliases: &[],
    area: Area::Detect,
    title: "GuardDuty watches EKS audit logs and runtime",
    severity: Severity::Medium,
    refs: &[
        nist("DE.CM-4"),
        nist("DE.CM-7"),
        nist("DE.AE-2"),
        bp("incident-response-and-forensics"),
    ],
    needs: &[aws("guardduty:ListDetectors"), aws("guardduty:GetDetector")],
    rationale: "GuardDuty's EKS protection analyses the cluster's audit logs (anonymous access, privileged \
pods, credential misuse) and, with runtime monitoring, process and network activity on the nodes (reverse shells, \
crypto miners). Without it, an intrusion into the cluster raises no alarm.",
    remediation: Remediation {
        text: "Enable GuardDuty in every region with EKS Protection (audit log monitoring) and Runtime Monitoring \
for EKS, letting GuardDuty manage its security agent add-on.",
        cli: Some(
            "aws guardduty update-detector --detector-id <id> --features Name=EKS_AUDIT_LOGS,Status=ENABLED Name=RUNTIME_MONITORING,Status=ENABLED,AdditionalConfiguration=[{Name=EKS_ADDON_MANAGEMENT,Status=ENABLED}]",
        ),
        terraform: Some(
            "resource \"aws_guardduty_detector_feature\" \"eks\" { name = \"EKS_AUDIT_LOGS\"  status = \"ENABLED\" ... }",
        ),
    },
    links: &["https://docs.aws.amazon.com/guardduty/latest/ug/kubernetes-protection.html"],
    eval: Eval::Region(eval),
};

fn eval(ctx: &RegionCtx<'_>) -> Evaluation {
    let (region, detectors, resource) =
        ctx.region_setting(("guardduty", "detector"), |r| r.guardduty())?;
    let Some(detector) = detectors
        .iter()
        .find(|d| d.status.as_deref() == Some("ENABLED"))
    else {
        return Ok(vec![
            Finding::fail(
                resource,
                format!("GuardDuty is not enabled in {}", region.region),
            )
            .with_evidence(json!({ "detectors": detectors })),
        ]);
    };
    let on = |feature: &str| {
        detector
            .features
            .get(feature)
            .is_some_and(|s| s == "ENABLED")
    };
    let mut missing = Vec::new();
    if !on("EKS_AUDIT_LOGS") {
        missing.push("EKS audit log monitoring");
    }
    if !on("EKS_RUNTIME_MONITORING") && !on("RUNTIME_MONITORING") {
        missing.push("runtime monitoring");
    }
    let resource = format!("{resource}/{}", detector.id);
    let evidence = json!({ "detector": detector });
    Ok(vec![
        if missing.is_empty() {
            Finding::pass(resource, "GuardDuty monitors EKS audit logs and runtime")
        } else {
            Finding::fail(
                resource,
                format!("GuardDuty is on but without {}", missing.join(" and ")),
            )
        }
        .with_evidence(evidence),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Settings;
    use crate::checks::Status;
    use crate::checks::testkit::*;

    #[test]
    fn enabled_with_eks_features_passes_otherwise_fails() {
        assert_eq!(
            only(run_everywhere(&CHECK, &cluster())).status,
            Status::Pass
        );
        let mut r = region();
        r.guardduty.got_mut().unwrap()[0]
            .features
            .remove("RUNTIME_MONITORING");
        let finding = only(run_full(
            &CHECK,
            &cluster(),
            Some(&r),
            None,
            &Settings::default(),
        ));
        assert_eq!(finding.status, Status::Fail);
        assert!(finding.message.contains("without runtime monitoring"));
        r.guardduty = read(vec![]);
        assert!(
            only(run_full(
                &CHECK,
                &cluster(),
                Some(&r),
                None,
                &Settings::default()
            ))
            .message
            .contains("not enabled")
        );
        r.guardduty = Read::NotCollected;
        assert_eq!(
            only(run_full(
                &CHECK,
                &cluster(),
                Some(&r),
                None,
                &Settings::default()
            ))
            .status,
            Status::Error
        );
    }
}
