//! `iam-oidc-provider`: pods can get IAM roles of their own: an IAM OIDC provider exists for the
//! cluster's issuer (IRSA), or the EKS Pod Identity agent add-on is installed (CIS 5.2.1).

use serde_json::json;

use super::oidc_provider;
use crate::checks::frameworks::{bp, cis13, cis18, nist};
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Finding, Remediation, Severity, shared};
use crate::inventory::aws;

/// The check.
pub static CHECK: Check = Check {
    id: "iam-oidc-provider",
    aliases: &[],
    area: Area::Iam,
    title: "Pods can get their own IAM roles (IRSA or Pod Identity)",
    severity: Severity::Medium,
    refs: &[
        cis13("5.2.1"),
        cis18("5.2.1"),
        nist("PR.AC-4"),
        bp("identity-and-access-management"),
    ],
    needs: &[
        aws("eks:DescribeCluster"),
        aws("iam:ListOpenIDConnectProviders"),
        aws("eks:ListAddons"),
        // The add-ons are read whole (each described), so a missing one cannot pass as absent.
        aws("eks:DescribeAddon"),
    ],
    rationale: "Without an IAM OIDC provider for the cluster (IRSA) or the Pod Identity agent, a pod that needs \
AWS access can only use the node's role, shared by every pod on the node. Dedicated, least-privilege roles per \
service account need one of the two.",
    remediation: Remediation {
        text: "Install the EKS Pod Identity agent add-on, or create the IAM OIDC provider for the cluster's \
issuer, then give workloads their own roles.",
        cli: Some(
            "aws eks create-addon --cluster-name <cluster> --addon-name eks-pod-identity-agent",
        ),
        terraform: Some("enable_irsa = true"),
    },
    links: &[
        "https://docs.aws.amazon.com/eks/latest/userguide/pod-identities.html",
        "https://docs.aws.amazon.com/eks/latest/userguide/enable-iam-roles-for-service-accounts.html",
    ],
    eval: Eval::Cluster(eval),
};

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    let inv = ctx.inventory;
    ctx.on_control_plane(|cluster, arn| {
        let addons = inv.addons();
        let pod_identity = addons.as_ref().ok().map(|addons| addons.iter().any(|a| a.name == "eks-pod-identity-agent"));
        let provider = oidc_provider(inv, cluster);
        let providers = ctx.account_data().and_then(|a| a.oidc_providers());
        let has_provider = match (&provider, &providers) {
            (Some((_, arn)), Ok(known)) => Some(known.iter().any(|p| p == arn)),
            (None, _) => Some(false),
            (Some(_), Err(_)) => None,
        };
        let evidence = json!({
            "issuer": cluster.oidc_issuer,
            "oidc_provider": provider.as_ref().map(|(_, arn)| arn),
            "oidc_provider_exists": has_provider,
            "pod_identity_agent": pod_identity,
        });
        match (has_provider, pod_identity) {
            (Some(true), _) => Finding::pass(arn, "an IAM OIDC provider exists for the cluster's issuer (IRSA)"),
            (_, Some(true)) => Finding::pass(arn, "the EKS Pod Identity agent add-on is installed"),
            (Some(false), Some(false)) => Finding::fail(
                arn,
                "no IAM OIDC provider for the cluster's issuer and no Pod Identity agent: pods can only use the node role",
            ),
            // Name every read that left the question open.
            _ => match shared::all_read(&arn, [providers.err(), addons.err()]) {
                Some(unread) => Finding {
                    message: format!("neither IRSA nor Pod Identity is proven: {}", unread.message),
                    ..unread
                },
                None => Finding::error(arn, "neither IRSA nor Pod Identity is proven"),
            },
        }
        .with_evidence(evidence)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Settings;
    use crate::checks::Status;
    use crate::checks::testkit::*;
    use crate::inventory::Addon;

    #[test]
    fn an_oidc_provider_or_the_pod_identity_agent_passes() {
        assert_eq!(
            only(run_everywhere(&CHECK, &cluster())).status,
            Status::Pass
        );
        let mut inv = cluster();
        inv.addons.got_mut().unwrap().push(Addon {
            name: "eks-pod-identity-agent".into(),
            ..Default::default()
        });
        let mut no_providers = account();
        no_providers.oidc_providers = read(vec![]);
        assert_eq!(
            only(run_full(
                &CHECK,
                &inv,
                None,
                Some(&no_providers),
                &Settings::default()
            ))
            .status,
            Status::Pass
        );
    }

    #[test]
    fn neither_fails() {
        let mut account = account();
        account.oidc_providers = read(vec![
            "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/OTHER"
                .into(),
        ]);
        let finding = only(run_with_account(&CHECK, &account));
        assert_eq!(finding.status, Status::Fail);
    }

    #[test]
    fn unknown_providers_without_the_agent_are_an_error() {
        assert_eq!(only(run(&CHECK, &cluster())).status, Status::Error);
    }
}
