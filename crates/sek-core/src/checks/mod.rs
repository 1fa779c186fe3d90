//! Checks: one file per check under `<area>/`, each a static [`Check`] holding its metadata and
//! its pure evaluation function. [`ALL`] is the registry: evaluation, `sek checks list`,
//! `sek checks show`, the generated docs and the permission list all read it.

pub mod access;
pub mod cluster;
pub mod detect;
pub mod ecr;
pub mod frameworks;
pub mod iam;
pub mod kubelet;
pub mod node;
pub mod ns;
pub mod pod;
pub mod rbac;
pub mod sa;
pub mod service;
mod settings;
mod shared;
pub mod svc;
#[cfg(test)]
pub(crate) mod testkit;

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::inventory::k8s::resources as k8s_resources;
use crate::inventory::{
    AccountInventory, ClusterView, EksCluster, Lookup, Missing, Need, RegionInventory, Why,
};
pub use frameworks::{Framework, Ref};
pub use settings::Settings;

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

/// The outcome of a check for one resource, or for the check as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Evaluated, compliant.
    Pass,
    /// Evaluated, not compliant.
    Fail,
    /// Could not be evaluated: data is missing (which API, which permission).
    Error,
    /// The thing the check is about does not exist here.
    NotApplicable,
    /// Needs human judgement; the finding says what to review.
    Manual,
    /// Turned off by the user.
    Skipped,
    /// Covered by a waiver.
    Waived,
}

impl Status {
    /// Every status, worst first.
    pub const ALL: [Status; 7] = [
        Status::Fail,
        Status::Error,
        Status::Manual,
        Status::Pass,
        Status::Waived,
        Status::NotApplicable,
        Status::Skipped,
    ];

    /// Order used to roll findings up into a check status: the highest rank wins.
    pub fn rank(self) -> u8 {
        match self {
            Status::Fail => 6,
            Status::Error => 5,
            Status::Manual => 4,
            Status::Pass => 3,
            Status::Waived => 2,
            Status::NotApplicable => 1,
            Status::Skipped => 0,
        }
    }

    /// Kebab-case name, as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Error => "error",
            Status::NotApplicable => "not-applicable",
            Status::Manual => "manual",
            Status::Skipped => "skipped",
            Status::Waived => "waived",
        }
    }

    /// The worst of several statuses (`None` for none).
    pub fn worst(statuses: impl IntoIterator<Item = Status>) -> Option<Status> {
        statuses.into_iter().max_by_key(|s| s.rank())
    }
}

impl fmt::Display for Status {
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
    /// The EKS control plane.
    Service,
    /// Worker nodes: instances, launch templates, their network and IAM.
    Node,
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
    /// How Services and Ingresses expose workloads.
    Svc,
    /// Kubernetes RBAC: who may do what.
    Rbac,
    /// Kubernetes service accounts and their tokens.
    Sa,
    /// How workloads' pods run: privileges, host access, images, secrets.
    Pod,
    /// Namespaces: isolation, network policies, Pod Security Admission.
    Ns,
    /// Each node's kubelet, from its effective configuration.
    Kubelet,
}

