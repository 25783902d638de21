//! The controllers: one loop that, after every batch of changes (and once a second), runs each
//! controller over the whole store. Every write is skipped when it would change nothing, so the
//! loop settles.

mod gc;
mod namespaces;
mod pdb;
pub mod scheduler;
mod services;
mod statefulset;
mod volumes;

use crate::api::ApiContext;
use crate::api::handlers;
use crate::api::resources::{self, keys};
use crate::util;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// What the controllers need besides the store.
pub struct Controllers {
    pub ctx: Arc<ApiContext>,
    /// Where PersistentVolume data directories live.
    pub volumes_dir: PathBuf,
    /// Keys of one-time events already recorded (so a pass does not repeat them).
    pub memo: std::sync::Mutex<std::collections::HashSet<String>>,
    /// Per-object retry back-off after failed writes (see [`Backoff`]).
    pub backoff: std::sync::Mutex<HashMap<String, Backoff>>,
    /// Shorter waits (see `ClusterOptions::fast`).
    pub fast: bool,
}

/// When a controller may try again a write that failed: 1s after the first failure, doubling
/// up to 10s (2s in fast mode). kube-controller-manager's per-object back-off starts at 5ms and
/// doubles up to 1000s; this one keeps a later fix (an SCC grant, a quota raise) visible within
/// seconds.
#[derive(Clone, Copy, Debug)]
pub struct Backoff {
    next: std::time::Instant,
    delay: Duration,
}

impl Controllers {
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let mut rx = self.ctx.store.subscribe();
        let mut state = State::default();
        loop {
            self.pass(&mut state);
            tokio::select! {
                r = rx.recv() => {
                    if let Err(tokio::sync::broadcast::error::RecvError::Closed) = r { return; }
                    // take the whole batch
                    while rx.try_recv().is_ok() {}
                }
                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                _ = shutdown.changed() => return,
            }
        }
    }

    fn pass(&self, state: &mut State) {
        namespaces::reconcile(self);
        volumes::reconcile(self);
        statefulset::reconcile(self);
        scheduler::reconcile(self, state);
        services::reconcile(self);
        pdb::reconcile(self);
        gc::reconcile(self);
    }

    /// Creates an object through the API's create path (defaults, validation).
    pub fn create(&self, key: &str, obj: Value) -> Option<Value> {
        let def = resources::by_key(key)?;
        let ns = if def.namespaced {
            Some(util::namespace(&obj).to_string())
        } else {
            None
        };
        match handlers::create(&self.ctx, def, ns.as_deref(), obj, false) {
            Ok(v) => Some(v),
            Err(e) => {
                tracing::debug!("controller create {key}: {e}");
                None
            }
        }
    }

    /// Creates an object through the API's create path on behalf of `requester` (whose rights
    /// OpenShift's SCC admission weighs); the API's error when refused.
    pub fn try_create_as(
        &self,
        key: &str,
        obj: Value,
        requester: &crate::openshift::UserInfo,
    ) -> Result<Value, crate::api::errors::ApiError> {
        let def = resources::by_key(key)
            .ok_or_else(|| crate::api::errors::ApiError::internal(format!("no resource {key}")))?;
        let ns = def.namespaced.then(|| util::namespace(&obj).to_string());
        handlers::create_as(&self.ctx, def, ns.as_deref(), obj, false, Some(requester))
    }

    /// Whether a write retried under `key` is still backing off.
    pub fn backing_off(&self, key: &str) -> bool {
        self.backoff
            .lock()
            .ok()
            .and_then(|m| m.get(key).map(|b| std::time::Instant::now() < b.next))
            .unwrap_or(false)
    }

    /// Records a failed write under `key` (the next try waits longer) or, with `ok`, forgets it.
    pub fn record_attempt(&self, key: &str, ok: bool) {
        let Ok(mut m) = self.backoff.lock() else {
            return;
        };
        if ok {
            m.remove(key);
            return;
        }
        let cap = Duration::from_secs(if self.fast { 2 } else { 10 });
        let delay = m
            .get(key)
            .map(|b| (b.delay * 2).min(cap))
            .unwrap_or(Duration::from_secs(1));
        m.insert(
            key.to_string(),
            Backoff {
                next: std::time::Instant::now() + delay,
                delay,
            },
        );
    }

    /// Changes an object in place; no write when nothing changed.
    pub fn mutate(
        &self,
        key: &str,
        ns: &str,
        name: &str,
        f: impl FnOnce(&mut Value),
    ) -> Option<Value> {
        self.ctx
            .store
            .update(key, ns, name, |cur| {
                let mut n = cur.clone();
                f(&mut n);
                Ok(n)
            })
            .ok()
            .map(|u| u.object)
    }

    pub fn delete(&self, key: &str, ns: &str, name: &str, opts: Value) {
        if let Some(def) = resources::by_key(key) {
            let _ = handlers::delete(&self.ctx, def, ns, name, &opts, &HashMap::new());
        }
    }

    /// Records an event about `obj` (aggregating repeats into `count`).
    pub fn event(&self, obj: &Value, etype: &str, reason: &str, message: &str, component: &str) {
        record_event(&self.ctx, obj, etype, reason, message, component, "");
    }

    /// Records an event only once per `memo_key`.
    pub fn event_once(
        &self,
        memo_key: &str,
        obj: &Value,
        etype: &str,
        reason: &str,
        message: &str,
        component: &str,
    ) {
        let first = self
            .memo
            .lock()
            .map(|mut m| m.insert(memo_key.to_string()))
            .unwrap_or(false);
        if first {
            self.event(obj, etype, reason, message, component);
        }
    }
}

