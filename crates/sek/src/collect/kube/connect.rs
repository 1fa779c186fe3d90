//! How sek reaches a cluster's Kubernetes API, and as whom.
//!
//! `--kube-auth auto` (the default) takes the first of:
//! 1. the kubeconfig context named by `--context`;
//! 2. the kubeconfig context whose server is the cluster's endpoint (or that is named after the
//!    cluster's ARN), as `aws eks update-kubeconfig` writes it: the access the user set up;
//! 3. the service account of the pod sek runs in, when that pod runs in this very cluster (its
//!    CA is the cluster's CA from DescribeCluster);
//! 4. an EKS token made from sek's own AWS credentials (the assumed role's, in a fleet), to the
//!    endpoint and CA bundle DescribeCluster gave: no kubeconfig, CLI or exec plugin needed.
//!
//! `--kube-auth eks|kubeconfig|in-cluster` uses only that one.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use super::eks_token::{EksAuthLayer, TokenSource, sts_endpoint};
use super::{KubeOptions, error_chain};
use crate::collect::aws::Aws;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use kube::client::ClientBuilder;
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};
use sek_core::inventory::ClusterInventory;
use sek_core::inventory::k8s::{AccessMethod, KubernetesAccess};

/// Where the in-cluster service account's CA bundle is mounted.
const IN_CLUSTER_CA: &str = "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt";

/// Which way to reach the Kubernetes API (`--kube-auth`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AuthChoice {
    /// The first that applies: `--context`, a matching kubeconfig context, the in-cluster
    /// service account of this cluster, an EKS token.
    #[default]
    Auto,
    /// An EKS token from sek's AWS credentials only.
    EksToken,
    /// A kubeconfig context only.
    Kubeconfig,
    /// The in-cluster service account only.
    InCluster,
}

/// A client for one cluster's API, and how it got there.
pub struct Connection {
    /// The client (read timeouts set; retries are sek's own).
    pub client: Client,
    /// How and as whom, for the report.
    pub access: KubernetesAccess,
}

/// Why no client could be made for a cluster: a sentence that says what to do.
#[derive(Debug)]
pub struct NoConnection(pub String);

/// A client for `cluster`'s API, chosen as `options.auth` says.
pub async fn connect(
    options: &KubeOptions,
    cluster: &ClusterInventory,
    aws: Option<&Aws>,
) -> Result<Connection, NoConnection> {
    let kubeconfig = || read_kubeconfig(options.kubeconfig.as_ref());
    match options.auth {
        AuthChoice::Kubeconfig => {
            let config = kubeconfig()?;
            let context = options
                .context
                .clone()
                .or_else(|| config.as_ref().and_then(|c| matching_context(c, cluster)))
                .ok_or_else(|| NoConnection(no_context(cluster, config.is_some())))?;
            from_kubeconfig(options, config, context).await
        }
        AuthChoice::InCluster => in_cluster(options, cluster, false),
        AuthChoice::EksToken => eks(options, cluster, aws).await,
        AuthChoice::Auto => {
            if let Some(context) = &options.context {
                return from_kubeconfig(options, kubeconfig()?, context.clone()).await;
            }
            // A kubeconfig named on the command line must be readable; a broken default one
            // only costs its contexts, and sek goes on to its own ways in.
            let config = match kubeconfig() {
                Ok(config) => config,
                Err(err) if options.kubeconfig.is_none() => {
                    tracing::warn!("{}; trying the other ways in", err.0);
                    None
                }
                Err(err) => return Err(err),
            };
            if let Some(context) = config.as_ref().and_then(|c| matching_context(c, cluster)) {
                return from_kubeconfig(options, config, context).await;
            }
            if std::env::var_os("KUBERNETES_SERVICE_HOST").is_some()
                && let Ok(connection) = in_cluster(options, cluster, true)
            {
                return Ok(connection);
            }
            eks(options, cluster, aws).await
        }
    }
}

fn read_kubeconfig(path: Option<&PathBuf>) -> Result<Option<Kubeconfig>, NoConnection> {
    match path {
        Some(path) => Kubeconfig::read_from(path).map(Some).map_err(|e| {
            NoConnection(format!(
                "cannot read kubeconfig {}: {}",
                path.display(),
                error_chain(&e)
            ))
        }),
        None => match Kubeconfig::read() {
            Ok(config) => Ok(Some(config)),
            // No kubeconfig at all is normal (in a pod, a CronJob, a fleet scan); a broken one
            // that the user has is not.
            Err(e) if default_kubeconfig_exists() => Err(NoConnection(format!(
                "cannot read the kubeconfig: {}",
                error_chain(&e)
            ))),
            Err(_) => Ok(None),
        },
    }
}