impl Area {
    /// Lower-case name: the id prefix and the module folder.
    pub fn as_str(self) -> &'static str {
        match self {
            Area::Service => "service",
            Area::Node => "node",
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
            Area::Kubelet => "kubelet",
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

/// Inputs of a check's evaluation for one cluster.
#[derive(Debug, Clone, Copy)]
pub struct Ctx<'a> {
    /// What was collected for the cluster, indexed.
    pub inventory: &'a ClusterView<'a>,
    /// The account-and-region data shared by the clusters of the region, if collected.
    pub region: Option<&'a RegionInventory>,
    /// The account's IAM data, if collected.
    pub account: Option<&'a AccountInventory>,
    /// Thresholds and allow-lists from `sek.toml`.
    pub settings: &'a Settings,
    /// The time the state was observed, for ages: when the snapshot was collected (so a snapshot
    /// gets the same verdicts whenever it is evaluated), else the evaluation time.
    pub now: jiff::Timestamp,
}

/// A pseudo-ARN naming an account's setting in a region, for findings that are not about a
/// resource: `arn:aws:ec2:eu-west-1:111122223333:ebs-encryption-by-default`.
pub fn setting_arn(region: &RegionInventory, service: &str, setting: &str) -> String {
    format!(
        "arn:{}:{service}:{}:{}:{setting}",
        region.partition,
        region.region,
        region.account_id.as_deref().unwrap_or("")
    )
}

impl<'a> Ctx<'a> {
    /// The account-and-region data, or why it is missing (the snapshot predates it).
    pub fn region_data(&self) -> Lookup<'a, RegionInventory> {
        self.region.ok_or_else(|| {
            let inv = self.inventory;
            let resource = format!(
                "arn:{}:eks:{}:{}:",
                inv.partition,
                inv.region,
                inv.account_id.as_deref().unwrap_or("")
            );
            Missing::new(
                "the account's settings in this region",
                &[],
                Why::NotCollected,
            )
            .with_fix("were not collected (the snapshot predates them); rescan live")
            .on(resource)
        })
    }

    /// The account's IAM data, or why it is missing (the snapshot predates it).
    pub fn account_data(&self) -> Lookup<'a, AccountInventory> {
        self.account.ok_or_else(|| {
            let inv = self.inventory;
            let resource = format!(
                "arn:{}:iam::{}:",
                inv.partition,
                inv.account_id.as_deref().unwrap_or("")
            );
            Missing::new("the account's IAM data", &[], Why::NotCollected)
                .with_fix("was not collected (the snapshot predates it); rescan live")
                .on(resource)
        })
    }

    /// A region-level setting: the region's data, the value `read` takes from it, and the
    /// pseudo-ARN `setting_arn(region, service, setting)` naming it in findings; or why it is
    /// missing, reported on that pseudo-ARN.
    pub fn region_setting<T: ?Sized>(
        &self,
        (service, setting): (&str, &str),
        read: impl FnOnce(&'a RegionInventory) -> Lookup<'a, T>,
    ) -> Result<(&'a RegionInventory, &'a T, String), Missing> {
        let region = self.region_data()?;
        let resource = setting_arn(region, service, setting);
        match read(region) {
            Ok(value) => Ok((region, value, resource)),
            Err(missing) => Err(missing.on(resource)),
        }
    }

    /// One finding about the control plane from `decide(cluster, cluster_arn)`, or why the
    /// control plane is missing.
    pub fn on_control_plane(
        &self,
        decide: impl FnOnce(&EksCluster, String) -> Finding,
    ) -> Evaluation {
        let cluster = self.inventory.control_plane()?;
        Ok(vec![decide(cluster, self.inventory.arn())])
    }
}

/// What a check's evaluation gives: its findings, or the data it needed and did not get (which
/// the report shows as one `error` finding naming the read to allow).
pub type Evaluation = Result<Vec<Finding>, Missing>;

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
    /// Whether it judges a cluster or an account's settings in a region (evaluated once per
    /// region and shown with every cluster there).
    pub scope: Scope,
    /// The evaluation. It returns at least one finding, or the data it missed, and never does
    /// I/O.
    pub eval: fn(&Ctx<'_>) -> Evaluation,
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

/// The result of a check for one resource.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Finding {
    /// The outcome.
    pub status: Status,
    /// The resource: an ARN, `k8s:<kind>/<namespace>/<name>` or `node:<name>`.
    pub resource: String,
    /// What is wrong and what to do, or why it passed, in one line.
    pub message: String,
    /// The values that decided the outcome.
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub evidence: Value,
    /// The waiver that turned a failure into `waived`, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiver: Option<WaiverNote>,
}

/// Why a finding is waived.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct WaiverNote {
    /// The waiver's reason.
    pub reason: String,
    /// Its last day, if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<jiff::civil::Date>,
    /// Where the waiver is written.
    pub location: String,
}

