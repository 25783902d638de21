//! One pod's life on a node: sandbox, volumes, containers with probes and restarts, status, and
//! graceful termination.

use super::{RunningPod, Shared, log_file};
use crate::mirror::resources::keys;
use crate::runtime::{
    self, Container, ContainerSpec, ExitInfo, Mount, ProbeResult, Sandbox, SandboxSpec,
};
use crate::util;
use base64::Engine;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};
use tokio::sync::{Notify, watch};

fn sys_ts(t: SystemTime) -> String {
    util::ts(chrono::DateTime::<chrono::Utc>::from(t))
}

/// A container's state as the status reports it.
#[derive(Clone, Debug, Default)]
struct CState {
    name: String,
    image: String,
    restart_count: i64,
    state: Value,
    last_state: Value,
    ready: bool,
    started: bool,
    ever_started: bool,
    /// Terminated for good (restartPolicy says no more).
    done: bool,
    container_id: String,
}

struct PodState {
    containers: Vec<CState>,
    pod_ip: String,
    start_time: String,
    terminating: bool,
}

struct Worker {
    shared: Arc<Shared>,
    uid: String,
    ns: String,
    name: String,
    node: String,
    state: Mutex<PodState>,
    publish: Notify,
}

impl Worker {
    fn event(&self, pod: &Value, etype: &str, reason: &str, msg: &str) {
        self.shared
            .upstream
            .event(&self.node, pod, etype, reason, msg);
    }

    fn with_c<R>(&self, name: &str, f: impl FnOnce(&mut CState) -> R) -> Option<R> {
        let mut g = self.state.lock().ok()?;
        let c = g.containers.iter_mut().find(|c| c.name == name)?;
        let r = f(c);
        drop(g);
        self.publish.notify_one();
        Some(r)
    }

    /// Writes the pod status from the worker's state.
    fn write_status(&self) {
        let Ok(g) = self.state.lock() else { return };
        let statuses: Vec<Value> = g
            .containers
            .iter()
            .map(|c| {
                let mut s = json!({
                    "name": c.name, "image": c.image, "imageID": format!("docker.io/library/{}@sha256:testcluster", c.image),
                    "ready": c.ready, "restartCount": c.restart_count, "started": c.started,
                    "state": c.state, "lastState": c.last_state,
                });
                if !c.container_id.is_empty() {
                    s["containerID"] = json!(c.container_id);
                }
                s
            })
            .collect();
        let all_ready = !g.containers.is_empty() && g.containers.iter().all(|c| c.ready);
        let any_running = g
            .containers
            .iter()
            .any(|c| c.state.get("running").is_some());
        let ever = g.containers.iter().any(|c| c.ever_started);
        let all_done = g.containers.iter().all(|c| c.done);
        let phase = if all_done && ever {
            if g.containers.iter().all(|c| {
                c.state
                    .pointer("/terminated/exitCode")
                    .and_then(Value::as_i64)
                    == Some(0)
            }) {
                "Succeeded"
            } else {
                "Failed"
            }
        } else if any_running || ever {
            "Running"
        } else {
            "Pending"
        };
        let unready: Vec<String> = g
            .containers
            .iter()
            .filter(|c| !c.ready)
            .map(|c| c.name.clone())
            .collect();
        let pod_ip = g.pod_ip.clone();
        let start_time = g.start_time.clone();
        drop(g);
        let host_ip = self.shared.host_ip_of(&self.node).to_string();
        let with_status = |cur: &Value| -> Value {
            let mut n = cur.clone();
            {
                let st = util::obj_mut(&mut n, &["status"]);
                st.insert("phase".into(), json!(phase));
                st.insert("hostIP".into(), json!(host_ip));
                st.insert("hostIPs".into(), json!([{"ip": host_ip}]));
                if !pod_ip.is_empty() {
                    st.insert("podIP".into(), json!(pod_ip));
                    st.insert("podIPs".into(), json!([{"ip": pod_ip}]));
                }
                if !start_time.is_empty() {
                    st.insert("startTime".into(), json!(start_time));
                }
                st.insert("containerStatuses".into(), Value::Array(statuses));
            }
            let msg = format!("containers with unready status: [{}]", unready.join(" "));
            set_condition(
                &mut n,
                "PodReadyToStartContainers",
                if pod_ip.is_empty() { "False" } else { "True" },
                "",
                "",
                true,
            );
            set_condition(&mut n, "Initialized", "True", "", "", true);
            if all_ready {
                set_condition(&mut n, "Ready", "True", "", "", true);
                set_condition(&mut n, "ContainersReady", "True", "", "", true);
            } else {
                let reason = if phase == "Succeeded" || phase == "Failed" {
                    "PodCompleted"
                } else {
                    "ContainersNotReady"
                };
                let m = if reason == "PodCompleted" {
                    ""
                } else {
                    msg.as_str()
                };
                set_condition(&mut n, "Ready", "False", reason, m, true);
                set_condition(&mut n, "ContainersReady", "False", reason, m, true);
            }
            set_condition(&mut n, "PodScheduled", "True", "", "", true);
            // the real kubelet orders conditions like this
            if let Some(conds) = n
                .pointer_mut("/status/conditions")
                .and_then(Value::as_array_mut)
            {
                let order = [
                    "PodReadyToStartContainers",
                    "Initialized",
                    "Ready",
                    "ContainersReady",
                    "PodScheduled",
                ];
                conds.sort_by_key(|c| {
                    order
                        .iter()
                        .position(|o| *o == util::s(c, &["type"]))
                        .unwrap_or(99)
                });
            }
            n
        };
        let store = &self.shared.ctx.store;
        if let Some(cur) = store
            .get(keys::PODS, &self.ns, &self.name)
            .filter(|p| util::uid(p) == self.uid)
        {
            let status = with_status(&cur)["status"].take();
            self.shared
                .upstream
                .pod_status(&self.node, &self.ns, &self.name, &self.uid, status);
        }
    }
}

