//! Packaging judged by krew itself, built from sigs.k8s.io/krew through the Go module proxy
//! (scripts/lib/krew.sh): its validator accepts the checked-in manifest and one the release
//! script wrote, and rejects a broken selector and an archive without a LICENSE (proof it can
//! fail); `kubectl krew install --manifest --archive` puts a working `kubectl zk` on PATH that
//! talks to the test cluster; `kubectl krew uninstall zk` leaves nothing behind.

mod common;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use common::cluster::Cluster;
use common::{kubectl, plugin, root, stderr, stdout};
use serde_json::Value;

/// The directory holding `krew`, `kubectl-krew` and `validate-krew-manifest`.
fn krew_tools() -> PathBuf {
    if let Some(dir) = std::env::var_os("KZK_KREW_BIN") {
        return PathBuf::from(dir);
    }
    let out = Command::new("bash")
        .arg(root().join("scripts/lib/krew.sh"))
        .output()
        .expect("bash runs");
    assert!(out.status.success(), "building krew: {}", stderr(&out));
    PathBuf::from(stdout(&out).trim())
}

/// A PATH with real kubectl and krew as its plugin first.
fn path_with_krew(dir: &Path, tools: &Path) -> String {
    let bin = dir.join("path");
    std::fs::create_dir_all(&bin).expect("mkdir");
    for (name, target) in [
        ("kubectl", kubectl(33)),
        ("kubectl-krew", tools.join("krew")),
    ] {
        let link = bin.join(name);
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink(target, link).expect("symlink");
    }
    format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

fn validate(tools: &Path, path: &str, manifest: &Path, install: bool) -> Output {
    let mut cmd = Command::new(tools.join("validate-krew-manifest"));
    cmd.arg("-manifest").arg(manifest).env("PATH", path);
    if !install {
        cmd.arg("-skip-install");
    }
    cmd.output().expect("the validator runs")
}

fn manifest_value(path: &Path) -> Value {
    serde_saphyr::from_str(&std::fs::read_to_string(path).expect("manifest")).expect("YAML")
}

/// The manifest with only its linux/amd64 platform (what can be built and served here),
/// written as JSON (which is YAML).
fn only_linux_amd64(manifest: &Value, archive_uri: Option<&str>, sha: Option<&str>) -> Value {
    let mut out = manifest.clone();
    let platforms = out["spec"]["platforms"].as_array_mut().expect("platforms");
    platforms.retain(|p| {
        p["selector"]["matchLabels"]["os"] == "linux"
            && p["selector"]["matchLabels"]["arch"] == "amd64"
    });
    assert_eq!(platforms.len(), 1);
    if let Some(uri) = archive_uri {
        platforms[0]["uri"] = Value::from(uri);
    }
    if let Some(sha) = sha {
        platforms[0]["sha256"] = Value::from(sha);
    }
    out
}

/// Writes a manifest as `<dir>/<case>/zk.yaml` (krew wants the file named after the plugin).
fn write_manifest(dir: &Path, case: &str, value: &Value) -> PathBuf {
    let path = dir.join(case).join("zk.yaml");
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(&path, serde_json::to_string_pretty(value).expect("JSON")).expect("write");
    path
}

/// A file server for the archives (krew's validator installs from each platform's uri).
struct Server(Child, u16);

impl Server {
    fn start(dir: &Path) -> Server {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let server = Server(
            Command::new("python3")
                .args([
                    "-m",
                    "http.server",
                    &port.to_string(),
                    "--bind",
                    "127.0.0.1",
                ])
                .current_dir(dir)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("python3 serves"),
            port,
        );
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return server;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!("the file server did not start");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn sha256(path: &Path) -> String {
    let out = Command::new("sha256sum")
        .arg(path)
        .output()
        .expect("sha256sum");
    stdout(&out)
        .split_whitespace()
        .next()
        .expect("a hash")
        .to_owned()
}

#[test]
fn krew_validates_installs_and_uninstalls_the_plugin() {
    let tools = krew_tools();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = path_with_krew(dir.path(), &tools);
    let checked_in = root().join("plugin-manifest/zk.yaml");

    // The checked-in manifest passes krew's own structural checks.
    let out = validate(&tools, &path, &checked_in, false);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    // Proof the validator can fail: two platforms selecting linux/amd64.
    let mut broken = manifest_value(&checked_in);
    let first = broken["spec"]["platforms"][0].clone();
    broken["spec"]["platforms"][1]["selector"] = first["selector"].clone();
    let broken_path = write_manifest(dir.path(), "broken", &broken);
    let out = validate(&tools, &path, &broken_path, false);
    assert!(!out.status.success(), "a broken selector passed");
    assert!(stderr(&out).contains("overlapping"), "{}", stderr(&out));

    // The release script's archive and manifest, served over HTTP: the validator installs it.
    let dist = dir.path().join("dist");
    let served = Server::start(&{
        std::fs::create_dir_all(&dist).expect("mkdir");
        dist.clone()
    });
    std::fs::create_dir_all(dir.path().join("release")).expect("mkdir");
    let released = dir.path().join("release/zk.yaml");
    std::fs::copy(&checked_in, &released).expect("copy");
    let out = Command::new("bash")
        .arg(root().join("scripts/release.sh"))
        .arg("--binary")
        .arg(plugin())
        .args(["--platform", "linux_amd64", "--out"])
        .arg(&dist)
        .arg("--manifest")
        .arg(&released)
        .args(["--uri-base", &format!("http://127.0.0.1:{}", served.1)])
        .output()
        .expect("release.sh runs");
    assert!(out.status.success(), "{}", stderr(&out));
    let archive = dist.join("kubectl-zk_v0.1.0_linux_amd64.tar.gz");
    let written = manifest_value(&released);
    let platform = written["spec"]["platforms"]
        .as_array()
        .expect("platforms")
        .iter()
        .find(|p| {
            p["selector"]["matchLabels"]["arch"] == "amd64"
                && p["selector"]["matchLabels"]["os"] == "linux"
        })
        .expect("linux/amd64")
        .clone();
    assert_eq!(
        platform["sha256"],
        sha256(&archive),
        "release.sh wrote the archive's sha256"
    );
    let one = write_manifest(
        dir.path(),
        "released",
        &only_linux_amd64(&written, None, None),
    );
    let out = validate(&tools, &path, &one, true);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));

    // Proof it checks archives: one without a LICENSE is rejected.
    let bare = dir.path().join("bare");
    std::fs::create_dir_all(bare.join("completions")).expect("mkdir");
    std::fs::copy(
        root().join("completions/kubectl_complete-zk"),
        bare.join("completions/kubectl_complete-zk"),
    )
    .expect("copy");
    std::fs::write(bare.join("kubectl-zk"), "#!/bin/sh\necho fake\n").expect("write");
    let bad_archive = dist.join("no-license.tar.gz");
    assert!(
        Command::new("tar")
            .arg("-C")
            .arg(&bare)
            .arg("-czf")
            .arg(&bad_archive)
            .arg(".")
            .status()
            .expect("tar")
            .success()
    );
    let bad = write_manifest(
        dir.path(),
        "no-license",
        &only_linux_amd64(
            &written,
            Some(&format!("http://127.0.0.1:{}/no-license.tar.gz", served.1)),
            Some(&sha256(&bad_archive)),
        ),
    );
    let out = validate(&tools, &path, &bad, true);
    assert!(!out.status.success(), "an archive without LICENSE passed");
    assert!(
        format!("{}{}", stdout(&out), stderr(&out)).contains("LICENSE"),
        "{}",
        stderr(&out)
    );

    // krew install from the local archive: `kubectl zk` on PATH, working against a cluster.
    let krew_root = dir.path().join("krew-root");
    let krew = |args: &[&str]| {
        Command::new(kubectl(33))
            .args(args)
            .env("PATH", &path)
            .env("KREW_ROOT", &krew_root)
            .output()
            .expect("kubectl runs")
    };
    let out = krew(&[
        "krew",
        "install",
        &format!("--manifest={}", one.display()),
        &format!("--archive={}", archive.display()),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let with_plugin = format!("{}:{path}", krew_root.join("bin").display());
    let cluster = Cluster::start(3);
    cluster.install(&[]);
    for (args, expected) in [
        (&["zk", "version"][..], "Server Version: v1.37"),
        (&["zk", "status"][..], "leader"),
    ] {
        let out = Command::new(kubectl(33))
            .args(args)
            .arg("--kubeconfig")
            .arg(&cluster.kubeconfig)
            .env("PATH", &with_plugin)
            .env("NO_COLOR", "1")
            .output()
            .expect("kubectl runs");
        assert!(out.status.success(), "kubectl {args:?}: {}", stderr(&out));
        assert!(
            stdout(&out).contains(expected),
            "kubectl {args:?}: {}",
            stdout(&out)
        );
    }

    // Uninstall leaves nothing of the plugin. (krew refuses to run most commands before its
    // plugin index is cloned by `kubectl krew update`, which needs GitHub; an empty clone stands
    // in for it, as on a machine that updated once and is offline now.)
    let index = krew_root.join("index/default");
    std::fs::create_dir_all(&index).expect("mkdir");
    assert!(
        Command::new("git")
            .args(["init", "-q"])
            .arg(&index)
            .status()
            .expect("git")
            .success()
    );
    let out = krew(&["krew", "uninstall", "zk"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        !krew_root.join("bin/kubectl-zk").exists(),
        "the symlink stayed"
    );
    assert!(
        !krew_root.join("store/zk").exists(),
        "the plugin's files stayed"
    );
    assert!(
        !krew_root.join("receipts/zk.yaml").exists(),
        "the receipt stayed"
    );
}
