//! The typed model of everything checks may read. It is also the snapshot format:
//! `sek collect -o snap.json` writes it, `sek scan --snapshot snap.json` reads it back.
//!
//! Collection failures are data ([`CollectError`] in [`ClusterInventory::gaps`]); the lookup
//! methods on [`ClusterInventory`] return [`Missing`] with the failed API when something the
//! checks need was not collected, so a check can say `error` instead of a false `pass`.

mod ec2;
mod eks;
mod fleet;
mod gaps;
mod iam;
pub mod k8s;
mod region;

use std::collections::{BTreeMap, HashMap};
use std::ops::Deref;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

pub use ec2::*;
pub use eks::*;
pub use fleet::*;
pub use gaps::*;
pub use iam::*;
pub use region::*;

/// The snapshot schema this build reads and writes.
pub const SCHEMA_VERSION: u32 = 2;

/// Everything collected in one run.
#[derive(Serialize, Deserialize, Debug, Clone, Default)]
pub struct Inventory {
    /// Snapshot schema version ([`SCHEMA_VERSION`]).
    pub schema_version: u32,
    /// Where and when this was collected.
    #[serde(default)]
    pub meta: Meta,
    /// One entry per scanned cluster.
    #[serde(default)]
    pub clusters: Vec<ClusterInventory>,
    /// Account-and-region data shared by the clusters there.
    #[serde(default)]
    pub regions: Vec<RegionInventory>,
    /// Account data (IAM) shared by every region of the account.
    #[serde(default)]
    pub accounts: Vec<AccountInventory>,
    /// Accounts, regions and clusters a fleet scan was asked for but could not read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_scanned: Vec<NotScanned>,
}

/// Provenance of an inventory.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq, schemars::JsonSchema)]
pub struct Meta {
    /// The sek version that collected it.
    #[serde(default)]
    pub sek_version: Option<String>,
    /// When collection finished.
    #[serde(default)]
    pub collected_at: Option<Timestamp>,
    /// The identity that collected it (STS GetCallerIdentity ARN).
    #[serde(default)]
    pub caller_arn: Option<String>,
    /// Number of API requests collection made (pages counted separately).
    #[serde(default)]
    pub api_calls: Option<u64>,
    /// The same requests by API, in IAM action form.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub api_calls_by_action: BTreeMap<String, u64>,
    /// Wall time of collection in milliseconds.
    #[serde(default)]
    pub duration_ms: Option<u64>,
}

/// What sek saw of one cluster.
#[derive(Serialize, Deserialize, Debug, Clone, Default)]
pub struct ClusterInventory {
    /// Cluster name.
    pub name: String,
    /// AWS region.
    pub region: String,
    /// AWS account id.
    #[serde(default)]
    pub account_id: Option<String>,
    /// AWS partition (`aws`, `aws-cn`, `aws-us-gov`).
    #[serde(default = "default_partition")]
    pub partition: String,
    /// The control plane. `None` when DescribeCluster failed (see `gaps`).
    #[serde(default)]
    pub cluster: Option<EksCluster>,
    /// Managed node groups.
    #[serde(default)]
    pub nodegroups: Vec<Nodegroup>,
    /// Launch template versions used by node groups.
    #[serde(default)]
    pub launch_templates: Vec<LaunchTemplateVersion>,
    /// Worker node instances (managed and self-managed).
    #[serde(default)]
    pub instances: Vec<Instance>,
    /// Security groups of the control plane and the nodes.
    #[serde(default)]
    pub security_groups: Vec<SecurityGroup>,
    /// The nodes' subnets.
    #[serde(default)]
    pub subnets: Vec<Subnet>,
    /// Route tables of the nodes' subnets (explicitly associated, and the VPCs' main tables).
    #[serde(default)]
    pub route_tables: Vec<RouteTable>,
    /// EBS volumes attached to the nodes.
    #[serde(default)]
    pub volumes: Vec<Volume>,
    /// The nodes' instance profiles.
    #[serde(default)]
    pub instance_profiles: Vec<InstanceProfile>,
    /// Node roles (from instance profiles and node groups).
    #[serde(default)]
    pub roles: Vec<IamRole>,
    /// Managed policies attached to those roles.
    #[serde(default)]
    pub policies: Vec<ManagedPolicy>,
    /// The AMIs of the nodes and launch templates.
    #[serde(default)]
    pub images: Option<Vec<Image>>,
    /// Recent control plane and node group updates. `None` when not read.
    #[serde(default)]
    pub updates: Option<Vec<ClusterUpdate>>,
    /// EKS add-ons. `None` when not read.
    #[serde(default)]
    pub addons: Option<Vec<Addon>>,
    /// Access entries. `None` when not read.
    #[serde(default)]
    pub access_entries: Option<Vec<AccessEntry>>,
    /// Pod Identity associations. `None` when not read.
    #[serde(default)]
    pub pod_identity_associations: Option<Vec<PodIdentityAssociation>>,
    /// Fargate profiles. `None` when not read.
    #[serde(default)]
    pub fargate_profiles: Option<Vec<FargateProfile>>,
    /// The Secrets encryption key. `None` when there is none or it could not be read.
    #[serde(default)]
    pub secrets_key: Option<KmsKey>,
    /// Log groups named `/aws/eks/<cluster>/cluster` or below. `None` when not read.
    #[serde(default)]
    pub log_groups: Option<Vec<LogGroup>>,
    /// Flow logs of the cluster VPC. `None` when not read.
    #[serde(default)]
    pub flow_logs: Option<Vec<FlowLog>>,
    /// The Kubernetes side (RBAC, workloads, namespaces...). `None` when it was not read: no
    /// kubeconfig context, or a snapshot from before it was collected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kubernetes: Option<k8s::KubernetesInventory>,
    /// Reads that failed.
    #[serde(default)]
    pub gaps: Vec<CollectError>,
}

