//! Builders for small inventories in check tests. The defaults describe a compliant cluster,
//! so each test changes only the field it is about.

pub(crate) mod image;
pub(crate) mod k8s;
pub(crate) mod kubelet;

use serde_json::json;

use crate::checks::Settings;
use crate::checks::{Check, Ctx, Finding, Status};
use crate::inventory::*;
pub use crate::inventory::{Collection, Read};

/// A successful read of `value` (a list becomes a complete collection where the field is one).
pub fn read<T, U: From<T>>(value: T) -> Read<U> {
    Read::Got(value.into())
}

/// Record `failure` as a part of `collection` that could not be read.
pub fn fail_part<T>(collection: &mut Read<Collection<T>>, failure: CollectError) {
    collection.data_mut().failed.push(failure);
}

pub const ACCOUNT: &str = "111122223333";
pub const REGION: &str = "eu-west-1";

/// A compliant control plane.
pub fn control_plane() -> EksCluster {
    EksCluster {
        name: "prod".into(),
        arn: format!("arn:aws:eks:{REGION}:{ACCOUNT}:cluster/prod"),
        version: Some("1.31".into()),
        status: Some("ACTIVE".into()),
        vpc: ClusterVpcConfig {
            vpc_id: Some("vpc-1".into()),
            subnet_ids: vec!["subnet-private".into()],
            security_group_ids: vec![],
            cluster_security_group_id: Some("sg-cluster".into()),
            endpoint_public_access: Some(false),
            endpoint_private_access: Some(true),
            public_access_cidrs: vec![],
        },
        logging: vec![LogSetup {
            types: [
                "api",
                "audit",
                "authenticator",
                "controllerManager",
                "scheduler",
            ]
            .map(String::from)
            .to_vec(),
            enabled: Some(true),
        }],
        encryption: vec![EncryptionConfig {
            resources: vec!["secrets".into()],
            key_arn: Some(key_arn()),
        }],
        oidc_issuer: Some(format!("https://oidc.eks.{REGION}.amazonaws.com/id/ABC123")),
        access_config: Some(AccessConfig {
            authentication_mode: Some("API".into()),
            bootstrap_cluster_creator_admin_permissions: Some(false),
        }),
        ..Default::default()
    }
}

/// The Secrets KMS key of [`control_plane`].
pub fn key_arn() -> String {
    format!("arn:aws:kms:{REGION}:{ACCOUNT}:key/1234")
}

/// The IAM OIDC provider ARN of [`control_plane`]'s issuer.
pub fn oidc_provider_arn() -> String {
    format!("arn:aws:iam::{ACCOUNT}:oidc-provider/oidc.eks.{REGION}.amazonaws.com/id/ABC123")
}

