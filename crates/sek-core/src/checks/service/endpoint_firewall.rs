//! `service-endpoint-firewall`: a public endpoint is not open to the whole Internet.
//!
//! Reads `endpoint_public_access` and `public_access_cidrs`. EKS defaults the CIDR list to
//! `0.0.0.0/0`, so a public endpoint with no list reported is treated as open. Any spelling of
//! a /0 (IPv4 or IPv6) counts as open.

use serde_json::json;

use crate::checks::frameworks::{bp, cis13, cis18, nist};
use crate::checks::shared::net::is_open_to_world;
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Finding, Remediation, Severity};
use crate::inventory::aws;

/// The check.
pub static CHECK: Check = Check {
    id: "service-endpoint-firewall",
    aliases: &[],
    area: Area::Service,
    title: "A public API endpoint is restricted to known CIDR blocks",
    severity: Severity::High,
    refs: &[
        cis13("5.4.1"),
        cis18("5.4.1"),
        nist("PR.AC-3"),
        nist("PR.AC-5"),
        bp("network-security"),
    ],
    needs: &[aws("eks:DescribeCluster")],
    rationale: "When the public endpoint must stay on, its allow-list is the only network control in front of \
the API server. With 0.0.0.0/0 (the EKS default) or ::/0 anyone on the Internet can reach it and try \
stolen credentials or exploit API server vulnerabilities.",
    remediation: Remediation {
        text: "Limit publicAccessCidrs to the addresses that need the API (office egress, CI runners), or turn \
the public endpoint off.",
        cli: Some(
            "aws eks update-cluster-config --name <cluster> \
--resources-vpc-config endpointPublicAccess=true,publicAccessCidrs=\"203.0.113.5/32\",endpointPrivateAccess=true",
        ),
        terraform: Some("endpoint_public_access_cidrs = [\"203.0.113.5/32\"]"),
    },
    links: &["https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html"],
    eval: Eval::Cluster(eval),
};

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    ctx.on_control_plane(|cluster, arn| {
        let vpc = &cluster.vpc;
        let cidrs = &vpc.public_access_cidrs;
        let evidence = json!({
            "endpoint_public_access": vpc.endpoint_public_access,
            "public_access_cidrs": cidrs,
        });
        let finding = match vpc.endpoint_public_access {
            None => Finding::error(arn, "DescribeCluster did not report endpointPublicAccess"),
            Some(false) => Finding::not_applicable(arn, "the public endpoint is off"),
            Some(true) if cidrs.is_empty() => Finding::fail(
                arn,
                "the public endpoint is on with no publicAccessCidrs reported, which EKS treats as 0.0.0.0/0",
            ),
            Some(true) => {
                let open: Vec<&str> = cidrs.iter().map(String::as_str).filter(|c| is_open_to_world(c)).collect();
                if open.is_empty() {
                    Finding::pass(arn, format!("the public endpoint only accepts {}", cidrs.join(", ")))
                } else {
                    Finding::fail(
                        arn,
                        format!(
                            "the public endpoint accepts {} (the whole Internet); restrict publicAccessCidrs",
                            open.join(", ")
                        ),
                    )
                }
            }
        };
        finding.with_evidence(evidence)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Status;
    use crate::checks::testkit::*;

    fn public_with(cidrs: &[&str]) -> crate::checks::Finding {
        let mut inv = cluster();
        let vpc = &mut inv.cluster.got_mut().unwrap().vpc;
        vpc.endpoint_public_access = Some(true);
        vpc.public_access_cidrs = cidrs.iter().map(|c| c.to_string()).collect();
        only(run(&CHECK, &inv))
    }

    #[test]
    fn not_applicable_when_public_endpoint_is_off() {
        assert_eq!(only(run(&CHECK, &cluster())).status, Status::NotApplicable);
    }

    #[test]
    fn restricted_cidrs_pass() {
        let finding = public_with(&["203.0.113.5/32", "198.51.100.0/24"]);
        assert_eq!(finding.status, Status::Pass);
        assert!(finding.message.contains("203.0.113.5/32"));
    }

    #[test]
    fn ipv4_and_ipv6_world_fail() {
        assert_eq!(public_with(&["0.0.0.0/0"]).status, Status::Fail);
        let finding = public_with(&["203.0.113.5/32", "::/0"]);
        assert_eq!(finding.status, Status::Fail);
        assert!(finding.message.contains("::/0"));
    }

    #[test]
    fn non_canonical_world_spelling_fails() {
        assert_eq!(public_with(&["10.0.0.0/0"]).status, Status::Fail);
    }

    #[test]
    fn public_without_reported_cidrs_is_treated_as_open() {
        assert_eq!(public_with(&[]).status, Status::Fail);
    }

    #[test]
    fn unreported_public_access_is_an_error() {
        let mut inv = cluster();
        inv.cluster.got_mut().unwrap().vpc.endpoint_public_access = None;
        assert_eq!(only(run(&CHECK, &inv)).status, Status::Error);
    }
}
