//! testcluster: a Kubernetes API server, controllers, scheduler and kubelet whose pods are real
//! processes in their own Linux namespaces, for testing kubectl-zk against the real kubectl.
//!
//! Start one from a test with [`Cluster::start`], or run the `testcluster up` binary and wait for
//! the line `testcluster ready` on its stdout. See the crate's README for what is modelled.

pub mod api;
pub mod controllers;
pub mod controlplane;
pub mod kubelet;
pub mod nodeagent;
pub mod openshift;
pub mod runtime;
pub mod subresources;
pub mod tls;
mod upstream;
pub mod util;

use anyhow::{Context, Result, bail};
use api::resources::keys;
use api::store::Store;
use base64::Engine;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

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
    /// Which control plane judges: upstream Kubernetes (the default) or the built-in model (still
    /// used by OpenShift mode and by the tests of the model itself).
    pub control_plane: ControlPlaneKind,
}

/// The control plane of a cluster.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ControlPlaneKind {
    /// etcd, kube-apiserver, kube-controller-manager and kube-scheduler built from upstream
    /// ([`controlplane`]), with the node agent ([`nodeagent`]) as the nodes.
    Upstream,
    /// This crate's own API server, controllers and scheduler ([`api`], [`controllers`]).
    Builtin,
}

impl ControlPlaneKind {
    /// The default: upstream, unless `TESTCLUSTER_CONTROL_PLANE=builtin`.
    pub fn from_env() -> ControlPlaneKind {
        match std::env::var("TESTCLUSTER_CONTROL_PLANE").as_deref() {
            Ok("builtin") => ControlPlaneKind::Builtin,
            _ => ControlPlaneKind::Upstream,
        }
    }
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
            control_plane: ControlPlaneKind::from_env(),
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
    /// The built-in API server's context, or (upstream) the node agent's mirror.
    pub api: Arc<api::ApiContext>,
    pub kubelet: Arc<kubelet::Shared>,
    /// The upstream control plane and its nodes, when that is what runs.
    pub control_plane: Option<controlplane::ControlPlane>,
    agent: Option<nodeagent::NodeAgent>,
    /// The OpenShift mode's webhook server and namespace controller.
    openshift: Option<openshift::OpenShift>,
    remove_state_dir: bool,
    shutdown: watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
    net: Option<Arc<runtime::ClusterNet>>,
    server_handle: Option<api::ApiServer>,
}

/// A node of the built-in control plane: the node agent's Node object, with the pod CIDR the
/// built-in scheduler's model once had, no declared features, and this model's version.
fn node_object(name: &str, ip: &str, opts: &ClusterOptions) -> serde_json::Value {
    let node_opts = nodeagent::NodeOptions {
        nodes: opts.nodes,
        cpu: opts.node_cpu.clone(),
        memory: opts.node_memory.clone(),
        fast: opts.fast,
    };
    let version = format!(
        "v{}.{}.0",
        api::discovery::SERVER_MAJOR,
        api::discovery::SERVER_MINOR
    );
    let mut node = nodeagent::node_object(name, ip, &node_opts, &version);
    node["spec"]["podCIDR"] = json!("10.244.0.0/24");
    node["spec"]["podCIDRs"] = json!(["10.244.0.0/24"]);
    if let Some(status) = node["status"].as_object_mut() {
        status.remove("declaredFeatures");
    }
    node
}

