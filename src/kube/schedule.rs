//! Would an evicted member be scheduled again? A prediction made the way kube-scheduler
//! filters nodes, and worded as its `FitError` (`0/4 nodes are available: 1 node(s) were
//! unschedulable, 3 node(s) didn't match pod anti-affinity rules.`), so the answer reads like
//! the `FailedScheduling` event the pod would get. Pure: nodes and pods in, outcomes out.
//!
//! Filters, in the scheduler's order, the first failing one naming the node's reason: the
//! drained (cordoned) or an unschedulable node, untolerated NoSchedule/NoExecute taints (a
//! node that is not Ready counts as tainted `node.kubernetes.io/not-ready`, as the node
//! controller taints it), `nodeSelector` and required node affinity, pod count, CPU and
//! memory requests against allocatable minus what the node's pods already request, the node
//! affinity of the pod's PersistentVolumes, the pod's required anti-affinity, and existing
//! pods' required anti-affinity. Not modelled: pod affinity, topology spread constraints,
//! host ports, preemption, and `namespaceSelector` (a term with one matches every namespace).

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::{Node, NodeSelector, Pod, PodAffinityTerm, Toleration};
use serde::Serialize;

use super::node::{UNSCHEDULABLE_TAINT, effective_taints, untolerated};
use super::pod;
use super::quantity;
use super::selector::{label_selector_matches, node_selector_matches, selector_terms_match};

/// Where a pod would go after its eviction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Reschedule {
    /// Whether some node fits it.
    pub schedulable: bool,
    /// The nodes that fit it now (after the pods placed before it).
    pub nodes: Vec<String>,
    /// The scheduler's words when no node fits: it would stay Pending.
    pub message: Option<String>,
}

/// The cluster as the scheduler would see it once `drained` (if any) is cordoned and emptied.
pub struct Scheduler<'a> {
    nodes: &'a [Node],
    drained: Option<&'a str>,
    /// Pods bound to a node other than the drained one, with that node.
    bound: Vec<(&'a Pod, &'a str)>,
    /// Requested (CPU millicores, memory bytes, pods) per node.
    used: BTreeMap<&'a str, (i64, i64, i64)>,
}

impl<'a> Scheduler<'a> {
    /// The cluster with every pod of `drained` gone and the node unschedulable (`None`: the
    /// cluster as it is). `pods` is every pod of the cluster; finished pods and pods not yet
    /// bound take no room.
    pub fn new(nodes: &'a [Node], pods: &'a [Pod], drained: Option<&'a str>) -> Self {
        let mut scheduler = Scheduler {
            nodes,
            drained,
            bound: Vec::new(),
            used: BTreeMap::new(),
        };
        for pod in pods {
            let Some(node) = pod::node_name(pod) else {
                continue;
            };
            if Some(node) == drained || pod::is_finished(pod) {
                continue;
            }
            scheduler.bind(pod, node);
        }
        scheduler
    }

    fn bind(&mut self, pod: &'a Pod, node: &'a str) {
        let (cpu, memory) = requests(pod);
        let entry = self.used.entry(node).or_default();
        entry.0 += cpu;
        entry.1 += memory;
        entry.2 += 1;
        self.bound.push((pod, node));
    }

    /// Places `pod` as the scheduler would, or says why it cannot; a placed pod takes its
    /// room and counts for the anti-affinity of the pods placed after it. `volume_affinity`
    /// are the node selectors of the pod's PersistentVolumes.
    pub fn place(&mut self, pod: &'a Pod, volume_affinity: &[NodeSelector]) -> Reschedule {
        let mut fitting: Vec<&'a str> = Vec::new();
        let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
        for node in self.nodes {
            let name = node.metadata.name.as_deref().unwrap_or_default();
            let failed = self.filter(pod, node, volume_affinity);
            if failed.is_empty() {
                fitting.push(name);
            }
            for reason in failed {
                *reasons.entry(reason).or_default() += 1;
            }
        }
        if fitting.is_empty() {
            return Reschedule {
                schedulable: false,
                nodes: Vec::new(),
                message: Some(fit_error(self.nodes.len(), &reasons)),
            };
        }
        // Spread as the scheduler's scoring does: the node with the fewest pods of the same
        // owner, then the fewest pods; ties go to the first node.
        let chosen = fitting
            .iter()
            .copied()
            .min_by_key(|node| {
                let siblings = self
                    .bound
                    .iter()
                    .filter(|(other, on)| on == node && same_owner(pod, other))
                    .count();
                let all = self.used.get(node).map_or(0, |u| u.2);
                (siblings, all)
            })
            .unwrap_or(fitting[0]);
        self.bind(pod, chosen);
        Reschedule {
            schedulable: true,
            nodes: fitting.iter().map(|n| (*n).to_owned()).collect(),
            message: None,
        }
    }

