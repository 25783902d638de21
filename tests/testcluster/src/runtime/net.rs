//! The per-cluster network: a private /24, a bridge on the host holding its `.1`, and the lock that
//! makes both this cluster's alone.
//!
//! Pods talk to each other over the bridge (layer 2, so no forwarding or NAT is enabled) and the
//! host reaches every pod IP through the bridge's connected route. Pods have no default route:
//! nothing they send can leave the machine.

use std::collections::BTreeSet;
use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::net::Ipv4Addr;
use std::os::unix::fs::MetadataExt;
use std::os::unix::io::AsRawFd;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

use super::cgroup;
use super::sys::{blocking, ip, link_names, netns_names, remove_link, remove_netns};

/// Where the subnet locks live: `<X>.lock` is held (flock) by the cluster using `10.213.X.0/24`.
const LOCK_DIR: &str = "/run/testcluster/subnets";
/// First two octets of every cluster subnet.
const NET_PREFIX: [u8; 2] = [10, 213];
/// How long killing a cluster's processes may take before it is an error.
const KILL_TIMEOUT: Duration = Duration::from_secs(10);

/// An IPv4 network in CIDR form, e.g. `10.213.7.0/24`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Ipv4Subnet {
    network: Ipv4Addr,
    prefix_len: u8,
}

impl Ipv4Subnet {
    /// The network address (`10.213.7.0`).
    pub fn network(&self) -> Ipv4Addr {
        self.network
    }
    /// The prefix length (24).
    pub fn prefix_len(&self) -> u8 {
        self.prefix_len
    }
    /// The bridge's address, `.1`: the host side of the cluster network (the pods' `hostIP` is not this).
    pub fn gateway(&self) -> Ipv4Addr {
        self.host(1)
    }
    /// The address with this last octet.
    pub fn host(&self, last: u8) -> Ipv4Addr {
        let o = self.network.octets();
        Ipv4Addr::new(o[0], o[1], o[2], last)
    }
    /// Whether `ip` is inside this network.
    pub fn contains(&self, ip: Ipv4Addr) -> bool {
        let mask = if self.prefix_len == 0 {
            0
        } else {
            u32::MAX << (32 - u32::from(self.prefix_len))
        };
        u32::from(ip) & mask == u32::from(self.network) & mask
    }
}

impl fmt::Display for Ipv4Subnet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix_len)
    }
}

/// What `<state dir>/runtime/cluster.json` records, so a crashed run can be cleaned up exactly.
#[derive(Serialize, Deserialize)]
struct ClusterRecord {
    /// The third octet of the subnet: every object of the cluster is named with it.
    x: u8,
    /// The process that created the cluster.
    pid: u32,
}

/// What a subnet lock file says about its holder.
#[derive(Serialize, Deserialize)]
struct LockRecord {
    pid: u32,
    state_dir: PathBuf,
}

/// One cluster's network: subnet, bridge, lock, cgroup, and the pod IPs handed out.
///
/// Cheap to clone; all clones refer to the same network. Dropping the last clone (and every
/// [`Sandbox`](super::Sandbox) made on it) without [`ClusterNet::destroy`] still removes everything
/// (synchronously, best effort).
#[derive(Clone)]
pub struct ClusterNet {
    pub(crate) inner: Arc<NetInner>,
}

pub(crate) struct NetInner {
    pub(crate) x: u8,
    pub(crate) subnet: Ipv4Subnet,
    /// `<state dir>/runtime`: sandboxes' files and containers' writable layers.
    pub(crate) runtime_dir: PathBuf,
    /// The state dir as given (hidden inside containers).
    pub(crate) state_dir: PathBuf,
    /// The cluster's cgroup, when cgroup v2 is available.
    pub(crate) cgroup: Option<PathBuf>,
    /// Last octets in use by sandboxes (1 is the bridge).
    used: Mutex<BTreeSet<u8>>,
    /// The subnet lock, held for the cluster's life.
    lock: Mutex<Option<File>>,
    destroyed: AtomicBool,
}

