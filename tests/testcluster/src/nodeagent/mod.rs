//! The node agent: the test cluster's nodes for a real API server. What the control plane asks of
//! a kubelet, done with the pod runtime of [`crate::runtime`] and the kubelet of
//! [`crate::kubelet`]:
//!
//! - each node `node-<i>` registers its Node (labels, capacity and allocatable, conditions,
//!   addresses — its own InternalIP on the cluster bridge —, the kubelet endpoint, node info, and
//!   the declared feature `ExtendWebSocketsToKubelet`), renews its Lease in `kube-node-lease`
//!   every 10 s and its Ready heartbeat every 30 s, as `system:node:<name>` (Node authorizer);
//! - it watches the pods bound to it (`spec.nodeName=<name>`) into a local mirror that the kubelet
//!   runs them from; the kubelet's writes (pod status, events, final deletes) go back through
//!   [`Writer`] as that node;
//! - it serves the kubelet API on `<InternalIP>:10250` over TLS ([`server`]);
//! - the cluster DNS (`/etc/hosts` of every pod) is fed from the real Services and EndpointSlices
//!   by [`dns`], as user `system:testcluster:dns` (the rights CoreDNS has).

mod dns;
mod server;
mod writer;

pub use writer::Writer;

use crate::controlplane::{ControlPlane, Identity, kube_client};
use crate::kubelet::{Kubelet, Shared, Timing};
use crate::mirror::Mirror;
use crate::mirror::resources::keys;
use crate::mirror::store::Store;
use crate::runtime::ClusterNet;
use crate::util;
use anyhow::{Context, Result};
use futures::StreamExt;
use kube::api::{Api, DynamicObject, Patch, PatchParams, PostParams};
use kube::runtime::WatchStreamExt;
use kube::runtime::watcher;
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::net::Ipv4Addr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch as tokio_watch;

/// What the nodes are like.
#[derive(Clone, Debug)]
pub struct NodeOptions {
    pub nodes: usize,
    pub cpu: String,
    pub memory: String,
    pub fast: bool,
}

