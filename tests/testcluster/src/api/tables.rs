//! Server-side tables (`as=Table;v=v1;g=meta.k8s.io`) with the columns of the real printers.

use crate::util::{self, age, arr, s};
use serde_json::{Value, json};

fn col(name: &str, ty: &str, format: &str, priority: i64) -> Value {
    json!({"name": name, "type": ty, "format": format, "description": name, "priority": priority})
}

/// Column definitions for a kind.
pub fn columns(kind: &str) -> Vec<Value> {
    if crate::openshift::tables::has(kind) {
        return crate::openshift::tables::columns(kind);
    }
    let name = col("Name", "string", "name", 0);
    let agec = col("Age", "string", "", 0);
    match kind {
        "Pod" => vec![
            name,
            col("Ready", "string", "", 0),
            col("Status", "string", "", 0),
            col("Restarts", "string", "", 0),
            agec,
            col("IP", "string", "", 1),
            col("Node", "string", "", 1),
            col("Nominated Node", "string", "", 1),
            col("Readiness Gates", "string", "", 1),
        ],
        "Node" => vec![
            name,
            col("Status", "string", "", 0),
            col("Roles", "string", "", 0),
            agec,
            col("Version", "string", "", 0),
            col("Internal-IP", "string", "", 1),
            col("External-IP", "string", "", 1),
            col("OS-Image", "string", "", 1),
            col("Kernel-Version", "string", "", 1),
            col("Container-Runtime", "string", "", 1),
        ],
        "StatefulSet" => vec![
            name,
            col("Ready", "string", "", 0),
            agec,
            col("Containers", "string", "", 1),
            col("Images", "string", "", 1),
        ],
        "DaemonSet" => vec![
            name,
            col("Desired", "integer", "", 0),
            col("Current", "integer", "", 0),
            col("Ready", "integer", "", 0),
            col("Up-to-date", "integer", "", 0),
            col("Available", "integer", "", 0),
            col("Node Selector", "string", "", 0),
            agec,
        ],
        "Service" => vec![
            name,
            col("Type", "string", "", 0),
            col("Cluster-IP", "string", "", 0),
            col("External-IP", "string", "", 0),
            col("Port(s)", "string", "", 0),
            agec,
            col("Selector", "string", "", 1),
        ],
        "Endpoints" => vec![name, col("Endpoints", "string", "", 0), agec],
        "ConfigMap" => vec![name, col("Data", "string", "", 0), agec],
        "Secret" => vec![
            name,
            col("Type", "string", "", 0),
            col("Data", "string", "", 0),
            agec,
        ],
        "ServiceAccount" => vec![name, col("Secrets", "string", "", 0), agec],
        "Namespace" => vec![name, col("Status", "string", "", 0), agec],
        "PersistentVolumeClaim" => vec![
            name,
            col("Status", "string", "", 0),
            col("Volume", "string", "", 0),
            col("Capacity", "string", "", 0),
            col("Access Modes", "string", "", 0),
            col("StorageClass", "string", "", 0),
            col("VolumeAttributesClass", "string", "", 0),
            agec,
            col("VolumeMode", "string", "", 1),
        ],
        "PersistentVolume" => vec![
            name,
            col("Capacity", "string", "", 0),
            col("Access Modes", "string", "", 0),
            col("Reclaim Policy", "string", "", 0),
            col("Status", "string", "", 0),
            col("Claim", "string", "", 0),
            col("StorageClass", "string", "", 0),
            col("VolumeAttributesClass", "string", "", 0),
            col("Reason", "string", "", 0),
            agec,
            col("VolumeMode", "string", "", 1),
        ],
        "PodDisruptionBudget" => vec![
            name,
            col("Min Available", "string", "", 0),
            col("Max Unavailable", "string", "", 0),
            col("Allowed Disruptions", "integer", "", 0),
            agec,
        ],
        "StorageClass" => vec![
            name,
            col("Provisioner", "string", "", 0),
            col("ReclaimPolicy", "string", "", 0),
            col("VolumeBindingMode", "string", "", 0),
            col("AllowVolumeExpansion", "string", "", 0),
            agec,
        ],
        "Event" => vec![
            col("Last Seen", "string", "", 0),
            col("Type", "string", "", 0),
            col("Reason", "string", "", 0),
            col("Object", "string", "", 0),
            col("Subobject", "string", "", 1),
            col("Source", "string", "", 1),
            col("Message", "string", "", 0),
            col("First Seen", "string", "", 1),
            col("Count", "string", "", 1),
            col("Name", "string", "", 1),
        ],
        "ControllerRevision" => vec![
            name,
            col("Controller", "string", "", 0),
            col("Revision", "integer", "", 0),
            agec,
        ],
        "Role" | "ClusterRole" => vec![name, col("Created At", "date", "", 0)],
        "RoleBinding" | "ClusterRoleBinding" => vec![
            name,
            col("Role", "string", "", 0),
            agec,
            col("Users", "string", "", 1),
            col("Groups", "string", "", 1),
            col("ServiceAccounts", "string", "", 1),
        ],
        _ => vec![name, agec],
    }
}

