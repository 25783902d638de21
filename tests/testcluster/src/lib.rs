//! testcluster: a Kubernetes cluster for testing kubectl-zk against the real kubectl — the
//! upstream control plane ([`controlplane`]: etcd, kube-apiserver, kube-controller-manager,
//! kube-scheduler) with nodes of this crate ([`nodeagent`]) whose pods are real processes in their
//! own Linux namespaces ([`runtime`], [`kubelet`]), and an OpenShift mode ([`openshift`]: CRDs and
//! SCC admission webhooks).
//!
//! Start one from a test with [`Cluster::start`], or run the `testcluster up` binary and wait for
//! the line `testcluster ready` on its stdout. See the crate's README for what runs.

pub mod controlplane;
mod https;
pub mod kubelet;
pub mod mirror;
pub mod nodeagent;
pub mod openshift;
pub mod runtime;
pub mod subresources;
mod upstream;
pub mod util;

use anyhow::{Context, Result};
use base64::Engine;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// How to start a cluster.
#[derive(Clone, Debug)]
pub struct ClusterOptions {
    /// Number of nodes, `node-1` … `node-N`.
    pub nodes: usize,
    /// Where the request log, pod logs, volumes and runtime files go (a fresh directory under the
    /// system temp dir when None; it is removed on stop).
    pub state_dir: Option<PathBuf>,
    /// Where to write the kubeconfig (`<state dir>/kubeconfig` when None).
    pub kubeconfig: Option<PathBuf>,
    /// Shorter probe delays and periods (÷5), restart back-off (1s doubling to 10s instead of 10s
    /// to 5m) and grace periods (at most 3s) for fast tests. Off by default: faithful timing.
    pub fast: bool,
    /// Allocatable CPU (cores) and memory of each node.
    pub node_cpu: String,
    pub node_memory: String,
    /// OpenShift mode: the OpenShift API groups, SecurityContextConstraints and their admission
    /// of every pod, namespace UID ranges (see [`openshift`]). Off by default.
    pub openshift: bool,
}

impl Default for ClusterOptions {
    fn default() -> Self {
        ClusterOptions {
            nodes: 4,
            state_dir: None,
            kubeconfig: None,
            fast: false,
            node_cpu: "4".into(),
            node_memory: "8Gi".into(),
            openshift: false,
        }
    }
}

/// A running cluster. Stop it with [`Cluster::stop`]; dropping it stops it too (best effort).
pub struct Cluster {
    pub kubeconfig: PathBuf,
    /// `https://127.0.0.1:<port>`
    pub server: String,
    /// Bearer token of user `admin` (group `system:masters`; kubeconfig user `testcluster-admin`).
    pub token: String,
    /// Bearer token of user `developer` (group `system:authenticated` only, no rights beyond
    /// discovery until bound; kubeconfig user and context `testcluster-developer`).
    pub developer_token: String,
    pub ca_pem: String,
    pub state_dir: PathBuf,
    /// The node agent's mirror of its nodes' pods and what they use.
    pub mirror: Arc<mirror::Mirror>,
    pub kubelet: Arc<kubelet::Shared>,
    /// The control plane (None once stopped).
    pub control_plane: Option<controlplane::ControlPlane>,
    agent: Option<nodeagent::NodeAgent>,
    /// The OpenShift mode's webhook server and namespace controller.
    openshift: Option<openshift::OpenShift>,
    remove_state_dir: bool,
    net: Option<Arc<runtime::ClusterNet>>,
}

/// The kubeconfig text for a cluster: users `testcluster-admin` and `testcluster-developer`,
/// contexts `testcluster` (current) and `testcluster-developer`, both in namespace `default`.
pub fn kubeconfig_yaml(server: &str, ca_pem: &str, token: &str, developer_token: &str) -> String {
    let ca = base64::engine::general_purpose::STANDARD.encode(ca_pem.as_bytes());
    format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: testcluster\n  cluster:\n    server: {server}\n    certificate-authority-data: {ca}\nusers:\n- name: testcluster-admin\n  user:\n    token: {token}\n- name: testcluster-developer\n  user:\n    token: {developer_token}\ncontexts:\n- name: testcluster\n  context:\n    cluster: testcluster\n    user: testcluster-admin\n    namespace: default\n- name: testcluster-developer\n  context:\n    cluster: testcluster\n    user: testcluster-developer\n    namespace: default\ncurrent-context: testcluster\npreferences: {{}}\n"
    )
}

