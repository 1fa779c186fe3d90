//! `net-vpc-endpoints`: nodes without a route to the Internet reach ECR, S3, STS, EC2 and
//! CloudWatch Logs through VPC endpoints (EKS's private cluster requirements; checklist: ECR
//! reachable through VPC endpoints).
//!
//! Per VPC of the nodes: when every node subnet's default route goes to an Internet or NAT
//! gateway, endpoints are optional (`not-applicable`); when no node subnet has a default route,
//! the missing endpoints fail; a default route to anything else (a transit gateway, a peering, a
//! firewall endpoint) may or may not reach the Internet and is for review.

use std::collections::BTreeMap;

use serde_json::json;

use crate::checks::frameworks::{bp, nist};
use crate::checks::node::{conclude, node_needs};
use crate::checks::shared::incomplete;
use crate::checks::shared::net::is_open_to_world;
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Finding, Remediation, Severity, Status};

/// The services private nodes need: pulling images (ECR's API and registry, S3 for its layers),
/// IRSA and Pod Identity credentials (STS), the VPC CNI (EC2) and log shipping (CloudWatch Logs).
const NEEDED: &[&str] = &["ecr.api", "ecr.dkr", "s3", "sts", "ec2", "logs"];

/// The check.
pub static CHECK: Check = Check {
    id: "net-vpc-endpoints",
    aliases: &[],
    area: Area::Net,
    title: "Nodes without Internet access have the VPC endpoints they need",
    severity: Severity::Medium,
    refs: &[nist("PR.AC-5"), nist("PR.DS-2"), bp("network-security")],
    needs: node_needs![
        "ec2:DescribeSubnets",
        "ec2:DescribeRouteTables",
        "ec2:DescribeVpcEndpoints"
    ],
    rationale: "A cluster kept off the Internet still needs AWS APIs: without ECR and S3 endpoints nodes \
cannot pull images, without STS pods get no IRSA or Pod Identity credentials, without EC2 the VPC CNI \
cannot assign addresses. The usual workaround under pressure is a NAT gateway or a public subnet, which \
undoes the isolation; the endpoints keep that traffic on the AWS network.",
    remediation: Remediation {
        text: "Create interface endpoints for ecr.api, ecr.dkr, sts, ec2 and logs (with private DNS) and a \
gateway endpoint for S3 in the nodes' VPC, reachable from the node subnets.",
        cli: Some(
            "aws ec2 create-vpc-endpoint --vpc-id <vpc> --vpc-endpoint-type Interface --service-name com.amazonaws.<region>.ecr.dkr --subnet-ids <subnets> --security-group-ids <sg>",
        ),
        terraform: None,
    },
    links: &["https://docs.aws.amazon.com/eks/latest/userguide/private-clusters.html"],
    eval: Eval::Cluster(eval),
};

