//! What a check is: its metadata (id, area, severity, framework references, rationale,
//! remediation) beside its pure evaluation function.

use super::*;
use crate::inventory::Need;
use serde::{Deserialize, Serialize};
use std::fmt;

/// How bad a failure of a check is.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; no direct exposure.
    Info,
    /// Hardening.
    Low,
    /// A weakness that needs another failure to be exploited.
    Medium,
    /// A direct exposure or a missing primary control.
    High,
    /// Exposure that is exploitable as it stands.
    Critical,
}

impl Severity {
    /// Every severity, lowest first.
    pub const ALL: [Severity; 5] = [
        Severity::Info,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// Parse a lower-case name.
    pub fn parse(name: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The part of the system a check looks at; also the id prefix and the folder name.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Area {
    /// Risk paths: exposure joined with a vulnerability or a powerful identity, over one
    /// workload. First, as reports list them first.
    Risk,
    /// The EKS service's side of a cluster: its control plane (endpoint, logging, encryption,
    /// version, authentication mode). Not Kubernetes Services: those are [`Area::Svc`].
    Service,
    /// Worker nodes: instances, launch templates, their network and IAM.
    Node,
    /// The cluster's network beyond single nodes: VPC endpoints for private clusters.
    Net,
    /// EKS access entries: who is a Kubernetes administrator through IAM.
    Access,
    /// IAM roles for pods (IRSA, Pod Identity).
    Iam,
    /// ECR registries and repositories.
    Ecr,
    /// Detection and response: CloudTrail, GuardDuty, Inspector, flow logs, EventBridge.
    Detect,
    /// Cluster-wide Kubernetes components (policy engines, secret stores).
    Cluster,
    /// Kubernetes Services and Ingresses (`svc`, as kubectl abbreviates Service): how workloads
    /// are exposed. Not the EKS service: that is [`Area::Service`].
    Svc,
    /// Kubernetes RBAC: who may do what.
    Rbac,
    /// Kubernetes service accounts and their tokens.
    Sa,
    /// How workloads' pods run: privileges, host access, images, secrets.
    Pod,
    /// Namespaces: isolation, network policies, Pod Security Admission.
    Ns,
    /// Kubernetes storage: the StorageClasses persistent volumes are made from.
    Storage,
    /// Each node's kubelet, from its effective configuration.
    Kubelet,
    /// kube-proxy, from its configuration in kube-system.
    KubeProxy,
    /// What vulnerability scans found in the images in use and on the nodes.
    Vuln,
    /// The provenance of the images in use: age and signatures.
    Image,
}

impl Area {
    /// Every area, in declaration order.
    pub const ALL: [Area; 19] = [
        Area::Risk,
        Area::Service,
        Area::Node,
        Area::Net,
        Area::Access,
        Area::Iam,
        Area::Ecr,
        Area::Detect,
        Area::Cluster,
        Area::Svc,
        Area::Rbac,
        Area::Sa,
        Area::Pod,
        Area::Ns,
        Area::Storage,
        Area::Kubelet,
        Area::KubeProxy,
        Area::Vuln,
        Area::Image,
    ];

    /// Lower-case name: the id prefix, and the module folder (`kube-proxy`: `kube_proxy`).
    pub fn as_str(self) -> &'static str {
        match self {
            Area::Service => "service",
            Area::Node => "node",
            Area::Net => "net",
            Area::Access => "access",
            Area::Iam => "iam",
            Area::Ecr => "ecr",
            Area::Detect => "detect",
            Area::Cluster => "cluster",
            Area::Svc => "svc",
            Area::Rbac => "rbac",
            Area::Sa => "sa",
            Area::Pod => "pod",
            Area::Ns => "ns",
            Area::Storage => "storage",
            Area::Kubelet => "kubelet",
            Area::KubeProxy => "kube-proxy",
            Area::Vuln => "vuln",
            Area::Image => "image",
            Area::Risk => "risk",
        }
    }
}

/// How to fix a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Remediation {
    /// What to do, in a sentence or two.
    pub text: &'static str,
    /// An AWS CLI command, when one fixes it.
    pub cli: Option<&'static str>,
    /// A Terraform hint, when one applies.
    pub terraform: Option<&'static str>,
}

/// A check: metadata beside its pure evaluation function.
#[derive(Debug)]
pub struct Check {
    /// Stable kebab-case id, `<area>-<topic>`.
    pub id: &'static str,
    /// Former or alternative ids that still select this check.
    pub aliases: &'static [&'static str],
    /// The area, which is also the id prefix.
    pub area: Area,
    /// The secure condition, as a short sentence.
    pub title: &'static str,
    /// Severity of a failure.
    pub severity: Severity,
    /// Framework requirements this check evaluates.
    pub refs: &'static [Ref],
    /// The reads the evaluation depends on: AWS calls (IAM actions) and Kubernetes reads.
    pub needs: &'static [Need],
    /// Why it matters.
    pub rationale: &'static str,
    /// How to fix it.
    pub remediation: Remediation,
    /// Further reading.
    pub links: &'static [&'static str],
    /// The evaluation, of one cluster or of an account's settings in a region (evaluated once
    /// per region and shown with every cluster there). It returns at least one finding, or the
    /// data it missed, and never does I/O.
    pub eval: Eval,
}

/// A check's evaluation: what it is given decides what it can look at. A region check gets the
/// region's data and no cluster, so its verdict cannot depend on which cluster of the region
/// it was first evaluated for.
#[derive(Debug, Clone, Copy)]
pub enum Eval {
    /// Judges one cluster (with its region's and account's data).
    Cluster(fn(&Ctx<'_>) -> Evaluation),
    /// Judges an account's settings in one region.
    Region(fn(&RegionCtx<'_>) -> Evaluation),
}

/// What a check judges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// One cluster and its nodes.
    Cluster,
    /// An account's settings in a region, shared by its clusters.
    Region,
}

impl Check {
    /// What the check judges.
    pub fn scope(&self) -> Scope {
        match self.eval {
            Eval::Cluster(_) => Scope::Cluster,
            Eval::Region(_) => Scope::Region,
        }
    }

    /// Whether `name` is this check's id or one of its aliases.
    pub fn answers_to(&self, name: &str) -> bool {
        self.id == name || self.aliases.contains(&name)
    }

    /// References to one framework. CSF 2.0 references are derived from the CSF 1.1 ones.
    pub fn refs_for(&self, framework: Framework) -> Vec<Ref> {
        if framework == Framework::NistCsf2_0 {
            let mut ids: Vec<&'static str> = self
                .refs
                .iter()
                .filter(|r| r.framework == Framework::NistCsf1_1)
                .flat_map(|r| frameworks::csf_2_0_ids(r.id).iter().copied())
                .collect();
            ids.sort_unstable();
            ids.dedup();
            return ids.into_iter().map(|id| Ref { framework, id }).collect();
        }
        self.refs
            .iter()
            .filter(|r| r.framework == framework)
            .copied()
            .collect()
    }

    /// Every reference, the derived CSF 2.0 ones included, framework by framework.
    pub fn all_refs(&self) -> Vec<Ref> {
        Framework::ALL
            .into_iter()
            .flat_map(|f| self.refs_for(f))
            .collect()
    }

    /// The generated documentation page, relative to the repository root.
    pub fn docs_path(&self) -> String {
        format!("docs/checks/{}.md", self.id)
    }
}