fn bootstrap(store: &Store, opts: &ClusterOptions, node_ip: &str) -> Result<()> {
    let create = |key: &str, obj: serde_json::Value| -> Result<()> {
        let def = api::resources::by_key(key).context("unknown resource")?;
        let ns = util::namespace(&obj).to_string();
        let o =
            api::handlers::prepare_create(def, if def.namespaced { Some(&ns) } else { None }, obj)
                .map_err(|e| anyhow::anyhow!("{e}"))?;
        store.create(key, o).map_err(|e| anyhow::anyhow!("{e}"))?;
        Ok(())
    };
    for ns in ["default", "kube-system", "kube-public", "kube-node-lease"] {
        create(
            keys::NAMESPACES,
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}),
        )?;
    }
    create(
        keys::STORAGECLASSES,
        json!({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
            "metadata": {"name": "standard", "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
            "provisioner": "testcluster.io/hostpath", "reclaimPolicy": "Delete", "volumeBindingMode": "Immediate"}),
    )?;
    create(
        keys::SERVICES,
        json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "kubernetes", "namespace": "default", "labels": {"component": "apiserver", "provider": "kubernetes"}},
            "spec": {"clusterIP": "10.96.0.1", "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443}]}}),
    )?;
    for (key, obj) in api::bootstrap_policy::objects() {
        create(key, obj)?;
    }
    for i in 1..=opts.nodes {
        let name = format!("node-{i}");
        let node = node_object(&name, node_ip, opts);
        let def = api::resources::by_key(keys::NODES).context("nodes")?;
        let o =
            api::handlers::prepare_create(def, None, node).map_err(|e| anyhow::anyhow!("{e}"))?;
        store
            .create(keys::NODES, o)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    if opts.openshift {
        openshift::bootstrap(store, &create).context("seeding the OpenShift objects")?;
    }
    Ok(())
}

/// The kubeconfig text for a cluster: users `testcluster-admin` and `testcluster-developer`,
/// contexts `testcluster` (current) and `testcluster-developer`, both in namespace `default`.
pub fn kubeconfig_yaml(server: &str, ca_pem: &str, token: &str, developer_token: &str) -> String {
    let ca = base64::engine::general_purpose::STANDARD.encode(ca_pem.as_bytes());
    format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: testcluster\n  cluster:\n    server: {server}\n    certificate-authority-data: {ca}\nusers:\n- name: testcluster-admin\n  user:\n    token: {token}\n- name: testcluster-developer\n  user:\n    token: {developer_token}\ncontexts:\n- name: testcluster\n  context:\n    cluster: testcluster\n    user: testcluster-admin\n    namespace: default\n- name: testcluster-developer\n  context:\n    cluster: testcluster\n    user: testcluster-developer\n    namespace: default\ncurrent-context: testcluster\npreferences: {{}}\n"
    )
}

