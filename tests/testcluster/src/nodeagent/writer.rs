//! What the kubelet writes to the real API server, each node as itself (`system:node:<name>`):
//! pod status (coalesced, latest wins, guarded by the pod's uid), events (a repeat bumps `count`),
//! the final delete of a pod once its processes are gone, and the objects a pod's containers need
//! (ConfigMaps, Secrets, claims and their volumes), fetched into the mirror before a start.

use crate::mirror::resources::keys;
use crate::mirror::store::Store;
use crate::util;
use kube::api::{Api, DeleteParams, DynamicObject, Patch, PatchParams, PostParams, Preconditions};
use kube::core::ApiResource;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;

/// Events recorded so far: (pod uid, reason, message) → (event name, count).
type EventLog = Arc<Mutex<HashMap<(String, String, String), (String, i64)>>>;

/// The node agent's writes, one client per node.
pub struct Writer {
    clients: HashMap<String, kube::Client>,
    /// pod uid → the newest status to write
    statuses: Mutex<HashMap<String, watch::Sender<Option<Value>>>>,
    events: EventLog,
}

fn resource<K: kube::Resource<DynamicType = ()>>() -> ApiResource {
    ApiResource::erase::<K>(&())
}

/// Whether an API error means the write can never succeed (the object is gone or replaced).
fn is_final(e: &kube::Error) -> bool {
    matches!(e, kube::Error::Api(s) if matches!(s.code, 404 | 409 | 422))
}

impl Writer {
    pub fn new(clients: HashMap<String, kube::Client>) -> Arc<Writer> {
        Arc::new(Writer {
            clients,
            statuses: Mutex::new(HashMap::new()),
            events: Arc::new(Mutex::new(HashMap::new())),
        })
    }

    fn client(&self, node: &str) -> Option<kube::Client> {
        self.clients.get(node).cloned()
    }

    /// Writes a pod's status (the whole `status` object), after the ones before it; a newer one
    /// replaces one not yet written. The pod's uid goes with it, so a pod of the same name made
    /// since (a StatefulSet's replacement) is never written by its predecessor's worker.
    pub fn pod_status(&self, node: &str, ns: &str, name: &str, uid: &str, status: Value) {
        let Some(client) = self.client(node) else {
            return;
        };
        let Ok(mut g) = self.statuses.lock() else {
            return;
        };
        if let Some(tx) = g.get(uid)
            && tx.send(Some(status.clone())).is_ok()
        {
            return;
        }
        let (tx, mut rx) = watch::channel(Some(status));
        g.insert(uid.to_string(), tx);
        let api: Api<DynamicObject> =
            Api::namespaced_with(client, ns, &resource::<k8s_openapi::api::core::v1::Pod>());
        let (name, uid) = (name.to_string(), uid.to_string());
        tokio::spawn(async move {
            loop {
                let Some(status) = rx.borrow_and_update().clone() else {
                    return;
                };
                let patch = json!({"metadata": {"uid": uid}, "status": status});
                match api
                    .patch_status(&name, &PatchParams::default(), &Patch::Merge(&patch))
                    .await
                {
                    Ok(_) => {}
                    Err(e) if is_final(&e) => return,
                    Err(e) => {
                        tracing::debug!("writing the status of pod {name}: {e}");
                        tokio::time::sleep(Duration::from_millis(200)).await;
                        continue;
                    }
                }
                if rx.changed().await.is_err() {
                    return;
                }
            }
        });
    }

    /// Records an event about `obj` as the kubelet of `node` does.
    pub fn event(&self, node: &str, obj: &Value, etype: &str, reason: &str, message: &str) {
        let Some(client) = self.client(node) else {
            return;
        };
        let ns = match util::namespace(obj) {
            "" => "default".to_string(),
            n => n.to_string(),
        };
        let uid = util::uid(obj).to_string();
        let key = (uid.clone(), reason.to_string(), message.to_string());
        let now = util::now_ts();
        let api: Api<DynamicObject> = Api::namespaced_with(
            client,
            &ns,
            &resource::<k8s_openapi::api::core::v1::Event>(),
        );
        let events = self.events.clone();
        let repeat = events.lock().ok().and_then(|mut g| {
            let e = g.get_mut(&key)?;
            e.1 += 1;
            Some(e.clone())
        });
        if let Some((name, count)) = repeat {
            tokio::spawn(async move {
                let patch = json!({"count": count, "lastTimestamp": now});
                let _ = api
                    .patch(&name, &PatchParams::default(), &Patch::Merge(&patch))
                    .await;
            });
            return;
        }
        let name = format!(
            "{}.{}",
            util::name(obj),
            &uuid::Uuid::new_v4().simple().to_string()[..16]
        );
        if let Ok(mut g) = events.lock() {
            g.insert(key, (name.clone(), 1));
        }
        let ev = json!({
            "apiVersion": "v1", "kind": "Event",
            "metadata": {"name": name, "namespace": ns},
            "involvedObject": {
                "kind": util::s(obj, &["kind"]), "namespace": util::namespace(obj),
                "name": util::name(obj), "uid": uid, "apiVersion": util::s(obj, &["apiVersion"]),
                "resourceVersion": util::s(obj, &["metadata", "resourceVersion"]),
            },
            "reason": reason, "message": message, "type": etype,
            "source": {"component": "kubelet", "host": node},
            "firstTimestamp": now, "lastTimestamp": now, "count": 1,
            "reportingComponent": "kubelet", "reportingInstance": node,
        });
        tokio::spawn(async move {
            match serde_json::from_value::<DynamicObject>(ev) {
                Ok(obj) => {
                    if let Err(e) = api.create(&PostParams::default(), &obj).await {
                        tracing::debug!("recording event {name}: {e}");
                    }
                }
                Err(e) => tracing::warn!("event {name}: {e}"),
            }
        });
    }

