//! Checks before `install` creates anything: the namespace, the storage class, that every
//! member can be scheduled (the members' pods placed one after another by the same scheduler
//! model `drain-safe` uses: cordons, taints, selectors, room, required anti-affinity),
//! OpenShift, and an existing ensemble of the same name that must not be silently rewritten.
//! Reads run concurrently; each failure is an error that names the fix.

use anyhow::{anyhow, bail};
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{Namespace, Node, Pod};
use k8s_openapi::api::storage::v1::StorageClass;
use kube::api::{Api, ListParams};
use kube::{Client, ResourceExt};

use crate::cluster::client::has_status;
use crate::cluster::ensemble::Ensemble;
use crate::cluster::openshift;
use crate::kube::node;
use crate::kube::schedule::Scheduler;
use crate::kube::selector::{label_selector_matches, pod_labels};
use crate::manifest::options::{AntiAffinity, OpenShiftMode};
use crate::manifest::{EnsembleSpec, MANAGER, Manifest};

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
    /// The ensemble's StatefulSet when it exists already (this is an update).
    pub existing: Option<StatefulSet>,
    /// The existing ensemble's data sub path (`kubectl zk migrate` recorded it), to keep.
    pub data_sub_path: Option<String>,
}

/// Runs every check; fails on the first problem, before anything is created. An existing
/// StatefulSet is returned, for the caller to judge with [`check_existing`] once it has kept
/// what other commands set on it.
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
    let pods: Api<Pod> = Api::all(client.clone());
    let sets: Api<StatefulSet> = Api::namespaced(client.clone(), ns);
    let everything = ListParams::default();
    let (namespace, class_list, node_list, pod_list, existing, is_openshift) = futures::join!(
        namespaces.get_opt(ns),
        classes.list(&everything),
        nodes.list(&everything),
        pods.list(&everything),
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
        // Without the right to list every pod, the nodes are judged empty (room and the
        // anti-affinity of other pods are then the scheduler's to find out).
        Ok(list) => check_nodes(
            spec,
            &list.items,
            &pod_list.map(|l| l.items).unwrap_or_default(),
        )?,
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
    Ok(Preflight {
        create_namespace: !namespace_exists,
        storage_class: storage_class.unwrap_or_else(|| {
            spec.storage_class
                .clone()
                .unwrap_or_else(|| "(cluster default)".into())
        }),
        openshift,
        data_sub_path: match &existing {
            Some(sts) => crate::manifest::recorded_data_sub_path(sts),
            None => kept_data_sub_path(client, spec).await,
        },
        existing,
    })
}