pub(crate) fn default_partition() -> String {
    "aws".to_string()
}

/// Something a check needed that is not in the inventory, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Missing<'a> {
    /// What was looked for, e.g. `volume vol-123`.
    pub what: String,
    /// The API that reads it, in IAM action form.
    pub api: &'static str,
    /// The recorded failure, when there is one.
    pub cause: Option<&'a CollectError>,
}

impl Missing<'_> {
    /// A sentence for an `error` finding.
    pub fn reason(&self) -> String {
        match self.cause {
            Some(err) => format!(
                "{} could not be read: {} failed ({}): {}",
                self.what,
                err.api,
                err.kind.label(),
                err.message
            ),
            None => format!(
                "{} is not in the inventory (read with {}); rescan, or check that it still exists",
                self.what, self.api
            ),
        }
    }
}

/// The result of looking a resource up.
pub type Lookup<'a, T> = Result<&'a T, Missing<'a>>;

/// Positions of resources by id.
#[derive(Debug, Default)]
struct Index {
    security_groups: HashMap<String, usize>,
    subnets: HashMap<String, usize>,
    volumes: HashMap<String, usize>,
    instance_profiles: HashMap<String, usize>,
    roles: HashMap<String, usize>,
    policies: HashMap<String, usize>,
    route_table_by_subnet: HashMap<String, usize>,
    main_route_table_by_vpc: HashMap<String, usize>,
}

fn positions<T>(items: &[T], key: impl Fn(&T) -> &str) -> HashMap<String, usize> {
    items
        .iter()
        .enumerate()
        .map(|(i, item)| (key(item).to_string(), i))
        .collect()
}

impl Index {
    fn build(inv: &ClusterInventory) -> Index {
        let mut route_table_by_subnet = HashMap::new();
        let mut main_route_table_by_vpc = HashMap::new();
        for (i, table) in inv.route_tables.iter().enumerate() {
            for subnet in &table.subnet_ids {
                route_table_by_subnet.insert(subnet.clone(), i);
            }
            if let (true, Some(vpc)) = (table.main, &table.vpc_id) {
                main_route_table_by_vpc.insert(vpc.clone(), i);
            }
        }
        Index {
            security_groups: positions(&inv.security_groups, |g| &g.id),
            subnets: positions(&inv.subnets, |s| &s.id),
            volumes: positions(&inv.volumes, |v| &v.id),
            instance_profiles: positions(&inv.instance_profiles, |p| &p.arn),
            roles: positions(&inv.roles, |r| &r.arn),
            policies: positions(&inv.policies, |p| &p.arn),
            route_table_by_subnet,
            main_route_table_by_vpc,
        }
    }
}

impl ClusterInventory {
    /// An empty inventory for `name` in `region`.
    pub fn new(name: impl Into<String>, region: impl Into<String>) -> Self {
        ClusterInventory {
            name: name.into(),
            region: region.into(),
            partition: default_partition(),
            ..Default::default()
        }
    }

    /// The cluster ARN: from DescribeCluster, else built from name, region and account.
    pub fn arn(&self) -> String {
        match &self.cluster {
            Some(cluster) if !cluster.arn.is_empty() => cluster.arn.clone(),
            _ => self.resource_arn("eks", &format!("cluster/{}", self.name)),
        }
    }

    /// `arn:<partition>:<service>:<region>:<account>:<resource>`.
    pub fn resource_arn(&self, service: &str, resource: &str) -> String {
        format!(
            "arn:{}:{}:{}:{}:{}",
            self.partition,
            service,
            self.region,
            self.account_id.as_deref().unwrap_or(""),
            resource
        )
    }

