//! The mirror's store: every mirrored object as JSON (kept as the API server sent it), keyed by
//! resource, namespace and name, and a broadcast of each change to whoever runs from it.

use super::errors::{ApiError, ApiResult};
use super::resources;
use crate::util;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::broadcast;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    Added,
    Modified,
    Deleted,
}

/// One change of one object.
#[derive(Debug)]
pub struct WatchEvent {
    /// Resource key (`pods`, `services`).
    pub key: String,
    pub etype: EventType,
    pub object: Value,
}

type ObjKey = (String, String);

pub struct Store {
    objects: Mutex<HashMap<String, BTreeMap<ObjKey, Value>>>,
    tx: broadcast::Sender<Arc<WatchEvent>>,
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
            objects: Mutex::new(HashMap::new()),
            tx,
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, BTreeMap<ObjKey, Value>>> {
        self.objects.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn emit(&self, key: &str, etype: EventType, object: Value) {
        let _ = self.tx.send(Arc::new(WatchEvent {
            key: key.to_string(),
            etype,
            object,
        }));
    }

    pub fn get(&self, key: &str, ns: &str, name: &str) -> Option<Value> {
        self.lock()
            .get(key)?
            .get(&(ns.to_string(), name.to_string()))
            .cloned()
    }

    /// All objects of a resource in one namespace, or in all when `ns` is None.
    pub fn list(&self, key: &str, ns: Option<&str>) -> Vec<Value> {
        match self.lock().get(key) {
            Some(m) => m
                .iter()
                .filter(|((n, _), _)| ns.is_none_or(|want| want == n))
                .map(|(_, v)| v.clone())
                .collect(),
            None => Vec::new(),
        }
    }

    pub fn items(&self, key: &str) -> Vec<Value> {
        self.list(key, None)
    }

    /// Stores an object as the API server sent it, replacing one of the same namespace and name;
    /// subscribers see it added or modified. An equal object is not written again.
    pub fn put(&self, key: &str, obj: Value) {
        let k = (
            util::namespace(&obj).to_string(),
            util::name(&obj).to_string(),
        );
        let old = {
            let mut objects = self.lock();
            let map = objects.entry(key.to_string()).or_default();
            if map.get(&k) == Some(&obj) {
                return;
            }
            map.insert(k, obj.clone())
        };
        let etype = match old {
            Some(_) => EventType::Modified,
            None => EventType::Added,
        };
        self.emit(key, etype, obj);
    }

    /// Removes an object. `uid`, when given, must match (a precondition).
    pub fn remove(&self, key: &str, ns: &str, name: &str, uid: Option<&str>) -> ApiResult<Value> {
        let (plural, group) =
            resources::by_key(key).map_or(("objects", ""), |r| (r.plural, r.group));
        let k = (ns.to_string(), name.to_string());
        let obj = {
            let mut objects = self.lock();
            let Some(map) = objects.get_mut(key) else {
                return Err(ApiError::not_found(plural, group, name));
            };
            match map.get(&k) {
                None => return Err(ApiError::not_found(plural, group, name)),
                Some(o) if uid.is_some_and(|u| util::uid(o) != u) => {
                    return Err(ApiError::conflict(plural, group, name));
                }
                Some(_) => {}
            }
            map.remove(&k)
        };
        let obj = obj.unwrap_or_default();
        self.emit(key, EventType::Deleted, obj.clone());
        Ok(obj)
    }

    /// Every change from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<WatchEvent>> {
        self.tx.subscribe()
    }
}