/// Where the data is on member 0's kept claim, when `kubectl zk migrate` recorded it there (the
/// seeds' layout under `data/`), so an install over claims an uninstall kept finds the data.
async fn kept_data_sub_path(client: &Client, spec: &EnsembleSpec) -> Option<String> {
    let claims: Api<k8s_openapi::api::core::v1::PersistentVolumeClaim> =
        Api::namespaced(client.clone(), &spec.namespace);
    let claim = format!("{}-{}", crate::manifest::DATA_VOLUME, spec.name.pod(0));
    claims
        .get_opt(&claim)
        .await
        .ok()
        .flatten()?
        .annotations()
        .get(crate::manifest::DATA_SUB_PATH_ANNOTATION)
        .cloned()
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

/// Every member must be schedulable, as drain-safe's scheduler model judges it: the members'
/// pods (from the StatefulSet `install` renders) placed in ordinal order on `nodes`, next to
/// `pods` (every pod of the cluster; the ensemble's own are being replaced and take no room).
fn check_nodes(spec: &EnsembleSpec, nodes: &[Node], pods: &[Pod]) -> anyhow::Result<()> {
    let members = member_pods(spec);
    let Some(first) = members.first() else {
        return Ok(());
    };
    let own = |p: &Pod| {
        p.metadata.namespace.as_deref() == Some(spec.namespace.as_str())
            && label_selector_matches(&spec_selector(spec), &pod_labels(p))
    };
    let others: Vec<Pod> = pods.iter().filter(|p| !own(p)).cloned().collect();
    // The nodes the first member fits on, alone: cordons, taints, selectors, room.
    let fitting = Scheduler::new(nodes, &others, None).place(first, &[]);
    if spec.anti_affinity == AntiAffinity::Required && fitting.nodes.len() < members.len() {
        bail!(
            "{} members need {} nodes under required anti-affinity, but only {} of {} nodes are schedulable{}; \
add nodes, lower --replicas, or use --anti-affinity preferred",
            spec.replicas,
            spec.replicas,
            fitting.nodes.len(),
            nodes.len(),
            left_out(nodes, &fitting.nodes, first),
        );
    }
    let mut scheduler = Scheduler::new(nodes, &others, None);
    for member in &members {
        if let Some(message) = scheduler.place(member, &[]).message {
            bail!(
                "{} would stay Pending: {message} Free room on the nodes, tolerate their taints, or lower --replicas",
                member.metadata.name.as_deref().unwrap_or_default()
            );
        }
    }
    Ok(())
}

/// The label selector of the members' pods.
fn spec_selector(
    spec: &EnsembleSpec,
) -> k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector {
    k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector {
        match_labels: Some(spec.selector_labels()),
        match_expressions: None,
    }
}

/// The members' pods as the StatefulSet would create them (name, namespace, labels, spec).
fn member_pods(spec: &EnsembleSpec) -> Vec<Pod> {
    let sts = Manifest::render(spec).stateful_set;
    (0..spec.replicas)
        .filter_map(|ordinal| crate::kube::statefulset::member_pod(&sts, ordinal))
        .collect()
}

/// The nodes a member does not fit on and why, as the scheduler words it (` (node-2 had
/// untolerated taint {dedicated: kafka}, node-3 was unschedulable)`); empty when all fit.
fn left_out(nodes: &[Node], fitting: &[String], member: &Pod) -> String {
    let why: Vec<String> = nodes
        .iter()
        .filter(|n| !fitting.iter().any(|f| f == node::name(n)))
        .filter_map(|n| {
            let alone = std::slice::from_ref(n);
            let message = Scheduler::new(alone, &[], None)
                .place(member, &[])
                .message?;
            let reason = message.split_once(": ")?.1.trim_end_matches('.');
            let reason = reason.strip_prefix("1 node(s) ").unwrap_or(reason);
            let reason = reason.replace("were unschedulable", "was unschedulable");
            Some(format!("{} {reason}", node::name(n)))
        })
        .collect();
    if why.is_empty() {
        String::new()
    } else {
        format!(" ({})", why.join(", "))
    }
}

/// An existing StatefulSet of the same name may be updated only when kubectl-zk made it
/// and the change keeps its membership and flavour.
pub fn check_existing(spec: &EnsembleSpec, sts: &StatefulSet) -> anyhow::Result<()> {
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
which install does not do; keep --replicas {} and run `kubectl zk scale --replicas {} --name {name} -n {ns}`",
            existing.replicas(),
            spec.replicas,
            existing.replicas(),
            spec.replicas
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::options::Flavor;
    use serde_json::json;

    fn node(name: &str, taint: Option<serde_json::Value>) -> Node {
        serde_json::from_value(json!({
            "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name}},
            "spec": {"taints": taint.map(|t| vec![t])},
            "status": {"allocatable": {"cpu": "4", "memory": "8Gi", "pods": "110"},
                       "conditions": [{"type": "Ready", "status": "True"}]}
        }))
        .expect("node")
    }

    fn spec(anti_affinity: AntiAffinity) -> EnsembleSpec {
        let mut spec = crate::manifest::tests::spec(Flavor::Official);
        spec.anti_affinity = anti_affinity;
        spec
    }

    #[test]
    fn tainted_nodes_are_not_schedulable_as_drain_safe_judges_them() {
        let dedicated = json!({"key": "dedicated", "value": "kafka", "effect": "NoSchedule"});
        let nodes = vec![
            node("node-1", None),
            node("node-2", Some(dedicated.clone())),
            node("node-3", Some(dedicated)),
        ];
        let err = check_nodes(&spec(AntiAffinity::Required), &nodes, &[])
            .expect_err("two of three nodes are tainted");
        let text = err.to_string();
        assert!(
            text.contains("only 1 of 3 nodes are schedulable (node-2 had untolerated taint {dedicated: kafka}, node-3 had untolerated taint {dedicated: kafka})"),
            "{text}"
        );
        // Without anti-affinity every member goes on the untainted node.
        check_nodes(&spec(AntiAffinity::None), &nodes, &[]).expect("one node takes them all");

        // Only tainted nodes: nothing is schedulable, whatever the anti-affinity.
        let tainted = vec![node(
            "node-1",
            Some(json!({"key": "dedicated", "value": "kafka", "effect": "NoExecute"})),
        )];
        let text = check_nodes(&spec(AntiAffinity::None), &tainted, &[])
            .expect_err("refused")
            .to_string();
        assert!(
            text.contains("would stay Pending: 0/1 nodes are available: 1 node(s) had untolerated taint {dedicated: kafka}."),
            "{text}"
        );
    }

    #[test]
    fn enough_untainted_nodes_pass() {
        let nodes: Vec<Node> = (1..=3).map(|i| node(&format!("node-{i}"), None)).collect();
        check_nodes(&spec(AntiAffinity::Required), &nodes, &[])
            .expect("three nodes, three members");
    }
}
