//! Checks before `install` creates anything: the namespace, the storage class, enough
//! schedulable nodes for required anti-affinity, OpenShift, and an existing ensemble of the
//! same name that must not be silently rewritten. Reads run concurrently; each failure is an
//! error that names the fix.

use anyhow::{anyhow, bail};
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{Namespace, Node};
use k8s_openapi::api::storage::v1::StorageClass;
use kube::api::{Api, ListParams};
use kube::{Client, ResourceExt};

use crate::cluster::client::has_status;
use crate::cluster::ensemble::Ensemble;
use crate::cluster::openshift;
use crate::manifest::options::{AntiAffinity, OpenShiftMode};
use crate::manifest::{EnsembleSpec, MANAGER};

/// The annotation that marks the default StorageClass.
const DEFAULT_CLASS: &str = "storageclass.kubernetes.io/is-default-class";

/// What preflight found out.
#[derive(Debug, Clone)]
pub struct Preflight {
    /// The namespace must be created first.
    pub create_namespace: bool,
    /// The StorageClass the claims will get.
    pub storage_class: String,
    /// Whether the cluster is OpenShift.
    pub openshift: bool,
    /// The ensemble already exists (this is an update).
    pub existing: bool,
}

/// Runs every check; fails on the first problem, before anything is created.
pub async fn check(
    client: &Client,
    spec: &EnsembleSpec,
    create_namespace: bool,
    openshift: OpenShiftMode,
) -> anyhow::Result<Preflight> {
    let ns = spec.namespace.as_str();
    let namespaces: Api<Namespace> = Api::all(client.clone());
    let classes: Api<StorageClass> = Api::all(client.clone());
    let nodes: Api<Node> = Api::all(client.clone());
    let sets: Api<StatefulSet> = Api::namespaced(client.clone(), ns);
    let everything = ListParams::default();
    let (namespace, class_list, node_list, existing, is_openshift) = futures::join!(
        namespaces.get_opt(ns),
        classes.list(&everything),
        nodes.list(&everything),
        sets.get_opt(spec.name.as_str()),
        openshift::detect(client),
    );
    // A project admin may not read the namespace object or cluster-wide lists: such checks are
    // skipped with a note, and the server's own answers decide later.
    let namespace_exists = match namespace {
        Ok(found) => found.is_some(),
        Err(err) if has_status(&err, 403) => true,
        Err(err) => return Err(anyhow!(err).context(format!("cannot read namespace {ns}"))),
    };
    if !namespace_exists && !create_namespace {
        bail!(
            "namespace {ns} does not exist; create it (kubectl create namespace {ns}) or add --create-namespace"
        );
    }
    let storage_class = match class_list {
        Ok(list) => Some(storage_class(spec, &list.items)?),
        Err(err) if has_status(&err, 403) => {
            eprintln!(
                "Note: you may not list StorageClasses, so {} is not checked",
                spec.storage_class
                    .as_deref()
                    .map(|c| format!("StorageClass {c}"))
                    .unwrap_or_else(|| "that the cluster has a default StorageClass".into())
            );
            None
        }
        Err(err) => return Err(anyhow!(err).context("cannot list StorageClasses")),
    };
    match node_list {
        Ok(list) => check_nodes(spec, &list.items)?,
        Err(err) if has_status(&err, 403) => {
            if spec.anti_affinity == AntiAffinity::Required {
                eprintln!(
                    "Note: you may not list nodes, so it is not checked that {} schedulable nodes exist for required anti-affinity",
                    spec.replicas
                );
            }
        }
        Err(err) => return Err(anyhow!(err).context("cannot list nodes")),
    }

    let is_openshift = is_openshift?;
    let openshift = match openshift {
        OpenShiftMode::Always if !is_openshift => {
            bail!(
                "--openshift always: this cluster does not serve security.openshift.io, so it is not OpenShift; use --openshift auto"
            )
        }
        OpenShiftMode::Never => false,
        _ => is_openshift,
    };

    let existing = existing.map_err(|e| {
        anyhow!(e).context(format!("cannot read StatefulSet {} in {ns}", spec.name))
    })?;
    if let Some(sts) = &existing {
        check_existing(spec, sts)?;
    }
    Ok(Preflight {
        create_namespace: !namespace_exists,
        storage_class: storage_class.unwrap_or_else(|| {
            spec.storage_class
                .clone()
                .unwrap_or_else(|| "(cluster default)".into())
        }),
        openshift,
        existing: existing.is_some(),
    })
}

