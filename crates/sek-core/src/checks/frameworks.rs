//! Framework references and catalogs.
//!
//! A check names the requirements it satisfies with [`Ref`]s; the catalogs list every
//! requirement of each framework version (with or without a check), so coverage tables can show
//! gaps. The CIS Amazon EKS Benchmark renumbers between versions, so a reference always carries
//! the benchmark version.

use serde::Serialize;

/// A framework, by version.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, schemars::JsonSchema,
)]
pub enum Framework {
    /// CIS Amazon EKS Benchmark v1.3.0.
    #[serde(rename = "cis-eks-1.3.0")]
    CisEks1_3_0,
    /// CIS Amazon EKS Benchmark v1.8.0.
    #[serde(rename = "cis-eks-1.8.0")]
    CisEks1_8_0,
    /// NIST Cybersecurity Framework 1.1 subcategories.
    #[serde(rename = "nist-csf-1.1")]
    NistCsf1_1,
    /// NIST Cybersecurity Framework 2.0 subcategories, derived from the 1.1 references through
    /// NIST's 1.1 to 2.0 crosswalk (checks are mapped to 1.1, the playbook's version).
    #[serde(rename = "nist-csf-2.0")]
    NistCsf2_0,
    /// Amazon EKS Best Practices Guide, security chapters.
    #[serde(rename = "eks-best-practices")]
    EksBestPractices,
}

impl Framework {
    /// Every framework, in display order.
    pub const ALL: [Framework; 5] = [
        Framework::CisEks1_3_0,
        Framework::CisEks1_8_0,
        Framework::NistCsf1_1,
        Framework::NistCsf2_0,
        Framework::EksBestPractices,
    ];

    /// Stable identifier used on the command line and in JSON.
    pub fn slug(self) -> &'static str {
        match self {
            Framework::CisEks1_3_0 => "cis-eks-1.3.0",
            Framework::CisEks1_8_0 => "cis-eks-1.8.0",
            Framework::NistCsf1_1 => "nist-csf-1.1",
            Framework::NistCsf2_0 => "nist-csf-2.0",
            Framework::EksBestPractices => "eks-best-practices",
        }
    }

    /// Human name.
    pub fn name(self) -> &'static str {
        match self {
            Framework::CisEks1_3_0 => "CIS Amazon EKS Benchmark v1.3.0",
            Framework::CisEks1_8_0 => "CIS Amazon EKS Benchmark v1.8.0",
            Framework::NistCsf1_1 => "NIST Cybersecurity Framework 1.1",
            Framework::NistCsf2_0 => "NIST Cybersecurity Framework 2.0",
            Framework::EksBestPractices => "Amazon EKS Best Practices Guide",
        }
    }

    /// Short name for labels: `CIS EKS 1.8.0`, `NIST CSF 1.1`.
    pub fn short_name(self) -> &'static str {
        match self {
            Framework::CisEks1_3_0 => "CIS EKS 1.3.0",
            Framework::CisEks1_8_0 => "CIS EKS 1.8.0",
            Framework::NistCsf1_1 => "NIST CSF 1.1",
            Framework::NistCsf2_0 => "NIST CSF 2.0",
            Framework::EksBestPractices => "EKS Best Practices",
        }
    }

    /// Parse a slug.
    pub fn from_slug(slug: &str) -> Option<Framework> {
        Framework::ALL.into_iter().find(|f| f.slug() == slug)
    }

    /// Every requirement of this framework version.
    pub fn catalog(self) -> &'static [Requirement] {
        match self {
            Framework::CisEks1_3_0 => CIS_EKS_1_3_0,
            Framework::CisEks1_8_0 => CIS_EKS_1_8_0,
            Framework::NistCsf1_1 => NIST_CSF_1_1,
            Framework::NistCsf2_0 => NIST_CSF_2_0,
            Framework::EksBestPractices => EKS_BEST_PRACTICES,
        }
    }

    /// The catalog entry for `id`.
    pub fn requirement(self, id: &str) -> Option<&'static Requirement> {
        self.catalog().iter().find(|r| r.id == id)
    }
}

/// One requirement a check satisfies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Ref {
    /// The framework version.
    pub framework: Framework,
    /// The requirement id in that version (`5.4.2`, `PR.AC-5`, `network-security`).
    pub id: &'static str,
}

impl Ref {
    /// `CIS EKS 1.8.0 5.4.2`.
    pub fn label(&self) -> String {
        format!("{} {}", self.framework.short_name(), self.id)
    }

    /// The catalog title of this requirement.
    pub fn title(&self) -> &'static str {
        self.framework
            .requirement(self.id)
            .map(|r| r.title)
            .unwrap_or("")
    }
}

