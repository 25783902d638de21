//! The object store: every object as JSON, keyed by resource, namespace and name, one global
//! resourceVersion counter, and a bounded per-resource event history for watch resumption.

use super::errors::{ApiError, ApiResult};
use super::resources;
use crate::util;
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::broadcast;

/// How many events per resource are kept for watches that resume from a resourceVersion.
const HISTORY: usize = 2000;

/// The resourceVersion the store starts at.
const FIRST_RV: u64 = 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    Added,
    Modified,
    Deleted,
}

impl EventType {
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Added => "ADDED",
            EventType::Modified => "MODIFIED",
            EventType::Deleted => "DELETED",
        }
    }
}

/// One change of one object.
#[derive(Debug)]
pub struct WatchEvent {
    /// Resource key (`pods`, `statefulsets.apps`).
    pub key: String,
    pub etype: EventType,
    pub object: Value,
    /// The object before a modification.
    pub old: Option<Value>,
    pub rv: u64,
}

type ObjKey = (String, String);

/// The events past a resourceVersion and the receiver of later ones.
pub type Resumed = (Vec<Arc<WatchEvent>>, broadcast::Receiver<Arc<WatchEvent>>);

#[derive(Default)]
struct Inner {
    rv: u64,
    objects: HashMap<String, BTreeMap<ObjKey, Value>>,
    history: HashMap<String, VecDeque<Arc<WatchEvent>>>,
    /// The resourceVersion of the newest event dropped from a history: a watch must start at or after it.
    compacted: HashMap<String, u64>,
}

/// Outcome of an update.
pub struct Updated {
    pub object: Value,
    pub changed: bool,
    /// The update completed a deletion (finalizers emptied): the object is gone.
    pub removed: bool,
}

pub struct Store {
    inner: Mutex<Inner>,
    tx: broadcast::Sender<Arc<WatchEvent>>,
}

fn err_names(key: &str) -> (&'static str, &'static str) {
    match resources::by_key(key) {
        Some(r) => (r.plural, r.group),
        None => ("objects", ""),
    }
}

/// Everything that is not resourceVersion/managedFields, to detect no-op writes.
fn same_content(a: &Value, b: &Value) -> bool {
    let strip = |v: &Value| {
        let mut v = v.clone();
        if let Some(m) = v.get_mut("metadata").and_then(Value::as_object_mut) {
            m.remove("resourceVersion");
            m.remove("managedFields");
        }
        v
    };
    strip(a) == strip(b)
}

fn spec_of(v: &Value) -> Value {
    let mut v = v.clone();
    if let Some(m) = v.as_object_mut() {
        m.remove("metadata");
        m.remove("status");
    }
    v
}

impl Default for Store {
    fn default() -> Self {
        Store::new()
    }
}