impl Finding {
    /// A finding with no evidence.
    pub fn new(status: Status, resource: impl Into<String>, message: impl Into<String>) -> Self {
        Finding {
            status,
            resource: resource.into(),
            message: message.into(),
            evidence: Value::Null,
            waiver: None,
        }
    }

    /// A passing finding.
    pub fn pass(resource: impl Into<String>, message: impl Into<String>) -> Self {
        Finding::new(Status::Pass, resource, message)
    }

    /// A failing finding.
    pub fn fail(resource: impl Into<String>, message: impl Into<String>) -> Self {
        Finding::new(Status::Fail, resource, message)
    }

    /// A finding that could not be evaluated.
    pub fn error(resource: impl Into<String>, message: impl Into<String>) -> Self {
        Finding::new(Status::Error, resource, message)
    }

    /// A finding about something that does not exist here.
    pub fn not_applicable(resource: impl Into<String>, message: impl Into<String>) -> Self {
        Finding::new(Status::NotApplicable, resource, message)
    }

    /// An `error` finding for data that was not read, naming the read to allow: on the
    /// resource `missing` names, else on `resource`.
    pub fn missing(resource: impl Into<String>, missing: &Missing) -> Self {
        let resource = missing.resource.clone().unwrap_or_else(|| resource.into());
        Finding::error(resource, missing.reason()).with_evidence(missing.evidence())
    }

    /// Attach evidence.
    pub fn with_evidence(mut self, evidence: Value) -> Self {
        self.evidence = evidence;
        self
    }
}

/// Every check, in report order.
pub static ALL: &[&Check] = &[
    &service::logging::CHECK,
    &service::secrets::CHECK,
    &service::endpoint::CHECK,
    &service::endpoint_firewall::CHECK,
    &service::sgs::CHECK,
    &node::imds::CHECK,
    &node::volumes::CHECK,
    &node::sgs::CHECK,
    &node::private::CHECK,
    &node::role::CHECK,
    &service::version::CHECK,
    &service::health::CHECK,
    &service::auth_mode::CHECK,
    &service::creator_admin::CHECK,
    &access::entries_admin::CHECK,
    &service::secrets_key::CHECK,
    &service::log_retention::CHECK,
    &service::network_policy::CHECK,
    &service::sg_baseline::CHECK,
    &iam::oidc_provider::CHECK,
    &iam::irsa_trust::CHECK,
    &node::ami::CHECK,
    &node::age::CHECK,
    &node::ssh::CHECK,
    &node::ebs_default::CHECK,
    &ecr::scan::CHECK,
    &ecr::immutable_tags::CHECK,
    &ecr::lifecycle::CHECK,
    &ecr::kms::CHECK,
    &ecr::policy::CHECK,
    &detect::cloudtrail::CHECK,
    &detect::guardduty::CHECK,
    &detect::inspector::CHECK,
    &detect::flow_logs::CHECK,
    &detect::eks_events::CHECK,
    &service::fargate::CHECK,
    &cluster::secrets_store::CHECK,
    &svc::lb_tls::CHECK,
    &rbac::cluster_admin::CHECK,
    &rbac::secrets::CHECK,
    &rbac::wildcards::CHECK,
    &rbac::create_pods::CHECK,
    &rbac::escalation::CHECK,
    &rbac::pv_create::CHECK,
    &rbac::node_proxy::CHECK,
    &rbac::webhooks::CHECK,
    &rbac::token_create::CHECK,
    &rbac::anonymous::CHECK,
    &rbac::system_masters::CHECK,
    &sa::default_used::CHECK,
    &sa::token_automount::CHECK,
    &sa::aws_node_irsa::CHECK,
    &pod::privileged::CHECK,
    &pod::host_pid::CHECK,
    &pod::host_ipc::CHECK,
    &pod::host_network::CHECK,
    &pod::privilege_escalation::CHECK,
    &pod::root::CHECK,
    &pod::capabilities::CHECK,
    &pod::host_path::CHECK,
    &pod::runtime_socket::CHECK,
    &pod::seccomp::CHECK,
    &pod::readonly_rootfs::CHECK,
    &pod::resources::CHECK,
    &pod::image_registry::CHECK,
    &pod::image_tag::CHECK,
    &pod::secrets_env::CHECK,
    &pod::imds_access::CHECK,
    &ns::network_policy::CHECK,
    &ns::default_used::CHECK,
    &ns::pod_security::CHECK,
    &cluster::policy_engine::CHECK,
    &kubelet::anonymous_auth::CHECK,
    &kubelet::authz_mode::CHECK,
    &kubelet::client_ca::CHECK,
    &kubelet::read_only_port::CHECK,
    &kubelet::streaming_timeout::CHECK,
    &kubelet::iptables_chains::CHECK,
    &kubelet::hostname_override::CHECK,
    &kubelet::event_qps::CHECK,
    &kubelet::rotate_certs::CHECK,
    &kubelet::server_cert_rotation::CHECK,
    &kubelet::protect_kernel_defaults::CHECK,
    &kubelet::files::CHECK,
];

