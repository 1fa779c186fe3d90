//! Throttling, and scans that cannot run at all.

use super::*;

#[test]
fn throttled_requests_are_retried_to_the_same_verdicts() {
    let moto = Moto::start();
    moto.build(&["secure", "insecure", "region-hardened"]);
    let proxy = ThrottleProxy::start(&moto.endpoint(), &["--every", "3"]);
    for cluster in ["secure", "insecure"] {
        let direct = scan_json(sek(&moto.endpoint()), cluster, &[]);
        let throttled = scan_json(sek(&proxy.endpoint()), cluster, &[]);
        assert_eq!(
            direct["clusters"][0]["results"],
            throttled["clusters"][0]["results"]
        );
        // The same reads fail (moto's missing APIs), and none for throttling.
        assert_eq!(
            direct["clusters"][0]["collection_errors"],
            throttled["clusters"][0]["collection_errors"]
        );
    }
    let throttled: u64 = proxy.throttled().values().sum();
    assert!(
        throttled >= 10,
        "the proxy throttled only {throttled} requests"
    );
}

/// An API that keeps answering HTTP 500 gets a few attempts, not the throttling budget: the scan
/// goes on, that data's check is an error naming it, everything else is judged as without it.
#[test]
fn a_persistent_server_error_gets_a_small_retry_budget_and_an_error() {
    let moto = Moto::start();
    moto.build(&["secure"]);
    let proxy = ThrottleProxy::start(&moto.endpoint(), &["--fail", "DescribeVolumes"]);
    let direct = scan_json(sek(&moto.endpoint()), "secure", &[]);
    let started = std::time::Instant::now();
    let report = scan_json(sek(&proxy.endpoint()), "secure", &["--max-attempts", "8"]);
    let elapsed = started.elapsed();
    let mut expected = verdicts(&direct);
    expected.insert("node-volumes".into(), "error".into());
    assert_eq!(verdicts(&report), expected);
    let message = messages(&report, "node-volumes");
    assert!(message.contains("ec2:DescribeVolumes"), "{message}");
    // Three attempts of the one request, not the eight --max-attempts allows throttling.
    assert_eq!(proxy.failed()["DescribeVolumes"], 3, "{:?}", proxy.failed());
    eprintln!("scan against an always-500 DescribeVolumes: {elapsed:?}");
}

#[test]
fn throttling_that_outlasts_the_retries_is_an_error_for_that_data_only() {
    let moto = Moto::start();
    moto.build(&["secure"]);
    let proxy = ThrottleProxy::start(&moto.endpoint(), &["--always", "DescribeVolumes"]);
    let direct = scan_json(sek(&moto.endpoint()), "secure", &[]);
    let report = scan_json(sek(&proxy.endpoint()), "secure", &["--max-attempts", "2"]);
    let mut expected = verdicts(&direct);
    expected.insert("node-volumes".into(), "error".into());
    assert_eq!(verdicts(&report), expected);
    assert!(messages(&report, "node-volumes").contains("ec2:DescribeVolumes (throttled)"));
    assert_eq!(
        proxy.throttled()["DescribeVolumes"],
        2,
        "one request, two attempts"
    );
}

/// The scan cannot run: exit 3, a one-line error and a help line, no panic.
fn assert_cannot_scan(output: std::process::Output, error: &str) {
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(output.stdout.is_empty());
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{stderr}");
    assert!(
        lines[0].starts_with("error: ") && lines[0].contains(error),
        "{stderr}"
    );
    assert!(lines[1].starts_with("  help: "), "{stderr}");
    assert!(
        !stderr.contains("panicked") && !stderr.contains("backtrace"),
        "{stderr}"
    );
}

#[test]
fn an_unknown_cluster_missing_credentials_or_an_unreachable_endpoint_stop_with_exit_3() {
    let moto = Moto::start();
    moto.build(&["empty"]);

    let output = sek(&moto.endpoint())
        .args(["scan", "--cluster", "emtpy"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    assert_cannot_scan(output, "cluster `emtpy` was not found in eu-west-1");
    assert!(stderr.contains("did you mean `empty`?"), "{stderr}");

    let output = sek_offline()
        .env("AWS_ENDPOINT_URL", moto.endpoint())
        .env("AWS_REGION", "eu-west-1")
        .args(["scan", "--cluster", "empty"])
        .output()
        .unwrap();
    assert_cannot_scan(output, "no usable AWS credentials");

    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let output = sek(&format!("http://127.0.0.1:{closed}"))
        .args(["scan", "--cluster", "empty", "--max-attempts", "1"])
        .output()
        .unwrap();
    assert_cannot_scan(output, "cannot reach AWS");

    let output = sek_offline()
        .args(["collect", "--cluster", "empty"])
        .output()
        .unwrap();
    assert_cannot_scan(output, "no AWS region is configured");
}
