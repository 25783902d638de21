//! Helpers shared by the integration tests: the built binary, the real kubectl binaries
//! installed on the machine, the Python virtualenv the test command prepares, and a test
//! cluster ([`cluster`]).

#![allow(dead_code)]

pub mod cluster;
pub mod writer;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The `kubectl-zk` binary cargo built for these tests.
pub fn plugin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_kubectl-zk"))
}

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the plugin with `args` and no kubeconfig in reach.
pub fn zk(args: &[&str]) -> Output {
    Command::new(plugin())
        .args(args)
        .env("KUBECONFIG", "/nonexistent/kubeconfig")
        .env_remove("KUBERNETES_SERVICE_HOST")
        .env("NO_COLOR", "1")
        .output()
        .expect("the plugin runs")
}

/// stdout as text.
pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// stderr as text.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A real kubectl of this minor version (1.27–1.33), installed beside the machine's
/// `kubectl` dispatcher. Panics with the reason when it is missing: these tests must not
/// pass without the real client.
pub fn kubectl(minor: u32) -> PathBuf {
    let dispatcher =
        which("kubectl").expect("kubectl is on PATH (see shared/notes/build-machine.md)");
    let real = std::fs::canonicalize(&dispatcher).unwrap_or(dispatcher);
    let dir = real.parent().expect("kubectl has a directory");
    let versioned = dir.join(format!("kubectl.1.{minor}"));
    assert!(versioned.exists(), "{} is missing", versioned.display());
    versioned
}

/// The first executable called `name` on PATH.
pub fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(name))
            .find(|candidate| candidate.is_file())
    })
}

/// Asserts a command's exit code, showing its stdout and stderr when it differs.
pub fn assert_exit(output: &Output, code: i32) {
    assert_eq!(
        output.status.code(),
        Some(code),
        "{}{}",
        stdout(output),
        stderr(output)
    );
}

/// The Python of the test virtualenv (kubernetes-validate, PyYAML, kazoo).
pub fn python() -> PathBuf {
    let path = std::env::var_os("KZK_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join(".venv/bin/python"));
    assert!(
        path.exists(),
        "{} is missing: run the README's test command (bash scripts/test.sh), which creates it",
        path.display()
    );
    path
}

/// A directory for PATH holding only kubectl-zk and its completion helpers, as an
/// installation would (no build leftovers such as `kubectl-zk.d`).
pub fn plugin_path_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    link(&plugin(), &dir.path().join("kubectl-zk"));
    for helper in ["kubectl_complete-zk", "oc_complete-zk"] {
        link(
            &root().join("completions").join(helper),
            &dir.path().join(helper),
        );
    }
    dir
}

fn link(from: &Path, to: &Path) {
    std::os::unix::fs::symlink(from, to).expect("symlink");
}

/// PATH with `dir` first, then the system directories (for `sh`).
pub fn path_with(dir: &Path) -> String {
    format!("{}:/usr/local/bin:/usr/bin:/bin", dir.display())
}

/// Validates `json` (one document, or JSON lines) against the schema of `kind`.
pub fn assert_valid(kind: &str, json: &str) {
    let mut child = Command::new(python())
        .arg(root().join("tests/support/validate_output.py"))
        .arg(kind)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the validator runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(json.as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("the validator ends");
    assert!(
        out.status.success(),
        "{kind} does not validate: {}{}\n{json}",
        stdout(&out),
        stderr(&out)
    );
}
