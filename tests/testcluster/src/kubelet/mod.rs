//! The kubelet: runs every scheduled pod as real processes through [`crate::runtime`], writes pod
//! status, runs probes, restarts containers with back-off, stops pods gracefully, and keeps every
//! pod's `/etc/hosts` in step with the cluster's DNS names.

mod hosts;
mod pod;

use crate::mirror::Mirror;
use crate::mirror::resources::keys;
use crate::runtime::{ClusterNet, Container, Sandbox};
use crate::util;
use serde_json::Value;
use std::collections::HashMap;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;

/// The log file of a container's current (or previous) start.
pub fn log_path(
    state_dir: &Path,
    uid: &str,
    container: &str,
    previous: bool,
    pod: &Value,
) -> PathBuf {
    let restarts = util::arr(pod, &["status", "containerStatuses"])
        .iter()
        .find(|c| util::s(c, &["name"]) == container)
        .and_then(|c| c.get("restartCount"))
        .and_then(Value::as_i64)
        .unwrap_or(0);
    let n = if previous {
        (restarts - 1).max(0)
    } else {
        restarts
    };
    log_file(state_dir, uid, container, n)
}

pub fn log_file(state_dir: &Path, uid: &str, container: &str, start: i64) -> PathBuf {
    state_dir
        .join("pods")
        .join(uid)
        .join(container)
        .join(format!("{start}.log"))
}

/// Timing knobs: faithful by default, shortened with `fast`.
#[derive(Clone, Copy, Debug)]
pub struct Timing {
    pub fast: bool,
}

impl Timing {
    /// A probe's initial delay or period as the kubelet will wait it.
    pub fn probe(&self, secs: f64) -> Duration {
        if self.fast {
            Duration::from_secs_f64((secs / 5.0).max(0.2))
        } else {
            Duration::from_secs_f64(secs)
        }
    }

    /// A liveness or startup probe's initial delay or period: never shortened, since a probe that
    /// kills is what a loaded machine must not fire early (a JVM that starts slowly under load
    /// would be restarted where a real kubelet leaves it alone).
    pub fn kill_probe(&self, secs: f64) -> Duration {
        Duration::from_secs_f64(secs)
    }

    /// Restart back-off after the n-th consecutive failure (n ≥ 1): 0, 10s, 20s, … 300s.
    pub fn backoff(&self, n: u32) -> Duration {
        if n <= 1 {
            return Duration::ZERO;
        }
        let base = if self.fast { 1.0 } else { 10.0 };
        let cap = if self.fast { 10.0 } else { 300.0 };
        Duration::from_secs_f64((base * 2f64.powi(n as i32 - 2)).min(cap))
    }

    /// The grace period actually waited before SIGKILL.
    pub fn grace(&self, secs: i64) -> Duration {
        let s = secs.max(0) as u64;
        if self.fast {
            Duration::from_secs(s.min(3))
        } else {
            Duration::from_secs(s)
        }
    }
}

/// What the per-pod workers share.
pub struct Shared {
    pub ctx: Arc<Mirror>,
    pub net: Arc<ClusterNet>,
    pub state_dir: PathBuf,
    pub timing: Timing,
    /// The address of a node without one of its own (the bridge's).
    pub host_ip: Ipv4Addr,
    /// Each node's own InternalIP, where it has one.
    pub node_ips: HashMap<String, Ipv4Addr>,
    /// Where the kubelet's writes go: the real API server, through the node agent's clients
    /// (its reads come from `ctx.store`, the agent's mirror).
    pub upstream: Arc<crate::nodeagent::Writer>,
    /// Running pods: uid → sandbox and containers by name.
    pub running: Mutex<HashMap<String, RunningPod>>,
    hosts_tx: watch::Sender<u64>,
}

/// A pod's live runtime objects (for exec, port-forward and friends in issue 4).
#[derive(Clone)]
pub struct RunningPod {
    pub namespace: String,
    pub name: String,
    pub sandbox: Sandbox,
    pub containers: HashMap<String, Container>,
}

