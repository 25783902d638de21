//! The scheduler: node unschedulable (cordon), node selector and required node affinity, CPU and
//! memory requests against allocatable, required and preferred pod anti-affinity (and required pod
//! affinity) on any topology key, PVC binding. Failures are worded like kube-scheduler's
//! `FitError` with its preemption post-filter message.

use super::{Controllers, State, is_terminating, set_condition};
use crate::api::resources::keys;
use crate::api::select::LabelSelector;
use crate::util;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// A filter failure on one node: the reason and whether preemption could help.
struct Fail {
    reason: &'static str,
    resolvable: bool,
}

fn requests(pod: &Value) -> (i128, i128) {
    let mut cpu = 0;
    let mut mem = 0;
    for c in util::arr(pod, &["spec", "containers"]) {
        if let Some(q) = c
            .pointer("/resources/requests/cpu")
            .or(c.pointer("/resources/limits/cpu"))
        {
            cpu += util::quantity(q, true).unwrap_or(0);
        }
        if let Some(q) = c
            .pointer("/resources/requests/memory")
            .or(c.pointer("/resources/limits/memory"))
        {
            mem += util::quantity(q, false).unwrap_or(0);
        }
    }
    (cpu, mem)
}

fn term_namespaces(term: &Value, pod_ns: &str) -> Vec<String> {
    let ns: Vec<String> = util::arr(term, &["namespaces"])
        .iter()
        .filter_map(|v| v.as_str().map(String::from))
        .collect();
    if ns.is_empty() && term.get("namespaceSelector").is_none() {
        vec![pod_ns.to_string()]
    } else {
        ns
    }
}

fn term_matches(term: &Value, pod_ns: &str, other: &Value) -> bool {
    let nss = term_namespaces(term, pod_ns);
    let ns_ok = nss.is_empty() || nss.iter().any(|n| n == util::namespace(other));
    ns_ok && LabelSelector::from_object(term.get("labelSelector")).matches_obj(other)
}

fn node_label<'a>(node: &'a Value, key: &str) -> Option<&'a str> {
    util::get(node, &["metadata", "labels", key]).and_then(Value::as_str)
}

fn same_domain(nodes: &[Value], a: &str, b: &str, key: &str) -> bool {
    let find = |n: &str| nodes.iter().find(|x| util::name(x) == n);
    match (find(a), find(b)) {
        (Some(x), Some(y)) => {
            node_label(x, key).is_some() && node_label(x, key) == node_label(y, key)
        }
        _ => false,
    }
}

fn node_selector_ok(pod: &Value, node: &Value) -> bool {
    if let Some(sel) = pod.pointer("/spec/nodeSelector").and_then(Value::as_object) {
        for (k, v) in sel {
            if node_label(node, k) != v.as_str() {
                return false;
            }
        }
    }
    let terms = util::arr(
        pod,
        &[
            "spec",
            "affinity",
            "nodeAffinity",
            "requiredDuringSchedulingIgnoredDuringExecution",
            "nodeSelectorTerms",
        ],
    );
    if terms.is_empty() {
        return true;
    }
    terms.iter().any(|t| {
        let mut sel =
            json!({"matchExpressions": t.get("matchExpressions").cloned().unwrap_or(json!([]))});
        if let Some(m) = sel.as_object_mut() {
            m.insert("matchLabels".into(), json!({}));
        }
        LabelSelector::from_object(Some(&sel)).matches_obj(node)
            && util::arr(t, &["matchFields"]).iter().all(|f| {
                util::s(f, &["key"]) != "metadata.name"
                    || util::arr(f, &["values"])
                        .iter()
                        .any(|v| v.as_str() == Some(util::name(node)))
            })
    })
}