    /// The end of a pod on its node: no more status writes, and — when its deletion was asked
    /// for — the final delete (grace period 0, this uid only), as the kubelet does once every
    /// container is gone.
    pub async fn finish_pod(&self, node: &str, ns: &str, name: &str, uid: &str, deleting: bool) {
        if let Ok(mut g) = self.statuses.lock() {
            g.remove(uid);
        }
        if !deleting {
            return;
        }
        let Some(client) = self.client(node) else {
            return;
        };
        let api: Api<DynamicObject> =
            Api::namespaced_with(client, ns, &resource::<k8s_openapi::api::core::v1::Pod>());
        let dp = DeleteParams {
            grace_period_seconds: Some(0),
            preconditions: Some(Preconditions {
                uid: Some(uid.to_string()),
                resource_version: None,
            }),
            ..Default::default()
        };
        for _ in 0..50 {
            match api.delete(name, &dp).await {
                Ok(_) => return,
                Err(e) if is_final(&e) => return,
                Err(e) => {
                    tracing::debug!("deleting pod {ns}/{name}: {e}");
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }
        }
    }

    /// Fetches what a pod's containers read (ConfigMaps and Secrets of volumes, `env` and
    /// `envFrom`; claims and their volumes) into the mirror, as the node may: only what its own
    /// pods use. What cannot be read is left out (the start then reports it, and is retried).
    pub async fn prefetch(&self, node: &str, mirror: &Store, pod: &Value) {
        let Some(client) = self.client(node) else {
            return;
        };
        let ns = util::namespace(pod);
        let mut wanted: Vec<(&'static str, String)> = Vec::new();
        for v in util::arr(pod, &["spec", "volumes"]) {
            if let Some(n) = v.pointer("/configMap/name").and_then(Value::as_str) {
                wanted.push((keys::CONFIGMAPS, n.into()));
            }
            if let Some(n) = v.pointer("/secret/secretName").and_then(Value::as_str) {
                wanted.push((keys::SECRETS, n.into()));
            }
            if let Some(n) = v
                .pointer("/persistentVolumeClaim/claimName")
                .and_then(Value::as_str)
            {
                wanted.push((keys::PVCS, n.into()));
            }
        }
        for c in util::arr(pod, &["spec", "containers"])
            .iter()
            .chain(util::arr(pod, &["spec", "initContainers"]))
        {
            for ef in util::arr(c, &["envFrom"]) {
                if let Some(n) = ef.pointer("/configMapRef/name").and_then(Value::as_str) {
                    wanted.push((keys::CONFIGMAPS, n.into()));
                }
                if let Some(n) = ef.pointer("/secretRef/name").and_then(Value::as_str) {
                    wanted.push((keys::SECRETS, n.into()));
                }
            }
            for e in util::arr(c, &["env"]) {
                if let Some(n) = e
                    .pointer("/valueFrom/configMapKeyRef/name")
                    .and_then(Value::as_str)
                {
                    wanted.push((keys::CONFIGMAPS, n.into()));
                }
                if let Some(n) = e
                    .pointer("/valueFrom/secretKeyRef/name")
                    .and_then(Value::as_str)
                {
                    wanted.push((keys::SECRETS, n.into()));
                }
            }
        }
        wanted.sort();
        wanted.dedup();
        let fetches = wanted.into_iter().map(|(key, name)| {
            let client = client.clone();
            async move {
                let ar = match key {
                    keys::CONFIGMAPS => resource::<k8s_openapi::api::core::v1::ConfigMap>(),
                    keys::SECRETS => resource::<k8s_openapi::api::core::v1::Secret>(),
                    _ => resource::<k8s_openapi::api::core::v1::PersistentVolumeClaim>(),
                };
                let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), ns, &ar);
                let obj = api.get_opt(&name).await;
                (key, name, obj)
            }
        });
        for (key, name, got) in futures::future::join_all(fetches).await {
            match got {
                Ok(Some(obj)) => {
                    let v = mirrored(obj, key);
                    if key == keys::PVCS {
                        let pv = util::s(&v, &["spec", "volumeName"]).to_string();
                        if !pv.is_empty() {
                            let api: Api<DynamicObject> = Api::all_with(
                                client.clone(),
                                &resource::<k8s_openapi::api::core::v1::PersistentVolume>(),
                            );
                            if let Ok(Some(pv)) = api.get_opt(&pv).await {
                                mirror.put(keys::PVS, mirrored(pv, keys::PVS));
                            }
                        }
                    }
                    mirror.put(key, v);
                }
                Ok(None) => {
                    let _ = mirror.remove(key, ns, &name, None);
                }
                Err(e) => tracing::debug!("reading {key} {ns}/{name} for a pod: {e}"),
            }
        }
    }
}

/// A mirrored object as JSON, with its kind and apiVersion (list items come without them).
pub fn mirrored(obj: DynamicObject, key: &str) -> Value {
    let mut v = serde_json::to_value(obj).unwrap_or_default();
    if let Some(def) = crate::mirror::resources::by_key(key)
        && let Some(m) = v.as_object_mut()
    {
        let api_version = if def.group.is_empty() {
            def.version.to_string()
        } else {
            format!("{}/{}", def.group, def.version)
        };
        m.insert("apiVersion".into(), json!(api_version));
        m.insert("kind".into(), json!(def.kind));
    }
    v
}
