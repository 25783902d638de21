//! A pod's sandbox: its network namespace (own IP on the cluster bridge, loopback up) and the files
//! every container of the pod shares: `/etc/hosts`, `/etc/hostname`, `/etc/resolv.conf`.

use std::fmt::Write as _;
use std::fs::{self, OpenOptions};
use std::io::ErrorKind;
use std::net::Ipv4Addr;
use std::os::unix::fs::FileExt;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use anyhow::{Context, Result};

use super::cgroup;
use super::net::{ClusterNet, NetInner};
use super::sys::{blocking, ip, link_names, netns_names, remove_link, remove_netns};

/// How long killing a pod's processes may take before it is an error.
const KILL_TIMEOUT: Duration = Duration::from_secs(10);

/// What the runtime needs to know about a pod to build its sandbox.
#[derive(Clone, Debug, Default)]
pub struct SandboxSpec {
    /// The pod's `metadata.uid`.
    pub uid: String,
    /// The pod's namespace (used for the DNS search path).
    pub namespace: String,
    /// The pod's name.
    pub name: String,
    /// The host name the containers see (`spec.hostname`, else the pod name).
    pub hostname: String,
    /// `<hostname>.<subdomain>.<namespace>.svc.cluster.local` when the pod has a subdomain.
    pub fqdn: Option<String>,
}

/// One pod's sandbox. Cheap to clone; every clone refers to the same sandbox. Dropping the last
/// clone destroys the sandbox (synchronously), like [`Sandbox::destroy`]: keep one while the pod runs.
#[derive(Clone)]
pub struct Sandbox {
    pub(crate) inner: Arc<SandboxInner>,
}

pub(crate) struct SandboxInner {
    pub(crate) net: Arc<NetInner>,
    pub(crate) spec: SandboxSpec,
    pub(crate) ip: Ipv4Addr,
    octet: u8,
    /// Network namespace name (`tc<X>-<octet>`), bound at `/run/netns/<name>`.
    pub(crate) netns: String,
    /// Host end of the veth pair (`tcv<X>-<octet>`); the pod end is `eth0`.
    veth: String,
    /// `<state dir>/runtime/sandboxes/<netns>`: hosts, hostname, resolv.conf, containers/.
    pub(crate) dir: PathBuf,
    /// The pod's cgroup, parent of its containers' groups.
    pub(crate) cgroup: Option<PathBuf>,
    /// Numbers container starts, so every start gets its own directory and cgroup.
    pub(crate) starts: AtomicU64,
    /// Serialises rewrites of the hosts file.
    hosts_lock: tokio::sync::Mutex<()>,
    destroyed: AtomicBool,
}

impl SandboxInner {
    /// Fails once the sandbox or its cluster is torn down.
    pub(crate) fn check_alive(&self) -> Result<()> {
        self.net.check_alive()?;
        if self.destroyed.load(Ordering::SeqCst) {
            anyhow::bail!(
                "sandbox of pod {}/{} was destroyed",
                self.spec.namespace,
                self.spec.name
            );
        }
        Ok(())
    }

    pub(crate) fn hosts_path(&self) -> PathBuf {
        self.dir.join("hosts")
    }

    fn teardown(&self) -> Result<()> {
        if self.destroyed.swap(true, Ordering::SeqCst) || self.net.is_destroyed() {
            // The cluster's teardown removed everything of this sandbox already.
            return Ok(());
        }
        let mut errors = Vec::new();
        if let Some(cg) = &self.cgroup
            && let Err(e) = cgroup::kill_and_remove(cg, KILL_TIMEOUT)
        {
            errors.push(format!("{e:#}"));
        }
        if netns_names()?.contains(&self.netns)
            && let Err(e) = remove_netns(&self.netns)
        {
            errors.push(format!("{e:#}"));
        }
        if link_names()?.contains(&self.veth)
            && let Err(e) = remove_link(&self.veth)
        {
            errors.push(format!("{e:#}"));
        }
        match fs::remove_dir_all(&self.dir) {
            Ok(()) => {}
            Err(e) if e.kind() == ErrorKind::NotFound => {}
            Err(e) => errors.push(format!("removing {}: {e}", self.dir.display())),
        }
        self.net.release_octet(self.octet);
        if errors.is_empty() {
            Ok(())
        } else {
            anyhow::bail!(
                "destroying sandbox of pod {}/{}: {}",
                self.spec.namespace,
                self.spec.name,
                errors.join("; ")
            )
        }
    }
}