    /// ARN of an EC2 resource, e.g. `ec2_arn("instance", "i-0abc")`.
    pub fn ec2_arn(&self, kind: &str, id: &str) -> String {
        self.resource_arn("ec2", &format!("{kind}/{id}"))
    }

    /// The first recorded failure of `api` that concerns `resource`.
    pub fn gap(&self, api: &str, resource: &str) -> Option<&CollectError> {
        self.gaps
            .iter()
            .find(|g| g.api == api && g.covers(resource))
    }

    /// The control plane, or why it is missing.
    pub fn control_plane(&self) -> Lookup<'_, EksCluster> {
        self.cluster.as_ref().ok_or_else(|| Missing {
            what: format!("cluster {}", self.name),
            api: "eks:DescribeCluster",
            cause: self.gap("eks:DescribeCluster", &self.name),
        })
    }
}

/// A cluster inventory with its resources indexed by id, built once per evaluation. Checks
/// read the inventory through this view; it dereferences to [`ClusterInventory`].
#[derive(Debug)]
pub struct ClusterView<'a> {
    inventory: &'a ClusterInventory,
    index: Index,
    kubernetes: Option<k8s::KubernetesView<'a>>,
}

impl Deref for ClusterView<'_> {
    type Target = ClusterInventory;

    fn deref(&self) -> &ClusterInventory {
        self.inventory
    }
}

impl<'v> ClusterView<'v> {
    /// Index `inventory`.
    pub fn new(inventory: &'v ClusterInventory) -> Self {
        ClusterView::excluding_namespaces(inventory, &[])
    }

    /// Index `inventory`, leaving the Kubernetes objects of namespaces matching
    /// `excluded_namespaces` (globs) out of evaluation.
    pub fn excluding_namespaces(
        inventory: &'v ClusterInventory,
        excluded_namespaces: &[String],
    ) -> Self {
        ClusterView {
            inventory,
            index: Index::build(inventory),
            kubernetes: inventory
                .kubernetes
                .as_ref()
                .map(|k8s| k8s::KubernetesView::new(k8s, excluded_namespaces)),
        }
    }

    /// The Kubernetes side, indexed; `None` when it was not read.
    pub fn kubernetes(&self) -> Option<&k8s::KubernetesView<'v>> {
        self.kubernetes.as_ref()
    }

    fn lookup<'a, T>(
        &'a self,
        items: &'a [T],
        positions: &HashMap<String, usize>,
        kind: &str,
        api: &'static str,
        id: &str,
    ) -> Lookup<'a, T> {
        positions
            .get(id)
            .map(|&i| &items[i])
            .ok_or_else(|| Missing {
                what: format!("{kind} {id}"),
                api,
                cause: self.gap(api, id),
            })
    }

    /// A security group by id.
    pub fn security_group(&self, id: &str) -> Lookup<'_, SecurityGroup> {
        let index = &&self.index.security_groups;
        self.lookup(
            &self.security_groups,
            index,
            "security group",
            "ec2:DescribeSecurityGroups",
            id,
        )
    }

    /// A subnet by id.
    pub fn subnet(&self, id: &str) -> Lookup<'_, Subnet> {
        let index = &&self.index.subnets;
        self.lookup(&self.subnets, index, "subnet", "ec2:DescribeSubnets", id)
    }

    /// A volume by id.
    pub fn volume(&self, id: &str) -> Lookup<'_, Volume> {
        let index = &&self.index.volumes;
        self.lookup(&self.volumes, index, "volume", "ec2:DescribeVolumes", id)
    }

    /// An instance profile by ARN.
    pub fn instance_profile(&self, arn: &str) -> Lookup<'_, InstanceProfile> {
        let index = &&self.index.instance_profiles;
        let lookup = self.lookup(
            &self.instance_profiles,
            index,
            "instance profile",
            "iam:GetInstanceProfile",
            arn,
        );
        // Failures are recorded by profile name (the API's parameter), lookups are by ARN.
        lookup.map_err(|mut missing| {
            missing.cause = missing
                .cause
                .or_else(|| self.gap("iam:GetInstanceProfile", last_segment(arn)));
            missing
        })
    }

    /// A role by ARN.
    pub fn role(&self, arn: &str) -> Lookup<'_, IamRole> {
        let index = &&self.index.roles;
        let api = "iam:ListAttachedRolePolicies";
        let lookup = self.lookup(&self.roles, index, "role", api, arn);
        // Failures are recorded by role name (the API's parameter), lookups are by ARN.
        lookup.map_err(|mut missing| {
            missing.cause = missing.cause.or_else(|| self.gap(api, last_segment(arn)));
            missing
        })
    }

    /// A managed policy by ARN.
    pub fn managed_policy(&self, arn: &str) -> Lookup<'_, ManagedPolicy> {
        let index = &&self.index.policies;
        self.lookup(&self.policies, index, "policy", "iam:GetPolicy", arn)
    }

    /// The route table that routes `subnet`: its explicit association, else the VPC's main table.
    pub fn route_table_for(&self, subnet: &Subnet) -> Lookup<'_, RouteTable> {
        let index = &self.index;
        let position = index.route_table_by_subnet.get(&subnet.id).or_else(|| {
            subnet
                .vpc_id
                .as_ref()
                .and_then(|vpc| index.main_route_table_by_vpc.get(vpc))
        });
        position
            .map(|&i| &self.route_tables[i])
            .ok_or_else(|| Missing {
                what: format!("route table of subnet {}", subnet.id),
                api: "ec2:DescribeRouteTables",
                cause: self.gap("ec2:DescribeRouteTables", &subnet.id),
            })
    }
}

