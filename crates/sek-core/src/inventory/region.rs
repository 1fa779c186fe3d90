//! Data kept once per account and region (and per account, for IAM), shared by every cluster
//! scanned there: detection services, registries, defaults, supported versions.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{ClusterVersion, CollectError};

/// A policy document that may not exist: `None` around it means it was not read.
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
    /// GetEbsEncryptionByDefault. `None` when it could not be read.
    #[serde(default)]
    pub ebs_encryption_by_default: Option<bool>,
    /// DescribeClusterVersions: every Kubernetes version EKS offers and its support status.
    #[serde(default)]
    pub cluster_versions: Option<Vec<ClusterVersion>>,
    /// CloudTrail trails visible from the region (shadow trails included), with their status.
    #[serde(default)]
    pub trails: Option<Vec<Trail>>,
    /// GuardDuty detectors.
    #[serde(default)]
    pub guardduty: Option<Vec<GuardDutyDetector>>,
    /// Amazon Inspector account status.
    #[serde(default)]
    pub inspector: Option<InspectorStatus>,
    /// ECR registry scanning configuration.
    #[serde(default)]
    pub ecr_scanning: Option<RegistryScanning>,
    /// ECR repositories with their settings and policies.
    #[serde(default)]
    pub ecr_repositories: Option<Vec<EcrRepository>>,
    /// EventBridge rules on the default bus, with their target counts.
    #[serde(default)]
    pub event_rules: Option<Vec<EventRule>>,
    /// Reads that failed.
    #[serde(default)]
    pub gaps: Vec<CollectError>,
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
    /// Whether it is recording (GetTrailStatus). `None` when unknown.
    #[serde(default)]
    pub logging: Option<bool>,
    /// Whether its event selectors record read and write management events. `None` when unknown.
    #[serde(default)]
    pub management_events: Option<bool>,
    /// KMS key for log files.
    #[serde(default)]
    pub kms_key_id: Option<String>,
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
    /// `AES256`, `KMS` or `KMS_DSSE`.
    #[serde(default)]
    pub encryption_type: Option<String>,
    /// KMS key, for KMS encryption.
    #[serde(default)]
    pub kms_key: Option<String>,
    /// The lifecycle policy (GetLifecyclePolicy). `None` when it could not be read.
    #[serde(default)]
    pub lifecycle_policy: Option<Document>,
    /// The repository policy (GetRepositoryPolicy). `None` when it could not be read.
    #[serde(default)]
    pub repository_policy: Option<Document>,
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
    /// Number of targets (ListTargetsByRule), read for rules that match EKS events. `None` when not read.
    #[serde(default)]
    pub targets: Option<usize>,
}

/// What sek saw of one account's IAM (global, so kept once per account).
#[derive(Serialize, Deserialize, Debug, Clone, Default)]
pub struct AccountInventory {
    /// Account.
    #[serde(default)]
    pub account_id: Option<String>,
    /// IAM OIDC identity provider ARNs (ListOpenIDConnectProviders).
    #[serde(default)]
    pub oidc_providers: Option<Vec<String>>,
    /// The roles whose trust policy names an OIDC provider (ListRoles, filtered by the collector),
    /// to find the roles pods can assume through IRSA.
    #[serde(default)]
    pub roles: Option<Vec<TrustedRole>>,
    /// Reads that failed.
    #[serde(default)]
    pub gaps: Vec<CollectError>,
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
