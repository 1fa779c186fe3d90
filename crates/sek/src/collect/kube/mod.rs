//! The Kubernetes side, live: a client for the cluster's API server (an EKS token sek makes
//! itself, a kubeconfig context, or the in-cluster service account: see [`connect()`]), paginated
//! List requests for the kinds in [`resources::RESOURCES`], and each kubelet's configuration
//! through the API server's node proxy. Only GET requests are ever sent, Secrets are never
//! requested, and every request counts against the scan's one `--concurrency` bound.
//!
//! Pages are folded into the inventory as they arrive, so memory holds the typed subset sek
//! keeps plus the pages in flight, not every object's JSON.

pub mod connect;
pub mod eks_token;
mod grant;

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use futures::stream::{self, StreamExt};
use http::{Method, Request, StatusCode};
use http_body_util::BodyExt;
use kube::Client;
use sek_core::inventory::k8s::resources::{self, Resource};
use sek_core::inventory::k8s::{KubeletConfig, KubernetesBuilder, KubernetesInventory};
use sek_core::inventory::{ClusterInventory, CollectError, ErrorKind};
use serde_json::Value;

pub use self::connect::AuthChoice;
use self::connect::{Connection, connect};
use super::aws::{Aws, Budget};

/// Objects per List page: large enough to keep round trips few, small enough to keep the API
/// server's memory (and ours) flat.
const PAGE_SIZE: u32 = 500;
/// Lists of one cluster in flight at once (within the scan's global bound).
const CONCURRENT_LISTS: usize = 6;
/// Kubelets of one cluster asked for their configuration at once.
const CONCURRENT_KUBELETS: usize = 16;
/// Attempts per request the API server throttles (429), honouring Retry-After.
const THROTTLED_ATTEMPTS: u32 = 6;
/// Attempts per request that fails with a server error (5xx): a persistent one should not
/// hold a scan up.
const SERVER_ERROR_ATTEMPTS: u32 = 3;
/// The longest Retry-After sek waits.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(10);
/// The read that checks the API can be reached at all.
const PROBE: &str = "k8s:get:version";

/// How to reach the Kubernetes API.
#[derive(Debug, Clone)]
pub struct KubeOptions {
    /// Read the Kubernetes side at all.
    pub enabled: bool,
    /// Which way to authenticate (`--kube-auth`).
    pub auth: AuthChoice,
    /// The kubeconfig file (default: KUBECONFIG, else ~/.kube/config).
    pub kubeconfig: Option<PathBuf>,
    /// The context to use (default: the one whose server is the cluster's endpoint).
    pub context: Option<String>,
    /// How long one kubelet may take to report its configuration.
    pub kubelet_timeout: Duration,
    /// How long connecting to the API server and its first answer may take.
    pub timeout: Duration,
    /// The kinds to list: those the checks read (the caller knows which; the published
    /// ClusterRole grants exactly those).
    pub reads: Vec<&'static Resource>,
    /// Read each kubelet's configuration through the node proxy (the kubelet checks run).
    pub kubelets: bool,
    /// An exported Kubernetes side (`--k8s-dir`) given to the scanned cluster instead of a live
    /// read: what it names on the AWS side (NodeClasses' references, the images in use) is read
    /// as for a live side.
    pub export: Option<std::sync::Arc<sek_core::inventory::k8s::KubernetesInventory>>,
}

impl Default for KubeOptions {
    fn default() -> Self {
        KubeOptions {
            enabled: false,
            auth: AuthChoice::Auto,
            kubeconfig: None,
            context: None,
            kubelet_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(15),
            reads: resources::RESOURCES.iter().collect(),
            kubelets: true,
            export: None,
        }
    }
}

/// A Kubernetes read that failed, with the kind of failure.
#[derive(Debug)]
struct ReadError {
    kind: ErrorKind,
    message: String,
    status: Option<StatusCode>,
}

impl ReadError {
    fn new(kind: ErrorKind, message: impl Into<String>) -> ReadError {
        ReadError {
            kind,
            message: message.into(),
            status: None,
        }
    }
}

/// Refuse anything but a read. Every request this module sends goes through here.
fn read_only(request: Request<Vec<u8>>) -> Result<Request<Vec<u8>>, ReadError> {
    if request.method() == Method::GET {
        Ok(request)
    } else {
        Err(ReadError::new(
            ErrorKind::Other,
            format!(
                "refused {} {}: sek only reads (get, list)",
                request.method(),
                request.uri()
            ),
        ))
    }
}

