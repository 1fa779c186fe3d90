//! NIST CSF 1.1 subcategories the playbook maps EKS controls to, and their CSF 2.0 successors.

use super::*;

/// NIST CSF 1.1 subcategories that the EKS security playbook (seed 004) maps EKS controls to.
pub static NIST_CSF_1_1: &[Requirement] = &[
    req(
        "PR.AC-1",
        "Identities and credentials are issued, managed, verified, revoked, and audited for authorized devices, users and processes",
    ),
    req("PR.AC-3", "Remote access is managed"),
    req(
        "PR.AC-4",
        "Access permissions and authorizations are managed, incorporating the principles of least privilege and separation of duties",
    ),
    req(
        "PR.AC-5",
        "Network integrity is protected (e.g., network segregation, network segmentation)",
    ),
    req(
        "PR.AC-6",
        "Identities are proofed and bound to credentials and asserted in interactions",
    ),
    req(
        "PR.AC-7",
        "Users, devices, and other assets are authenticated commensurate with the risk of the transaction",
    ),
    req("PR.DS-1", "Data-at-rest is protected"),
    req("PR.DS-2", "Data-in-transit is protected"),
    req(
        "PR.DS-4",
        "Adequate capacity to ensure availability is maintained",
    ),
    req("PR.DS-5", "Protections against data leaks are implemented"),
    req(
        "PR.DS-6",
        "Integrity checking mechanisms are used to verify software, firmware, and information integrity",
    ),
    req(
        "PR.IP-1",
        "A baseline configuration of information technology/industrial control systems is created and maintained incorporating security principles",
    ),
    req(
        "PR.PT-1",
        "Audit/log records are determined, documented, implemented, and reviewed in accordance with policy",
    ),
    req(
        "PR.PT-4",
        "Communications and control networks are protected",
    ),
    req(
        "PR.PT-5",
        "Mechanisms (e.g., failsafe, load balancing, hot swap) are implemented to achieve resilience requirements in normal and adverse situations",
    ),
    req(
        "DE.AE-1",
        "A baseline of network operations and expected data flows for users and systems is established and managed",
    ),
    req(
        "DE.AE-2",
        "Detected events are analyzed to understand attack targets and methods",
    ),
    req(
        "DE.AE-3",
        "Event data are collected and correlated from multiple sources and sensors",
    ),
    req(
        "DE.CM-1",
        "The network is monitored to detect potential cybersecurity events",
    ),
    req(
        "DE.CM-3",
        "Personnel activity is monitored to detect potential cybersecurity events",
    ),
    req("DE.CM-4", "Malicious code is detected"),
    req(
        "DE.CM-7",
        "Monitoring for unauthorized personnel, connections, devices, and software is performed",
    ),
    req("DE.CM-8", "Vulnerability scans are performed"),
    req(
        "RS.AN-1",
        "Notifications from detection systems are investigated",
    ),
    req("RS.AN-2", "The impact of the incident is understood"),
    req("RS.AN-3", "Forensics are performed"),
    req(
        "RS.AN-4",
        "Incidents are categorized consistent with response plans",
    ),
    req(
        "RS.AN-5",
        "Processes are established to receive, analyze and respond to vulnerabilities disclosed to the organization",
    ),
];

/// NIST CSF 1.1 subcategory -> the CSF 2.0 subcategories it became, per NIST's crosswalk.
pub static CSF_1_1_TO_2_0: &[(&str, &[&str])] = &[
    ("PR.AC-1", &["PR.AA-01", "PR.AA-05"]),
    ("PR.AC-3", &["PR.AA-03", "PR.AA-05", "PR.IR-01"]),
    ("PR.AC-4", &["PR.AA-05"]),
    ("PR.AC-5", &["PR.IR-01"]),
    ("PR.AC-6", &["PR.AA-02"]),
    ("PR.AC-7", &["PR.AA-03"]),
    ("PR.DS-1", &["PR.DS-01"]),
    ("PR.DS-2", &["PR.DS-02"]),
    ("PR.DS-4", &["PR.IR-04"]),
    ("PR.DS-5", &["PR.DS-01", "PR.DS-02", "PR.DS-10"]),
    ("PR.DS-6", &["ID.RA-09", "PR.DS-01"]),
    ("PR.IP-1", &["PR.PS-01"]),
    ("PR.PT-1", &["PR.PS-04"]),
    ("PR.PT-4", &["PR.IR-01"]),
    ("PR.PT-5", &["PR.IR-03"]),
    ("DE.AE-1", &["ID.AM-03"]),
    ("DE.AE-2", &["DE.AE-02"]),
    ("DE.AE-3", &["DE.AE-03"]),
    ("DE.CM-1", &["DE.CM-01"]),
    ("DE.CM-3", &["DE.CM-03"]),
    ("DE.CM-4", &["DE.CM-01", "DE.CM-09"]),
    ("DE.CM-7", &["DE.CM-01", "DE.CM-03", "DE.CM-06", "DE.CM-09"]),
    ("DE.CM-8", &["ID.RA-01"]),
    ("RS.AN-1", &["RS.MA-02"]),
    ("RS.AN-2", &["RS.MA-02", "RS.MA-03", "RS.MA-04"]),
    ("RS.AN-3", &["RS.AN-03", "RS.AN-06", "RS.AN-07", "RS.AN-08"]),
    ("RS.AN-4", &["RS.MA-03"]),
    ("RS.AN-5", &["ID.RA-08"]),
];

