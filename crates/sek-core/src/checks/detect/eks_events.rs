//! `detect-eks-events`: an enabled EventBridge rule routes EKS events (API calls through
//! CloudTrail, or EKS's own events) to a target, so changes such as a public endpoint being turned
//! on reach someone (playbook: automated incident response).

use serde_json::json;

use crate::checks::frameworks::{bp, nist};
use crate::checks::{Area, Check, Eval, Evaluation, Finding, RegionCtx, Remediation, Severity};
use crate::inventory::aws;

/// The check.
pub static CHECK: Check = Check {
    id: "detect-eks-events",
    aliases: &[],
    area: Area::Detect,
    title: "EKS configuration changes raise an event someone receives",
    severity: Severity::Low,
    refs: &[
        nist("RS.AN-1"),
        nist("DE.AE-2"),
        nist("DE.CM-7"),
        bp("incident-response-and-forensics"),
    ],
    needs: &[aws("events:ListRules"), aws("events:ListTargetsByRule")],
    rationale: "The playbook's response controls start from an event: CreateCluster, UpdateClusterConfig with \
a public endpoint, a deleted cluster. An EventBridge rule matching EKS events with a target (SNS, Lambda, a \
SIEM) makes those changes visible when they happen, not at the next audit. A rule counts when its state is \
ENABLED or ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS (enabled, and matching read-only management events too).",
    remediation: Remediation {
        text: "Create an EventBridge rule on the default bus matching source aws.eks (or CloudTrail events with \
eventSource eks.amazonaws.com) and send it to your alerting or response target.",
        cli: Some(
            "aws events put-rule --name eks-changes --event-pattern '{\"source\":[\"aws.eks\"]}' && aws events put-targets --rule eks-changes --targets Id=1,Arn=<sns-topic-arn>",
        ),
        terraform: None,
    },
    links: &[
        "https://docs.aws.amazon.com/eks/latest/userguide/logging-using-cloudtrail.html",
        "https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_Rule.html",
    ],
    eval: Eval::Region(eval),
};

fn eval(ctx: &RegionCtx<'_>) -> Evaluation {
    let (_, rules, resource) = ctx.region_setting(("events", "rules"), |r| r.event_rules())?;
    let eks_rules: Vec<_> = rules
        .iter()
        .filter(|r| r.is_enabled() && r.matches_eks_events())
        .collect();
    let evidence = json!({ "eks_rules": eks_rules });
    let routed = eks_rules
        .iter()
        .find(|r| r.target_count().is_ok_and(|n| *n > 0));
    if routed.is_none()
        && let Some(missing) = eks_rules.iter().find_map(|r| r.target_count().err())
    {
        return Err(missing.on(resource));
    }
    Ok(vec![
        match routed {
            Some(rule) => Finding::pass(
                rule.arn.clone().unwrap_or(resource),
                format!("rule {} sends EKS events to a target", rule.name),
            ),
            None if eks_rules.is_empty() => {
                Finding::fail(resource, "no enabled EventBridge rule matches EKS events")
            }
            None => Finding::fail(resource, "EKS event rules exist but none has a target"),
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
    use crate::inventory::matches_eks;

    #[test]
    fn patterns_are_recognised() {
        assert!(matches_eks(EKS_PATTERN));
        assert!(matches_eks(
            r#"{"source":["aws.cloudtrail"],"detail":{"eventSource":["eks.amazonaws.com"]}}"#
        ));
        assert!(!matches_eks(r#"{"source":["aws.ec2"]}"#));
        assert!(!matches_eks("not json"));
    }

    #[test]
    fn a_rule_enabled_with_all_cloudtrail_management_events_is_enabled() {
        let judge = |state: &str| {
            let mut r = region();
            r.event_rules.got_mut().unwrap()[0].state = Some(state.into());
            only(run_full(
                &CHECK,
                &cluster(),
                Some(&r),
                None,
                &Settings::default(),
            ))
            .status
        };
        assert_eq!(
            judge("ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"),
            Status::Pass
        );
        assert_eq!(judge("ENABLED"), Status::Pass);
        assert_eq!(judge("DISABLED"), Status::Fail);
    }

    #[test]
    fn a_routed_rule_passes_otherwise_fails() {
        assert_eq!(
            only(run_everywhere(&CHECK, &cluster())).status,
            Status::Pass
        );
        let mut r = region();
        r.event_rules.got_mut().unwrap()[0].targets = Read::Got(0);
        assert!(
            only(run_full(
                &CHECK,
                &cluster(),
                Some(&r),
                None,
                &Settings::default()
            ))
            .message
            .contains("none has a target")
        );
        r.event_rules.got_mut().unwrap()[0].state = Some("DISABLED".into());
        assert_eq!(
            only(run_full(
                &CHECK,
                &cluster(),
                Some(&r),
                None,
                &Settings::default()
            ))
            .status,
            Status::Fail
        );
        r.event_rules = Read::NotCollected;
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