    /// The reasons `node` does not fit `pod` (empty when it fits). Like kube-scheduler, the
    /// first failing filter decides, except that the resource filter names every resource
    /// that is short.
    fn filter(&self, pod: &Pod, node: &Node, volume_affinity: &[NodeSelector]) -> Vec<String> {
        let name = node.metadata.name.as_deref().unwrap_or_default();
        let spec = pod.spec.as_ref();
        let tolerations: &[Toleration] = spec
            .and_then(|s| s.tolerations.as_deref())
            .unwrap_or_default();
        let taints = effective_taints(node, Some(name) == self.drained);
        if let Some(taint) = untolerated(&taints, tolerations) {
            return vec![if taint.key == UNSCHEDULABLE_TAINT {
                "node(s) were unschedulable".to_owned()
            } else {
                format!(
                    "node(s) had untolerated taint {{{}: {}}}",
                    taint.key,
                    taint.value.as_deref().unwrap_or_default()
                )
            }];
        }
        if !node_selector_matches(pod, node) {
            return vec!["node(s) didn't match Pod's node affinity/selector".into()];
        }
        let short = self.short_resources(pod, node);
        if !short.is_empty() {
            return short;
        }
        if !volume_affinity
            .iter()
            .all(|selector| selector_terms_match(selector, node))
        {
            return vec!["node(s) had volume node affinity conflict".into()];
        }
        let namespace = pod.metadata.namespace.as_deref().unwrap_or_default();
        let own_terms = required_anti_affinity(pod);
        let conflicts = |term: &PodAffinityTerm, term_ns: &str, other: &Pod, other_node: &str| {
            term_selects(term, term_ns, other)
                && same_domain(self.nodes, name, other_node, &term.topology_key)
        };
        if own_terms.iter().any(|term| {
            self.bound.iter().any(|(other, on)| {
                other.metadata.uid != pod.metadata.uid && conflicts(term, namespace, other, on)
            })
        }) {
            return vec!["node(s) didn't match pod anti-affinity rules".into()];
        }
        if self.bound.iter().any(|(other, on)| {
            let other_ns = other.metadata.namespace.as_deref().unwrap_or_default();
            required_anti_affinity(other)
                .iter()
                .any(|term| conflicts(term, other_ns, pod, on))
        }) {
            return vec!["node(s) didn't satisfy existing pods anti-affinity rules".into()];
        }
        Vec::new()
    }

    fn short_resources(&self, pod: &Pod, node: &Node) -> Vec<String> {
        let name = node.metadata.name.as_deref().unwrap_or_default();
        let (cpu, memory) = requests(pod);
        let (used_cpu, used_memory, used_pods) = self.used.get(name).copied().unwrap_or_default();
        let allocatable = |resource: &str, read: fn(&str) -> Option<i64>| {
            node.status
                .as_ref()
                .and_then(|s| s.allocatable.as_ref())
                .and_then(|a| a.get(resource))
                .and_then(|q| read(&q.0))
        };
        let mut short = Vec::new();
        if allocatable("pods", quantity::units).is_some_and(|max| used_pods + 1 > max) {
            short.push("Too many pods".into());
        }
        if cpu > 0
            && allocatable("cpu", quantity::millicores).is_some_and(|max| used_cpu + cpu > max)
        {
            short.push("Insufficient cpu".into());
        }
        if memory > 0
            && allocatable("memory", quantity::units).is_some_and(|max| used_memory + memory > max)
        {
            short.push("Insufficient memory".into());
        }
        short
    }
}