/// The check with this id or alias.
pub fn find(name: &str) -> Option<&'static Check> {
    ALL.iter().copied().find(|c| c.answers_to(name))
}

/// The known id closest to an unknown `name`, for "did you mean" hints.
pub fn closest_id(name: &str) -> Option<&'static str> {
    ALL.iter()
        .flat_map(|c| std::iter::once(c.id).chain(c.aliases.iter().copied()))
        .map(|id| (strsim::levenshtein(name, id), id))
        .filter(|(distance, id)| *distance <= id.len().max(4) / 3 + 1)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, id)| find(id).map(|c| c.id).unwrap_or(id))
}

/// Calls the collector makes whatever checks run: the identity preflight, and the cluster list
/// used to suggest names when a cluster is not found.
pub const COLLECTOR_ACTIONS: &[&str] = &["sts:GetCallerIdentity", "eks:ListClusters"];

/// Every IAM action a scan uses: [`COLLECTOR_ACTIONS`] and each check's `needs`, sorted and
/// deduplicated. This is the minimal policy published in `docs/permissions.md`.
pub fn required_actions() -> Vec<&'static str> {
    let mut actions: Vec<&'static str> = COLLECTOR_ACTIONS
        .iter()
        .copied()
        .chain(
            ALL.iter()
                .flat_map(|c| c.needs.iter().filter_map(|need| need.aws_action())),
        )
        .collect();
    actions.sort_unstable();
    actions.dedup();
    actions
}

/// Every Kubernetes read a scan uses (`k8s:list:pods`...): the RBAC rules of the read-only
/// ClusterRole published in `docs/permissions.md`.
pub fn required_kubernetes_reads() -> Vec<&'static k8s_resources::Resource> {
    k8s_resources::RESOURCES
        .iter()
        .filter(|r| ALL.iter().any(|c| c.needs.contains(&Need::Kubernetes(r))))
        .collect()
}

/// The built-in exceptions of the Kubernetes checks, as a Markdown section.
pub fn built_in_exceptions() -> String {
    shared::k8s::exceptions_markdown()
}

#[cfg(test)]
mod registry_tests {
    //! Guards that replace reviewer memory: the registry stays consistent with the files, the
    //! catalogs and the metadata rules.

    use std::collections::BTreeSet;
    use std::path::Path;

    use super::*;

    #[test]
    fn ids_are_unique_kebab_case_and_prefixed_by_their_area() {
        let mut seen = BTreeSet::new();
        for check in ALL {
            for name in std::iter::once(check.id).chain(check.aliases.iter().copied()) {
                assert!(seen.insert(name), "{name} is used twice");
                assert!(
                    name.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                    "{name} is not kebab-case"
                );
            }
            assert!(
                check.id.starts_with(&format!("{}-", check.area.as_str())),
                "{} is not in area {:?}",
                check.id,
                check.area
            );
        }
    }

