//! `node-private`: nodes have no public address and sit in subnets without a route to an
//! Internet gateway.
//!
//! The subnet's route table is its explicit association, else the VPC's main table. A default
//! route (`0.0.0.0/0` or `::/0`) to an `igw-` target makes a subnet public; an egress-only
//! gateway (`eigw-`) or a NAT gateway does not. A public address fails the node even when its
//! route table could not be read; otherwise a missing subnet or table is an error.

use serde_json::json;

use super::provisioners::{class_resource, node_classes};
use super::{conclude, node_needs, nodegroup_templates};
use crate::checks::frameworks::{bp, cis13, cis18, nist};
use crate::checks::shared::net::is_open_to_world;
use crate::checks::{Area, Check, Ctx, Eval, Evaluation, Finding, Remediation, Severity, Status};
use crate::inventory::k8s::AnyNodeClass;
use crate::inventory::k8s::resources::{AUTO_NODE_CLASSES, EC2_NODE_CLASSES};
use crate::inventory::{ClusterView, Instance, Missing, Need, Why, aws};

/// The check.
pub static CHECK: Check = Check {
    id: "node-private",
    aliases: &[],
    area: Area::Node,
    title: "Nodes are private: no public address, no route to an Internet gateway",
    severity: Severity::High,
    refs: &[
        cis13("5.4.3"),
        cis18("5.4.3"),
        nist("PR.AC-5"),
        nist("PR.PT-4"),
        bp("network-security"),
    ],
    needs: node_needs![
        "ec2:DescribeLaunchTemplateVersions",
        "ec2:DescribeSubnets",
        "ec2:DescribeRouteTables";
        EC2_NODE_CLASSES, AUTO_NODE_CLASSES
    ],
    rationale: "A node with a public address in a subnet routed to an Internet gateway is reachable from the \
Internet on every port its security groups allow, including the kubelet and NodePort services. Private \
subnets with NAT for egress keep nodes out of reach; services are exposed through load balancers instead.",
    remediation: Remediation {
        text: "Launch nodes in private subnets (default route to a NAT gateway, not an Internet gateway), turn off \
MapPublicIpOnLaunch on those subnets and AssociatePublicIpAddress in launch templates, then replace the nodes.",
        cli: Some("aws eks create-nodegroup ... --subnets <private-subnet-ids>"),
        terraform: Some("subnet_ids = module.vpc.private_subnets"),
    },
    links: &[
        "https://docs.aws.amazon.com/eks/latest/userguide/network-reqs.html",
        "https://docs.aws.amazon.com/vpc/latest/userguide/VPC_Route_Tables.html",
    ],
    eval: Eval::Cluster(eval),
};

/// The Internet gateway routes of the node's subnet, or why they are unknown.
fn internet_routes(inv: &ClusterView<'_>, node: &Instance) -> Result<Vec<String>, Missing> {
    const NEEDS: &[Need] = &[aws("ec2:DescribeInstances")];
    let subnet_id = node
        .subnet_id
        .as_deref()
        .ok_or_else(|| Missing::new(format!("the subnet of {}", node.id), NEEDS, Why::NotFound))?;
    subnet_internet_routes(inv, subnet_id)
}

/// The default routes to an Internet gateway of subnet `subnet_id`'s route table.
fn subnet_internet_routes(inv: &ClusterView<'_>, subnet_id: &str) -> Result<Vec<String>, Missing> {
    let subnet = inv.subnet(subnet_id)?;
    let table = inv.route_table_for(subnet)?;
    Ok(table
        .routes
        .iter()
        .filter(|route| {
            let to_igw = route
                .target
                .as_deref()
                .is_some_and(|t| t.starts_with("igw-"));
            let default = route.destination.as_deref().is_some_and(is_open_to_world);
            to_igw && default
        })
        .map(|route| {
            format!(
                "{} -> {} in {}",
                route.destination.as_deref().unwrap_or("?"),
                route.target.as_deref().unwrap_or("?"),
                table.id
            )
        })
        .collect())
}