/// CIS EKS v1.3.0 recommendation `id`.
pub const fn cis13(id: &'static str) -> Ref {
    Ref {
        framework: Framework::CisEks1_3_0,
        id,
    }
}

/// CIS EKS v1.8.0 recommendation `id`.
pub const fn cis18(id: &'static str) -> Ref {
    Ref {
        framework: Framework::CisEks1_8_0,
        id,
    }
}

/// NIST CSF 1.1 subcategory `id`.
pub const fn nist(id: &'static str) -> Ref {
    Ref {
        framework: Framework::NistCsf1_1,
        id,
    }
}

/// EKS Best Practices Guide page `id` (the page's slug).
pub const fn bp(id: &'static str) -> Ref {
    Ref {
        framework: Framework::EksBestPractices,
        id,
    }
}

/// A catalog entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Requirement {
    /// Requirement id.
    pub id: &'static str,
    /// Its title.
    pub title: &'static str,
}

const fn req(id: &'static str, title: &'static str) -> Requirement {
    Requirement { id, title }
}

/// CIS Amazon EKS Benchmark v1.3.0 (seed 002).
pub static CIS_EKS_1_3_0: &[Requirement] = &[
    req("2.1.1", "Enable audit Logs"),
    req(
        "3.1.1",
        "Ensure that the kubeconfig file permissions are set to 644 or more restrictive",
    ),
    req(
        "3.1.2",
        "Ensure that the kubelet kubeconfig file ownership is set to root:root",
    ),
    req(
        "3.1.3",
        "Ensure that the kubelet configuration file has permissions set to 644 or more restrictive",
    ),
    req(
        "3.1.4",
        "Ensure that the kubelet configuration file ownership is set to root:root",
    ),
    req("3.2.1", "Ensure that the Anonymous Auth is Not Enabled"),
    req(
        "3.2.2",
        "Ensure that the --authorization-mode argument is not set to AlwaysAllow",
    ),
    req("3.2.3", "Ensure that a Client CA File is Configured"),
    req("3.2.4", "Ensure that the --read-only-port is disabled"),
    req(
        "3.2.5",
        "Ensure that the --streaming-connection-idle-timeout argument is not set to 0",
    ),
    req(
        "3.2.6",
        "Ensure that the --make-iptables-util-chains argument is set to true",
    ),
    req(
        "3.2.7",
        "Ensure that the --hostname-override argument is not set",
    ),
    req(
        "3.2.8",
        "Ensure that the --eventRecordQPS argument is set to 0 or a level which ensures appropriate event capture",
    ),
    req(
        "3.2.9",
        "Ensure that the --rotate-certificates argument is not present or is set to true",
    ),
    req(
        "3.2.10",
        "Ensure that the RotateKubeletServerCertificate argument is set to true",
    ),
    req(
        "3.3.1",
        "Prefer using a container-optimized OS when possible",
    ),
    req(
        "4.1.1",
        "Ensure that the cluster-admin role is only used where required",
    ),
    req("4.1.2", "Minimize access to secrets"),
    req("4.1.3", "Minimize wildcard use in Roles and ClusterRoles"),
    req("4.1.4", "Minimize access to create pods"),
    req(
        "4.1.5",
        "Ensure that default service accounts are not actively used",
    ),
    req(
        "4.1.6",
        "Ensure that Service Account Tokens are only mounted where necessary",
    ),
    req("4.1.7", "Avoid use of system:masters group"),
    req(
        "4.1.8",
        "Limit use of the Bind, Impersonate and Escalate permissions in the Kubernetes cluster",
    ),
    req("4.2.1", "Minimize the admission of privileged containers"),
    req(
        "4.2.2",
        "Minimize the admission of containers wishing to share the host process ID namespace",
    ),
    req(
        "4.2.3",
        "Minimize the admission of containers wishing to share the host IPC namespace",
    ),
    req(
        "4.2.4",
        "Minimize the admission of containers wishing to share the host network namespace",
    ),
    req(
        "4.2.5",
        "Minimize the admission of containers with allowPrivilegeEscalation",
    ),
    req("4.2.6", "Minimize the admission of root containers"),
    req(
        "4.2.7",
        "Minimize the admission of containers with added capabilities",
    ),
    req(
        "4.2.8",
        "Minimize the admission of containers with capabilities assigned",
    ),
    req("4.3.1", "Ensure CNI plugin supports network policies"),
    req(
        "4.3.2",
        "Ensure that all Namespaces have Network Policies defined",
    ),
    req(
        "4.4.1",
        "Prefer using secrets as files over secrets as environment variables",
    ),
    req("4.4.2", "Consider external secret storage"),
    req(
        "4.5.1",
        "Create administrative boundaries between resources using namespaces",
    ),
    req(
        "4.5.2",
        "Apply Security Context to Your Pods and Containers",
    ),
    req("4.5.3", "The default namespace should not be used"),
    req(
        "5.1.1",
        "Ensure Image Vulnerability Scanning using Amazon ECR image scanning or a third party provider",
    ),
    req("5.1.2", "Minimize user access to Amazon ECR"),
    req(
        "5.1.3",
        "Minimize cluster access to read-only for Amazon ECR",
    ),
    req(
        "5.1.4",
        "Minimize Container Registries to only those approved",
    ),
    req("5.2.1", "Prefer using dedicated EKS Service Accounts"),
    req(
        "5.3.1",
        "Ensure Kubernetes Secrets are encrypted using Customer Master Keys (CMKs) managed in AWS KMS",
    ),
    req("5.4.1", "Restrict Access to the Control Plane Endpoint"),
    req(
        "5.4.2",
        "Ensure clusters are created with Private Endpoint Enabled and Public Access Disabled",
    ),
    req("5.4.3", "Ensure clusters are created with Private Nodes"),
    req(
        "5.4.4",
        "Ensure Network Policy is Enabled and set as appropriate",
    ),
    req(
        "5.4.5",
        "Encrypt traffic to HTTPS load balancers with TLS certificates",
    ),
    req(
        "5.5.1",
        "Manage Kubernetes RBAC users with AWS IAM Authenticator for Kubernetes or Upgrade to AWS CLI v1.16.156 or greater",
    ),
    req("5.6.1", "Consider Fargate for running untrusted workloads"),
];