/// Filters one node for a pod; `placed` are the pods already bound (not terminated).
fn filter(pod: &Value, node: &Value, nodes: &[Value], placed: &[Value]) -> Option<Fail> {
    let node_name = util::name(node);
    if node.pointer("/spec/unschedulable").and_then(Value::as_bool) == Some(true) {
        return Some(Fail {
            reason: "node(s) were unschedulable",
            resolvable: false,
        });
    }
    if !node_selector_ok(pod, node) {
        return Some(Fail {
            reason: "node(s) didn't match Pod's node affinity/selector",
            resolvable: false,
        });
    }
    let on_node: Vec<&Value> = placed
        .iter()
        .filter(|p| util::s(p, &["spec", "nodeName"]) == node_name)
        .collect();
    // resources
    let (cpu, mem) = requests(pod);
    let alloc_cpu = node
        .pointer("/status/allocatable/cpu")
        .and_then(|q| util::quantity(q, true))
        .unwrap_or(i128::MAX);
    let alloc_mem = node
        .pointer("/status/allocatable/memory")
        .and_then(|q| util::quantity(q, false))
        .unwrap_or(i128::MAX);
    let alloc_pods = node
        .pointer("/status/allocatable/pods")
        .and_then(|q| util::quantity(q, false))
        .unwrap_or(110);
    let used: (i128, i128) = on_node
        .iter()
        .map(|p| requests(p))
        .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    if on_node.len() as i128 + 1 > alloc_pods {
        return Some(Fail {
            reason: "Too many pods",
            resolvable: true,
        });
    }
    if cpu > 0 && used.0 + cpu > alloc_cpu {
        return Some(Fail {
            reason: "Insufficient cpu",
            resolvable: true,
        });
    }
    if mem > 0 && used.1 + mem > alloc_mem {
        return Some(Fail {
            reason: "Insufficient memory",
            resolvable: true,
        });
    }
    let ns = util::namespace(pod);
    // required pod affinity
    for term in util::arr(
        pod,
        &[
            "spec",
            "affinity",
            "podAffinity",
            "requiredDuringSchedulingIgnoredDuringExecution",
        ],
    ) {
        let key = util::s(term, &["topologyKey"]);
        let ok = placed.iter().any(|o| {
            term_matches(term, ns, o)
                && same_domain(nodes, node_name, util::s(o, &["spec", "nodeName"]), key)
        });
        // a first pod matching its own affinity may go anywhere
        let self_match =
            term_matches(term, ns, pod) && !placed.iter().any(|o| term_matches(term, ns, o));
        if !ok && !self_match {
            return Some(Fail {
                reason: "node(s) didn't match pod affinity rules",
                resolvable: false,
            });
        }
    }
    // required anti-affinity of the pod
    for term in util::arr(
        pod,
        &[
            "spec",
            "affinity",
            "podAntiAffinity",
            "requiredDuringSchedulingIgnoredDuringExecution",
        ],
    ) {
        let key = util::s(term, &["topologyKey"]);
        if placed.iter().any(|o| {
            util::uid(o) != util::uid(pod)
                && term_matches(term, ns, o)
                && same_domain(nodes, node_name, util::s(o, &["spec", "nodeName"]), key)
        }) {
            return Some(Fail {
                reason: "node(s) didn't match pod anti-affinity rules",
                resolvable: true,
            });
        }
    }
    // required anti-affinity of existing pods
    for o in placed {
        for term in util::arr(
            o,
            &[
                "spec",
                "affinity",
                "podAntiAffinity",
                "requiredDuringSchedulingIgnoredDuringExecution",
            ],
        ) {
            let key = util::s(term, &["topologyKey"]);
            if term_matches(term, util::namespace(o), pod)
                && same_domain(nodes, node_name, util::s(o, &["spec", "nodeName"]), key)
            {
                return Some(Fail {
                    reason: "node(s) didn't satisfy existing pods anti-affinity rules",
                    resolvable: true,
                });
            }
        }
    }
    None
}

fn score(pod: &Value, node: &Value, nodes: &[Value], placed: &[Value]) -> i64 {
    let node_name = util::name(node);
    let ns = util::namespace(pod);
    let mut s: i64 = 0;
    for w in util::arr(
        pod,
        &[
            "spec",
            "affinity",
            "podAntiAffinity",
            "preferredDuringSchedulingIgnoredDuringExecution",
        ],
    ) {
        let weight = w.get("weight").and_then(Value::as_i64).unwrap_or(1);
        let term = w.get("podAffinityTerm").cloned().unwrap_or(json!({}));
        let key = util::s(&term, &["topologyKey"]);
        let n = placed
            .iter()
            .filter(|o| {
                term_matches(&term, ns, o)
                    && same_domain(nodes, node_name, util::s(o, &["spec", "nodeName"]), key)
            })
            .count() as i64;
        s -= weight * n * 100;
    }
    for w in util::arr(
        pod,
        &[
            "spec",
            "affinity",
            "podAffinity",
            "preferredDuringSchedulingIgnoredDuringExecution",
        ],
    ) {
        let weight = w.get("weight").and_then(Value::as_i64).unwrap_or(1);
        let term = w.get("podAffinityTerm").cloned().unwrap_or(json!({}));
        let key = util::s(&term, &["topologyKey"]);
        let n = placed
            .iter()
            .filter(|o| {
                term_matches(&term, ns, o)
                    && same_domain(nodes, node_name, util::s(o, &["spec", "nodeName"]), key)
            })
            .count() as i64;
        s += weight * n * 100;
    }
    // spread: fewer pods is better
    s -= placed
        .iter()
        .filter(|p| util::s(p, &["spec", "nodeName"]) == node_name)
        .count() as i64;
    s
}