    #[test]
    fn every_check_file_is_registered() {
        let checks_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/checks");
        let mut defined = Vec::new();
        for area in std::fs::read_dir(&checks_dir)
            .unwrap()
            .flatten()
            .filter(|e| e.path().is_dir())
        {
            for file in std::fs::read_dir(area.path()).unwrap().flatten() {
                let text = std::fs::read_to_string(file.path()).unwrap();
                if text.contains("pub static CHECK: Check") {
                    let area_name = area.file_name().to_string_lossy().to_string();
                    let topic = file
                        .path()
                        .file_stem()
                        .unwrap()
                        .to_string_lossy()
                        .replace('_', "-");
                    defined.push(format!("{area_name}-{topic}"));
                }
            }
        }
        for id in &defined {
            assert!(
                find(id).is_some(),
                "src/checks defines {id} but ALL does not list it"
            );
        }
        assert_eq!(
            defined.len(),
            ALL.len(),
            "ALL lists a check without a file of its own name"
        );
    }

    #[test]
    fn every_reference_is_in_its_catalog_and_every_check_maps_to_nist() {
        for check in ALL {
            assert!(!check.refs.is_empty(), "{} has no references", check.id);
            for r in check.refs {
                assert!(
                    r.framework.requirement(r.id).is_some(),
                    "{}: {:?} {} is not in the catalog",
                    check.id,
                    r.framework,
                    r.id
                );
            }
            assert!(
                !check.refs_for(Framework::NistCsf1_1).is_empty(),
                "{} maps to no NIST CSF subcategory",
                check.id
            );
        }
    }

    #[test]
    fn metadata_is_complete_and_phrased_as_the_secure_condition() {
        for check in ALL {
            assert!(
                check.title.len() <= 80,
                "{}: title longer than 80 characters",
                check.id
            );
            assert!(
                !check.title.to_lowercase().starts_with("ensure"),
                "{}: say the secure condition, not 'Ensure'",
                check.id
            );
            assert!(
                !check.title.ends_with('.'),
                "{}: titles have no full stop",
                check.id
            );
            assert!(
                check.rationale.len() > 80,
                "{}: rationale too short",
                check.id
            );
            assert!(
                !check.remediation.text.is_empty(),
                "{}: no remediation",
                check.id
            );
            assert!(
                !check.needs.is_empty(),
                "{}: needs lists no permission",
                check.id
            );
            for need in check.needs {
                let Need::Aws(action) = need else {
                    if let Need::Kubernetes(resource) = need {
                        assert!(
                            k8s_resources::RESOURCES.contains(resource),
                            "{}: {need} is not a Kubernetes read sek makes",
                            check.id
                        );
                    }
                    continue;
                };
                let verb = action.split(':').nth(1).unwrap_or("");
                assert!(
                    ["Describe", "List", "Get", "BatchGet"]
                        .iter()
                        .any(|p| verb.starts_with(p)),
                    "{}: {need} is not a read",
                    check.id
                );
            }
        }
    }

    #[test]
    fn registry_snapshot() {
        let listing: Vec<String> = ALL
            .iter()
            .map(|c| {
                let refs: Vec<String> = c
                    .refs
                    .iter()
                    .map(|r| format!("{}:{}", r.framework.slug(), r.id))
                    .collect();
                format!("{} [{}] {} | {}", c.id, c.severity, c.title, refs.join(" "))
            })
            .collect();
        insta::assert_snapshot!(listing.join("\n"));
    }

    #[test]
    fn closest_id_suggests_near_misses_only() {
        assert_eq!(closest_id("node-imsd"), Some("node-imds"));
        assert_eq!(closest_id("service-security-group"), Some("service-sgs"));
        assert_eq!(closest_id("completely-unrelated"), None);
    }
}
