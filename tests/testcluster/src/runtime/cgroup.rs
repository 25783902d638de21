//! cgroup v2 groups that hold every process of a cluster, a pod and a container, so that each can
//! be killed whole (`cgroup.kill`), however its processes daemonised.
//!
//! Layout: `<cgroup2 mount>/testcluster/<cluster id>/<sandbox>/<container>-<n>`. No controller is
//! enabled: the groups only track membership. Without a cgroup2 mount the runtime falls back to
//! process groups and `ip netns pids`.

use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};

use super::sys::poll_until;

/// The cgroup2 mount point of this machine (`/sys/fs/cgroup`, or `/sys/fs/cgroup/unified` on a hybrid
/// v1/v2 host), if any.
pub(crate) fn cgroup2_mount() -> Option<PathBuf> {
    let info = fs::read_to_string("/proc/self/mountinfo").ok()?;
    info.lines().find_map(|line| {
        // "36 25 0:31 / /sys/fs/cgroup rw,… shared:9 - cgroup2 cgroup2 rw"
        let (pre, post) = line.split_once(" - ")?;
        if post.split_whitespace().next()? != "cgroup2" {
            return None;
        }
        pre.split_whitespace()
            .nth(4)
            .map(|p| PathBuf::from(unescape_mountinfo(p)))
    })
}

/// mountinfo escapes space, tab, newline and backslash as octal.
fn unescape_mountinfo(s: &str) -> String {
    s.replace("\\040", " ")
        .replace("\\011", "\t")
        .replace("\\012", "\n")
        .replace("\\134", "\\")
}

/// The group of a whole cluster, when cgroup v2 is available.
pub(crate) fn cluster_group(cluster_id: &str) -> Option<PathBuf> {
    cgroup2_mount().map(|m| m.join("testcluster").join(cluster_id))
}

/// Creates a group (and its parents).
pub(crate) fn create(path: &Path) -> Result<()> {
    fs::create_dir_all(path).with_context(|| format!("creating cgroup {}", path.display()))
}

/// Whether any process is still in this group or below it.
pub(crate) fn populated(path: &Path) -> bool {
    match fs::read_to_string(path.join("cgroup.events")) {
        Ok(events) => events.lines().any(|l| l.trim() == "populated 1"),
        Err(_) => false,
    }
}

/// Every pid in this group and below.
fn pids(path: &Path, out: &mut Vec<u32>) {
    if let Ok(procs) = fs::read_to_string(path.join("cgroup.procs")) {
        out.extend(procs.lines().filter_map(|l| l.trim().parse::<u32>().ok()));
    }
    if let Ok(dir) = fs::read_dir(path) {
        for entry in dir.flatten() {
            if entry.file_type().map(|t| t.is_dir()).unwrap_or(false) {
                pids(&entry.path(), out);
            }
        }
    }
}

/// Kills every process in this group and below, waits (bounded) until they are gone, then removes
/// the groups. A group that does not exist is fine.
pub(crate) fn kill_and_remove(path: &Path, timeout: Duration) -> Result<()> {
    if !path.exists() {
        return Ok(());
    }
    kill(path);
    let gone = poll_until(timeout, || {
        if populated(path) {
            // Processes forked while the kill was delivered: kill again.
            kill(path);
            false
        } else {
            true
        }
    });
    if !gone {
        let mut left = Vec::new();
        pids(path, &mut left);
        anyhow::bail!(
            "processes {left:?} of cgroup {} survived SIGKILL for {timeout:?}",
            path.display()
        );
    }
    remove_tree(path)
}

/// SIGKILL to every process in the group and below.
pub(crate) fn kill(path: &Path) {
    if fs::write(path.join("cgroup.kill"), "1").is_ok() {
        return;
    }
    let mut victims = Vec::new();
    pids(path, &mut victims);
    for pid in victims {
        // SAFETY: kill(2) on a pid; no memory involved.
        unsafe {
            libc::kill(pid as libc::pid_t, libc::SIGKILL);
        }
    }
}

/// Removes an empty group tree bottom-up.
pub(crate) fn remove_tree(path: &Path) -> Result<()> {
    if let Ok(dir) = fs::read_dir(path) {
        for entry in dir.flatten() {
            if entry.file_type().map(|t| t.is_dir()).unwrap_or(false) {
                remove_tree(&entry.path())?;
            }
        }
    }
    match fs::remove_dir(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e).with_context(|| format!("removing cgroup {}", path.display())),
    }
}