fn new_token() -> String {
    format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

/// One authenticated HTTPS GET against the API server, as a client would do it.
async fn https_get(
    addr: std::net::SocketAddr,
    ca_pem: &str,
    token: &str,
    path: &str,
) -> Result<(u16, Vec<u8>)> {
    use http_body_util::BodyExt;
    let mut roots = rustls::RootCertStore::empty();
    let mut rd = std::io::BufReader::new(ca_pem.as_bytes());
    for cert in rustls_pemfile_certs(&mut rd)? {
        roots.add(cert)?;
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = tokio::net::TcpStream::connect(addr).await?;
    let tls = connector
        .connect(
            rustls::pki_types::ServerName::try_from("127.0.0.1")?.to_owned(),
            tcp,
        )
        .await?;
    let (mut sender, conn) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(tls)).await?;
    tokio::spawn(conn);
    let req = hyper::Request::get(path)
        .header("host", addr.to_string())
        .header("authorization", format!("Bearer {token}"))
        .body(http_body_util::Empty::<bytes::Bytes>::new())?;
    let resp = sender.send_request(req).await?;
    let code = resp.status().as_u16();
    let body = resp.into_body().collect().await?.to_bytes().to_vec();
    Ok((code, body))
}

fn rustls_pemfile_certs(
    rd: &mut dyn std::io::BufRead,
) -> Result<Vec<rustls::pki_types::CertificateDer<'static>>> {
    let mut text = String::new();
    rd.read_to_string(&mut text)?;
    let mut out = Vec::new();
    for block in text.split("-----BEGIN CERTIFICATE-----").skip(1) {
        let b64: String = block
            .split("-----END CERTIFICATE-----")
            .next()
            .unwrap_or("")
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let der = base64::engine::general_purpose::STANDARD.decode(b64)?;
        out.push(rustls::pki_types::CertificateDer::from(der));
    }
    Ok(out)
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
    /// Starts a cluster and returns once the API answers and every node is Ready, with the
    /// kubeconfig written. Needs root (network namespaces, bridges, mounts, cgroups).
    pub async fn start(opts: ClusterOptions) -> Result<Cluster> {
        if opts.control_plane == ControlPlaneKind::Upstream || opts.openshift {
            return Self::start_upstream(opts).await;
        }
        let (state_dir, remove_state_dir) = prepare_state_dir(&opts, &["pods"]).await?;
        let net = Arc::new(
            runtime::ClusterNet::create(&state_dir)
                .await
                .context("creating the cluster network")?,
        );
        let node_ip = net.subnet().gateway().to_string();
        let tls = tls::generate()?;
        let token = new_token();
        let developer_token = new_token();
        let store = Arc::new(Store::new());
        bootstrap(&store, &opts, &node_ip)?;
        let (shutdown_tx, shutdown_rx) = watch::channel(false);
        let server = api::ApiServer::start(
            store.clone(),
            token.clone(),
            developer_token.clone(),
            tls.server_config.clone(),
            state_dir.clone(),
            opts.fast,
            api::resources::Served {
                openshift: opts.openshift,
            },
            shutdown_rx.clone(),
        )
        .await?;
        let ctx = server.ctx.clone();
        let volumes_dir = state_dir.join("volumes");
        std::fs::create_dir_all(&volumes_dir)?;
        let controllers = controllers::Controllers {
            ctx: ctx.clone(),
            volumes_dir,
            memo: Default::default(),
            backoff: Default::default(),
            fast: opts.fast,
        };
        let mut tasks = vec![tokio::spawn(controllers.run(shutdown_rx.clone()))];
        let kubelet = kubelet::Kubelet::new(
            ctx.clone(),
            net.clone(),
            state_dir.clone(),
            kubelet::Timing { fast: opts.fast },
        );
        let shared = kubelet.shared.clone();
        subresources::install(&ctx, &shared);
        tasks.push(tokio::spawn(kubelet.run(shutdown_rx.clone())));
        let mut cluster = Cluster {
            kubeconfig: opts
                .kubeconfig
                .clone()
                .unwrap_or_else(|| state_dir.join("kubeconfig")),
            server: server.url(),
            token: token.clone(),
            developer_token: developer_token.clone(),
            ca_pem: tls.ca_pem.clone(),
            state_dir: state_dir.clone(),
            api: ctx,
            kubelet: shared,
            remove_state_dir,
            shutdown: shutdown_tx,
            tasks,
            net: Some(net),
            server_handle: None,
            control_plane: None,
            agent: None,
            openshift: None,
        };
        // ready: the API answers over HTTPS and lists every node Ready
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            let ok = match https_get(server.addr, &tls.ca_pem, &token, "/api/v1/nodes").await {
                Ok((200, body)) => {
                    let v: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
                    let items = util::arr(&v, &["items"]);
                    items.len() == opts.nodes
                        && items.iter().all(|n| {
                            util::arr(n, &["status", "conditions"]).iter().any(|c| {
                                util::s(c, &["type"]) == "Ready"
                                    && util::s(c, &["status"]) == "True"
                            })
                        })
                }
                _ => false,
            };
            if ok {
                break;
            }
            if tokio::time::Instant::now() > deadline {
                cluster.server_handle = Some(server);
                cluster.stop().await?;
                bail!("the API server did not become ready within 30s");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        cluster.server_handle = Some(server);
        cluster.write_kubeconfig()?;
        Ok(cluster)
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

    /// The request log: the built-in API server's `<state dir>/requests.log`, or the upstream API
    /// server's audit log `<state dir>/audit.log` (one JSON object a line each).
    pub fn request_log(&self) -> PathBuf {
        match &self.control_plane {
            Some(cp) => cp.audit_log.clone(),
            None => self.state_dir.join("requests.log"),
        }
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
        let _ = self.shutdown.send(true);
        for t in self.tasks.drain(..) {
            let _ = tokio::time::timeout(Duration::from_secs(40), t).await;
        }
        if let Some(s) = self.server_handle.take() {
            s.stop();
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
        let _ = self.shutdown.send(true);
        for t in &self.tasks {
            t.abort();
        }
        if let Some(s) = self.server_handle.take() {
            s.stop();
        }
        // ClusterNet's Drop kills every process and removes the network objects
        self.net.take();
    }
}