fn get(path: &str) -> Request<Vec<u8>> {
    let mut request = Request::new(Vec::new());
    *request.uri_mut() = path.parse().unwrap_or_default();
    request.headers_mut().insert(
        http::header::ACCEPT,
        http::HeaderValue::from_static("application/json"),
    );
    request
}

/// An error with its causes, `: `-separated (kube's top-level messages are terse).
pub(crate) fn error_chain(err: &dyn std::error::Error) -> String {
    let mut message = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = cause.source();
    }
    message
}

/// A transport failure in words a user acts on.
fn transport_error(err: kube::Error) -> ReadError {
    let chain = error_chain(&err);
    let lower = chain.to_ascii_lowercase();
    let (kind, message) = if lower.contains("unknownissuer")
        || lower.contains("invalid peer certificate")
        || lower.contains("certificate")
    {
        (
            ErrorKind::Network,
            format!(
                "TLS: the API server's certificate is not trusted (its issuer is not the cluster's \
certificate authority sek was given): {chain}"
            ),
        )
    } else if lower.contains("timed out") || lower.contains("elapsed") || lower.contains("timeout")
    {
        // hyper's connect timeout says only "deadline has elapsed": name it for what it is.
        (
            ErrorKind::Timeout,
            format!("timed out connecting or waiting for an answer (--kube-timeout): {chain}"),
        )
    } else if lower.contains("connection closed")
        || lower.contains("unexpected eof")
        || lower.contains("connection reset")
        || lower.contains("peer closed")
        || lower.contains("incomplete message")
        || lower.contains("handshake eof")
    {
        (
            ErrorKind::Network,
            format!("the server closed the connection without answering: {chain}"),
        )
    } else {
        (ErrorKind::Network, chain)
    };
    ReadError::new(kind, message)
}

/// The message of a Kubernetes `Status` body, or the body itself (shortened).
fn status_message(body: &[u8]) -> String {
    serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| v.get("message").and_then(Value::as_str).map(String::from))
        .unwrap_or_else(|| {
            let text = String::from_utf8_lossy(body);
            let text = text.trim();
            text.chars().take(200).collect()
        })
}

/// Send one GET (counted and bounded by the scan's budget), retrying throttling (honouring
/// Retry-After) and a few server errors with backoff.
async fn fetch(
    client: &Client,
    budget: &Budget,
    read: &'static str,
    path: &str,
) -> Result<Value, ReadError> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        let request = read_only(get(path))?.map(kube::client::Body::from);
        let response = budget
            .within(read, async {
                let response = client.send(request).await.map_err(transport_error)?;
                let (parts, body) = response.into_parts();
                let bytes = body
                    .collect()
                    .await
                    .map_err(|e| transport_error(kube::Error::Service(Box::new(e))))?
                    .to_bytes();
                Ok::<_, ReadError>((parts, bytes))
            })
            .await;
        let (parts, body) = response?;
        let status = parts.status;
        if status.is_success() {
            let json = parts
                .headers
                .get(http::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|t| t.contains("json"));
            if !json {
                let kind = parts
                    .headers
                    .get(http::header::CONTENT_TYPE)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("no content type");
                return Err(ReadError::new(
                    ErrorKind::Other,
                    format!(
                        "the endpoint answered {status} with {kind} instead of JSON: it is not a \
Kubernetes API server (a proxy or sign-in page in the way?)"
                    ),
                ));
            }
            return serde_json::from_slice(&body).map_err(|e| {
                ReadError::new(ErrorKind::Other, format!("unreadable JSON response: {e}"))
            });
        }
        let retry = match status.as_u16() {
            429 => attempt < THROTTLED_ATTEMPTS,
            500..=599 => attempt < SERVER_ERROR_ATTEMPTS,
            _ => false,
        };
        if retry {
            let after = parts
                .headers
                .get(http::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            let backoff = Duration::from_millis(200 * 2u64.pow(attempt - 1));
            let wait = after.unwrap_or(backoff).min(MAX_RETRY_AFTER);
            tracing::debug!(read, %status, attempt, ?wait, "retrying");
            tokio::time::sleep(wait).await;
            continue;
        }
        let kind = match status.as_u16() {
            401 | 403 => ErrorKind::AccessDenied,
            404 => ErrorKind::NotFound,
            429 => ErrorKind::Throttled,
            _ => ErrorKind::Other,
        };
        let reason = status.canonical_reason().unwrap_or("");
        let mut error = ReadError::new(
            kind,
            format!("{} {reason}: {}", status.as_u16(), status_message(&body)),
        );
        error.status = Some(status);
        if attempt > 1 {
            error
                .message
                .push_str(&format!(" (after {attempt} attempts)"));
        }
        return Err(error);
    }
}