/// CIS Amazon EKS Benchmark v1.8.0: all 50 recommendations.
pub static CIS_EKS_1_8_0: &[Requirement] = &[
    req("2.1.1", "Enable audit Logs"),
    req("2.1.2", "Ensure audit logs are collected and managed"),
    req(
        "3.1.1",
        "Ensure that the kubeconfig file permissions are set to 644 or more restrictive",
    ),
    req(
        "3.1.2",
        "Ensure that the kubelet kubeconfig file ownership is set to root:root",
    ),
    req(
        "3.1.3",
        "Ensure that the kubelet configuration file has permissions set to 644 or more restrictive",
    ),
    req(
        "3.1.4",
        "Ensure that the kubelet configuration file ownership is set to root:root",
    ),
    req("3.2.1", "Ensure that the Anonymous Auth is Not Enabled"),
    req(
        "3.2.2",
        "Ensure that the --authorization-mode argument is not set to AlwaysAllow",
    ),
    req("3.2.3", "Ensure that a Client CA File is Configured"),
    req("3.2.4", "Ensure that the --read-only-port is disabled"),
    req(
        "3.2.5",
        "Ensure that the --streaming-connection-idle-timeout argument is not set to 0",
    ),
    req(
        "3.2.6",
        "Ensure that the --make-iptables-util-chains argument is set to true",
    ),
    req(
        "3.2.7",
        "Ensure that the --eventRecordQPS argument is set to 0 or a level which ensures appropriate event capture",
    ),
    req(
        "3.2.8",
        "Ensure that the --rotate-certificates argument is not present or is set to true",
    ),
    req(
        "3.2.9",
        "Ensure that the RotateKubeletServerCertificate argument is set to true",
    ),
    req(
        "4.1.1",
        "Ensure that the cluster-admin role is only used where required",
    ),
    req("4.1.2", "Minimize access to secrets"),
    req("4.1.3", "Minimize wildcard use in Roles and ClusterRoles"),
    req("4.1.4", "Minimize access to create pods"),
    req(
        "4.1.5",
        "Ensure that default service accounts are not actively used",
    ),
    req(
        "4.1.6",
        "Ensure that Service Account Tokens are only mounted where necessary",
    ),
    req(
        "4.1.7",
        "Cluster Access Manager API to streamline and enhance the management of access controls within EKS clusters",
    ),
    req(
        "4.1.8",
        "Limit use of the Bind, Impersonate and Escalate permissions in the Kubernetes cluster",
    ),
    req(
        "4.1.9",
        "Minimize access to create PersistentVolume objects",
    ),
    req(
        "4.1.10",
        "Minimize access to the proxy sub-resource of Node objects",
    ),
    req("4.1.11", "Minimize access to webhook configuration objects"),
    req(
        "4.1.12",
        "Minimize access to the service account token creation",
    ),
    req("4.2.1", "Minimize the admission of privileged containers"),
    req(
        "4.2.2",
        "Minimize the admission of containers wishing to share the host process ID namespace",
    ),
    req(
        "4.2.3",
        "Minimize the admission of containers wishing to share the host IPC namespace",
    ),
    req(
        "4.2.4",
        "Minimize the admission of containers wishing to share the host network namespace",
    ),
    req(
        "4.2.5",
        "Minimize the admission of containers with allowPrivilegeEscalation",
    ),
    req("4.3.1", "Ensure CNI plugin supports network policies"),
    req(
        "4.3.2",
        "Ensure that all Namespaces have Network Policies defined",
    ),
    req(
        "4.4.1",
        "Prefer using secrets as files over secrets as environment variables",
    ),
    req("4.4.2", "Consider external secret storage"),
    req(
        "4.5.1",
        "Create administrative boundaries between resources using namespaces",
    ),
    req("4.5.2", "The default namespace should not be used"),
    req(
        "5.1.1",
        "Ensure Image Vulnerability Scanning using Amazon ECR image scanning or a third party provider",
    ),
    req("5.1.2", "Minimize user access to Amazon ECR"),
    req(
        "5.1.3",
        "Minimize cluster access to read-only for Amazon ECR",
    ),
    req(
        "5.1.4",
        "Minimize Container Registries to only those approved",
    ),
    req(
        "5.2.1",
        "Prefer using dedicated Amazon EKS Service Accounts",
    ),
    req(
        "5.3.1",
        "Ensure Kubernetes Secrets are encrypted using Customer Master Keys (CMKs) managed in AWS KMS",
    ),
    req("5.4.1", "Restrict Access to the Control Plane Endpoint"),
    req(
        "5.4.2",
        "Ensure clusters are created with Private Endpoint Enabled and Public Access Disabled",
    ),
    req("5.4.3", "Ensure clusters are created with Private Nodes"),
    req(
        "5.4.4",
        "Ensure Network Policy is Enabled and set as appropriate",
    ),
    req(
        "5.4.5",
        "Encrypt traffic to HTTPS load balancers with TLS certificates",
    ),
    req(
        "5.5.1",
        "Manage Kubernetes RBAC users with AWS IAM Authenticator for Kubernetes or Upgrade to AWS CLI v1.16.156 or greater",
    ),
];

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

