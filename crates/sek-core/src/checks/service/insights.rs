//! `service-insights`: EKS's own cluster insights — upgrade readiness (deprecated APIs still in
//! use, add-on and node compatibility) and misconfiguration — report nothing in `ERROR` or
//! `WARNING`, with EKS's recommendation in the finding.

use serde_json::json;

use crate::checks::frameworks::{bp, nist};
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Finding, Remediation, Severity, Status};
use crate::inventory::aws;

/// The check.
pub static CHECK: Check = Check {
    id: "service-insights",
    aliases: &[],
    area: Area::Service,
    title: "EKS cluster insights report no errors or warnings",
    severity: Severity::Medium,
    refs: &[nist("PR.IP-1"), nist("DE.CM-8"), bp("cluster-upgrades")],
    needs: &[aws("eks:ListInsights"), aws("eks:DescribeInsight")],
    rationale: "EKS checks every cluster for what will break its next upgrade (APIs removed in the next \
version that clients still call, add-ons and nodes that will not be compatible) and for known \
misconfigurations. A cluster that cannot be upgraded falls out of standard support and stops getting \
security patches; the insights say what to fix first.",
    remediation: Remediation {
        text: "Follow each insight's recommendation: move clients off the deprecated APIs it lists (the \
audit log names the callers), update add-ons and node groups, then refresh the insights.",
        cli: Some("aws eks list-insights --cluster-name <cluster>"),
        terraform: None,
    },
    links: &["https://docs.aws.amazon.com/eks/latest/userguide/cluster-insights.html"],
    eval: Eval::Cluster(eval),
};

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    let inv = ctx.inventory;
    let insights = inv.insights()?;
    let mut findings: Vec<Finding> = insights
        .iter()
        .map(|insight| {
            let resource = format!("{}/insight/{}", inv.arn(), insight.id);
            let evidence = json!({
                "category": insight.category,
                "kubernetes_version": insight.kubernetes_version,
                "deprecations": insight.deprecations,
                "affected_resources": insight.affected_resources,
            });
            let what = match (&insight.reason, &insight.recommendation) {
                (Some(reason), Some(recommendation)) => {
                    format!("{}; {recommendation}", reason.trim_end_matches('.'))
                }
                (Some(text), None) | (None, Some(text)) => text.clone(),
                (None, None) => String::new(),
            };
            let uses = if insight.deprecations.is_empty() {
                String::new()
            } else {
                format!(" (in use: {})", insight.deprecations.join(", "))
            };
            match insight.status.as_deref() {
                Some("PASSING") => Finding::pass(resource, format!("{}: passing", insight.name)),
                Some(status @ ("ERROR" | "WARNING")) => Finding::fail(
                    resource,
                    format!("{} is {status}: {what}{uses}", insight.name),
                ),
                other => Finding::new(
                    Status::Manual,
                    resource,
                    format!(
                        "{} has status {}: review it in the EKS console",
                        insight.name,
                        other.unwrap_or("none")
                    ),
                ),
            }
            .with_evidence(evidence)
        })
        .collect();
    if findings.is_empty() {
        findings.push(Finding::pass(
            inv.arn(),
            "EKS reports no insight for this cluster",
        ));
    }
    Ok(findings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::*;
    use crate::inventory::{Insight, Read};

    fn insight(status: &str) -> Insight {
        Insight {
            id: "abc".into(),
            name: "Deprecated APIs removed in Kubernetes v1.32".into(),
            category: Some("UPGRADE_READINESS".into()),
            status: Some(status.into()),
            reason: Some("Deprecated API usage detected within last 30 days".into()),
            recommendation: Some("Update manifests and API clients to use newer Kubernetes APIs".into()),
            deprecations: vec!["/apis/flowcontrol.apiserver.k8s.io/v1beta3/flowschemas -> /apis/flowcontrol.apiserver.k8s.io/v1/flowschemas (removed in 1.32)".into()],
            ..Insight::default()
        }
    }

    fn with(insights: Read<Vec<Insight>>) -> Vec<Finding> {
        let mut inv = cluster();
        inv.insights = insights;
        run(&CHECK, &inv)
    }

    #[test]
    fn errors_and_warnings_fail_with_the_recommendation_and_the_apis() {
        for status in ["ERROR", "WARNING"] {
            let findings = with(Read::Got(vec![insight(status)]));
            assert_eq!(statuses(&findings), [Status::Fail]);
            let message = &findings[0].message;
            assert!(
                message.contains("Update manifests") && message.contains("v1beta3/flowschemas"),
                "{message}"
            );
        }
    }

    #[test]
    fn passing_passes_unknown_is_for_review_none_passes() {
        assert_eq!(
            statuses(&with(Read::Got(vec![insight("PASSING")]))),
            [Status::Pass]
        );
        assert_eq!(
            statuses(&with(Read::Got(vec![insight("UNKNOWN")]))),
            [Status::Manual]
        );
        assert_eq!(statuses(&with(Read::Got(vec![]))), [Status::Pass]);
    }

    #[test]
    fn unread_insights_are_an_error() {
        assert_eq!(statuses(&with(Read::NotCollected)), [Status::Error]);
    }
}