/// Every page of one List, folded into `builder` as it arrives; returns how many pages.
async fn list_into(
    client: &Client,
    budget: &Budget,
    resource: &'static Resource,
    builder: &Mutex<KubernetesBuilder>,
) -> Result<u64, ReadError> {
    let mut token: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut path = format!("{}?limit={PAGE_SIZE}", resource.path);
        if let Some(token) = &token {
            path.push_str("&continue=");
            path.push_str(&percent_encode(token));
        }
        pages += 1;
        let mut page = fetch(client, budget, resource.need, &path).await?;
        token = page
            .pointer("/metadata/continue")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
            .map(str::to_string);
        if let Some(Value::Array(items)) = page.get_mut("items").map(Value::take) {
            let mut builder = builder.lock().expect("builder");
            for item in items {
                if let Err(problem) = builder.add(resource.kind, item) {
                    return Err(ReadError::new(
                        ErrorKind::Other,
                        format!("unreadable object: {problem}"),
                    ));
                }
            }
        }
        if token.is_none() {
            return Ok(pages);
        }
    }
}

/// Get each of the ConfigMaps sek reads by name (the others are none of its business); one that
/// does not exist is absent, not a failure.
async fn get_config_maps(
    client: &Client,
    budget: &Budget,
    resource: &'static Resource,
    builder: &Mutex<KubernetesBuilder>,
) -> Result<(), ReadError> {
    for name in resources::CONFIG_MAP_NAMES {
        let path = format!("{}/{name}", resource.path);
        match fetch(client, budget, resource.need, &path).await {
            Ok(object) => builder
                .lock()
                .expect("builder")
                .add(resource.kind, object)
                .map_err(|p| ReadError::new(ErrorKind::Other, format!("unreadable object: {p}")))?,
            Err(err) if err.kind == ErrorKind::NotFound => {}
            Err(err) => return Err(err),
        }
    }
    Ok(())
}