fn eval(ctx: &Ctx<'_>) -> Evaluation {
    let inv = ctx.inventory;
    let nodes = inv.instances()?;
    let mut findings = Vec::new();

    for node in nodes.iter() {
        let resource = inv.ec2_arn("instance", &node.id);
        let mut problems = Vec::new();
        if let Some(ip) = &node.public_ip {
            problems.push(format!("public IP {ip}"));
        }
        if let Some(dns) = node.public_dns.as_deref().filter(|d| !d.is_empty()) {
            problems.push(format!("public DNS name {dns}"));
        }
        let routes = internet_routes(inv, node);
        if let Ok(routes) = &routes
            && !routes.is_empty()
        {
            problems.push(format!(
                "its subnet routes to an Internet gateway ({})",
                routes.join(", ")
            ));
        }
        let evidence = json!({
            "public_ip": node.public_ip,
            "public_dns": node.public_dns,
            "subnet": node.subnet_id,
            "internet_gateway_routes": routes.as_ref().ok(),
        });
        let finding = match (problems.is_empty(), routes) {
            (false, Ok(_)) => {
                Finding::fail(resource, format!("the node has {}", problems.join("; ")))
            }
            // A definite failure stands; say what could not be verified as well.
            (false, Err(missing)) => Finding::fail(
                resource,
                format!(
                    "the node has {} (and {})",
                    problems.join("; "),
                    missing.reason()
                ),
            ),
            (true, Err(missing)) => Finding::missing(resource, &missing),
            (true, Ok(_)) => Finding::pass(
                resource,
                "no public address, and the subnet has no Internet gateway route",
            ),
        };
        findings.push(finding.with_evidence(evidence));
    }

    let (templates, errors) = nodegroup_templates(inv)?;
    findings.extend(errors);
    for used in templates
        .into_iter()
        .filter(|u| u.template.associate_public_ip == Some(true))
    {
        findings.push(
            Finding::fail(
                used.arn,
                format!(
                    "version {}: a network interface sets AssociatePublicIpAddress=true",
                    used.template.version
                ),
            )
            .with_evidence(json!({ "nodegroups": used.nodegroups })),
        );
    }

    // The subnets Karpenter's and Auto Mode's NodeClasses launch nodes into.
    let (classes, errors) = node_classes(ctx, nodes);
    findings.extend(errors);
    for class in classes.all() {
        findings.push(judge_class_subnets(inv, class));
    }

    Ok(conclude(inv, nodes, findings, "no nodes were found"))
}