impl Store {
    pub fn new() -> Store {
        let (tx, _) = broadcast::channel(65536);
        Store {
            inner: Mutex::new(Inner {
                rv: FIRST_RV,
                ..Default::default()
            }),
            tx,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn current_rv(&self) -> u64 {
        self.lock().rv
    }

    fn emit(&self, inner: &mut Inner, ev: WatchEvent) {
        let ev = Arc::new(ev);
        let h = inner.history.entry(ev.key.clone()).or_default();
        h.push_back(ev.clone());
        if h.len() > HISTORY
            && let Some(old) = h.pop_front()
        {
            inner.compacted.insert(ev.key.clone(), old.rv);
        }
        let _ = self.tx.send(ev);
    }

    pub fn get(&self, key: &str, ns: &str, name: &str) -> Option<Value> {
        self.lock()
            .objects
            .get(key)?
            .get(&(ns.to_string(), name.to_string()))
            .cloned()
    }

    /// All objects of a resource (in one namespace, or all when `ns` is None), and the list's resourceVersion.
    pub fn list(&self, key: &str, ns: Option<&str>) -> (Vec<Value>, u64) {
        let inner = self.lock();
        let items = match inner.objects.get(key) {
            Some(m) => m
                .iter()
                .filter(|((n, _), _)| ns.is_none_or(|want| want == n))
                .map(|(_, v)| v.clone())
                .collect(),
            None => Vec::new(),
        };
        (items, inner.rv)
    }

    pub fn items(&self, key: &str) -> Vec<Value> {
        self.list(key, None).0
    }

    /// Creates an object; `obj` carries its final namespace and name.
    pub fn create(&self, key: &str, mut obj: Value) -> ApiResult<Value> {
        let ns = util::namespace(&obj).to_string();
        let name = util::name(&obj).to_string();
        let mut inner = self.lock();
        let exists = inner
            .objects
            .get(key)
            .is_some_and(|m| m.contains_key(&(ns.clone(), name.clone())));
        if exists {
            let (p, g) = err_names(key);
            return Err(ApiError::already_exists(p, g, &name));
        }
        inner.rv += 1;
        let rv = inner.rv;
        {
            let md = util::obj_mut(&mut obj, &["metadata"]);
            md.insert("resourceVersion".into(), json!(rv.to_string()));
            if !md.contains_key("uid") {
                md.insert("uid".into(), json!(uuid::Uuid::new_v4().to_string()));
            }
            md.insert("creationTimestamp".into(), json!(util::now_ts()));
            md.insert("generation".into(), json!(1));
            md.remove("deletionTimestamp");
        }
        inner
            .objects
            .entry(key.to_string())
            .or_default()
            .insert((ns, name), obj.clone());
        self.emit(
            &mut inner,
            WatchEvent {
                key: key.to_string(),
                etype: EventType::Added,
                object: obj.clone(),
                old: None,
                rv,
            },
        );
        Ok(obj)
    }

    /// Replaces an object with what `f` makes of the current one, atomically. A result equal to the
    /// current object is not written (no new resourceVersion). A result with a deletionTimestamp and
    /// no finalizers is removed (except pods, which the kubelet removes).
    pub fn update(
        &self,
        key: &str,
        ns: &str,
        name: &str,
        f: impl FnOnce(&Value) -> ApiResult<Value>,
    ) -> ApiResult<Updated> {
        let mut inner = self.lock();
        let k = (ns.to_string(), name.to_string());
        let Some(cur) = inner.objects.get(key).and_then(|m| m.get(&k)).cloned() else {
            let (p, g) = err_names(key);
            return Err(ApiError::not_found(p, g, name));
        };
        let mut new = f(&cur)?;
        {
            // identity fields are the server's
            let md = util::obj_mut(&mut new, &["metadata"]);
            for f in [
                "uid",
                "creationTimestamp",
                "namespace",
                "name",
                "deletionTimestamp",
                "deletionGracePeriodSeconds",
            ] {
                match cur.get("metadata").and_then(|m| m.get(f)) {
                    Some(v) => {
                        md.insert(f.into(), v.clone());
                    }
                    None => {
                        md.remove(f);
                    }
                }
            }
            if let Some(g) = cur.pointer("/metadata/generation") {
                md.insert("generation".into(), g.clone());
            }
        }
        if spec_of(&new) != spec_of(&cur) {
            let g = cur
                .pointer("/metadata/generation")
                .and_then(Value::as_i64)
                .unwrap_or(1)
                + 1;
            util::set(&mut new, &["metadata", "generation"], json!(g));
        }
        let finalize = key != resources::keys::PODS
            && new.pointer("/metadata/deletionTimestamp").is_some()
            && util::arr(&new, &["metadata", "finalizers"]).is_empty();
        if same_content(&new, &cur) && !finalize {
            return Ok(Updated {
                object: cur,
                changed: false,
                removed: false,
            });
        }
        inner.rv += 1;
        let rv = inner.rv;
        util::set(
            &mut new,
            &["metadata", "resourceVersion"],
            json!(rv.to_string()),
        );
        if finalize {
            if let Some(m) = inner.objects.get_mut(key) {
                m.remove(&k);
            }
            self.emit(
                &mut inner,
                WatchEvent {
                    key: key.to_string(),
                    etype: EventType::Deleted,
                    object: new.clone(),
                    old: None,
                    rv,
                },
            );
            return Ok(Updated {
                object: new,
                changed: true,
                removed: true,
            });
        }
        inner
            .objects
            .entry(key.to_string())
            .or_default()
            .insert(k, new.clone());
        self.emit(
            &mut inner,
            WatchEvent {
                key: key.to_string(),
                etype: EventType::Modified,
                object: new.clone(),
                old: Some(cur),
                rv,
            },
        );
        Ok(Updated {
            object: new,
            changed: true,
            removed: false,
        })
    }

    /// Sets deletionTimestamp (now + grace) and deletionGracePeriodSeconds, adding `finalizers`.
    pub fn mark_deleting(
        &self,
        key: &str,
        ns: &str,
        name: &str,
        grace: i64,
        add_finalizers: &[&str],
    ) -> ApiResult<Updated> {
        let mut inner = self.lock();
        let k = (ns.to_string(), name.to_string());
        let Some(cur) = inner.objects.get(key).and_then(|m| m.get(&k)).cloned() else {
            let (p, g) = err_names(key);
            return Err(ApiError::not_found(p, g, name));
        };
        let mut new = cur.clone();
        let already = cur.pointer("/metadata/deletionTimestamp").is_some();
        {
            let md = util::obj_mut(&mut new, &["metadata"]);
            if !already {
                let t = util::now() + chrono::Duration::seconds(grace);
                md.insert("deletionTimestamp".into(), json!(util::ts(t)));
                md.insert("deletionGracePeriodSeconds".into(), json!(grace));
            } else if let Some(old) = md.get("deletionGracePeriodSeconds").and_then(Value::as_i64) {
                // a shorter grace period may replace a longer one
                if grace < old {
                    let t = util::now() + chrono::Duration::seconds(grace);
                    md.insert("deletionTimestamp".into(), json!(util::ts(t)));
                    md.insert("deletionGracePeriodSeconds".into(), json!(grace));
                }
            }
            let fins = md.entry("finalizers").or_insert_with(|| json!([]));
            if let Some(list) = fins.as_array_mut() {
                for f in add_finalizers {
                    if !list.iter().any(|x| x == f) {
                        list.push(json!(f));
                    }
                }
                if list.is_empty() {
                    md.remove("finalizers");
                }
            }
        }
        if new == cur {
            return Ok(Updated {
                object: cur,
                changed: false,
                removed: false,
            });
        }
        inner.rv += 1;
        let rv = inner.rv;
        util::set(
            &mut new,
            &["metadata", "resourceVersion"],
            json!(rv.to_string()),
        );
        inner
            .objects
            .entry(key.to_string())
            .or_default()
            .insert(k, new.clone());
        self.emit(
            &mut inner,
            WatchEvent {
                key: key.to_string(),
                etype: EventType::Modified,
                object: new.clone(),
                old: Some(cur),
                rv,
            },
        );
        Ok(Updated {
            object: new,
            changed: true,
            removed: false,
        })
    }

    /// Stores an object as it is (a mirror of another server's object: its metadata is kept),
    /// replacing one of the same namespace and name; watchers see it added or modified. An equal
    /// object is not written again.
    pub fn put(&self, key: &str, obj: Value) {
        let k = (
            util::namespace(&obj).to_string(),
            util::name(&obj).to_string(),
        );
        let mut inner = self.lock();
        let old = inner.objects.get(key).and_then(|m| m.get(&k)).cloned();
        if old.as_ref() == Some(&obj) {
            return;
        }
        inner.rv += 1;
        let rv = inner.rv;
        inner
            .objects
            .entry(key.to_string())
            .or_default()
            .insert(k, obj.clone());
        let etype = if old.is_some() {
            EventType::Modified
        } else {
            EventType::Added
        };
        self.emit(
            &mut inner,
            WatchEvent {
                key: key.to_string(),
                etype,
                object: obj,
                old,
                rv,
            },
        );
    }

    /// Removes an object at once. `uid`, when given, must match (a precondition).
    pub fn remove(&self, key: &str, ns: &str, name: &str, uid: Option<&str>) -> ApiResult<Value> {
        let mut inner = self.lock();
        let k = (ns.to_string(), name.to_string());
        let cur = inner.objects.get(key).and_then(|m| m.get(&k)).cloned();
        let Some(mut obj) = cur else {
            let (p, g) = err_names(key);
            return Err(ApiError::not_found(p, g, name));
        };
        if let Some(u) = uid
            && util::uid(&obj) != u
        {
            let (p, g) = err_names(key);
            return Err(ApiError::conflict(p, g, name));
        }
        if let Some(m) = inner.objects.get_mut(key) {
            m.remove(&k);
        }
        inner.rv += 1;
        let rv = inner.rv;
        util::set(
            &mut obj,
            &["metadata", "resourceVersion"],
            json!(rv.to_string()),
        );
        self.emit(
            &mut inner,
            WatchEvent {
                key: key.to_string(),
                etype: EventType::Deleted,
                object: obj.clone(),
                old: None,
                rv,
            },
        );
        Ok(obj)
    }

    /// Every change from now on, for controllers.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<WatchEvent>> {
        self.tx.subscribe()
    }

    /// For a watch starting after `rv`: the events of `key` already past it, and a receiver of
    /// later ones. Err(oldest resumable rv) when `rv` is older than the kept history.
    pub fn watch_from(&self, key: &str, rv: u64) -> Result<Resumed, u64> {
        let inner = self.lock();
        // nothing before the store's first resourceVersion can be resumed from
        let floor = inner
            .compacted
            .get(key)
            .copied()
            .unwrap_or(FIRST_RV)
            .max(FIRST_RV);
        if rv < floor {
            return Err(floor);
        }
        let past = inner
            .history
            .get(key)
            .map(|h| h.iter().filter(|e| e.rv > rv).cloned().collect())
            .unwrap_or_default();
        Ok((past, self.tx.subscribe()))
    }

    /// For a watch without resourceVersion: the current objects and a receiver of later events.
    pub fn snapshot_and_subscribe(
        &self,
        key: &str,
        ns: Option<&str>,
    ) -> (Vec<Value>, u64, broadcast::Receiver<Arc<WatchEvent>>) {
        let inner = self.lock();
        let items = match inner.objects.get(key) {
            Some(m) => m
                .iter()
                .filter(|((n, _), _)| ns.is_none_or(|want| want == n))
                .map(|(_, v)| v.clone())
                .collect(),
            None => Vec::new(),
        };
        (items, inner.rv, self.tx.subscribe())
    }

    /// Every uid currently stored (for the garbage collector).
    pub fn all_uids(&self) -> HashMap<String, (String, Value)> {
        let inner = self.lock();
        let mut out = HashMap::new();
        for (key, m) in &inner.objects {
            for v in m.values() {
                out.insert(util::uid(v).to_string(), (key.clone(), v.clone()));
            }
        }
        out
    }

    /// Every object of every namespaced resource in namespace `ns`.
    pub fn all_in_namespace(&self, ns: &str) -> Vec<(String, Value)> {
        let inner = self.lock();
        let mut out = Vec::new();
        for (key, m) in &inner.objects {
            for ((n, _), v) in m {
                if n == ns && !ns.is_empty() {
                    out.push((key.clone(), v.clone()));
                }
            }
        }
        out
    }
}
