//! The Kubernetes side, live: a kube-rs client from the user's kubeconfig (exec authentication
//! such as `aws eks get-token` included) or the in-cluster service account, and paginated List
//! requests for the kinds in [`resources::RESOURCES`]. Only GET requests are ever sent, and
//! Secrets are never requested.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use futures::stream::{self, StreamExt};
use http::{Method, Request};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};
use sek_core::inventory::k8s::resources::{self, Resource};
use sek_core::inventory::k8s::{KubeletConfig, KubernetesBuilder, KubernetesInventory};
use sek_core::inventory::{ClusterInventory, CollectError, ErrorKind};
use serde_json::Value;

/// Objects per List page: large enough to keep round trips few, small enough to keep the API
/// server's memory (and ours) flat.
const PAGE_SIZE: u32 = 500;
/// Lists in flight at once.
const CONCURRENT_LISTS: usize = 6;
/// Kubelets asked for their configuration at once.
const CONCURRENT_KUBELETS: usize = 16;
/// Attempts per request when the API server throttles (429) or fails (5xx).
const ATTEMPTS: u32 = 4;

/// How to reach the Kubernetes API.
#[derive(Debug, Clone, Default)]
pub struct KubeOptions {
    /// Read the Kubernetes side at all.
    pub enabled: bool,
    /// The kubeconfig file (default: KUBECONFIG, else ~/.kube/config).
    pub kubeconfig: Option<PathBuf>,
    /// The context to use (default: the one whose server is the cluster's endpoint).
    pub context: Option<String>,
    /// How long one kubelet may take to report its configuration.
    pub kubelet_timeout: Duration,
}

/// A Kubernetes read that failed, with the kind of failure.
#[derive(Debug)]
struct ReadError {
    kind: ErrorKind,
    message: String,
}

/// Refuse anything but a read. Every request this module sends goes through here.
fn read_only(request: Request<Vec<u8>>) -> Result<Request<Vec<u8>>, ReadError> {
    if request.method() == Method::GET {
        Ok(request)
    } else {
        Err(ReadError {
            kind: ErrorKind::Other,
            message: format!(
                "refused {} {}: sek only reads (get, list)",
                request.method(),
                request.uri()
            ),
        })
    }
}

fn get(path: &str) -> Request<Vec<u8>> {
    let mut request = Request::new(Vec::new());
    *request.uri_mut() = path.parse().unwrap_or_default();
    request
}

fn classify(err: kube::Error) -> ReadError {
    match err {
        kube::Error::Api(status) => {
            let kind = match status.code {
                401 | 403 => ErrorKind::AccessDenied,
                404 => ErrorKind::NotFound,
                429 => ErrorKind::Throttled,
                _ => ErrorKind::Other,
            };
            let message = if status.code == 401 {
                format!(
                    "401 Unauthorized: the API server rejected the credentials ({})",
                    status.message
                )
            } else {
                format!("{} {}: {}", status.code, status.reason, status.message)
            };
            ReadError { kind, message }
        }
        other => {
            let message = error_chain(&other);
            let kind = if message.contains("timed out") || message.contains("elapsed") {
                ErrorKind::Timeout
            } else {
                ErrorKind::Network
            };
            ReadError { kind, message }
        }
    }
}

/// An error with its causes, `: `-separated (kube's top-level messages are terse).
fn error_chain(err: &dyn std::error::Error) -> String {
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

/// Send one GET, retrying throttling and server errors with backoff.
async fn fetch(client: &Client, path: &str) -> Result<Value, ReadError> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        let request = read_only(get(path))?;
        match client.request::<Value>(request).await {
            Ok(value) => return Ok(value),
            Err(kube::Error::Api(status))
                if attempt < ATTEMPTS && (status.code == 429 || status.code >= 500) =>
            {
                tokio::time::sleep(Duration::from_millis(200 * 2u64.pow(attempt))).await;
            }
            Err(err) => return Err(classify(err)),
        }
    }
}

/// Every page of one List: the items, and the number of requests made.
async fn list_all(client: &Client, resource: &Resource) -> (Result<Vec<Value>, ReadError>, u64) {
    let mut items = Vec::new();
    let mut token: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut path = format!("{}?limit={PAGE_SIZE}", resource.path);
        if let Some(token) = &token {
            path.push_str("&continue=");
            path.push_str(&percent_encode(token));
        }
        pages += 1;
        let mut page = match fetch(client, &path).await {
            Ok(page) => page,
            Err(err) => return (Err(err), pages),
        };
        if let Some(Value::Array(page_items)) = page.get_mut("items").map(Value::take) {
            items.extend(page_items);
        }
        token = page
            .pointer("/metadata/continue")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
            .map(str::to_string);
        if token.is_none() {
            return (Ok(items), pages);
        }
    }
}