/// The running nodes.
pub struct NodeAgent {
    /// The mirror the kubelet reads (pods bound to these nodes, what they use, Services and
    /// their endpoints).
    pub mirror: Arc<Mirror>,
    pub kubelet: Arc<Shared>,
    shutdown: tokio_watch::Sender<bool>,
    kubelet_task: Option<tokio::task::JoinHandle<()>>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

/// The Node object a node registers.
pub fn node_object(name: &str, ip: &str, opts: &NodeOptions, version: &str) -> Value {
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .unwrap_or_default()
        .trim()
        .to_string();
    json!({
        "apiVersion": "v1", "kind": "Node",
        "metadata": {"name": name, "labels": {
            "kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
            "beta.kubernetes.io/os": "linux", "beta.kubernetes.io/arch": "amd64"},
            "annotations": {"node.alpha.kubernetes.io/ttl": "0", "volumes.kubernetes.io/controller-managed-attach-detach": "true"}},
        "spec": {"providerID": format!("testcluster://{name}")},
        "status": {
            "capacity": {"cpu": opts.cpu, "memory": opts.memory, "pods": "110", "ephemeral-storage": "100Gi", "hugepages-2Mi": "0"},
            "allocatable": {"cpu": opts.cpu, "memory": opts.memory, "pods": "110", "ephemeral-storage": "100Gi", "hugepages-2Mi": "0"},
            "conditions": node_conditions(&util::now_ts()),
            "addresses": [{"type": "InternalIP", "address": ip}, {"type": "Hostname", "address": name}],
            "daemonEndpoints": {"kubeletEndpoint": {"Port": server::PORT}},
            "declaredFeatures": ["ExtendWebSocketsToKubelet"],
            "nodeInfo": {
                "machineID": "", "systemUUID": "", "bootID": "", "kernelVersion": kernel,
                "osImage": "Debian GNU/Linux 12 (bookworm)", "containerRuntimeVersion": "testcluster://0.1.0",
                "kubeletVersion": format!("{version}-testcluster"),
                "kubeProxyVersion": "", "operatingSystem": "linux", "architecture": "amd64"
            }
        }
    })
}

/// The node's conditions: healthy, last heard of now, true since `since`.
fn node_conditions(since: &str) -> Value {
    let now = util::now_ts();
    let cond = |t: &str, s: &str, reason: &str, msg: &str| json!({"type": t, "status": s, "reason": reason, "message": msg, "lastHeartbeatTime": now, "lastTransitionTime": since});
    json!([
        cond(
            "MemoryPressure",
            "False",
            "KubeletHasSufficientMemory",
            "kubelet has sufficient memory available"
        ),
        cond(
            "DiskPressure",
            "False",
            "KubeletHasNoDiskPressure",
            "kubelet has no disk pressure"
        ),
        cond(
            "PIDPressure",
            "False",
            "KubeletHasSufficientPID",
            "kubelet has sufficient PID available"
        ),
        cond(
            "Ready",
            "True",
            "KubeletReady",
            "kubelet is posting ready status"
        ),
    ])
}

fn micro_now() -> String {
    util::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

impl NodeAgent {
    /// Registers every node and starts running the pods bound to them.
    pub async fn start(
        cp: &ControlPlane,
        net: Arc<ClusterNet>,
        state_dir: PathBuf,
        opts: &NodeOptions,
    ) -> Result<NodeAgent> {
        let version = crate::controlplane::kubernetes_version()?;
        let (shutdown, shutdown_rx) = tokio_watch::channel(false);
        let store = Arc::new(Store::new());
        let mirror = Mirror::new(
            store.clone(),
            state_dir.clone(),
            opts.fast,
            shutdown_rx.clone(),
        );
        let mut clients = HashMap::new();
        let mut node_ips = HashMap::new();
        let mut tasks = Vec::new();
        for i in 1..=opts.nodes {
            let name = format!("node-{i}");
            let ip = net.add_node_address(i).await?;
            let cert = cp.pki.node(&name)?;
            let user = format!("system:node:{name}");
            let client = kube_client(
                &cp.server,
                &cp.pki.ca_pem,
                Identity::Cert {
                    user: &user,
                    cert: &cert,
                },
            )
            .await?;
            register(&client, &name, ip, opts, &version)
                .await
                .with_context(|| format!("registering node {name}"))?;
            tasks.push(tokio::spawn(heartbeat(
                client.clone(),
                name.clone(),
                shutdown_rx.clone(),
            )));
            tasks.push(tokio::spawn(watch_pods(
                client.clone(),
                name.clone(),
                store.clone(),
            )));
            clients.insert(name.clone(), client);
            node_ips.insert(name, ip);
        }
        let dns_client = kube_client(&cp.server, &cp.pki.ca_pem, cp.pki.dns()).await?;
        tasks.push(tokio::spawn(dns::run(dns_client, store.clone())));
        let writer = Writer::new(clients);
        let kubelet = Kubelet::with_upstream(
            mirror.clone(),
            net,
            state_dir,
            Timing { fast: opts.fast },
            writer,
            node_ips.clone(),
        );
        let shared = kubelet.shared.clone();
        for (name, ip) in &node_ips {
            let tls = cp.pki.kubelet_serving(name, *ip)?;
            tasks.push(
                server::serve(
                    *ip,
                    tls,
                    mirror.clone(),
                    Arc::downgrade(&shared),
                    shutdown_rx.clone(),
                )
                .await
                .with_context(|| format!("serving the kubelet API of {name} on {ip}"))?,
            );
        }
        let kubelet_task = Some(tokio::spawn(kubelet.run(shutdown_rx)));
        Ok(NodeAgent {
            mirror,
            kubelet: shared,
            shutdown,
            kubelet_task,
            tasks,
        })
    }

    /// Stops every pod (the kubelet's shutdown: SIGTERM, then SIGKILL after their grace) and the
    /// agent's loops. Pods are not deleted from the API server: the nodes just stop.
    pub async fn stop(&mut self) {
        let _ = self.shutdown.send(true);
        if let Some(t) = self.kubelet_task.take() {
            let _ = tokio::time::timeout(Duration::from_secs(40), t).await;
        }
        for t in self.tasks.drain(..) {
            t.abort();
        }
    }
}

impl Drop for NodeAgent {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
        for t in &self.tasks {
            t.abort();
        }
        if let Some(t) = &self.kubelet_task {
            t.abort();
        }
    }
}

/// Creates the node's Node (or takes over one left from before) and its Lease.
async fn register(
    client: &kube::Client,
    name: &str,
    ip: Ipv4Addr,
    opts: &NodeOptions,
    version: &str,
) -> Result<()> {
    // untyped: k8s-openapi's v1_33 Node has no `declaredFeatures`
    let nodes: Api<DynamicObject> = Api::all_with(
        client.clone(),
        &kube::core::ApiResource::erase::<k8s_openapi::api::core::v1::Node>(&()),
    );
    let node = node_object(name, &ip.to_string(), opts, version);
    let obj: DynamicObject = serde_json::from_value(node.clone())?;
    let created = match nodes.create(&PostParams::default(), &obj).await {
        Ok(n) => n,
        Err(kube::Error::Api(s)) if s.code == 409 => {
            let patch = json!({"status": node["status"]});
            nodes
                .patch_status(name, &PatchParams::default(), &Patch::Merge(&patch))
                .await?
        }
        Err(e) => return Err(e.into()),
    };
    let uid = created.metadata.uid.unwrap_or_default();
    let leases: Api<DynamicObject> = Api::namespaced_with(
        client.clone(),
        "kube-node-lease",
        &kube::core::ApiResource::erase::<k8s_openapi::api::coordination::v1::Lease>(&()),
    );
    let lease: DynamicObject = serde_json::from_value(json!({
        "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
        "metadata": {"name": name, "namespace": "kube-node-lease",
            "ownerReferences": [{"apiVersion": "v1", "kind": "Node", "name": name, "uid": uid}]},
        "spec": {"holderIdentity": name, "leaseDurationSeconds": 40, "renewTime": micro_now()},
    }))?;
    match leases.create(&PostParams::default(), &lease).await {
        Ok(_) => Ok(()),
        Err(kube::Error::Api(s)) if s.code == 409 => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// Renews the node's Lease every 10 s and its conditions' heartbeat every 30 s, until shutdown.
async fn heartbeat(client: kube::Client, name: String, mut shutdown: tokio_watch::Receiver<bool>) {
    let leases: Api<DynamicObject> = Api::namespaced_with(
        client.clone(),
        "kube-node-lease",
        &kube::core::ApiResource::erase::<k8s_openapi::api::coordination::v1::Lease>(&()),
    );
    let nodes: Api<k8s_openapi::api::core::v1::Node> = Api::all(client);
    let since = util::now_ts();
    let mut tick = 0u64;
    loop {
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(10)) => {}
            _ = shutdown.changed() => return,
        }
        tick += 1;
        let renew = json!({"spec": {"renewTime": micro_now(), "holderIdentity": name}});
        if let Err(e) = leases
            .patch(&name, &PatchParams::default(), &Patch::Merge(&renew))
            .await
        {
            tracing::debug!("renewing the lease of {name}: {e}");
        }
        if tick.is_multiple_of(3) {
            let status = json!({"status": {"conditions": node_conditions(&since)}});
            if let Err(e) = nodes
                .patch_status(&name, &PatchParams::default(), &Patch::Strategic(&status))
                .await
            {
                tracing::debug!("posting the status of {name}: {e}");
            }
        }
    }
}

/// Mirrors the pods bound to `node`.
async fn watch_pods(client: kube::Client, node: String, store: Arc<Store>) {
    let api: Api<DynamicObject> = Api::all_with(
        client,
        &kube::core::ApiResource::erase::<k8s_openapi::api::core::v1::Pod>(&()),
    );
    let config = watcher::Config::default().fields(&format!("spec.nodeName={node}"));
    let ours = |p: &Value| util::s(p, &["spec", "nodeName"]) == node;
    mirror(
        api,
        config,
        &store,
        keys::PODS,
        ours,
        &format!("the pods of {node}"),
    )
    .await;
}

/// Mirrors what `api` and `config` list and watch into `store` under `key`, until the watch
/// ends: each object as it is, deletions (of that uid) removed, and after a relist the objects
/// `in_scope` of this watch that the new list lacks removed too.
pub(crate) async fn mirror(
    api: Api<DynamicObject>,
    config: watcher::Config,
    store: &Store,
    key: &str,
    in_scope: impl Fn(&Value) -> bool,
    what: &str,
) {
    let mut stream = watcher(api, config).default_backoff().boxed();
    let mut listing: HashSet<(String, String)> = HashSet::new();
    while let Some(ev) = stream.next().await {
        match ev {
            Ok(watcher::Event::Init) => listing.clear(),
            Ok(watcher::Event::InitApply(o)) => {
                let v = writer::mirrored(o, key);
                listing.insert((util::namespace(&v).into(), util::name(&v).into()));
                store.put(key, v);
            }
            Ok(watcher::Event::InitDone) => {
                for o in store.items(key) {
                    let k = (util::namespace(&o).to_string(), util::name(&o).to_string());
                    if in_scope(&o) && !listing.contains(&k) {
                        let _ = store.remove(key, &k.0, &k.1, None);
                    }
                }
            }
            Ok(watcher::Event::Apply(o)) => store.put(key, writer::mirrored(o, key)),
            Ok(watcher::Event::Delete(o)) => {
                let v = writer::mirrored(o, key);
                let _ = store.remove(
                    key,
                    util::namespace(&v),
                    util::name(&v),
                    Some(util::uid(&v)),
                );
            }
            Err(e) => tracing::debug!("watching {what}: {e}"),
        }
    }
}
