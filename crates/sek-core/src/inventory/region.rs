//! Data kept once per account and region (and per account, for IAM), shared by every cluster
//! scanned there: detection services, registries, defaults, supported versions.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::read::{accessors, failures_in, no_failures};
use super::{ClusterVersion, IamRole, Lookup, ManagedPolicy, Need, Read, SigningRule, aws};

/// A policy document that may not exist.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
#[serde(tag = "state", content = "document", rename_all = "kebab-case")]
pub enum Document {
    /// The resource has no such document.
    Absent,
    /// The document (decoded JSON, or the raw text when it is not JSON).
    Present(Value),
}

/// What sek saw of one account in one region.
#[derive(Serialize, Deserialize, Debug, Clone, Default)]
pub struct RegionInventory {
    /// Account.
    #[serde(default)]
    pub account_id: Option<String>,
    /// Region.
    pub region: String,
    /// Partition.
    #[serde(default = "super::default_partition")]
    pub partition: String,
    /// GetEbsEncryptionByDefault.
    #[serde(default, skip_serializing_if = "Read::is_not_collected")]
    pub ebs_encryption_by_default: Read<bool>,
    /// DescribeClusterVersions: every Kubernetes version EKS offers and its support status.
    #[serde(default, skip_serializing_if = "Read::is_not_collected")]
    pub cluster_versions: Read<Vec<ClusterVersion>>,
    /// CloudTrail trails visible from the region (shadow trails included), with their status.
    #[serde(default, skip_serializing_if = "Read::is_not_collected")]
    pub trails: Read<Vec<Trail>>,
    /// GuardDuty detectors (ListDetectors, then GetDetector for each).
    #[serde(default, skip_serializing_if = "Read::is_not_collected")]
    pub guardduty: Read<Vec<GuardDutyDetector>>,
    /// Amazon Inspector account status.
    #[serde(default, skip_serializing_if = "Read::is_not_collected")]
    pub inspector: Read<InspectorStatus>,
    /// ECR registry scanning configuration.
    #[serde(default, skip_serializing_if = "Read::is_not_collected")]
    pub ecr_scanning: Read<RegistryScanning>,
    /// ECR managed signing rules (GetSigningConfiguration; none configured: empty).
    #[serde(default, skip_serializing_if = "Read::is_not_collected")]
    pub ecr_signing: Read<Vec<SigningRule>>,
    /// ECR repositories with their settings and policies.
    #[serde(default, skip_serializing_if = "Read::is_not_collected")]
    pub ecr_repositories: Read<Vec<EcrRepository>>,
    /// EventBridge rules on the default bus, with their target counts.
    #[serde(default, skip_serializing_if = "Read::is_not_collected")]
    pub event_rules: Read<Vec<EventRule>>,
}

impl RegionInventory {
    accessors! {
        /// Whether new EBS volumes are encrypted by default.
        ebs_encryption_by_default: bool = "EBS encryption by default",
            [aws("ec2:GetEbsEncryptionByDefault")];
        /// The Kubernetes versions EKS offers.
        cluster_versions: Vec<ClusterVersion> = "the Kubernetes versions EKS supports",
            [aws("eks:DescribeClusterVersions")];
        /// The CloudTrail trails.
        trails: Vec<Trail> = "the CloudTrail trails", [aws("cloudtrail:DescribeTrails")];
        /// The GuardDuty detectors.
        guardduty: Vec<GuardDutyDetector> = "GuardDuty",
            [aws("guardduty:ListDetectors"), aws("guardduty:GetDetector")];
        /// Amazon Inspector's activation.
        inspector: InspectorStatus = "Amazon Inspector's status",
            [aws("inspector2:BatchGetAccountStatus")];
        /// The registry scanning configuration.
        ecr_scanning: RegistryScanning = "the ECR registry scanning configuration",
            [aws("ecr:GetRegistryScanningConfiguration")];
        /// The ECR managed signing rules.
        ecr_signing: Vec<SigningRule> = "the ECR signing configuration",
            [aws("ecr:GetSigningConfiguration")];
        /// The ECR repositories.
        ecr_repositories: Vec<EcrRepository> = "the ECR repositories",
            [aws("ecr:DescribeRepositories")];
        /// The EventBridge rules.
        event_rules: Vec<EventRule> = "the EventBridge rules", [aws("events:ListRules")];
    }
}