fn none_str(v: &str) -> String {
    if v.is_empty() {
        "<none>".into()
    } else {
        v.to_string()
    }
}

/// The pod STATUS column as kubectl's printer computes it.
pub fn pod_status(p: &Value) -> String {
    let mut reason = s(p, &["status", "phase"]).to_string();
    if !s(p, &["status", "reason"]).is_empty() {
        reason = s(p, &["status", "reason"]).to_string();
    }
    let mut initializing = false;
    for (i, c) in arr(p, &["status", "initContainerStatuses"])
        .iter()
        .enumerate()
    {
        let term = c.pointer("/state/terminated");
        if term.is_some_and(|t| t.get("exitCode").and_then(Value::as_i64) == Some(0)) {
            continue;
        }
        initializing = true;
        if let Some(t) = term {
            let r = util::s(t, &["reason"]);
            reason = if r.is_empty() {
                format!(
                    "Init:ExitCode:{}",
                    t.get("exitCode").and_then(Value::as_i64).unwrap_or(0)
                )
            } else {
                format!("Init:{r}")
            };
        } else if let Some(w) = c
            .pointer("/state/waiting")
            .filter(|w| !s(w, &["reason"]).is_empty() && s(w, &["reason"]) != "PodInitializing")
        {
            reason = format!("Init:{}", s(w, &["reason"]));
        } else {
            reason = format!("Init:{}/{}", i, arr(p, &["spec", "initContainers"]).len());
        }
        break;
    }
    if !initializing {
        let mut has_running = false;
        for c in arr(p, &["status", "containerStatuses"]).iter().rev() {
            if let Some(w) = c
                .pointer("/state/waiting")
                .filter(|w| !s(w, &["reason"]).is_empty())
            {
                reason = s(w, &["reason"]).to_string();
            } else if let Some(t) = c.pointer("/state/terminated") {
                let r = s(t, &["reason"]);
                reason = if !r.is_empty() {
                    r.to_string()
                } else if t.get("signal").and_then(Value::as_i64).unwrap_or(0) != 0 {
                    format!(
                        "Signal:{}",
                        t.get("signal").and_then(Value::as_i64).unwrap_or(0)
                    )
                } else {
                    format!(
                        "ExitCode:{}",
                        t.get("exitCode").and_then(Value::as_i64).unwrap_or(0)
                    )
                };
            } else if c.get("ready").and_then(Value::as_bool) == Some(true)
                && c.pointer("/state/running").is_some()
            {
                has_running = true;
            }
        }
        if reason == "Completed" && has_running {
            let ready = arr(p, &["status", "conditions"])
                .iter()
                .any(|c| s(c, &["type"]) == "Ready" && s(c, &["status"]) == "True");
            reason = if ready {
                "Running".into()
            } else {
                "NotReady".into()
            };
        }
    }
    if p.pointer("/metadata/deletionTimestamp").is_some() {
        if s(p, &["status", "reason"]) == "NodeLost" {
            reason = "Unknown".into();
        } else {
            reason = "Terminating".into();
        }
    }
    reason
}

fn restarts(p: &Value) -> String {
    let mut n = 0;
    let mut last: Option<String> = None;
    for c in arr(p, &["status", "containerStatuses"]) {
        n += c.get("restartCount").and_then(Value::as_i64).unwrap_or(0);
        if let Some(t) = c
            .pointer("/lastState/terminated/finishedAt")
            .and_then(Value::as_str)
            && last.as_deref().is_none_or(|l| t > l)
        {
            last = Some(t.to_string());
        }
    }
    match last {
        Some(t) if n > 0 => format!("{n} ({} ago)", util::age_of(&t)),
        _ => n.to_string(),
    }
}

fn access_modes(v: &[Value]) -> String {
    let mut out: Vec<&str> = Vec::new();
    for m in v {
        let short = match m.as_str().unwrap_or("") {
            "ReadWriteOnce" => "RWO",
            "ReadOnlyMany" => "ROX",
            "ReadWriteMany" => "RWX",
            "ReadWriteOncePod" => "RWOP",
            _ => continue,
        };
        if !out.contains(&short) {
            out.push(short);
        }
    }
    out.join(",")
}

