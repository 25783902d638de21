//! The release cache the test command fills (`scripts/lib/zookeeper.sh`): a release is fetched
//! from Maven Central once, into `$KZK_ZOOKEEPER_CACHE/<version>/lib` with a `COMPLETE` file
//! written last; a second run fetches nothing (it does not even start Maven). The versions are
//! 3.4.10, the newest 3.8 and the plugin's default image's.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::{root, stderr, stdout};
use kubectl_zk::manifest::options::OFFICIAL_IMAGE;

/// Runs `script` in bash after sourcing `scripts/lib/zookeeper.sh`, with the cache at `cache`
/// and, when `no_maven`, an `mvn` on PATH that fails: a run that needs Maven then fails.
fn with_library(script: &str, cache: &Path, no_maven: bool) -> Output {
    let stub = tempfile::tempdir().expect("temp dir");
    let mvn = stub.path().join("mvn");
    std::fs::write(&mvn, "#!/bin/sh\necho 'mvn must not run' >&2\nexit 99\n").expect("stub");
    std::fs::set_permissions(&mvn, std::os::unix::fs::PermissionsExt::from_mode(0o755))
        .expect("chmod");
    let path = std::env::var("PATH").unwrap_or_default();
    let path = if no_maven {
        format!("{}:{path}", stub.path().display())
    } else {
        path
    };
    Command::new("bash")
        .arg("-c")
        .arg(format!(
            "set -euo pipefail; source scripts/lib/zookeeper.sh; {script}"
        ))
        .current_dir(root())
        .env("KZK_ZOOKEEPER_CACHE", cache)
        .env("PATH", path)
        .output()
        .expect("bash runs")
}

#[test]
fn the_versions_follow_the_default_image() {
    let cache = tempfile::tempdir().expect("temp dir");
    let out = with_library("zookeeper_versions", cache.path(), true);
    assert!(out.status.success(), "{}", stderr(&out));
    let pinned = OFFICIAL_IMAGE
        .rsplit_once(':')
        .map(|(_, t)| t)
        .unwrap_or_default();
    let versions: Vec<String> = stdout(&out).lines().map(str::to_owned).collect();
    assert_eq!(versions.first().map(String::as_str), Some("3.4.10"));
    assert!(
        versions.iter().any(|v| v.starts_with("3.8.")),
        "{versions:?}"
    );
    assert_eq!(versions.last().map(String::as_str), Some(pinned));
}

#[test]
fn a_release_is_fetched_once() {
    let cache = tempfile::tempdir().expect("temp dir");
    let out = with_library("fetch_zookeeper_release 3.4.10", cache.path(), false);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("fetching ZooKeeper 3.4.10"),
        "{}",
        stderr(&out)
    );
    let lib = cache.path().join("3.4.10/lib");
    for jar in [
        "zookeeper-3.4.10.jar",
        "log4j-1.2.16.jar",
        "slf4j-log4j12-1.6.1.jar",
    ] {
        assert!(lib.join(jar).is_file(), "{jar} in {}", lib.display());
    }
    let complete = std::fs::read_to_string(cache.path().join("3.4.10/COMPLETE")).expect("COMPLETE");
    assert!(
        complete.lines().any(|l| l == "zookeeper-3.4.10.jar"),
        "{complete}"
    );
    // Nothing half-fetched is left beside it.
    let entries: Vec<_> = std::fs::read_dir(cache.path())
        .expect("cache")
        .flatten()
        .collect();
    assert_eq!(entries.len(), 1, "{entries:?}");

    // Again: Maven is not started (the stub would fail), nothing is said.
    let again = with_library("fetch_zookeeper_release 3.4.10", cache.path(), true);
    assert!(again.status.success(), "{}", stderr(&again));
    assert_eq!(stderr(&again), "");
}

#[test]
fn the_test_commands_cache_is_complete() {
    // What scripts/test.sh filled: a second run fetches nothing.
    let cache = std::env::var_os("KZK_ZOOKEEPER_CACHE").map_or_else(
        || "/var/cache/kubectl-zk/zookeeper".into(),
        std::path::PathBuf::from,
    );
    let out = with_library("fetch_zookeeper_releases", &cache, true);
    assert!(
        out.status.success() && stderr(&out).is_empty(),
        "a second run would fetch: {}",
        stderr(&out)
    );
}