/// A cluster with a compliant control plane, its security group, and no nodes; every read made.
pub fn cluster() -> ClusterInventory {
    let mut inv = ClusterInventory::new("prod", REGION);
    inv.account_id = Some(ACCOUNT.into());
    inv.cluster = read(control_plane());
    inv.nodegroups = read(vec![]);
    inv.launch_templates = read(vec![]);
    inv.instances = read(vec![]);
    inv.subnets = read(vec![]);
    inv.route_tables = read(vec![]);
    inv.volumes = read(vec![]);
    inv.instance_profiles = read(vec![]);
    inv.roles = read(vec![]);
    inv.policies = read(vec![]);
    inv.images = read(vec![]);
    inv.security_groups
        .data_mut()
        .push(group("sg-cluster", vec![self_rule("sg-cluster")]));
    inv.updates = read(vec![]);
    inv.addons = read(vec![Addon {
        name: "vpc-cni".into(),
        configuration_values: Some(r#"{"enableNetworkPolicy": "true"}"#.into()),
        ..Default::default()
    }]);
    inv.access_entries = read(vec![]);
    inv.pod_identity_associations = read(vec![]);
    inv.fargate_profiles = read(vec![]);
    inv.secrets_key = read(KmsKey {
        arn: key_arn(),
        manager: Some("CUSTOMER".into()),
        state: Some("Enabled".into()),
        rotation_enabled: read(true),
    });
    inv.log_groups = read(vec![LogGroup {
        name: "/aws/eks/prod/cluster".into(),
        retention_days: Some(365),
        kms_key_id: Some(key_arn()),
    }]);
    inv.flow_logs = read(vec![FlowLog {
        id: "fl-1".into(),
        resource_id: Some("vpc-1".into()),
        status: Some("ACTIVE".into()),
        traffic_type: Some("ALL".into()),
        deliver_logs_status: Some("SUCCESS".into()),
        deliver_logs_error: None,
    }]);
    inv
}

/// An all-traffic ingress rule from the group itself.
pub fn self_rule(group: &str) -> IpPermission {
    IpPermission {
        protocol: "-1".into(),
        source_groups: vec![group.into()],
        ..Default::default()
    }
}

/// A compliant node: IMDSv2 with hop limit 1, private subnet, encrypted volume, minimal role.
pub fn node(id: &str) -> Instance {
    Instance {
        id: id.into(),
        state: Some("running".into()),
        private_ip: Some("10.0.1.10".into()),
        subnet_id: Some("subnet-private".into()),
        vpc_id: Some("vpc-1".into()),
        security_group_ids: vec!["sg-node".into()],
        iam_instance_profile_arn: Some(format!(
            "arn:aws:iam::{ACCOUNT}:instance-profile/node-profile"
        )),
        metadata_options: Some(MetadataOptions {
            http_tokens: Some("required".into()),
            http_put_response_hop_limit: Some(1),
            http_endpoint: Some("enabled".into()),
        }),
        volumes: vec![AttachedVolume {
            device_name: Some("/dev/xvda".into()),
            volume_id: format!("vol-{id}"),
        }],
        image_id: Some("ami-eks".into()),
        launch_time: Some("2026-11-18T12:00:00Z".parse().unwrap()),
        discovered_by: vec!["tag:eks:cluster-name".into()],
        ..Default::default()
    }
}

/// [`cluster`] plus compliant nodes and everything they reference.
pub fn cluster_with_nodes(ids: &[&str]) -> ClusterInventory {
    let mut inv = cluster();
    for id in ids {
        let node = node(id);
        inv.volumes.data_mut().push(Volume {
            id: node.volumes[0].volume_id.clone(),
            encrypted: Some(true),
            attached_to: vec![node.id.clone()],
            ..Default::default()
        });
        inv.instances.data_mut().push(node);
    }
    inv.security_groups
        .data_mut()
        .push(group("sg-node", vec![]));
    inv.images = read(vec![eks_image("ami-eks")]);
    inv.subnets.data_mut().push(Subnet {
        id: "subnet-private".into(),
        vpc_id: Some("vpc-1".into()),
        ..Default::default()
    });
    inv.route_tables.data_mut().push(RouteTable {
        id: "rtb-main".into(),
        vpc_id: Some("vpc-1".into()),
        main: true,
        subnet_ids: vec![],
        routes: vec![route("10.0.0.0/16", "local"), route("0.0.0.0/0", "nat-1")],
    });
    inv.instance_profiles.data_mut().push(InstanceProfile {
        arn: format!("arn:aws:iam::{ACCOUNT}:instance-profile/node-profile"),
        name: Some("node-profile".into()),
        roles: vec![node_role_arn()],
    });
    inv.roles.data_mut().push(IamRole {
        name: "node-role".into(),
        arn: node_role_arn(),
        trust_policy: None,
        attached_policies: Read::Got(
            [
                "AmazonEKSWorkerNodePolicy",
                "AmazonEC2ContainerRegistryReadOnly",
                "AmazonEKS_CNI_Policy",
            ]
            .iter()
            .map(|name| AttachedPolicy {
                arn: format!("arn:aws:iam::aws:policy/{name}"),
                name: Some(name.to_string()),
            })
            .collect(),
        ),
        inline_policies: read(vec![]),
    });
    inv
}

/// The node role's ARN in [`cluster_with_nodes`].
pub fn node_role_arn() -> String {
    format!("arn:aws:iam::{ACCOUNT}:role/node-role")
}

/// A route.
pub fn route(destination: &str, target: &str) -> Route {
    Route {
        destination: Some(destination.into()),
        target: Some(target.into()),
        state: Some("active".into()),
    }
}

/// A security group with these ingress rules.
pub fn group(id: &str, ingress: Vec<IpPermission>) -> SecurityGroup {
    SecurityGroup {
        id: id.into(),
        name: Some(format!("{id}-name")),
        vpc_id: Some("vpc-1".into()),
        owner_id: Some(ACCOUNT.into()),
        ingress,
        egress: vec![],
    }
}

/// An ingress rule.
pub fn ingress(protocol: &str, from: i32, to: i32, v4: &[&str], v6: &[&str]) -> IpPermission {
    IpPermission {
        protocol: protocol.into(),
        from_port: Some(from),
        to_port: Some(to),
        ipv4_ranges: v4.iter().map(|s| s.to_string()).collect(),
        ipv6_ranges: v6.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    }
}

/// An AccessDenied failure of `api` about `resources` (none: the whole cluster).
pub fn denied(api: &str, resources: &[&str]) -> CollectError {
    CollectError::new(
        api,
        resources.iter().map(|s| s.to_string()).collect(),
        ErrorKind::AccessDenied,
        format!("User: arn:aws:iam::{ACCOUNT}:user/scanner is not authorized to perform: {api}"),
    )
}

/// A launch template version referenced by a node group `ng` (added to the inventory).
pub fn add_launch_template(inv: &mut ClusterInventory, template: LaunchTemplateVersion) {
    inv.nodegroups.data_mut().push(Nodegroup {
        name: "ng".into(),
        launch_template: Some(LaunchTemplateRef {
            id: Some(template.id.clone()),
            name: template.name.clone(),
            version: Some(template.version.to_string()),
        }),
        ..Default::default()
    });
    inv.launch_templates.data_mut().push(template);
}

/// A compliant launch template version.
pub fn launch_template(id: &str) -> LaunchTemplateVersion {
    LaunchTemplateVersion {
        id: id.into(),
        name: Some(format!("{id}-name")),
        version: 3,
        metadata_options: Some(MetadataOptions {
            http_tokens: Some("required".into()),
            http_put_response_hop_limit: Some(1),
            http_endpoint: Some("enabled".into()),
        }),
        block_devices: vec![TemplateBlockDevice {
            device_name: Some("/dev/xvda".into()),
            ebs: true,
            encrypted: Some(true),
            kms_key_id: None,
        }],
        user_data: Read::Got(UserDataScan {
            present: true,
            ..UserDataScan::default()
        }),
        ..Default::default()
    }
}

/// Run `check` on `inv` with default thresholds.
pub fn run(check: &Check, inv: &ClusterInventory) -> Vec<Finding> {
    run_with(check, inv, &Settings::default())
}

/// Run `check` on `inv` with `thresholds`.
pub fn run_with(check: &Check, inv: &ClusterInventory, settings: &Settings) -> Vec<Finding> {
    run_full(check, inv, None, None, settings)
}

/// Run `check` with account-and-region and account data.
pub fn run_full(
    check: &Check,
    inv: &ClusterInventory,
    region: Option<&RegionInventory>,
    account: Option<&AccountInventory>,
    settings: &Settings,
) -> Vec<Finding> {
    let view = ClusterView::excluding_namespaces(inv, &settings.excluded_namespaces);
    let evaluation = Ctx {
        inventory: &view,
        region,
        account,
        settings,
        now: now(),
    }
    .evaluate(check);
    // As the evaluator reports it: what the check missed is one `error` finding.
    let findings = evaluation.unwrap_or_else(|missing| vec![Finding::missing(inv.arn(), &missing)]);
    assert!(!findings.is_empty(), "{} returned no findings", check.id);
    findings
}

/// Run `check` on the compliant [`cluster`] with the account data `account`.
pub fn run_with_account(check: &Check, account: &AccountInventory) -> Vec<Finding> {
    run_full(check, &cluster(), None, Some(account), &Settings::default())
}

/// The evaluation time of check tests.
pub fn now() -> jiff::Timestamp {
    "2026-11-23T12:00:00Z".parse().unwrap()
}

/// An EKS-optimized AMI.
pub fn eks_image(id: &str) -> Image {
    Image {
        id: id.into(),
        name: Some("amazon-eks-node-al2023-x86_64-standard-1.31-v20241115".into()),
        owner_id: Some("602401143452".into()),
        owner_alias: None,
        description: Some("EKS-optimized Kubernetes node based on Amazon Linux 2023".into()),
    }
}

/// An EventBridge pattern matching EKS API calls.
pub const EKS_PATTERN: &str = r#"{"source":["aws.eks"],"detail-type":["AWS API Call via CloudTrail"],"detail":{"eventName":["UpdateClusterConfig"]}}"#;

/// Account-and-region data with everything compliant.
pub fn region() -> RegionInventory {
    RegionInventory {
        account_id: Some(ACCOUNT.into()),
        region: REGION.into(),
        partition: "aws".into(),
        ebs_encryption_by_default: read(true),
        ecr_signing: read(vec![]),
        cluster_versions: read(vec![
            ClusterVersion {
                version: "1.31".into(),
                status: Some("STANDARD_SUPPORT".into()),
                ..Default::default()
            },
            ClusterVersion {
                version: "1.29".into(),
                status: Some("EXTENDED_SUPPORT".into()),
                ..Default::default()
            },
        ]),
        trails: read(vec![Trail {
            name: "org".into(),
            arn: Some(format!("arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/org")),
            home_region: Some(REGION.into()),
            multi_region: true,
            organization: false,
            log_file_validation: true,
            logging: read(true),
            management_events: None,
            selectors: read(TrailSelectors {
                basic: vec![BasicEventSelector {
                    read_write_type: Some("All".into()),
                    include_management_events: Some(true),
                    exclude_management_event_sources: vec![],
                }],
                advanced: vec![],
            }),
            kms_key_id: None,
        }]),
        guardduty: read(vec![GuardDutyDetector {
            id: "det-1".into(),
            status: Some("ENABLED".into()),
            features: [
                ("EKS_AUDIT_LOGS", "ENABLED"),
                ("RUNTIME_MONITORING", "ENABLED"),
                ("RUNTIME_MONITORING/EKS_ADDON_MANAGEMENT", "ENABLED"),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        }]),
        inspector: read(InspectorStatus {
            ec2: Some("ENABLED".into()),
            ecr: Some("ENABLED".into()),
        }),
        ecr_scanning: read(RegistryScanning {
            scan_type: Some("BASIC".into()),
            rules: vec![],
        }),
        ecr_repositories: read(vec![EcrRepository {
            name: "app".into(),
            arn: Some(format!("arn:aws:ecr:{REGION}:{ACCOUNT}:repository/app")),
            uri: None,
            scan_on_push: Some(true),
            tag_mutability: Some("IMMUTABLE".into()),
            tag_mutability_exclusions: read(vec![]),
            encryption_type: Some("KMS".into()),
            kms_key: Some(key_arn()),
            lifecycle_policy: read(Document::Present(serde_json::json!({"rules": []}))),
            repository_policy: read(Document::Absent),
        }]),
        event_rules: read(vec![EventRule {
            name: "eks-changes".into(),
            arn: Some(format!(
                "arn:aws:events:{REGION}:{ACCOUNT}:rule/eks-changes"
            )),
            state: Some("ENABLED".into()),
            event_pattern: Some(EKS_PATTERN.into()),
            targets: Read::Got(1),
        }]),
    }
}

/// Account IAM data with the cluster's OIDC provider and no roles.
pub fn account() -> AccountInventory {
    AccountInventory {
        account_id: Some(ACCOUNT.into()),
        oidc_providers: read(vec![oidc_provider_arn()]),
        roles: read(vec![]),
        role_permissions: read(vec![]),
        role_policies: read(vec![]),
    }
}

/// Run `check` on `inv` with compliant region and account data.
pub fn run_everywhere(check: &Check, inv: &ClusterInventory) -> Vec<Finding> {
    run_full(
        check,
        inv,
        Some(&region()),
        Some(&account()),
        &Settings::default(),
    )
}

/// The statuses of findings, in order.
pub fn statuses(findings: &[Finding]) -> Vec<Status> {
    findings.iter().map(|f| f.status).collect()
}

/// The single finding of a one-resource result.
pub fn only(findings: Vec<Finding>) -> Finding {
    assert_eq!(findings.len(), 1, "expected one finding, got {findings:#?}");
    findings.into_iter().next().unwrap()
}

/// The finding about `resource` (matched by suffix).
pub fn about<'a>(findings: &'a [Finding], resource_suffix: &str) -> &'a Finding {
    findings
        .iter()
        .find(|f| f.resource.ends_with(resource_suffix))
        .unwrap_or_else(|| panic!("no finding about {resource_suffix} in {findings:#?}"))
}

/// A JSON policy document allowing `actions`.
pub fn allow(actions: &[&str]) -> serde_json::Value {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]})
}
