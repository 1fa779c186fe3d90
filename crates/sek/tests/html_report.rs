//! The HTML report in a real browser (Debian's headless Chromium, installed by
//! scripts/setup-test-env.sh): it renders, its script's counts match the report, and hostile
//! names from the scanned environment stay text.

mod support;

use std::path::Path;
use std::process::Command;

use serde_json::Value;
use support::sek_offline;

/// The DOM after the page's scripts ran.
fn rendered_dom(page: &Path, profile: &Path) -> String {
    let output = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium is missing: run scripts/setup-test-env.sh");
    assert!(
        output.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// The count the page's script wrote for `status`.
fn js_count(dom: &str, status: &str) -> u64 {
    let marker = format!("id=\"js-count-{status}\"");
    let at = dom
        .find(&marker)
        .unwrap_or_else(|| panic!("no {marker} in the rendered page"));
    let rest = &dom[at..];
    let start = rest.find('>').unwrap() + 1;
    let end = rest[start..].find('<').unwrap() + start;
    rest[start..end].parse().unwrap()
}

#[test]
fn the_html_report_renders_counts_right_and_escapes_hostile_names() {
    let dir = tempfile::tempdir().unwrap();
    let hostile = "<script>document.title='pwned'</script><img src=x onerror=\"document.body.dataset.pwned=1\">";
    let mut inventory: Value =
        serde_json::from_str(include_str!("../../../testdata/demo-snapshot.json")).unwrap();
    inventory["clusters"][0]["name"] = Value::String(hostile.into());
    for group in inventory["clusters"][0]["security_groups"]
        .as_array_mut()
        .unwrap()
    {
        group["name"] = Value::String(format!("{}{hostile}", group["name"].as_str().unwrap()));
    }
    let snapshot = dir.path().join("hostile.json");
    std::fs::write(&snapshot, inventory.to_string()).unwrap();
    let page = dir.path().join("report.html");
    let json = dir.path().join("report.json");
    sek_offline()
        .args(["scan", "--snapshot"])
        .arg(&snapshot)
        .arg("-o")
        .arg(format!("html={}", page.display()))
        .arg("-o")
        .arg(&json)
        .assert()
        .code(1);

    let dom = rendered_dom(&page, &dir.path().join("profile"));
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    for status in [
        "pass",
        "fail",
        "error",
        "manual",
        "skipped",
        "waived",
        "not-applicable",
    ] {
        let key = status.replace('-', "_");
        assert_eq!(
            js_count(&dom, status),
            report["summary"][&key].as_u64().unwrap(),
            "{status}"
        );
    }
    let results = sek_core::checks::ALL.len();
    assert!(
        dom.contains(&format!("{results} of {results} check results shown")),
        "the filter script did not run"
    );

    assert!(!dom.contains("pwned\""), "an injected handler ran");
    assert!(!dom.contains("<title>pwned"), "an injected script ran");
    assert!(
        !dom.contains("<img src=\"x\""),
        "an injected element exists"
    );
    assert!(
        dom.contains("&lt;script&gt;document.title='pwned'&lt;/script&gt;"),
        "the name is not shown as text"
    );
}