fn waiting(reason: &str, message: &str) -> Value {
    if message.is_empty() {
        json!({"waiting": {"reason": reason}})
    } else {
        json!({"waiting": {"reason": reason, "message": message}})
    }
}

/// Runs one pod until it is deleted (or the store loses it: `None`).
pub async fn run(shared: Arc<Shared>, mut pod_rx: watch::Receiver<Option<Value>>) {
    let Some(pod) = pod_rx.borrow().clone() else {
        return;
    };
    let uid = util::uid(&pod).to_string();
    let w = Arc::new(Worker {
        shared: shared.clone(),
        uid: uid.clone(),
        ns: util::namespace(&pod).to_string(),
        name: util::name(&pod).to_string(),
        node: util::s(&pod, &["spec", "nodeName"]).to_string(),
        state: Mutex::new(PodState {
            containers: util::arr(&pod, &["spec", "containers"])
                .iter()
                .map(|c| CState {
                    name: util::s(c, &["name"]).into(),
                    image: util::s(c, &["image"]).into(),
                    state: waiting("ContainerCreating", ""),
                    last_state: json!({}),
                    ..Default::default()
                })
                .collect(),
            pod_ip: String::new(),
            start_time: util::now_ts(),
            terminating: false,
        }),
        publish: Notify::new(),
    });
    // a pod that already finished (e.g. after a restart of the cluster) is left alone
    if matches!(util::s(&pod, &["status", "phase"]), "Succeeded" | "Failed") {
        wait_deletion(&w, &mut pod_rx).await;
        finish(&w, None).await;
        return;
    }
    w.write_status();
    // status publisher
    let pw = w.clone();
    let publisher = tokio::spawn(async move {
        loop {
            pw.publish.notified().await;
            pw.write_status();
        }
    });
    let hostname: String = {
        let h = util::s(&pod, &["spec", "hostname"]);
        let h = if h.is_empty() { util::name(&pod) } else { h };
        h.chars().take(63).collect()
    };
    let sub = util::s(&pod, &["spec", "subdomain"]);
    let fqdn = if sub.is_empty() {
        None
    } else {
        Some(format!("{hostname}.{sub}.{}.svc.cluster.local", w.ns))
    };
    let spec = SandboxSpec {
        uid: uid.clone(),
        namespace: w.ns.clone(),
        name: w.name.clone(),
        hostname,
        fqdn,
    };
    // sandbox, retried until it works or the pod goes
    let sandbox = loop {
        match Sandbox::create(&shared.net, &spec).await {
            Ok(sb) => break sb,
            Err(e) => {
                w.event(
                    &pod,
                    "Warning",
                    "FailedCreatePodSandBox",
                    &format!("Failed to create pod sandbox: {e:#}"),
                );
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_secs(2)) => {}
                    _ = pod_gone(&mut pod_rx) => { publisher.abort(); finish(&w, None).await; return; }
                }
            }
        }
    };
    if let Ok(mut g) = w.state.lock() {
        g.pod_ip = sandbox.ip().to_string();
    }
    {
        let services = shared.ctx.store.items(keys::SERVICES);
        let endpoints = shared.ctx.store.items(keys::ENDPOINTS);
        let _ = sandbox
            .set_hosts(&super::hosts::entries_for(&w.ns, &services, &endpoints))
            .await;
    }
    if let Ok(mut g) = shared.running.lock() {
        g.insert(
            uid.clone(),
            RunningPod {
                namespace: w.ns.clone(),
                name: w.name.clone(),
                sandbox: sandbox.clone(),
                containers: HashMap::new(),
            },
        );
    }
    shared.hosts_changed();
    w.write_status();

    // one task per container
    let (stop_tx, stop_rx) = watch::channel::<Option<Duration>>(None);
    let mut tasks = Vec::new();
    for c in util::arr(&pod, &["spec", "containers"]).to_vec() {
        tasks.push(tokio::spawn(run_container(
            w.clone(),
            sandbox.clone(),
            pod.clone(),
            c,
            stop_rx.clone(),
        )));
    }
    // wait for deletion
    let grace = wait_deletion(&w, &mut pod_rx).await;
    if let Ok(mut g) = w.state.lock() {
        g.terminating = true;
    }
    let _ = stop_tx.send(Some(grace));
    for t in tasks {
        let _ = t.await;
    }
    w.write_status();
    publisher.abort();
    finish(&w, Some(sandbox)).await;
}