/// Records an event about `obj`; a repeat of the same reason and message bumps `count`.
pub fn record_event(
    ctx: &ApiContext,
    obj: &Value,
    etype: &str,
    reason: &str,
    message: &str,
    component: &str,
    host: &str,
) {
    let ns = {
        let n = util::namespace(obj);
        if n.is_empty() {
            "default".to_string()
        } else {
            n.to_string()
        }
    };
    let uid = util::uid(obj);
    let existing = ctx
        .store
        .list(keys::EVENTS, Some(&ns))
        .0
        .into_iter()
        .find(|e| {
            util::s(e, &["involvedObject", "uid"]) == uid
                && util::s(e, &["reason"]) == reason
                && util::s(e, &["message"]) == message
        });
    let now = util::now_ts();
    if let Some(e) = existing {
        let _ = ctx.store.update(keys::EVENTS, &ns, util::name(&e), |cur| {
            let mut n = cur.clone();
            let c = n.get("count").and_then(Value::as_i64).unwrap_or(1);
            n["count"] = json!(c + 1);
            n["lastTimestamp"] = json!(now);
            Ok(n)
        });
        return;
    }
    let name = format!("{}.{:016x}", util::name(obj), rand_u64());
    let mut source = json!({"component": component});
    if !host.is_empty() {
        source["host"] = json!(host);
    }
    let ev = json!({
        "apiVersion": "v1", "kind": "Event",
        "metadata": {"name": name, "namespace": ns},
        "involvedObject": {
            "kind": util::s(obj, &["kind"]), "namespace": util::namespace(obj), "name": util::name(obj),
            "uid": uid, "apiVersion": util::s(obj, &["apiVersion"]),
            "resourceVersion": util::s(obj, &["metadata", "resourceVersion"]),
        },
        "reason": reason, "message": message, "source": source,
        "firstTimestamp": now, "lastTimestamp": now, "count": 1, "type": etype,
        "eventTime": null, "reportingComponent": component, "reportingInstance": host,
    });
    if let Some(def) = resources::by_key(keys::EVENTS) {
        let _ = handlers::create(ctx, def, Some(&ns), ev, false);
    }
}

fn rand_u64() -> u64 {
    let u = uuid::Uuid::new_v4();
    let b = u.as_bytes();
    u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]])
}

/// Scheduler memory between passes.
#[derive(Default)]
pub struct State {
    /// pod uid → last scheduling failure message written
    pub unschedulable: HashMap<String, String>,
}

pub fn is_pod_ready(p: &Value) -> bool {
    util::arr(p, &["status", "conditions"])
        .iter()
        .any(|c| util::s(c, &["type"]) == "Ready" && util::s(c, &["status"]) == "True")
}

pub fn is_running_and_ready(p: &Value) -> bool {
    util::s(p, &["status", "phase"]) == "Running"
        && is_pod_ready(p)
        && p.pointer("/metadata/deletionTimestamp").is_none()
}

pub fn is_terminating(p: &Value) -> bool {
    p.pointer("/metadata/deletionTimestamp").is_some()
}

pub fn controller_uid(o: &Value) -> Option<&str> {
    util::arr(o, &["metadata", "ownerReferences"])
        .iter()
        .find(|r| r.get("controller").and_then(Value::as_bool) == Some(true))
        .map(|r| util::s(r, &["uid"]))
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