/// How a subnet leaves the VPC by default.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Egress {
    /// A default route to an Internet or NAT gateway.
    Internet(String),
    /// A default route to something else (transit gateway, peering, appliance).
    Other(String),
    /// No default route.
    None,
}

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    let inv = ctx.inventory;
    let nodes = inv.instances()?;
    // VPC -> how its node subnets leave it.
    let mut egress: BTreeMap<String, Vec<Egress>> = BTreeMap::new();
    for node in nodes.iter() {
        let (Some(vpc), Some(subnet_id)) = (&node.vpc_id, &node.subnet_id) else {
            continue;
        };
        let table = inv.route_table_for(inv.subnet(subnet_id)?)?;
        // A blackhole route leads nowhere.
        let default = table.routes.iter().find(|route| {
            route.destination.as_deref().is_some_and(is_open_to_world)
                && route.state.as_deref() != Some("blackhole")
        });
        let way = match default.and_then(|r| r.target.as_deref()) {
            None => Egress::None,
            Some(target) if target.starts_with("igw-") || target.starts_with("nat-") => {
                Egress::Internet(format!("{target} in {}", table.id))
            }
            Some(target) => Egress::Other(format!("{target} in {}", table.id)),
        };
        egress.entry(vpc.clone()).or_default().push(way);
    }
    let mut findings = Vec::new();
    for (vpc, ways) in egress {
        let resource = inv.ec2_arn("vpc", &vpc);
        if let Some(Egress::Internet(via)) = ways.iter().find(|w| matches!(w, Egress::Internet(_)))
            && ways.iter().all(|w| matches!(w, Egress::Internet(_)))
        {
            findings.push(Finding::not_applicable(
                resource,
                format!(
                    "the nodes reach the Internet (default route to {via}): endpoints are optional"
                ),
            ));
            continue;
        }
        let region = &inv.region;
        let endpoints = inv.vpc_endpoints()?;
        // An endpoint that could not be listed may be the one missing: no verdict on a partial list.
        if !endpoints.failed.is_empty() {
            findings.extend(incomplete(
                &resource,
                "the VPC endpoints could not all be read",
                endpoints,
            ));
            continue;
        }
        let missing: Vec<&str> = NEEDED
            .iter()
            .copied()
            .filter(|service| {
                let name = format!("com.amazonaws.{region}.{service}");
                !endpoints.iter().any(|e| {
                    e.vpc_id.as_deref() == Some(vpc.as_str())
                        && e.service_name == name
                        && e.state
                            .as_deref()
                            .is_none_or(|s| s.eq_ignore_ascii_case("available"))
                })
            })
            .collect();
        let others: Vec<&str> = ways
            .iter()
            .filter_map(|w| match w {
                Egress::Other(via) => Some(via.as_str()),
                _ => None,
            })
            .collect();
        let evidence = json!({ "missing": missing, "default_routes": others });
        findings.push(
            match (missing.is_empty(), others.is_empty()) {
                (true, _) => Finding::pass(resource, "the nodes' VPC has endpoints for ECR, S3, STS, EC2 and CloudWatch Logs"),
                (false, true) => Finding::fail(
                    resource,
                    format!(
                        "node subnets have no route to the Internet and the VPC has no endpoint for {}",
                        missing.join(", ")
                    ),
                ),
                (false, false) => Finding::new(
                    Status::Manual,
                    resource,
                    format!(
                        "node subnets route 0.0.0.0/0 to {}: if that has no Internet egress, the VPC needs endpoints for {}",
                        others.join(", "),
                        missing.join(", ")
                    ),
                ),
            }
            .with_evidence(evidence),
        );
    }
    Ok(conclude(inv, nodes, findings, "no nodes were found"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::*;
    use crate::inventory::{Collection, Read, Route, VpcEndpoint};

    /// `cluster_with_nodes` whose node subnets' only route is `default` (target) or none.
    fn private(default: Option<&str>, services: &[&str]) -> Vec<Finding> {
        let mut inv = cluster_with_nodes(&["i-1"]);
        for table in inv.route_tables.data_mut().iter_mut() {
            table
                .routes
                .retain(|r| r.destination.as_deref() != Some("0.0.0.0/0"));
            if let Some(target) = default {
                table.routes.push(Route {
                    destination: Some("0.0.0.0/0".into()),
                    target: Some(target.into()),
                    ..Route::default()
                });
            }
        }
        let vpc = inv.instances.data_mut()[0].vpc_id.clone();
        inv.vpc_endpoints = Read::Got(Collection::complete(
            services
                .iter()
                .map(|s| VpcEndpoint {
                    id: format!("vpce-{s}"),
                    vpc_id: vpc.clone(),
                    service_name: format!("com.amazonaws.eu-west-1.{s}"),
                    endpoint_type: Some("Interface".into()),
                    state: Some("available".into()),
                })
                .collect(),
        ));
        run(&CHECK, &inv)
    }

    #[test]
    fn nodes_behind_a_nat_gateway_need_no_endpoints() {
        assert_eq!(
            statuses(&private(Some("nat-1"), &[])),
            [Status::NotApplicable]
        );
    }

    #[test]
    fn private_nodes_fail_naming_each_missing_endpoint() {
        let findings = private(None, &["ecr.api", "s3"]);
        assert_eq!(statuses(&findings), [Status::Fail]);
        assert!(
            findings[0].message.ends_with("ecr.dkr, sts, ec2, logs"),
            "{}",
            findings[0].message
        );
        assert_eq!(statuses(&private(None, NEEDED)), [Status::Pass]);
    }

    #[test]
    fn a_transit_gateway_default_route_is_for_review() {
        let findings = private(Some("tgw-1"), &[]);
        assert_eq!(statuses(&findings), [Status::Manual]);
        assert!(findings[0].message.contains("tgw-1"));
    }

    #[test]
    fn a_partly_read_endpoint_list_is_an_error_not_a_failure() {
        let mut inv = cluster_with_nodes(&["i-1"]);
        for table in inv.route_tables.data_mut().iter_mut() {
            table
                .routes
                .retain(|r| r.destination.as_deref() != Some("0.0.0.0/0"));
        }
        inv.vpc_endpoints = Read::Got(Collection {
            items: vec![],
            failed: vec![crate::inventory::CollectError::new(
                "ec2:DescribeVpcEndpoints",
                vec![],
                crate::inventory::ErrorKind::AccessDenied,
                "denied",
            )],
        });
        let findings = run(&CHECK, &inv);
        assert_eq!(statuses(&findings), [Status::Error]);
        assert!(findings[0].message.contains("ec2:DescribeVpcEndpoints"));
    }

    #[test]
    fn unread_endpoints_are_an_error_for_private_nodes() {
        let mut inv = cluster_with_nodes(&["i-1"]);
        for table in inv.route_tables.data_mut().iter_mut() {
            table
                .routes
                .retain(|r| r.destination.as_deref() != Some("0.0.0.0/0"));
        }
        inv.vpc_endpoints = Read::NotCollected;
        assert_eq!(statuses(&run(&CHECK, &inv)), [Status::Error]);
    }
}
