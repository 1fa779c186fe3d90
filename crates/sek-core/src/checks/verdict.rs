//! What a check concludes: a status per resource, with the message and evidence that decided it.

use crate::inventory::Missing;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt;

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

/// What a check's evaluation gives: its findings, or the data it needed and did not get (which
/// the report shows as one `error` finding naming the read to allow).
pub type Evaluation = Result<Vec<Finding>, Missing>;

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
