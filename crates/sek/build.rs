//! Records the git commit sek is built from, for `sek --version`: `SEK_GIT_COMMIT` when set (a
//! container build without `.git` passes it), else `git describe` of the source tree, else
//! `unknown` (a source archive).

use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let output = Command::new("git").args(args).output().ok()?;
    let text = String::from_utf8(output.stdout).ok()?;
    (output.status.success() && !text.trim().is_empty()).then(|| text.trim().to_string())
}

fn main() {
    println!("cargo:rerun-if-env-changed=SEK_GIT_COMMIT");
    let commit = std::env::var("SEK_GIT_COMMIT")
        .ok()
        .filter(|c| !c.is_empty())
        .or_else(|| {
            let hash = git(&["rev-parse", "--short=12", "HEAD"])?;
            let date = git(&["log", "-1", "--format=%cs", "HEAD"]).unwrap_or_default();
            Some(format!("{hash} {date}").trim().to_string())
        })
        .unwrap_or_else(|| "unknown".to_string());
    println!("cargo:rustc-env=SEK_GIT_COMMIT={commit}");
    // Rebuild (this crate only) when HEAD moves: HEAD itself and the branch it points to.
    for path in [
        git(&["rev-parse", "--git-path", "HEAD"]),
        git(&["rev-parse", "--symbolic-full-name", "HEAD"])
            .and_then(|branch| git(&["rev-parse", "--git-path", &branch])),
        git(&["rev-parse", "--git-path", "packed-refs"]),
    ]
    .into_iter()
    .flatten()
    // A missing file would rerun this script on every build.
    .filter(|path| std::path::Path::new(path).exists())
    {
        // Relative to the current directory (the crate's), as git printed it.
        println!("cargo:rerun-if-changed={path}");
    }
}
