//! `service-endpoint`: the API server endpoint is private only.
//!
//! Reads `endpoint_public_access` / `endpoint_private_access`. When DescribeCluster did not
//! report one of them the check errors rather than guessing.

use serde_json::json;

use crate::checks::frameworks::{bp, cis13, cis18, nist};
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Finding, Remediation, Severity};
use crate::inventory::aws;

/// The check.
pub static CHECK: Check = Check {
    id: "service-endpoint",
    aliases: &[],
    area: Area::Service,
    title: "The API server endpoint is private, with public access off",
    severity: Severity::Medium,
    refs: &[
        cis13("5.4.2"),
        cis18("5.4.2"),
        nist("PR.AC-3"),
        nist("PR.AC-5"),
        nist("PR.PT-4"),
        bp("network-security"),
    ],
    needs: &[aws("eks:DescribeCluster")],
    rationale: "A public endpoint exposes the Kubernetes API server to the Internet, where it is protected only by \
authentication: any credential leak or API server vulnerability is reachable by anyone. With the private \
endpoint on and the public one off, the API is reachable only from the VPC and networks connected to it.",
    remediation: Remediation {
        text: "Turn the private endpoint on and the public endpoint off; reach the API from inside the VPC \
(bastion, VPN, Direct Connect, or CI runners in the VPC).",
        cli: Some(
            "aws eks update-cluster-config --name <cluster> \
--resources-vpc-config endpointPrivateAccess=true,endpointPublicAccess=false",
        ),
        terraform: Some("endpoint_private_access = true\nendpoint_public_access  = false"),
    },
    links: &["https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html"],
    eval: Eval::Cluster(eval),
};

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    ctx.on_control_plane(|cluster, arn| {
        let vpc = &cluster.vpc;
        let evidence = json!({
            "endpoint_public_access": vpc.endpoint_public_access,
            "endpoint_private_access": vpc.endpoint_private_access,
            "public_access_cidrs": vpc.public_access_cidrs,
        });
        let finding = match (vpc.endpoint_public_access, vpc.endpoint_private_access) {
            (Some(false), Some(true)) => Finding::pass(arn, "the endpoint is private only"),
            (None, _) | (_, None) => Finding::error(
                arn,
                "DescribeCluster did not report endpoint access (endpointPublicAccess/endpointPrivateAccess)",
            ),
            (Some(true), private) => {
                let private = if private == Some(true) { "on" } else { "off" };
                Finding::fail(
                    arn,
                    format!("the public endpoint is on (private endpoint {private}); turn public access off"),
                )
            }
            (Some(false), Some(false)) => Finding::fail(arn, "the private endpoint is off; turn it on"),
        };
        finding.with_evidence(evidence)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Status;
    use crate::checks::testkit::*;

    fn with_access(public: Option<bool>, private: Option<bool>) -> Status {
        let mut inv = cluster();
        let vpc = &mut inv.cluster.got_mut().unwrap().vpc;
        vpc.endpoint_public_access = public;
        vpc.endpoint_private_access = private;
        only(run(&CHECK, &inv)).status
    }

    #[test]
    fn private_only_passes() {
        assert_eq!(with_access(Some(false), Some(true)), Status::Pass);
    }

    #[test]
    fn public_on_fails_even_with_private_on() {
        assert_eq!(with_access(Some(true), Some(true)), Status::Fail);
        assert_eq!(with_access(Some(true), Some(false)), Status::Fail);
    }

    #[test]
    fn private_off_fails() {
        assert_eq!(with_access(Some(false), Some(false)), Status::Fail);
    }

    #[test]
    fn unreported_access_is_an_error_not_a_pass() {
        assert_eq!(with_access(None, Some(true)), Status::Error);
        assert_eq!(with_access(Some(false), None), Status::Error);
    }

    #[test]
    fn errors_when_describe_cluster_failed() {
        let mut inv = cluster();
        inv.cluster = Read::NotCollected;
        assert_eq!(only(run(&CHECK, &inv)).status, Status::Error);
    }
}