/// A CloudTrail trail.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct Trail {
    /// Trail name.
    pub name: String,
    /// Trail ARN.
    #[serde(default)]
    pub arn: Option<String>,
    /// The region the trail lives in.
    #[serde(default)]
    pub home_region: Option<String>,
    /// Whether it records every region.
    #[serde(default)]
    pub multi_region: bool,
    /// Whether it is an AWS Organizations trail.
    #[serde(default)]
    pub organization: bool,
    /// Whether log file integrity validation is on.
    #[serde(default)]
    pub log_file_validation: bool,
    /// Whether it is recording (GetTrailStatus).
    #[serde(default, skip_serializing_if = "Read::is_not_collected")]
    pub logging: Read<bool>,
    /// Whether its event selectors record management events, as snapshots before schema 2.1
    /// recorded it (read and write not told apart). Superseded by `selectors`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub management_events: Option<bool>,
    /// Its event selectors (GetEventSelectors).
    #[serde(default, skip_serializing_if = "Read::is_not_collected")]
    pub selectors: Read<TrailSelectors>,
    /// KMS key for log files.
    #[serde(default)]
    pub kms_key_id: Option<String>,
}

/// A trail's event selectors: basic or advanced (a trail has one kind or the other).
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct TrailSelectors {
    /// Basic event selectors.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub basic: Vec<BasicEventSelector>,
    /// Advanced event selectors.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub advanced: Vec<AdvancedEventSelector>,
}

/// A basic event selector.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct BasicEventSelector {
    /// `ReadOnly`, `WriteOnly` or `All` (the API's default when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_write_type: Option<String>,
    /// Whether management events are recorded (the API's default when absent: yes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_management_events: Option<bool>,
    /// Event sources whose management events are not recorded (`kms.amazonaws.com`...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude_management_event_sources: Vec<String>,
}

/// An advanced event selector: events matching every one of its field conditions are recorded.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct AdvancedEventSelector {
    /// Its name, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Its field conditions.
    #[serde(default)]
    pub fields: Vec<FieldCondition>,
}

/// One field condition of an advanced event selector.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct FieldCondition {
    /// The field: `eventCategory`, `readOnly`, `eventSource`, `eventName`...
    pub field: String,
    /// Values the field must equal (one of).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub equals: Vec<String>,
    /// Values the field must not equal.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_equals: Vec<String>,
    /// Prefixes the field must start with (one of).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub starts_with: Vec<String>,
    /// Prefixes the field must not start with.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_starts_with: Vec<String>,
    /// Suffixes the field must end with (one of).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ends_with: Vec<String>,
    /// Suffixes the field must not end with.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_ends_with: Vec<String>,
}

/// A GuardDuty detector (GetDetector).
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct GuardDutyDetector {
    /// Detector id.
    pub id: String,
    /// `ENABLED` or `DISABLED`.
    #[serde(default)]
    pub status: Option<String>,
    /// Protection plans: name -> status (`EKS_AUDIT_LOGS`, `EKS_RUNTIME_MONITORING`,
    /// `RUNTIME_MONITORING`, and `<feature>/<additional>` entries such as
    /// `RUNTIME_MONITORING/EKS_ADDON_MANAGEMENT`).
    #[serde(default)]
    pub features: std::collections::BTreeMap<String, String>,
}

/// Amazon Inspector's activation for the account (BatchGetAccountStatus).
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct InspectorStatus {
    /// EC2 scanning state: `ENABLED`, `DISABLED`, ...
    #[serde(default)]
    pub ec2: Option<String>,
    /// ECR scanning state.
    #[serde(default)]
    pub ecr: Option<String>,
}

/// ECR registry scanning (GetRegistryScanningConfiguration).
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct RegistryScanning {
    /// `BASIC` or `ENHANCED` (Amazon Inspector).
    #[serde(default)]
    pub scan_type: Option<String>,
    /// Rules: frequency and repository filters (`*` for all).
    #[serde(default)]
    pub rules: Vec<ScanningRule>,
}

/// One registry scanning rule.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct ScanningRule {
    /// `SCAN_ON_PUSH`, `CONTINUOUS_SCAN`, `MANUAL`.
    #[serde(default)]
    pub frequency: Option<String>,
    /// Repository name filters (wildcards allowed).
    #[serde(default)]
    pub filters: Vec<String>,
}