async fn pod_gone(rx: &mut watch::Receiver<Option<Value>>) {
    loop {
        if rx.borrow().is_none() {
            return;
        }
        if rx.changed().await.is_err() {
            return;
        }
    }
}

/// Waits until the pod is being deleted (its grace period) or gone (zero).
async fn wait_deletion(w: &Worker, rx: &mut watch::Receiver<Option<Value>>) -> Duration {
    loop {
        let cur = rx.borrow().clone();
        match cur {
            None => return Duration::ZERO,
            Some(p) if p.pointer("/metadata/deletionTimestamp").is_some() => {
                let g = p
                    .pointer("/metadata/deletionGracePeriodSeconds")
                    .and_then(Value::as_i64)
                    .unwrap_or(30);
                return w.shared.timing.grace(g);
            }
            Some(_) => {}
        }
        if rx.changed().await.is_err() {
            return Duration::ZERO;
        }
    }
}

/// Tears the pod down and has the node agent finish its deletion on the API server.
async fn finish(w: &Worker, sandbox: Option<Sandbox>) {
    if let Ok(mut g) = w.shared.running.lock() {
        g.remove(&w.uid);
    }
    if let Some(sb) = sandbox
        && let Err(e) = sb.destroy().await
    {
        tracing::warn!("destroying sandbox of {}/{}: {e:#}", w.ns, w.name);
    }
    w.shared.hosts_changed();
    // the real API server keeps the object until its finalizers are gone
    let deleting = w
        .shared
        .ctx
        .store
        .get(keys::PODS, &w.ns, &w.name)
        .is_some_and(|p| {
            util::uid(&p) == w.uid && p.pointer("/metadata/deletionTimestamp").is_some()
        });
    w.shared
        .upstream
        .finish_pod(&w.node, &w.ns, &w.name, &w.uid, deleting)
        .await;
}

/// Files of configMap/secret volumes: (relative path, bytes).
fn key_files(
    data: &serde_json::Map<String, Value>,
    items: &[Value],
    decode: bool,
) -> Vec<(String, Vec<u8>)> {
    let get = |k: &str| -> Option<Vec<u8>> {
        let v = data.get(k)?.as_str()?;
        if decode {
            base64::engine::general_purpose::STANDARD.decode(v).ok()
        } else {
            Some(v.as_bytes().to_vec())
        }
    };
    if items.is_empty() {
        data.keys()
            .filter_map(|k| get(k).map(|b| (k.clone(), b)))
            .collect()
    } else {
        items
            .iter()
            .filter_map(|i| {
                get(util::s(i, &["key"])).map(|b| (util::s(i, &["path"]).to_string(), b))
            })
            .collect()
    }
}

/// Prepares the pod's volumes on the host: name → host path. Err(message) while one is not ready.
fn prepare_volumes(w: &Worker, pod: &Value) -> Result<HashMap<String, PathBuf>, String> {
    let store = &w.shared.ctx.store;
    let base = w.shared.state_dir.join("pods").join(&w.uid).join("volumes");
    let mut out = HashMap::new();
    for v in util::arr(pod, &["spec", "volumes"]) {
        let vname = util::s(v, &["name"]).to_string();
        let dir = base.join(&vname);
        if let Some(claim) = v
            .pointer("/persistentVolumeClaim/claimName")
            .and_then(Value::as_str)
        {
            let pvc = store
                .get(keys::PVCS, &w.ns, claim)
                .ok_or_else(|| format!("persistentvolumeclaim \"{claim}\" not found"))?;
            let pv_name = util::s(&pvc, &["spec", "volumeName"]);
            let pv = store
                .get(keys::PVS, "", pv_name)
                .ok_or_else(|| format!("volume \"{vname}\": claim {claim} is not bound"))?;
            let path = util::s(&pv, &["spec", "hostPath", "path"]);
            if path.is_empty() {
                return Err(format!(
                    "volume \"{vname}\": persistent volume {pv_name} has no host path"
                ));
            }
            let _ = std::fs::create_dir_all(path);
            out.insert(vname, PathBuf::from(path));
        } else if let Some(hp) = v.pointer("/hostPath/path").and_then(Value::as_str) {
            out.insert(vname, PathBuf::from(hp));
        } else if v.get("configMap").is_some() || v.get("secret").is_some() {
            let (src, key, field, decode) = if v.get("configMap").is_some() {
                ("configMap", keys::CONFIGMAPS, "name", false)
            } else {
                ("secret", keys::SECRETS, "secretName", true)
            };
            let obj_name = util::s(v, &[src, field]);
            let optional = v
                .pointer(&format!("/{src}/optional"))
                .and_then(Value::as_bool)
                == Some(true);
            let _ = std::fs::create_dir_all(&dir);
            match store.get(key, &w.ns, obj_name) {
                Some(o) => {
                    let mut data = o
                        .get("data")
                        .and_then(Value::as_object)
                        .cloned()
                        .unwrap_or_default();
                    if !decode && let Some(bin) = o.get("binaryData").and_then(Value::as_object) {
                        for (k, b) in bin {
                            if let Some(d) = b.as_str().and_then(|s| {
                                base64::engine::general_purpose::STANDARD.decode(s).ok()
                            }) {
                                data.insert(k.clone(), json!(String::from_utf8_lossy(&d)));
                            }
                        }
                    }
                    let mode = v
                        .pointer(&format!("/{src}/defaultMode"))
                        .and_then(Value::as_u64)
                        .unwrap_or(0o644) as u32;
                    for (rel, bytes) in key_files(&data, util::arr(v, &[src, "items"]), decode) {
                        let p = dir.join(&rel);
                        if let Some(parent) = p.parent() {
                            let _ = std::fs::create_dir_all(parent);
                        }
                        let _ = std::fs::write(&p, bytes);
                        use std::os::unix::fs::PermissionsExt;
                        let _ = std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode));
                    }
                }
                None if optional => {}
                None => {
                    let kind = if src == "configMap" {
                        "configmap"
                    } else {
                        "secret"
                    };
                    return Err(format!(
                        "MountVolume.SetUp failed for volume \"{vname}\" : {kind} \"{obj_name}\" not found"
                    ));
                }
            }
            out.insert(vname, dir);
        } else {
            // emptyDir and anything else: a directory of the pod
            let _ = std::fs::create_dir_all(&dir);
            out.insert(vname, dir);
        }
    }
    Ok(out)
}