impl Drop for SandboxInner {
    fn drop(&mut self) {
        if let Err(e) = self.teardown() {
            tracing::warn!("{e:#}");
        }
    }
}

impl Sandbox {
    /// Creates the pod's network namespace (`tc<X>-<octet>`) with `eth0` = a free address of the
    /// cluster subnet, joined to the bridge by a veth pair, loopback up, no default route; and the
    /// pod's hosts (own line only, see [`Sandbox::set_hosts`]), hostname and resolv.conf files.
    pub async fn create(net: &ClusterNet, spec: &SandboxSpec) -> Result<Sandbox> {
        let net = net.inner.clone();
        net.check_alive()?;
        let octet = net.allocate_octet()?;
        let netns = format!("{}-{octet}", net.cluster_id());
        let inner = SandboxInner {
            ip: net.subnet.host(octet),
            octet,
            veth: format!("tcv{}-{octet}", net.x),
            dir: net.runtime_dir.join("sandboxes").join(&netns),
            cgroup: net.cgroup.as_ref().map(|c| c.join(&netns)),
            netns,
            spec: spec.clone(),
            net,
            starts: AtomicU64::new(0),
            hosts_lock: tokio::sync::Mutex::new(()),
            destroyed: AtomicBool::new(false),
        };
        // On an error, dropping the half-made sandbox removes what was made.
        let inner = blocking(move || {
            setup(&inner)?;
            Ok(inner)
        })
        .await?;
        Ok(Sandbox {
            inner: Arc::new(inner),
        })
    }

    /// The pod IP.
    pub fn ip(&self) -> Ipv4Addr {
        self.inner.ip
    }

    /// The network namespace's name (`ip netns exec NAME …` works with it).
    pub fn netns(&self) -> &str {
        &self.inner.netns
    }

    /// The spec the sandbox was created with.
    pub fn spec(&self) -> &SandboxSpec {
        &self.inner.spec
    }

    /// Rewrites this pod's `/etc/hosts` in place (same inode, so running containers see the change):
    /// the pod's own line first (`IP fqdn hostname`, which makes `hostname -f` print the FQDN), the
    /// localhost lines, then one line per entry (`ip name name…`, in the given order). The pod's own
    /// names are left out of the entries (they are on the first line); entries left with no names
    /// are skipped.
    pub async fn set_hosts(&self, entries: &[(Ipv4Addr, Vec<String>)]) -> Result<()> {
        let _guard = self.inner.hosts_lock.lock().await;
        let content = render_hosts(&self.inner.spec, self.inner.ip, entries);
        let path = self.inner.hosts_path();
        blocking(move || write_in_place(&path, content.as_bytes())).await
    }

    /// Kills every process of the pod (all containers and execs), deletes the network namespace and
    /// veth, and removes the pod's runtime files (not its volumes, not the logs).
    /// Idempotent; every clone of the sandbox is dead afterwards.
    pub async fn destroy(&self) -> Result<()> {
        let inner = self.inner.clone();
        blocking(move || inner.teardown()).await
    }
}

fn setup(s: &SandboxInner) -> Result<()> {
    fs::create_dir_all(s.dir.join("containers"))
        .with_context(|| format!("creating {}", s.dir.display()))?;
    fs::write(s.dir.join("hostname"), format!("{}\n", s.spec.hostname))?;
    fs::write(
        s.dir.join("resolv.conf"),
        render_resolv_conf(&s.spec.namespace),
    )?;
    fs::write(s.hosts_path(), render_hosts(&s.spec, s.ip, &[]))?;
    ip(&["netns", "add", &s.netns])?;
    ip(&[
        "link", "add", "name", &s.veth, "type", "veth", "peer", "name", "eth0", "netns", &s.netns,
    ])?;
    ip(&["link", "set", &s.veth, "master", &s.net.bridge(), "up"])?;
    ip(&[
        "-n",
        &s.netns,
        "addr",
        "add",
        &format!("{}/{}", s.ip, s.net.subnet.prefix_len()),
        "dev",
        "eth0",
    ])?;
    ip(&["-n", &s.netns, "link", "set", "eth0", "up"])?;
    ip(&["-n", &s.netns, "link", "set", "lo", "up"])?;
    if let Some(cg) = &s.cgroup {
        cgroup::create(cg)?;
    }
    Ok(())
}

