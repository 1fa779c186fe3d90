//! The clients' guard, credentials and error handling, against local listeners.

use std::error::Error as StdError;
use std::time::Duration;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_eks::error::SdkError;
use aws_sdk_sts::config::{Credentials, SharedCredentialsProvider};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_types::retry::RetryConfig;
use tokio::net::TcpListener;

use super::readonly::WriteRefused;
use super::*;

fn config(endpoint: &str) -> SdkConfig {
    SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("eu-west-1"))
        .endpoint_url(endpoint)
        .credentials_provider(SharedCredentialsProvider::new(Credentials::for_tests()))
        .retry_config(RetryConfig::disabled())
        .build()
}

fn refused<E: StdError + 'static>(err: &SdkError<E, HttpResponse>) -> bool {
    let mut source: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(e) = source {
        if e.downcast_ref::<WriteRefused>().is_some() {
            return true;
        }
        source = e.source();
    }
    false
}

/// Whether anything connects to `listener` within a short wait.
async fn connected(listener: &TcpListener) -> bool {
    tokio::time::timeout(Duration::from_millis(300), listener.accept())
        .await
        .is_ok()
}

#[tokio::test]
async fn every_client_refuses_writes_before_sending_and_lets_reads_through() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let clients = Aws::new(config(&endpoint), Budget::new(4, Progress::default())).unwrap();

    let err = clients
        .ec2
        .terminate_instances()
        .instance_ids("i-1")
        .send()
        .await
        .unwrap_err();
    assert!(refused(&err), "{err:?}");
    let err = clients
        .eks
        .delete_cluster()
        .name("prod")
        .send()
        .await
        .unwrap_err();
    assert!(refused(&err), "{err:?}");
    let err = clients
        .iam
        .delete_role()
        .role_name("node")
        .send()
        .await
        .unwrap_err();
    assert!(refused(&err), "{err:?}");
    let err = clients
        .autoscaling
        .delete_auto_scaling_group()
        .auto_scaling_group_name("asg")
        .send()
        .await
        .unwrap_err();
    assert!(refused(&err), "{err:?}");
    let err = clients
        .sts
        .decode_authorization_message()
        .encoded_message("x")
        .send()
        .await
        .unwrap_err();
    assert!(refused(&err), "{err:?}");
    let err = clients
        .kms
        .schedule_key_deletion()
        .key_id("k")
        .send()
        .await
        .unwrap_err();
    assert!(refused(&err), "{err:?}");
    let err = clients
        .logs
        .delete_log_group()
        .log_group_name("g")
        .send()
        .await
        .unwrap_err();
    assert!(refused(&err), "{err:?}");
    let err = clients
        .ecr
        .delete_repository()
        .repository_name("r")
        .send()
        .await
        .unwrap_err();
    assert!(refused(&err), "{err:?}");
    let err = clients
        .cloudtrail
        .stop_logging()
        .name("t")
        .send()
        .await
        .unwrap_err();
    assert!(refused(&err), "{err:?}");
    let err = clients
        .guardduty
        .delete_detector()
        .detector_id("d")
        .send()
        .await
        .unwrap_err();
    assert!(refused(&err), "{err:?}");
    let err = clients.inspector.disable().send().await.unwrap_err();
    assert!(refused(&err), "{err:?}");
    let err = clients
        .events
        .delete_rule()
        .name("r")
        .send()
        .await
        .unwrap_err();
    assert!(refused(&err), "{err:?}");
    let err = clients
        .organizations
        .create_account()
        .account_name("a")
        .email("a@example.com")
        .send()
        .await
        .unwrap_err();
    assert!(refused(&err), "{err:?}");
    assert!(
        !connected(&listener).await,
        "a refused write reached the network"
    );

    // The same clients do send reads (the endpoint is not an AWS service, so they then fail).
    let read = tokio::spawn(async move { clients.ec2.describe_instances().send().await });
    assert!(connected(&listener).await, "a read was not sent");
    read.abort();
}

#[test]
fn an_assumed_role_session_is_named_by_its_role() {
    assert_eq!(
        principal_of("arn:aws:sts::111122223333:assumed-role/SekAudit/sek"),
        "arn:aws:iam::111122223333:role/SekAudit"
    );
    assert_eq!(
        principal_of("arn:aws-cn:sts::111122223333:assumed-role/r/s"),
        "arn:aws-cn:iam::111122223333:role/r"
    );
    assert_eq!(
        principal_of("arn:aws:iam::111122223333:user/alice"),
        "arn:aws:iam::111122223333:user/alice"
    );
}

#[test]
fn error_chains_are_one_line_without_repeats() {
    let err = std::io::Error::other("tcp connect error:\n  Connection refused");
    assert_eq!(error_chain(&err), "tcp connect error: Connection refused");
}