fn percent_encode(token: &str) -> String {
    percent_encoding::utf8_percent_encode(token, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// The kubeconfig context for `cluster`: the one asked for, else the one whose cluster is the
/// EKS endpoint (or is named by the cluster ARN, as `aws eks update-kubeconfig` names it).
pub fn matching_context(config: &Kubeconfig, cluster: &ClusterInventory) -> Option<String> {
    let endpoint = cluster
        .cluster
        .as_ref()
        .and_then(|c| c.endpoint.as_deref())
        .map(|e| e.trim_end_matches('/').to_ascii_lowercase());
    let arn = cluster.arn();
    let cluster_names: Vec<&str> = config
        .clusters
        .iter()
        .filter(|named| {
            let server = named
                .cluster
                .as_ref()
                .and_then(|c| c.server.as_deref())
                .map(|s| s.trim_end_matches('/').to_ascii_lowercase());
            named.name == arn || (endpoint.is_some() && server == endpoint)
        })
        .map(|named| named.name.as_str())
        .collect();
    config
        .contexts
        .iter()
        .find(|named| {
            named
                .context
                .as_ref()
                .is_some_and(|c| cluster_names.contains(&c.cluster.as_str()))
        })
        .map(|named| named.name.clone())
}

/// Whether KUBECONFIG names a file or ~/.kube/config exists.
fn default_kubeconfig_exists() -> bool {
    std::env::var_os("KUBECONFIG").is_some_and(|v| !v.is_empty())
        || std::env::var_os("HOME")
            .map(|home| PathBuf::from(home).join(".kube/config"))
            .is_some_and(|p| p.exists())
}

/// The client configuration and a description of where it points.
async fn client_config(
    options: &KubeOptions,
    cluster: &ClusterInventory,
) -> Result<(Config, String), String> {
    let kubeconfig = match &options.kubeconfig {
        Some(path) => Some(Kubeconfig::read_from(path).map_err(|e| {
            format!(
                "cannot read kubeconfig {}: {}",
                path.display(),
                error_chain(&e)
            )
        })?),
        None => match Kubeconfig::read() {
            Ok(config) => Some(config),
            // No kubeconfig at all is normal (in a pod, or AWS side only); a broken one is not.
            Err(e) if default_kubeconfig_exists() => {
                return Err(format!("cannot read the kubeconfig: {}", error_chain(&e)));
            }
            Err(_) => None,
        },
    };
    let region = &cluster.region;
    let name = &cluster.name;
    let how = format!(
        "run `aws eks update-kubeconfig --name {name} --region {region}`, or pass --context (or --no-kubernetes to skip the Kubernetes side)"
    );
    let context = match (&options.context, &kubeconfig) {
        (Some(context), _) => Some(context.clone()),
        (None, Some(config)) => matching_context(config, cluster),
        (None, None) => None,
    };
    match (context, kubeconfig) {
        (Some(context), Some(kubeconfig)) => {
            let config = Config::from_custom_kubeconfig(
                kubeconfig,
                &KubeConfigOptions {
                    context: Some(context.clone()),
                    ..KubeConfigOptions::default()
                },
            )
            .await
            .map_err(|e| format!("kubeconfig context {context}: {}", error_chain(&e)))?;
            Ok((config, format!("kubeconfig context {context}")))
        }
        (Some(context), None) => Err(format!(
            "no kubeconfig to take context {context} from; {how}"
        )),
        (None, _) if std::env::var_os("KUBERNETES_SERVICE_HOST").is_some() => {
            let config = Config::incluster()
                .map_err(|e| format!("in-cluster configuration: {}", error_chain(&e)))?;
            Ok((config, "in-cluster service account".to_string()))
        }
        (None, _) => Err(format!(
            "no kubeconfig context points at cluster {name}{}; {how}",
            cluster
                .cluster
                .as_ref()
                .and_then(|c| c.endpoint.as_deref())
                .map(|e| format!(" ({e})"))
                .unwrap_or_default()
        )),
    }
}

/// The Kubernetes side of `cluster`, and the requests made per read. `Err` when the API could
/// not be reached at all (no context, rejected credentials, unreachable server): the checks
/// then report it.
pub async fn collect_kubernetes(
    options: &KubeOptions,
    cluster: &ClusterInventory,
) -> Result<(KubernetesInventory, BTreeMap<String, u64>), String> {
    let (mut config, source) = client_config(options, cluster).await?;
    config.read_timeout = Some(Duration::from_secs(60));
    config.connect_timeout = Some(Duration::from_secs(10));
    let server = config.cluster_url.to_string();
    let client = Client::try_from(config).map_err(|e| format!("{source}: {}", error_chain(&e)))?;
    let mut calls: BTreeMap<String, u64> = BTreeMap::new();
    // One request first: a server that cannot be reached or rejects the credentials fails the
    // Kubernetes side once, instead of once per kind.
    calls.insert("k8s:get:version".into(), 1);
    let version = fetch(&client, "/version")
        .await
        .map_err(|e| format!("{source} ({server}): {}", e.message))?;
    let mut builder = KubernetesBuilder::new(format!("{source} ({server})"));
    if let Some(v) = version.get("gitVersion").and_then(Value::as_str) {
        builder.server_version(v);
    }
    let results: Vec<_> = stream::iter(resources::RESOURCES)
        .map(|resource| {
            let client = &client;
            async move {
                if resource.kind == "ConfigMap" {
                    // aws-auth is read by name; the other ConfigMaps are none of sek's business.
                    let outcome = match fetch(client, resource.path).await {
                        Ok(object) => Ok(vec![object]),
                        Err(err) if err.kind == ErrorKind::NotFound => Ok(Vec::new()),
                        Err(err) => Err(err),
                    };
                    (resource, outcome, 1)
                } else {
                    let (outcome, pages) = list_all(client, resource).await;
                    (resource, outcome, pages)
                }
            }
        })
        .buffer_unordered(CONCURRENT_LISTS)
        .collect()
        .await;
    for (resource, outcome, pages) in results {
        *calls.entry(resource.need.to_string()).or_default() += pages;
        match outcome {
            Ok(items) => {
                builder.read(resource);
                for item in items {
                    if let Err(problem) = builder.add(resource.kind, item) {
                        builder.failed(
                            resource,
                            ErrorKind::Other,
                            format!("unreadable object: {problem}"),
                        );
                    }
                }
            }
            Err(err) => builder.failed(resource, err.kind, err.message),
        }
    }
    // Each kubelet's effective configuration, through the API server's node proxy. A kubelet
    // that does not answer in time is an error for its node only.
    let names = builder.node_names();
    let timeout = options.kubelet_timeout;
    let kubelets: Vec<_> = stream::iter(names)
        .map(|name| {
            let client = &client;
            async move {
                let path = resources::configz_path(&name);
                let outcome = match tokio::time::timeout(timeout, fetch(client, &path)).await {
                    Ok(Ok(body)) => KubeletConfig::from_configz(&body).map_err(|e| ReadError {
                        kind: ErrorKind::Other,
                        message: format!("unreadable configz response: {e}"),
                    }),
                    Ok(Err(err)) => Err(err),
                    Err(_) => Err(ReadError {
                        kind: ErrorKind::Timeout,
                        message: format!(
                            "the kubelet did not answer within {} s (--kubelet-timeout)",
                            timeout.as_secs_f32()
                        ),
                    }),
                };
                (name, outcome)
            }
        })
        .buffer_unordered(CONCURRENT_KUBELETS)
        .collect()
        .await;
    for (name, outcome) in kubelets {
        *calls
            .entry(resources::NODE_CONFIGZ.to_string())
            .or_default() += 1;
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
    Ok((builder.finish("not read from the API server"), calls))
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
    fn the_context_is_found_by_endpoint_or_cluster_arn() {
        let kubeconfig: Kubeconfig = serde_json::from_value(serde_json::json!({
            "clusters": [
                {"name": "other", "cluster": {"server": "https://OTHER.gr7.eu-west-1.eks.amazonaws.com"}},
                {"name": "prod-by-endpoint", "cluster": {"server": "https://ABC.gr7.eu-west-1.eks.amazonaws.com/"}},
                {"name": "arn:aws:eks:eu-west-1:111122223333:cluster/staging", "cluster": {"server": "https://x"}}
            ],
            "contexts": [
                {"name": "ctx-other", "context": {"cluster": "other", "user": "u"}},
                {"name": "ctx-prod", "context": {"cluster": "prod-by-endpoint", "user": "u"}},
                {"name": "ctx-staging", "context": {"cluster": "arn:aws:eks:eu-west-1:111122223333:cluster/staging", "user": "u"}}
            ]
        }))
        .unwrap();
        let mut prod = ClusterInventory::new("prod", "eu-west-1");
        prod.account_id = Some("111122223333".into());
        prod.cluster = Some(sek_core::inventory::EksCluster {
            endpoint: Some("https://abc.gr7.eu-west-1.eks.amazonaws.com".into()),
            ..Default::default()
        });
        assert_eq!(
            matching_context(&kubeconfig, &prod).as_deref(),
            Some("ctx-prod")
        );
        let mut staging = ClusterInventory::new("staging", "eu-west-1");
        staging.account_id = Some("111122223333".into());
        assert_eq!(
            matching_context(&kubeconfig, &staging).as_deref(),
            Some("ctx-staging")
        );
        let unknown = ClusterInventory::new("dev", "eu-west-1");
        assert_eq!(matching_context(&kubeconfig, &unknown), None);
    }

    #[test]
    fn continue_tokens_are_escaped() {
        assert_eq!(percent_encode("a+b/c=="), "a%2Bb%2Fc%3D%3D");
    }
}
