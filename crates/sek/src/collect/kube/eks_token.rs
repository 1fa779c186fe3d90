//! EKS authentication inside sek: the bearer token `aws eks get-token` makes, from the same AWS
//! credentials that read the AWS side (an assumed role's in a fleet scan), with no AWS CLI, exec
//! plugin or kubeconfig.
//!
//! The token is `k8s-aws-v1.` and the base64url (unpadded) of a presigned STS
//! GetCallerIdentity URL whose signature covers the header `x-k8s-aws-id: <cluster name>`. EKS's
//! authenticator calls that URL with its own cluster's name in the header: STS answers only if
//! the signature matches, so a token is good for one cluster, and tells EKS who the caller is.
//! EKS accepts a token for 15 minutes after it was signed; sek makes a new one after 10.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant, SystemTime};

use aws_credential_types::Credentials;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_sigv4::http_request::{
    SignableBody, SignableRequest, SignatureLocation, SigningSettings, sign,
};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http::{HeaderValue, Request};
use tower::BoxError;

/// The header the token's signature binds to the cluster's name.
pub const CLUSTER_ID_HEADER: &str = "x-k8s-aws-id";
/// How long the presigned URL itself is valid for STS (as `aws eks get-token` presigns it).
const PRESIGNED_FOR: Duration = Duration::from_secs(60);
/// A token is replaced after this long; EKS accepts one for 15 minutes after signing.
pub const REFRESH_AFTER: Duration = Duration::from_secs(10 * 60);

/// Why a token could not be made.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// The AWS credentials could not be obtained.
    #[error("no AWS credentials to make an EKS token from: {0}")]
    Credentials(String),
    /// The STS endpoint could not be resolved.
    #[error("cannot resolve the STS endpoint for {region}: {message}")]
    Endpoint {
        /// The region.
        region: String,
        /// The resolver's error.
        message: String,
    },
    /// Signing failed (a malformed endpoint or header value).
    #[error("cannot sign the EKS token: {0}")]
    Signing(String),
}

/// The token for `cluster`: a presigned `GET {sts_endpoint}/?Action=GetCallerIdentity` signed
/// at `now` for `region`, with `x-k8s-aws-id: cluster` among the signed headers.
pub fn presigned_token(
    credentials: &Credentials,
    sts_endpoint: &str,
    region: &str,
    cluster: &str,
    now: SystemTime,
) -> Result<String, TokenError> {
    let url = format!(
        "{}/?Action=GetCallerIdentity&Version=2011-06-15",
        sts_endpoint.trim_end_matches('/')
    );
    let identity: Identity = credentials.clone().into();
    let mut settings = SigningSettings::default();
    settings.signature_location = SignatureLocation::QueryParams;
    settings.expires_in = Some(PRESIGNED_FOR);
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name("sts")
        .time(now)
        .settings(settings)
        .build()
        .map_err(|e| TokenError::Signing(e.to_string()))?
        .into();
    let signable = SignableRequest::new(
        "GET",
        url.as_str(),
        std::iter::once((CLUSTER_ID_HEADER, cluster)),
        // A GET has an empty body; STS hashes it as such (not UNSIGNED-PAYLOAD).
        SignableBody::Bytes(&[]),
    )
    .map_err(|e| TokenError::Signing(e.to_string()))?;
    let (instructions, _signature) = sign(signable, &params)
        .map_err(|e| TokenError::Signing(e.to_string()))?
        .into_parts();
    let mut request = Request::builder()
        .uri(url.as_str())
        .body(())
        .map_err(|e| TokenError::Signing(e.to_string()))?;
    instructions.apply_to_request_http1x(&mut request);
    Ok(format!(
        "k8s-aws-v1.{}",
        URL_SAFE_NO_PAD.encode(request.uri().to_string())
    ))
}

/// The STS endpoint a token is presigned for: the regional one the SDK resolves for `region`
/// (partition and FIPS aware), or the configured endpoint override (`AWS_ENDPOINT_URL`).
pub async fn sts_endpoint(
    config: &aws_config::SdkConfig,
    region: &str,
) -> Result<String, TokenError> {
    use aws_sdk_sts::config::endpoint::{DefaultResolver, Params, ResolveEndpoint};
    let failed = |message: String| TokenError::Endpoint {
        region: region.to_string(),
        message,
    };
    let params = Params::builder()
        .region(region)
        .use_fips(config.use_fips().unwrap_or(false))
        .use_dual_stack(config.use_dual_stack().unwrap_or(false))
        .set_endpoint(config.endpoint_url().map(String::from))
        .build()
        .map_err(|e| failed(e.to_string()))?;
    let endpoint = DefaultResolver::new()
        .resolve_endpoint(&params)
        .await
        .map_err(|e| failed(e.to_string()))?;
    Ok(endpoint.url().to_string())
}

