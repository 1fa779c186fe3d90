//! Small conversions of AWS values: principals, timestamps, request batches.

/// The principal an EKS access entry names for a caller ARN: an assumed-role session
/// (`arn:aws:sts::1:assumed-role/Role/session`) is its role (`arn:aws:iam::1:role/Role`); users
/// and roles are themselves.
pub fn principal_of(caller_arn: &str) -> String {
    let parts: Vec<&str> = caller_arn.splitn(6, ':').collect();
    if let [_, partition, "sts", _, account, resource] = parts.as_slice()
        && let Some(rest) = resource.strip_prefix("assumed-role/")
    {
        let role = rest.split('/').next().unwrap_or(rest);
        return format!("arn:{partition}:iam::{account}:role/{role}");
    }
    caller_arn.to_string()
}

/// An AWS timestamp as a [`jiff::Timestamp`].
pub fn timestamp(time: Option<&aws_smithy_types::DateTime>) -> Option<jiff::Timestamp> {
    time.and_then(|t| jiff::Timestamp::new(t.secs(), t.subsec_nanos() as i32).ok())
}

/// Split `ids` into request-sized batches (EC2 filters take at most 200 values).
pub fn batches(ids: &[String]) -> impl Iterator<Item = Vec<String>> + '_ {
    ids.chunks(BATCH).map(<[String]>::to_vec)
}

/// Values per EC2 filter.
pub const BATCH: usize = 200;