/// kube-scheduler's FitError: `0/N nodes are available: ` and the reasons with their node
/// counts, each as `<count> <reason>`, sorted as strings.
pub fn fit_error(nodes: usize, reasons: &BTreeMap<String, usize>) -> String {
    let mut counted: Vec<String> = reasons.iter().map(|(r, n)| format!("{n} {r}")).collect();
    counted.sort();
    format!("0/{nodes} nodes are available: {}.", counted.join(", "))
}

/// A pod's CPU (millicores) and memory (bytes) requests, as the scheduler counts them: the
/// containers' sum, or the largest init container when that is more; a container without a
/// request but with a limit requests its limit.
pub fn requests(pod: &Pod) -> (i64, i64) {
    let Some(spec) = pod.spec.as_ref() else {
        return (0, 0);
    };
    let one = |c: &k8s_openapi::api::core::v1::Container,
               resource: &str,
               read: fn(&str) -> Option<i64>| {
        let resources = c.resources.as_ref();
        resources
            .and_then(|r| r.requests.as_ref())
            .and_then(|r| r.get(resource))
            .or_else(|| {
                resources
                    .and_then(|r| r.limits.as_ref())
                    .and_then(|l| l.get(resource))
            })
            .and_then(|q| read(&q.0))
            .unwrap_or(0)
    };
    let sum = |resource, read| spec.containers.iter().map(|c| one(c, resource, read)).sum();
    let init = |resource, read| {
        spec.init_containers
            .iter()
            .flatten()
            .map(|c| one(c, resource, read))
            .max()
            .unwrap_or(0)
    };
    let cpu: i64 = sum("cpu", quantity::millicores);
    let memory: i64 = sum("memory", quantity::units);
    (
        cpu.max(init("cpu", quantity::millicores)),
        memory.max(init("memory", quantity::units)),
    )
}

fn required_anti_affinity(pod: &Pod) -> &[PodAffinityTerm] {
    pod.spec
        .as_ref()
        .and_then(|s| s.affinity.as_ref())
        .and_then(|a| a.pod_anti_affinity.as_ref())
        .and_then(|a| {
            a.required_during_scheduling_ignored_during_execution
                .as_deref()
        })
        .unwrap_or_default()
}

/// Whether an affinity term of a pod in `term_ns` selects `other`: its namespaces (the
/// pod's own by default; a namespaceSelector is taken to match every namespace) and its
/// label selector (none selects nothing).
fn term_selects(term: &PodAffinityTerm, term_ns: &str, other: &Pod) -> bool {
    let other_ns = other.metadata.namespace.as_deref().unwrap_or_default();
    let namespaces: BTreeSet<&str> = term
        .namespaces
        .iter()
        .flatten()
        .map(String::as_str)
        .collect();
    let namespace_ok = if term.namespace_selector.is_some() {
        true
    } else if namespaces.is_empty() {
        other_ns == term_ns
    } else {
        namespaces.contains(other_ns)
    };
    let Some(selector) = term.label_selector.as_ref() else {
        return false;
    };
    namespace_ok
        && label_selector_matches(selector, &other.metadata.labels.clone().unwrap_or_default())
}

