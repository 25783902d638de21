//! Reading what a drain verdict needs, all at once: every node, every pod of the cluster,
//! the claims and volumes (for volume node affinity), and every ensemble in scope as
//! `status` sees it — each member asked by ZooKeeper's own means, concurrently.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::anyhow;
use futures::future::join_all;
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{Node, PersistentVolume, PersistentVolumeClaim, Pod};
use kube::Client;
use kube::api::{Api, ListParams};

use super::decide::ClusterView;
use crate::cluster::ensemble::{self, Ensemble};
use crate::ensemble::EnsembleStatus;
use crate::names::EnsembleName;

/// How long each member may take to answer.
pub const MEMBER_TIMEOUT: Duration = Duration::from_secs(5);

/// Which ensembles a verdict considers.
#[derive(Debug, Clone)]
pub enum Scope {
    /// The one named, in this namespace.
    Named(String, EnsembleName),
    /// Every ensemble of this namespace.
    Namespace(String),
    /// Every ensemble of the cluster.
    AllNamespaces,
}

/// The ensembles in scope; none is an error that says where it looked.
pub async fn ensembles(client: &Client, scope: &Scope) -> anyhow::Result<Vec<Ensemble>> {
    let found = match scope {
        Scope::Named(namespace, name) => vec![ensemble::find(client, namespace, Some(name)).await?],
        Scope::Namespace(namespace) => {
            let api: Api<StatefulSet> = Api::namespaced(client.clone(), namespace);
            api.list(&ListParams::default())
                .await
                .map_err(|e| {
                    anyhow!(e).context(format!("cannot list StatefulSets in namespace {namespace}"))
                })?
                .items
                .into_iter()
                .filter_map(Ensemble::from_stateful_set)
                .collect()
        }
        Scope::AllNamespaces => ensemble::list_all(client).await?,
    };
    if found.is_empty() {
        match scope {
            Scope::Namespace(namespace) => anyhow::bail!(
                "no ZooKeeper ensemble in namespace {namespace}; pick its namespace with -n, or look in every namespace with -A"
            ),
            _ => anyhow::bail!(
                "no ZooKeeper ensemble in any namespace; there is nothing for drain-safe to protect"
            ),
        }
    }
    Ok(found)
}

/// Reads the cluster and the ensembles' states.
pub async fn gather(client: &Client, ensembles: &[Ensemble]) -> anyhow::Result<ClusterView> {
    let nodes: Api<Node> = Api::all(client.clone());
    let pods: Api<Pod> = Api::all(client.clone());
    let claims: Api<PersistentVolumeClaim> = Api::all(client.clone());
    let volumes: Api<PersistentVolume> = Api::all(client.clone());
    let everything = ListParams::default();
    let statuses = join_all(
        ensembles
            .iter()
            .map(|e| crate::ensemble::gather(client, e.clone(), None, MEMBER_TIMEOUT)),
    );
    let (node_list, pod_list, claim_list, volume_list, statuses) = futures::join!(
        nodes.list(&everything),
        pods.list(&everything),
        claims.list(&everything),
        volumes.list(&everything),
        statuses,
    );
    let nodes = node_list
        .map_err(|e| anyhow!(e).context("cannot list nodes"))?
        .items;
    let pods = pod_list
        .map_err(|e| anyhow!(e).context("cannot list pods in all namespaces"))?
        .items;
    let ensembles: Vec<EnsembleStatus> = statuses.into_iter().collect::<anyhow::Result<_>>()?;
    let mut unchecked = Vec::new();
    let volume_affinity = match (claim_list, volume_list) {
        (Ok(claims), Ok(volumes)) => {
            volume_affinity(&ensembles, &pods, &claims.items, &volumes.items)
        }
        (Err(err), _) | (_, Err(err)) => {
            unchecked.push(format!(
                "the volumes' node affinity was not checked: cannot list PersistentVolumeClaims and PersistentVolumes ({})",
                crate::cluster::error::kube_line(&err)
            ));
            BTreeMap::new()
        }
    };
    Ok(ClusterView {
        nodes,
        pods,
        volume_affinity,
        ensembles,
        unchecked,
        qualify: false,
    })
}

/// The required node affinity of the volumes each member's pod mounts, by `namespace/pod`.
fn volume_affinity(
    ensembles: &[EnsembleStatus],
    pods: &[Pod],
    claims: &[PersistentVolumeClaim],
    volumes: &[PersistentVolume],
) -> BTreeMap<String, Vec<k8s_openapi::api::core::v1::NodeSelector>> {
    let mut found = BTreeMap::new();
    for status in ensembles {
        let namespace = status.namespace.as_str();
        for member in &status.members {
            let Some(pod) = pods.iter().find(|p| {
                p.metadata.namespace.as_deref() == Some(namespace)
                    && p.metadata.name.as_deref() == Some(member.pod.as_str())
            }) else {
                continue;
            };
            let selectors: Vec<_> = pod
                .spec
                .iter()
                .flat_map(|s| s.volumes.iter().flatten())
                .filter_map(|v| v.persistent_volume_claim.as_ref())
                .filter_map(|source| {
                    claims.iter().find(|c| {
                        c.metadata.namespace.as_deref() == Some(namespace)
                            && c.metadata.name.as_deref() == Some(source.claim_name.as_str())
                    })
                })
                .filter_map(|claim| claim.spec.as_ref()?.volume_name.as_deref())
                .filter_map(|volume| {
                    volumes
                        .iter()
                        .find(|v| v.metadata.name.as_deref() == Some(volume))
                })
                .filter_map(|v| v.spec.as_ref()?.node_affinity.as_ref()?.required.clone())
                .collect();
            if !selectors.is_empty() {
                found.insert(format!("{namespace}/{}", member.pod), selectors);
            }
        }
    }
    found
}