/// The state directory (made, canonical; a fresh one under the temp dir, removed on stop, when
/// none is given), with the leftovers of a crashed run that used it removed first, and the
/// subdirectories `fresh` emptied.
pub(crate) async fn prepare_state_dir(
    opts: &ClusterOptions,
    fresh: &[&str],
) -> Result<(PathBuf, bool)> {
    let (state_dir, remove_state_dir) = match &opts.state_dir {
        Some(d) => (d.clone(), false),
        None => (
            std::env::temp_dir().join(format!("testcluster-{}", uuid::Uuid::new_v4().simple())),
            true,
        ),
    };
    std::fs::create_dir_all(&state_dir)
        .with_context(|| format!("creating state dir {}", state_dir.display()))?;
    let state_dir = state_dir.canonicalize()?;
    runtime::cleanup_leftovers(&state_dir)
        .await
        .context("cleaning up leftovers of an earlier run")?;
    for sub in fresh {
        let _ = std::fs::remove_dir_all(state_dir.join(sub));
    }
    Ok((state_dir, remove_state_dir))
}

impl Cluster {
    /// Starts a cluster and returns once the API server is ready, every node is Ready and
    /// schedulable, and (OpenShift mode) SCC admission answers; with the kubeconfig written.
    /// Needs root (network namespaces, bridges, mounts, cgroups).
    pub async fn start(opts: ClusterOptions) -> Result<Cluster> {
        Self::start_upstream(opts).await
    }

    /// Writes the kubeconfig (atomically: a reader never sees half of it).
    fn write_kubeconfig(&self) -> Result<()> {
        let kc = kubeconfig_yaml(
            &self.server,
            &self.ca_pem,
            &self.token,
            &self.developer_token,
        );
        let tmp = self.kubeconfig.with_extension("tmp");
        if let Some(parent) = self.kubeconfig.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&tmp, kc)?;
        std::fs::rename(&tmp, &self.kubeconfig)
            .with_context(|| format!("writing {}", self.kubeconfig.display()))
    }

    /// The request log: the API server's audit log `<state dir>/audit.log` (one JSON object a
    /// line).
    pub fn request_log(&self) -> PathBuf {
        self.state_dir.join("audit.log")
    }

    /// The state directory.
    pub fn state_dir(&self) -> &Path {
        &self.state_dir
    }

    /// Stops every pod (gracefully, within their grace periods), the API server and controllers,
    /// and removes every process, network namespace, veth and the bridge.
    pub async fn stop(mut self) -> Result<()> {
        self.stop_inner().await
    }

    async fn stop_inner(&mut self) -> Result<()> {
        if let Some(mut agent) = self.agent.take() {
            agent.stop().await;
        }
        if let Some(mut cp) = self.control_plane.take() {
            upstream::remove_volumes(&cp).await;
            cp.stop().await;
        }
        if let Some(mut o) = self.openshift.take() {
            o.stop().await;
        }
        let mut result = Ok(());
        if let Some(net) = self.net.take() {
            match Arc::try_unwrap(net) {
                Ok(net) => result = net.destroy().await.context("removing the cluster network"),
                Err(shared) => {
                    // someone still holds it: the runtime's Drop cleans up when the last goes
                    drop(shared);
                }
            }
        }
        if self.remove_state_dir {
            let _ = std::fs::remove_dir_all(&self.state_dir);
        }
        result
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.agent.take();
        self.control_plane.take();
        self.openshift.take();
        // ClusterNet's Drop kills every process and removes the network objects
        self.net.take();
    }
}