/// Security chapters of the Amazon EKS Best Practices Guide, by page slug under
/// <https://docs.aws.amazon.com/eks/latest/best-practices/>.
pub static EKS_BEST_PRACTICES: &[Requirement] = &[
    req(
        "identity-and-access-management",
        "Identity and Access Management",
    ),
    req("pod-security", "Pod Security"),
    req("network-security", "Network security"),
    req(
        "data-encryption-and-secrets-management",
        "Data encryption and secrets management",
    ),
    req("auditing-and-logging", "Auditing and logging"),
    req(
        "protecting-the-infrastructure",
        "Protecting the infrastructure (hosts)",
    ),
    req("image-security", "Image security"),
    req(
        "incident-response-and-forensics",
        "Incident response and forensics",
    ),
    req("compliance", "Compliance"),
    req("cluster-upgrades", "Cluster upgrades"),
];

/// The web address of a best-practices page.
pub fn best_practices_url(slug: &str) -> String {
    format!("https://docs.aws.amazon.com/eks/latest/best-practices/{slug}.html")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_crosswalk_covers_every_csf_1_1_subcategory_and_lands_in_the_2_0_catalog() {
        for requirement in NIST_CSF_1_1 {
            let ids = csf_2_0_ids(requirement.id);
            assert!(!ids.is_empty(), "{} has no CSF 2.0 mapping", requirement.id);
            for id in ids {
                assert!(
                    Framework::NistCsf2_0.requirement(id).is_some(),
                    "{id} is not in the 2.0 catalog"
                );
            }
        }
        for requirement in NIST_CSF_2_0 {
            assert!(
                CSF_1_1_TO_2_0
                    .iter()
                    .any(|(_, ids)| ids.contains(&requirement.id)),
                "{} maps from nothing",
                requirement.id
            );
        }
    }

    #[test]
    fn catalogs_have_unique_ids_and_cis_1_8_0_has_all_fifty() {
        for framework in Framework::ALL {
            let mut ids: Vec<&str> = framework.catalog().iter().map(|r| r.id).collect();
            let before = ids.len();
            ids.sort_unstable();
            ids.dedup();
            assert_eq!(ids.len(), before, "{framework:?} repeats an id");
        }
        assert_eq!(CIS_EKS_1_8_0.len(), 50);
        assert_eq!(CIS_EKS_1_3_0.len(), 52);
    }
}
