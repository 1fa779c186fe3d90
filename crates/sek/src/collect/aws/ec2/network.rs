//! The nodes' network: security groups, subnets, route tables, and the VPC's flow logs.

use super::Aws;
use super::*;
use aws_sdk_ec2::operation::describe_route_tables::DescribeRouteTablesOutput;
use aws_sdk_ec2::operation::describe_vpc_endpoints::DescribeVpcEndpointsOutput;
use sek_core::inventory::{
    CollectError, FlowLog, IpPermission, Route, RouteTable, SecurityGroup, Subnet, VpcEndpoint,
};

/// DescribeSecurityGroups by id.
pub async fn security_groups(aws: &Aws, ids: &[String]) -> (Vec<SecurityGroup>, Vec<CollectError>) {
    let (found, errors) = batched(
        aws,
        "ec2:DescribeSecurityGroups",
        ids,
        |batch, token| {
            aws.ec2
                .describe_security_groups()
                .filters(filter("group-id", batch))
                .set_next_token(token)
                .send()
        },
        |page| page.next_token(),
        |page| page.security_groups.unwrap_or_default(),
    )
    .await;
    let groups = found
        .into_iter()
        .map(|g| SecurityGroup {
            id: g.group_id.unwrap_or_default(),
            name: g.group_name,
            vpc_id: g.vpc_id,
            owner_id: g.owner_id,
            ingress: g
                .ip_permissions
                .unwrap_or_default()
                .into_iter()
                .map(convert_permission)
                .collect(),
            egress: g
                .ip_permissions_egress
                .unwrap_or_default()
                .into_iter()
                .map(convert_permission)
                .collect(),
        })
        .collect();
    (groups, errors)
}

pub(super) fn convert_permission(p: aws_sdk_ec2::types::IpPermission) -> IpPermission {
    IpPermission {
        protocol: p.ip_protocol.unwrap_or_else(|| "-1".to_string()),
        from_port: p.from_port,
        to_port: p.to_port,
        ipv4_ranges: p
            .ip_ranges
            .unwrap_or_default()
            .into_iter()
            .filter_map(|r| r.cidr_ip)
            .collect(),
        ipv6_ranges: p
            .ipv6_ranges
            .unwrap_or_default()
            .into_iter()
            .filter_map(|r| r.cidr_ipv6)
            .collect(),
        prefix_list_ids: p
            .prefix_list_ids
            .unwrap_or_default()
            .into_iter()
            .filter_map(|r| r.prefix_list_id)
            .collect(),
        source_groups: p
            .user_id_group_pairs
            .unwrap_or_default()
            .into_iter()
            .filter_map(|g| g.group_id)
            .collect(),
    }
}

/// DescribeSubnets by id.
pub async fn subnets(aws: &Aws, ids: &[String]) -> (Vec<Subnet>, Vec<CollectError>) {
    let (found, errors) = batched(
        aws,
        "ec2:DescribeSubnets",
        ids,
        |batch, token| {
            aws.ec2
                .describe_subnets()
                .filters(filter("subnet-id", batch))
                .set_next_token(token)
                .send()
        },
        |page| page.next_token(),
        |page| page.subnets.unwrap_or_default(),
    )
    .await;
    let subnets = found
        .into_iter()
        .map(|s| Subnet {
            id: s.subnet_id.unwrap_or_default(),
            vpc_id: s.vpc_id,
            cidr_block: s.cidr_block,
            availability_zone: s.availability_zone,
            map_public_ip_on_launch: s.map_public_ip_on_launch,
        })
        .collect();
    (subnets, errors)
}

/// Every route table of `vpc_ids`: the explicitly associated tables and the main tables, which
/// route the subnets without an explicit association. One query per VPC batch.
pub async fn route_tables(aws: &Aws, vpc_ids: &[String]) -> (Vec<RouteTable>, Vec<CollectError>) {
    let (tables, errors) = batched(
        aws,
        "ec2:DescribeRouteTables",
        vpc_ids,
        |batch, token| {
            aws.ec2
                .describe_route_tables()
                .filters(filter("vpc-id", batch))
                .set_next_token(token)
                .send()
        },
        route_tables_next,
        route_tables_items,
    )
    .await;
    (
        tables.into_iter().map(convert_route_table).collect(),
        errors,
    )
}

