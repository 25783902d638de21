//! The control plane's binary: built once from the Go module in `controlplane/` (upstream
//! `k8s.io/kubernetes` and etcd as module dependencies, nothing copied) and cached outside the work
//! tree, keyed by the module's files, so a warm start costs nothing.
//!
//! Cache: `$TESTCLUSTER_CACHE` (default `/var/cache/kubectl-zk`)`/controlplane/<key>/controlplane`,
//! where the key is a hash of `go.mod`, `go.sum` and `main.go`. `TESTCLUSTER_CONTROLPLANE_BIN`
//! names a binary to use instead.

use anyhow::{Context, Result, bail};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};

/// The Go module's directory in the source tree.
fn module_dir() -> PathBuf {
    std::env::var_os("TESTCLUSTER_CONTROLPLANE_SRC")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("controlplane"))
}

fn cache_root() -> PathBuf {
    std::env::var_os("TESTCLUSTER_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/var/cache/kubectl-zk"))
}

/// The `k8s.io/kubernetes` version the module requires (`v1.37.2`).
pub fn kubernetes_version() -> Result<String> {
    let go_mod = module_dir().join("go.mod");
    let text = std::fs::read_to_string(&go_mod)
        .with_context(|| format!("reading {}", go_mod.display()))?;
    version_in(&text).with_context(|| format!("{} requires no k8s.io/kubernetes", go_mod.display()))
}

fn version_in(go_mod: &str) -> Option<String> {
    go_mod.lines().find_map(|l| {
        let mut w = l.split_whitespace();
        let first = w.next()?;
        let (module, version) = if first == "require" {
            (w.next()?, w.next()?)
        } else {
            (first, w.next()?)
        };
        (module == "k8s.io/kubernetes").then(|| version.to_string())
    })
}

/// The cache key: a hash of the files the build depends on.
fn key(dir: &Path) -> Result<String> {
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
    for f in ["go.mod", "go.sum", "main.go"] {
        let p = dir.join(f);
        let bytes = std::fs::read(&p).with_context(|| format!("reading {}", p.display()))?;
        ctx.update(f.as_bytes());
        ctx.update(&(bytes.len() as u64).to_le_bytes());
        ctx.update(&bytes);
    }
    Ok(ctx
        .finish()
        .as_ref()
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// The binary, built first when the cache lacks it (progress on stderr). Concurrent callers wait
/// for one build.
pub async fn binary() -> Result<PathBuf> {
    if let Some(b) = std::env::var_os("TESTCLUSTER_CONTROLPLANE_BIN") {
        return Ok(PathBuf::from(b));
    }
    tokio::task::spawn_blocking(binary_blocking)
        .await
        .context("building the control plane")?
}

fn binary_blocking() -> Result<PathBuf> {
    let dir = module_dir();
    let key = key(&dir)?;
    let out_dir = cache_root().join("controlplane").join(&key);
    let bin = out_dir.join("controlplane");
    if bin.exists() {
        return Ok(bin);
    }
    std::fs::create_dir_all(&out_dir).with_context(|| format!("creating {}", out_dir.display()))?;
    let lock_path = cache_root().join("controlplane").join("build.lock");
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .with_context(|| format!("opening {}", lock_path.display()))?;
    // SAFETY: flock(2) on a descriptor we own; released when `lock` closes.
    if unsafe { libc::flock(lock.as_raw_fd(), libc::LOCK_EX) } != 0 {
        return Err(std::io::Error::last_os_error())
            .with_context(|| format!("locking {}", lock_path.display()));
    }
    if bin.exists() {
        return Ok(bin);
    }
    let version = kubernetes_version()?;
    let minor = version
        .trim_start_matches('v')
        .split('.')
        .nth(1)
        .unwrap_or("0")
        .to_string();
    let mut ldflags = vec!["-s".to_string(), "-w".to_string()];
    for pkg in [
        "k8s.io/component-base/version",
        "k8s.io/client-go/pkg/version",
    ] {
        ldflags.extend([
            format!("-X {pkg}.gitVersion={version}"),
            format!("-X {pkg}.gitMajor=1"),
            format!("-X {pkg}.gitMinor={minor}"),
            format!("-X {pkg}.gitTreeState=clean"),
        ]);
    }
    eprintln!(
        "testcluster: building the control plane (Kubernetes {version}, etcd) from the Go module proxy into {} — once per change of {}; a cold build takes 15-25 minutes on 2 cores",
        bin.display(),
        dir.display()
    );
    let tmp = out_dir.join("controlplane.tmp");
    let status = std::process::Command::new("go")
        .current_dir(&dir)
        .env("CGO_ENABLED", "0")
        .args(["build", "-trimpath", "-mod=readonly", "-ldflags"])
        .arg(ldflags.join(" "))
        .arg("-o")
        .arg(&tmp)
        .arg(".")
        .status()
        .context("running `go build` (is Go installed?)")?;
    if !status.success() {
        bail!("`go build` in {} failed ({status})", dir.display());
    }
    std::fs::rename(&tmp, &bin).with_context(|| format!("installing {}", bin.display()))?;
    eprintln!("testcluster: built {}", bin.display());
    Ok(bin)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kubernetes_version_is_read_from_the_require_line() {
        assert_eq!(
            version_in("module x\n\nrequire k8s.io/kubernetes v1.37.2\n").as_deref(),
            Some("v1.37.2")
        );
        assert_eq!(
            version_in("require (\n\tk8s.io/kubernetes v1.36.3\n\tfoo v1\n)\n").as_deref(),
            Some("v1.36.3")
        );
        assert_eq!(version_in("module x\n"), None);
    }

    #[test]
    fn the_module_in_the_tree_pins_kubernetes() {
        let v = kubernetes_version().unwrap();
        assert!(v.starts_with("v1.37."), "{v}");
        assert_eq!(key(&module_dir()).unwrap().len(), 16);
    }
}