impl Shared {
    /// A node's InternalIP: the pods' hostIP.
    pub fn host_ip_of(&self, node: &str) -> Ipv4Addr {
        self.node_ips.get(node).copied().unwrap_or(self.host_ip)
    }

    /// The sandbox and container of a running pod (`container` None: the first one).
    pub fn container(
        &self,
        ns: &str,
        pod: &str,
        container: Option<&str>,
    ) -> Option<(Sandbox, Container)> {
        let g = self.running.lock().ok()?;
        let rp = g.values().find(|r| r.namespace == ns && r.name == pod)?;
        let c = match container {
            Some(n) => rp.containers.get(n)?.clone(),
            None => rp.containers.values().next()?.clone(),
        };
        Some((rp.sandbox.clone(), c))
    }

    fn hosts_changed(&self) {
        self.hosts_tx.send_modify(|v| *v += 1);
    }
}

/// The kubelet of every node (all nodes are this host).
pub struct Kubelet {
    pub shared: Arc<Shared>,
    hosts_rx: watch::Receiver<u64>,
}

impl Kubelet {
    /// A kubelet whose writes go to `upstream`, for nodes with their own addresses.
    pub fn with_upstream(
        ctx: Arc<Mirror>,
        net: Arc<ClusterNet>,
        state_dir: PathBuf,
        timing: Timing,
        upstream: Arc<crate::nodeagent::Writer>,
        node_ips: HashMap<String, Ipv4Addr>,
    ) -> Kubelet {
        let host_ip = net.subnet().gateway();
        let (hosts_tx, hosts_rx) = watch::channel(0);
        Kubelet {
            shared: Arc::new(Shared {
                ctx,
                net,
                state_dir,
                timing,
                host_ip,
                node_ips,
                upstream,
                running: Mutex::new(HashMap::new()),
                hosts_tx,
            }),
            hosts_rx,
        }
    }

    /// Runs until shutdown, then stops every pod.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let shared = self.shared.clone();
        let mut rx = shared.ctx.store.subscribe();
        let mut workers: HashMap<
            String,
            (watch::Sender<Option<Value>>, tokio::task::JoinHandle<()>),
        > = HashMap::new();
        let hosts_task = tokio::spawn(hosts::run(shared.clone(), self.hosts_rx, shutdown.clone()));
        loop {
            // sync every pod bound to a node with its worker
            let pods = shared.ctx.store.items(keys::PODS);
            let mut seen = Vec::new();
            for p in pods {
                if util::s(&p, &["spec", "nodeName"]).is_empty() {
                    continue;
                }
                let uid = util::uid(&p).to_string();
                seen.push(uid.clone());
                match workers.get(&uid) {
                    Some((tx, _)) => {
                        tx.send_if_modified(|cur| {
                            if cur.as_ref() != Some(&p) {
                                *cur = Some(p.clone());
                                true
                            } else {
                                false
                            }
                        });
                    }
                    None => {
                        let (tx, prx) = watch::channel(Some(p.clone()));
                        let h = tokio::spawn(pod::run(shared.clone(), prx));
                        workers.insert(uid, (tx, h));
                    }
                }
            }
            // pods gone from the store (force-deleted): stop at once
            for (uid, (tx, _)) in workers.iter() {
                if !seen.contains(uid) {
                    let _ = tx.send(None);
                }
            }
            workers.retain(|_, (_, h)| !h.is_finished());
            shared.hosts_changed();
            tokio::select! {
                r = rx.recv() => {
                    if let Err(tokio::sync::broadcast::error::RecvError::Closed) = r { break; }
                    while rx.try_recv().is_ok() {}
                }
                _ = tokio::time::sleep(Duration::from_secs(2)) => {}
                _ = shutdown.changed() => break,
            }
        }
        // shutdown: every worker stops its pod
        for (_, (tx, _)) in workers.iter() {
            let _ = tx.send(None);
        }
        for (_, (_, h)) in workers {
            let _ = tokio::time::timeout(Duration::from_secs(15), h).await;
        }
        hosts_task.abort();
    }
}