/// The part after the last `/`: the name in a role or instance profile ARN.
pub fn last_segment(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

/// A snapshot that could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// Not JSON, or JSON of the wrong shape; `path` says where.
    #[error("{path}: {source}")]
    Malformed {
        /// JSON path of the offending value (`.` when the document itself is bad).
        path: String,
        /// What was wrong there.
        source: serde_json::Error,
    },
    /// Valid JSON without a schema version.
    #[error("no `schema_version` field: this is not a sek snapshot{hint}")]
    NotASnapshot {
        /// A guess at what the file is instead.
        hint: &'static str,
    },
    /// Written by a newer sek.
    #[error(
        "snapshot schema version {found} is newer than this sek supports ({supported}); upgrade sek"
    )]
    TooNew {
        /// The snapshot's version.
        found: u32,
        /// [`SCHEMA_VERSION`].
        supported: u32,
    },
}

impl Inventory {
    /// An empty inventory of the current schema.
    pub fn new(meta: Meta) -> Self {
        Inventory {
            schema_version: SCHEMA_VERSION,
            meta,
            clusters: Vec::new(),
            regions: Vec::new(),
            accounts: Vec::new(),
            not_scanned: Vec::new(),
        }
    }

    /// The account-and-region data of `cluster`, if collected.
    pub fn region_of(&self, cluster: &ClusterInventory) -> Option<&RegionInventory> {
        self.regions
            .iter()
            .find(|r| r.region == cluster.region && r.account_id == cluster.account_id)
    }

    /// The account data of `cluster`, if collected.
    pub fn account_of(&self, cluster: &ClusterInventory) -> Option<&AccountInventory> {
        self.accounts
            .iter()
            .find(|a| a.account_id == cluster.account_id)
    }

    /// Parse a snapshot, with errors that point at the offending field.
    pub fn from_json(text: &str) -> Result<Inventory, SnapshotError> {
        // A first pass reads only the version (and whether it is a report instead), skipping
        // everything else without building it: a newer or foreign file gets a clear error, and
        // a big snapshot is not held twice in memory as a JSON tree and as the inventory.
        #[derive(Deserialize)]
        struct Probe {
            schema_version: Option<serde_json::Value>,
            results: Option<serde::de::IgnoredAny>,
            summary: Option<serde::de::IgnoredAny>,
        }
        let probe: Probe =
            serde_json::from_str(text).map_err(|source| SnapshotError::Malformed {
                path: ".".to_string(),
                source,
            })?;
        let Some(version) = probe.schema_version else {
            let hint = if probe.results.is_some() || probe.summary.is_some() {
                " (it looks like a sek report; snapshots are written by `sek collect -o FILE`)"
            } else {
                " (snapshots are written by `sek collect -o FILE`)"
            };
            return Err(SnapshotError::NotASnapshot { hint });
        };
        if let Some(found) = version.as_u64().and_then(|v| u32::try_from(v).ok())
            && found > SCHEMA_VERSION
        {
            return Err(SnapshotError::TooNew {
                found,
                supported: SCHEMA_VERSION,
            });
        }
        let mut deserializer = serde_json::Deserializer::from_str(text);
        serde_path_to_error::deserialize(&mut deserializer).map_err(|err| {
            SnapshotError::Malformed {
                path: err.path().to_string(),
                source: err.into_inner(),
            }
        })
    }

    /// The snapshot as pretty JSON.
    pub fn to_json(&self) -> String {
        // Serialising plain data structs to a String cannot fail.
        serde_json::to_string_pretty(self).expect("inventory serialises")
    }

    /// The snapshot as pretty JSON, written as it is serialised (a large cluster's snapshot is
    /// not held in memory a second time as one string).
    pub fn write_json(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, self).map_err(std::io::Error::other)?;
        out.write_all(b"\n")
    }
}
