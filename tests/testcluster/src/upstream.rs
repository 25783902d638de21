//! A cluster on the upstream control plane: the cluster network, etcd and the Kubernetes
//! components ([`crate::controlplane`]), what a cluster installer adds (the default StorageClass,
//! the DNS reader's role), and the nodes ([`crate::nodeagent`]).

use crate::controlplane::{ControlPlane, kube_client};
use crate::nodeagent::{NodeAgent, NodeOptions};
use crate::{Cluster, ClusterOptions, runtime};
use anyhow::{Context, Result, bail};
use kube::api::{Api, DynamicObject, ListParams, Patch, PatchParams};
use kube::core::ApiResource;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

/// Where the in-tree host-path provisioner (`--enable-hostpath-provisioner`) puts volumes.
const HOSTPATH_DIR: &str = "/tmp/hostpath_pv/";

/// What the cluster's installer creates: the default StorageClass `standard` (the in-tree
/// host-path provisioner, reclaim Delete, Immediate binding) and read access to Services and
/// EndpointSlices for the cluster DNS's user, as CoreDNS's ClusterRole grants it.
fn bootstrap_objects() -> Vec<(ApiResource, serde_json::Value)> {
    use k8s_openapi::api::{rbac::v1 as rbac, storage::v1 as storage};
    vec![
        (
            ApiResource::erase::<storage::StorageClass>(&()),
            json!({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
                "metadata": {"name": "standard", "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
                "provisioner": "kubernetes.io/host-path", "reclaimPolicy": "Delete", "volumeBindingMode": "Immediate"}),
        ),
        (
            ApiResource::erase::<rbac::ClusterRole>(&()),
            json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
                "metadata": {"name": crate::controlplane::pki::DNS},
                "rules": [
                    {"apiGroups": [""], "resources": ["services", "namespaces"], "verbs": ["list", "watch"]},
                    {"apiGroups": ["discovery.k8s.io"], "resources": ["endpointslices"], "verbs": ["list", "watch"]}]}),
        ),
        (
            ApiResource::erase::<rbac::ClusterRoleBinding>(&()),
            json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
                "metadata": {"name": crate::controlplane::pki::DNS},
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": crate::controlplane::pki::DNS},
                "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": crate::controlplane::pki::DNS}]}),
        ),
    ]
}

async fn apply_bootstrap(admin: &kube::Client) -> Result<()> {
    for (ar, obj) in bootstrap_objects() {
        let name = obj["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let api: Api<DynamicObject> = Api::all_with(admin.clone(), &ar);
        api.patch(
            &name,
            &PatchParams::apply("testcluster").force(),
            &Patch::Apply(&obj),
        )
        .await
        .with_context(|| format!("creating {} {name}", ar.kind))?;
    }
    Ok(())
}

/// Waits until every node is Ready and schedulable (the node controller has taken away the
/// `node.kubernetes.io/not-ready` taint a new node gets) and the `default` ServiceAccount of
/// `default` exists (pods cannot be created before it).
async fn wait_ready(admin: &kube::Client, nodes: usize, cp: &mut ControlPlane) -> Result<()> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    let node_api: Api<k8s_openapi::api::core::v1::Node> = Api::all(admin.clone());
    let sa_api: Api<k8s_openapi::api::core::v1::ServiceAccount> =
        Api::namespaced(admin.clone(), "default");
    loop {
        cp.health()?;
        let ready = node_api
            .list(&ListParams::default())
            .await
            .map(|l| {
                l.items.len() == nodes
                    && l.items.iter().all(|n| {
                        let ready = n
                            .status
                            .as_ref()
                            .and_then(|s| s.conditions.as_ref())
                            .is_some_and(|cs| {
                                cs.iter().any(|c| c.type_ == "Ready" && c.status == "True")
                            });
                        // admission (TaintNodesByCondition) gives a new node this taint; the
                        // node controller takes it away once it has seen the node Ready
                        let untainted =
                            n.spec
                                .as_ref()
                                .and_then(|s| s.taints.as_ref())
                                .is_none_or(|t| {
                                    t.iter().all(|t| t.key != "node.kubernetes.io/not-ready")
                                });
                        ready && untainted
                    })
            })
            .unwrap_or(false);
        let sa = matches!(sa_api.get_opt("default").await, Ok(Some(_)));
        if ready && sa {
            return Ok(());
        }
        if tokio::time::Instant::now() > deadline {
            bail!(
                "the cluster was not ready within 60s (nodes Ready and untainted: {ready}, default ServiceAccount: {sa})"
            );
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Removes the directories of the cluster's host-path volumes (the provisioner keeps them under
/// `/tmp/hostpath_pv/`, shared by every cluster on the machine).
pub(crate) async fn remove_volumes(cp: &ControlPlane) {
    let Ok(admin) = kube_client(&cp.server, &cp.pki.ca_pem, cp.pki.admin()).await else {
        return;
    };
    let api: Api<k8s_openapi::api::core::v1::PersistentVolume> = Api::all(admin);
    let Ok(list) = api.list(&ListParams::default()).await else {
        return;
    };
    for pv in list.items {
        let path = pv
            .spec
            .and_then(|s| s.host_path)
            .map(|h| h.path)
            .unwrap_or_default();
        if path.starts_with(HOSTPATH_DIR) && path.len() > HOSTPATH_DIR.len() && !path.contains("..")
        {
            let _ = std::fs::remove_dir_all(&path);
        }
    }
}

impl Cluster {
    pub(crate) async fn start_upstream(opts: ClusterOptions) -> Result<Cluster> {
        let (state_dir, remove_state_dir) =
            crate::prepare_state_dir(&opts, &["pods", "controlplane"]).await?;
        let net = Arc::new(
            runtime::ClusterNet::create(&state_dir)
                .await
                .context("creating the cluster network")?,
        );
        let mut cp = ControlPlane::start(&state_dir, &net, net.subnet().gateway()).await?;
        let admin = kube_client(&cp.server, &cp.pki.ca_pem, cp.pki.admin()).await?;
        apply_bootstrap(&admin).await?;
        let openshift = match opts.openshift {
            true => Some(crate::openshift::OpenShift::start(&admin, &cp.pki).await?),
            false => None,
        };
        let node_opts = NodeOptions {
            nodes: opts.nodes,
            cpu: opts.node_cpu.clone(),
            memory: opts.node_memory.clone(),
            fast: opts.fast,
        };
        let agent = NodeAgent::start(&cp, net.clone(), state_dir.clone(), &node_opts).await?;
        wait_ready(&admin, opts.nodes, &mut cp).await?;
        if let Some(o) = &openshift {
            o.wait_admitting(&admin).await?;
        }
        let cluster = Cluster {
            kubeconfig: opts
                .kubeconfig
                .clone()
                .unwrap_or_else(|| state_dir.join("kubeconfig")),
            server: cp.server.clone(),
            token: cp.pki.admin_token.clone(),
            developer_token: cp.pki.developer_token.clone(),
            ca_pem: cp.pki.ca_pem.clone(),
            state_dir: state_dir.clone(),
            mirror: agent.mirror.clone(),
            kubelet: agent.kubelet.clone(),
            control_plane: Some(cp),
            agent: Some(agent),
            openshift,
            remove_state_dir,
            net: Some(net),
        };
        cluster.write_kubeconfig()?;
        Ok(cluster)
    }
}
