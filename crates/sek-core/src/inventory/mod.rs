//! The typed model of everything checks may read. It is also the snapshot format:
//! `sek collect -o snap.json` writes it, `sek scan --snapshot snap.json` reads it back.
//!
//! Every field that comes from a read is a [`Read`]: the data, the failure ([`CollectError`],
//! naming the API), or nothing when it was not collected. Checks ask through accessors that
//! return the data or a [`Missing`], so an unread list can never pass for an empty one.

mod cluster;
mod ec2;
mod eks;
mod errors;
mod fleet;
mod iam;
mod images;
pub mod k8s;
mod missing;
mod read;
mod region;
mod resource_ref;
mod schema_v2;
mod user_data;

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

pub use cluster::*;
pub use ec2::*;
pub use eks::*;
pub use errors::*;
pub use fleet::*;
pub use iam::*;
pub use images::*;
pub use missing::*;
pub use read::*;
pub use region::*;
pub use resource_ref::ResourceRef;
pub use user_data::{SecretHint, UserDataScan, find_secrets};

/// The snapshot schema this build writes. It reads this one and schema 2 (converted as read).
pub const SCHEMA_VERSION: u32 = 3;

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
    /// The checks it was collected for (`--checks`), when not every check: only their reads
    /// were made, and evaluating another check on it is an error that says to re-collect.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collected_for: Option<Vec<String>>,
}

pub(crate) fn default_partition() -> String {
    "aws".to_string()
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
        let found = version.as_u64().and_then(|v| u32::try_from(v).ok());
        if let Some(found) = found
            && found > SCHEMA_VERSION
        {
            return Err(SnapshotError::TooNew {
                found,
                supported: SCHEMA_VERSION,
            });
        }
        let malformed =
            |err: serde_path_to_error::Error<serde_json::Error>| SnapshotError::Malformed {
                path: err.path().to_string(),
                source: err.into_inner(),
            };
        if found.is_some_and(|v| v < SCHEMA_VERSION) {
            // Older snapshots kept failures apart from the data: move each into its field.
            let mut tree: serde_json::Value =
                serde_json::from_str(text).map_err(|source| SnapshotError::Malformed {
                    path: ".".to_string(),
                    source,
                })?;
            schema_v2::upgrade(&mut tree);
            let mut inventory: Inventory =
                serde_path_to_error::deserialize(tree).map_err(malformed)?;
            inventory.schema_version = SCHEMA_VERSION;
            return Ok(inventory);
        }
        let mut deserializer = serde_json::Deserializer::from_str(text);
        serde_path_to_error::deserialize(&mut deserializer).map_err(malformed)
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