impl NetInner {
    pub(crate) fn cluster_id(&self) -> String {
        format!("tc{}", self.x)
    }
    pub(crate) fn bridge(&self) -> String {
        format!("tcbr{}", self.x)
    }
    /// Whether the cluster was torn down. Its X may then belong to another cluster already: nothing
    /// may be touched by name any more.
    pub(crate) fn is_destroyed(&self) -> bool {
        self.destroyed.load(Ordering::SeqCst)
    }

    /// Fails once the cluster is torn down.
    pub(crate) fn check_alive(&self) -> Result<()> {
        if self.is_destroyed() {
            bail!("cluster network {} was destroyed", self.cluster_id());
        }
        Ok(())
    }

    /// Takes a free last octet for a sandbox.
    pub(crate) fn allocate_octet(&self) -> Result<u8> {
        let mut used = self
            .used
            .lock()
            .map_err(|_| anyhow::anyhow!("IP allocator poisoned"))?;
        let Some(octet) = (2..=254u8).find(|o| !used.contains(o)) else {
            bail!("no free IP left in {}", self.subnet);
        };
        used.insert(octet);
        Ok(octet)
    }
    /// Takes a given last octet (a node's address).
    pub(crate) fn reserve_octet(&self, octet: u8) -> Result<()> {
        let mut used = self
            .used
            .lock()
            .map_err(|_| anyhow::anyhow!("IP allocator poisoned"))?;
        if !used.insert(octet) {
            bail!("{} is already in use", self.subnet.host(octet));
        }
        Ok(())
    }
    /// Gives a last octet back.
    pub(crate) fn release_octet(&self, octet: u8) {
        if let Ok(mut used) = self.used.lock() {
            used.remove(&octet);
        }
    }

    /// Removes every object of this cluster, the runtime dir and the lock. Idempotent.
    fn teardown(&self) -> Result<()> {
        if self.destroyed.swap(true, Ordering::SeqCst) {
            return Ok(());
        }
        let purged = purge(self.x);
        let removed = remove_dir_if_exists(&self.runtime_dir);
        if let Ok(mut lock) = self.lock.lock()
            && let Some(file) = lock.take()
        {
            // Unlink while still holding it; acquirers re-check the inode (see `try_lock`).
            let _ = fs::remove_file(lock_path(self.x));
            drop(file);
        }
        purged.and(removed)
    }
}

impl Drop for NetInner {
    fn drop(&mut self) {
        if let Err(e) = self.teardown() {
            tracing::warn!("cleaning up cluster network tc{}: {e:#}", self.x);
        }
    }
}

impl ClusterNet {
    /// Allocates a free `10.213.X.0/24` (the first X whose lock file under `/run/testcluster/subnets/`
    /// can be taken and that no host interface uses), removes any leftover object named with X (its
    /// owner is dead: the lock was free), creates the bridge `tcbr<X>` with `.1`, and records the
    /// cluster in `<state_dir>/runtime/cluster.json`. Leftovers of a crashed run with the same state
    /// dir are cleaned up first ([`cleanup_leftovers`]). No forwarding or NAT is enabled.
    pub async fn create(state_dir: &Path) -> Result<ClusterNet> {
        cleanup_leftovers(state_dir).await?;
        let state_dir = state_dir.to_path_buf();
        let inner = blocking(move || create_blocking(&state_dir)).await?;
        Ok(ClusterNet {
            inner: Arc::new(inner),
        })
    }

    /// The cluster's pod network.
    pub fn subnet(&self) -> Ipv4Subnet {
        self.inner.subnet
    }

    /// `tc<X>`: unique among running clusters; every OS object of this cluster is named with it.
    pub fn cluster_id(&self) -> String {
        self.inner.cluster_id()
    }

    /// The bridge's name on the host (`tcbr<X>`).
    pub fn bridge_name(&self) -> String {
        self.inner.bridge()
    }

    /// Gives node `index` (1-based) its own address on the bridge, from the top of the subnet down
    /// (`node-1` = `.254`, `node-2` = `.253`, …), so that each node has an InternalIP of its own for
    /// its kubelet endpoint. The address is reserved: no sandbox gets it. It goes with the bridge.
    pub async fn add_node_address(&self, index: usize) -> Result<Ipv4Addr> {
        let inner = self.inner.clone();
        inner.check_alive()?;
        let octet = u8::try_from(255usize.saturating_sub(index))
            .ok()
            .filter(|o| *o >= 200)
            .with_context(|| format!("node {index}: at most 55 nodes have addresses"))?;
        inner.reserve_octet(octet)?;
        let addr = inner.subnet.host(octet);
        let bridge = inner.bridge();
        blocking(move || {
            ip(&["addr", "add", &format!("{addr}/24"), "dev", &bridge])?;
            Ok(())
        })
        .await?;
        Ok(addr)
    }

