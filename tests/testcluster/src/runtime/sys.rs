//! Small OS helpers shared by the runtime: running `ip`, C strings, blocking work off the runtime.

use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};

/// Runs `ip ARGS…` and returns its stdout; a non-zero exit is an error carrying its stderr.
pub(crate) fn ip(args: &[&str]) -> Result<String> {
    let out = Command::new("ip")
        .args(args)
        .output()
        .with_context(|| format!("running `ip {}` (is iproute2 installed?)", args.join(" ")))?;
    if !out.status.success() {
        bail!(
            "`ip {}` failed ({}): {}",
            args.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Names of the network namespaces `ip netns list` shows.
pub(crate) fn netns_names() -> Result<Vec<String>> {
    Ok(ip(&["netns", "list"])?
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
        .collect())
}

/// Names of the host's network links (`ip -o link show`), without the `@peer` suffix.
pub(crate) fn link_names() -> Result<Vec<String>> {
    Ok(ip(&["-o", "link", "show"])?
        .lines()
        .filter_map(|l| {
            let name = l.split(": ").nth(1)?;
            Some(name.split('@').next().unwrap_or(name).to_owned())
        })
        .collect())
}

/// Kills every process in a network namespace (what finds a pod's processes without cgroup v2)
/// and deletes the namespace.
pub(crate) fn remove_netns(name: &str) -> Result<()> {
    if let Ok(pids) = ip(&["netns", "pids", name]) {
        for pid in pids.lines().filter_map(|l| l.trim().parse::<i32>().ok()) {
            // SAFETY: kill(2) on a pid; no memory involved.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
            }
        }
    }
    ip(&["netns", "delete", name]).map(drop)
}

/// Deletes a host link; one that vanished meanwhile (a veth goes with its peer's namespace) is fine.
pub(crate) fn remove_link(name: &str) -> Result<()> {
    match ip(&["link", "delete", name]) {
        Err(e) if link_names()?.iter().any(|l| l == name) => Err(e),
        _ => Ok(()),
    }
}

/// A path as a C string for a system call.
pub(crate) fn cpath(p: &Path) -> Result<CString> {
    CString::new(p.as_os_str().as_bytes())
        .map_err(|_| anyhow!("path {} contains a NUL byte", p.display()))
}

/// A string as a C string for a system call.
pub(crate) fn cstr(s: &str) -> Result<CString> {
    CString::new(s).map_err(|_| anyhow!("{s:?} contains a NUL byte"))
}

/// Runs blocking OS work on tokio's blocking pool.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| anyhow!("blocking task failed: {e}"))?
}

/// Polls `cond` every few milliseconds until it returns true or `timeout` passes; returns the last answer.
pub(crate) fn poll_until(timeout: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        if cond() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Sends `sig` to a process group; a group that no longer exists is not an error.
pub(crate) fn kill_group(pgid: u32, sig: libc::c_int) {
    // SAFETY: kill(2) with a negative pid signals a process group; no memory is involved.
    unsafe {
        libc::kill(-(pgid as libc::pid_t), sig);
    }
}
