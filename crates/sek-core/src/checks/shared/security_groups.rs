//! "Does this security group let the Internet in to all traffic or a remote administration
//! port?" — the question behind `service-sgs` and `node-sgs`.

use serde_json::json;

use super::net::{admin_ports_opened, allows_all_traffic, describe_ports, world_sources};
use crate::checks::Finding;
use crate::inventory::ClusterView;

/// Assess security group `group_id`, used by `used_by` (for the evidence), and return one finding.
///
/// Fails on an ingress rule from `0.0.0.0/0` or `::/0` that allows all traffic or a port range
/// containing 22 (SSH) or 3389 (RDP). Other world-open rules do not fail the group but are listed
/// in the evidence, because "open to the world on 443" is often intended and always worth seeing.
pub fn assess_ingress(inv: &ClusterView<'_>, group_id: &str, used_by: &[String]) -> Finding {
    let group = match inv.security_group(group_id) {
        Ok(group) => group,
        Err(missing) => return Finding::missing(inv.ec2_arn("security-group", group_id), &missing),
    };
    let owner = group
        .owner_id
        .as_deref()
        .or(inv.account_id.as_deref())
        .unwrap_or("");
    let resource = format!(
        "arn:{}:ec2:{}:{}:security-group/{}",
        inv.partition, inv.region, owner, group.id
    );

    let mut exposures = Vec::new();
    let mut other_world_open = Vec::new();
    for rule in &group.ingress {
        let sources = world_sources(rule);
        if sources.is_empty() {
            continue;
        }
        let ports = describe_ports(rule);
        let exposed: Vec<String> = if allows_all_traffic(rule) {
            vec!["all traffic".to_string()]
        } else {
            admin_ports_opened(rule)
        };
        let entry = json!({ "ports": ports, "sources": sources, "exposes": exposed });
        if exposed.is_empty() {
            other_world_open.push(entry);
        } else {
            exposures.push((exposed.join(", "), sources.join(", "), entry));
        }
    }

    let label = match &group.name {
        Some(name) => format!("{} ({name})", group.id),
        None => group.id.clone(),
    };
    let evidence = json!({
        "group_id": group.id,
        "group_name": group.name,
        "used_by": used_by,
        "failing_rules": exposures.iter().map(|(_, _, entry)| entry).collect::<Vec<_>>(),
        "other_world_open_rules": other_world_open,
    });
    if exposures.is_empty() {
        let mut message =
            format!("{label} allows no ingress from the Internet to all traffic or SSH/RDP");
        if !other_world_open.is_empty() {
            let ports: Vec<&str> = other_world_open
                .iter()
                .filter_map(|e| e["ports"].as_str())
                .collect();
            message.push_str(&format!(
                "; review other world-open ports: {}",
                ports.join(", ")
            ));
        }
        Finding::pass(resource, message).with_evidence(evidence)
    } else {
        let what: Vec<String> = exposures
            .iter()
            .map(|(exposed, sources, _)| format!("{exposed} from {sources}"))
            .collect();
        Finding::fail(
            resource,
            format!(
                "{label} allows {}; restrict the source to known CIDRs or security groups, or remove the rule",
                what.join("; ")
            ),
        )
        .with_evidence(evidence)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Status;
    use crate::checks::testkit::*;
    use crate::inventory::ClusterView;

    #[test]
    fn ssh_from_ipv6_world_fails() {
        let mut inv = cluster();
        inv.security_groups
            .data_mut()
            .push(group("sg-1", vec![ingress("tcp", 22, 22, &[], &["::/0"])]));
        let finding = assess_ingress(&ClusterView::new(&inv), "sg-1", &[]);
        assert_eq!(finding.status, Status::Fail);
        assert!(
            finding.message.contains("SSH (tcp/22) from ::/0"),
            "{}",
            finding.message
        );
        assert_eq!(
            finding.resource,
            "arn:aws:ec2:eu-west-1:111122223333:security-group/sg-1"
        );
    }

    #[test]
    fn https_from_world_passes_but_is_listed() {
        let mut inv = cluster();
        inv.security_groups.data_mut().push(group(
            "sg-1",
            vec![ingress("tcp", 443, 443, &["0.0.0.0/0"], &[])],
        ));
        let finding = assess_ingress(&ClusterView::new(&inv), "sg-1", &["i-1".to_string()]);
        assert_eq!(finding.status, Status::Pass);
        assert!(finding.message.contains("tcp/443"));
        assert_eq!(
            finding.evidence["other_world_open_rules"][0]["ports"],
            "tcp/443"
        );
        assert_eq!(finding.evidence["used_by"][0], "i-1");
    }

    #[test]
    fn ssh_from_a_private_range_passes() {
        let mut inv = cluster();
        inv.security_groups.data_mut().push(group(
            "sg-1",
            vec![ingress("tcp", 22, 22, &["10.0.0.0/8"], &[])],
        ));
        assert_eq!(
            assess_ingress(&ClusterView::new(&inv), "sg-1", &[]).status,
            Status::Pass
        );
    }

    #[test]
    fn a_group_that_was_not_collected_is_an_error_naming_the_api() {
        let mut inv = cluster();
        fail_part(
            &mut inv.security_groups,
            denied("ec2:DescribeSecurityGroups", &["sg-9"]),
        );
        let finding = assess_ingress(&ClusterView::new(&inv), "sg-9", &[]);
        assert_eq!(finding.status, Status::Error);
        assert!(finding.message.contains("ec2:DescribeSecurityGroups"));
        assert!(finding.message.contains("access denied"));
    }
}