/// The CSF 2.0 subcategories a CSF 1.1 subcategory maps to.
pub fn csf_2_0_ids(csf_1_1: &str) -> &'static [&'static str] {
    CSF_1_1_TO_2_0
        .iter()
        .find(|(id, _)| *id == csf_1_1)
        .map_or(&[], |(_, ids)| ids)
}

/// NIST CSF 2.0 subcategories that the playbook's CSF 1.1 subcategories map to.
pub static NIST_CSF_2_0: &[Requirement] = &[
    req(
        "ID.AM-03",
        "Representations of the organization's authorized network communication and internal and external network data flows are maintained",
    ),
    req(
        "ID.RA-01",
        "Vulnerabilities in assets are identified, validated, and recorded",
    ),
    req(
        "ID.RA-08",
        "Processes for receiving, analyzing, and responding to vulnerability disclosures are established",
    ),
    req(
        "ID.RA-09",
        "The authenticity and integrity of hardware and software are assessed prior to acquisition and use",
    ),
    req(
        "PR.AA-01",
        "Identities and credentials for authorized users, services, and hardware are managed by the organization",
    ),
    req(
        "PR.AA-02",
        "Identities are proofed and bound to credentials based on the context of interactions",
    ),
    req(
        "PR.AA-03",
        "Users, services, and hardware are authenticated",
    ),
    req(
        "PR.AA-05",
        "Access permissions, entitlements, and authorizations are defined in a policy, managed, enforced, and reviewed, and incorporate the principles of least privilege and separation of duties",
    ),
    req(
        "PR.DS-01",
        "The confidentiality, integrity, and availability of data-at-rest are protected",
    ),
    req(
        "PR.DS-02",
        "The confidentiality, integrity, and availability of data-in-transit are protected",
    ),
    req(
        "PR.DS-10",
        "The confidentiality, integrity, and availability of data-in-use are protected",
    ),
    req(
        "PR.PS-01",
        "Configuration management practices are established and applied",
    ),
    req(
        "PR.PS-04",
        "Log records are generated and made available for continuous monitoring",
    ),
    req(
        "PR.IR-01",
        "Networks and environments are protected from unauthorized logical access and usage",
    ),
    req(
        "PR.IR-03",
        "Mechanisms are implemented to achieve resilience requirements in normal and adverse situations",
    ),
    req(
        "PR.IR-04",
        "Adequate resource capacity to ensure availability is maintained",
    ),
    req(
        "DE.AE-02",
        "Potentially adverse events are analyzed to better understand associated activities",
    ),
    req(
        "DE.AE-03",
        "Information is correlated from multiple sources",
    ),
    req(
        "DE.CM-01",
        "Networks and network services are monitored to find potentially adverse events",
    ),
    req(
        "DE.CM-03",
        "Personnel activity and technology usage are monitored to find potentially adverse events",
    ),
    req(
        "DE.CM-06",
        "External service provider activities and services are monitored to find potentially adverse events",
    ),
    req(
        "DE.CM-09",
        "Computing hardware and software, runtime environments, and their data are monitored to find potentially adverse events",
    ),
    req("RS.MA-02", "Incident reports are triaged and validated"),
    req("RS.MA-03", "Incidents are categorized and prioritized"),
    req("RS.MA-04", "Incidents are escalated or elevated as needed"),
    req(
        "RS.AN-03",
        "Analysis is performed to establish what has taken place during an incident and the root cause of the incident",
    ),
    req(
        "RS.AN-06",
        "Actions performed during an investigation are recorded, and the records' integrity and provenance are preserved",
    ),
    req(
        "RS.AN-07",
        "Incident data and metadata are collected, and their integrity and provenance are preserved",
    ),
    req(
        "RS.AN-08",
        "An incident's magnitude is estimated and validated",
    ),
];