/// The pod's resolv.conf: the cluster search path, and a name server on the pod's own loopback that
/// refuses at once (there is no cluster DNS; names resolve through `/etc/hosts`).
fn render_resolv_conf(namespace: &str) -> String {
    format!(
        "search {namespace}.svc.cluster.local svc.cluster.local cluster.local\nnameserver 127.0.0.1\noptions ndots:5\n"
    )
}

fn render_hosts(spec: &SandboxSpec, ip: Ipv4Addr, entries: &[(Ipv4Addr, Vec<String>)]) -> String {
    let mut out = String::from("# Kubernetes-managed hosts file (testcluster).\n");
    match &spec.fqdn {
        Some(fqdn) if *fqdn != spec.hostname => {
            let _ = writeln!(out, "{ip}\t{fqdn}\t{}", spec.hostname);
        }
        _ => {
            let _ = writeln!(out, "{ip}\t{}", spec.hostname);
        }
    }
    out.push_str(
        "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\n\
         fe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n",
    );
    let own: Vec<&str> = [Some(spec.hostname.as_str()), spec.fqdn.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    for (addr, names) in entries {
        // The pod's own names are on its first line already.
        let names: Vec<&str> = names
            .iter()
            .map(String::as_str)
            .filter(|n| *addr != ip || !own.contains(n))
            .collect();
        if !names.is_empty() {
            let _ = writeln!(out, "{addr}\t{}", names.join(" "));
        }
    }
    out
}

/// Overwrites a file's content keeping its inode (bind mounts of it see the change): writes the new
/// content over the old, then cuts the file to the new length, so a reader never sees it empty.
pub(crate) fn write_in_place(path: &std::path::Path, content: &[u8]) -> Result<()> {
    let file = OpenOptions::new()
        .write(true)
        .open(path)
        .with_context(|| format!("opening {}", path.display()))?;
    file.write_all_at(content, 0)
        .with_context(|| format!("writing {}", path.display()))?;
    file.set_len(content.len() as u64)
        .with_context(|| format!("truncating {}", path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_file_puts_own_fqdn_first() {
        let spec = SandboxSpec {
            hostname: "zk-0".into(),
            fqdn: Some("zk-0.zk-hs.default.svc.cluster.local".into()),
            ..Default::default()
        };
        let entries = vec![
            (
                Ipv4Addr::new(10, 213, 1, 3),
                vec![
                    "zk-1.zk-hs.default.svc.cluster.local".into(),
                    "zk-1.zk-hs".into(),
                ],
            ),
            (Ipv4Addr::new(10, 213, 1, 4), vec![]),
            (
                Ipv4Addr::new(10, 213, 1, 2),
                vec!["zk-0".into(), "zk-0.zk-hs".into()],
            ),
        ];
        let hosts = render_hosts(&spec, Ipv4Addr::new(10, 213, 1, 2), &entries);
        let lines: Vec<&str> = hosts.lines().collect();
        assert_eq!(
            lines[1],
            "10.213.1.2\tzk-0.zk-hs.default.svc.cluster.local\tzk-0"
        );
        assert_eq!(lines[2], "127.0.0.1\tlocalhost");
        assert_eq!(
            lines[8],
            "10.213.1.3\tzk-1.zk-hs.default.svc.cluster.local zk-1.zk-hs"
        );
        assert_eq!(lines[9], "10.213.1.2\tzk-0.zk-hs");
        assert_eq!(lines.len(), 10);
        assert!(!hosts.contains("10.213.1.4"));
    }
}