/// The FitError message for a pod no node fits.
fn fit_error(n: usize, fails: &[Fail]) -> String {
    let mut hist: BTreeMap<&str, usize> = BTreeMap::new();
    let mut pre: BTreeMap<&str, usize> = BTreeMap::new();
    for f in fails {
        *hist.entry(f.reason).or_default() += 1;
        *pre.entry(if f.resolvable {
            "No preemption victims found for incoming pod"
        } else {
            "Preemption is not helpful for scheduling"
        })
        .or_default() += 1;
    }
    let mut reasons: Vec<String> = hist.iter().map(|(r, c)| format!("{c} {r}")).collect();
    reasons.sort();
    let mut pre_r: Vec<String> = pre.iter().map(|(r, c)| format!("{c} {r}")).collect();
    pre_r.sort();
    format!(
        "0/{n} nodes are available: {}. preemption: 0/{n} nodes are available: {}.",
        reasons.join(", "),
        pre_r.join(", ")
    )
}

pub fn reconcile(c: &Controllers, state: &mut State) {
    let nodes: Vec<Value> = c.ctx.store.items(keys::NODES);
    let all_pods = c.ctx.store.items(keys::PODS);
    let mut placed: Vec<Value> = all_pods
        .iter()
        .filter(|p| {
            !util::s(p, &["spec", "nodeName"]).is_empty()
                && !matches!(util::s(p, &["status", "phase"]), "Succeeded" | "Failed")
        })
        .cloned()
        .collect();
    let mut pending: Vec<&Value> = all_pods
        .iter()
        .filter(|p| {
            util::s(p, &["spec", "nodeName"]).is_empty()
                && !is_terminating(p)
                && util::s(p, &["spec", "schedulerName"]) == "default-scheduler"
        })
        .collect();
    pending.sort_by_key(|p| util::s(p, &["metadata", "creationTimestamp"]).to_string());
    state
        .unschedulable
        .retain(|uid, _| all_pods.iter().any(|p| util::uid(p) == uid));
    for pod in pending {
        let ns = util::namespace(pod);
        let name = util::name(pod);
        let n = nodes.len();
        // volumes first (the VolumeBinding pre-filter)
        let mut pre_msg: Option<String> = None;
        for v in util::arr(pod, &["spec", "volumes"]) {
            let claim = util::s(v, &["persistentVolumeClaim", "claimName"]);
            if claim.is_empty() {
                continue;
            }
            match c.ctx.store.get(keys::PVCS, ns, claim) {
                None => pre_msg = Some(format!("persistentvolumeclaim \"{claim}\" not found")),
                Some(pvc) if pvc.pointer("/metadata/deletionTimestamp").is_some() => {
                    pre_msg = Some(format!(
                        "persistentvolumeclaim \"{claim}\" is being deleted"
                    ))
                }
                Some(pvc) if util::s(&pvc, &["status", "phase"]) != "Bound" => {
                    pre_msg = Some("pod has unbound immediate PersistentVolumeClaims".into())
                }
                _ => {}
            }
            if pre_msg.is_some() {
                break;
            }
        }
        let result: Result<String, String> = match pre_msg {
            Some(m) => Err(format!(
                "0/{n} nodes are available: {m}. preemption: 0/{n} nodes are available: {n} Preemption is not helpful for scheduling."
            )),
            None => {
                let mut fails = Vec::new();
                let mut best: Option<(i64, &Value)> = None;
                for node in &nodes {
                    match filter(pod, node, &nodes, &placed) {
                        Some(f) => fails.push(f),
                        None => {
                            let s = score(pod, node, &nodes, &placed);
                            if best.is_none_or(|(b, _)| s > b) {
                                best = Some((s, node));
                            }
                        }
                    }
                }
                match best {
                    Some((_, node)) => Ok(util::name(node).to_string()),
                    None if n == 0 => Err("no nodes available to schedule pods".into()),
                    None => Err(fit_error(n, &fails)),
                }
            }
        };
        match result {
            Ok(node) => {
                let bound = c.mutate(keys::PODS, ns, name, |o| {
                    util::set(o, &["spec", "nodeName"], json!(node));
                    set_condition(o, "PodScheduled", "True", "", "", true);
                });
                if let Some(b) = bound {
                    c.event(
                        &b,
                        "Normal",
                        "Scheduled",
                        &format!("Successfully assigned {ns}/{name} to {node}"),
                        "default-scheduler",
                    );
                    placed.push(b);
                }
                state.unschedulable.remove(util::uid(pod));
            }
            Err(msg) => {
                if state.unschedulable.get(util::uid(pod)) == Some(&msg) {
                    continue;
                }
                let updated = c.mutate(keys::PODS, ns, name, |o| {
                    set_condition(o, "PodScheduled", "False", "Unschedulable", &msg, true)
                });
                if let Some(u) = updated {
                    c.event(&u, "Warning", "FailedScheduling", &msg, "default-scheduler");
                }
                state.unschedulable.insert(util::uid(pod).to_string(), msg);
            }
        }
    }
}