fn int_or_str(v: Option<&Value>) -> String {
    match v {
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::String(x)) => x.clone(),
        _ => "N/A".into(),
    }
}

fn selector_str(v: Option<&Value>) -> String {
    match v.and_then(Value::as_object) {
        Some(m) if !m.is_empty() => m
            .iter()
            .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or("")))
            .collect::<Vec<_>>()
            .join(","),
        _ => "<none>".into(),
    }
}

/// The cells of one row.
pub fn cells(kind: &str, o: &Value) -> Vec<Value> {
    if crate::openshift::tables::has(kind) {
        return crate::openshift::tables::cells(kind, o);
    }
    let name = json!(util::name(o));
    let a = json!(age(o));
    match kind {
        "Pod" => {
            let cs = arr(o, &["status", "containerStatuses"]);
            let total = arr(o, &["spec", "containers"]).len();
            let ready = cs
                .iter()
                .filter(|c| c.get("ready").and_then(Value::as_bool) == Some(true))
                .count();
            let gates = arr(o, &["spec", "readinessGates"]);
            let gates_s = if gates.is_empty() {
                "<none>".to_string()
            } else {
                format!("0/{}", gates.len())
            };
            vec![
                name,
                json!(format!("{ready}/{total}")),
                json!(pod_status(o)),
                json!(restarts(o)),
                a,
                json!(none_str(s(o, &["status", "podIP"]))),
                json!(none_str(s(o, &["spec", "nodeName"]))),
                json!(none_str(s(o, &["status", "nominatedNodeName"]))),
                json!(gates_s),
            ]
        }
        "Node" => {
            let ready = arr(o, &["status", "conditions"])
                .iter()
                .find(|c| s(c, &["type"]) == "Ready")
                .map(|c| s(c, &["status"]) == "True");
            let mut st = match ready {
                Some(true) => "Ready".to_string(),
                Some(false) => "NotReady".to_string(),
                None => "Unknown".to_string(),
            };
            if o.pointer("/spec/unschedulable").and_then(Value::as_bool) == Some(true) {
                st.push_str(",SchedulingDisabled");
            }
            let mut roles: Vec<String> = util::labels(o)
                .keys()
                .filter_map(|k| k.strip_prefix("node-role.kubernetes.io/").map(String::from))
                .collect();
            roles.sort();
            let addr = |t: &str| {
                arr(o, &["status", "addresses"])
                    .iter()
                    .find(|a| s(a, &["type"]) == t)
                    .map(|a| s(a, &["address"]).to_string())
                    .unwrap_or("<none>".into())
            };
            vec![
                name,
                json!(st),
                json!(if roles.is_empty() {
                    "<none>".into()
                } else {
                    roles.join(",")
                }),
                a,
                json!(s(o, &["status", "nodeInfo", "kubeletVersion"])),
                json!(addr("InternalIP")),
                json!(addr("ExternalIP")),
                json!(s(o, &["status", "nodeInfo", "osImage"])),
                json!(s(o, &["status", "nodeInfo", "kernelVersion"])),
                json!(s(o, &["status", "nodeInfo", "containerRuntimeVersion"])),
            ]
        }
        "StatefulSet" => {
            let cs = arr(o, &["spec", "template", "spec", "containers"]);
            vec![
                name,
                json!(format!(
                    "{}/{}",
                    o.pointer("/status/readyReplicas")
                        .and_then(Value::as_i64)
                        .unwrap_or(0),
                    o.pointer("/spec/replicas")
                        .and_then(Value::as_i64)
                        .unwrap_or(1)
                )),
                a,
                json!(
                    cs.iter()
                        .map(|c| s(c, &["name"]))
                        .collect::<Vec<_>>()
                        .join(",")
                ),
                json!(
                    cs.iter()
                        .map(|c| s(c, &["image"]))
                        .collect::<Vec<_>>()
                        .join(",")
                ),
            ]
        }
        "DaemonSet" => {
            let n = |f: &str| {
                json!(
                    o.pointer(&format!("/status/{f}"))
                        .and_then(Value::as_i64)
                        .unwrap_or(0)
                )
            };
            vec![
                name,
                n("desiredNumberScheduled"),
                n("currentNumberScheduled"),
                n("numberReady"),
                n("updatedNumberScheduled"),
                n("numberAvailable"),
                json!(selector_str(o.pointer("/spec/template/spec/nodeSelector"))),
                a,
            ]
        }
        "Service" => {
            let ports: Vec<String> = arr(o, &["spec", "ports"])
                .iter()
                .map(|p| {
                    let port = p.get("port").and_then(Value::as_i64).unwrap_or(0);
                    let proto = s(p, &["protocol"]);
                    match p.get("nodePort").and_then(Value::as_i64) {
                        Some(np) => format!("{port}:{np}/{proto}"),
                        None => format!("{port}/{proto}"),
                    }
                })
                .collect();
            vec![
                name,
                json!(s(o, &["spec", "type"])),
                json!(s(o, &["spec", "clusterIP"])),
                json!("<none>"),
                json!(if ports.is_empty() {
                    "<none>".into()
                } else {
                    ports.join(",")
                }),
                a,
                json!(selector_str(o.pointer("/spec/selector"))),
            ]
        }
        "Endpoints" => {
            let mut eps: Vec<String> = Vec::new();
            for sub in arr(o, &["subsets"]) {
                let ports = arr(sub, &["ports"]);
                for addr in arr(sub, &["addresses"]) {
                    if ports.is_empty() {
                        eps.push(s(addr, &["ip"]).to_string());
                    }
                    for p in ports {
                        eps.push(format!(
                            "{}:{}",
                            s(addr, &["ip"]),
                            p.get("port").and_then(Value::as_i64).unwrap_or(0)
                        ));
                    }
                }
            }
            let total = eps.len();
            let shown = if total > 3 {
                format!("{} + {} more...", eps[..3].join(","), total - 3)
            } else {
                eps.join(",")
            };
            vec![
                name,
                json!(if shown.is_empty() {
                    "<none>".into()
                } else {
                    shown
                }),
                a,
            ]
        }
        "ConfigMap" => {
            let n = o
                .get("data")
                .and_then(Value::as_object)
                .map_or(0, |m| m.len())
                + o.get("binaryData")
                    .and_then(Value::as_object)
                    .map_or(0, |m| m.len());
            vec![name, json!(n), a]
        }
        "Secret" => {
            let n = o
                .get("data")
                .and_then(Value::as_object)
                .map_or(0, |m| m.len());
            vec![name, json!(s(o, &["type"])), json!(n), a]
        }
        "ServiceAccount" => vec![name, json!(arr(o, &["secrets"]).len()), a],
        "Namespace" => vec![name, json!(s(o, &["status", "phase"])), a],
        "PersistentVolumeClaim" => {
            let phase = if o.pointer("/metadata/deletionTimestamp").is_some() {
                "Terminating"
            } else {
                s(o, &["status", "phase"])
            };
            let bound = phase == "Bound";
            vec![
                name,
                json!(phase),
                json!(s(o, &["spec", "volumeName"])),
                json!(if bound {
                    o.pointer("/status/capacity/storage")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string()
                } else {
                    String::new()
                }),
                json!(if bound {
                    access_modes(arr(o, &["status", "accessModes"]))
                } else {
                    String::new()
                }),
                json!(none_str(s(o, &["spec", "storageClassName"]))),
                json!(none_str(s(o, &["spec", "volumeAttributesClassName"]))),
                a,
                json!(s(o, &["spec", "volumeMode"])),
            ]
        }
        "PersistentVolume" => {
            let claim = match o.pointer("/spec/claimRef") {
                Some(c) => format!("{}/{}", s(c, &["namespace"]), s(c, &["name"])),
                None => String::new(),
            };
            let phase = if o.pointer("/metadata/deletionTimestamp").is_some() {
                "Terminating"
            } else {
                s(o, &["status", "phase"])
            };
            vec![
                name,
                json!(
                    o.pointer("/spec/capacity/storage")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                ),
                json!(access_modes(arr(o, &["spec", "accessModes"]))),
                json!(s(o, &["spec", "persistentVolumeReclaimPolicy"])),
                json!(phase),
                json!(claim),
                json!(s(o, &["spec", "storageClassName"])),
                json!(none_str(s(o, &["spec", "volumeAttributesClassName"]))),
                json!(s(o, &["status", "reason"])),
                a,
                json!(s(o, &["spec", "volumeMode"])),
            ]
        }
        "PodDisruptionBudget" => vec![
            name,
            json!(int_or_str(o.pointer("/spec/minAvailable"))),
            json!(int_or_str(o.pointer("/spec/maxUnavailable"))),
            json!(
                o.pointer("/status/disruptionsAllowed")
                    .and_then(Value::as_i64)
                    .unwrap_or(0)
            ),
            a,
        ],
        "StorageClass" => {
            let default = util::get(
                o,
                &[
                    "metadata",
                    "annotations",
                    "storageclass.kubernetes.io/is-default-class",
                ],
            )
            .and_then(Value::as_str)
                == Some("true");
            let n = if default {
                format!("{} (default)", util::name(o))
            } else {
                util::name(o).to_string()
            };
            vec![
                json!(n),
                json!(s(o, &["provisioner"])),
                json!(s(o, &["reclaimPolicy"])),
                json!(s(o, &["volumeBindingMode"])),
                json!(
                    o.get("allowVolumeExpansion")
                        .and_then(Value::as_bool)
                        .unwrap_or(false)
                        .to_string()
                ),
                a,
            ]
        }
        "Event" => {
            let last = [
                s(o, &["lastTimestamp"]),
                s(o, &["eventTime"]),
                s(o, &["metadata", "creationTimestamp"]),
            ]
            .into_iter()
            .find(|x| !x.is_empty())
            .unwrap_or("");
            let first = [
                s(o, &["firstTimestamp"]),
                s(o, &["eventTime"]),
                s(o, &["metadata", "creationTimestamp"]),
            ]
            .into_iter()
            .find(|x| !x.is_empty())
            .unwrap_or("");
            let io = o.get("involvedObject").cloned().unwrap_or(json!({}));
            let kind_lc = s(&io, &["kind"]).to_lowercase();
            let comp = s(o, &["source", "component"]);
            let host = s(o, &["source", "host"]);
            let source = if host.is_empty() {
                comp.to_string()
            } else {
                format!("{comp}, {host}")
            };
            vec![
                json!(util::age_of(last)),
                json!(s(o, &["type"])),
                json!(s(o, &["reason"])),
                json!(format!("{}/{}", kind_lc, s(&io, &["name"]))),
                json!(s(&io, &["fieldPath"])),
                json!(source),
                json!(s(o, &["message"]).trim()),
                json!(util::age_of(first)),
                json!(
                    o.get("count")
                        .and_then(Value::as_i64)
                        .unwrap_or(1)
                        .to_string()
                ),
                json!(util::name(o)),
            ]
        }
        "ControllerRevision" => {
            let ctl = arr(o, &["metadata", "ownerReferences"])
                .iter()
                .find(|r| r.get("controller").and_then(Value::as_bool) == Some(true))
                .map(|r| {
                    format!(
                        "{}/{}",
                        s(r, &["kind"]).to_lowercase()
                            + "."
                            + s(r, &["apiVersion"]).split('/').next().unwrap_or(""),
                        s(r, &["name"])
                    )
                })
                .unwrap_or("<none>".into());
            vec![
                name,
                json!(ctl),
                json!(o.get("revision").and_then(Value::as_i64).unwrap_or(0)),
                a,
            ]
        }
        "Role" | "ClusterRole" => vec![name, json!(s(o, &["metadata", "creationTimestamp"]))],
        "RoleBinding" | "ClusterRoleBinding" => {
            let subj = |k: &str| {
                arr(o, &["subjects"])
                    .iter()
                    .filter(|x| s(x, &["kind"]) == k)
                    .map(|x| {
                        if k == "ServiceAccount" {
                            format!("{}/{}", s(x, &["namespace"]), s(x, &["name"]))
                        } else {
                            s(x, &["name"]).to_string()
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            vec![
                name,
                json!(format!(
                    "{}/{}",
                    s(o, &["roleRef", "kind"]),
                    s(o, &["roleRef", "name"])
                )),
                a,
                json!(subj("User")),
                json!(subj("Group")),
                json!(subj("ServiceAccount")),
            ]
        }
        _ => vec![name, a],
    }
}

fn partial(o: &Value) -> Value {
    let mut md = o.get("metadata").cloned().unwrap_or(json!({}));
    if let Some(m) = md.as_object_mut() {
        m.remove("managedFields");
    }
    json!({"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": md})
}

/// A Table of `items`; `include_object` is `None`, `Metadata` (default) or `Object`.
pub fn table(
    kind: &str,
    items: &[Value],
    rv: &str,
    include_object: &str,
    with_columns: bool,
) -> Value {
    let rows: Vec<Value> = items
        .iter()
        .map(|o| {
            let object = match include_object {
                "None" => Value::Null,
                "Object" => o.clone(),
                _ => partial(o),
            };
            let mut row = json!({"cells": cells(kind, o)});
            if !object.is_null() {
                row["object"] = object;
            }
            row
        })
        .collect();
    let mut t = json!({"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": {"resourceVersion": rv}, "rows": rows});
    t["columnDefinitions"] = if with_columns {
        Value::Array(columns(kind))
    } else {
        Value::Null
    };
    if !with_columns && let Some(m) = t.as_object_mut() {
        m.remove("columnDefinitions");
    }
    t
}