    /// A cgroup for a host process of the cluster (the control plane's components), inside the
    /// cluster's group, so that tearing the cluster down (or cleaning up after a crashed run) kills
    /// it too. None without cgroup v2.
    pub fn host_process_group(&self, name: &str) -> Result<Option<PathBuf>> {
        let Some(cg) = &self.inner.cgroup else {
            return Ok(None);
        };
        let path = cg.join("host").join(name);
        cgroup::create(&path)?;
        Ok(Some(path))
    }

    /// Kills every process of the cluster (all pods' containers and execs), removes every network
    /// namespace, veth and the bridge, the runtime files under `<state_dir>/runtime`, and the lock.
    /// Idempotent; sandboxes made on it are dead afterwards.
    pub async fn destroy(&self) -> Result<()> {
        let inner = self.inner.clone();
        blocking(move || inner.teardown()).await
    }
}

fn create_blocking(state_dir: &Path) -> Result<NetInner> {
    let runtime_dir = state_dir.join("runtime");
    fs::create_dir_all(&runtime_dir)
        .with_context(|| format!("creating {}", runtime_dir.display()))?;
    let taken = host_ipv4_addrs()?;
    for x in 1..=254u8 {
        let subnet = Ipv4Subnet {
            network: Ipv4Addr::new(NET_PREFIX[0], NET_PREFIX[1], x, 0),
            prefix_len: 24,
        };
        let bridge = format!("tcbr{x}");
        if taken
            .iter()
            .any(|(dev, a)| subnet.contains(*a) && *dev != bridge)
        {
            continue;
        }
        let Some(mut lock) = try_lock(x)? else {
            continue;
        };
        // We own X now: anything named with it belongs to a dead cluster.
        purge(x)?;
        let record = LockRecord {
            pid: std::process::id(),
            state_dir: state_dir.to_path_buf(),
        };
        lock.set_len(0)?;
        lock.write_all(&serde_json::to_vec(&record)?)?;
        let record = ClusterRecord {
            x,
            pid: std::process::id(),
        };
        fs::write(
            runtime_dir.join("cluster.json"),
            serde_json::to_vec(&record)?,
        )?;
        let cgroup = cgroup::cluster_group(&format!("tc{x}"));
        let inner = NetInner {
            x,
            subnet,
            runtime_dir,
            state_dir: state_dir.to_path_buf(),
            cgroup: cgroup.clone(),
            used: Mutex::new(BTreeSet::new()),
            lock: Mutex::new(Some(lock)),
            destroyed: AtomicBool::new(false),
        };
        // From here on, dropping `inner` on an error removes what was made.
        ip(&["link", "add", "name", &bridge, "type", "bridge"])?;
        ip(&[
            "addr",
            "add",
            &format!("{}/24", subnet.gateway()),
            "dev",
            &bridge,
        ])?;
        ip(&["link", "set", &bridge, "up"])?;
        if let Some(cg) = &cgroup {
            cgroup::create(cg)?;
        }
        return Ok(inner);
    }
    bail!("no free subnet 10.213.X.0/24 left (all 254 locks under {LOCK_DIR} are held or in use)")
}

/// `(device, address)` of every IPv4 address on the host.
fn host_ipv4_addrs() -> Result<Vec<(String, Ipv4Addr)>> {
    // "3: eth0    inet 10.0.2.15/24 brd … scope global eth0 …"
    Ok(ip(&["-4", "-o", "addr", "show"])?
        .lines()
        .filter_map(|l| {
            let mut words = l.split_whitespace();
            let dev = words.nth(1)?.to_owned();
            let addr = words.skip_while(|w| *w != "inet").nth(1)?;
            Some((dev, addr.split('/').next()?.parse().ok()?))
        })
        .collect())
}

fn lock_path(x: u8) -> PathBuf {
    Path::new(LOCK_DIR).join(format!("{x}.lock"))
}