fn percent_encode(token: &str) -> String {
    percent_encoding::utf8_percent_encode(token, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// The Kubernetes side of `cluster`, read through the connection `options` choose. `Err` when
/// the API could not be reached at all (no way in, rejected credentials, unreachable server):
/// the failure, with what to do about it, which the checks then report.
pub async fn collect_kubernetes(
    options: &KubeOptions,
    cluster: &ClusterInventory,
    aws: &Aws,
) -> Result<KubernetesInventory, CollectError> {
    let Connection { client, access } = connect(options, cluster, Some(aws))
        .await
        .map_err(|e| CollectError::new(grant::CONNECT, vec![], ErrorKind::Other, e.0))?;
    tracing::info!(cluster = cluster.name, "Kubernetes API through {access}");
    let budget = aws.budget();
    // One request first: a server that cannot be reached or rejects the credentials fails the
    // Kubernetes side once, with what to do, instead of once per kind.
    let probe = tokio::time::timeout(options.timeout, fetch(&client, budget, PROBE, "/version"));
    let version = match probe.await {
        Ok(Ok(version)) => version,
        Ok(Err(err)) => {
            return Err(grant::explain_probe_failure(
                err.kind,
                &err.message,
                err.status,
                &access,
                cluster,
            ));
        }
        Err(_) => {
            return Err(grant::explain_probe_failure(
                ErrorKind::Timeout,
                &format!(
                    "no answer within {} s (--kube-timeout)",
                    options.timeout.as_secs()
                ),
                None,
                &access,
                cluster,
            ));
        }
    };
    let builder = Mutex::new(KubernetesBuilder::new(access.to_string()));
    {
        let mut builder = builder.lock().expect("builder");
        builder.access(access.clone());
        if let Some(v) = version.get("gitVersion").and_then(Value::as_str) {
            builder.server_version(v);
        }
    }
    // Only the kinds asked for. Pods go last, so most arrive after their controller and are
    // counted rather than kept.
    let mut wanted = options.reads.clone();
    wanted.sort_by_key(|r| **r == resources::PODS);
    {
        let mut builder = builder.lock().expect("builder");
        for resource in resources::RESOURCES {
            if !wanted.iter().any(|w| w.need == resource.need) {
                builder.not_collected(resource);
            }
        }
    }
    let outcomes: Vec<_> = stream::iter(wanted)
        .map(|resource| {
            let (client, builder) = (&client, &builder);
            async move {
                let outcome = if resource.kind == "ConfigMap" {
                    get_config_maps(client, budget, resource, builder).await
                } else {
                    match list_into(client, budget, resource, builder).await {
                        // Not served: without its CRD there are none (the builder decides, from
                        // the CRDs); with it, an older API version is installed.
                        Err(mut err) if err.kind == ErrorKind::NotFound && resource.is_custom() => {
                            err.message = format!(
                                "{}: the API server does not serve {}: its CRD is not installed, or \
installed without version v1 (an older release, such as Karpenter before 1.0)",
                                err.message,
                                resource.path.rsplit_once('/').map_or(resource.path, |(p, _)| p)
                            );
                            Err(err)
                        }
                        outcome => outcome.map(|_| ()),
                    }
                };
                (resource, outcome)
            }
        })
        .buffer_unordered(CONCURRENT_LISTS)
        .collect()
        .await;
    let mut builder = builder.into_inner().expect("builder");
    for (resource, outcome) in outcomes {
        match outcome {
            Ok(()) => builder.read(resource),
            Err(err) => {
                let message =
                    grant::explain_read_failure(&err.message, err.status, resource, &access);
                builder.failed(resource, err.kind, message)
            }
        }
    }
    // Each kubelet's effective configuration, through the API server's node proxy. A kubelet
    // that does not answer in time is an error for its node only.
    let names = if options.kubelets {
        builder.node_names()
    } else {
        Vec::new()
    };
    let timeout = options.kubelet_timeout;
    let kubelets: Vec<_> = stream::iter(names)
        .map(|name| {
            let client = &client;
            async move {
                let path = resources::configz_path(&name);
                let read = fetch(client, budget, resources::NODE_CONFIGZ, &path);
                let outcome = match tokio::time::timeout(timeout, read).await {
                    Ok(Ok(body)) => KubeletConfig::from_configz(&body).map_err(|e| {
                        ReadError::new(
                            ErrorKind::Other,
                            format!("unreadable configz response: {e}"),
                        )
                    }),
                    Ok(Err(err)) => Err(grant::kubelet_failure(err)),
                    Err(_) => Err(ReadError::new(
                        ErrorKind::Timeout,
                        format!(
                            "the kubelet did not answer within {} s (--kubelet-timeout)",
                            timeout.as_secs_f32()
                        ),
                    )),
                };
                (name, outcome)
            }
        })
        .buffer_unordered(CONCURRENT_KUBELETS)
        .collect()
        .await;
    for (name, outcome) in kubelets {
        let outcome = outcome.map_err(|err| {
            CollectError::new(
                resources::NODE_CONFIGZ,
                vec![name.clone()],
                err.kind,
                err.message,
            )
        });
        builder.kubelet(&name, outcome);
    }
    Ok(builder.finish("not read from the API server"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anything_but_get_is_refused_before_sending() {
        let mut post = get("/api/v1/namespaces/default/pods");
        *post.method_mut() = Method::POST;
        let err = read_only(post).unwrap_err();
        assert!(err.message.contains("refused POST"), "{}", err.message);
        assert!(read_only(get("/api/v1/pods")).is_ok());
    }

    #[test]
    fn continue_tokens_are_escaped() {
        assert_eq!(percent_encode("a+b/c=="), "a%2Bb%2Fc%3D%3D");
    }

    #[test]
    fn status_messages_come_from_the_status_body_or_the_text() {
        assert_eq!(
            status_message(br#"{"kind":"Status","message":"pods is forbidden"}"#),
            "pods is forbidden"
        );
        assert_eq!(
            status_message(b"  Forbidden (user=x)\n"),
            "Forbidden (user=x)"
        );
    }
}
