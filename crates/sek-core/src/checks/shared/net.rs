//! Network questions: is this CIDR the whole Internet, does this rule open this port.

use ipnet::IpNet;

use crate::inventory::IpPermission;

/// Whether `cidr` covers every address of its family: `0.0.0.0/0`, `::/0`, and non-canonical
/// spellings of them such as `10.0.0.0/0`.
pub fn is_open_to_world(cidr: &str) -> bool {
    cidr.trim()
        .parse::<IpNet>()
        .is_ok_and(|net| net.prefix_len() == 0)
}

/// The sources of a rule that are the whole Internet (IPv4 and IPv6).
pub fn world_sources(rule: &IpPermission) -> Vec<&str> {
    rule.ipv4_ranges
        .iter()
        .chain(&rule.ipv6_ranges)
        .map(String::as_str)
        .filter(|cidr| is_open_to_world(cidr))
        .collect()
}

/// The transport protocol a rule applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// `-1`: every protocol and port.
    All,
    /// TCP (`tcp` or `6`).
    Tcp,
    /// UDP (`udp` or `17`).
    Udp,
    /// Anything else (ICMP, protocol numbers): no ports.
    Other,
}

impl Protocol {
    /// Parse EC2's `IpProtocol`.
    pub fn of(rule: &IpPermission) -> Protocol {
        match rule.protocol.to_ascii_lowercase().as_str() {
            "-1" | "all" => Protocol::All,
            "tcp" | "6" => Protocol::Tcp,
            "udp" | "17" => Protocol::Udp,
            _ => Protocol::Other,
        }
    }
}

/// Whether `rule` lets `protocol` traffic reach `port`.
pub fn opens_port(rule: &IpPermission, protocol: Protocol, port: i32) -> bool {
    let rule_protocol = Protocol::of(rule);
    if rule_protocol == Protocol::All {
        return true;
    }
    if rule_protocol != protocol || protocol == Protocol::Other {
        return false;
    }
    match (rule.from_port, rule.to_port) {
        // A TCP/UDP rule without ports covers all of them.
        (None, _) | (_, None) => true,
        (Some(from), Some(to)) => (from == -1 && to == -1) || (from <= port && port <= to),
    }
}

/// Whether `rule` allows every protocol on every port.
pub fn allows_all_traffic(rule: &IpPermission) -> bool {
    Protocol::of(rule) == Protocol::All
}

/// A rule's protocol and ports for display: `all traffic`, `tcp/22`, `tcp/0-65535`, `icmp`.
pub fn describe_ports(rule: &IpPermission) -> String {
    match (Protocol::of(rule), rule.from_port, rule.to_port) {
        (Protocol::All, _, _) => "all traffic".to_string(),
        (Protocol::Tcp | Protocol::Udp, Some(from), Some(to)) if from == to => {
            format!("{}/{from}", protocol_name(rule))
        }
        (Protocol::Tcp | Protocol::Udp, Some(from), Some(to)) => {
            format!("{}/{from}-{to}", protocol_name(rule))
        }
        _ => protocol_name(rule),
    }
}

fn protocol_name(rule: &IpPermission) -> String {
    match Protocol::of(rule) {
        Protocol::Tcp => "tcp".to_string(),
        Protocol::Udp => "udp".to_string(),
        _ => rule.protocol.clone(),
    }
}

/// A remote administration service: its name, port and transports.
#[derive(Debug, Clone, Copy)]
pub struct AdminPort {
    /// Service name for messages.
    pub service: &'static str,
    /// The port.
    pub port: i32,
    /// The transports it listens on.
    pub protocols: &'static [Protocol],
}

/// Remote server administration ports (CIS AWS Foundations): SSH and RDP.
pub const REMOTE_ADMIN_PORTS: &[AdminPort] = &[
    AdminPort {
        service: "SSH",
        port: 22,
        protocols: &[Protocol::Tcp],
    },
    AdminPort {
        service: "RDP",
        port: 3389,
        protocols: &[Protocol::Tcp, Protocol::Udp],
    },
];

/// The remote administration ports `rule` opens, as `SSH (tcp/22)`.
pub fn admin_ports_opened(rule: &IpPermission) -> Vec<String> {
    let mut opened = Vec::new();
    for admin in REMOTE_ADMIN_PORTS {
        for &protocol in admin.protocols {
            if opens_port(rule, protocol, admin.port) {
                let transport = if protocol == Protocol::Udp {
                    "udp"
                } else {
                    "tcp"
                };
                opened.push(format!("{} ({transport}/{})", admin.service, admin.port));
            }
        }
    }
    opened
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(protocol: &str, from: Option<i32>, to: Option<i32>) -> IpPermission {
        IpPermission {
            protocol: protocol.to_string(),
            from_port: from,
            to_port: to,
            ..Default::default()
        }
    }

    #[test]
    fn world_cidrs_in_every_spelling() {
        assert!(is_open_to_world("0.0.0.0/0"));
        assert!(is_open_to_world("::/0"));
        assert!(is_open_to_world(" 10.1.2.3/0 "));
        assert!(is_open_to_world("2001:db8::/0"));
        assert!(!is_open_to_world("0.0.0.0/1"));
        assert!(!is_open_to_world("10.0.0.0/8"));
        assert!(!is_open_to_world("::/1"));
        assert!(!is_open_to_world("not-a-cidr"));
    }

    #[test]
    fn port_ranges_contain_their_ends() {
        assert!(opens_port(
            &rule("tcp", Some(22), Some(22)),
            Protocol::Tcp,
            22
        ));
        assert!(opens_port(
            &rule("tcp", Some(0), Some(1024)),
            Protocol::Tcp,
            22
        ));
        assert!(opens_port(
            &rule("6", Some(20), Some(22)),
            Protocol::Tcp,
            22
        ));
        assert!(opens_port(
            &rule("tcp", Some(22), Some(30)),
            Protocol::Tcp,
            22
        ));
        assert!(!opens_port(
            &rule("tcp", Some(23), Some(3388)),
            Protocol::Tcp,
            22
        ));
        assert!(!opens_port(
            &rule("udp", Some(22), Some(22)),
            Protocol::Tcp,
            22
        ));
        assert!(!opens_port(
            &rule("icmp", Some(-1), Some(-1)),
            Protocol::Tcp,
            22
        ));
    }

    #[test]
    fn all_protocols_open_every_port() {
        let all = rule("-1", None, None);
        assert!(allows_all_traffic(&all));
        assert!(opens_port(&all, Protocol::Tcp, 22));
        assert!(opens_port(&all, Protocol::Udp, 3389));
        assert_eq!(describe_ports(&all), "all traffic");
    }

    #[test]
    fn admin_ports_are_named_with_their_transport() {
        assert_eq!(
            admin_ports_opened(&rule("tcp", Some(0), Some(65535))),
            ["SSH (tcp/22)", "RDP (tcp/3389)"]
        );
        assert_eq!(
            admin_ports_opened(&rule("17", Some(3389), Some(3389))),
            ["RDP (udp/3389)"]
        );
        assert!(admin_ports_opened(&rule("tcp", Some(443), Some(443))).is_empty());
        assert_eq!(
            describe_ports(&rule("tcp", Some(443), Some(443))),
            "tcp/443"
        );
        assert_eq!(
            describe_ports(&rule("udp", Some(1000), Some(2000))),
            "udp/1000-2000"
        );
    }
}