/// A NodeClass judged by the subnets its selector terms resolved to.
fn judge_class_subnets(inv: &ClusterView<'_>, class: AnyNodeClass<'_>) -> Finding {
    let resource = class_resource(class.kind, class.name);
    let ids: Vec<&str> = class.status.subnets.iter().map(|s| s.id.as_str()).collect();
    if ids.is_empty() {
        return Finding::new(
            Status::Manual,
            resource,
            "its subnet selector terms resolved to no subnet yet (status.subnets is empty): review them",
        );
    }
    let mut public = Vec::new();
    let mut unread = Vec::new();
    for id in &ids {
        match subnet_internet_routes(inv, id) {
            Ok(routes) if routes.is_empty() => {}
            Ok(routes) => public.push(format!("{id} ({})", routes.join(", "))),
            Err(missing) => unread.push(missing.reason()),
        }
    }
    let evidence = json!({ "subnets": ids });
    let finding = if !public.is_empty() {
        Finding::fail(
            resource,
            format!(
                "its nodes launch into subnets routed to an Internet gateway: {}",
                public.join("; ")
            ),
        )
    } else if !unread.is_empty() {
        Finding::error(resource, unread.join("; "))
    } else {
        Finding::pass(
            resource,
            format!(
                "its subnets ({}) have no Internet gateway route",
                ids.join(", ")
            ),
        )
    };
    finding.with_evidence(evidence)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Status;
    use crate::checks::testkit::*;
    use crate::inventory::RouteTable;

    #[test]
    fn private_node_behind_nat_passes() {
        assert_eq!(
            statuses(&run(&CHECK, &cluster_with_nodes(&["i-1"]))),
            [Status::Pass]
        );
    }

    #[test]
    fn public_ip_or_dns_fails() {
        let mut inv = cluster_with_nodes(&["i-1", "i-2"]);
        inv.instances.data_mut()[0].public_ip = Some("203.0.113.10".into());
        inv.instances.data_mut()[1].public_dns =
            Some("ec2-203-0-113-11.eu-west-1.compute.amazonaws.com".into());
        let findings = run(&CHECK, &inv);
        assert_eq!(statuses(&findings), [Status::Fail, Status::Fail]);
        assert!(findings[0].message.contains("public IP 203.0.113.10"));
    }

    #[test]
    fn empty_public_dns_is_not_public() {
        let mut inv = cluster_with_nodes(&["i-1"]);
        inv.instances.data_mut()[0].public_dns = Some(String::new());
        assert_eq!(only(run(&CHECK, &inv)).status, Status::Pass);
    }

    #[test]
    fn explicit_association_to_a_public_table_wins_over_the_main_table() {
        let mut inv = cluster_with_nodes(&["i-1"]);
        inv.route_tables.data_mut().push(RouteTable {
            id: "rtb-public".into(),
            vpc_id: Some("vpc-1".into()),
            main: false,
            subnet_ids: vec!["subnet-private".into()],
            routes: vec![route("10.0.0.0/16", "local"), route("::/0", "igw-1")],
        });
        let finding = only(run(&CHECK, &inv));
        assert_eq!(finding.status, Status::Fail);
        assert!(
            finding.message.contains("::/0 -> igw-1 in rtb-public"),
            "{}",
            finding.message
        );
    }

    #[test]
    fn main_table_with_an_igw_default_route_fails_but_egress_only_gateway_passes() {
        let mut inv = cluster_with_nodes(&["i-1"]);
        inv.route_tables.data_mut()[0]
            .routes
            .push(route("::/0", "eigw-1"));
        assert_eq!(only(run(&CHECK, &inv)).status, Status::Pass);
        inv.route_tables.data_mut()[0].routes[1] = route("0.0.0.0/0", "igw-1");
        assert_eq!(only(run(&CHECK, &inv)).status, Status::Fail);
    }

    #[test]
    fn unknown_route_table_is_an_error_unless_the_node_is_public_anyway() {
        let mut inv = cluster_with_nodes(&["i-1"]);
        inv.route_tables.data_mut().items.clear();
        fail_part(
            &mut inv.route_tables,
            denied("ec2:DescribeRouteTables", &[]),
        );
        let finding = only(run(&CHECK, &inv));
        assert_eq!(finding.status, Status::Error);
        assert!(finding.message.contains("ec2:DescribeRouteTables"));

        inv.instances.data_mut()[0].public_ip = Some("203.0.113.10".into());
        let finding = only(run(&CHECK, &inv));
        assert_eq!(finding.status, Status::Fail);
        assert!(
            finding
                .message
                .contains("ec2:DescribeRouteTables (access denied)"),
            "{}",
            finding.message
        );
    }

    #[test]
    fn missing_subnet_is_an_error() {
        let mut inv = cluster_with_nodes(&["i-1"]);
        inv.subnets.data_mut().items.clear();
        let finding = only(run(&CHECK, &inv));
        assert_eq!(finding.status, Status::Error);
        assert!(finding.message.contains("subnet subnet-private"));
    }

    #[test]
    fn template_asking_for_public_ips_fails() {
        let mut inv = cluster_with_nodes(&["i-1"]);
        let mut template = launch_template("lt-1");
        template.associate_public_ip = Some(true);
        add_launch_template(&mut inv, template);
        assert_eq!(
            about(&run(&CHECK, &inv), "launch-template/lt-1").status,
            Status::Fail
        );
    }

    #[test]
    fn no_nodes_is_not_applicable() {
        assert_eq!(statuses(&run(&CHECK, &cluster())), [Status::NotApplicable]);
    }

    #[test]
    fn node_classes_are_judged_by_the_subnets_they_resolved_to() {
        use crate::checks::testkit::k8s::k8s;
        use crate::inventory::Subnet;
        use crate::inventory::k8s::{AutoNodeClass, Ec2NodeClass};
        let mut inv = cluster_with_nodes(&["i-1"]);
        inv.kubernetes = read(crate::checks::testkit::k8s::kubernetes());
        inv.subnets.data_mut().push(Subnet {
            id: "subnet-public".into(),
            vpc_id: Some("vpc-1".into()),
            ..Default::default()
        });
        inv.route_tables.data_mut().push(RouteTable {
            id: "rtb-public".into(),
            vpc_id: Some("vpc-1".into()),
            main: false,
            subnet_ids: vec!["subnet-public".into()],
            routes: vec![route("0.0.0.0/0", "igw-1")],
        });
        let class = |name: &str, subnets: &[&str]| -> Ec2NodeClass {
            let subnets: Vec<_> = subnets.iter().map(|id| json!({"id": id})).collect();
            serde_json::from_value(
                json!({"metadata": {"name": name}, "status": {"subnets": subnets}}),
            )
            .unwrap()
        };
        k8s(&mut inv).ec2_node_classes = read(vec![
            class("private", &["subnet-private"]),
            class("public", &["subnet-private", "subnet-public"]),
            class("pending", &[]),
            class("unknown", &["subnet-gone"]),
        ]);
        k8s(&mut inv).auto_node_classes = read(vec![
            serde_json::from_value::<AutoNodeClass>(json!({"metadata": {"name": "auto"},
                "status": {"subnets": [{"id": "subnet-private"}]}}))
            .unwrap(),
        ]);
        let findings = run(&CHECK, &inv);
        assert_eq!(
            about(&findings, "EC2NodeClass//private").status,
            Status::Pass
        );
        let public = about(&findings, "EC2NodeClass//public");
        assert_eq!(public.status, Status::Fail);
        assert!(
            public
                .message
                .contains("subnet-public (0.0.0.0/0 -> igw-1 in rtb-public)"),
            "{}",
            public.message
        );
        assert_eq!(
            about(&findings, "EC2NodeClass//pending").status,
            Status::Manual
        );
        assert_eq!(
            about(&findings, "EC2NodeClass//unknown").status,
            Status::Error
        );
        assert_eq!(about(&findings, "k8s:NodeClass//auto").status, Status::Pass);
    }
}