/// Whether two nodes share a topology domain: both carry `key` with the same value.
fn same_domain(nodes: &[Node], a: &str, b: &str, key: &str) -> bool {
    let value = |name: &str| {
        nodes
            .iter()
            .find(|n| n.metadata.name.as_deref() == Some(name))
            .and_then(|n| n.metadata.labels.as_ref())
            .and_then(|l| l.get(key).cloned())
    };
    match (value(a), value(b)) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

fn same_owner(a: &Pod, b: &Pod) -> bool {
    let owner = |p: &Pod| {
        p.metadata
            .owner_references
            .iter()
            .flatten()
            .find(|o| o.controller == Some(true))
            .map(|o| o.uid.clone())
    };
    owner(a).is_some() && owner(a) == owner(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn node(name: &str, unschedulable: bool) -> Node {
        serde_json::from_value(json!({
            "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name}},
            "spec": {"unschedulable": unschedulable},
            "status": {
                "allocatable": {"cpu": "4", "memory": "8Gi", "pods": "110"},
                "conditions": [{"type": "Ready", "status": "True"}]
            }
        }))
        .expect("node")
    }

    /// A member as the seeds' StatefulSet makes it: app=zk, required anti-affinity on the
    /// host name, 500m CPU and 1Gi requested.
    fn member(name: &str, node: Option<&str>) -> Pod {
        serde_json::from_value(json!({
            "metadata": {"name": name, "namespace": "default", "uid": format!("uid-{name}"),
                "labels": {"app": "zk"},
                "ownerReferences": [{"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "zk", "uid": "sts", "controller": true}]},
            "spec": {
                "nodeName": node,
                "containers": [{"name": "zookeeper", "resources": {"requests": {"cpu": "500m", "memory": "1Gi"}}}],
                "affinity": {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
                    {"labelSelector": {"matchExpressions": [{"key": "app", "operator": "In", "values": ["zk"]}]},
                     "topologyKey": "kubernetes.io/hostname"}
                ]}}
            },
            "status": {"phase": if node.is_some() { "Running" } else { "Pending" }}
        }))
        .expect("pod")
    }

    fn nodes(n: usize) -> Vec<Node> {
        (1..=n).map(|i| node(&format!("node-{i}"), false)).collect()
    }

    #[test]
    fn the_seeds_first_drain_moves_the_member_to_the_free_node() {
        let nodes = nodes(4);
        let pods = vec![
            member("zk-0", Some("node-1")),
            member("zk-1", Some("node-2")),
            member("zk-2", Some("node-3")),
        ];
        let mut scheduler = Scheduler::new(&nodes, &pods, Some("node-1"));
        let outcome = scheduler.place(&pods[0], &[]);
        assert_eq!(outcome.nodes, ["node-4"], "{outcome:?}");
        assert!(outcome.schedulable && outcome.message.is_none());
    }

    #[test]
    fn the_seeds_second_drain_leaves_the_member_pending_in_the_schedulers_words() {
        // node-1 was drained before (cordoned); zk-0 runs on node-4 now.
        let mut nodes = nodes(4);
        nodes[0] = node("node-1", true);
        let pods = vec![
            member("zk-0", Some("node-4")),
            member("zk-1", Some("node-2")),
            member("zk-2", Some("node-3")),
        ];
        let mut scheduler = Scheduler::new(&nodes, &pods, Some("node-2"));
        let outcome = scheduler.place(&pods[1], &[]);
        assert!(!outcome.schedulable);
        assert_eq!(
            outcome.message.as_deref(),
            Some(
                "0/4 nodes are available: 2 node(s) didn't match pod anti-affinity rules, 2 node(s) were unschedulable."
            ),
            "the first sentence of the FailedScheduling event the seed's second drain shows"
        );
    }

    #[test]
    fn three_nodes_three_members_have_nowhere_to_go() {
        let nodes = nodes(3);
        let pods = vec![
            member("zk-0", Some("node-1")),
            member("zk-1", Some("node-2")),
            member("zk-2", Some("node-3")),
        ];
        let mut scheduler = Scheduler::new(&nodes, &pods, Some("node-3"));
        let outcome = scheduler.place(&pods[2], &[]);
        assert_eq!(
            outcome.message.as_deref(),
            Some(
                "0/3 nodes are available: 1 node(s) were unschedulable, 2 node(s) didn't match pod anti-affinity rules."
            )
        );
    }

    #[test]
    fn a_placed_member_blocks_the_next_one_under_anti_affinity() {
        // Two members on the drained node (the StatefulSet was made without anti-affinity
        // for one of them) and one free node: the first takes it, the second stays Pending.
        let nodes = nodes(3);
        let mut loose = member("zk-1", Some("node-1"));
        if let Some(spec) = loose.spec.as_mut() {
            spec.affinity = None;
        }
        let pods = vec![
            member("zk-0", Some("node-1")),
            loose,
            member("zk-2", Some("node-2")),
        ];
        let mut scheduler = Scheduler::new(&nodes, &pods, Some("node-1"));
        assert_eq!(scheduler.place(&pods[0], &[]).nodes, ["node-3"]);
        let second = scheduler.place(&pods[1], &[]);
        assert_eq!(
            second.message.as_deref(),
            Some(
                "0/3 nodes are available: 1 node(s) were unschedulable, 2 node(s) didn't satisfy existing pods anti-affinity rules."
            ),
            "zk-1 has no anti-affinity of its own, but the others' terms select it"
        );
    }

    #[test]
    fn resources_count_what_the_node_already_runs() {
        let mut nodes = nodes(2);
        nodes[1] = serde_json::from_value(json!({
            "metadata": {"name": "node-2", "labels": {"kubernetes.io/hostname": "node-2"}},
            "status": {"allocatable": {"cpu": "1", "memory": "1536Mi", "pods": "110"},
                       "conditions": [{"type": "Ready", "status": "True"}]}
        }))
        .expect("node");
        let mut hog: Pod = serde_json::from_value(json!({
            "metadata": {"name": "hog", "namespace": "batch"},
            "spec": {"nodeName": "node-2", "containers": [{"name": "c", "resources": {"limits": {"cpu": "800m", "memory": "1Gi"}}}]},
            "status": {"phase": "Running"}
        }))
        .expect("pod");
        let pods = vec![member("zk-0", Some("node-1")), hog.clone()];
        let mut scheduler = Scheduler::new(&nodes, &pods, Some("node-1"));
        assert_eq!(
            scheduler.place(&pods[0], &[]).message.as_deref(),
            Some(
                "0/2 nodes are available: 1 Insufficient cpu, 1 Insufficient memory, 1 node(s) were unschedulable."
            )
        );
        // A finished pod takes no room.
        hog.status = Some(serde_json::from_value(json!({"phase": "Succeeded"})).expect("status"));
        let pods = vec![member("zk-0", Some("node-1")), hog];
        let mut scheduler = Scheduler::new(&nodes, &pods, Some("node-1"));
        assert_eq!(scheduler.place(&pods[0], &[]).nodes, ["node-2"]);
    }

    #[test]
    fn taints_selectors_and_volume_affinity_are_worded_like_the_scheduler() {
        let mut tainted = node("node-2", false);
        tainted.spec = Some(
            serde_json::from_value(
                json!({"taints": [{"key": "dedicated", "value": "kafka", "effect": "NoSchedule"}]}),
            )
            .expect("spec"),
        );
        let mut not_ready = node("node-3", false);
        if let Some(status) = not_ready.status.as_mut() {
            status.conditions = Some(
                serde_json::from_value(json!([{"type": "Ready", "status": "False"}]))
                    .expect("conditions"),
            );
        }
        let mut other_zone = node("node-4", false);
        if let Some(labels) = other_zone.metadata.labels.as_mut() {
            labels.insert("zone".into(), "b".into());
        }
        let nodes = vec![node("node-1", false), tainted, not_ready, other_zone];
        let pods = vec![member("zk-0", Some("node-1"))];
        let volume: NodeSelector = serde_json::from_value(json!({"nodeSelectorTerms": [
            {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a"]}]}
        ]}))
        .expect("selector");
        let mut scheduler = Scheduler::new(&nodes, &pods, Some("node-1"));
        assert_eq!(
            scheduler.place(&pods[0], &[volume]).message.as_deref(),
            Some(
                "0/4 nodes are available: 1 node(s) had untolerated taint {dedicated: kafka}, 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }, 1 node(s) had volume node affinity conflict, 1 node(s) were unschedulable."
            )
        );
        // Tolerating the taint and choosing the zone by nodeSelector.
        let mut tolerant = pods[0].clone();
        if let Some(spec) = tolerant.spec.as_mut() {
            spec.tolerations = Some(
                serde_json::from_value(json!([{"key": "dedicated", "operator": "Exists"}]))
                    .expect("tolerations"),
            );
            spec.node_selector = Some([("zone".to_owned(), "b".to_owned())].into());
        }
        let mut scheduler = Scheduler::new(&nodes, &pods, Some("node-1"));
        let outcome = scheduler.place(&tolerant, &[]);
        assert_eq!(outcome.nodes, ["node-4"], "{outcome:?}");
    }

    #[test]
    fn requests_take_the_larger_of_containers_and_init_containers() {
        let pod: Pod = serde_json::from_value(json!({
            "metadata": {"name": "p"},
            "spec": {
                "initContainers": [{"name": "i", "resources": {"requests": {"cpu": "2", "memory": "64Mi"}}}],
                "containers": [
                    {"name": "a", "resources": {"requests": {"cpu": "250m", "memory": "1Gi"}}},
                    {"name": "b", "resources": {"limits": {"cpu": "0.5"}}}
                ]
            }
        }))
        .expect("pod");
        assert_eq!(requests(&pod), (2000, 1 << 30));
    }
}