/// Tokens for one cluster, made from a credentials provider and replaced before they expire.
pub struct TokenSource {
    cluster: String,
    region: String,
    sts_endpoint: String,
    credentials: SharedCredentialsProvider,
    current: tokio::sync::Mutex<Option<(String, Instant)>>,
}

impl std::fmt::Debug for TokenSource {
    // Never the token.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSource")
            .field("cluster", &self.cluster)
            .field("sts_endpoint", &self.sts_endpoint)
            .finish()
    }
}

impl TokenSource {
    /// Tokens for `cluster` in `region`, presigned for `sts_endpoint`.
    pub fn new(
        cluster: &str,
        region: &str,
        sts_endpoint: String,
        credentials: SharedCredentialsProvider,
    ) -> TokenSource {
        TokenSource {
            cluster: cluster.to_string(),
            region: region.to_string(),
            sts_endpoint,
            credentials,
            current: tokio::sync::Mutex::new(None),
        }
    }

    /// A token that EKS still accepts for at least five minutes.
    pub async fn token(&self) -> Result<String, TokenError> {
        let mut current = self.current.lock().await;
        if let Some((token, made)) = current.as_ref()
            && made.elapsed() < REFRESH_AFTER
        {
            return Ok(token.clone());
        }
        let credentials = self
            .credentials
            .provide_credentials()
            .await
            .map_err(|e| TokenError::Credentials(super::error_chain(&e)))?;
        let token = presigned_token(
            &credentials,
            &self.sts_endpoint,
            &self.region,
            &self.cluster,
            SystemTime::now(),
        )?;
        *current = Some((token.clone(), Instant::now()));
        Ok(token)
    }

    #[cfg(test)]
    fn age_by(&self, by: Duration) {
        if let Some((_, made)) = self.current.try_lock().unwrap().as_mut() {
            *made -= by;
        }
    }
}

/// A tower layer that sets `Authorization: Bearer <token>` on every request of a kube client,
/// from a [`TokenSource`].
#[derive(Clone, Debug)]
pub struct EksAuthLayer(pub Arc<TokenSource>);

impl<S> tower::Layer<S> for EksAuthLayer {
    type Service = EksAuth<S>;

    fn layer(&self, inner: S) -> EksAuth<S> {
        EksAuth {
            inner,
            source: self.0.clone(),
            pending: None,
            token: None,
        }
    }
}

type TokenFuture = Pin<Box<dyn Future<Output = Result<String, TokenError>> + Send>>;

/// The service of [`EksAuthLayer`]: it gets a token while it gets ready (the token may need
/// fresh credentials), then sets it on the request it is called with.
pub struct EksAuth<S> {
    inner: S,
    source: Arc<TokenSource>,
    pending: Option<TokenFuture>,
    token: Option<String>,
}