/// An ECR repository.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct EcrRepository {
    /// Repository name.
    pub name: String,
    /// Repository ARN.
    #[serde(default)]
    pub arn: Option<String>,
    /// Repository URI.
    #[serde(default)]
    pub uri: Option<String>,
    /// Basic scan on push.
    #[serde(default)]
    pub scan_on_push: Option<bool>,
    /// `MUTABLE`, `IMMUTABLE`, `IMMUTABLE_WITH_EXCLUSION`, `MUTABLE_WITH_EXCLUSION`.
    #[serde(default)]
    pub tag_mutability: Option<String>,
    /// The tag filters exempted from `tag_mutability` (wildcard patterns). Not collected in
    /// snapshots from before sek read them.
    #[serde(default, skip_serializing_if = "Read::is_not_collected")]
    pub tag_mutability_exclusions: Read<Vec<String>>,
    /// `AES256`, `KMS` or `KMS_DSSE`.
    #[serde(default)]
    pub encryption_type: Option<String>,
    /// KMS key, for KMS encryption.
    #[serde(default)]
    pub kms_key: Option<String>,
    /// The lifecycle policy (GetLifecyclePolicy).
    #[serde(default, skip_serializing_if = "Read::is_not_collected")]
    pub lifecycle_policy: Read<Document>,
    /// The repository policy (GetRepositoryPolicy).
    #[serde(default, skip_serializing_if = "Read::is_not_collected")]
    pub repository_policy: Read<Document>,
}

/// An EventBridge rule.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct EventRule {
    /// Rule name.
    pub name: String,
    /// Rule ARN.
    #[serde(default)]
    pub arn: Option<String>,
    /// `ENABLED` or `DISABLED`.
    #[serde(default)]
    pub state: Option<String>,
    /// The event pattern (JSON text), for pattern rules.
    #[serde(default)]
    pub event_pattern: Option<String>,
    /// Number of targets (ListTargetsByRule), read for rules that match EKS events.
    #[serde(default, skip_serializing_if = "Read::is_not_collected")]
    pub targets: Read<usize>,
}

impl EventRule {
    /// Whether the rule runs: `ENABLED`, or `ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS`
    /// (enabled, and also matching read-only management events delivered by CloudTrail), per the
    /// EventBridge API reference (<https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_Rule.html>).
    pub fn is_enabled(&self) -> bool {
        matches!(
            self.state.as_deref(),
            Some("ENABLED" | "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS")
        )
    }

    /// Whether the rule's pattern matches EKS events: `source` includes `aws.eks`, or a
    /// CloudTrail pattern's `detail.eventSource` includes `eks.amazonaws.com`.
    pub fn matches_eks_events(&self) -> bool {
        self.event_pattern.as_deref().is_some_and(matches_eks)
    }
}

/// Whether an event pattern (JSON text) matches EKS events.
pub fn matches_eks(pattern: &str) -> bool {
    use serde_json::Value;
    let Ok(pattern) = serde_json::from_str::<Value>(pattern) else {
        return false;
    };
    let contains = |value: Option<&Value>, wanted: &str| match value {
        Some(Value::Array(items)) => items.iter().any(|i| i.as_str() == Some(wanted)),
        Some(Value::String(s)) => s == wanted,
        _ => false,
    };
    contains(pattern.get("source"), "aws.eks")
        || contains(pattern.pointer("/detail/eventSource"), "eks.amazonaws.com")
}

/// What sek saw of one account's IAM (global, so kept once per account).
#[derive(Serialize, Deserialize, Debug, Clone, Default)]
pub struct AccountInventory {
    /// Account.
    #[serde(default)]
    pub account_id: Option<String>,
    /// IAM OIDC identity provider ARNs (ListOpenIDConnectProviders).
    #[serde(default, skip_serializing_if = "Read::is_not_collected")]
    pub oidc_providers: Read<Vec<String>>,
    /// The roles whose trust policy names an OIDC provider or the Pod Identity principal
    /// (ListRoles, filtered by the collector): the roles pods can assume, through IRSA or Pod
    /// Identity.
    #[serde(default, skip_serializing_if = "Read::is_not_collected")]
    pub roles: Read<Vec<TrustedRole>>,
    /// The attached and inline policies of those roles (ListAttachedRolePolicies,
    /// ListRolePolicies, GetRolePolicy): what a pod that assumes one may do.
    #[serde(default, skip_serializing_if = "Read::is_not_collected")]
    pub role_permissions: Read<Vec<IamRole>>,
    /// The managed policies those roles attach, with their default version's document.
    #[serde(default, skip_serializing_if = "Read::is_not_collected")]
    pub role_policies: Read<Vec<ManagedPolicy>>,
}