/// Takes the lock of subnet X without waiting; `None` when another live process holds it.
fn try_lock(x: u8) -> Result<Option<File>> {
    fs::create_dir_all(LOCK_DIR).with_context(|| format!("creating {LOCK_DIR}"))?;
    let path = lock_path(x);
    loop {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .with_context(|| format!("opening {}", path.display()))?;
        // SAFETY: flock(2) on a file descriptor we own.
        if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
            let err = std::io::Error::last_os_error();
            if err.kind() == ErrorKind::WouldBlock {
                return Ok(None);
            }
            return Err(err).with_context(|| format!("locking {}", path.display()));
        }
        // The holder may have unlinked the file between our open and flock: then our lock is on a
        // dead inode and someone else may lock a new file of that name. Start over.
        let ours = file.metadata()?.ino();
        match fs::metadata(&path) {
            Ok(m) if m.ino() == ours => return Ok(Some(file)),
            _ => continue,
        }
    }
}

/// Kills and removes every object named with X: processes in its cgroup and network namespaces,
/// the namespaces, host veths and the bridge. Only call while holding X's lock.
fn purge(x: u8) -> Result<()> {
    let id = format!("tc{x}");
    let mut errors = Vec::new();
    if let Some(cg) = cgroup::cluster_group(&id)
        && let Err(e) = cgroup::kill_and_remove(&cg, KILL_TIMEOUT)
    {
        errors.push(format!("{e:#}"));
    }
    let ns_prefix = format!("{id}-");
    for ns in netns_names()?
        .into_iter()
        .filter(|n| n.starts_with(&ns_prefix))
    {
        if let Err(e) = remove_netns(&ns) {
            errors.push(format!("{e:#}"));
        }
    }
    let veth_prefix = format!("tcv{x}-");
    let bridge = format!("tcbr{x}");
    for link in link_names()?
        .into_iter()
        .filter(|l| l.starts_with(&veth_prefix) || *l == bridge)
    {
        if let Err(e) = remove_link(&link) {
            errors.push(format!("{e:#}"));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        bail!("cleaning up {id}: {}", errors.join("; "))
    }
}

fn remove_dir_if_exists(dir: &Path) -> Result<()> {
    match fs::remove_dir_all(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e).with_context(|| format!("removing {}", dir.display())),
    }
}

/// Removes leftovers of a crashed run that used this state dir: its processes, network namespaces,
/// veths, bridge, runtime files and lock, as recorded in `<state_dir>/runtime/cluster.json`.
///
/// Objects are only removed while holding the recorded subnet's lock, so a live cluster's objects
/// are never touched. Fails if a running cluster still uses this state dir.
pub async fn cleanup_leftovers(state_dir: &Path) -> Result<()> {
    let state_dir = state_dir.to_path_buf();
    blocking(move || cleanup_blocking(&state_dir)).await
}

fn cleanup_blocking(state_dir: &Path) -> Result<()> {
    let runtime_dir = state_dir.join("runtime");
    let record_path = runtime_dir.join("cluster.json");
    let record: Option<ClusterRecord> = match fs::read(&record_path) {
        Ok(bytes) => serde_json::from_slice(&bytes).ok(),
        Err(e) if e.kind() == ErrorKind::NotFound => None,
        Err(e) => return Err(e).with_context(|| format!("reading {}", record_path.display())),
    };
    if let Some(record) = record {
        match try_lock(record.x)? {
            Some(lock) => {
                purge(record.x)?;
                let _ = fs::remove_file(lock_path(record.x));
                drop(lock);
            }
            None => {
                // X is held by a live cluster: ours if it records this state dir.
                let holder: Option<LockRecord> = fs::read(lock_path(record.x))
                    .ok()
                    .and_then(|b| serde_json::from_slice(&b).ok());
                if let Some(holder) = holder
                    && holder.state_dir == state_dir
                {
                    bail!(
                        "state dir {} is in use by a running cluster (pid {}, subnet 10.213.{}.0/24)",
                        state_dir.display(),
                        holder.pid,
                        record.x
                    );
                }
                // Another cluster took X over and has already purged our dead objects.
            }
        }
    }
    remove_dir_if_exists(&runtime_dir)
}
