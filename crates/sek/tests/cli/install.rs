//! What installing sek brings: `--version` with the commit, shell completions for each shell
//! installed here, the man page.

use std::process::Command as Process;

use super::*;

/// Whether `program` is on PATH.
fn installed(program: &str) -> bool {
    Process::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

fn stdout_of(args: &[&str]) -> String {
    let output = sek_offline().args(args).output().unwrap();
    assert!(output.status.success(), "{args:?}");
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn version_names_the_commit_it_was_built_from() {
    let version = stdout_of(&["--version"]);
    let expected_commit = Process::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(repo())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8(o.stdout).unwrap().trim().to_string());
    assert!(
        version.starts_with(&format!("sek {} (", sek_core::VERSION)),
        "{version}"
    );
    if let Some(commit) = expected_commit {
        assert!(version.contains(&commit), "{version} should name {commit}");
    }
}

#[test]
fn bash_completion_completes_subcommands_and_flags() {
    let script = stdout_of(&["completions", "bash"]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sek.bash");
    std::fs::write(&path, script).unwrap();
    // Drive the completion function as bash does for `sek sc<TAB>` and `sek scan --che<TAB>`.
    let complete = |words: &str, current: usize| -> String {
        let output = Process::new("bash")
            .arg("-c")
            .arg(format!(
                "source {}; COMP_WORDS=({words}); COMP_CWORD={current}; COMP_LINE='{words}'; \
                 COMP_POINT=${{#COMP_LINE}}; _sek sek; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
                path.display()
            ))
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    };
    assert!(complete("sek sc", 1).lines().any(|l| l == "scan"));
    assert!(
        complete("sek scan --che", 2)
            .lines()
            .any(|l| l == "--checks")
    );
}

#[test]
fn completions_for_every_shell_and_each_installed_shell_parses_its_own() {
    for (shell, checker) in [
        ("bash", Some(("bash", "-n"))),
        ("zsh", Some(("zsh", "-n"))),
        ("fish", Some(("fish", "--no-execute"))),
        ("powershell", None),
        ("elvish", None),
    ] {
        let script = stdout_of(&["completions", shell]);
        assert!(script.contains("sek"), "{shell}");
        let Some((program, flag)) = checker.filter(|(p, _)| installed(p)) else {
            continue;
        };
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(format!("sek.{shell}"));
        std::fs::write(&path, &script).unwrap();
        let status = Process::new(program).arg(flag).arg(&path).status().unwrap();
        assert!(
            status.success(),
            "{program} {flag} rejects the {shell} script"
        );
    }
    sek_offline().args(["completions", "tcsh"]).assert().code(2);
}

#[test]
fn the_man_page_documents_the_commands() {
    let page = stdout_of(&["man"]);
    assert!(
        page.starts_with(".ie") || page.contains(".TH sek 1"),
        "{}",
        &page[..200]
    );
    assert!(page.contains("completions") && page.contains("scan"));
    if installed("groff") {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sek.1");
        std::fs::write(&path, &page).unwrap();
        let output = Process::new("groff")
            .args(["-man", "-Tutf8"])
            .arg(&path)
            .output()
            .unwrap();
        assert!(output.status.success());
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(text.contains("security posture scanner"), "{text}");
    }
}

/// Every container of `manifest` (a multi-document YAML file) that runs the sek image.
fn sek_containers(manifest: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(repo().join(manifest)).unwrap();
    let documents: Vec<Value> = serde_saphyr::from_multiple(&text).unwrap();
    let mut containers = Vec::new();
    for document in &documents {
        for field in ["apiVersion", "kind"] {
            assert!(
                document[field].is_string(),
                "{manifest}: a document without {field}"
            );
        }
        assert!(
            document["metadata"]["name"].is_string(),
            "{manifest}: unnamed object"
        );
        let pod = match document["kind"].as_str().unwrap() {
            "CronJob" => &document["spec"]["jobTemplate"]["spec"]["template"]["spec"],
            "Job" => &document["spec"]["template"]["spec"],
            _ => continue,
        };
        for list in ["initContainers", "containers"] {
            for container in pod[list].as_array().into_iter().flatten() {
                if container["image"].as_str().unwrap().contains("/sek:") {
                    containers.push(container.clone());
                }
            }
        }
    }
    containers
}

#[test]
fn the_manifests_run_the_image_the_dockerfile_builds_with_arguments_sek_accepts() {
    let dockerfile = std::fs::read_to_string(repo().join("Dockerfile")).unwrap();
    // Base images are build arguments; the binary the build stage installs is the entrypoint;
    // the image runs as a numeric non-root user.
    assert!(dockerfile.contains("ARG BUILD_IMAGE=") && dockerfile.contains("ARG RUNTIME_IMAGE="));
    assert!(
        dockerfile.contains("FROM ${BUILD_IMAGE} AS build")
            && dockerfile.contains("FROM ${RUNTIME_IMAGE}")
    );
    assert!(dockerfile.contains("install -D -m 0755 target/release/sek /out/usr/local/bin/sek"));
    assert!(dockerfile.contains("ENTRYPOINT [\"/usr/local/bin/sek\"]"));
    assert!(dockerfile.contains("USER 65532:65532"));

    let mut seen = 0;
    for manifest in ["docs/sek-fleet-cronjob.yaml", "docs/sek-node-job.yaml"] {
        for container in sek_containers(manifest) {
            seen += 1;
            assert_eq!(container["image"], "REGISTRY/sek:0.1.0", "{manifest}");
            assert!(
                container["command"].is_null(),
                "{manifest}: the image's entrypoint is sek"
            );
            let args: Vec<&str> = container["args"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_str().unwrap())
                .collect();
            // The arguments parse: with --help at the end, sek prints that subcommand's help.
            sek_offline()
                .args(&args)
                .arg("--help")
                .assert()
                .success()
                .stdout(predicate::str::contains("Usage: sek"));
        }
    }
    assert_eq!(seen, 3, "the account scan, the merge and the node Job");
}