/// Whether KUBECONFIG names an existing file or ~/.kube/config exists.
fn default_kubeconfig_exists() -> bool {
    let from_env = std::env::var_os("KUBECONFIG")
        .filter(|v| !v.is_empty())
        .is_some_and(|v| std::env::split_paths(&v).any(|p| p.exists()));
    from_env
        || std::env::var_os("HOME")
            .map(|home| PathBuf::from(home).join(".kube/config"))
            .is_some_and(|p| p.exists())
}

fn no_context(cluster: &ClusterInventory, have_kubeconfig: bool) -> String {
    let name = &cluster.name;
    let region = &cluster.region;
    let endpoint = cluster
        .cluster
        .got()
        .and_then(|c| c.endpoint.as_deref())
        .map(|e| format!(" ({e})"))
        .unwrap_or_default();
    let what = if have_kubeconfig {
        format!("no kubeconfig context points at cluster {name}{endpoint}")
    } else {
        "no kubeconfig was found".to_string()
    };
    format!(
        "{what}; run `aws eks update-kubeconfig --name {name} --region {region}` or pass --context, \
or let sek authenticate itself (--kube-auth eks)"
    )
}

/// The kubeconfig context for `cluster`: the one whose cluster is the EKS endpoint, or is named
/// by the cluster ARN (as `aws eks update-kubeconfig` names it).
pub fn matching_context(config: &Kubeconfig, cluster: &ClusterInventory) -> Option<String> {
    let endpoint = cluster
        .cluster
        .got()
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

async fn from_kubeconfig(
    options: &KubeOptions,
    kubeconfig: Option<Kubeconfig>,
    context: String,
) -> Result<Connection, NoConnection> {
    let kubeconfig = kubeconfig.ok_or_else(|| {
        NoConnection(format!(
            "no kubeconfig to take context {context} from; pass --kubeconfig, or let sek \
authenticate itself (--kube-auth eks)"
        ))
    })?;
    let config = Config::from_custom_kubeconfig(
        kubeconfig,
        &KubeConfigOptions {
            context: Some(context.clone()),
            ..KubeConfigOptions::default()
        },
    )
    .await
    .map_err(|e| NoConnection(format!("kubeconfig context {context}: {}", error_chain(&e))))?;
    let server = config.cluster_url.to_string();
    let client = build(options, config, None)?;
    Ok(Connection {
        client,
        access: KubernetesAccess {
            method: AccessMethod::Kubeconfig,
            server: Some(server),
            identity: None,
            context: Some(context),
        },
    })
}

/// The pod's own service account; when `only_this_cluster`, only if the pod runs in `cluster`
/// (a CronJob scanning a fleet from one cluster must not read that cluster for the others).
fn in_cluster(
    options: &KubeOptions,
    cluster: &ClusterInventory,
    only_this_cluster: bool,
) -> Result<Connection, NoConnection> {
    if only_this_cluster {
        let own_ca = std::fs::read(IN_CLUSTER_CA).ok();
        let cluster_ca = cluster_ca(cluster).ok();
        let same = match (own_ca, cluster_ca) {
            (Some(own), Some(theirs)) => der_certificates(&own) == theirs,
            _ => false,
        };
        if !same {
            return Err(NoConnection("sek's pod runs in another cluster".into()));
        }
    }
    let config = Config::incluster()
        .map_err(|e| NoConnection(format!("in-cluster configuration: {}", error_chain(&e))))?;
    let server = config.cluster_url.to_string();
    let client = build(options, config, None)?;
    Ok(Connection {
        client,
        access: KubernetesAccess {
            method: AccessMethod::InCluster,
            server: Some(server),
            identity: None,
            context: None,
        },
    })
}

async fn eks(
    options: &KubeOptions,
    cluster: &ClusterInventory,
    aws: Option<&Aws>,
) -> Result<Connection, NoConnection> {
    let Some(aws) = aws else {
        return Err(NoConnection(
            "an EKS token needs the cluster's AWS side (endpoint, CA and credentials); scan the \
cluster live, or use a kubeconfig context"
                .into(),
        ));
    };
    let control_plane = cluster.cluster.got().ok_or_else(|| {
        NoConnection(
            "DescribeCluster was not read, so the endpoint and CA bundle are unknown; allow \
eks:DescribeCluster, or use a kubeconfig context"
                .into(),
        )
    })?;
    let endpoint = control_plane.endpoint.clone().ok_or_else(|| {
        NoConnection(
            "DescribeCluster gave no endpoint (is the cluster still being created?)".into(),
        )
    })?;
    let roots = cluster_ca(cluster).map_err(NoConnection)?;
    let url = endpoint.parse().map_err(|e| {
        NoConnection(format!(
            "the cluster's endpoint {endpoint} is not a URL: {e}"
        ))
    })?;
    let credentials = aws.sdk_config().credentials_provider().ok_or_else(|| {
        NoConnection("no AWS credentials provider to make an EKS token with".into())
    })?;
    let sts = sts_endpoint(aws.sdk_config(), &aws.region)
        .await
        .map_err(|e| NoConnection(e.to_string()))?;
    let mut config = Config::new(url);
    config.root_cert = Some(roots);
    let source = Arc::new(TokenSource::new(
        &cluster.name,
        &aws.region,
        sts,
        credentials,
    ));
    let client = build(options, config, Some(source))?;
    Ok(Connection {
        client,
        access: KubernetesAccess {
            method: AccessMethod::EksToken,
            server: Some(endpoint),
            identity: aws.principal().await,
            context: None,
        },
    })
}

/// The DER certificates of the cluster's CA bundle (DescribeCluster's base64 of PEM).
fn cluster_ca(cluster: &ClusterInventory) -> Result<Vec<Vec<u8>>, String> {
    let data = cluster
        .cluster
        .got()
        .and_then(|c| c.certificate_authority.as_deref())
        .ok_or("DescribeCluster gave no certificate authority data to trust the endpoint with")?;
    let pem = STANDARD
        .decode(data.trim())
        .map_err(|e| format!("the cluster's certificate authority data is not base64: {e}"))?;
    let certificates = der_certificates(&pem);
    if certificates.is_empty() {
        return Err("the cluster's certificate authority data holds no PEM certificate".into());
    }
    Ok(certificates)
}

/// The certificates of a PEM bundle, DER-encoded.
fn der_certificates(pem: &[u8]) -> Vec<Vec<u8>> {
    pem::parse_many(pem)
        .unwrap_or_default()
        .into_iter()
        .filter(|block| block.tag() == "CERTIFICATE")
        .map(|block| block.into_contents())
        .collect()
}

/// A client with sek's timeouts and without kube's own retries (its default retries 429/503
/// for up to 15 attempts and 1,000 s; sek retries with a bound of its own), and a bearer token
/// from `eks` when given.
fn build(
    options: &KubeOptions,
    mut config: Config,
    eks: Option<Arc<TokenSource>>,
) -> Result<Client, NoConnection> {
    config.connect_timeout = Some(options.timeout);
    config.read_timeout = Some(Duration::from_secs(60));
    config.default_retry = false;
    let builder = ClientBuilder::try_from(config).map_err(|e| {
        NoConnection(format!(
            "cannot make a Kubernetes client: {}",
            error_chain(&e)
        ))
    })?;
    Ok(match eks {
        Some(source) => builder.with_layer(&EksAuthLayer(source)).build(),
        None => builder.build(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use sek_core::inventory::Read;

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
        prod.cluster = Read::Got(sek_core::inventory::EksCluster {
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

    const CA: &str = "-----BEGIN CERTIFICATE-----\nMIIBSTCB76ADAgECAhRvS+Mu97IhZjUxVBiRcWY5siEIBDAKBggqhkjOPQQDAjAS\nMRAwDgYDVQQDDAdjbHVzdGVyMB4XDTI2MTIwNjAzNTQzOFoXDTI2MTIwODA0NTQz\nOFowEjEQMA4GA1UEAwwHY2x1c3RlcjBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IA\nBECvMza/ytgFZBgNNqXlgF8CAeJYNGkI+zYimrT1krMcGXkJ2eJe+YCi376r+me5\nbWWN6wdlQmpc9Nh2n0J3cDmjIzAhMA8GA1UdEwEB/wQFMAMBAf8wDgYDVR0PAQH/\nBAQDAgEGMAoGCCqGSM49BAMCA0kAMEYCIQDcP0mLIXxTDw6MeAl769+PxTcHLs2h\nGIwmK2kCDbVjVwIhAO2stck8ixTUShU3+bXZOgaSuQwvjQe2Gf+7/bwLMSdN\n-----END CERTIFICATE-----\n";

    #[test]
    fn the_ca_bundle_is_decoded_from_describe_cluster_data() {
        let mut cluster = ClusterInventory::new("prod", "eu-west-1");
        assert!(
            cluster_ca(&cluster)
                .unwrap_err()
                .contains("no certificate authority")
        );
        cluster.cluster = Read::Got(sek_core::inventory::EksCluster {
            certificate_authority: Some(STANDARD.encode(CA)),
            ..Default::default()
        });
        let roots = cluster_ca(&cluster).unwrap();
        assert_eq!(roots.len(), 1);
        assert_eq!(roots, der_certificates(CA.as_bytes()));
        cluster.cluster.got_mut().unwrap().certificate_authority = Some(STANDARD.encode("junk"));
        assert!(
            cluster_ca(&cluster)
                .unwrap_err()
                .contains("no PEM certificate")
        );
    }
}