impl AccountInventory {
    accessors! {
        /// The IAM OIDC identity providers.
        oidc_providers: Vec<String> = "the IAM OIDC identity providers",
            [aws("iam:ListOpenIDConnectProviders")];
        /// The roles that trust an OIDC provider.
        roles: Vec<TrustedRole> = "the IAM roles", [aws("iam:ListRoles")];
        /// The policies of the roles that trust an OIDC provider.
        role_permissions: Vec<IamRole> = "the policies of the roles pods assume",
            [aws("iam:ListAttachedRolePolicies"), aws("iam:ListRolePolicies")];
        /// The managed policies those roles attach.
        role_policies: Vec<ManagedPolicy> = "the managed policies of the roles pods assume",
            [aws("iam:GetPolicy"), aws("iam:GetPolicyVersion")];
    }
}

/// A role and who may assume it.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct TrustedRole {
    /// Role name.
    pub name: String,
    /// Role ARN.
    pub arn: String,
    /// The trust policy (decoded JSON).
    #[serde(default)]
    pub trust_policy: Option<Value>,
    /// Creation time.
    #[serde(default)]
    pub created_at: Option<Timestamp>,
}

no_failures!(
    TrailSelectors,
    GuardDutyDetector,
    InspectorStatus,
    RegistryScanning,
    Document,
    TrustedRole,
    super::SigningRule,
    super::Signature,
    super::Vulnerabilities,
);
failures_in!(super::EcrImage: vulnerabilities, signatures);
failures_in!(super::NodeScan: vulnerabilities);
failures_in!(Trail: logging, selectors);
failures_in!(EcrRepository: tag_mutability_exclusions, lifecycle_policy, repository_policy);
failures_in!(EventRule: targets);
failures_in!(
    RegionInventory: ebs_encryption_by_default,
    cluster_versions,
    trails,
    guardduty,
    inspector,
    ecr_scanning,
    ecr_signing,
    ecr_repositories,
    event_rules,
);
failures_in!(AccountInventory: oidc_providers, roles, role_permissions, role_policies);

impl Trail {
    /// Whether it is recording, or why that is unknown.
    pub fn is_logging(&self) -> Lookup<'_, bool> {
        const NEEDS: &[Need] = &[aws("cloudtrail:GetTrailStatus")];
        self.logging
            .get(&format!("the status of trail {}", self.name), NEEDS)
    }

    /// Its event selectors, or why they are unknown.
    pub fn event_selectors(&self) -> Lookup<'_, TrailSelectors> {
        const NEEDS: &[Need] = &[aws("cloudtrail:GetEventSelectors")];
        self.selectors.get(
            &format!("the event selectors of trail {}", self.name),
            NEEDS,
        )
    }
}

impl EcrRepository {
    /// Its lifecycle policy, or why it is unknown.
    pub fn lifecycle(&self) -> Lookup<'_, Document> {
        const NEEDS: &[Need] = &[aws("ecr:GetLifecyclePolicy")];
        self.lifecycle_policy
            .get(&format!("the lifecycle policy of {}", self.name), NEEDS)
    }

    /// Its repository policy, or why it is unknown.
    pub fn policy(&self) -> Lookup<'_, Document> {
        const NEEDS: &[Need] = &[aws("ecr:GetRepositoryPolicy")];
        self.repository_policy
            .get(&format!("the repository policy of {}", self.name), NEEDS)
    }

    /// The tags exempted from its tag mutability setting, or why they are unknown.
    pub fn mutability_exclusions(&self) -> Lookup<'_, Vec<String>> {
        const NEEDS: &[Need] = &[aws("ecr:DescribeRepositories")];
        self.tag_mutability_exclusions.get(
            &format!("the tag mutability exclusions of {}", self.name),
            NEEDS,
        )
    }
}

impl EventRule {
    /// How many targets it has, or why that is unknown.
    pub fn target_count(&self) -> Lookup<'_, usize> {
        const NEEDS: &[Need] = &[aws("events:ListTargetsByRule")];
        self.targets
            .get(&format!("the targets of rule {}", self.name), NEEDS)
    }
}