/// The VPC endpoints of `vpc_ids`, in batches by VPC.
pub async fn vpc_endpoints(aws: &Aws, vpc_ids: &[String]) -> (Vec<VpcEndpoint>, Vec<CollectError>) {
    let (endpoints, errors) = batched(
        aws,
        "ec2:DescribeVpcEndpoints",
        vpc_ids,
        |batch, token| {
            aws.ec2
                .describe_vpc_endpoints()
                .filters(filter("vpc-id", batch))
                .set_next_token(token)
                .send()
        },
        vpc_endpoints_next,
        vpc_endpoints_items,
    )
    .await;
    (
        endpoints
            .into_iter()
            .map(|e| VpcEndpoint {
                id: e.vpc_endpoint_id.unwrap_or_default(),
                vpc_id: e.vpc_id,
                service_name: e.service_name.unwrap_or_default(),
                endpoint_type: e.vpc_endpoint_type.map(|t| t.as_str().to_string()),
                state: e.state.map(|s| s.as_str().to_string()),
            })
            .collect(),
        errors,
    )
}

fn vpc_endpoints_next(page: &DescribeVpcEndpointsOutput) -> Option<&str> {
    page.next_token()
}

fn vpc_endpoints_items(page: DescribeVpcEndpointsOutput) -> Vec<aws_sdk_ec2::types::VpcEndpoint> {
    page.vpc_endpoints.unwrap_or_default()
}

pub(super) fn route_tables_next(page: &DescribeRouteTablesOutput) -> Option<&str> {
    page.next_token()
}

pub(super) fn route_tables_items(
    page: DescribeRouteTablesOutput,
) -> Vec<aws_sdk_ec2::types::RouteTable> {
    page.route_tables.unwrap_or_default()
}

pub(super) fn convert_route_table(t: aws_sdk_ec2::types::RouteTable) -> RouteTable {
    let associations = t.associations.unwrap_or_default();
    RouteTable {
        id: t.route_table_id.unwrap_or_default(),
        vpc_id: t.vpc_id,
        main: associations.iter().any(|a| a.main == Some(true)),
        subnet_ids: associations
            .into_iter()
            .filter_map(|a| a.subnet_id)
            .collect(),
        routes: t
            .routes
            .unwrap_or_default()
            .into_iter()
            .map(|r| Route {
                destination: r
                    .destination_cidr_block
                    .or(r.destination_ipv6_cidr_block)
                    .or(r.destination_prefix_list_id),
                target: r
                    .gateway_id
                    .or(r.nat_gateway_id)
                    .or(r.egress_only_internet_gateway_id)
                    .or(r.transit_gateway_id)
                    .or(r.vpc_peering_connection_id)
                    .or(r.network_interface_id)
                    .or(r.instance_id)
                    .or(r.local_gateway_id)
                    .or(r.carrier_gateway_id)
                    .or(r.core_network_arn),
                state: r.state.map(|s| s.as_str().to_string()),
            })
            .collect(),
    }
}

/// DescribeFlowLogs of `vpc_ids`.
pub async fn flow_logs(aws: &Aws, vpc_ids: &[String]) -> Result<Vec<FlowLog>, CollectError> {
    let (found, mut errors) = batched(
        aws,
        "ec2:DescribeFlowLogs",
        vpc_ids,
        |batch, token| {
            aws.ec2
                .describe_flow_logs()
                .filter(filter("resource-id", batch))
                .set_next_token(token)
                .send()
        },
        |page| page.next_token(),
        |page| page.flow_logs.unwrap_or_default(),
    )
    .await;
    if let Some(err) = errors.pop() {
        return Err(err);
    }
    Ok(found
        .into_iter()
        .map(|log| FlowLog {
            id: log.flow_log_id.unwrap_or_default(),
            resource_id: log.resource_id,
            status: log.flow_log_status,
            traffic_type: log.traffic_type.map(|t| t.as_str().to_string()),
            deliver_logs_status: log.deliver_logs_status,
            deliver_logs_error: log.deliver_logs_error_message,
        })
        .collect())
}