/// `$(VAR)` expansion as the kubelet does it.
fn expand(s: &str, env: &[(String, String)]) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("$(") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        match after.find(')') {
            Some(j) => {
                let name = &after[..j];
                match env.iter().rev().find(|(k, _)| k == name) {
                    Some((_, v)) => out.push_str(v),
                    None => {
                        out.push_str("$(");
                        out.push_str(name);
                        out.push(')');
                    }
                }
                rest = &after[j + 1..];
            }
            None => {
                out.push_str(&rest[i..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out.replace("$$", "$")
}

fn field_ref(pod: &Value, path: &str, pod_ip: &str, host_ip: &str) -> String {
    match path {
        "metadata.name" => util::name(pod).into(),
        "metadata.namespace" => util::namespace(pod).into(),
        "metadata.uid" => util::uid(pod).into(),
        "spec.nodeName" => util::s(pod, &["spec", "nodeName"]).into(),
        "spec.serviceAccountName" => util::s(pod, &["spec", "serviceAccountName"]).into(),
        "status.podIP" | "status.podIPs" => pod_ip.into(),
        "status.hostIP" | "status.hostIPs" => host_ip.into(),
        p => {
            for (prefix, field) in [
                ("metadata.labels['", "labels"),
                ("metadata.annotations['", "annotations"),
            ] {
                if let Some(k) = p.strip_prefix(prefix).and_then(|x| x.strip_suffix("']")) {
                    return util::s(pod, &["metadata", field, k]).to_string();
                }
            }
            String::new()
        }
    }
}

fn container_env(
    w: &Worker,
    pod: &Value,
    c: &Value,
    pod_ip: &str,
) -> Result<Vec<(String, String)>, String> {
    let store = &w.shared.ctx.store;
    let host_ip = w.shared.host_ip_of(&w.node).to_string();
    let mut env: Vec<(String, String)> = Vec::new();
    for ef in util::arr(c, &["envFrom"]) {
        let prefix = util::s(ef, &["prefix"]);
        for (src, key, decode) in [
            ("configMapRef", keys::CONFIGMAPS, false),
            ("secretRef", keys::SECRETS, true),
        ] {
            if let Some(r) = ef.get(src) {
                let name = util::s(r, &["name"]);
                match store.get(key, &w.ns, name) {
                    Some(o) => {
                        for (k, v) in o
                            .get("data")
                            .and_then(Value::as_object)
                            .cloned()
                            .unwrap_or_default()
                        {
                            let val = v.as_str().unwrap_or("").to_string();
                            let val = if decode {
                                base64::engine::general_purpose::STANDARD
                                    .decode(&val)
                                    .map(|b| String::from_utf8_lossy(&b).into_owned())
                                    .unwrap_or_default()
                            } else {
                                val
                            };
                            env.push((format!("{prefix}{k}"), val));
                        }
                    }
                    None if r.get("optional").and_then(Value::as_bool) == Some(true) => {}
                    None => {
                        return Err(format!(
                            "{} \"{name}\" not found",
                            if decode { "secret" } else { "configmap" }
                        ));
                    }
                }
            }
        }
    }
    for e in util::arr(c, &["env"]) {
        let name = util::s(e, &["name"]).to_string();
        let value = if let Some(v) = e.get("value").and_then(Value::as_str) {
            expand(v, &env)
        } else if let Some(fr) = e
            .pointer("/valueFrom/fieldRef/fieldPath")
            .and_then(Value::as_str)
        {
            field_ref(pod, fr, pod_ip, &host_ip)
        } else if let Some(r) = e
            .pointer("/valueFrom/configMapKeyRef")
            .or(e.pointer("/valueFrom/secretKeyRef"))
        {
            let secret = e.pointer("/valueFrom/secretKeyRef").is_some();
            let obj = store.get(
                if secret {
                    keys::SECRETS
                } else {
                    keys::CONFIGMAPS
                },
                &w.ns,
                util::s(r, &["name"]),
            );
            let raw = obj
                .as_ref()
                .and_then(|o| o.pointer(&format!("/data/{}", util::s(r, &["key"]))))
                .and_then(Value::as_str)
                .map(String::from);
            match raw {
                Some(v) if secret => base64::engine::general_purpose::STANDARD
                    .decode(&v)
                    .map(|b| String::from_utf8_lossy(&b).into_owned())
                    .unwrap_or_default(),
                Some(v) => v,
                None if r.get("optional").and_then(Value::as_bool) == Some(true) => continue,
                None => {
                    return Err(format!(
                        "couldn't find key {} in {} {}/{}",
                        util::s(r, &["key"]),
                        if secret { "Secret" } else { "ConfigMap" },
                        w.ns,
                        util::s(r, &["name"])
                    ));
                }
            }
        } else if let Some(rf) = e.pointer("/valueFrom/resourceFieldRef") {
            let res = util::s(rf, &["resource"]);
            let parts: Vec<&str> = res.split('.').collect();
            let q = if parts.len() == 2 {
                c.pointer(&format!("/resources/{}/{}", parts[0], parts[1]))
                    .cloned()
            } else {
                None
            };
            match (q, parts.get(1).copied()) {
                (Some(q), Some("cpu")) => util::quantity(&q, true)
                    .map(|m| ((m + 999) / 1000).max(1).to_string())
                    .unwrap_or_default(),
                (Some(q), _) => util::quantity(&q, false)
                    .map(|b| b.to_string())
                    .unwrap_or_default(),
                (None, Some("cpu")) => "4".into(),
                (None, _) => (8i64 << 30).to_string(),
            }
        } else {
            String::new()
        };
        env.retain(|(k, _)| *k != name);
        env.push((name, value));
    }
    Ok(env)
}

fn security_ids(pod: &Value, c: &Value, field: &str) -> Option<u32> {
    c.pointer(&format!("/securityContext/{field}"))
        .or(pod.pointer(&format!("/spec/securityContext/{field}")))
        .and_then(Value::as_u64)
        .map(|v| v as u32)
}

/// Runs one container with restarts until the pod stops.
async fn run_container(
    w: Arc<Worker>,
    sandbox: Sandbox,
    pod: Value,
    c: Value,
    mut stop: watch::Receiver<Option<Duration>>,
) {
    let cname = util::s(&c, &["name"]).to_string();
    let image = util::s(&c, &["image"]).to_string();
    let policy = util::s(&pod, &["spec", "restartPolicy"]).to_string();
    let timing = w.shared.timing;
    let mut failures: u32 = 0;
    let mut pull_failures: u32 = 0;
    let mut starts: i64 = 0;
    let stopped = |s: &watch::Receiver<Option<Duration>>| s.borrow().is_some();
    loop {
        if stopped(&stop) {
            return;
        }
        // the image
        if runtime::profile_for(&image).is_none() {
            pull_failures += 1;
            let msg = format!(
                "Failed to pull image \"{image}\": rpc error: code = NotFound desc = failed to pull and unpack image \"{image}\": {}",
                runtime::pull_failure(&image)
            );
            w.with_c(&cname, |s| s.state = waiting("ErrImagePull", &msg));
            w.event(
                &pod,
                "Normal",
                "Pulling",
                &format!("Pulling image \"{image}\""),
            );
            w.event(&pod, "Warning", "Failed", &msg);
            w.event(&pod, "Warning", "Failed", "Error: ErrImagePull");
            let d = timing
                .backoff(pull_failures + 1)
                .max(Duration::from_secs(1));
            if sleep_or_stop(&mut stop, d).await {
                return;
            }
            let m2 = format!("Back-off pulling image \"{image}\"");
            w.with_c(&cname, |s| s.state = waiting("ImagePullBackOff", &m2));
            w.event(&pod, "Normal", "BackOff", &m2);
            if sleep_or_stop(
                &mut stop,
                timing
                    .backoff(pull_failures + 1)
                    .max(Duration::from_secs(1)),
            )
            .await
            {
                return;
            }
            continue;
        }
        // volumes and env (wait until they can be set up)
        w.shared
            .upstream
            .prefetch(&w.node, &w.shared.ctx.store, &pod)
            .await;
        let current_pod = w
            .shared
            .ctx
            .store
            .get(keys::PODS, &w.ns, &w.name)
            .filter(|p| util::uid(p) == w.uid)
            .unwrap_or_else(|| pod.clone());
        let vols = match prepare_volumes(&w, &current_pod) {
            Ok(v) => v,
            Err(msg) => {
                w.event(&pod, "Warning", "FailedMount", &msg);
                if sleep_or_stop(&mut stop, Duration::from_secs(1)).await {
                    return;
                }
                continue;
            }
        };
        let pod_ip = sandbox.ip().to_string();
        let env = match container_env(&w, &current_pod, &c, &pod_ip) {
            Ok(e) => e,
            Err(msg) => {
                w.with_c(&cname, |s| {
                    s.state = waiting("CreateContainerConfigError", &msg)
                });
                w.event(&pod, "Warning", "Failed", &format!("Error: {msg}"));
                if sleep_or_stop(&mut stop, Duration::from_secs(2)).await {
                    return;
                }
                continue;
            }
        };
        let mut mounts = Vec::new();
        for m in util::arr(&c, &["volumeMounts"]) {
            let Some(host) = vols.get(util::s(m, &["name"])) else {
                continue;
            };
            let mut host = host.clone();
            let sub = util::s(m, &["subPath"]);
            if !sub.is_empty() {
                host = host.join(sub);
                if !host.exists() {
                    let _ = std::fs::create_dir_all(&host);
                }
            }
            mounts.push(Mount {
                host_path: host,
                container_path: PathBuf::from(util::s(m, &["mountPath"])),
                read_only: m.get("readOnly").and_then(Value::as_bool) == Some(true),
            });
        }
        let strs = |k: &str| -> Vec<String> {
            util::arr(&c, &[k])
                .iter()
                .map(|x| expand(x.as_str().unwrap_or(""), &env))
                .collect()
        };
        let spec = ContainerSpec {
            name: cname.clone(),
            image: image.clone(),
            command: strs("command"),
            args: strs("args"),
            env: env.clone(),
            working_dir: c
                .get("workingDir")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(PathBuf::from),
            mounts,
            run_as_user: security_ids(&pod, &c, "runAsUser"),
            run_as_group: security_ids(&pod, &c, "runAsGroup"),
            fs_group: pod
                .pointer("/spec/securityContext/fsGroup")
                .and_then(Value::as_u64)
                .map(|v| v as u32),
        };
        if starts == 0 {
            w.event(
                &pod,
                "Normal",
                "Pulled",
                &format!("Container image \"{image}\" already present on machine"),
            );
        }
        let log = log_file(&w.shared.state_dir, &w.uid, &cname, starts);
        if let Some(parent) = log.parent() {
            let _ = std::fs::create_dir_all(parent);
        }
        let started = sandbox.start(&spec, &log).await;
        let exit: ExitInfo;
        match started {
            Err(e) => {
                let msg = format!("{e:#}");
                w.event(&pod, "Warning", "Failed", &format!("Error: {msg}"));
                let now = util::now_ts();
                let term = json!({"terminated": {"exitCode": 128, "reason": "StartError", "message": msg, "startedAt": "1970-01-01T00:00:00Z", "finishedAt": now}});
                w.with_c(&cname, |s| {
                    s.state = term.clone();
                    s.ready = false;
                    s.started = false;
                });
                exit = ExitInfo {
                    code: Some(128),
                    signal: None,
                    finished_at: SystemTime::now(),
                };
                let _ = exit;
            }
            Ok(container) => {
                w.event(
                    &pod,
                    "Normal",
                    "Created",
                    &format!("Created container: {cname}"),
                );
                w.event(
                    &pod,
                    "Normal",
                    "Started",
                    &format!("Started container {cname}"),
                );
                let started_at = sys_ts(container.started_at());
                let has_readiness = c.get("readinessProbe").is_some();
                let has_startup = c.get("startupProbe").is_some();
                let cid = format!(
                    "containerd://{:064x}",
                    (container.pid() as u128) << 64 | (starts as u128)
                );
                w.with_c(&cname, |s| {
                    if s.ever_started {
                        s.restart_count += 1;
                    }
                    s.ever_started = true;
                    s.state = json!({"running": {"startedAt": started_at}});
                    s.started = !has_startup;
                    s.ready = !has_readiness && !has_startup;
                    s.container_id = cid.clone();
                });
                if let Ok(mut g) = w.shared.running.lock()
                    && let Some(rp) = g.get_mut(&w.uid)
                {
                    rp.containers.insert(cname.clone(), container.clone());
                }
                let (kill_tx, mut kill_rx) = watch::channel::<Option<String>>(None);
                let probes = tokio::spawn(run_probes(
                    w.clone(),
                    sandbox.clone(),
                    container.clone(),
                    pod.clone(),
                    c.clone(),
                    kill_tx,
                ));
                let mut killed_by_liveness = false;
                enum Why {
                    Exited(ExitInfo),
                    Stop,
                    Liveness(String),
                }
                let why = tokio::select! {
                    e = container.wait() => Why::Exited(e),
                    _ = stop.changed() => Why::Stop,
                    r = kill_rx.wait_for(Option::is_some) => Why::Liveness(r.map(|v| v.clone().unwrap_or_default()).unwrap_or_default()),
                };
                let e = match why {
                    Why::Exited(e) => e,
                    Why::Stop => {
                        let grace = stop.borrow().unwrap_or(Duration::ZERO);
                        w.event(
                            &pod,
                            "Normal",
                            "Killing",
                            &format!("Stopping container {cname}"),
                        );
                        container.stop(grace).await
                    }
                    Why::Liveness(why) => {
                        killed_by_liveness = true;
                        w.event(
                            &pod,
                            "Normal",
                            "Killing",
                            &format!("Container {cname} {why}, will be restarted"),
                        );
                        let g = pod
                            .pointer("/spec/terminationGracePeriodSeconds")
                            .and_then(Value::as_i64)
                            .unwrap_or(30);
                        container.stop(timing.grace(g)).await
                    }
                };
                probes.abort();
                let _ = killed_by_liveness;
                exit = e;
                let code = exit.exit_code();
                let reason = if code == 0 { "Completed" } else { "Error" };
                let mut t = json!({"exitCode": code, "reason": reason, "startedAt": started_at, "finishedAt": sys_ts(exit.finished_at), "containerID": cid});
                if let Some(sig) = exit.signal {
                    t["signal"] = json!(sig);
                }
                let term = json!({"terminated": t});
                w.with_c(&cname, |s| {
                    s.state = term.clone();
                    s.ready = false;
                    s.started = false;
                });
            }
        }
        starts += 1;
        if stopped(&stop) {
            w.with_c(&cname, |s| s.done = true);
            return;
        }
        let restart = match policy.as_str() {
            "Never" => false,
            "OnFailure" => !exit.success(),
            _ => true,
        };
        if !restart {
            w.with_c(&cname, |s| s.done = true);
            if let Ok(mut g) = w.shared.running.lock()
                && let Some(rp) = g.get_mut(&w.uid)
            {
                rp.containers.remove(&cname);
            }
            // wait for the pod's deletion
            let _ = stop.wait_for(Option::is_some).await;
            return;
        }
        failures += 1;
        let delay = timing.backoff(failures);
        if !delay.is_zero() {
            let msg = format!(
                "back-off {} restarting failed container={cname} pod={}_{}({})",
                humantime(delay),
                w.name,
                w.ns,
                w.uid
            );
            w.with_c(&cname, |s| {
                s.last_state = s.state.clone();
                s.state = waiting("CrashLoopBackOff", &msg);
            });
            w.event(
                &pod,
                "Warning",
                "BackOff",
                &format!(
                    "Back-off restarting failed container {cname} in pod {}_{}({})",
                    w.name, w.ns, w.uid
                ),
            );
            if sleep_or_stop(&mut stop, delay).await {
                return;
            }
        } else {
            w.with_c(&cname, |s| s.last_state = s.state.clone());
        }
    }
}

fn humantime(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 60 && s.is_multiple_of(60) {
        format!("{}m0s", s / 60)
    } else if s >= 60 {
        format!("{}m{}s", s / 60, s % 60)
    } else {
        format!("{s}s")
    }
}

/// Sleeps, returning true when the pod is stopping instead.
async fn sleep_or_stop(stop: &mut watch::Receiver<Option<Duration>>, d: Duration) -> bool {
    if stop.borrow().is_some() {
        return true;
    }
    let slept = tokio::select! {
        _ = tokio::time::sleep(d) => true,
        _ = stop.wait_for(Option::is_some) => false,
    };
    !slept || stop.borrow().is_some()
}

async fn probe_once(
    sandbox: &Sandbox,
    container: &Container,
    probe: &Value,
    ip: std::net::Ipv4Addr,
    c: &Value,
) -> ProbeResult {
    let timeout = Duration::from_secs(
        probe
            .get("timeoutSeconds")
            .and_then(Value::as_u64)
            .unwrap_or(1)
            .max(1),
    );
    let port_of = |v: Option<&Value>| -> Option<u16> {
        match v? {
            Value::Number(n) => n.as_u64().map(|p| p as u16),
            Value::String(name) => util::arr(c, &["ports"])
                .iter()
                .find(|p| util::s(p, &["name"]) == name)
                .and_then(|p| p.get("containerPort").and_then(Value::as_u64))
                .map(|p| p as u16),
            _ => None,
        }
    };
    if let Some(cmd) = probe.pointer("/exec/command").and_then(Value::as_array) {
        let argv: Vec<String> = cmd
            .iter()
            .map(|x| x.as_str().unwrap_or("").to_string())
            .collect();
        return runtime::probe_exec(sandbox, container, &argv, timeout).await;
    }
    if let Some(h) = probe.get("httpGet") {
        let Some(port) = port_of(h.get("port")) else {
            return ProbeResult::Failure("invalid port".into());
        };
        return runtime::probe_http(ip, port, util::s(h, &["path"]), timeout).await;
    }
    if let Some(t) = probe.get("tcpSocket") {
        let Some(port) = port_of(t.get("port")) else {
            return ProbeResult::Failure("invalid port".into());
        };
        return runtime::probe_tcp(ip, port, timeout).await;
    }
    ProbeResult::Success
}

/// Startup, readiness and liveness probes of one container start.
async fn run_probes(
    w: Arc<Worker>,
    sandbox: Sandbox,
    container: Container,
    pod: Value,
    c: Value,
    kill: watch::Sender<Option<String>>,
) {
    let cname = util::s(&c, &["name"]).to_string();
    let timing = w.shared.timing;
    let ip = sandbox.ip();
    let num = |p: &Value, k: &str, d: i64| p.get(k).and_then(Value::as_i64).unwrap_or(d);
    // startup probe first
    if let Some(sp) = c.get("startupProbe") {
        tokio::time::sleep(timing.kill_probe(num(sp, "initialDelaySeconds", 0) as f64)).await;
        let mut fails = 0;
        loop {
            match probe_once(&sandbox, &container, sp, ip, &c).await {
                ProbeResult::Success => break,
                ProbeResult::Failure(m) => {
                    fails += 1;
                    w.event(
                        &pod,
                        "Warning",
                        "Unhealthy",
                        &format!("Startup probe failed: {m}"),
                    );
                    if fails >= num(sp, "failureThreshold", 3) {
                        let _ = kill.send(Some("failed startup probe".into()));
                        return;
                    }
                }
            }
            tokio::time::sleep(timing.kill_probe(num(sp, "periodSeconds", 10) as f64)).await;
        }
        w.with_c(&cname, |s| {
            s.started = true;
            if c.get("readinessProbe").is_none() {
                s.ready = true;
            }
        });
    }
    let readiness = c.get("readinessProbe").cloned();
    let liveness = c.get("livenessProbe").cloned();
    let mut tasks = Vec::new();
    if let Some(rp) = readiness {
        let (w, sandbox, container, pod, c, cname) = (
            w.clone(),
            sandbox.clone(),
            container.clone(),
            pod.clone(),
            c.clone(),
            cname.clone(),
        );
        tasks.push(tokio::spawn(async move {
            tokio::time::sleep(timing.probe(num(&rp, "initialDelaySeconds", 0) as f64)).await;
            let (mut ok, mut bad) = (0, 0);
            loop {
                match probe_once(&sandbox, &container, &rp, ip, &c).await {
                    ProbeResult::Success => {
                        ok += 1;
                        bad = 0;
                        if ok >= num(&rp, "successThreshold", 1) {
                            w.with_c(&cname, |s| s.ready = true);
                        }
                    }
                    ProbeResult::Failure(m) => {
                        bad += 1;
                        ok = 0;
                        w.event(
                            &pod,
                            "Warning",
                            "Unhealthy",
                            &format!("Readiness probe failed: {m}"),
                        );
                        if bad >= num(&rp, "failureThreshold", 3) {
                            w.with_c(&cname, |s| s.ready = false);
                        }
                    }
                }
                tokio::time::sleep(timing.probe(num(&rp, "periodSeconds", 10) as f64)).await;
            }
        }));
    }
    if let Some(lp) = liveness {
        let (w, sandbox, container, pod, c) = (
            w.clone(),
            sandbox.clone(),
            container.clone(),
            pod.clone(),
            c.clone(),
        );
        tasks.push(tokio::spawn(async move {
            tokio::time::sleep(timing.kill_probe(num(&lp, "initialDelaySeconds", 0) as f64)).await;
            let mut bad = 0;
            loop {
                match probe_once(&sandbox, &container, &lp, ip, &c).await {
                    ProbeResult::Success => bad = 0,
                    ProbeResult::Failure(m) => {
                        bad += 1;
                        w.event(
                            &pod,
                            "Warning",
                            "Unhealthy",
                            &format!("Liveness probe failed: {m}"),
                        );
                        if bad >= num(&lp, "failureThreshold", 3) {
                            let _ = kill.send(Some("failed liveness probe".into()));
                            return;
                        }
                    }
                }
                tokio::time::sleep(timing.kill_probe(num(&lp, "periodSeconds", 10) as f64)).await;
            }
        }));
    }
    // this task is aborted when the container ends; take the probe tasks with it
    struct AbortOnDrop(Vec<tokio::task::JoinHandle<()>>);
    impl Drop for AbortOnDrop {
        fn drop(&mut self) {
            for t in &self.0 {
                t.abort();
            }
        }
    }
    let guard = AbortOnDrop(tasks);
    std::future::pending::<()>().await;
    drop(guard);
}

/// Sets a condition in `status.conditions` (lastTransitionTime only changes with the status).
pub fn set_condition(
    obj: &mut Value,
    ctype: &str,
    status: &str,
    reason: &str,
    message: &str,
    probe_time: bool,
) {
    let st = util::obj_mut(obj, &["status"]);
    let conds = st.entry("conditions").or_insert_with(|| json!([]));
    if !conds.is_array() {
        *conds = json!([]);
    }
    let Some(list) = conds.as_array_mut() else {
        return;
    };
    let now = util::now_ts();
    let mut c = json!({"type": ctype, "status": status, "lastTransitionTime": now});
    if probe_time {
        c["lastProbeTime"] = Value::Null;
    }
    if !reason.is_empty() {
        c["reason"] = json!(reason);
    }
    if !message.is_empty() {
        c["message"] = json!(message);
    }
    match list.iter_mut().find(|x| util::s(x, &["type"]) == ctype) {
        Some(existing) => {
            if util::s(existing, &["status"]) == status
                && let Some(t) = existing.get("lastTransitionTime")
            {
                c["lastTransitionTime"] = t.clone();
            }
            *existing = c;
        }
        None => list.push(c),
    }
}