impl<S, B> tower::Service<Request<B>> for EksAuth<S>
where
    S: tower::Service<Request<B>>,
    S::Error: Into<BoxError>,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<S::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        if self.token.is_none() {
            let source = &self.source;
            let pending = self.pending.get_or_insert_with(|| {
                let source = source.clone();
                Box::pin(async move { source.token().await })
            });
            match pending.as_mut().poll(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(result) => {
                    self.pending = None;
                    self.token = Some(result?);
                }
            }
        }
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, mut request: Request<B>) -> Self::Future {
        let token = self.token.take().unwrap_or_default();
        match HeaderValue::try_from(format!("Bearer {token}")) {
            Ok(mut value) => {
                value.set_sensitive(true);
                request
                    .headers_mut()
                    .insert(http::header::AUTHORIZATION, value);
                let response = self.inner.call(request);
                Box::pin(async move { response.await.map_err(Into::into) })
            }
            Err(e) => Box::pin(async move { Err(e.into()) }),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn decode(token: &str) -> url::Url {
        let encoded = token.strip_prefix("k8s-aws-v1.").expect("prefix");
        assert!(!encoded.contains('='), "unpadded base64url");
        let url = String::from_utf8(URL_SAFE_NO_PAD.decode(encoded).unwrap()).unwrap();
        url::Url::parse(&url).unwrap()
    }

    fn query(url: &url::Url) -> BTreeMap<String, String> {
        url.query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }

    #[test]
    fn the_token_is_a_presigned_get_caller_identity_bound_to_the_cluster() {
        let credentials = Credentials::new("AKIDEXAMPLE", "secret", None, None, "test");
        let at = SystemTime::UNIX_EPOCH + Duration::from_secs(1_764_979_200); // 2025-12-06
        let token = presigned_token(
            &credentials,
            "https://sts.eu-west-1.amazonaws.com",
            "eu-west-1",
            "prod",
            at,
        )
        .unwrap();
        let url = decode(&token);
        assert_eq!(url.host_str(), Some("sts.eu-west-1.amazonaws.com"));
        assert_eq!(url.path(), "/");
        let q = query(&url);
        assert_eq!(q["Action"], "GetCallerIdentity");
        assert_eq!(q["Version"], "2011-06-15");
        assert_eq!(q["X-Amz-Algorithm"], "AWS4-HMAC-SHA256");
        assert_eq!(
            q["X-Amz-Credential"],
            "AKIDEXAMPLE/20251206/eu-west-1/sts/aws4_request"
        );
        assert_eq!(q["X-Amz-Date"], "20251206T000000Z");
        assert_eq!(q["X-Amz-Expires"], "60");
        assert_eq!(q["X-Amz-SignedHeaders"], "host;x-k8s-aws-id");
        assert_eq!(q["X-Amz-Signature"].len(), 64);
        assert!(!q.contains_key("X-Amz-Security-Token"));
        // Another cluster name, same moment: another signature.
        let other = presigned_token(
            &credentials,
            "https://sts.eu-west-1.amazonaws.com",
            "eu-west-1",
            "staging",
            at,
        )
        .unwrap();
        assert_ne!(
            query(&decode(&other))["X-Amz-Signature"],
            q["X-Amz-Signature"]
        );
    }

    #[test]
    fn session_credentials_sign_their_token_into_the_url() {
        let credentials = Credentials::new(
            "ASIAEXAMPLE",
            "secret",
            Some("session/token+=".into()),
            None,
            "test",
        );
        let token = presigned_token(
            &credentials,
            "http://127.0.0.1:5000/",
            "eu-west-1",
            "prod",
            SystemTime::now(),
        )
        .unwrap();
        let url = decode(&token);
        assert_eq!(
            url.as_str().split('?').next(),
            Some("http://127.0.0.1:5000/")
        );
        assert_eq!(query(&url)["X-Amz-Security-Token"], "session/token+=");
    }

    #[tokio::test]
    async fn tokens_are_reused_then_replaced_before_eks_would_refuse_them() {
        let credentials = Credentials::new("AKIDEXAMPLE", "secret", None, None, "test");
        let source = TokenSource::new(
            "prod",
            "eu-west-1",
            "https://sts.eu-west-1.amazonaws.com".into(),
            SharedCredentialsProvider::new(credentials),
        );
        let first = source.token().await.unwrap();
        assert_eq!(source.token().await.unwrap(), first, "reused while fresh");
        // Signed in another second, the URL (and so the token) differs.
        tokio::time::sleep(Duration::from_millis(1100)).await;
        source.age_by(REFRESH_AFTER);
        let second = source.token().await.unwrap();
        assert_ne!(second, first, "replaced after {REFRESH_AFTER:?}");
        assert!(REFRESH_AFTER < Duration::from_secs(15 * 60) - Duration::from_secs(60));
    }

    #[tokio::test]
    async fn the_sts_endpoint_is_regional_or_the_override() {
        let config = aws_config::SdkConfig::builder()
            .behavior_version(aws_config::BehaviorVersion::latest())
            .build();
        assert_eq!(
            sts_endpoint(&config, "eu-west-1").await.unwrap(),
            "https://sts.eu-west-1.amazonaws.com"
        );
        assert_eq!(
            sts_endpoint(&config, "cn-north-1").await.unwrap(),
            "https://sts.cn-north-1.amazonaws.com.cn"
        );
        let config = config
            .to_builder()
            .endpoint_url("http://127.0.0.1:5000")
            .build();
        assert_eq!(
            sts_endpoint(&config, "eu-west-1").await.unwrap(),
            "http://127.0.0.1:5000"
        );
    }
}