/// The StorageClass the claims get: the one asked for, which must exist, or the default.
fn storage_class(spec: &EnsembleSpec, class_list: &[StorageClass]) -> anyhow::Result<String> {
    let class_names: Vec<String> = class_list.iter().map(|c| c.name_any()).collect();
    let available = if class_names.is_empty() {
        "none".to_owned()
    } else {
        class_names.join(", ")
    };
    Ok(match &spec.storage_class {
        Some(wanted) if class_names.contains(wanted) => wanted.clone(),
        Some(wanted) => bail!("StorageClass {wanted} does not exist; use --storage-class with one of: {available}"),
        None => class_list
            .iter()
            .find(|c| c.annotations().get(DEFAULT_CLASS).is_some_and(|v| v == "true"))
            .map(|c| c.name_any())
            .ok_or_else(|| {
                anyhow!("the cluster has no default StorageClass; pick one with --storage-class (available: {available})")
            })?,
    })
}

/// Required anti-affinity needs a schedulable node per member.
fn check_nodes(spec: &EnsembleSpec, node_list: &[Node]) -> anyhow::Result<()> {
    let schedulable = node_list.iter().filter(|n| is_schedulable(n)).count();
    if spec.anti_affinity == AntiAffinity::Required && schedulable < spec.replicas as usize {
        bail!(
            "{} members need {} nodes under required anti-affinity, but only {schedulable} of {} nodes are schedulable; \
add nodes, lower --replicas, or use --anti-affinity preferred",
            spec.replicas,
            spec.replicas,
            node_list.len()
        );
    }
    Ok(())
}

/// A Ready node that is not cordoned.
pub fn is_schedulable(node: &Node) -> bool {
    let cordoned = node
        .spec
        .as_ref()
        .and_then(|s| s.unschedulable)
        .unwrap_or(false);
    node_is_ready(node) && !cordoned
}

/// Whether the node's Ready condition is True.
pub fn node_is_ready(node: &Node) -> bool {
    node.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
}

/// An existing StatefulSet of the same name may be updated only when kubectl-zk made it
/// and the change keeps its membership and flavour.
fn check_existing(spec: &EnsembleSpec, sts: &StatefulSet) -> anyhow::Result<()> {
    let name = &spec.name;
    let ns = &spec.namespace;
    let managed = sts
        .labels()
        .get("app.kubernetes.io/managed-by")
        .is_some_and(|m| m == MANAGER);
    if !managed {
        bail!(
            "StatefulSet {name} in namespace {ns} exists and was not created by kubectl-zk; \
choose another --name, or inspect it with `kubectl zk status --name {name} -n {ns}`"
        );
    }
    let Some(existing) = Ensemble::from_stateful_set(sts.clone()) else {
        bail!(
            "StatefulSet {name} in namespace {ns} no longer runs a ZooKeeper image; choose another --name"
        );
    };
    if let Some(flavor) = existing.flavor
        && flavor != spec.flavor
    {
        bail!(
            "ensemble {name} in namespace {ns} runs the {flavor} flavour; installing it as {} would rewrite its \
configuration and data layout; keep --flavor {flavor} or choose another --name",
            spec.flavor
        );
    }
    if existing.replicas() != spec.replicas {
        bail!(
            "ensemble {name} in namespace {ns} has {} members; changing it to {} changes the quorum membership, \
which install does not do in place; keep --replicas {}",
            existing.replicas(),
            spec.replicas,
            existing.replicas()
        );
    }
    Ok(())
}
